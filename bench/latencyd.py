#!/usr/bin/env python3
"""Serve a gensite.py site with a fixed delay before every response, for bench/run.

  latencyd.py SITE_DIR --port P [--hosts 127.0.0.1,127.0.0.2] [--delay-ms 100]
              [--origin URL] [--log FILE] [--stats FILE]

HTTP/1.1 with keep-alive (stated in every response: some clients close the
connection without it), GET and HEAD, requests on one connection answered in
order.  Listens on every address of --hosts (loopback only); each address
serves its own copy of the site, with the absolute links (--origin, the
address the site was generated for) rewritten to http://ADDRESS:PORT.
Every response, robots.txt and 404s included, waits --delay-ms first.

--log    "METHOD URI STATUS BYTES HOST" per request (buffered)
--stats  JSON written on SIGTERM/SIGINT: per host the requests, connections,
         peak open connections and peak requests in flight (received, not yet
         answered), and the server's own CPU seconds.

asyncio, one thread, standard library only.
"""
import argparse
import asyncio
import ipaddress
import json
import os
import resource
import signal
import sys
from urllib.parse import unquote

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".txt": "text/plain"}
REASON = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
NOT_FOUND = b"<html><body><h1>404 Not Found</h1></body></html>\n"


class Host:
    """Counters of one listening address."""

    def __init__(self):
        self.requests = self.conns = self.conns_peak = self.conns_total = 0
        self.inflight = self.inflight_peak = 0


class Server:
    """The site, the per-host counters and the connection handler."""

    def __init__(self, a):
        self.root = os.path.realpath(a.site)
        self.delay = a.delay_ms / 1000.0
        self.port = a.port
        self.origin = a.origin.rstrip("/").encode() if a.origin else None
        self.hosts = {h: Host() for h in a.hosts}
        self.cache = {}  # (host, path) -> (status, type, body)
        self.log = open(a.log, "w", buffering=1 << 18) if a.log else None

    def lookup(self, host, path):
        """Status, content type and body of path as served on host (cached)."""
        key = (host, path)
        hit = self.cache.get(key)
        if hit:
            return hit
        rel = os.path.normpath(unquote(path)).lstrip("/")
        fp = os.path.join(self.root, rel)
        if os.path.isdir(fp):
            fp = os.path.join(fp, "index.html")
        res = (404, "text/html", NOT_FOUND)
        if not rel.startswith("..") and os.path.isfile(fp):
            with open(fp, "rb") as f:
                body = f.read()
            ctype = TYPES.get(os.path.splitext(fp)[1], "application/octet-stream")
            me = b"http://%s:%d" % (host.encode(), self.port)
            if ctype.startswith("text/html") and self.origin and self.origin != me:
                body = body.replace(self.origin, me)
            res = (200, ctype, body)
        self.cache[key] = res
        return res

    async def handle(self, reader, writer):
        """Serve one connection until the client closes it or asks to."""
        host = writer.get_extra_info("sockname")[0]
        st = self.hosts[host]
        st.conns += 1
        st.conns_total += 1
        st.conns_peak = max(st.conns_peak, st.conns)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                        ConnectionError):
                    break
                lines = head.decode("latin-1").split("\r\n")
                req = lines[0].split()
                hdr = {}
                for ln in lines[1:]:
                    k, _, v = ln.partition(":")
                    hdr[k.strip().lower()] = v.strip().lower()
                if len(req) != 3 or not req[2].startswith("HTTP/1."):
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
                    break
                method, target, version = req
                if hdr.get("content-length", "0") != "0":
                    await reader.readexactly(int(hdr["content-length"]))
                conn = hdr.get("connection", "")
                keep = "close" not in conn if version == "HTTP/1.1" else "keep-alive" in conn
                st.requests += 1
                st.inflight += 1
                st.inflight_peak = max(st.inflight_peak, st.inflight)
                try:
                    await asyncio.sleep(self.delay)
                    if method in ("GET", "HEAD"):
                        path = target.split("?", 1)[0].split("#", 1)[0]
                        if "://" in path:  # absolute-form request target
                            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
                        status, ctype, body = self.lookup(host, path)
                    else:
                        status, ctype, body = 405, "text/plain", b""
                    out = ("HTTP/1.1 %d %s\r\nServer: latencyd\r\nContent-Type: %s\r\n"
                           "Content-Length: %d\r\nConnection: %s\r\n\r\n" % (
                               status, REASON[status], ctype, len(body),
                               "keep-alive" if keep else "close")).encode()
                    sent = 0 if method == "HEAD" else len(body)
                    writer.write(out + body if sent else out)
                    await writer.drain()
                finally:
                    st.inflight -= 1
                if self.log:
                    self.log.write("%s %s %d %d %s\n" % (method, target, status, sent, host))
                if not keep:
                    break
        except ConnectionError:
            pass
        finally:
            st.conns -= 1
            writer.close()

    def stats(self):
        """Per-host counters and our CPU time, for --stats."""
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return {"delay_ms": self.delay * 1000, "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
                "requests": sum(h.requests for h in self.hosts.values()),
                "per_host": {a: {"requests": h.requests, "connections": h.conns_total,
                                 "peak_connections": h.conns_peak,
                                 "peak_inflight": h.inflight_peak}
                             for a, h in self.hosts.items()}}


async def serve(a):
    """Listen until SIGTERM or SIGINT, then write the log and the stats."""
    srv = Server(a)
    server = await asyncio.start_server(srv.handle, host=list(srv.hosts), port=a.port,
                                        backlog=4096, reuse_address=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    await done.wait()
    server.close()
    if srv.log:
        srv.log.close()
    if a.stats:
        with open(a.stats, "w") as f:
            json.dump(srv.stats(), f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--hosts", default="127.0.0.1")
    ap.add_argument("--delay-ms", type=float, default=100.0)
    ap.add_argument("--origin")
    ap.add_argument("--log")
    ap.add_argument("--stats")
    a = ap.parse_args()
    a.hosts = [h.strip() for h in a.hosts.split(",") if h.strip()]
    for h in a.hosts:
        if not ipaddress.ip_address(h).is_loopback:
            sys.exit("latencyd: %s is not in 127.0.0.0/8" % h)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(serve(a))


if __name__ == "__main__":
    main()
