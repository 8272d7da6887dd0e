/* SPDX-License-Identifier: MIT */
/*
 * it_crash.c - the crash contract: a crawl killed with SIGKILL at several
 * points and run again finishes the site; every page ends done, no URL is
 * fetched more than twice (once before the crash if it was in flight,
 * once after), nothing discovered is lost and the database is intact.
 * Also: re-running a finished crawl fetches nothing; --recrawl does.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

/* Pages in the tree: 1 + 4 + 16 + 64 + 256. */
#define TREE_PAGES 341

/* A 4-ary tree of depth 4 ("/t/" root; "/t/<digits>"), 20 ms a page. */
static int
tree_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	size_t depth;

	(void)arg;
	if (strncmp(path, "/t/", 3) != 0)
		return 0;
	depth = strlen(path) - 3;
	if (depth > 4)
		return 0;
	if (depth == 4)
		snprintf(buf, size, "<a href=\"/t/\">home</a>");
	else
		snprintf(buf, size,
		    "<a href=\"%s0\">0</a><a href=\"%s1\">1</a>"
		    "<a href=\"%s2\">2</a><a href=\"%s3\">3</a>",
		    path, path, path, path);
	out->body = buf;
	out->delay_ms = 20;
	return 1;
}

/* Sleep ms milliseconds. */
static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Wait until the database has at least n done pages (or 20 s pass). */
static void
wait_done_pages(const char *db, long long n)
{
	int i;

	/* Up to 20 s (times it_slow(): crawld under valgrind takes seconds
	   just to start). */
	for (i = 0; i < 2000 * (int)it_slow(); i++) {
		if (access(db, F_OK) == 0 &&
		    db_int(db,
			"SELECT count(*) FROM sqlite_master WHERE "
			"name='pages'") == 1 &&
		    db_int(db,
			"SELECT count(*) FROM pages WHERE state='done'") >= n)
			return;
		sleep_ms(10);
	}
}

/* Kill a crawl after `after` pages are done, run it again, check. With
   qmem set, the frontier spills to the database past qmem tasks. */
static void
crash_and_resume(const char *name, long long after, const char *qmem)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path(name);
	char seed[128], errbuf[4096], ok[16];
	const char *argv[] = {"crawl", "-q", "--no-robots", "--depth", "4",
	    "--concurrency", "4", "--queue-memory", qmem, "--db", db, seed,
	    NULL};
	unsigned max_hits, npaths;
	int pid, status;
	long long before;

	snprintf(seed, sizeof(seed), "%s/t/", testsrv_origin(s));
	pid = it_spawn_crawld(argv);
	REQUIRE(pid > 0);
	wait_done_pages(db, after);
	kill(pid, SIGKILL);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fprintf(stderr,
		    "  crawld was not killed: status 0x%x, said:\n%s\n",
		    (unsigned)status, it_spawn_output(errbuf, sizeof(errbuf)));
	before = db_int(db, "SELECT count(*) FROM pages WHERE state='done'");
	/* The kill really interrupted the crawl. */
	CHECK(before < TREE_PAGES);

	/* The resume, with -v for its summary. */
	argv[1] = "-v";
	CHECK_INT(it_run_crawld(argv, NULL, 0, errbuf, sizeof(errbuf)), 0);
	/* With --queue-memory 8 the resumed frontier (hundreds of queued
	   rows) must have spilled, and said so; with 20000 it must not. */
	if (strcmp(qmem, "8") == 0)
		CHECK(strstr(errbuf, "queued pages waited in the database") !=
		    NULL);
	else
		CHECK(strstr(errbuf, "waited in the database") == NULL);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages WHERE state='done'"),
	    TREE_PAGES);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages"), TREE_PAGES);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM crawls WHERE state='done'"), 1);
	max_hits = testsrv_max_hits(s, &npaths);
	CHECK_INT(npaths, TREE_PAGES);
	CHECK(max_hits <= 2);
	CHECK_STR(db_text(db, ok, sizeof(ok), "PRAGMA integrity_check"), "ok");
	if (harness_failures != 0)
		fprintf(stderr, "  killed after %lld done (wanted %lld)\n",
		    before, after);
	testsrv_stop(s);
}

/* Right at the start: maybe before the first commit. */
static void
test_kill_early(void)
{
	crash_and_resume("crash0.db", 0, "20000");
}

static void
test_kill_after_20(void)
{
	crash_and_resume("crash20.db", 20, "20000");
}

static void
test_kill_after_150(void)
{
	crash_and_resume("crash150.db", 150, "20000");
}

static void
test_kill_near_end(void)
{
	crash_and_resume("crash250.db", 250, "20000");
}

/* The same with a frontier that spills to the database past 8 tasks. */
static void
test_kill_spilled_frontier(void)
{
	crash_and_resume("crashspill.db", 100, "8");
}

/* A finished crawl run again fetches nothing; --recrawl starts anew. */
static void
test_rerun_finished(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path("rerun.db");
	char seed[128], err[4096];
	const char *argv[] = {
	    "crawl", "--no-robots", "--depth", "2", "--db", db, seed, NULL};
	const char *again[] = {"crawl", "--no-robots", "--depth", "2",
	    "--recrawl", "--db", db, seed, NULL};
	const char *resume[] = {"crawl", "--resume", "--db", db, NULL};
	unsigned first;

	snprintf(seed, sizeof(seed), "%s/t/", testsrv_origin(s));
	REQUIRE(it_run_crawld(argv, NULL, 0, err, sizeof(err)) == 0);
	first = testsrv_total(s);
	CHECK_INT(first, 21);
	CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 0);
	CHECK(strstr(err, "already finished") != NULL);
	CHECK_INT(testsrv_total(s), first);
	CHECK_INT(it_run_crawld(resume, NULL, 0, err, sizeof(err)), 0);
	CHECK(strstr(err, "already finished") != NULL);
	CHECK_INT(testsrv_total(s), first);
	CHECK_INT(it_run_crawld(again, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(testsrv_total(s), 2 * first);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 2);
	testsrv_stop(s);
}

/*
 * A full disk (RLIMIT_FSIZE: writes past 96 KiB fail): the crawl stops with
 * exit 1 and a message naming the database, the file stays intact, and a
 * second run with room resumes and finishes the site.
 */
static void
test_disk_full_then_resume(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path("full.db");
	char seed[128], err[4096], ok[16];
	const char *argv[] = {"crawl", "--no-robots", "--depth", "4",
	    "--concurrency", "8", "--db", db, seed, NULL};

	snprintf(seed, sizeof(seed), "%s/t/", testsrv_origin(s));
	CHECK_INT(it_run_crawld_fsize(argv, 96 * 1024, err, sizeof(err)), 1);
	CHECK(strstr(err, db) != NULL);
	CHECK(strstr(err, "run the same command again") != NULL);
	CHECK_STR(db_text(db, ok, sizeof(ok), "PRAGMA integrity_check"), "ok");
	CHECK(db_int(db, "SELECT count(*) FROM pages WHERE state='done'") <
	    TREE_PAGES);
	CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages WHERE state='done'"),
	    TREE_PAGES);
	CHECK_STR(db_text(db, ok, sizeof(ok), "PRAGMA integrity_check"), "ok");
	testsrv_stop(s);
}

/* A database another process holds locked: a clear error (exit 4), the
   file untouched; once the lock is gone the crawl runs. */
static void
test_locked_database(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path("locked.db");
	char seed[128], err[4096];
	const char *argv[] = {
	    "crawl", "--no-robots", "--depth", "1", "--db", db, seed, NULL};
	sqlite3 *h = NULL;

	snprintf(seed, sizeof(seed), "%s/t/", testsrv_origin(s));
	REQUIRE(sqlite3_open(db, &h) == SQLITE_OK);
	REQUIRE(sqlite3_exec(h,
		    "CREATE TABLE other(x); BEGIN EXCLUSIVE;"
		    "INSERT INTO other VALUES (1);",
		    NULL, NULL, NULL) == SQLITE_OK);
	CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 4);
	CHECK(strstr(err, "locked") != NULL);
	CHECK(strstr(err, db) != NULL);
	CHECK_INT(testsrv_total(s), 0);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 5);
	testsrv_stop(s);
}

/* --resume with no crawl in the database is a usage error. */
static void
test_resume_nothing(void)
{
	const char *db = it_db_path("empty.db");
	const char *resume[] = {"crawl", "--resume", "--db", db, NULL};
	char err[1024];

	CHECK_INT(it_run_crawld(resume, NULL, 0, err, sizeof(err)), 2);
	CHECK(strstr(err, "no crawl to resume") != NULL);
}

static const struct test tests[] = {
    TEST(kill_early),
    TEST(kill_after_20),
    TEST(kill_after_150),
    TEST(kill_near_end),
    TEST(kill_spilled_frontier),
    TEST(rerun_finished),
    TEST(resume_nothing),
    TEST(disk_full_then_resume),
    TEST(locked_database),
};

TEST_MAIN(tests)
