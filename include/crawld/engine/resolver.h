/* SPDX-License-Identifier: MIT */
/*
 * resolver.h - getaddrinfo() off the loop thread, so a host name that
 * resolves slowly (or never) holds up only what waits for it, not every
 * crawl and the daemon's API with it. getaddrinfo() itself, not evdns:
 * /etc/hosts, nsswitch and the system's resolver behave exactly as for
 * any other program.
 *
 * Threading: the loop thread submits lookups to a bounded queue
 * (RESOLVER_MAX_QUEUE); up to RESOLVER_MAX_THREADS worker threads, started
 * as lookups come and gone when the queue is empty, run them; an answer
 * comes back on the loop thread through the done callback, from a
 * libevent event on a pipe the workers write to (as parsepool.c does),
 * never from a worker. Every lookup has a deadline: when it passes, done()
 * gets RESOLVER_TIMEOUT at once and the lookup's late answer, whenever it
 * comes, is dropped.
 *
 * Ownership: the caller owns the resolver; the resolver owns its lookups,
 * their results (lent to done() for the call), the pipe and the event,
 * and borrows the event_base. resolver_free() never waits for a lookup in
 * progress (getaddrinfo() cannot be interrupted): a worker still inside
 * one keeps what it shares with the loop alive by a reference and frees
 * it when the call returns, without a callback. Every function but the
 * workers' is for the loop thread only.
 */
#ifndef CRAWLD_RESOLVER_H
#define CRAWLD_RESOLVER_H

#include <event2/event.h>
#include <netdb.h>
#include <stdint.h>

#include "crawld/base/common.h"

/* Lookups queued or in a worker's hands at once, per resolver. */
#define RESOLVER_MAX_QUEUE 4096
/* Worker threads at most, per resolver. */
#define RESOLVER_MAX_THREADS 4

enum resolver_status {
	RESOLVER_OK = 0,  /* res is getaddrinfo()'s list */
	RESOLVER_FAILED,  /* getaddrinfo() failed (gai_rc says why) */
	RESOLVER_TIMEOUT, /* no answer by the deadline */
};

struct resolver;

/*
 * A lookup's outcome, on the loop thread, exactly once per lookup
 * resolver_lookup() took, unless the resolver was freed first. name and
 * res (NULL unless RESOLVER_OK) are borrowed for the call. The callback
 * may call resolver_lookup() and resolver_free() on its resolver.
 */
typedef void resolver_done_cb(void *arg, const char *name,
    const struct addrinfo *res, enum resolver_status st, int gai_rc);

/* A resolver answering through done(arg); NULL on failure. */
struct resolver *resolver_new(
    struct event_base *base, resolver_done_cb *done, void *arg);

/*
 * Look name up (copied) with getaddrinfo(name, NULL, hints) (hints
 * copied; NULL: any family, SOCK_STREAM); done() is told within
 * timeout_ms. CW_ELIMIT when RESOLVER_MAX_QUEUE lookups are pending,
 * CW_ENOMEM when the lookup or its first thread cannot be made: then
 * done() is not called for it.
 */
CW_WARN_UNUSED enum cw_rc resolver_lookup(struct resolver *r, const char *name,
    const struct addrinfo *hints, uint32_t timeout_ms);

/* Lookups taken and not yet answered (or timed out). */
size_t resolver_pending(const struct resolver *r);

/*
 * Drop every pending lookup without calling done(), and free the
 * resolver; workers in getaddrinfo() finish on their own. Safe from
 * inside done(). NULL is a no-op.
 */
void resolver_free(struct resolver *r);

#endif /* CRAWLD_RESOLVER_H */
