/* SPDX-License-Identifier: MIT */
/*
 * frontier.h - the work queue: per-host FIFO queues, a politeness clock per
 * host, and the task_done/join accounting that decides when a crawl is over.
 *
 * Every task goes queued -> in flight -> gone exactly once:
 *   frontier_push()   queued      (the frontier owns the task from here)
 *   frontier_take()   in flight   (the caller borrows it)
 *   frontier_done()   gone        (freed; call it only after the task's
 *                                  children were pushed, so the frontier
 *                                  can never look idle while a finished
 *                                  page is about to add work)
 * frontier_idle() is true only when nothing is queued AND nothing is in
 * flight. The invariant queued + in_flight == live tasks is asserted in
 * debug builds.
 *
 * Hosts are keyed by origin ("scheme://host[:port]") and shared by every
 * crawl in the process, so a per-host budget is one budget no matter how
 * many jobs touch the host. A host is eligible when it has queued tasks, is
 * not gated (e.g. waiting for its robots.txt) and has fewer than per_host
 * tasks in flight; eligible hosts wait in a min-heap ordered by the time
 * their delay lets the next request start (ties: longest waiting first),
 * so a host that must wait holds no worker slot and cannot starve others.
 *
 * Pure bookkeeping: no I/O, no loop. Not thread-safe (the loop thread owns
 * it).
 */
#ifndef CRAWLD_FRONTIER_H
#define CRAWLD_FRONTIER_H

#include <stdbool.h>

#include "crawld/base/common.h"

struct frontier;
struct host;

enum task_kind {
	TASK_K_PAGE = 0, /* a page row to fetch */
	TASK_K_GATE,	 /* opens a gated host (its robots.txt) */
};

/*
 * What a conditional fetch sends (RFC 9110 13.1): the validators the page's
 * last response carried. Strings are borrowed for the push only.
 */
struct task_validators {
	const char *etag;	   /* If-None-Match; NULL = none */
	const char *last_modified; /* If-Modified-Since; NULL = none */
	/* The page was fetched before (a revisit, or a fetch again for a
	   shorter path): a failure keeps the facts of its earlier response
	   instead of replacing them. */
	bool refetch;
	/* refetch: the depth it was fetched at then, so a parse counts
	   only the links that fetch could not have recorded (discover.c) */
	int refetch_depth;
};

struct task {
	int64_t page_id; /* 0 for a gate task */
	int kind;	 /* enum task_kind */
	char *url;	 /* owned by the task */
	int depth;
	int attempts;	     /* fetches tried so far */
	char *etag;	     /* owned; NULL: no If-None-Match */
	char *last_modified; /* owned; NULL: no If-Modified-Since */
	bool refetch;	     /* see struct task_validators */
	int refetch_depth;   /* see struct task_validators */
	void *owner;	     /* borrowed: the crawl job it belongs to */
	struct host *host;   /* borrowed from the frontier */
	struct task *next;   /* frontier-internal: host FIFO link */
	int state;	     /* frontier-internal */
};

/* A new frontier; per_host and delay_ms are the defaults for new hosts. */
struct frontier *frontier_new(unsigned per_host, uint32_t delay_ms);

/* Free the frontier with every queued task and host. In-flight tasks must
   have been passed to frontier_done() first. NULL is a no-op. */
void frontier_free(struct frontier *f);

/*
 * Make a task for url (copied) and queue it on the host of origin. The
 * frontier owns it from here. CW_ENOMEM on failure (nothing queued).
 */
CW_WARN_UNUSED enum cw_rc frontier_push(struct frontier *f, const char *origin,
    const char *url, int64_t page_id, int depth, void *owner);

/* frontier_push() for a conditional fetch: the task carries copies of v's
   validators (v NULL: none), freed with it. */
CW_WARN_UNUSED enum cw_rc frontier_push_cond(struct frontier *f,
    const char *origin, const char *url, int64_t page_id, int depth,
    void *owner, const struct task_validators *v);

/*
 * Queue a gate task for url at the FRONT of origin's queue: the one kind of
 * task a gated host may start (its robots.txt fetch). The frontier owns it.
 */
CW_WARN_UNUSED enum cw_rc frontier_push_gate(
    struct frontier *f, const char *origin, const char *url, void *owner);

/*
 * Take the next task whose host may start a request at now_ms: queued ->
 * in flight. Returns NULL when none can start now; then *wait_ms is how long
 * until one can (UINT64_MAX when nothing is eligible at all: every host is
 * empty, gated or at its per-host limit).
 */
struct task *frontier_take(
    struct frontier *f, uint64_t now_ms, uint64_t *wait_ms);

/* In flight -> gone: frees the task. Exactly once per taken task. */
void frontier_done(struct frontier *f, struct task *t);

/*
 * In flight -> queued again at the front of its host's queue, not to start
 * before not_before_ms (a retry). The task stays the frontier's.
 */
void frontier_retry(struct frontier *f, struct task *t, uint64_t not_before_ms);

/* Drop every queued task of owner (a cancelled or stopping crawl); in-flight
   ones are left to finish. Returns how many were dropped. */
size_t frontier_drop_owner(struct frontier *f, void *owner);

/* nothing queued and nothing in flight. */
bool frontier_idle(const struct frontier *f);

size_t frontier_queued(const struct frontier *f);
size_t frontier_in_flight(const struct frontier *f);
size_t frontier_hosts(const struct frontier *f);

/* The host of origin, created (with the defaults) when missing; NULL on
   allocation failure. Borrowed from the frontier. */
struct host *frontier_host(struct frontier *f, const char *origin);

/* Per-host knobs. A gated host starts nothing until it is ungated. */
void host_set_gate(struct frontier *f, struct host *h, bool gated);
void host_set_delay(struct frontier *f, struct host *h, uint32_t delay_ms);
uint32_t host_delay(const struct host *h);
const char *host_origin(const struct host *h);
size_t host_in_flight(const struct host *h);
size_t host_queued(const struct host *h);
/* Opaque per-host data of the engine (robots rules, ...). The host owns
   it after host_set_data() and releases it with free_fn (old data too). */
void *host_data(const struct host *h);
void host_set_data(struct host *h, void *data, void (*free_fn)(void *));

#endif /* CRAWLD_FRONTIER_H */
