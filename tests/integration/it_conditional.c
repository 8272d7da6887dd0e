/* SPDX-License-Identifier: MIT */
/*
 * it_conditional.c - the conditional-fetch plumbing of one worker slot
 * (fetch.c) against condsrv, a server that answers 304 to matching
 * validators and logs what each request carried. A slot's transfer is run
 * with curl_easy_perform() here, so these tests see exactly what
 * fetch_start() configures and fetch_finish() reads back, without the
 * engine around it: the validators a task carries go out as
 * If-None-Match / If-Modified-Since, a 304 comes back as not_modified
 * with no body and no hash, ETag and Last-Modified are read off every
 * response, and a 2xx body of any type is hashed (SHA-256): as it streams
 * when it is not kept, by its taker when it is (hash_body: the engine's
 * parse worker or the store hashes an HTML page; read here as they do).
 */
#include <stdio.h>
#include <string.h>

#include "condsrv.h"
#include "crawld/web/digest.h"
#include "crawld/engine/fetch.h"
#include "crawld/engine/frontier.h"
#include "harness.h"

#define LM1 "Tue, 01 Dec 2026 10:00:00 GMT"
#define LM2 "Tue, 01 Dec 2026 11:00:00 GMT"

static struct condsrv *srv;
static struct fetch *slot;
static const struct fetch_opts fopts = {
    "crawld-test/1", 10000, 10000, 1 << 20, NULL, NULL};

/* Fetch path with the given validators (NULL = none) on the one slot. */
static void
get(const char *path, const char *etag, const char *lm, int kind,
    struct fetch_result *res)
{
	char url[300];
	struct task t;
	CURLcode cc;

	snprintf(url, sizeof(url), "%s%s", condsrv_origin(srv), path);
	memset(&t, 0, sizeof(t));
	t.page_id = 1;
	t.kind = kind;
	t.url = url;
	t.etag = (char *)(uintptr_t)etag;
	t.last_modified = (char *)(uintptr_t)lm;
	memset(res, 0, sizeof(*res));
	if (fetch_start(slot, &t) != CW_OK) {
		fprintf(stderr, "  fetch_start failed\n");
		harness_failures++;
		return;
	}
	cc = curl_easy_perform(slot->easy);
	fetch_finish(slot, cc, res);
	slot->task = NULL;
}

/* The last request the server logged. */
static struct condsrv_req
last_req(void)
{
	struct condsrv_req r;
	unsigned n = condsrv_requests(srv);

	memset(&r, 0, sizeof(r));
	if (n == 0 || !condsrv_request(srv, n - 1, &r))
		harness_failures++;
	return r;
}

/* The SHA-256 of text as hex (static buffer, one at a time). */
static const char *
sha(const char *text)
{
	static char hex[DIGEST_SHA256_HEX];

	if (digest_sha256_hex(text, strlen(text), hex) != CW_OK)
		harness_failures++;
	return hex;
}

/* The content hash of r, as the engine takes it: the streamed one, or
   that of the kept body (static buffer). */
static const char *
hash_of(const struct fetch_result *r)
{
	static char hex[DIGEST_SHA256_HEX];

	if (!r->hash_body)
		return r->content_hash;
	return digest_sha256_hex(r->body, r->body_len, hex) == CW_OK ? hex
								     : NULL;
}

/* An unconditional fetch reads the validators and hashes the body; the
   same validators sent back get a 304 with no body and no hash. */
static void
test_etag_round_trip(void)
{
	struct fetch_result r;
	struct condsrv_req q;

	condsrv_set(srv, "/a", NULL, "<p>one</p>", "\"a1\"", LM1);
	get("/a", NULL, NULL, TASK_K_PAGE, &r);
	CHECK_INT(r.outcome, FETCH_OK);
	CHECK_INT(r.status, 200);
	CHECK(!r.not_modified);
	CHECK_STR(r.etag, "\"a1\"");
	CHECK_STR(r.last_modified, LM1);
	CHECK(r.hash_body && r.content_hash == NULL); /* kept: not streamed */
	CHECK_STR(hash_of(&r), sha("<p>one</p>"));
	q = last_req();
	CHECK_STR(q.if_none_match, "");
	CHECK_STR(q.if_modified_since, "");

	get("/a", "\"a1\"", LM1, TASK_K_PAGE, &r);
	q = last_req();
	CHECK_STR(q.if_none_match, "\"a1\"");
	CHECK_STR(q.if_modified_since, LM1);
	CHECK_INT(q.status, 304);
	CHECK_INT(r.outcome, FETCH_OK);
	CHECK_INT(r.status, 304);
	CHECK(r.not_modified);
	CHECK_INT(r.bytes, 0);
	CHECK(r.body == NULL || r.body_len == 0);
	CHECK(hash_of(&r) == NULL);
	CHECK_STR(r.etag, "\"a1\""); /* a 304 repeats them */
	CHECK_STR(r.last_modified, LM1);
}

/* The page changed: the old validators get a 200, a new hash and the new
   validators. */
static void
test_changed_page(void)
{
	struct fetch_result r;
	char before[DIGEST_SHA256_HEX];

	condsrv_set(srv, "/c", NULL, "<p>v1</p>", "\"c1\"", LM1);
	get("/c", NULL, NULL, TASK_K_PAGE, &r);
	REQUIRE(hash_of(&r) != NULL);
	snprintf(before, sizeof(before), "%s", hash_of(&r));
	condsrv_set(srv, "/c", NULL, "<p>v2</p>", "\"c2\"", LM2);
	get("/c", "\"c1\"", LM1, TASK_K_PAGE, &r);
	CHECK_INT(r.status, 200);
	CHECK(!r.not_modified);
	CHECK_STR(r.etag, "\"c2\"");
	CHECK_STR(r.last_modified, LM2);
	CHECK_STR(hash_of(&r), sha("<p>v2</p>"));
	CHECK(hash_of(&r) != NULL && strcmp(hash_of(&r), before) != 0);
	CHECK_INT(r.bytes, 9);
}

/* A server that only knows dates: If-Modified-Since alone gets its 304,
   and only the header that has a value is sent. */
static void
test_last_modified_only(void)
{
	struct fetch_result r;
	struct condsrv_req q;

	condsrv_set(srv, "/d", "text/plain", "plain", NULL, LM1);
	get("/d", NULL, NULL, TASK_K_PAGE, &r);
	CHECK(r.etag == NULL);
	CHECK_STR(r.last_modified, LM1);
	CHECK_STR(r.content_hash, sha("plain")); /* not HTML: hashed too, */
	CHECK(r.body == NULL && !r.hash_body);	 /* as it came: not kept */
	get("/d", NULL, LM1, TASK_K_PAGE, &r);
	q = last_req();
	CHECK_STR(q.if_none_match, "");
	CHECK_STR(q.if_modified_since, LM1);
	CHECK(r.not_modified);
	CHECK(hash_of(&r) == NULL);
}

/* A slot is reused: the task after a conditional one sends nothing of
   it. */
static void
test_slot_reuse_clears(void)
{
	struct fetch_result r;
	struct condsrv_req q;

	condsrv_set(srv, "/e", NULL, "<p>e</p>", "\"e1\"", NULL);
	get("/e", "\"e1\"", NULL, TASK_K_PAGE, &r);
	CHECK(r.not_modified);
	get("/e", NULL, NULL, TASK_K_PAGE, &r);
	q = last_req();
	CHECK_STR(q.if_none_match, "");
	CHECK_INT(r.status, 200);
	CHECK(!r.not_modified);
	CHECK_STR(hash_of(&r), sha("<p>e</p>"));
}

/* A stored validator with a line break is never sent (it would start a
   header of its own), nor is one over the length cap. */
static void
test_validator_injection_refused(void)
{
	struct fetch_result r;
	struct condsrv_req q;
	char big[2048];

	condsrv_set(srv, "/f", NULL, "<p>f</p>", "\"f1\"", NULL);
	get("/f", "\"f1\"\r\nX-Evil: 1", NULL, TASK_K_PAGE, &r);
	q = last_req();
	CHECK_STR(q.if_none_match, "");
	CHECK_INT(r.status, 200);
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '"';
	big[sizeof(big) - 2] = '"';
	big[sizeof(big) - 1] = '\0';
	get("/f", big, NULL, TASK_K_PAGE, &r);
	q = last_req();
	CHECK_STR(q.if_none_match, "");
	CHECK_INT(r.status, 200);
}

/* Only a 2xx body has a hash; a gate (robots.txt) task sends no
   validators and hashes nothing. */
static void
test_no_hash_outside_2xx(void)
{
	struct fetch_result r;
	struct condsrv_req q;

	get("/missing", NULL, NULL, TASK_K_PAGE, &r);
	CHECK_INT(r.status, 404);
	CHECK(hash_of(&r) == NULL);
	condsrv_set(srv, "/robots.txt", "text/plain", "User-agent: *\n",
	    "\"r1\"", NULL);
	get("/robots.txt", "\"r1\"", NULL, TASK_K_GATE, &r);
	q = last_req();
	CHECK_STR(q.if_none_match, "");
	CHECK_INT(r.status, 200);
	CHECK(hash_of(&r) == NULL);
	CHECK(!r.not_modified);
}

/* An empty 2xx body has the empty message's hash. */
static void
test_empty_body_hash(void)
{
	struct fetch_result r;

	condsrv_set(srv, "/empty", NULL, "", NULL, NULL);
	get("/empty", NULL, NULL, TASK_K_PAGE, &r);
	CHECK_INT(r.status, 200);
	CHECK_STR(hash_of(&r), sha(""));
}

static const struct test tests[] = {
    TEST(etag_round_trip),
    TEST(changed_page),
    TEST(last_modified_only),
    TEST(slot_reuse_clears),
    TEST(validator_injection_refused),
    TEST(no_hash_outside_2xx),
    TEST(empty_body_hash),
};

/* One server and one slot for every test, as an engine reuses its slots. */
int
main(int argc, char **argv)
{
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	srv = condsrv_start();
	slot = fetch_new(&fopts, NULL);
	if (slot == NULL)
		return 1;
	rc = harness_run(tests, CW_NELEM(tests), argc, argv);
	fetch_free(slot);
	condsrv_stop(srv);
	curl_global_cleanup();
	return rc;
}
