/* SPDX-License-Identifier: MIT */
/*
 * it_input.c - bytes that are not UTF-8 on the command line, where the
 * database keeps seeds and options as JSON text: seeds are normalised
 * (non-ASCII bytes percent-encoded) before they are stored or compared,
 * so two different seeds never share a crawl; an option value that is not
 * UTF-8 is a usage error (exit 2) naming the option, not "out of memory"
 * or a value silently dropped from crawls.options. A database an older
 * crawld wrote, with the seeds as typed, is still found by the same
 * command.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "harness.h"
#include "ithelp.h"
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

/*
 * Defect 6 of issue 10 (reproduced): a seed with a raw byte was stored as
 * seeds = [] and a crawl of another such seed then matched it: "already
 * finished", exit 0, nothing crawled. Now each is stored normalised, the
 * second is a crawl of its own, and the same seed spelled with the escape
 * is the same crawl.
 */
static void
test_non_utf8_seeds(void)
{
	struct testsrv *s = testsrv_start(NULL, 0);
	const char *db = it_db_path("latin1.db");
	char cafe[128], naive[128], cafe_esc[128], want[256], got[256];
	const char *first[] = {"crawl", "--db", db, "-q", cafe, NULL};
	const char *second[] = {"crawl", "--db", db, "-q", naive, NULL};
	const char *again[] = {"crawl", "--db", db, cafe_esc, NULL};

	snprintf(cafe, sizeof(cafe), "%s/caf\xe9", testsrv_origin(s));
	snprintf(naive, sizeof(naive), "%s/na\xefve", testsrv_origin(s));
	snprintf(cafe_esc, sizeof(cafe_esc), "%s/caf%%E9", testsrv_origin(s));
	CHECK_INT(it_run_crawld(first, out, sizeof(out), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "[\"%s\"]", cafe_esc);
	CHECK_STR(db_text(db, got, sizeof(got),
		      "SELECT seeds FROM crawls WHERE id=1"),
	    want);
	CHECK_INT(testsrv_hits(s, "/caf%E9"), 1);
	CHECK_INT(it_run_crawld(second, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strstr(err, "already finished") == NULL);
	CHECK_INT(testsrv_hits(s, "/na%EFve"), 1);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 2);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE crawl_id=2 AND "
		      "url LIKE '%%/na%%EFve' AND state='done'"),
	    1);
	/* The escaped spelling of the first seed is the first crawl. */
	CHECK_INT(it_run_crawld(again, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strstr(err, "already finished") != NULL);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 2);
	CHECK_INT(testsrv_hits(s, "/caf%E9"), 1);
	testsrv_stop(s);
}

/*
 * Defect 6: a --user-agent that is not UTF-8 exited 1 with "out of
 * memory" (the options' JSON could not be made); an --include or
 * --exclude pattern that is not UTF-8 was dropped from crawls.options
 * without a word. Each is now one usage line naming the option, exit 2.
 */
static void
test_non_utf8_options(void)
{
	const char *db = it_db_path("latin1-opts.db");
	const char *db8 = it_db_path("utf8-opts.db");
	const char *ua[] = {"crawl", "--db", db, "--user-agent",
	    "crawld \xff\xfe", "http://127.0.0.1:1/", NULL};
	const char *inc[] = {"crawl", "--db", db, "--include", "caf\xe9",
	    "http://127.0.0.1:1/", NULL};
	const char *exc[] = {"crawl", "--db", db, "--exclude", "\xc3(",
	    "http://127.0.0.1:1/", NULL};
	const char *utf8[] = {"crawl", "--db", db8, "--user-agent",
	    "crawld caf\xc3\xa9", "--max-pages", "1", "--retries", "0",
	    "--no-robots", "-q", "http://127.0.0.1:1/", NULL};
	char got[512];

	CHECK_INT(it_run_crawld(ua, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "crawld: --user-agent: not valid UTF-8") == err);
	CHECK_INT(count_lines(err), 1);
	CHECK_INT(it_run_crawld(inc, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "crawld: --include: not valid UTF-8") == err);
	CHECK_INT(count_lines(err), 1);
	CHECK_INT(it_run_crawld(exc, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "crawld: --exclude: not valid UTF-8") == err);
	CHECK(access(db, F_OK) != 0); /* refused before the store opened */
	/* Valid UTF-8 is recorded as given. */
	CHECK_INT(it_run_crawld(utf8, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_STR(db_text(db8, got, sizeof(got),
		      "SELECT json_extract(options, '$.\"user-agent\"') "
		      "FROM crawls"),
	    "crawld caf\xc3\xa9");
}

/* Run sql on db, read-write; 0 on success. */
static int
db_exec(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	int rc;

	if (sqlite3_open(db, &h) != SQLITE_OK) {
		sqlite3_close(h);
		return -1;
	}
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

static const struct testsrv_page small_site[] = {
    {"/", 0, NULL, "<a href=\"/p1\">1</a><a href=\"/p2\">2</a>", NULL, 0},
    {"/p1", 0, NULL, "1", NULL, 0},
    {"/p2", 0, NULL, "2", NULL, 0},
};

/*
 * Before issue 10 crawls.seeds held the seeds as typed. A crawl such a
 * crawld left unfinished (made here from a finished one: the seeds put
 * back as typed, HTTP:// and no path, /p1 and /p2 'queued' again) is
 * resumed by the same command, not replaced by a new crawl of the site:
 * one crawl, the seed not fetched again, /p1 and /p2 fetched once more.
 */
static void
test_old_raw_seeds_resumed(void)
{
	struct testsrv *s = testsrv_start(small_site, CW_NELEM(small_site));
	const char *db = it_db_path("rawseeds.db");
	char seed[128], typed[128], sql[512];
	const char *first[] = {"crawl", "--db", db, "--no-robots", seed, NULL};
	const char *again[] = {"crawl", "--db", db, "--no-robots", typed, NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	snprintf(typed, sizeof(typed), "HTTP://%s",
	    testsrv_origin(s) + strlen("http://"));
	CHECK_INT(it_run_crawld(first, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(testsrv_total(s), 3);
	snprintf(sql, sizeof(sql),
	    "UPDATE crawls SET seeds = json_array('%s'), state = 'running', "
	    "finished_at = NULL; "
	    "UPDATE pages SET state = 'queued' WHERE url LIKE '%%/p_';",
	    typed);
	REQUIRE(db_exec(db, sql) == 0);
	CHECK_INT(it_run_crawld(again, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strstr(err, "resuming crawl 1") != NULL);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM crawls WHERE state = 'done'"), 1);
	CHECK_INT(testsrv_hits(s, "/"), 1);
	CHECK_INT(testsrv_hits(s, "/p1"), 2);
	CHECK_INT(testsrv_hits(s, "/p2"), 2);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state = 'done'"), 3);
	if (harness_failures != 0)
		fprintf(stderr, "  crawld said: %s\n", err);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(non_utf8_seeds),
    TEST(non_utf8_options),
    TEST(old_raw_seeds_resumed),
};

TEST_MAIN(tests)
