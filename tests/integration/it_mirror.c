/* SPDX-License-Identifier: MIT */
/*
 * it_mirror.c - `crawld crawl --mirror DIR` end to end through the binary
 * against a fixture site with HTML, CSS (@import, url()), srcset, a
 * script, a redirect, a 404 and hostile names: the tree it leaves, every
 * local link of every converted page and stylesheet resolving to a file
 * in DIR, nothing written outside DIR (also with a symlink planted in it),
 * a second run leaving every file alone, `crawld convert`, and kill -9
 * half-way then the same command giving the same tree.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "condsrv.h"
#include "mirrorsite.h"
#include "testsrv.h"

static char host[64]; /* "127.0.0.1_PORT" */

/* DIR/host/rel */
static const char *
in(const char *dir, const char *rel)
{
	static char ring[8][4096];
	static unsigned next;
	char *p = ring[next++ % 8];

	snprintf(p, 4096, "%s/%s/%s", dir, host, rel);
	return p;
}

static bool
is_file(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Read path into a malloc'd NUL-terminated buffer (NULL when missing). */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Run a mirror of srv into dir with db; extra args NULL-terminated. */
static int
mirror_run(struct testsrv *srv, const char *db, const char *dir,
    const char *extra1, const char *extra2)
{
	char seed[128], err[4096];
	const char *argv[16];
	int n = 0, code;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(srv));
	argv[n++] = "crawl";
	argv[n++] = "-q";
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "--mirror";
	argv[n++] = dir;
	argv[n++] = "--no-robots";
	argv[n++] = "--depth";
	argv[n++] = "1";
	/* One transfer at a time: pages arrive in discovery order, so which
	   of /x and /x/ keeps its name (the first to arrive) is fixed. */
	argv[n++] = "-c";
	argv[n++] = "1";
	if (extra1 != NULL)
		argv[n++] = extra1;
	if (extra2 != NULL)
		argv[n++] = extra2;
	argv[n++] = seed;
	argv[n] = NULL;
	code = it_run_crawld(argv, NULL, 0, err, sizeof(err));
	if (code != 0)
		fprintf(stderr, "  crawld exit %d: %s\n", code, err);
	return code;
}

/* Percent-decode s in place. */
static void
pct_decode(char *s)
{
	char *o = s;
	unsigned v;

	for (; *s != '\0'; s++) {
		if (s[0] == '%' && sscanf(s + 1, "%2x", &v) == 1 &&
		    s[1] != '\0' && s[2] != '\0') {
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Link check results over a tree. */
struct linkcheck {
	const char *root; /* DIR */
	unsigned docs, local, absolute, broken;
	char first_broken[512];
};

/* Whether the reference ref (raw bytes from a file at path) resolves to
   a file under root; absolute and fragment-only ones are counted apart. */
static void
check_ref(struct linkcheck *lc, const char *path, const char *ref, size_t n)
{
	char buf[4096], target[8192], *hash;
	const char *slash;

	if (n == 0 || n >= sizeof(buf))
		return;
	memcpy(buf, ref, n);
	buf[n] = '\0';
	if (strncmp(buf, "http:", 5) == 0 || strncmp(buf, "https:", 6) == 0) {
		lc->absolute++;
		return;
	}
	if (buf[0] == '#' || strncmp(buf, "data:", 5) == 0)
		return;
	hash = strchr(buf, '#');
	if (hash != NULL)
		*hash = '\0';
	/* &amp; in an attribute is '&' */
	for (char *a = strstr(buf, "&amp;"); a != NULL; a = strstr(a, "&amp;"))
		memmove(a + 1, a + 5, strlen(a + 5) + 1);
	pct_decode(buf);
	slash = strrchr(path, '/');
	snprintf(
	    target, sizeof(target), "%.*s/%s", (int)(slash - path), path, buf);
	{
		char real[PATH_MAX], rroot[PATH_MAX];

		if (realpath(target, real) != NULL &&
		    realpath(lc->root, rroot) != NULL &&
		    strncmp(real, rroot, strlen(rroot)) == 0 && is_file(real)) {
			lc->local++;
			return;
		}
	}
	if (lc->broken++ == 0)
		snprintf(lc->first_broken, sizeof(lc->first_broken),
		    "%.250s -> %.250s", path, buf);
}

/* Every reference of a converted HTML or CSS file, by a scan of its own
   (attribute values of href/src/srcset, CSS url() and @import). */
static void
check_doc(struct linkcheck *lc, const char *path)
{
	static const char *const attrs[] = {"href=\"", "src=\"", "srcset=\""};
	char *doc = slurp(path), *p;
	size_t i;

	if (doc == NULL)
		return;
	lc->docs++;
	for (i = 0; i < CW_NELEM(attrs); i++)
		for (p = strstr(doc, attrs[i]); p != NULL;
		     p = strstr(p + 1, attrs[i])) {
			char *v = p + strlen(attrs[i]), *end = strchr(v, '"');

			if (end == NULL)
				break;
			if (i < 2) {
				check_ref(lc, path, v, (size_t)(end - v));
				continue;
			}
			/* srcset: "url 1x, url 2x" */
			while (v < end) {
				size_t k;

				while (v < end && (*v == ' ' || *v == ','))
					v++;
				k = strcspn(v, " ,\"");
				check_ref(lc, path, v, k);
				v += k;
				while (v < end && *v != ',')
					v++;
			}
		}
	for (p = strstr(doc, "url("); p != NULL; p = strstr(p + 1, "url(")) {
		char *v = p + 4, q = 0;
		size_t k;

		if (*v == '"' || *v == '\'')
			q = *v++;
		k = q ? strcspn(v, q == '"' ? "\"" : "'") : strcspn(v, ")");
		check_ref(lc, path, v, k);
	}
	for (p = strstr(doc, "@import \""); p != NULL;
	     p = strstr(p + 1, "@import \"")) {
		char *v = p + 9;

		check_ref(lc, path, v, strcspn(v, "\""));
	}
	free(doc);
}

static struct linkcheck *walk_lc;

static int
walk_doc(const char *path, const struct stat *st, int type, struct FTW *f)
{
	size_t n = strlen(path);

	(void)st;
	(void)f;
	if (type != FTW_F || strstr(path, "/.crawld/") != NULL)
		return 0;
	if ((n > 5 && strcmp(path + n - 5, ".html") == 0) ||
	    (n > 4 && strcmp(path + n - 4, ".css") == 0))
		check_doc(walk_lc, path);
	return 0;
}

static void
check_links(const char *dir, struct linkcheck *lc)
{
	memset(lc, 0, sizeof(*lc));
	lc->root = dir;
	walk_lc = lc;
	REQUIRE(nftw(dir, walk_doc, 16, FTW_PHYS) == 0);
}

/* Every file of a tree: path, inode, mtime, size (for comparing runs). */
#define MAX_FILES 256
struct tree {
	size_t n;
	struct {
		char path[4200];
		ino_t ino;
		struct timespec mtime;
		off_t size;
	} f[MAX_FILES];
};
static struct tree *walk_tree;
static size_t walk_root_len;

static int
walk_file(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type != FTW_F && type != FTW_SL)
		return 0;
	if (walk_tree->n >= MAX_FILES)
		return 1;
	snprintf(
	    walk_tree->f[walk_tree->n].path, 4200, "%s", path + walk_root_len);
	walk_tree->f[walk_tree->n].ino = st->st_ino;
	walk_tree->f[walk_tree->n].mtime = st->st_mtim;
	walk_tree->f[walk_tree->n].size = st->st_size;
	walk_tree->n++;
	return 0;
}

static int
tree_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void
tree_read(const char *dir, struct tree *t)
{
	memset(t, 0, sizeof(*t));
	walk_tree = t;
	walk_root_len = strlen(dir);
	if (nftw(dir, walk_file, 16, FTW_PHYS) != 0)
		t->n = 0;
	qsort(t->f, t->n, sizeof(t->f[0]), tree_cmp);
}

static struct testsrv *
start(void)
{
	struct testsrv *s = testsrv_start(mirror_site, CW_NELEM(mirror_site));

	snprintf(host, sizeof(host), "127.0.0.1_%u", testsrv_port(s));
	return s;
}

/* The tree a mirror leaves: names by the rules, requisites, collisions,
   hostile names kept inside, nothing for the 404 and the redirect. */
static void
test_tree(void)
{
	struct testsrv *s = start();
	const char *db = it_db_path("m.db"), *dir = it_db_path("m");
	char *idx;
	static const char *const files[] = {
	    "index.html",
	    "css/site.css",
	    "css/more.css",
	    "js/app.js",
	    "img/a.svg",
	    "img/a2.svg",
	    "img/bg.svg",
	    "img/h.svg",
	    "img/s.svg",
	    "img/st.svg",
	    "page?a=1&b=2.html",
	    "target.html",
	    "x",
	    "x%_d/index.html",
	    "..%2F..%2Fetc%2Fpasswd.html",
	    "up.html",
	    "ctl%01%0A.html",
	    "about.html",
	};
	size_t i;
	DIR *d;
	struct dirent *de;
	unsigned long_names = 0;

	REQUIRE(mirror_run(s, db, dir, NULL, NULL) == 0);
	for (i = 0; i < CW_NELEM(files); i++) {
		if (!is_file(in(dir, files[i])))
			fprintf(stderr, "  missing: %s\n", files[i]);
		CHECK(is_file(in(dir, files[i])));
	}
	CHECK(!is_file(in(dir, "missing")));
	CHECK(!is_file(in(dir, "missing.html")));
	CHECK(!is_file(in(dir, "r")));
	CHECK(!is_file(in(dir, "r.html")));
	/* the 300-byte name: capped, with its hash and extension */
	d = opendir(in(dir, ""));
	REQUIRE(d != NULL);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "LLLL", 4) == 0) {
			long_names++;
			CHECK(strlen(de->d_name) <= 200);
			CHECK(strchr(de->d_name, '~') != NULL);
			CHECK(strcmp(de->d_name + strlen(de->d_name) - 5,
				  ".html") == 0);
		}
	closedir(d);
	CHECK_INT(long_names, 1);
	/* the root holds the host and the originals only */
	d = opendir(dir);
	REQUIRE(d != NULL);
	i = 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strcmp(de->d_name, ".crawld") == 0)
			i++;
	closedir(d);
	CHECK_INT(i, 2);
	/* the map: every file, the redirect, nothing for the 404 */
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM mirror_files WHERE kind"
		      " != 'redirect'"),
	    (long long)CW_NELEM(files) + 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM mirror_files WHERE kind ="
		      " 'redirect' AND target LIKE '%%/target.html'"),
	    1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM mirror_files WHERE url LIKE"
		      " '%%/missing'"),
	    0);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM mirror_files WHERE path ="
		      " '%s/x%%_d/index.html'",
		      host),
	    1);
	/* the links table says where requisites came from */
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM links WHERE element = 'img'"
		      " AND attribute = 'srcset'"),
	    1);
	/* converted: the redirect points at its target's file, the
	   fragment stays, the 404 and the other host are absolute */
	idx = slurp(in(dir, "index.html"));
	REQUIRE(idx != NULL);
	CHECK(strstr(idx, "href=\"target.html\"") != NULL);
	CHECK(strstr(idx, "href=\"about.html#team\"") != NULL);
	CHECK(strstr(idx, "href=\"#top\"") != NULL);
	CHECK(strstr(idx, "href=\"page%3Fa=1%26b=2.html\"") != NULL);
	CHECK(strstr(idx, "href=\"x\"") != NULL);
	CHECK(strstr(idx, "href=\"x%25_d/index.html\"") != NULL);
	CHECK(strstr(idx, "/missing\"") != NULL &&
	    strstr(idx, "href=\"http://127.0.0.1:") != NULL);
	CHECK(strstr(idx, "href=\"http://other.invalid/ext\"") != NULL);
	CHECK(strstr(idx, "srcset=\"img/a.svg 1x, img/a2.svg 2x\"") != NULL);
	free(idx);
	testsrv_stop(s);
}

/* Every local link of every converted page and stylesheet resolves. */
static void
test_links_resolve(void)
{
	struct testsrv *s = start();
	const char *db = it_db_path("l.db"), *dir = it_db_path("l");
	struct linkcheck lc;

	REQUIRE(mirror_run(s, db, dir, NULL, NULL) == 0);
	check_links(dir, &lc);
	if (lc.broken > 0)
		fprintf(stderr, "  %u broken, first: %s\n", lc.broken,
		    lc.first_broken);
	CHECK_INT(lc.broken, 0);
	CHECK_INT(lc.docs, 11); /* 9 pages, 2 stylesheets */
	CHECK(lc.local >= 30);
	CHECK_INT(lc.absolute, 2); /* /missing and other.invalid */
	testsrv_stop(s);
}

/* Without conversion the files are as they came; `crawld convert`
   converts them afterwards, from the map. */
static void
test_convert_command(void)
{
	struct testsrv *s = start();
	const char *db = it_db_path("c.db"), *dir = it_db_path("c");
	struct linkcheck lc;
	char *idx;
	char err[2048];
	const char *argv[] = {"convert", "--db", db, "--mirror", dir, NULL};

	REQUIRE(mirror_run(s, db, dir, "--no-convert-links", NULL) == 0);
	idx = slurp(in(dir, "index.html"));
	REQUIRE(idx != NULL);
	CHECK(strcmp(idx, MIRROR_SITE_INDEX) == 0);
	free(idx);
	check_links(dir, &lc);
	CHECK(lc.broken > 0);
	CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 0);
	check_links(dir, &lc);
	CHECK_INT(lc.broken, 0);
	CHECK(lc.local >= 30);
	idx = slurp(in(dir, "index.html"));
	REQUIRE(idx != NULL);
	CHECK(strstr(idx, "href=\"target.html\"") != NULL);
	free(idx);
	/* bad usage */
	{
		const char *bad[] = {"convert", "--db", db, NULL};

		CHECK_INT(it_run_crawld(bad, NULL, 0, err, sizeof(err)), 2);
	}
	testsrv_stop(s);
}

/* A symlink planted in DIR (where the host folder goes, and where a file
   goes) leads nothing outside DIR. */
static void
test_symlink_planted(void)
{
	struct testsrv *s = start();
	const char *db = it_db_path("s.db"), *dir = it_db_path("s");
	const char *out = it_db_path("outside");
	char link[4096], hostdir[4096];
	struct tree t;
	struct linkcheck lc;

	REQUIRE(mkdir(dir, 0755) == 0);
	REQUIRE(mkdir(out, 0755) == 0);
	snprintf(link, sizeof(link), "%s/%s", dir, host);
	REQUIRE(symlink(out, link) == 0);
	REQUIRE(mirror_run(s, db, dir, NULL, NULL) == 0);
	tree_read(out, &t);
	CHECK_INT(t.n, 0);
	/* the host folder went beside the link */
	snprintf(hostdir, sizeof(hostdir), "%s/%s%%_d/index.html", dir, host);
	CHECK(is_file(hostdir));
	check_links(dir, &lc);
	CHECK_INT(lc.broken, 0);
	testsrv_stop(s);
}

/* The same mirror again with nothing changed: no file is touched. */
static void
test_second_run_touches_nothing(void)
{
	struct testsrv *s = start();
	const char *db = it_db_path("r.db"), *dir = it_db_path("r");
	static struct tree a, b;
	size_t i;

	REQUIRE(mirror_run(s, db, dir, NULL, NULL) == 0);
	tree_read(dir, &a);
	REQUIRE(a.n > 20);
	usleep(50000);
	REQUIRE(mirror_run(s, db, dir, NULL, NULL) == 0);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 2);
	tree_read(dir, &b);
	REQUIRE(a.n == b.n);
	for (i = 0; i < a.n; i++) {
		CHECK_STR(a.f[i].path, b.f[i].path);
		if (a.f[i].ino != b.f[i].ino ||
		    a.f[i].mtime.tv_nsec != b.f[i].mtime.tv_nsec ||
		    a.f[i].mtime.tv_sec != b.f[i].mtime.tv_sec)
			fprintf(stderr, "  touched: %s\n", a.f[i].path);
		CHECK(a.f[i].ino == b.f[i].ino);
		CHECK(a.f[i].mtime.tv_sec == b.f[i].mtime.tv_sec &&
		    a.f[i].mtime.tv_nsec == b.f[i].mtime.tv_nsec);
	}
	testsrv_stop(s);
}

/* Compare two trees' paths and bytes. */
static void
check_same_tree(const char *x, const char *y)
{
	static struct tree a, b;
	char p[8400], q[8400];
	size_t i;

	tree_read(x, &a);
	tree_read(y, &b);
	CHECK(a.n > 20);
	CHECK_INT(a.n, b.n);
	for (i = 0; i < a.n && i < b.n; i++) {
		char *da, *db2;

		CHECK_STR(a.f[i].path, b.f[i].path);
		snprintf(p, sizeof(p), "%s%s", x, a.f[i].path);
		snprintf(q, sizeof(q), "%s%s", y, b.f[i].path);
		da = slurp(p);
		db2 = slurp(q);
		if (da == NULL || db2 == NULL || a.f[i].size != b.f[i].size ||
		    memcmp(da, db2, (size_t)a.f[i].size) != 0)
			fprintf(stderr, "  differs: %s\n", a.f[i].path);
		CHECK(da != NULL && db2 != NULL && a.f[i].size == b.f[i].size &&
		    memcmp(da, db2, (size_t)a.f[i].size) == 0);
		free(da);
		free(db2);
	}
}

/* kill -9 while a page is on its way, then the same command: the tree a
   mirror in one go gives. */
static void
test_kill_and_resume(void)
{
	struct testsrv *s = start();
	const char *db = it_db_path("k.db"), *dir = it_db_path("k");
	const char *db1 = it_db_path("k1.db"), *dir1 = it_db_path("k1");
	char seed[128];
	const char *argv[] = {"crawl", "-q", "--db", db, "--mirror", dir,
	    "--no-robots", "--depth", "1", "-c", "1", seed, NULL};
	int pid, st;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	REQUIRE(mirror_run(s, db1, dir1, NULL, NULL) == 0);
	testsrv_hold(s, "/img/bg.svg");
	pid = it_spawn_crawld(argv);
	REQUIRE(pid > 0);
	REQUIRE(testsrv_wait_held(s, "/img/bg.svg", 1));
	usleep(300000); /* the batch with what came before commits */
	REQUIRE(kill(pid, SIGKILL) == 0);
	st = it_spawn_wait(pid);
	CHECK_INT(st, 128 + SIGKILL);
	testsrv_release(s);
	CHECK(!is_file(in(dir, "img/bg.svg")));
	REQUIRE(mirror_run(s, db, dir, NULL, NULL) == 0);
	CHECK(is_file(in(dir, "img/bg.svg")));
	check_same_tree(dir1, dir);
	testsrv_stop(s);
}

/* Run the binary's mirror of origin into dir with db. */
static int
mirror_origin(const char *origin, const char *db, const char *dir)
{
	char seed[128], err[4096];
	const char *argv[] = {"crawl", "-q", "--db", db, "--mirror", dir,
	    "--no-robots", "--depth", "2", seed, NULL};
	int code;

	snprintf(seed, sizeof(seed), "%s/", origin);
	code = it_run_crawld(argv, NULL, 0, err, sizeof(err));
	if (code != 0)
		fprintf(stderr, "  crawld exit %d: %s\n", code, err);
	return code;
}

/* Requests since request first that carried If-None-Match. */
static unsigned
conditional_since(struct condsrv *s, unsigned first, unsigned *total)
{
	struct condsrv_req r;
	unsigned i, n = 0;

	*total = 0;
	for (i = first; condsrv_request(s, i, &r); i++) {
		(*total)++;
		n += r.if_none_match[0] != '\0';
	}
	return n;
}

/* Find path (relative to the host folder) in a tree read by tree_read. */
static int
tree_find(const struct tree *t, const char *rel)
{
	size_t i, n = strlen(rel);

	for (i = 0; i < t->n; i++) {
		size_t m = strlen(t->f[i].path);

		if (m > n && strcmp(t->f[i].path + m - n, rel) == 0 &&
		    t->f[i].path[m - n - 1] == '/' &&
		    strstr(t->f[i].path, "/.crawld/") == NULL)
			return (int)i;
	}
	return -1;
}

/*
 * Re-mirror: the same command again asks conditionally (If-None-Match
 * from the map) for every file it holds; 304s leave every file alone
 * and the crawl still finds the children through the kept originals; a
 * changed page is the one fetched in full and rewritten; a file deleted
 * from the mirror is fetched again unconditionally.
 */
static void
test_remirror_conditional(void)
{
	struct condsrv *s = condsrv_start();
	const char *db = it_db_path("cm.db"), *dir = it_db_path("cm");
	static struct tree a, b;
	unsigned first, total, cond;
	size_t i;
	int k;
	char path[8200];
	struct linkcheck lc;

	condsrv_set(s, "/", NULL,
	    "<link rel=stylesheet href=\"s.css\"><img src=\"i.svg\">"
	    "<a href=\"a.html\">a</a> <a href=\"b.html\">b</a>",
	    "\"r1\"", NULL);
	condsrv_set(s, "/a.html", NULL,
	    "<a href=\"/\">home</a> <a href=\"c.html\">c</a>", "\"a1\"", NULL);
	condsrv_set(s, "/b.html", NULL, "<p>b one</p>", "\"b1\"", NULL);
	condsrv_set(s, "/c.html", NULL, "<p>c, found through a</p>", NULL,
	    "Tue, 01 Dec 2026 10:00:00 GMT");
	condsrv_set(s, "/s.css", "text/css", "p{background:url(i2.svg)}",
	    "\"s1\"", NULL);
	condsrv_set(
	    s, "/i.svg", "image/svg+xml", MIRROR_SITE_SVG, "\"i1\"", NULL);
	condsrv_set(
	    s, "/i2.svg", "image/svg+xml", MIRROR_SITE_SVG, "\"i2\"", NULL);
	REQUIRE(mirror_origin(condsrv_origin(s), db, dir) == 0);
	CHECK_INT(conditional_since(s, 0, &total), 0);
	CHECK_INT(total, 7);
	tree_read(dir, &a);

	/* 2: nothing changed */
	usleep(50000);
	first = condsrv_requests(s);
	REQUIRE(mirror_origin(condsrv_origin(s), db, dir) == 0);
	cond = conditional_since(s, first, &total);
	CHECK_INT(total, 7);				/* c.html found again */
	CHECK_INT(cond, 6);				/* c.html has a date */
	CHECK_INT(condsrv_count(s, "/c.html", 304), 1); /* If-Modified-Since */
	CHECK_INT(condsrv_count(s, "/", 304), 1);
	tree_read(dir, &b);
	REQUIRE(a.n == b.n);
	for (i = 0; i < a.n; i++) {
		CHECK_STR(a.f[i].path, b.f[i].path);
		CHECK(a.f[i].ino == b.f[i].ino &&
		    a.f[i].mtime.tv_sec == b.f[i].mtime.tv_sec &&
		    a.f[i].mtime.tv_nsec == b.f[i].mtime.tv_nsec);
	}

	/* 3: b changed: only b is fetched in full and rewritten */
	condsrv_set(s, "/b.html", NULL, "<p>b two</p>", "\"b2\"", NULL);
	first = condsrv_requests(s);
	REQUIRE(mirror_origin(condsrv_origin(s), db, dir) == 0);
	(void)conditional_since(s, first, &total);
	CHECK_INT(total, 7);
	CHECK_INT(condsrv_count(s, "/b.html", 200), 2);
	CHECK_INT(condsrv_count(s, "/a.html", 200), 1);
	CHECK_INT(condsrv_count(s, "/s.css", 200), 1);
	tree_read(dir, &b);
	/* b's new original is one more file under .crawld/orig */
	CHECK_INT(b.n, a.n + 1);
	for (i = 0; i < a.n; i++) {
		size_t n = strlen(a.f[i].path), j;
		bool is_b =
		    n > 7 && strcmp(a.f[i].path + n - 7, "/b.html") == 0;
		bool same = false, found = false;

		for (j = 0; j < b.n; j++)
			if (strcmp(a.f[i].path, b.f[j].path) == 0) {
				found = true;
				same = a.f[i].ino == b.f[j].ino &&
				    a.f[i].mtime.tv_sec ==
					b.f[j].mtime.tv_sec &&
				    a.f[i].mtime.tv_nsec ==
					b.f[j].mtime.tv_nsec;
			}
		CHECK(found);
		if (is_b ? same : !same)
			fprintf(stderr, "  %s: %s\n", a.f[i].path,
			    is_b ? "not rewritten" : "touched");
		CHECK(is_b ? !same : same);
	}
	k = tree_find(&b, "b.html");
	REQUIRE(k >= 0);
	snprintf(path, sizeof(path), "%s%s", dir, b.f[k].path);
	{
		char *body = slurp(path);

		CHECK(body != NULL && strcmp(body, "<p>b two</p>") == 0);
		free(body);
	}

	/* 4: a file removed from the mirror is fetched again in full */
	k = tree_find(&b, "a.html");
	REQUIRE(k >= 0);
	snprintf(path, sizeof(path), "%s%s", dir, b.f[k].path);
	REQUIRE(unlink(path) == 0);
	first = condsrv_requests(s);
	REQUIRE(mirror_origin(condsrv_origin(s), db, dir) == 0);
	CHECK_INT(condsrv_count(s, "/a.html", 200), 2);
	CHECK(is_file(path));
	check_links(dir, &lc);
	CHECK_INT(lc.broken, 0);
	CHECK_INT(lc.local, 7);
	condsrv_stop(s);
}

/* A mirror root that cannot be made is exit 4, before anything is asked. */
static void
test_bad_dir(void)
{
	struct testsrv *s = start();
	char seed[128], err[2048];
	const char *argv[] = {"crawl", "--db", it_db_path("b.db"), "--mirror",
	    "/proc/self/nope/x", seed, NULL};
	const char *conv[] = {"crawl", "--convert-links", "--db",
	    it_db_path("b2.db"), seed, NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 4);
	CHECK(strstr(err, "/proc/self/nope/x") != NULL);
	CHECK_INT(testsrv_total(s), 0);
	CHECK_INT(it_run_crawld(conv, NULL, 0, err, sizeof(err)), 2);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(tree),
    TEST(links_resolve),
    TEST(convert_command),
    TEST(symlink_planted),
    TEST(second_run_touches_nothing),
    TEST(kill_and_resume),
    TEST(remirror_conditional),
    TEST(bad_dir),
};

TEST_MAIN(tests)
