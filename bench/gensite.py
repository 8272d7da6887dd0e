#!/usr/bin/env python3
"""Write a deterministic synthetic web site and its manifest, for bench/run.

  gensite.py DIR --pages N [--depth D] [--links K] [--port P] [--seed S]
             [--min-kb A --max-kb B] [--links-per-par L]

DIR/site/       the documents (index.html, robots.txt, static/site.css, s*/...)
DIR/urls.tsv    every in-scope URL (path?query) with its BFS depth and kind
DIR/manifest.json  parameters and, per depth limit, how many pages / URLs a
                complete crawl fetches

The pages form a tree of branching b (the smallest b whose levels 0..D hold
N pages).  Every link points at most one tree level deeper than its page, so
a page's BFS depth from /index.html is its tree level; a real BFS over the
resolved hrefs checks that before the manifest is written.

Each page is 10-30 KB (--min-kb, --max-kb) of pseudo-text with exactly K
<a href> (more only when the fixed ones exceed K), L text links to a
paragraph (--links-per-par; 0: as many as fit the page's size, for the
parse-bound site): home, parent, tree children, "#top", a ?query copy of the
home page, a ?print=1 copy of itself (1 page in 10), a shared 404
(1 in 20) and a unique 404 (1 in 100), one link off the host (127.0.0.250-252:
nothing listens there), and cross links written relative, absolute-path or
as absolute URLs (origin http://127.0.0.1:PORT), some with #fragments.
robots.txt allows everything, so crawlers that obey it and crawlers that do
not fetch the same set.  Python 3 standard library only.
"""
import argparse
import json
import os
import posixpath
import random
import sys
from html import escape
from urllib.parse import urldefrag, urljoin, urlsplit

VERSION = 1
SYL = ("ka to ri mu se na lo vi pe ra chi en dor mal tis quo ber lan sun fi gra "
       "pol wen tor ul am es in ox ter vel nor ba ce di fo gu ha je ki le mo nu "
       "pa ro sa tu va we xi yo ze").split()
CSS = "body{font-family:serif;max-width:60em;margin:auto}aside{float:right}\n"


def branching(n, depth):
    """Smallest tree branching whose levels 0..depth hold n nodes."""
    b = 2
    while sum(b ** k for k in range(depth + 1)) < n:
        b += 1
    return b


class Tree:
    """Heap-numbered tree: the children of i are b*i+1 .. b*i+b."""

    def __init__(self, n, b):
        self.n, self.b = n, b
        self.level = [0] * n
        self.first = [0]  # first index of each level
        size, start = 1, 0
        while start + size < n:
            start += size
            size *= b
            self.first.append(start)
        ends = self.first[1:] + [n]
        for lv, (st, end) in enumerate(zip(self.first, ends)):
            self.level[st:end] = [lv] * (end - st)
        self.path = [self.make_path(i) for i in range(n)]

    def parent(self, i):
        return (i - 1) // self.b if i else None

    def children(self, i):
        return range(self.b * i + 1, min(self.b * i + self.b + 1, self.n))

    def chain(self, i):
        """Ancestors of i, root first, i last."""
        out = []
        while i is not None:
            out.append(i)
            i = self.parent(i)
        return out[::-1]

    def make_path(self, i):
        c = self.chain(i)
        dirs = ["%s%02d" % (p, (c[k] - 1) % self.b)
                for k, p in zip(range(1, 4), "sdt") if k < len(c)]
        if len(c) <= 4:
            return "/" + "/".join(dirs + ["index.html"])
        return "/" + "/".join(dirs) + "/p%06d.html" % i

    def last_at_level(self, lv):
        lv = min(lv, len(self.first) - 1)
        nxt = self.first[lv + 1] if lv + 1 < len(self.first) else self.n
        return nxt - 1


def rel(src, dst):
    return posixpath.relpath(dst, posixpath.dirname(src))


def page_links(t, i, k, origin, rng):
    """The hrefs of page i, each with where it goes: nav, kids, text or foot."""
    p, lv = t.path[i], t.level[i]
    out = [("/index.html" if i % 2 else rel(p, "/index.html"), "nav")]
    if i:
        out.append((rel(p, t.path[t.parent(i)]), "nav"))
    out += [(rel(p, t.path[c]), "kids") for c in t.children(i)]
    out.append(("#top", "foot"))
    out.append(("/index.html?ref=footer", "foot"))
    out.append((("http://127.0.0.250:9/ext/%d.html" % (i % 97),
                 "https://127.0.0.251/partner/%d/" % (i % 13),
                 "//127.0.0.252/cdn/%d.html" % (i % 7))[i % 3], "foot"))
    if i % 10 == 3:
        out.append((posixpath.basename(p) + "?print=1", "foot"))
    if i % 20 == 11:
        out.append(("/old/archive.html", "text"))
    if i % 100 == 57:
        out.append(("gone-%d.html" % i, "text"))
    hi = t.last_at_level(lv + 1)
    form = 0
    while len(out) < k:
        j = rng.randint(0, hi)
        if j == i:
            continue
        href = (rel(p, t.path[j]), t.path[j], origin + t.path[j])[form % 5 // 2]
        form += 1
        if rng.random() < 0.2:
            href += "#sec%d" % rng.randint(1, 5)
        out.append((href, "text"))
    return out


def render(t, i, links, paras, words, rng, lo, hi, lpp=1):
    """One HTML page of i's links padded with text to a random size in [lo, hi]."""
    def a(h):
        return '<a href="%s">%s</a>' % (escape(h), rng.choice(words))

    title = " ".join(rng.choice(words) for _ in range(3)).title()
    by = {w: [h for h, x in links if x == w] for w in ("nav", "kids", "text", "foot")}
    head = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            '<title>%s | %d</title>\n<link rel="stylesheet" href="/static/site.css">\n'
            '</head><body><a id="top"></a>\n<header><nav>%s</nav></header>\n<main>\n'
            % (title, i, " ".join(a(h) for h in by["nav"])))
    if by["kids"]:
        head += "<aside><ul>%s</ul></aside>\n" % "".join("<li>%s</li>" % a(h) for h in by["kids"])
    head += "<article><h1>%s</h1>\n" % title
    tail = "</article></main>\n<footer><p>%s</p></footer>\n</body></html>\n" % (
        " | ".join(a(h) for h in by["foot"]))
    target = rng.randint(lo, hi) - len(head) - len(tail)
    body, size, sec, todo = [], 0, 0, by["text"]
    # Links per paragraph (--links-per-par): one by default; 0 = as many
    # as make the links run out near the page's size (~60 bytes a link),
    # for the parse-bound site's 2,000 links in 200-500 KB.
    per = lpp
    if per == 0:
        per, plen = 1, sum(len(p) for p in paras) / len(paras) + 8
        while per < len(todo) and len(todo) / per * (plen + per * 60) > target:
            per += 1
    while size < target or todo:
        if sec * 6 <= len(body):
            sec += 1
            body.append('<h2 id="sec%d">%s</h2>\n' % (sec, rng.choice(words).title()))
            size += len(body[-1])
        txt = rng.choice(paras)
        if todo and per == 1:
            cut = txt.find(" ", len(txt) // 2)
            txt = txt[:cut] + " " + a(todo.pop()) + txt[cut:]
        elif todo:
            ws = txt.split(" ")
            for k in range(min(per, len(todo)), 0, -1):
                at = len(ws) * k // (per + 1)
                ws.insert(at, a(todo.pop()))
            txt = " ".join(ws)
        body.append("<p>%s</p>\n" % txt)
        size += len(body[-1])
    return head + "".join(body) + tail


def bfs(t, hrefs, origin):
    """BFS depth of every in-scope URL (path?query) reachable from /index.html."""
    scope = urlsplit(origin)[:2]
    index = {p: i for i, p in enumerate(t.path)}
    depth, queue = {"/index.html": 0}, ["/index.html"]
    for u in queue:  # the list grows while we walk it
        i = index.get(u.split("?")[0])
        if i is None:
            continue
        found = ["/static/site.css"]
        for h in hrefs[i]:
            s = urlsplit(urldefrag(urljoin(origin + u, h))[0])
            if s[:2] == scope:
                found.append(s.path + ("?" + s.query if s.query else ""))
        for v in found:
            if v not in depth:
                depth[v] = depth[u] + 1
                queue.append(v)
    return depth


def kind(index, u):
    path, _, q = u.partition("?")
    if path in index:
        return "qdup" if q else "page"
    return "asset" if path == "/static/site.css" else "missing"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--pages", type=int, required=True)
    ap.add_argument("--depth", type=int, default=5)
    ap.add_argument("--links", type=int, default=20)
    ap.add_argument("--port", type=int, default=18470)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-kb", type=int, default=10)
    ap.add_argument("--max-kb", type=int, default=30)
    ap.add_argument("--links-per-par", type=int, default=1,
                    help="text links in one paragraph (0: as many as fit the page size)")
    a = ap.parse_args()

    origin = "http://127.0.0.1:%d" % a.port
    t = Tree(a.pages, branching(a.pages, a.depth))
    root = os.path.join(a.dir, "site")
    rng0 = random.Random(a.seed)
    words = sorted({"".join(rng0.choices(SYL, k=rng0.randint(1, 4))) for _ in range(3000)})
    paras = []
    for _ in range(3000):
        ws = rng0.choices(words, k=rng0.randint(40, 140))
        paras.append(" ".join(ws).capitalize() + ".")
    hrefs, total, made = [], 0, set()
    for i in range(t.n):
        rng = random.Random(a.seed * 1000003 + i)
        links = page_links(t, i, a.links, origin, rng)
        hrefs.append([h for h, _ in links])
        data = render(t, i, links, paras, words, rng, a.min_kb * 1024, a.max_kb * 1024,
                      a.links_per_par).encode()
        fp = root + t.path[i]
        d = os.path.dirname(fp)
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        with open(fp, "wb") as f:
            f.write(data)
        total += len(data)
    os.makedirs(root + "/static", exist_ok=True)
    with open(root + "/static/site.css", "w") as f:
        f.write(CSS)
    with open(root + "/robots.txt", "w") as f:
        f.write("User-agent: *\nDisallow:\n")

    depth = bfs(t, hrefs, origin)
    for i, p in enumerate(t.path):
        if depth.get(p) != t.level[i]:
            sys.exit("gensite: BUG: %s has BFS depth %s, tree level %d" % (p, depth.get(p), t.level[i]))
    index = set(t.path)
    kinds = ("page", "qdup", "missing", "asset")
    maxd = max(depth.values())
    per = [dict.fromkeys(kinds, 0) for _ in range(maxd + 1)]
    for u, d in depth.items():
        per[d][kind(index, u)] += 1
    cum, acc = [], dict.fromkeys(kinds, 0)
    for d in range(maxd + 1):
        for k in kinds:
            acc[k] += per[d][k]
        # urls: what a complete crawl with this depth limit requests (robots.txt not counted)
        cum.append(dict(acc, depth_limit=d, urls=sum(acc.values())))
    with open(os.path.join(a.dir, "urls.tsv"), "w") as f:
        for u, d in sorted(depth.items(), key=lambda x: (x[1], x[0])):
            f.write("%s\t%d\t%s\n" % (u, d, kind(index, u)))
    man = {"version": VERSION, "origin": origin, "seed_url": origin + "/index.html",
           "params": vars(a), "branching": t.b,
           "level_sizes": [t.level.count(lv) for lv in range(len(t.first))],
           "html_bytes": total, "html_bytes_mean": total // t.n, "cumulative": cum}
    with open(os.path.join(a.dir, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)
    print("gensite: %d pages, b=%d, levels %s, %.0f MB, mean %.1f KB, %d URLs in %s" % (
        t.n, t.b, man["level_sizes"], total / 1e6, total / t.n / 1024, len(depth), a.dir),
        file=sys.stderr)


if __name__ == "__main__":
    main()
