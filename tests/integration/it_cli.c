/* SPDX-License-Identifier: MIT */
/*
 * it_cli.c - the crawld binary as a user runs it: exit codes, one-line
 * errors, --help against the README, --fail-fast, export formats and a
 * reader that goes away (crawld export | head).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * Run argv; it must exit with code and say why in exactly one line on
 * stderr that starts "crawld: " and contains needle. Returns 0 when so.
 */
static int
one_line_error(const char *const *argv, int code, const char *needle)
{
	int got = it_run_crawld(argv, out, sizeof(out), err, sizeof(err));
	int bad = got != code || count_lines(err) != 1 ||
	    strncmp(err, "crawld: ", 8) != 0 || strstr(err, needle) == NULL;

	if (bad)
		fprintf(stderr,
		    "  crawld %s %s: exit %d (want %d), stderr (want one "
		    "\"crawld: \" line with \"%s\"):\n%s",
		    argv[0], argv[1] != NULL ? argv[1] : "", got, code, needle,
		    err);
	return bad;
}

/* Bad usage exits 2 with a one-line message naming what was wrong. */
static void
test_usage_errors(void)
{
	const char *noseed[] = {"crawl", NULL};
	const char *badopt[] = {
	    "crawl", "--bogus", "http://127.0.0.1:1/", NULL};
	const char *badshort[] = {"crawl", "-x", "http://127.0.0.1:1/", NULL};
	const char *noarg[] = {"crawl", "http://127.0.0.1:1/", "--depth", NULL};
	const char *baddepth[] = {
	    "crawl", "--depth", "abc", "http://127.0.0.1:1/", NULL};
	const char *badconc[] = {
	    "crawl", "-c", "0", "http://127.0.0.1:1/", NULL};
	const char *badscope[] = {
	    "crawl", "--scope", "planet", "http://127.0.0.1:1/", NULL};
	const char *badregex[] = {
	    "crawl", "--include", "(", "http://127.0.0.1:1/", NULL};
	const char *badsync[] = {
	    "crawl", "--sync", "sometimes", "http://127.0.0.1:1/", NULL};
	const char *both[] = {"crawl", "--resume", "--recrawl", NULL};
	const char *nocmd[] = {"frobnicate", NULL};
	const char *expopt[] = {"export", "--bogus", NULL};
	const char *expfmt[] = {"export", "--format", "xml", NULL};
	const char *expnoarg[] = {"export", "--db", NULL};
	const char *expcrawl[] = {"export", "--crawl", "x", NULL};
	const char *expextra[] = {"export", "stray", NULL};
	int bad = 0;

	bad += one_line_error(noseed, 2, "no seed URL");
	bad += one_line_error(badopt, 2, "--bogus");
	bad += one_line_error(badshort, 2, "-x");
	bad += one_line_error(noarg, 2, "--depth");
	bad += one_line_error(baddepth, 2, "--depth");
	bad += one_line_error(badconc, 2, "--concurrency");
	bad += one_line_error(badscope, 2, "planet");
	bad += one_line_error(badregex, 2, "bad regex");
	bad += one_line_error(badsync, 2, "--sync");
	bad += one_line_error(both, 2, "--recrawl");
	bad += one_line_error(nocmd, 2, "frobnicate");
	bad += one_line_error(expopt, 2, "--bogus");
	bad += one_line_error(expfmt, 2, "xml");
	bad += one_line_error(expnoarg, 2, "--db");
	bad += one_line_error(expcrawl, 2, "--crawl");
	bad += one_line_error(expextra, 2, "stray");
	CHECK_INT(bad, 0);
}

/* Whether nothing of database path exists (nor its -wal, -shm, -journal). */
static int
no_db_files(const char *db)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char path[600];
	size_t i;
	int found = 0;

	for (i = 0; i < CW_NELEM(sfx); i++) {
		snprintf(path, sizeof(path), "%s%s", db, sfx[i]);
		if (access(path, F_OK) == 0) {
			fprintf(stderr, "  %s was created\n", path);
			found++;
		}
	}
	return found == 0;
}

/* Bad seeds exit 3 and name the seed; no database file is created, even
   when a good seed comes first. */
static void
test_bad_seeds(void)
{
	const char *db = it_db_path("badseed.db");
	const char *notaurl[] = {
	    "crawl", "--db", db, "http://exa mple.com:99999/", NULL};
	const char *ftp[] = {"crawl", "--db", db, "ftp://127.0.0.1/", NULL};
	const char *mailto[] = {"crawl", "--db", db, "mailto:a@b.c", NULL};
	const char *empty[] = {"crawl", "--db", db, "", NULL};
	const char *second[] = {
	    "crawl", "--db", db, "http://127.0.0.1:1/", "gopher://x/", NULL};
	const char *resume[] = {
	    "crawl", "--resume", "--db", db, "http://[::1/", NULL};

	CHECK_INT(
	    one_line_error(notaurl, 3, "'http://exa mple.com:99999/'"), 0);
	CHECK(no_db_files(db));
	CHECK_INT(one_line_error(ftp, 3, "unsupported scheme"), 0);
	CHECK(no_db_files(db));
	CHECK_INT(one_line_error(mailto, 3, "mailto:a@b.c"), 0);
	CHECK_INT(one_line_error(empty, 3, "''"), 0);
	CHECK_INT(one_line_error(second, 3, "gopher://x/"), 0);
	CHECK_INT(one_line_error(resume, 3, "http://[::1/"), 0);
	CHECK(no_db_files(db));
}

/* An unusable --db exits 4 with one line naming it. */
static void
test_bad_db(void)
{
	const char *missing[] = {"crawl", "--db", "/nonexistent/dir/x.db",
	    "http://127.0.0.1:1/", NULL};
	const char *isdir[] = {
	    "crawl", "--db", it_tmpdir(), "http://127.0.0.1:1/", NULL};
	const char *exp[] = {"export", "--db", "/nonexistent/x.db", NULL};

	CHECK_INT(one_line_error(missing, 4, "/nonexistent/dir/x.db"), 0);
	CHECK_INT(one_line_error(isdir, 4, it_tmpdir()), 0);
	CHECK_INT(one_line_error(exp, 4, "/nonexistent/x.db"), 0);
}

/* Every crawl option of the contract, long form (and short ones). */
static const char *const contract_options[] = {"--db", "--depth",
    "--concurrency", "--per-host", "--delay", "--scope", "--include",
    "--exclude", "--max-pages", "--timeout", "--max-size", "--max-links",
    "--max-url-length", "--user-agent", "--ca-file", "--no-robots", "--retries",
    "--retry-status", "--allow-private", "--max-redirects", "--resume",
    "--recrawl", "--sync", "--parse-threads", "--queue-memory", "--mirror",
    "--fail-fast", "--quiet", "--verbose", "--proxy"};

/* Read the README's `crawl` options table (from its heading to the next
   heading) into buf. */
static int
readme_options(char *buf, size_t size)
{
	/* Read whole, then copied out: valgrind takes glibc's memmove for
	   __memcpy_chk and calls an in-place move an overlap. */
	static char text[1 << 17];
	const char *src = getenv("CRAWLD_SOURCE_DIR");
	char path[1024], *start, *end;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/README.md", src ? src : ".");
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	start = strstr(text, "### `crawl` options");
	if (start == NULL)
		return -1;
	end = strstr(start + 1, "\n#");
	if (end != NULL)
		*end = '\0';
	snprintf(buf, size, "%s", start);
	return 0;
}

/* Whether text holds opt as a whole option name (not a prefix of one). */
static int
has_option(const char *text, const char *opt)
{
	const char *p;
	size_t n = strlen(opt);

	for (p = text; (p = strstr(p, opt)) != NULL; p += n)
		if (p[n] != '-' && (p[n] < 'a' || p[n] > 'z'))
			return 1;
	return 0;
}

/*
 * --help lists every contract option, and so does the README's option
 * table; and every long option --help names is in the README (the two
 * cannot drift apart).
 */
static void
test_help_lists_options(void)
{
	static char readme[1 << 16];
	const char *help[] = {"crawl", "--help", NULL};
	const char *top[] = {"--help", NULL};
	const char *p;
	char opt[64];
	size_t i, n;
	int help_opts = 0;

	CHECK_INT(it_run_crawld(help, out, sizeof(out), err, sizeof(err)), 0);
	REQUIRE(readme_options(readme, sizeof(readme)) == 0);
	for (i = 0; i < CW_NELEM(contract_options); i++) {
		if (!has_option(out, contract_options[i])) {
			fprintf(stderr, "  missing in --help: %s\n",
			    contract_options[i]);
			harness_failures++;
		}
		if (!has_option(readme, contract_options[i])) {
			fprintf(stderr, "  missing in the README: %s\n",
			    contract_options[i]);
			harness_failures++;
		}
	}
	CHECK(has_option(out, "-d") && has_option(out, "-c") &&
	    has_option(out, "-q") && has_option(out, "-v"));
	/* Every "--name" that starts a --help option line ("  -d, --depth N"
	   or "      --per-host N"). */
	for (p = out; (p = strchr(p, '\n')) != NULL;) {
		p += 1 + strspn(p + 1, " ");
		if (p[0] == '-' && p[1] != '-' && p[2] == ',' && p[3] == ' ')
			p += 4;
		if (strncmp(p, "--", 2) != 0)
			continue;
		p += 2;
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
		snprintf(opt, sizeof(opt), "--%.*s", (int)n, p);
		help_opts++;
		if (strcmp(opt, "--help") != 0 && !has_option(readme, opt)) {
			fprintf(
			    stderr, "  --help has %s, the README not\n", opt);
			harness_failures++;
		}
	}
	CHECK(help_opts >= (int)CW_NELEM(contract_options));
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

/* Poll (bounded: 60 s) until sql gives want; 0 when it did. */
static int
wait_db(const char *db, const char *sql, long long want)
{
	int i;

	for (i = 0; i < 6000; i++) {
		if (access(db, F_OK) == 0 && db_int(db, "%s", sql) == want)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* export: JSON lines and CSV, both orders, from the binary. */
static void
test_export_cli(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/q\">2</a><a href=\"/a,b\">1</a>", NULL,
		0},
	    {"/a,b", 0, NULL, "x", NULL, 0},
	    {"/q", 0, NULL, "y", NULL, 0},
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
	int pid, status;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	/* /q is asked for first but answered only once /a,b is recorded
	   done, so it is fetched last whatever the machine's speed. */
	testsrv_hold(s, "/q");
	pid = it_spawn_crawld(crawl);
	REQUIRE(pid > 0);
	CHECK(testsrv_wait_held(s, "/q", 1));
	CHECK_INT(wait_db(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%/a,b' "
		      "AND state='done'",
		      1),
	    0);
	testsrv_release_path(s, "/q");
	REQUIRE(waitpid(pid, &status, 0) == pid);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(it_run_crawld(jsonl, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(count_lines(out), 3);
	CHECK(strncmp(out, "{\"crawl_id\":1,\"id\":1,", 21) == 0);
	/* Discovery order: /q (the first link) before /a,b. */
	CHECK(strstr(out, "/q\"") != NULL &&
	    strstr(out, "/q\"") < strstr(out, "/a,b\""));
	CHECK_INT(it_run_crawld(csv, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strncmp(out, "crawl_id,id,url,depth,state,", 28) == 0);
	CHECK_INT(count_lines(out), 4);
	/* A URL with a comma is quoted (RFC 4180). */
	CHECK(strstr(out, "\"http://127.0.0.1:") != NULL);
	/* Fetched order: the held /q comes last. */
	CHECK(strstr(out, "/a,b\"") != NULL &&
	    strstr(out, "/q,") > strstr(out, "/a,b\""));
	CHECK_INT(it_run_crawld(bad, out, sizeof(out), err, sizeof(err)), 2);
	testsrv_stop(s);
}

/* A page linking to 100 leaves: an export of 101 rows, ~29 KB of JSON,
   more than the 4 KiB pipe of it_run_crawld_head() and stdio's buffer. */
static int
wide_gen(
    const char *path, struct testsrv_page *o, char *buf, size_t size, void *arg)
{
	size_t n = 0;
	int i;

	(void)arg;
	if (strcmp(path, "/") != 0) {
		o->body = "leaf";
		return strncmp(path, "/leaf/", 6) == 0;
	}
	for (i = 0; i < 100 && n + 64 < size; i++)
		n += (size_t)snprintf(
		    buf + n, size - n, "<a href=\"/leaf/%d\">%d</a>", i, i);
	o->body = buf;
	return 1;
}

/*
 * crawld export | head: when the reader goes away, export ends the way
 * cat does, by SIGPIPE (141 in the shell), with nothing on stderr; not
 * "crawld: export: I/O error". Once after the reader took the first
 * bytes, once with the pipe closed before anything was written.
 */
static void
test_export_closed_pipe(void)
{
	struct testsrv *s = testsrv_start_gen(wide_gen, NULL);
	const char *db = it_db_path("exportpipe.db");
	char seed[128], head[128];
	const char *crawl[] = {"crawl", "-q", "--no-robots", "--depth", "1",
	    "--db", db, seed, NULL};
	const char *jsonl[] = {"export", "--db", db, NULL};
	const char *csv[] = {"export", "--db", db, "--format", "csv", NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	REQUIRE(it_run_crawld(crawl, out, sizeof(out), err, sizeof(err)) == 0);
	REQUIRE(db_int(db, "SELECT count(*) FROM pages") == 101);
	/* (Had it all fit in the pipe, crawld would exit 0: no false pass.) */
	CHECK_INT(
	    it_run_crawld_head(jsonl, 20, head, sizeof(head), err, sizeof(err)),
	    128 + SIGPIPE);
	CHECK_STR(head, "{\"crawl_id\":1,\"id\":1");
	CHECK_STR(err, "");
	CHECK_INT(it_run_crawld_head(csv, 0, NULL, 0, err, sizeof(err)),
	    128 + SIGPIPE);
	CHECK_STR(err, "");
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(usage_errors),
    TEST(bad_seeds),
    TEST(bad_db),
    TEST(help_lists_options),
    TEST(fail_fast),
    TEST(export_cli),
    TEST(export_closed_pipe),
};

TEST_MAIN(tests)
