/* SPDX-License-Identifier: MIT */
/*
 * testsrv.h - the in-process fixture web server for integration tests: a
 * libevent evhttp server on its own thread and event_base, bound to
 * 127.0.0.1 on an ephemeral port. It serves a declarative site table (or a
 * generator callback, or a directory) and counts what it was asked:
 * requests per path, the peak number of requests in flight (received, not
 * yet answered) and the total.
 *
 * In page bodies and Location values "%ORIGIN%" is replaced by
 * "http://127.0.0.1:PORT".
 */
#ifndef CRAWLD_TESTSRV_H
#define CRAWLD_TESTSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct testsrv_page {
	const char *path;	  /* path + query, e.g. "/a?x=1" */
	int status;		  /* 0 = 200 */
	const char *content_type; /* NULL = text/html */
	const char *body;	  /* NULL = "" */
	const char *location;	  /* Location header, or NULL */
	unsigned delay_ms;	  /* wait before answering */
};

/* Fill *out for path (a generated site); return 0 for 404. out->body may
   point into buf (size bufsize). */
typedef int testsrv_gen_cb(const char *path, struct testsrv_page *out,
    char *buf, size_t bufsize, void *arg);

struct testsrv;

/* Serve a table of pages (borrowed: must outlive the server). */
struct testsrv *testsrv_start(const struct testsrv_page *pages, size_t n);

/* Serve a table of pages on another loopback address (e.g. 127.0.0.2). */
struct testsrv *testsrv_start_on(
    const char *addr, const struct testsrv_page *pages, size_t n);

/* The first n requests for path get status (with Retry-After: retry_after
   unless NULL) instead of the page. At most 8 such rules. */
void testsrv_fail_first(struct testsrv *s, const char *path, unsigned n,
    int status, const char *retry_after);

/*
 * Hold every answer for path (path + query, exactly; whatever a fail-first
 * rule or the page says): the request is received and counted but not
 * answered until it is released. This is how a test acts while a request
 * is known to be on its way, without sleeping. At most 8 held paths (the
 * path is copied). Answers still held when the server stops are dropped.
 */
void testsrv_hold(struct testsrv *s, const char *path);

/* Answers held right now: all of them, or those for path. */
unsigned testsrv_held(struct testsrv *s);
unsigned testsrv_held_path(struct testsrv *s, const char *path);

/* Wait (polling, at most 60 s) until n requests for path are held; false
   when they never came. For tests whose crawler runs in another process. */
bool testsrv_wait_held(struct testsrv *s, const char *path, unsigned n);

/* Stop holding (every path, or path) and answer what was held for it,
   oldest first (each after its page's delay, if it has one). Any thread. */
void testsrv_release(struct testsrv *s);
void testsrv_release_path(struct testsrv *s, const char *path);

/* Serve generated pages. */
struct testsrv *testsrv_start_gen(testsrv_gen_cb *gen, void *arg);

/* Serve generated pages on addr:port (port 0 = ephemeral). */
struct testsrv *testsrv_start_gen_on(
    const char *addr, uint16_t port, testsrv_gen_cb *gen, void *arg);

/* Serve files under root on addr:port (port 0 = ephemeral). */
struct testsrv *testsrv_start_dir(
    const char *root, const char *addr, uint16_t port);

/* Stop keeping per-path counts (a linear table of 4096 paths, too slow
   for benchmark-sized sites); totals are still kept. Call before any
   request arrives. */
void testsrv_no_path_stats(struct testsrv *s);

/* Delay every response by ms (on top of the page's own delay). */
void testsrv_set_delay(struct testsrv *s, unsigned ms);

uint16_t testsrv_port(const struct testsrv *s);
/* "http://127.0.0.1:PORT" (borrowed). */
const char *testsrv_origin(const struct testsrv *s);

unsigned testsrv_hits(struct testsrv *s, const char *path);
unsigned testsrv_total(struct testsrv *s);
/* The most requests any one path got, and how many distinct paths. */
unsigned testsrv_max_hits(struct testsrv *s, unsigned *npaths);
unsigned testsrv_max_in_flight(struct testsrv *s);
/* Requests that carried an Authorization or a Cookie header. */
unsigned testsrv_auth_or_cookie(struct testsrv *s);

/* Send "Set-Cookie: value" with every response. */
void testsrv_set_cookie(struct testsrv *s, const char *value);

/* The User-Agent of the last request (copied into buf). */
void testsrv_last_user_agent(struct testsrv *s, char *buf, size_t size);

/* The i-th request received (0-based): its path copied into buf and the
   time it arrived (monotonic ms); -1 when there were not that many. */
long long testsrv_request_at(
    struct testsrv *s, unsigned i, char *buf, size_t size);

/* Stop the thread and free everything. */
void testsrv_stop(struct testsrv *s);

#endif /* CRAWLD_TESTSRV_H */
