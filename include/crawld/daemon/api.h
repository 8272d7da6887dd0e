/* SPDX-License-Identifier: MIT */
/*
 * api.h - the control API: HTTP/1.1 on libevent's evhttp, on a loopback
 * TCP address or a Unix socket, JSON in and out (jansson). The routes and
 * shapes are CONTRACT.md's "Daemon" table:
 *
 *   POST /crawls            submit        GET /crawls          list
 *   GET /crawls/{id}        one job       DELETE /crawls/{id}  cancel
 *   POST /crawls/{id}/pause, /resume, /seeds
 *   GET /metrics            Prometheus    GET /healthz         liveness
 *
 * Bad requests get a 4xx and {"error": "..."}: malformed JSON, unknown
 * fields, bad option values, unknown routes (404) and methods (405 with
 * Allow), a missing or wrong token (401). Bodies over API_MAX_BODY, with
 * a Content-Length or chunked, are refused by evhttp before it reads them
 * (413), and a request line or headers it cannot read, or headers over
 * API_MAX_HEADERS (400); its HTML pages for them are rewritten into the
 * same JSON error before they are written (api.c says how), and the
 * connection is closed. Slow clients time out after API_TIMEOUT_S of
 * silence. None of it touches a running crawl.
 *
 * Owns the evhttp server, the listening socket (a Unix socket's path is
 * unlinked at api_free) and the token. Borrows the event base and jobs.
 * Loop thread only.
 */
#ifndef CRAWLD_API_H
#define CRAWLD_API_H

#include <event2/buffer.h>
#include <event2/event.h>

#include "crawld/conf/config.h"
#include "crawld/daemon/jobs.h"

#define API_MAX_BODY (1024 * 1024)
#define API_MAX_HEADERS (16 * 1024)
#define API_TIMEOUT_S 10

struct api;

/* Render /metrics into out; false on failure (the API answers 500). */
typedef bool api_metrics_cb(void *arg, struct evbuffer *out);

/*
 * Listen on l (borrowed for the call) and serve jobs (borrowed). token is
 * copied (NULL: no token needed). A Unix socket left by a dead daemon is
 * replaced; one a live daemon answers on is an error. NULL on failure
 * with err set.
 */
struct api *api_new(struct event_base *base, const struct config_listen *l,
    const char *token, struct jobs *jobs, api_metrics_cb *metrics,
    void *metrics_arg, char *err, size_t errlen);

/* Replace the token (NULL: none needed), e.g. after SIGHUP. */
CW_WARN_UNUSED enum cw_rc api_set_token(struct api *a, const char *token);

/* The address really listened on ("127.0.0.1:43121", "unix:/p"). */
const char *api_address(const struct api *a);

/* Stop listening, close every connection, unlink the socket. NULL no-op. */
void api_free(struct api *a);

/* Requests answered, by status class (index status / 100), for /metrics. */
void api_get_counts(const struct api *a, uint64_t counts[6]);

#endif /* CRAWLD_API_H */
