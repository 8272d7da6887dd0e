/* SPDX-License-Identifier: MIT */
/*
 * it_warc.c - `crawld crawl --warc` end to end, read back by an independent
 * reader: warcio.js (npm) under node, through tests/integration/node/
 * warc_read.mjs, which recomputes the payload digests itself and decodes
 * the payloads. The site (rawsrv's RAWSRV_SITE) has what an evhttp server
 * cannot send byte for byte: a gzip page, a chunked page with a trailer,
 * raw deflate, a 404, a redirect, a binary body. Checked: `crawld warc
 * verify` passes; every record warcio reads has its warc_records row at the
 * same offset and length, and every fetched page exactly one response
 * record with its status and decoded size; content-coding is intact and
 * chunking gone; the CDXJ index agrees with warcio's own indexer and is in
 * byte order; a second crawl writes a new file and leaves the first alone;
 * a crawl killed with SIGKILL and resumed leaves a WARC that verifies, with
 * no record twice. node and warcio missing is a failure, never a skip
 * (scripts/setup-deps.sh installs them).
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "rawsrv.h"
#include "testsrv.h"

/* The RAWSRV_SITE pages a crawl from "/" fetches. */
#define SITE_PAGES 8

static char out[1 << 16], err[1 << 16];

/*
 * Run a shell command and return its stdout (malloc'd, NUL-terminated) and
 * exit status; NULL when it could not run.
 */
static char *
run_capture(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0, cap = 1 << 16, n;
	char *buf = malloc(cap);

	*status = -1;
	if (p == NULL || buf == NULL) {
		if (p != NULL)
			pclose(p);
		free(buf);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	*status = pclose(p);
	if (*status != -1 && WIFEXITED(*status))
		*status = WEXITSTATUS(*status);
	return buf;
}

/* The node binary and the warcio reader script, or a failure saying what
   to install. */
static const char *
reader_cmd(void)
{
	static char cmd[1024];
	const char *node = getenv("CRAWLD_NODE");
	const char *src = getenv("CRAWLD_SOURCE_DIR");
	char mod[512];

	if (node == NULL || node[0] == '\0' || src == NULL) {
		fprintf(stderr,
		    "  node not found: run scripts/setup-deps.sh "
		    "(nodejs, npm, warcio)\n");
		return NULL;
	}
	snprintf(mod, sizeof(mod),
	    "%s/tests/integration/node/node_modules/warcio/package.json", src);
	if (access(mod, R_OK) != 0) {
		fprintf(stderr,
		    "  %s missing: run scripts/setup-deps.sh (npm ci)\n", mod);
		return NULL;
	}
	snprintf(cmd, sizeof(cmd), "%s %s/tests/integration/node/warc_read.mjs",
	    node, src);
	return cmd;
}

/* What warcio read: the records (JSON objects) and warcio's CDXJ lines. */
struct readback {
	json_t *records; /* array */
	json_t *cdxj;	 /* array of objects, each with "key" added */
};

/* Read files (space-separated paths) with warcio. */
static int
read_back(const char *files, struct readback *rb)
{
	const char *base = reader_cmd();
	char cmd[2048], *text, *line, *save = NULL;
	int status;

	rb->records = json_array();
	rb->cdxj = json_array();
	if (base == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s %s", base, files);
	text = run_capture(cmd, &status);
	if (text == NULL || status != 0) {
		fprintf(stderr, "  warcio reader failed (%d):\n%s\n", status,
		    text != NULL ? text : "");
		free(text);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "cdxj ", 5) == 0) {
			/* "KEY TS {json}" */
			char *sp = strchr(line + 5, ' ');
			char *js = sp != NULL ? strchr(sp + 1, ' ') : NULL;
			json_t *o =
			    js != NULL ? json_loads(js + 1, 0, NULL) : NULL;

			if (o == NULL) {
				fprintf(stderr, "  bad cdxj line: %s\n", line);
				free(text);
				return -1;
			}
			json_array_append_new(rb->cdxj, o);
			continue;
		}
		json_t *o = json_loads(line, 0, NULL);

		if (o == NULL) {
			fprintf(stderr, "  bad reader line: %s\n", line);
			free(text);
			return -1;
		}
		json_array_append_new(rb->records, o);
	}
	free(text);
	return 0;
}

static void
readback_free(struct readback *rb)
{
	json_decref(rb->records);
	json_decref(rb->cdxj);
}

/* A string member ("" when absent or null). */
static const char *
jstr(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v != NULL ? v : "";
}

static long long
jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* Records of a type, and the one response for url (NULL if not one). */
static size_t
count_type(const struct readback *rb, const char *type)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(rb->records); i++)
		n += strcmp(jstr(json_array_get(rb->records, i), "type"),
			 type) == 0;
	return n;
}

static const json_t *
response_for(const struct readback *rb, const char *url, size_t *count)
{
	const json_t *found = NULL, *r;
	size_t i;

	*count = 0;
	for (i = 0; i < json_array_size(rb->records); i++) {
		r = json_array_get(rb->records, i);
		if ((strcmp(jstr(r, "type"), "response") == 0 ||
			strcmp(jstr(r, "type"), "revisit") == 0) &&
		    strcmp(jstr(r, "target"), url) == 0) {
			found = r;
			(*count)++;
		}
	}
	return *count == 1 ? found : NULL;
}

/* Run `crawld warc verify` on files; its exit code, output in out. */
static int
verify(const char *const *files)
{
	const char *argv[8] = {"warc", "verify"};
	size_t i;

	for (i = 0; files[i] != NULL && i < 5; i++)
		argv[2 + i] = files[i];
	argv[2 + i] = NULL;
	return it_run_crawld(argv, out, sizeof(out), err, sizeof(err));
}

/*
 * Every record warcio read has its warc_records row (same type, offset,
 * length, target), and the table has no other row: one to one. Every
 * request names its response (same date), every response its page.
 */
static void
check_rows(const char *db, const struct readback *rb)
{
	size_t i, n = json_array_size(rb->records);
	const json_t *r;
	char buf[256];

	CHECK_INT(db_int(db, "SELECT count(*) FROM warc_records"), n);
	for (i = 0; i < n; i++) {
		r = json_array_get(rb->records, i);
		CHECK_STR(
		    db_text(db, buf, sizeof(buf),
			"SELECT type FROM warc_records WHERE record_id "
			"= '%s' AND warc_offset = %lld AND warc_length "
			"= %lld AND file_id = (SELECT id FROM "
			"warc_files WHERE path LIKE '%%/%s')",
			jstr(r, "id"), jint(r, "offset"), jint(r, "length"),
			strrchr(jstr(r, "file"), '/') + 1),
		    jstr(r, "type"));
		if (strcmp(jstr(r, "type"), "warcinfo") == 0)
			continue;
		/* The record's page is the row's page, with the same URL. */
		CHECK_STR(db_text(db, buf, sizeof(buf),
			      "SELECT p.url FROM warc_records w JOIN pages p "
			      "ON p.id = w.page_id WHERE w.record_id = '%s'",
			      jstr(r, "id")),
		    jstr(r, "target"));
		CHECK_STR(jstr(r, "ip"), "127.0.0.1");
		if (strcmp(jstr(r, "type"), "request") == 0) {
			const json_t *p = NULL;
			size_t j;

			for (j = 0; j < n && p == NULL; j++)
				if (strcmp(jstr(json_array_get(rb->records, j),
					       "id"),
					jstr(r, "concurrent")) == 0)
					p = json_array_get(rb->records, j);
			CHECK(p != NULL);
			if (p != NULL) {
				CHECK_STR(jstr(p, "date"), jstr(r, "date"));
				CHECK_STR(jstr(p, "target"), jstr(r, "target"));
			}
			CHECK_STR(jstr(r, "method"), "GET");
		}
	}
}

/*
 * Every fetched page (done) of the database has exactly one response
 * record with its status, its decoded size as pages.bytes, and a payload
 * digest that node recomputed the same; no record is for a page that was
 * not fetched.
 */
static void
check_pages(const char *db, const struct readback *rb, long long npages)
{
	char url[512];
	long long i;
	const json_t *r;
	size_t count;

	CHECK_INT(
	    count_type(rb, "response") + count_type(rb, "revisit"), npages);
	CHECK_INT(count_type(rb, "request"), npages);
	for (i = 0; i < npages; i++) {
		db_text(db, url, sizeof(url),
		    "SELECT url FROM pages WHERE state = 'done' ORDER BY id "
		    "LIMIT 1 OFFSET %lld",
		    i);
		r = response_for(rb, url, &count);
		if (r == NULL)
			fprintf(
			    stderr, "  %s: %zu response records\n", url, count);
		REQUIRE(r != NULL);
		CHECK_INT(jint(r, "status"),
		    db_int(
			db, "SELECT status FROM pages WHERE url = '%s'", url));
		CHECK_INT(jint(r, "decoded_len"),
		    db_int(
			db, "SELECT bytes FROM pages WHERE url = '%s'", url));
		CHECK_STR(jstr(r, "payload_sha1"), jstr(r, "payload_digest"));
		/* libcurl de-chunked: the block is not chunked and says how
		   long its payload is. */
		CHECK_STR(jstr(r, "transfer_encoding"), "");
		CHECK_INT(atoll(jstr(r, "content_length")), jint(r, "raw_len"));
	}
}

/* The CDXJ beside the WARC: byte order, and every line what warcio's own
   indexer says of the same record (the key aside: pywb's SURT keeps an
   IP address as it is, warcio.js reverses it). */
static void
check_index(const char *cdxj, const struct readback *rb, size_t want)
{
	char cmd[1024], *text, *line, *save = NULL;
	size_t n = 0, i;
	int status;

	snprintf(cmd, sizeof(cmd), "LC_ALL=C sort -c '%s' 2>&1", cdxj);
	text = run_capture(cmd, &status);
	CHECK(text != NULL && status == 0);
	free(text);
	snprintf(cmd, sizeof(cmd), "cat '%s'", cdxj);
	text = run_capture(cmd, &status);
	REQUIRE(text != NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		char *js = sp != NULL ? strchr(sp + 1, ' ') : NULL;
		json_t *mine = js != NULL ? json_loads(js + 1, 0, NULL) : NULL;
		const json_t *theirs = NULL;

		n++;
		CHECK(mine != NULL);
		if (mine == NULL)
			continue;
		CHECK(strncmp(line, "127.0.0.1:", 10) == 0);
		for (i = 0; i < json_array_size(rb->cdxj); i++)
			if (strcmp(jstr(json_array_get(rb->cdxj, i), "offset"),
				jstr(mine, "offset")) == 0 &&
			    strcmp(
				jstr(json_array_get(rb->cdxj, i), "filename"),
				jstr(mine, "filename")) == 0)
				theirs = json_array_get(rb->cdxj, i);
		CHECK(theirs != NULL);
		if (theirs != NULL) {
			static const char *const keys[] = {"url", "mime",
			    "status", "digest", "length", "filename"};
			size_t k;

			for (k = 0; k < CW_NELEM(keys); k++)
				CHECK_STR(
				    jstr(mine, keys[k]), jstr(theirs, keys[k]));
		}
		json_decref(mine);
	}
	free(text);
	CHECK_INT(n, want);
	CHECK_INT(json_array_size(rb->cdxj), want);
}

/*
 * /same answered 200 to the first crawl and 304 to the second: the second
 * file has a revisit (profile server-not-modified) naming the first
 * file's response, with its payload digest, the 304's head as its block
 * and no payload.
 */
static void
check_revisit(const struct readback *rb, const char *seed)
{
	const json_t *resp = NULL, *rev = NULL, *r;
	char url[128];
	size_t i;

	snprintf(url, sizeof(url), "%ssame", seed);
	for (i = 0; i < json_array_size(rb->records); i++) {
		r = json_array_get(rb->records, i);
		if (strcmp(jstr(r, "target"), url) != 0)
			continue;
		if (strcmp(jstr(r, "type"), "response") == 0)
			resp = r;
		if (strcmp(jstr(r, "type"), "revisit") == 0)
			rev = r;
	}
	CHECK_INT(count_type(rb, "revisit"), 1);
	REQUIRE(resp != NULL && rev != NULL);
	CHECK(strstr(jstr(resp, "file"), "/site.warc.gz") != NULL);
	CHECK(strstr(jstr(rev, "file"), "/site-1.warc.gz") != NULL);
	CHECK_STR(jstr(rev, "refers_to"), jstr(resp, "id"));
	CHECK_STR(jstr(rev, "payload_digest"), jstr(resp, "payload_digest"));
	CHECK_STR(jstr(rev, "profile"),
	    "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
	CHECK_INT(jint(rev, "status"), 304);
	CHECK_INT(jint(rev, "raw_len"), 0);
}

/* The SHA-1 of a file, for "unchanged" checks. */
static void
file_sum(const char *path, char *sum, size_t len)
{
	char cmd[600], *text;
	int status;

	snprintf(cmd, sizeof(cmd), "sha1sum '%s'", path);
	text = run_capture(cmd, &status);
	snprintf(sum, len, "%.40s", text != NULL ? text : "");
	free(text);
}

static void
test_site_reads_back(void)
{
	struct rawsrv *s = rawsrv_start(RAWSRV_SITE);
	const char *db = it_db_path("site.db");
	char seed[64], warc[512], warc1[512], cdxj[512], sum[64], sum2[64],
	    files[1100];
	const char *argv[] = {"crawl", "-q", "--no-robots", "--db", db,
	    "--warc", warc, seed, NULL};
	const char *again[] = {"crawl", "-q", "--no-robots", "--recrawl",
	    "--db", db, "--warc", warc, seed, NULL};
	const char *one[] = {warc, NULL}, *two[] = {warc, warc1, NULL};
	struct readback rb;
	const json_t *r;
	size_t count;

	snprintf(seed, sizeof(seed), "http://127.0.0.1:%u/", rawsrv_port(s));
	snprintf(warc, sizeof(warc), "%s/site.warc.gz", it_tmpdir());
	snprintf(warc1, sizeof(warc1), "%s/site-1.warc.gz", it_tmpdir());
	snprintf(cdxj, sizeof(cdxj), "%s/site.cdxj", it_tmpdir());
	CHECK_INT(it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages WHERE state = 'done'"),
	    SITE_PAGES);
	if (verify(one) != 0 ||
	    strstr(out, "17 records, 0 with problems") == NULL)
		fprintf(stderr, "  verify:\n%s%s", out, err);
	CHECK_INT(verify(one), 0);
	CHECK(strstr(out, "17 records, 0 with problems") != NULL);
	REQUIRE(read_back(warc, &rb) == 0);
	CHECK_INT(json_array_size(rb.records), 1 + 2 * SITE_PAGES);
	CHECK_INT(count_type(&rb, "warcinfo"), 1);
	check_rows(db, &rb);
	check_pages(db, &rb, SITE_PAGES);
	/* The gzip page is archived as it came: encoded, smaller. */
	snprintf(files, sizeof(files), "%s", seed);
	r = response_for(&rb, files, &count);
	REQUIRE(r != NULL);
	CHECK_STR(jstr(r, "content_encoding"), "gzip");
	CHECK(jint(r, "raw_len") < jint(r, "decoded_len"));
	CHECK_INT(jint(r, "decoded_len"), strlen(RAWSRV_SITE_ROOT));
	snprintf(files, sizeof(files), "%sdeflate", seed);
	r = response_for(&rb, files, &count);
	REQUIRE(r != NULL);
	CHECK_STR(jstr(r, "content_encoding"), "deflate");
	CHECK_INT(jint(r, "decoded_len"), strlen(RAWSRV_SITE_DEFLATE));
	snprintf(files, sizeof(files), "%schunked", seed);
	r = response_for(&rb, files, &count);
	REQUIRE(r != NULL);
	CHECK_INT(jint(r, "raw_len"), 56);
	snprintf(files, sizeof(files), "%smissing", seed);
	r = response_for(&rb, files, &count);
	REQUIRE(r != NULL);
	CHECK_INT(jint(r, "status"), 404);
	snprintf(files, sizeof(files), "%smoved", seed);
	r = response_for(&rb, files, &count);
	REQUIRE(r != NULL);
	CHECK_INT(jint(r, "status"), 301);
	check_index(cdxj, &rb, SITE_PAGES);
	readback_free(&rb);

	/* A second crawl: a new file; the first is left as it was; the
	   index covers both. */
	file_sum(warc, sum, sizeof(sum));
	CHECK_INT(it_run_crawld(again, out, sizeof(out), err, sizeof(err)), 0);
	file_sum(warc, sum2, sizeof(sum2));
	CHECK_STR(sum2, sum);
	CHECK(access(warc1, R_OK) == 0);
	CHECK_INT(verify(two), 0);
	snprintf(files, sizeof(files), "%s %s", warc, warc1);
	REQUIRE(read_back(files, &rb) == 0);
	CHECK_INT(json_array_size(rb.records), 2 * (1 + 2 * SITE_PAGES));
	check_rows(db, &rb);
	check_revisit(&rb, seed);
	check_index(cdxj, &rb, 2 * SITE_PAGES);
	readback_free(&rb);
	rawsrv_stop(s);
}

/* With --mirror too: two observers of one crawl, the mirror keeping
   every body, the WARC capturing the exchange; both do their part. */
static void
test_with_mirror(void)
{
	struct rawsrv *s = rawsrv_start(RAWSRV_SITE);
	const char *db = it_db_path("mirror.db");
	char seed[64], warc[512], dir[512], file[600];
	const char *argv[] = {"crawl", "-q", "--no-robots", "--db", db,
	    "--mirror", dir, "--warc", warc, seed, NULL};
	const char *one[] = {warc, NULL};
	struct readback rb;

	snprintf(seed, sizeof(seed), "http://127.0.0.1:%u/", rawsrv_port(s));
	snprintf(warc, sizeof(warc), "%s/mirrored.warc.gz", it_tmpdir());
	snprintf(dir, sizeof(dir), "%s/mirror", it_tmpdir());
	CHECK_INT(it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 0);
	snprintf(
	    file, sizeof(file), "%s/127.0.0.1_%u/img.bin", dir, rawsrv_port(s));
	CHECK(access(file, R_OK) == 0);
	CHECK_INT(verify(one), 0);
	REQUIRE(read_back(warc, &rb) == 0);
	check_rows(db, &rb);
	check_pages(db, &rb,
	    db_int(db, "SELECT count(*) FROM pages WHERE state = 'done'"));
	CHECK_INT(count_type(&rb, "response"), SITE_PAGES);
	readback_free(&rb);
	rawsrv_stop(s);
}

/* Pages in the crash test's tree: 1 + 4 + 16 + 64. */
#define TREE_PAGES 85

/* A 4-ary tree of depth 3 under /t/, 15 ms a page. */
static int
tree_gen(const char *path, struct testsrv_page *pg, char *buf, size_t size,
    void *arg)
{
	size_t depth;

	(void)arg;
	if (strncmp(path, "/t/", 3) != 0 || (depth = strlen(path) - 3) > 3)
		return 0;
	snprintf(buf, size,
	    "<a href=\"%s0\">0</a><a href=\"%s1\">1</a><a href=\"%s2\">2</a>"
	    "<a href=\"%s3\">3</a>",
	    path, path, path, path);
	pg->body = depth < 3 ? buf : "<p>leaf</p>";
	pg->delay_ms = 15;
	return 1;
}

/*
 * SIGKILL mid-crawl, then the same command: the resume cuts what was not
 * committed (a partial record, or whole records of pages the database
 * does not have as done) and appends. The WARC verifies, and every page
 * has exactly one response record, whatever the kill interrupted.
 */
static void
test_kill_and_resume(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path("crash.db");
	char seed[128], warc[512];
	const char *argv[] = {"crawl", "-q", "--no-robots", "--depth", "3",
	    "--concurrency", "4", "--db", db, "--warc", warc, seed, NULL};
	const char *one[] = {warc, NULL};
	struct readback rb;
	struct stat sb;
	long long done = 0, end;
	int pid, status, i;

	snprintf(seed, sizeof(seed), "%s/t/", testsrv_origin(s));
	snprintf(warc, sizeof(warc), "%s/crash.warc.gz", it_tmpdir());
	pid = it_spawn_crawld(argv);
	REQUIRE(pid > 0);
	/* Kill when 30 pages are committed and the file holds records the
	   database has not committed yet (between two batches): the
	   resume then has something to cut. */
	for (i = 0; i < 20000; i++) {
		usleep(1000);
		if (access(db, F_OK) != 0 ||
		    db_int(db,
			"SELECT count(*) FROM sqlite_master WHERE "
			"name = 'warc_records'") != 1)
			continue;
		done = db_int(db,
		    "SELECT count(*) FROM pages WHERE "
		    "state = 'done'");
		end = db_int(db,
		    "SELECT max(warc_offset + warc_length) FROM "
		    "warc_records");
		if (done >= 30 && stat(warc, &sb) == 0 && sb.st_size > end)
			break;
	}
	kill(pid, SIGKILL);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status));
	done = db_int(db, "SELECT count(*) FROM pages WHERE state = 'done'");
	CHECK(done >= 30 && done < TREE_PAGES);
	/* What the file holds past the last committed record is cut. */
	end = db_int(db,
	    "SELECT max(warc_offset + warc_length) FROM "
	    "warc_records");
	CHECK(stat(warc, &sb) == 0 && sb.st_size > end);
	fprintf(stderr,
	    "  killed at %lld pages, %lld bytes past the last "
	    "committed record\n",
	    done, (long long)sb.st_size - end);
	argv[1] = "-v";
	CHECK_INT(it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strstr(err, "after the last recorded record") != NULL);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages WHERE state = 'done'"),
	    TREE_PAGES);
	CHECK_INT(db_int(db, "SELECT count(*) FROM warc_files"), 1);
	if (verify(one) != 0)
		fprintf(stderr, "  verify:\n%s", out);
	CHECK_INT(verify(one), 0);
	REQUIRE(read_back(warc, &rb) == 0);
	/* Two warcinfo records: the first run's and the resume's. */
	CHECK_INT(count_type(&rb, "warcinfo"), 2);
	check_rows(db, &rb);
	check_pages(db, &rb, TREE_PAGES);
	readback_free(&rb);
	testsrv_stop(s);
}

/* The tool named by env var (as CMake found it); NULL when missing. */
static const char *
tool_path(const char *var)
{
	const char *p = getenv(var);

	if (p == NULL || *p == '\0' || strstr(p, "NOTFOUND") != NULL ||
	    access(p, X_OK) != 0) {
		fprintf(
		    stderr, "  %s not found: run scripts/setup-deps.sh\n", var);
		return NULL;
	}
	return p;
}

/*
 * An HTTP/2 crawl (nghttpd over TLS, as it_http2 runs it): the exchanges
 * are archived in HTTP/1.1 syntax (status line "HTTP/1.1 200 OK", request
 * line "... HTTP/1.1"), warcinfo says so, and the WARC verifies.
 */
static void
test_http2_in_http1_syntax(void)
{
	const char *nghttpd = tool_path("CRAWLD_NGHTTPD");
	const char *openssl = tool_path("CRAWLD_OPENSSL");
	const char *dir = it_tmpdir();
	const char *db = it_db_path("h2.db");
	char cmd[2048], site[512], key[512], cert[512], log[512], seed[128],
	    warc[512], path[600], line[1024];
	const char *argv[] = {"crawl", "-q", "--no-robots", "--ca-file", cert,
	    "--db", db, "--warc", warc, seed, NULL};
	const char *one[] = {warc, NULL};
	struct readback rb;
	unsigned port = it_free_port(), h2 = 0;
	size_t i;
	FILE *f;
	int pid;

	REQUIRE(nghttpd != NULL && openssl != NULL && port != 0);
	snprintf(site, sizeof(site), "%s/h2site", dir);
	snprintf(key, sizeof(key), "%s/h2key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/h2cert.pem", dir);
	snprintf(log, sizeof(log), "%s/h2nghttpd.log", dir);
	snprintf(warc, sizeof(warc), "%s/h2.warc.gz", dir);
	snprintf(cmd, sizeof(cmd),
	    "mkdir -p '%s' && '%s' req -x509 -newkey rsa:2048 -nodes "
	    "-keyout '%s' -out '%s' -days 1 -subj /CN=127.0.0.1 "
	    "-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
	    site, openssl, key, cert);
	REQUIRE(system(cmd) == 0);
	snprintf(path, sizeof(path), "%s/index.html", site);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("<a href=\"/a.html\">a</a><a href=\"/b.html\">b</a>", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a.html", site);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("<p>a</p>", f);
	fclose(f);
	pid = fork();
	if (pid == 0) {
		char portstr[16];

		if (freopen(log, "w", stdout) == NULL)
			_exit(127);
		dup2(1, 2);
		snprintf(portstr, sizeof(portstr), "%u", port);
		alarm(60);
		execl(nghttpd, "nghttpd", "-v", "-a", "127.0.0.1", "-d", site,
		    portstr, key, cert, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && !it_port_open(port); i++)
		usleep(10000);
	REQUIRE(it_port_open(port));
	snprintf(seed, sizeof(seed), "https://127.0.0.1:%u/", port);
	CHECK_INT(it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 0);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	/* It really was HTTP/2: the server logged HEADERS frames. */
	f = fopen(log, "r");
	REQUIRE(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL)
		h2 += strstr(line, "recv HEADERS frame") != NULL;
	fclose(f);
	CHECK_INT(h2, 3);
	CHECK_INT(verify(one), 0);
	REQUIRE(read_back(warc, &rb) == 0);
	check_rows(db, &rb);
	check_pages(db, &rb, 3);
	for (i = 0; i < json_array_size(rb.records); i++) {
		const json_t *r = json_array_get(rb.records, i);
		const char *sl = jstr(r, "statusline");

		if (strcmp(jstr(r, "type"), "response") == 0)
			CHECK(strncmp(sl, "HTTP/1.1 ", 9) == 0 &&
			    (jint(r, "status") != 200 ||
				strcmp(sl, "HTTP/1.1 200 OK") == 0));
		if (strcmp(jstr(r, "type"), "request") == 0)
			CHECK(strlen(sl) > 9 &&
			    strcmp(sl + strlen(sl) - 9, " HTTP/1.1") == 0);
	}
	readback_free(&rb);
	snprintf(cmd, sizeof(cmd),
	    "zcat '%s' | grep -c 'http-header-syntax: HTTP/2 exchanges'", warc);
	{
		int status;
		char *text = run_capture(cmd, &status);

		CHECK(text != NULL && atoi(text) == 1);
		free(text);
	}
}

/*
 * The WARC cannot be written (a full disk: RLIMIT_FSIZE below the size of
 * a 1 MiB record): the crawl ends with the error (exit 1), the file is cut
 * back to its last whole record and the page is not done. The same command
 * without the limit fetches the page again and the WARC verifies, with the
 * page once.
 */
static void
test_disk_full(void)
{
	struct rawsrv *s = rawsrv_start(RAWSRV_SITE);
	const char *db = it_db_path("full.db");
	char seed[64], warc[512];
	const char *argv[] = {"crawl", "-q", "--no-robots", "--db", db,
	    "--warc", warc, seed, NULL};
	const char *one[] = {warc, NULL};
	struct readback rb;
	struct stat sb;

	snprintf(seed, sizeof(seed), "http://127.0.0.1:%u/big", rawsrv_port(s));
	snprintf(warc, sizeof(warc), "%s/full.warc.gz", it_tmpdir());
	CHECK_INT(it_run_crawld_fsize(argv, 512 * 1024, err, sizeof(err)), 1);
	if (strstr(err, "File too large") == NULL)
		fprintf(stderr, "  stderr: %s\n", err);
	CHECK(strstr(err, "full.warc.gz: File too large") != NULL);
	CHECK(stat(warc, &sb) == 0 &&
	    sb.st_size ==
		db_int(db,
		    "SELECT max(warc_offset + warc_length) "
		    "FROM warc_records"));
	CHECK_INT(db_int(db, "SELECT count(*) FROM warc_records"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state = 'done'"), 0);
	CHECK_INT(verify(one), 0);
	CHECK_INT(it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_INT(verify(one), 0);
	REQUIRE(read_back(warc, &rb) == 0);
	check_rows(db, &rb);
	check_pages(db, &rb, 1);
	readback_free(&rb);
	rawsrv_stop(s);
}

/* --warc in a directory that does not exist: bad usage, no database. */
static void
test_bad_path(void)
{
	const char *db = it_db_path("badpath.db");
	const char *argv[] = {"crawl", "--db", db, "--warc",
	    "/nonexistent/dir/x.warc.gz", "http://127.0.0.1:1/", NULL};

	CHECK_INT(it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(strstr(err, "--warc /nonexistent/dir/x.warc.gz") != NULL);
	CHECK(access(db, F_OK) != 0);
}

static const struct test tests[] = {
    TEST(site_reads_back),
    TEST(with_mirror),
    TEST(kill_and_resume),
    TEST(http2_in_http1_syntax),
    TEST(disk_full),
    TEST(bad_path),
};

TEST_MAIN(tests)
