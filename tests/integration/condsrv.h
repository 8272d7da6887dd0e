/* SPDX-License-Identifier: MIT */
/*
 * condsrv.h - a fixture web server for conditional requests (recrawl,
 * re-mirror): each page has a body and optionally an ETag and a
 * Last-Modified, all changeable while the server runs, and the server
 * answers 304 Not Modified to a request whose validators match, as RFC
 * 9110 13.2.2 orders the checks: If-None-Match first (a match is 304;
 * present but no match is 200, whatever If-Modified-Since says), then
 * If-Modified-Since (304 when it equals the page's Last-Modified; the
 * fixture compares the strings, as crawld sends back what it was given).
 * It logs every request with the validators it carried and the status it
 * got.
 *
 * An evhttp server on its own thread and event_base, on 127.0.0.1 and an
 * ephemeral port. The page table and the log are shared with the test
 * thread under a mutex; every call here is thread-safe. In bodies,
 * "%ORIGIN%" becomes "http://127.0.0.1:PORT". Unknown paths are 404.
 */
#ifndef CRAWLD_CONDSRV_H
#define CRAWLD_CONDSRV_H

#include <stdbool.h>
#include <stddef.h>

struct condsrv;

/* One logged request; the strings are copies ("" when absent). */
struct condsrv_req {
	char path[256];
	char if_none_match[256];
	char if_modified_since[64];
	int status; /* what was answered: 200, 304 or 404 */
};

/* Start a server with no pages. Aborts on failure (a test fixture). */
struct condsrv *condsrv_start(void);

/* Add or replace the page at path (every string copied; ctype NULL =
   text/html; etag, last_modified NULL = the header is not sent). */
void condsrv_set(struct condsrv *s, const char *path, const char *ctype,
    const char *body, const char *etag, const char *last_modified);

/* Requests received so far, and the i-th of them (false past the end). */
unsigned condsrv_requests(struct condsrv *s);
bool condsrv_request(struct condsrv *s, unsigned i, struct condsrv_req *out);

/* Requests for path answered with status (0 = any status). */
unsigned condsrv_count(struct condsrv *s, const char *path, int status);

/* "http://127.0.0.1:PORT" (borrowed). */
const char *condsrv_origin(const struct condsrv *s);

/* Stop the thread and free everything. */
void condsrv_stop(struct condsrv *s);

#endif /* CRAWLD_CONDSRV_H */
