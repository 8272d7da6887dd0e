#!/usr/bin/env python3
"""Check one benchmark run against the site manifest, and print the result table.

  tally.py record --site DIR --depth D --log LOG --time TIME_FILE --rc RC
                  --scenario S --tool T --conc C [--label L] [--ideal-conc N]
                  [--delay-ms MS] [--stats JSON] [--server-cpu S] [--db DB]
                  --out RESULTS.jsonl
  tally.py table RESULTS.jsonl

record: reads the server's request log ("METHOD URI STATUS BYTES [HOST]"),
counts the distinct site pages requested (plain URL, no ?query) per host and
compares them with what the manifest expects for depth limit D on each host;
with --db also counts crawld's pages rows in state 'done' with status 200 that
are site pages (a 500 is 'done' too: a complete response).
Appends one JSON line to RESULTS.jsonl and prints a one-line summary.

table: one row per (scenario, tool, label, concurrency), medians over the
repetitions.  Standard library only.
"""
import argparse
import json
import sqlite3
import statistics
import sys
from collections import defaultdict
from urllib.parse import urlsplit


def load_urls(site, depth):
    """Map path?query -> (depth, kind) for URLs within the depth limit."""
    out = {}
    with open(site + "/urls.tsv") as f:
        for ln in f:
            u, d, k = ln.rstrip("\n").split("\t")
            if int(d) <= depth:
                out[u] = (int(d), k)
    return out


def read_log(path):
    """Requests per host: host -> list of (uri, status)."""
    per = defaultdict(list)
    with open(path) as f:
        for ln in f:
            p = ln.split()
            if len(p) < 3:
                continue
            uri = p[1]
            if "://" in uri:
                s = urlsplit(uri)
                uri = s.path + ("?" + s.query if s.query else "")
            per[p[4] if len(p) > 4 else "127.0.0.1"].append((uri, p[2]))
    return per


def db_done_pages(db, urls):
    """Per host, how many distinct site pages crawld recorded done with status 200; rows by state."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        states = dict(con.execute("SELECT state, count(*) FROM pages GROUP BY state"))
        per = defaultdict(set)
        for (url,) in con.execute("SELECT url FROM pages WHERE state = 'done' AND status = 200"):
            s = urlsplit(url)
            key = s.path + ("?" + s.query if s.query else "")
            if urls.get(key, (0, ""))[1] == "page":
                per[s.hostname].add(key)
    finally:
        con.close()
    return {h: len(v) for h, v in per.items()}, states


def record(a):
    urls = load_urls(a.site, a.depth)
    expected = sum(1 for d, k in urls.values() if k == "page")
    hosts = a.hosts.split(",")
    log = read_log(a.log)
    fetched, requests, over = 0, 0, 0
    for h in hosts:
        reqs = log.get(h, [])
        requests += len(reqs)
        fetched += len({u for u, st in reqs if urls.get(u, (0, ""))[1] == "page" and st == "200"})
    with open(a.site + "/urls.tsv") as f:
        deeper = {ln.split("\t")[0] for ln in f if int(ln.split("\t")[1]) > a.depth}
    over = sum(1 for h in hosts for u, _ in log.get(h, []) if u in deeper)
    with open(a.time) as f:
        last = [ln.split() for ln in f if ln.strip()][-1]
    wall, user, sys_, rss_kb = float(last[0]), float(last[1]), float(last[2]), int(last[3])
    r = {"scenario": a.scenario, "tool": a.tool, "label": a.label or a.tool, "conc": a.conc,
         "rc": a.rc, "wall": wall, "cpu": round(user + sys_, 3), "rss_mb": round(rss_kb / 1024, 1),
         "requests": requests, "pages": fetched, "expected": expected * len(hosts),
         "over_depth": over, "server_cpu": a.server_cpu}
    if a.stats:
        with open(a.stats) as f:
            st = json.load(f)
        r["server_cpu"] = st["cpu_s"]
        r["max_host_inflight"] = max(h["peak_inflight"] for h in st["per_host"].values())
        r["requests"] = st["requests"]
    if a.delay_ms:
        r["ideal"] = round(r["requests"] * a.delay_ms / 1000.0 / (a.ideal_conc or a.conc), 3)
    if a.db:
        per, states = db_done_pages(a.db, urls)
        r["db_done_pages"] = sum(per.get(h, 0) for h in hosts)
        r["db_states"] = states
    r["robots_txt"] = sum(1 for h in hosts for u, _ in log.get(h, []) if u == "/robots.txt")
    ok_rc = a.rc in [int(x) for x in a.ok_rc.split(",")]
    r["complete"] = (r["pages"] == r["expected"] and over == 0 and ok_rc
                     and r.get("db_done_pages", r["expected"]) == r["expected"])
    with open(a.out, "a") as f:
        f.write(json.dumps(r) + "\n")
    print("  %s %s c=%s: rc=%d pages %d/%d over-depth %d%s requests %d wall %.2fs cpu %.2fs rss %.0fMB%s"
          % (a.scenario, r["label"], a.conc, a.rc, r["pages"], r["expected"], over,
             " db-done %d" % r["db_done_pages"] if a.db else "", r["requests"], wall,
             r["cpu"], r["rss_mb"], "" if r["complete"] else "  ** INCOMPLETE **"),
          file=sys.stderr)


def table(path):
    runs = defaultdict(list)
    with open(path) as f:
        for ln in f:
            r = json.loads(ln)
            runs[(r["scenario"], r["label"], r["conc"])].append(r)
    cols = ["scenario", "tool", "conc", "runs", "pages fetched/expected", "requests", "wall s",
            "CPU s", "CPU ms/page", "peak RSS MB", "pages/s", "ideal/wall", "max in-flight/host",
            "robots.txt", "server CPU s"]
    rows = []
    for (scen, label, conc), rs in runs.items():
        med = lambda k: statistics.median(r[k] for r in rs)  # noqa: E731
        pages, wall, cpu = med("pages"), med("wall"), med("cpu")
        ok = sum(1 for r in rs if r["complete"])
        pf = "%d/%d" % (pages, rs[0]["expected"])
        pf += "" if ok == len(rs) else " (%d/%d runs complete)" % (ok, len(rs))
        if "db_done_pages" in rs[0]:
            pf += "; db %d" % med("db_done_pages")
        ideal = ("%.2f" % (statistics.median(r["ideal"] for r in rs) / wall)
                 if "ideal" in rs[0] and wall else "-")
        inflight = ("%d" % max(r["max_host_inflight"] for r in rs)
                    if "max_host_inflight" in rs[0] else "-")
        srv = [r["server_cpu"] for r in rs if r.get("server_cpu") is not None]
        rows.append([scen, label, str(conc), str(len(rs)), pf, "%d" % med("requests"),
                     "%.2f" % wall, "%.2f" % cpu,
                     "%.3f" % (cpu * 1000 / pages) if pages else "-",
                     "%.1f" % med("rss_mb"), "%.0f" % (pages / wall) if wall else "-",
                     ideal, inflight, "yes" if med("robots_txt") else "no", "%.2f" % statistics.median(srv) if srv else "-"])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(r) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    rc = sub.add_parser("record")
    for opt in ("--site", "--log", "--time", "--scenario", "--tool", "--out"):
        rc.add_argument(opt, required=True)
    rc.add_argument("--depth", type=int, required=True)
    rc.add_argument("--rc", type=int, required=True)
    rc.add_argument("--ok-rc", default="0", help="exit codes that mean success, e.g. 0,8 for wget")
    rc.add_argument("--conc", type=int, required=True)
    rc.add_argument("--label")
    rc.add_argument("--hosts", default="127.0.0.1")
    rc.add_argument("--ideal-conc", type=int)
    rc.add_argument("--delay-ms", type=float)
    rc.add_argument("--stats")
    rc.add_argument("--server-cpu", type=float)
    rc.add_argument("--db")
    tb = sub.add_parser("table")
    tb.add_argument("results")
    a = ap.parse_args()
    if a.cmd == "record":
        record(a)
    else:
        table(a.results)


if __name__ == "__main__":
    main()
