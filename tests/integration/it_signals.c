/* SPDX-License-Identifier: MIT */
/*
 * it_signals.c - the crawld binary interrupted as a user interrupts it:
 * SIGINT or SIGTERM lets the transfer in flight finish, then exits 130
 * with the crawl 'cancelled' and what was not fetched still 'queued'; a
 * second signal leaves at once; `crawld crawl --resume` (no seeds) or the
 * same command again finishes the crawl, fetching nothing twice.
 *
 * No sleeping: the server holds /slow until crawld has said it caught the
 * signal, so the signal always lands while /slow is in flight.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

/* The seed links to /slow first (held by the test), then five pages. */
static const struct testsrv_page site[] = {
    {"/", 0, NULL,
	"<a href=\"/slow\">s</a><a href=\"/p1\">1</a><a href=\"/p2\">2</a>"
	"<a href=\"/p3\">3</a><a href=\"/p4\">4</a><a href=\"/p5\">5</a>",
	NULL, 0},
    {"/slow", 0, NULL, "slow, and a leaf", NULL, 0},
    {"/p1", 0, NULL, "1", NULL, 0},
    {"/p2", 0, NULL, "2", NULL, 0},
    {"/p3", 0, NULL, "3", NULL, 0},
    {"/p4", 0, NULL, "4", NULL, 0},
    {"/p5", 0, NULL, "5", NULL, 0},
};

/* Pages /p1../p5 the server was asked for. */
static unsigned
p_hits(struct testsrv *s)
{
	static const char *const ps[] = {"/p1", "/p2", "/p3", "/p4", "/p5"};
	unsigned n = 0;
	size_t i;

	for (i = 0; i < CW_NELEM(ps); i++)
		n += testsrv_hits(s, ps[i]);
	return n;
}

/*
 * Interrupt a crawl with sig (twice when twice) while /slow is in flight,
 * check how it ended, then resume it with resume_argv and check that the
 * site was finished with every page fetched once.
 */
static void
interrupt_and_resume(const char *name, int sig, bool twice, bool resume_flag)
{
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path(name);
	char seed[128], err[4096], out[8192], state[32];
	const char *argv[] = {"crawl", "--no-robots", "--concurrency", "1",
	    "--db", db, seed, NULL};
	const char *resume[] = {"crawl", "--resume", "--db", db, NULL};
	int pid, code;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	testsrv_hold(s, "/slow");
	pid = it_spawn_crawld(argv);
	REQUIRE(pid > 0);
	REQUIRE(testsrv_wait_held(s, "/slow", 1));
	kill(pid, sig);
	CHECK(it_spawn_wait_for("caught signal"));
	if (twice)
		kill(pid, sig);
	else
		testsrv_release_path(s, "/slow");
	code = it_spawn_wait(pid);
	if (twice)
		testsrv_release_path(s, "/slow");
	CHECK_INT(code, 130);
	it_spawn_output(out, sizeof(out));
	CHECK(strstr(out,
		  "interrupted: run the same command again to "
		  "resume") != NULL);
	/* One signal: a clean stop, 'cancelled'. Two: left as a crash
	   leaves it ('running'); either way resumable, never 'done'. */
	CHECK_STR(db_text(db, state, sizeof(state),
		      "SELECT state FROM crawls WHERE id = 1"),
	    twice ? "running" : "cancelled");
	if (twice) {
		/* Left at once: /slow never came back. */
		CHECK(db_int(db,
			  "SELECT count(*) FROM pages WHERE url LIKE "
			  "'%%/slow' AND state = 'done'") == 0);
	} else {
		/* The transfer in flight was allowed to finish. */
		CHECK_INT(db_int(db,
			      "SELECT count(*) FROM pages WHERE url LIKE "
			      "'%%/slow' AND state = 'done' AND status = 200"),
		    1);
		CHECK_INT(db_int(db,
			      "SELECT count(*) FROM pages WHERE state = "
			      "'fetching'"),
		    0);
	}
	/* Nothing after the signal was started: the rest waits, queued. */
	CHECK_INT(p_hits(s), 0);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/p_' "
		      "AND state = 'queued'"),
	    5);

	code = it_run_crawld(
	    resume_flag ? resume : argv, NULL, 0, err, sizeof(err));
	CHECK_INT(code, 0);
	CHECK(strstr(err, "resuming crawl 1") != NULL);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 1);
	CHECK_STR(db_text(db, state, sizeof(state),
		      "SELECT state FROM crawls WHERE id = 1"),
	    "done");
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state = 'done'"), 7);
	CHECK_INT(p_hits(s), 5);
	CHECK_INT(testsrv_max_hits(s, NULL), twice ? 2 : 1);
	CHECK_INT(testsrv_hits(s, "/"), 1);
	if (harness_failures != 0)
		fprintf(stderr, "  first run said:\n%s\n  resume said:\n%s\n",
		    out, err);
	testsrv_stop(s);
}

/* SIGINT; then `crawld crawl --resume --db DB`, without the seeds. */
static void
test_sigint_then_resume_flag(void)
{
	interrupt_and_resume("sigint.db", SIGINT, false, true);
}

/* SIGTERM; then the same command again. */
static void
test_sigterm_then_same_command(void)
{
	interrupt_and_resume("sigterm.db", SIGTERM, false, false);
}

/* A second SIGINT leaves without waiting for the transfer in flight; the
   page it left is fetched on the resume. */
static void
test_second_sigint_quits_now(void)
{
	interrupt_and_resume("sigint2.db", SIGINT, true, true);
}

/*
 * A crawl that could not catch SIGTERM would be killed by it, not stopped
 * (no 'cancelled', pages left 'fetching'): when evsignal_add() fails
 * (the shim failsignal.c, LD_PRELOAD) crawld says so and exits 1 before
 * it opens a crawl or asks the server for anything.
 */
static void
test_signal_handler_refused(void)
{
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *shim = getenv("CRAWLD_FAILSIGNAL");
	const char *asan = getenv("ASAN_OPTIONS");
	const char *db = it_db_path("nosig.db");
	char seed[128], err[4096], asan_opts[512];
	const char *argv[] = {"crawl", "--no-robots", "--db", db, seed, NULL};

	REQUIRE(shim != NULL && access(shim, R_OK) == 0);
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	/* An ASan crawld wants its runtime first; the shim comes first. */
	snprintf(asan_opts, sizeof(asan_opts), "%s%sverify_asan_link_order=0",
	    asan != NULL ? asan : "", asan != NULL ? ":" : "");
	setenv("ASAN_OPTIONS", asan_opts, 1);
	setenv("CRAWLD_FAIL_SIGNAL", "15", 1); /* SIGTERM */
	setenv("LD_PRELOAD", shim, 1);
	CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 1);
	unsetenv("LD_PRELOAD");
	unsetenv("CRAWLD_FAIL_SIGNAL");
	if (asan != NULL)
		setenv("ASAN_OPTIONS", asan, 1);
	else
		unsetenv("ASAN_OPTIONS");
	CHECK(strstr(err, "crawld: cannot catch SIGINT and SIGTERM") == err);
	CHECK_INT(testsrv_total(s), 0);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 0);
	if (harness_failures != 0)
		fprintf(stderr, "  crawld said:\n%s\n", err);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(sigint_then_resume_flag),
    TEST(sigterm_then_same_command),
    TEST(second_sigint_quits_now),
    TEST(signal_handler_refused),
};

TEST_MAIN(tests)
