#!/usr/bin/env python3
"""Check one benchmark run against the site manifest, and print the result table.

  tally.py record --site DIR --depth D --log LOG --time TIME_FILE --rc RC
                  --scenario S --tool T --conc C [--label L] [--ideal-conc N]
                  [--delay-ms MS] [--stats JSON] [--server-cpu S] [--db DB]
                  --out RESULTS.jsonl
  tally.py floor --site DIR --depth D --scenario S --parsecost JSON --out RESULTS.jsonl
  tally.py table RESULTS.jsonl

record: reads the server's request log ("METHOD URI STATUS BYTES [HOST]"),
counts the distinct site pages requested (plain URL, no ?query) per host and
compares them with what the manifest expects for depth limit D on each host;
with --db also counts crawld's pages rows in state 'done' with status 200 that
are site pages (a 500 is 'done' too: a complete response).
With --stderr (crawld's, run with -v) also takes the summary's per-thread CPU
line (loop, parse, store) and the loop lag.
Appends one JSON line to RESULTS.jsonl and prints a one-line summary.

floor: records a bench/parsecost measurement (libxml2 alone on the documents
of the site within depth D) as the scenario's parse floor.

table: one row per (scenario, tool, label, concurrency), medians over the
repetitions; then the ratios crawld / wget2 of the same run, and for a
scenario with a floor, floor = (libxml2 CPU + the server's CPU in crawld's
runs) / cores and crawld's wall / floor.  Standard library only.
"""
import os
import re
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


CPU_RE = re.compile(r"crawld: cpu: loop ([0-9.]+) s \(([0-9.]+) ms/page\), parse ([0-9.]+) s "
                    r"\(([0-9.]+) ms/page, (\d+) threads?\), (?:store ([0-9.]+) s|store on the loop)")
LAG_RE = re.compile(r"crawld: loop lag: p50 ([0-9.]+) ms, p99 ([0-9.]+) ms, max ([0-9.]+) ms")


def crawld_summary(path):
    """The -v summary's per-thread CPU and loop lag, when crawld printed them."""
    out = {}
    with open(path, errors="replace") as f:
        text = f.read()
    m = CPU_RE.search(text)
    if m:
        out.update(loop_cpu=float(m.group(1)), loop_ms_page=float(m.group(2)),
                   parse_cpu=float(m.group(3)), parse_threads=int(m.group(5)),
                   store_cpu=float(m.group(6)) if m.group(6) else None)
    m = LAG_RE.search(text)
    if m:
        out.update(lag_p99_ms=float(m.group(2)), lag_max_ms=float(m.group(3)))
    return out


def floor(a):
    with open(a.parsecost) as f:
        pc = [json.loads(ln) for ln in f if ln.strip()]
    sax = [r for r in pc if r["mode"] == "sax"][0]
    r = {"scenario": a.scenario, "tool": "floor", "label": "libxml2-floor", "conc": 1,
         "floor_parse_cpu": sax["cpu_s"], "floor_docs": sax["files"], "floor_bytes": sax["bytes"],
         "cores": os.cpu_count() or 1}
    with open(a.out, "a") as f:
        f.write(json.dumps(r) + "\n")
    print("  %s floor: libxml2 %.3f CPU s on %d documents (%.0f MB)"
          % (a.scenario, sax["cpu_s"], sax["files"], sax["bytes"] / 1e6), file=sys.stderr)


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
    if a.stderr:
        r.update(crawld_summary(a.stderr))
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


def med(rs, k):
    v = [r[k] for r in rs if r.get(k) is not None]
    return statistics.median(v) if v else None


def fmt(v, f):
    return f % v if v is not None else "-"


def table(path):
    runs, floors = defaultdict(list), defaultdict(list)
    with open(path) as f:
        for ln in f:
            r = json.loads(ln)
            if r["tool"] == "floor":
                floors[r["scenario"]].append(r)
            else:
                runs[(r["scenario"], r["label"], r["conc"])].append(r)
    cols = ["scenario", "tool", "conc", "runs", "pages fetched/expected", "requests", "wall s",
            "CPU s", "CPU ms/page", "peak RSS MB", "pages/s", "ideal/wall", "max in-flight/host",
            "robots.txt", "server CPU s", "loop CPU ms/page", "loop lag p99 ms"]
    rows, summary = [], {}
    for (scen, label, conc), rs in runs.items():
        pages, wall, cpu = med(rs, "pages"), med(rs, "wall"), med(rs, "cpu")
        ok = sum(1 for r in rs if r["complete"])
        pf = "%d/%d" % (pages, rs[0]["expected"])
        pf += "" if ok == len(rs) else " (%d/%d runs complete)" % (ok, len(rs))
        if "db_done_pages" in rs[0]:
            pf += "; db %d" % med(rs, "db_done_pages")
        ideal = med(rs, "ideal") / wall if "ideal" in rs[0] and wall else None
        inflight = ("%d" % max(r["max_host_inflight"] for r in rs)
                    if "max_host_inflight" in rs[0] else "-")
        srv = med(rs, "server_cpu")
        summary[(scen, label, conc)] = dict(
            tool=rs[0]["tool"], pages_s=pages / wall if wall else None,
            cpu_ms=cpu * 1000 / pages if pages else None, rss=med(rs, "rss_mb"), ideal=ideal,
            wall=wall, server_cpu=srv, loop_ms=med(rs, "loop_ms_page"), lag=med(rs, "lag_p99_ms"))
        sm = summary[(scen, label, conc)]
        rows.append([scen, label, str(conc), str(len(rs)), pf, "%d" % med(rs, "requests"),
                     "%.2f" % wall, "%.2f" % cpu, fmt(sm["cpu_ms"], "%.3f"),
                     "%.1f" % med(rs, "rss_mb"), fmt(sm["pages_s"], "%.0f"),
                     fmt(ideal, "%.2f"), inflight, "yes" if med(rs, "robots_txt") else "no",
                     fmt(srv, "%.2f"), fmt(sm["loop_ms"], "%.3f"), fmt(sm["lag"], "%.1f")])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    ratios(summary)
    floor_table(summary, floors)


def peer_of(summary, scen, conc):
    """The wget2 line a crawld line is compared with: wget2 with its default
    threads if the scenario has it (B1's target), else the same concurrency,
    else any wget2 line of the scenario."""
    cands = [(k, v) for k, v in summary.items() if k[0] == scen and v["tool"] == "wget2"]
    for pick in (lambda k: "default" in k[1], lambda k: k[2] == conc, lambda k: True):
        for k, v in cands:
            if pick(k):
                return k, v
    return None, None


def num(v):
    return "%.0f" % v if abs(v) >= 100 else "%.3g" % v


def ratio(a, b):
    return "%.2f (%s vs %s)" % (a / b, num(a), num(b)) if a is not None and b else "-"


def ratios(summary):
    lines = []
    for (scen, label, conc), c in summary.items():
        if c["tool"] != "crawld":
            continue
        pk, p = peer_of(summary, scen, conc)
        if p is None:
            continue
        lines.append("| %s | %s c=%s / %s c=%s | %s | %s | %s | %s |" % (
            scen, label, conc, pk[1], pk[2], ratio(c["pages_s"], p["pages_s"]),
            ratio(c["cpu_ms"], p["cpu_ms"]), ratio(c["rss"], p["rss"]),
            ratio(c["ideal"], p["ideal"]) if c["ideal"] is not None else "-"))
    if lines:
        print()
        print("Ratios crawld / wget2 (same run, medians):")
        print()
        print("| scenario | lines | pages/s | CPU ms/page | peak RSS | ideal/wall |")
        print("|---|---|---|---|---|---|")
        print("\n".join(lines))


def floor_table(summary, floors):
    lines = []
    for scen, fs in floors.items():
        parse = statistics.median(r["floor_parse_cpu"] for r in fs)
        cores = fs[0]["cores"]
        for (s, label, conc), c in summary.items():
            if s != scen or c["tool"] != "crawld":
                continue
            srv = c["server_cpu"] or 0
            fl = (parse + srv) / cores
            lines.append("| %s | %d docs, %.0f MB | %.3f | %.2f | %d | %.3f | %s %.2f | %.2f |" % (
                scen, fs[0]["floor_docs"], fs[0]["floor_bytes"] / 1e6, parse, srv, cores, fl,
                label, c["wall"], c["wall"] / fl))
    if lines:
        print()
        print("Parse floor: floor = (libxml2 CPU s + server CPU s) / cores (bench/parsecost, medians):")
        print()
        print("| scenario | parsed | libxml2 CPU s | server CPU s | cores | floor s | crawld wall s | wall / floor |")
        print("|---|---|---|---|---|---|---|---|")
        print("\n".join(lines))


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
    rc.add_argument("--stderr", help="crawld's stderr (-v summary)")
    fl = sub.add_parser("floor")
    for opt in ("--site", "--scenario", "--parsecost", "--out"):
        fl.add_argument(opt, required=True)
    fl.add_argument("--depth", type=int, required=True)
    tb = sub.add_parser("table")
    tb.add_argument("results")
    a = ap.parse_args()
    if a.cmd == "record":
        record(a)
    elif a.cmd == "floor":
        floor(a)
    else:
        table(a.results)


if __name__ == "__main__":
    main()
