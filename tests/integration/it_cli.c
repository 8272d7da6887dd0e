/* SPDX-License-Identifier: MIT */
/*
 * it_cli.c - the crawld binary as a user runs it: exit codes, one-line
 * errors, --help, --fail-fast, export formats.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ithelp.h"
#include "rawsrv.h"
#include "testsrv.h"

static char out[1 << 16], err[1 << 14];

/* Count lines of text. */
static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Bad usage exits 2 with a one-line message. */
static void
test_usage_errors(void)
{
	const char *noseed[] = {"crawl", NULL};
	const char *badopt[] = {
	    "crawl", "--bogus", "http://127.0.0.1:1/", NULL};
	const char *baddepth[] = {
	    "crawl", "--depth", "abc", "http://127.0.0.1:1/", NULL};
	const char *badconc[] = {
	    "crawl", "-c", "0", "http://127.0.0.1:1/", NULL};
	const char *badscope[] = {
	    "crawl", "--scope", "planet", "http://127.0.0.1:1/", NULL};
	const char *badregex[] = {
	    "crawl", "--include", "(", "http://127.0.0.1:1/", NULL};
	const char *nocmd[] = {"frobnicate", NULL};

	CHECK_INT(it_run_crawld(noseed, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "no seed URL") != NULL);
	CHECK_INT(it_run_crawld(badopt, out, sizeof(out), err, sizeof(err)), 2);
	CHECK_INT(
	    it_run_crawld(baddepth, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "--depth") != NULL);
	CHECK_INT(count_lines(err), 1);
	CHECK_INT(
	    it_run_crawld(badconc, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "--concurrency") != NULL);
	CHECK_INT(
	    it_run_crawld(badscope, out, sizeof(out), err, sizeof(err)), 2);
	CHECK_INT(
	    it_run_crawld(badregex, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "bad regex") != NULL);
	CHECK_INT(it_run_crawld(nocmd, out, sizeof(out), err, sizeof(err)), 2);
}

/* Bad seeds exit 3 and name the seed; nothing is written. */
static void
test_bad_seeds(void)
{
	const char *db = it_db_path("badseed.db");
	const char *notaurl[] = {
	    "crawl", "--db", db, "http://exa mple.com:99999/", NULL};
	const char *ftp[] = {"crawl", "--db", db, "ftp://127.0.0.1/", NULL};
	const char *mailto[] = {"crawl", "--db", db, "mailto:a@b.c", NULL};

	CHECK_INT(
	    it_run_crawld(notaurl, out, sizeof(out), err, sizeof(err)), 3);
	CHECK(strstr(err, "exa mple") != NULL);
	CHECK_INT(count_lines(err), 1);
	CHECK_INT(it_run_crawld(ftp, out, sizeof(out), err, sizeof(err)), 3);
	CHECK(strstr(err, "unsupported scheme") != NULL);
	CHECK_INT(it_run_crawld(mailto, out, sizeof(out), err, sizeof(err)), 3);
}

/* An unusable --db exits 4. */
static void
test_bad_db(void)
{
	const char *missing[] = {"crawl", "--db", "/nonexistent/dir/x.db",
	    "http://127.0.0.1:1/", NULL};
	const char *isdir[] = {
	    "crawl", "--db", it_tmpdir(), "http://127.0.0.1:1/", NULL};
	const char *exp[] = {"export", "--db", "/nonexistent/x.db", NULL};

	CHECK_INT(
	    it_run_crawld(missing, out, sizeof(out), err, sizeof(err)), 4);
	CHECK(strstr(err, "/nonexistent/dir/x.db") != NULL);
	CHECK_INT(it_run_crawld(isdir, out, sizeof(out), err, sizeof(err)), 4);
	CHECK_INT(it_run_crawld(exp, out, sizeof(out), err, sizeof(err)), 4);
}

/* --help lists every contract option. */
static void
test_help_lists_options(void)
{
	static const char *const names[] = {"--db", "--depth", "--concurrency",
	    "--per-host", "--delay", "--scope", "--include", "--exclude",
	    "--max-pages", "--timeout", "--max-size", "--user-agent",
	    "--no-robots", "--mirror", "--fail-fast", "--quiet", "--retries",
	    "--retry-status", "--allow-private", "--verbose"};
	const char *help[] = {"crawl", "--help", NULL};
	const char *top[] = {"--help", NULL};
	size_t i;

	CHECK_INT(it_run_crawld(help, out, sizeof(out), err, sizeof(err)), 0);
	for (i = 0; i < CW_NELEM(names); i++)
		if (strstr(out, names[i]) == NULL) {
			fprintf(stderr, "  missing in --help: %s\n", names[i]);
			CHECK(0);
		}
	CHECK_INT(it_run_crawld(top, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strstr(out, "crawld export") != NULL);
}

/* --fail-fast: exit 5 naming the URL; without it the crawl completes. */
static void
test_fail_fast(void)
{
	struct rawsrv *bad = rawsrv_start(RAWSRV_RESET);
	static struct testsrv_page site[2] = {
	    {"/", 0, NULL, NULL, NULL, 0},
	    {"/ok", 0, NULL, "fine", NULL, 0},
	};
	char body[256], badurl[64];
	struct testsrv *s;
	const char *db1 = it_db_path("ff1.db"), *db2 = it_db_path("ff2.db");
	char seed[128];

	snprintf(badurl, sizeof(badurl), "http://127.0.0.1:%u/broken",
	    rawsrv_port(bad));
	snprintf(body, sizeof(body),
	    "<a href=\"%s\">b</a><a href=\"/ok\">ok</a>", badurl);
	site[0].body = body;
	s = testsrv_start(site, 2);
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	{
		const char *ff[] = {"crawl", "-q", "--no-robots", "--scope",
		    "any", "--fail-fast", "--db", db1, seed, NULL};
		const char *nff[] = {"crawl", "-q", "--no-robots", "--scope",
		    "any", "--db", db2, seed, NULL};

		CHECK_INT(
		    it_run_crawld(ff, out, sizeof(out), err, sizeof(err)), 5);
		CHECK(strstr(err, badurl) != NULL);
		CHECK_INT(
		    it_run_crawld(nff, out, sizeof(out), err, sizeof(err)), 0);
		CHECK_INT(db_int(db2,
			      "SELECT count(*) FROM pages WHERE "
			      "state='failed'"),
		    1);
		CHECK_INT(db_int(db2,
			      "SELECT count(*) FROM pages WHERE "
			      "state='done'"),
		    2);
	}
	testsrv_stop(s);
	rawsrv_stop(bad);
}

/* export: JSON lines and CSV, both orders, from the binary. */
static void
test_export_cli(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/a,b\">1</a><a href=\"/q\">2</a>", NULL,
		0},
	    {"/a,b", 0, NULL, "x", NULL, 0},
	    {"/q", 0, NULL, "y", NULL, 100},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("exportcli.db");
	char seed[128];
	const char *crawl[] = {
	    "crawl", "-q", "--no-robots", "--db", db, seed, NULL};
	const char *jsonl[] = {"export", "--db", db, NULL};
	const char *csv[] = {"export", "--db", db, "--format", "csv", "--order",
	    "fetched", NULL};
	const char *bad[] = {"export", "--db", db, "--format", "xml", NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	REQUIRE(it_run_crawld(crawl, out, sizeof(out), err, sizeof(err)) == 0);
	CHECK_INT(it_run_crawld(jsonl, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(count_lines(out), 3);
	CHECK(strncmp(out, "{\"crawl_id\":1,\"id\":1,", 21) == 0);
	CHECK_INT(it_run_crawld(csv, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strncmp(out, "crawl_id,id,url,depth,state,", 28) == 0);
	CHECK_INT(count_lines(out), 4);
	/* A URL with a comma is quoted (RFC 4180). */
	CHECK(strstr(out, "\"http://127.0.0.1:") != NULL);
	/* Fetched order: the slow /q comes last. */
	CHECK(strstr(out, "/q,") > strstr(out, "/a,b\""));
	CHECK_INT(it_run_crawld(bad, out, sizeof(out), err, sizeof(err)), 2);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(usage_errors),
    TEST(bad_seeds),
    TEST(bad_db),
    TEST(help_lists_options),
    TEST(fail_fast),
    TEST(export_cli),
};

TEST_MAIN(tests)
