/* SPDX-License-Identifier: MIT */
/*
 * it_options.c - crawl options end to end, through the crawld binary:
 * -q / -v / -vv, --html-parser, --parse-threads (the threads are counted in
 * /proc while a page is held), --max-links, --include, --scope domain (host
 * names made up under .test, reached through the fixture server as --proxy, so
 * nothing is resolved), a proxy in the environment ignored, and --sync
 * full (fsync calls counted by an LD_PRELOAD shim, fsyncount.c).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

static char out[1 << 16], err[1 << 16];

/* Count lines of text. */
static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* A seed linking to ten pages, and a robots.txt. */
static int
ten_gen(
    const char *path, struct testsrv_page *o, char *buf, size_t size, void *arg)
{
	size_t n = 0;
	int i;

	(void)arg;
	if (strcmp(path, "/robots.txt") == 0) {
		o->content_type = "text/plain";
		o->body = "User-agent: *\nDisallow: /private/\n";
		return 1;
	}
	if (strcmp(path, "/") != 0) {
		o->body = "<p>leaf</p>";
		return strncmp(path, "/p", 2) == 0 ||
		    strncmp(path, "/keep/", 6) == 0;
	}
	for (i = 0; i < 10 && n + 64 < size; i++)
		n += (size_t)snprintf(buf + n, size - n,
		    "<a href=\"/%s%d\">%d</a>", i % 2 ? "keep/" : "p", i, i);
	o->body = buf;
	return 1;
}

/*
 * -q: nothing on stderr; the default: the one summary line; -v: the
 * summary, the loop lag and the engine's info lines; -vv: debug lines
 * too. -q still prints an error.
 */
static void
test_quiet_verbose(void)
{
	struct testsrv *s = testsrv_start_gen(ten_gen, NULL);
	const char *levels[] = {"-q", NULL, "-v", "-vv"};
	const char *dbs[] = {it_db_path("q.db"), it_db_path("n.db"),
	    it_db_path("v.db"), it_db_path("vv.db")};
	const char *bad[] = {
	    "crawl", "-q", "--db", "/nonexistent/dir/x.db", "http://x/", NULL};
	char seed[128];
	const char *argv[8];
	size_t i, k;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	for (i = 0; i < CW_NELEM(levels); i++) {
		k = 0;
		argv[k++] = "crawl";
		if (levels[i] != NULL)
			argv[k++] = levels[i];
		argv[k++] = "--db";
		argv[k++] = dbs[i];
		argv[k++] = seed;
		argv[k] = NULL;
		CHECK_INT(
		    it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 0);
		switch (i) {
		case 0:
			CHECK_STR(err, "");
			break;
		case 1:
			CHECK_INT(count_lines(err), 1);
			CHECK(
			    strncmp(err, "crawld: crawl 1: 11 done", 24) == 0);
			break;
		default:
			CHECK(strstr(err, "crawld: crawl 1: 11 done") != NULL);
			CHECK(strstr(err, "crawld: loop lag:") != NULL);
			CHECK(strstr(err, "crawld: robots: ") != NULL);
			CHECK(strstr(err, "crawld: engine: crawl 1 started") !=
			    NULL);
			/* Debug lines only with -vv. */
			CHECK((strstr(err, "crawld: fetch: done id=") !=
				  NULL) == (i == 3));
			break;
		}
		CHECK_STR(out, "");
		if (harness_failures != 0)
			fprintf(stderr, "  %s said:\n%s", levels[i], err);
	}
	CHECK_INT(it_run_crawld(bad, out, sizeof(out), err, sizeof(err)), 4);
	CHECK_INT(count_lines(err), 1);
	CHECK(strstr(err, "/nonexistent/dir/x.db") != NULL);
	testsrv_stop(s);
}

/* Threads of process pid named name (from /proc/PID/task/TID/comm). */
static int
count_threads(int pid, const char *name)
{
	char dir[64], path[600], comm[64];
	struct dirent *de;
	DIR *d;
	FILE *f;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	d = opendir(dir);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, name, strlen(name)) == 0)
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * --parse-threads N: while /p0 is held the crawld process has exactly N
 * threads named crawld-parse (0: links are taken on the loop), and the
 * crawl's result is the same either way.
 */
static void
test_parse_threads(void)
{
	static const char *const counts[] = {"0", "1", "3"};
	struct testsrv *s = testsrv_start_gen(ten_gen, NULL);
	char seed[128], name[32];
	const char *argv[] = {
	    "crawl", "-q", "--parse-threads", NULL, "--db", NULL, seed, NULL};
	const char *db;
	size_t i;
	int pid;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	for (i = 0; i < CW_NELEM(counts); i++) {
		snprintf(name, sizeof(name), "threads%s.db", counts[i]);
		db = it_db_path(name);
		argv[3] = counts[i];
		argv[5] = db;
		testsrv_hold(s, "/p0");
		pid = it_spawn_crawld(argv);
		REQUIRE(pid > 0);
		CHECK(testsrv_wait_held(s, "/p0", 1));
		CHECK_INT(count_threads(pid, "crawld-parse"), atoi(counts[i]));
		testsrv_release(s);
		CHECK_INT(it_spawn_wait(pid), 0);
		CHECK_INT(
		    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"),
		    11);
		CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 10);
	}
	testsrv_stop(s);
}

/*
 * --max-links 4: the first four links of the page in document order are
 * taken, the other six leave no row and are never asked for; 0 means no
 * limit.
 */
static void
test_max_links(void)
{
	struct testsrv *s = testsrv_start_gen(ten_gen, NULL);
	const char *db = it_db_path("maxlinks.db"),
		   *db0 = it_db_path("maxlinks0.db");
	char seed[128];
	const char *four[] = {
	    "crawl", "-q", "--max-links", "4", "--db", db, seed, NULL};
	const char *none[] = {
	    "crawl", "-q", "--max-links", "0", "--db", db0, seed, NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	CHECK_INT(it_run_crawld(four, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 4);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages"), 5);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/p0' OR "
		      "url LIKE '%%/keep/1' OR url LIKE '%%/p2' OR url LIKE "
		      "'%%/keep/3'"),
	    4);
	CHECK_INT(testsrv_hits(s, "/p4"), 0);
	CHECK_INT(testsrv_hits(s, "/keep/9"), 0);
	CHECK_INT(testsrv_total(s), 6); /* robots.txt, the seed, four */
	CHECK_INT(it_run_crawld(none, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(db_int(db0, "SELECT count(*) FROM links"), 10);
	testsrv_stop(s);
}

/*
 * --include: only matching URLs are fetched (the seed is exempt); the
 * others are 'skipped' with reason 'filter' and never asked for; two
 * patterns are any-of, and --exclude still wins.
 */
static void
test_include(void)
{
	struct testsrv *s = testsrv_start_gen(ten_gen, NULL);
	const char *db = it_db_path("include.db"),
		   *db2 = it_db_path("include2.db");
	char seed[128];
	const char *one[] = {
	    "crawl", "-q", "--include", "/keep/", "--db", db, seed, NULL};
	const char *two[] = {"crawl", "-q", "--include", "/keep/", "--include",
	    "/p[02]$", "--exclude", "/keep/[57]$", "--db", db2, seed, NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	CHECK_INT(it_run_crawld(one, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 6);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state='skipped' AND "
		      "reason='filter' AND url LIKE '%%/p_'"),
	    5);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state='done' AND "
		      "url LIKE '%%/keep/%%'"),
	    5);
	CHECK_INT(testsrv_hits(s, "/p2"), 0);
	CHECK_INT(testsrv_hits(s, "/keep/3"), 1);
	CHECK_INT(it_run_crawld(two, out, sizeof(out), err, sizeof(err)), 0);
	/* The seed, /keep/1 3 9, /p0, /p2. */
	CHECK_INT(
	    db_int(db2, "SELECT count(*) FROM pages WHERE state='done'"), 6);
	CHECK_INT(
	    db_int(db2, "SELECT count(*) FROM pages WHERE reason='filter'"), 5);
	testsrv_stop(s);
}

/* A proxy's view of made-up hosts under .test: the request URI is
   absolute, so the page is chosen by host and path. */
static int
domain_gen(
    const char *uri, struct testsrv_page *o, char *buf, size_t size, void *arg)
{
	(void)arg;
	(void)buf;
	(void)size;
	if (strcmp(uri, "http://www.site.test/") == 0) {
		o->body = "<a href=\"http://img.site.test/a\">a</a>"
			  "<a href=\"http://site.test/b\">b</a>"
			  "<a href=\"http://deep.www.site.test/c\">c</a>"
			  "<a href=\"http://other.test/d\">d</a>"
			  "<a href=\"http://www.site.test.evil.test/e\">e</a>"
			  "<a href=\"http://site.testx/f\">f</a>";
		return 1;
	}
	o->body = "leaf";
	return strncmp(uri, "http://", 7) == 0;
}

/*
 * Crawl http://www.site.test/ through the proxy srv (--proxy) with scope.
 * No --allow-private: the proxy's loopback address is allowed because it
 * was named. The environment says no_proxy=*, which --proxy ignores: the
 * .test names resolve nowhere, so a request that went direct would fail.
 */
static int
crawl_via_proxy(struct testsrv *srv, const char *scope, const char *db)
{
	const char *argv[] = {"crawl", "-q", "--no-robots", "--proxy",
	    testsrv_origin(srv), "--scope", scope, "--db", db,
	    "http://www.site.test/", NULL};
	int code;

	setenv("no_proxy", "*", 1);
	code = it_run_crawld(argv, out, sizeof(out), err, sizeof(err));
	unsetenv("no_proxy");
	return code;
}

/*
 * --scope domain: links to other hosts of the seed's registrable domain
 * (site.test) are followed, other domains (other.test, a name that merely
 * starts with the seed's, one ending in a longer TLD) are 'skipped'
 * (scope); --scope host follows none of them.
 */
static void
test_scope_domain(void)
{
	struct testsrv *p = testsrv_start_gen(domain_gen, NULL);
	const char *dbd = it_db_path("domain.db"), *dbh = it_db_path("host.db");

	CHECK_INT(crawl_via_proxy(p, "domain", dbd), 0);
	CHECK_INT(testsrv_hits(p, "http://img.site.test/a"), 1);
	CHECK_INT(testsrv_hits(p, "http://site.test/b"), 1);
	CHECK_INT(testsrv_hits(p, "http://deep.www.site.test/c"), 1);
	CHECK_INT(testsrv_hits(p, "http://other.test/d"), 0);
	CHECK_INT(testsrv_hits(p, "http://www.site.test.evil.test/e"), 0);
	CHECK_INT(testsrv_hits(p, "http://site.testx/f"), 0);
	CHECK_INT(
	    db_int(dbd, "SELECT count(*) FROM pages WHERE state='done'"), 4);
	CHECK_INT(db_int(dbd,
		      "SELECT count(*) FROM pages WHERE state='skipped' AND "
		      "reason='scope'"),
	    3);
	CHECK_INT(crawl_via_proxy(p, "host", dbh), 0);
	CHECK_INT(
	    db_int(dbh, "SELECT count(*) FROM pages WHERE state='done'"), 1);
	CHECK_INT(db_int(dbh,
		      "SELECT count(*) FROM pages WHERE state='skipped' AND "
		      "reason='scope'"),
	    6);
	CHECK_INT(testsrv_total(p), 5);
	if (harness_failures != 0)
		fprintf(stderr, "  crawld said: %s\n", err);
	testsrv_stop(p);
}

/* A proxy that answers every request with a page of its own. */
static int
trap_gen(
    const char *uri, struct testsrv_page *o, char *buf, size_t size, void *arg)
{
	(void)uri;
	(void)buf;
	(void)size;
	(void)arg;
	o->body = "<a href=\"/from-the-proxy\">p</a>";
	return 1;
}

/*
 * libcurl reads http_proxy, HTTP_PROXY and all_proxy from the environment
 * unless told otherwise: a user's shell would route the crawl through a
 * proxy nobody named. crawld uses none without --proxy: the site gets the
 * requests, the proxy in the environment none.
 */
static void
test_env_proxy_ignored(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/a\">a</a>", NULL, 0},
	    {"/a", 0, NULL, "leaf", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	struct testsrv *trap = testsrv_start_gen(trap_gen, NULL);
	const char *db = it_db_path("envproxy.db");
	char seed[128];
	const char *argv[] = {
	    "crawl", "-q", "--no-robots", "--db", db, seed, NULL};
	static const char *const vars[] = {
	    "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"};
	size_t i;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	for (i = 0; i < CW_NELEM(vars); i++)
		setenv(vars[i], testsrv_origin(trap), 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	CHECK_INT(it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 0);
	for (i = 0; i < CW_NELEM(vars); i++)
		unsetenv(vars[i]);
	CHECK_INT(testsrv_total(trap), 0);
	CHECK_INT(testsrv_hits(s, "/"), 1);
	CHECK_INT(testsrv_hits(s, "/a"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 2);
	if (harness_failures != 0)
		fprintf(stderr, "  crawld said: %s\n", err);
	testsrv_stop(trap);
	testsrv_stop(s);
}

/* Six pages of 150 ms each: fetched one at a time, they end in separate
   commits (the store commits every 100 ms). */
static int
slow_gen(
    const char *path, struct testsrv_page *o, char *buf, size_t size, void *arg)
{
	size_t n = 0;
	int i;

	(void)arg;
	if (strcmp(path, "/") != 0) {
		o->body = "leaf";
		o->delay_ms = 150;
		return strncmp(path, "/s", 2) == 0;
	}
	for (i = 0; i < 6; i++)
		n += (size_t)snprintf(
		    buf + n, size - n, "<a href=\"/s%d\">%d</a>", i, i);
	o->body = buf;
	return 1;
}

/* fsync()s of one crawl of s with --sync mode, counted by the shim. */
static long
count_syncs(struct testsrv *s, const char *mode, const char *db)
{
	const char *shim = getenv("CRAWLD_FSYNCOUNT");
	const char *asan = getenv("ASAN_OPTIONS");
	char seed[128], log[600], asan_opts[512];
	const char *argv[] = {"crawl", "-q", "--no-robots", "--concurrency",
	    "1", "--sync", mode, "--db", db, seed, NULL};
	FILE *f;
	long n = 0;

	if (shim == NULL || access(shim, R_OK) != 0) {
		fprintf(stderr, "  CRAWLD_FSYNCOUNT (the shim) not set\n");
		return -1;
	}
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	snprintf(log, sizeof(log), "%s/fsync-%s.log", it_tmpdir(), mode);
	/* An ASan crawld wants its runtime first; the shim comes first. */
	snprintf(asan_opts, sizeof(asan_opts), "%s%sverify_asan_link_order=0",
	    asan != NULL ? asan : "", asan != NULL ? ":" : "");
	setenv("ASAN_OPTIONS", asan_opts, 1);
	setenv("CRAWLD_FSYNC_LOG", log, 1);
	setenv("LD_PRELOAD", shim, 1);
	if (it_run_crawld(argv, out, sizeof(out), err, sizeof(err)) != 0)
		n = -1;
	unsetenv("LD_PRELOAD");
	unsetenv("CRAWLD_FSYNC_LOG");
	if (asan != NULL)
		setenv("ASAN_OPTIONS", asan, 1);
	else
		unsetenv("ASAN_OPTIONS");
	f = fopen(log, "r");
	if (n == 0 && f != NULL)
		while (fgetc(f) != EOF)
			n++;
	if (f != NULL)
		fclose(f);
	return n;
}

/*
 * --sync full: every commit is made durable, so the same crawl calls
 * fsync/fdatasync once per commit more than with --sync normal (which
 * syncs only at checkpoints). Six pages in separate commits: at least
 * four more.
 */
static void
test_sync_full(void)
{
	struct testsrv *s = testsrv_start_gen(slow_gen, NULL);
	long normal = count_syncs(s, "normal", it_db_path("syncn.db"));
	long full = count_syncs(s, "full", it_db_path("syncf.db"));

	CHECK(normal >= 0 && full >= 0);
	CHECK(full >= normal + 4);
	if (harness_failures != 0)
		fprintf(stderr, "  fsyncs: normal %ld, full %ld (%s)\n", normal,
		    full, err);
	testsrv_stop(s);
}

/*
 * A page whose last link follows the root element's end tag: libxml2
 * stops there (its epilog), the raw scanner reads on, as browsers do. So
 * which reader ran shows in what is followed.
 */
static const struct testsrv_page parser_site[] = {
    {"/", 0, NULL,
	"<html><body><a href=\"/in\">in</a></body></html>"
	"<a href=\"/after\">after</a>",
	NULL, 0},
    {"/in", 0, NULL, "<p>in</p>", NULL, 0},
    {"/after", 0, NULL, "<p>after</p>", NULL, 0},
};

/*
 * --html-parser: auto (the default) reads the page with the raw scanner
 * and follows the link after </html>; libxml2 does not see it; the
 * choice is recorded in crawls.options; a bad value is a usage error.
 */
static void
test_html_parser(void)
{
	struct testsrv *s = testsrv_start(parser_site, CW_NELEM(parser_site));
	const char *da = it_db_path("parser-auto.db"),
		   *dx = it_db_path("parser-libxml2.db");
	char seed[128], text[4096];
	const char *autov[] = {
	    "crawl", "-q", "--no-robots", "--db", da, seed, NULL};
	const char *libxml2[] = {"crawl", "-q", "--no-robots", "--html-parser",
	    "libxml2", "--db", dx, seed, NULL};
	const char *bad[] = {
	    "crawl", "-q", "--html-parser", "raw", "--db", dx, seed, NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	CHECK_INT(it_run_crawld(autov, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(db_int(da, "SELECT count(*) FROM links"), 2);
	CHECK_INT(db_int(da,
		      "SELECT count(*) FROM pages WHERE url LIKE "
		      "'%%/after' AND state='done'"),
	    1);
	CHECK(db_text(da, text, sizeof(text), "SELECT options FROM crawls") !=
		NULL &&
	    strstr(text, "\"html-parser\":\"auto\"") != NULL);
	CHECK_INT(testsrv_hits(s, "/after"), 1);
	CHECK_INT(
	    it_run_crawld(libxml2, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(db_int(dx, "SELECT count(*) FROM links"), 1);
	CHECK_INT(db_int(dx,
		      "SELECT count(*) FROM pages WHERE url LIKE "
		      "'%%/after'"),
	    0);
	CHECK(db_text(dx, text, sizeof(text), "SELECT options FROM crawls") !=
		NULL &&
	    strstr(text, "\"html-parser\":\"libxml2\"") != NULL);
	CHECK_INT(testsrv_hits(s, "/after"), 1); /* the first crawl's */
	CHECK_INT(it_run_crawld(bad, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "--html-parser") != NULL);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(html_parser),
    TEST(quiet_verbose),
    TEST(parse_threads),
    TEST(max_links),
    TEST(include),
    TEST(scope_domain),
    TEST(env_proxy_ignored),
    TEST(sync_full),
};

TEST_MAIN(tests)
