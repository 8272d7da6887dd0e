/* SPDX-License-Identifier: MIT */
/*
 * fetch.h - one worker slot: a reusable curl easy handle, a capped body
 * buffer and the outcome of the transfer it carries.
 *
 * States: FETCH_ST_IDLE -> fetch_start() -> FETCH_ST_RUNNING -> the multi
 * handle reports completion -> fetch_finish() -> FETCH_ST_IDLE. Every change
 * goes through one function that logs "old -> new" at debug level.
 *
 * The easy handle is kept across tasks, so connections, the DNS cache and
 * TLS sessions are reused (libcurl keeps them in the multi handle's pool).
 * Redirects are not followed by libcurl: a 3xx with a Location is reported
 * as redirect_url for the engine to treat as a discovered link.
 *
 * Only text/html and application/xhtml+xml bodies are kept in memory (for
 * link extraction), text/css ones when keep_css is set (page requisites),
 * any body when keep_all is set (an observer, the mirror,
 * wants it), and any body of a gate task (robots.txt, which also follows up to
 * 5 redirects); other bodies are counted and dropped. Decoded bytes past
 * max_size abort the transfer: the outcome is FETCH_TOO_BIG.
 *
 * Conditional fetches (recrawl, re-mirror): a page task that carries
 * validators (task->etag, task->last_modified) is sent with If-None-Match
 * and If-Modified-Since, each value exactly as the server gave it (RFC
 * 9110 13.1.1, 13.1.3). A 304 to such a request is FETCH_OK with
 * not_modified set and no body. Every response's ETag and Last-Modified
 * come back in the result, and every page body is hashed (SHA-256 of the
 * decoded bytes) as it streams in; the hash is reported for 2xx only.
 *
 * Owns the easy handle and the body; borrows the task (from the frontier).
 * Loop thread only.
 */
#ifndef CRAWLD_FETCH_H
#define CRAWLD_FETCH_H

#include <stdbool.h>
#include <curl/curl.h>
#include <sys/socket.h>

#include "crawld/base/buf.h"
#include "crawld/base/common.h"
#include "crawld/web/digest.h"

struct task;
struct fetch_capture;

enum fetch_state {
	FETCH_ST_IDLE = 0,
	FETCH_ST_RUNNING,
};

enum fetch_outcome {
	FETCH_OK = 0,  /* a complete response (any status) */
	FETCH_TOO_BIG, /* decoded body over max_size */
	FETCH_TIMEOUT, /* --timeout expired (also a stalled body) */
	FETCH_CONNECT, /* could not resolve or connect */
	FETCH_ERROR,   /* reset, protocol error, TLS, ... */
	FETCH_BLOCKED, /* the address check refused the connection */
};

/* Per-transfer settings; strings are borrowed and must outlive fetches. */
struct fetch_opts {
	const char *user_agent;
	long timeout_ms; /* whole transfer, 0 = none */
	long connect_timeout_ms;
	size_t max_size;     /* decoded body bytes */
	const char *ca_file; /* NULL = the system's CA bundle */
	const char *proxy;   /* NULL = none, whatever the environment says */
};

/*
 * Decides whether the task may talk to sa (the SSRF guard). Called from
 * inside libcurl, when a socket is to be opened (CURLOPT_OPENSOCKETFUNCTION)
 * and again before each request is sent on a new or reused connection
 * (CURLOPT_PREREQFUNCTION): it must not call curl_multi_* or free
 * anything. A refusal makes the outcome FETCH_BLOCKED.
 */
typedef bool fetch_addr_check_cb(
    void *arg, const struct task *t, const struct sockaddr *sa);

struct fetch {
	CURL *easy;	   /* owned, reused */
	struct task *task; /* borrowed while running */
	struct buf body;   /* owned; HTML bodies only */
	size_t bytes;	   /* decoded body bytes seen */
	bool keep_body;	   /* decided at the first byte */
	bool keep_all;	   /* keep any body (set before fetch_start: a
			      crawl observer asked for bodies) */
	bool keep_css;	   /* keep text/css bodies too (page requisites) */
	bool too_big;
	bool blocked;			 /* addr_check said no */
	fetch_addr_check_cb *addr_check; /* NULL = any address */
	void *addr_check_arg;		 /* borrowed */
	enum fetch_state state;
	char errbuf[CURL_ERROR_SIZE];
	uint64_t started_us;
	/* The exchange for an archive (capture.h): the engine sets capture
	   before fetch_start(); cap is made on first use, owned, reused. */
	bool capture;
	bool capturing; /* this transfer is captured */
	struct fetch_capture *cap;
	/* The options of the transfer: &applied once fetch_use_opts() ran
	   (the caller's struct may be gone before the transfer ends). */
	const struct fetch_opts *opts;
	bool opts_mixed; /* fetch_use_opts() failed half-way */
	/* What the handle carries now (fetch_use_opts compares with it):
	   its strings are the slot's own copies. */
	struct fetch_opts applied;
	char *applied_ua, *applied_ca, *applied_proxy; /* owned */
	void *owner; /* borrowed: the engine */
	/* Conditional fetch and content facts (fetch_cond_*() in fetch.c): */
	struct digest *hash;		 /* owned: SHA-256 of the body */
	bool hashing;			 /* a page task: the body is hashed */
	struct curl_slist *cond_headers; /* owned: the request's validators */
	bool conditional;		 /* validators were sent */
	char *etag;			 /* owned: the response's ETag */
	char *last_modified;		 /* owned: its Last-Modified */
	char content_hash[DIGEST_SHA256_HEX];
};

/* The outcome read off a finished transfer; pointers are borrowed from the
   fetch (valid until its next fetch_start). */
struct fetch_result {
	enum fetch_outcome outcome;
	const char *error;	  /* NULL for FETCH_OK */
	long status;		  /* 0 without a response */
	const char *content_type; /* NULL when absent */
	const char *redirect_url; /* absolute, for a 3xx */
	const char *effective_url;
	int64_t bytes;	  /* decoded body bytes */
	const char *body; /* NULL unless kept (HTML) */
	size_t body_len;
	bool is_html;
	long retry_after_s; /* Retry-After in seconds (date or delta), 0 */
	const char *etag;   /* the response's ETag; NULL when absent */
	const char *last_modified; /* its Last-Modified; NULL when absent */
	/* SHA-256 of the decoded body, lower-case hex: a page's 2xx
	   response only (also for an empty body); NULL otherwise, and NULL
	   with hash_body when the body was kept: then whoever takes the
	   body hashes it (a parse worker, or the store's writer thread:
	   store_result.body), so the loop thread hashes no kept body. */
	const char *content_hash;
	bool hash_body;
	bool not_modified; /* a 304 to a conditional request: no body, the
			      page's earlier content stands */
	/* The exchange as sent and received (request head, response head,
	   raw body, address), when the slot captured it; else NULL. */
	const struct fetch_capture *capture;
};

/* A new idle slot; NULL on failure. */
struct fetch *fetch_new(const struct fetch_opts *opts, void *owner);

/*
 * Carry the next transfers with o (borrowed for the call: the slot keeps
 * its own copy, f->opts, so o may be a stack value): the User-Agent,
 * timeouts, size cap and CA file are set on the easy handle again when
 * they differ from the slot's current ones (so a slot serves crawls with
 * different options; libcurl keeps its connections). Idle slots only.
 * CW_ENOMEM when libcurl refused an option (the slot keeps its old ones).
 */
CW_WARN_UNUSED enum cw_rc fetch_use_opts(
    struct fetch *f, const struct fetch_opts *o);

/* Free an idle slot (detach it from the multi handle first). NULL no-op. */
void fetch_free(struct fetch *f);

/* Find the slot of an easy handle (CURLOPT_PRIVATE). */
struct fetch *fetch_from_easy(CURL *easy);

/* Configure the easy handle for task (borrowed) and mark it running; the
   caller then adds f->easy to the multi handle. */
CW_WARN_UNUSED enum cw_rc fetch_start(struct fetch *f, struct task *task);

/* Read the outcome of the finished transfer into *res and return to idle.
   The body stays readable through *res until the next fetch_start(). */
void fetch_finish(struct fetch *f, CURLcode result, struct fetch_result *res);

/* Return a slot whose transfer could not be added to the multi handle to
   idle (the task is the caller's again). */
void fetch_abandon(struct fetch *f);

/* "ok", "too-big", "timeout", "connect", "error", "blocked-address". */
const char *fetch_outcome_name(enum fetch_outcome o);

/* True for "text/html" and "application/xhtml+xml" (parameters ignored). */
bool fetch_is_html_type(const char *content_type);

/* True for "text/css" (parameters ignored). */
bool fetch_is_css_type(const char *content_type);

#endif /* CRAWLD_FETCH_H */
