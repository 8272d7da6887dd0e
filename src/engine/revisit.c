/* SPDX-License-Identifier: MIT */
/*
 * revisit.c - a revisit crawl (--revisit SECONDS, issue 11): a page that is
 * 'done' falls due again SECONDS after its last fetch and is fetched once
 * more, conditionally, with the ETag and Last-Modified its last response
 * gave (a 304 keeps the page's content facts; a new body gets a new hash,
 * and changed_at moves if the hash did).
 *
 * Due pages come from the store by time, never from memory: the pages
 * index is (crawl_id, state, fetched_at), and a cursor (the last
 * (fetched_at, id) paged in) walks it oldest first. Pages are paged in
 * only as the crawl's in-memory queue has room (--queue-memory), after any
 * spilled new pages, so memory stays bounded however many pages are done.
 * A page once paged in is behind the cursor until its fetch moves its
 * fetched_at past it; a restart starts the cursor again from the oldest
 * due page, which is what a page left in memory at the stop is.
 *
 * When nothing more is due, a timer wakes the pump when the next page
 * falls due (its fetched_at + SECONDS; SECONDS from now when no page is
 * done yet). Such a crawl never finishes by itself: only a stop (SIGINT,
 * pause, cancel) or an engine failure ends it.
 *
 * Owns struct crawl_revisit (the cursor and the timer); works on the
 * crawl's state through crawl.c's functions. Loop thread only.
 */
#include "engine_int.h"

struct crawl_revisit {
	struct store_due_cursor cur;
	int64_t next_us;     /* wall clock: look for due pages again then */
	struct event *timer; /* owned: wakes the pump at next_us */
	size_t loaded;	     /* pages of the current refill */
};

/* The revisit timer: more pages may be due. */
static void
crawl_revisit_wake(evutil_socket_t fd, short what, void *arg)
{
	struct crawl *c = arg;

	(void)fd;
	(void)what;
	engine_kick_(c->e);
}

/* The revisit state of a crawl with --revisit; CW_OK without one. */
enum cw_rc
crawl_revisit_init_(struct crawl *c)
{
	struct crawl_revisit *rv;

	if (c->opts->revisit_ms <= 0)
		return CW_OK;
	rv = calloc(1, sizeof(*rv));
	if (rv == NULL)
		return CW_ENOMEM;
	rv->timer = evtimer_new(c->e->base, crawl_revisit_wake, c);
	if (rv->timer == NULL) {
		free(rv);
		return CW_ENOMEM;
	}
	c->revisit = rv;
	return CW_OK;
}

/* Free the revisit state. */
void
crawl_revisit_free_(struct crawl *c)
{
	if (c->revisit == NULL)
		return;
	event_free(c->revisit->timer);
	free(c->revisit);
	c->revisit = NULL;
}

/* Whether the crawl goes on when nothing is queued or in flight. */
bool
crawl_revisiting_(const struct crawl *c)
{
	return c->revisit != NULL && !c->stopping && !c->e->halted;
}

/* One due page into the frontier, with its validators. */
static int
crawl_revisit_page(void *arg, const struct store_due_page *p)
{
	struct crawl *c = arg;
	struct task_validators v = {p->etag, p->last_modified, true, p->depth};
	int64_t seen;

	/* in flight again: a shorter path lowers it, not a second task */
	if (fpset_get(c->seen, p->url, &seen))
		(void)fpset_set(c->seen, p->url,
		    crawl_seen_pack(crawl_seen_id(seen), crawl_seen_depth(seen),
			CRAWL_SEEN_PENDING));
	if (crawl_push_task_(c, p->url, p->id, p->depth, &v) != CW_OK)
		return -1;
	c->revisit->loaded++;
	c->revisits++;
	return 0;
}

/* Arm the timer for when the next page falls due. */
static void
crawl_revisit_sleep(struct crawl *c, int64_t now)
{
	struct crawl_revisit *rv = c->revisit;
	int64_t first = 0, wait;
	struct timeval tv;
	enum cw_rc rc;

	rc = store_next_due(c->e->st, c->id, &rv->cur, &first);
	if (!engine_store_ok_(c->e, rc))
		return;
	rv->next_us = (first > 0 ? first : now) + c->opts->revisit_ms * 1000;
	wait = rv->next_us - now;
	if (wait < 1000)
		wait = 1000; /* due already (a clock step): soon, not a spin */
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	/* Without the timer the crawl would wait forever. */
	if (evtimer_add(rv->timer, &tv) != 0)
		engine_fail_(
		    c->e, CRAWL_END_ERROR, "cannot arm the revisit timer");
}

/*
 * Page due pages in while the in-memory queue is short (from the pump, as
 * crawl_refill_). New pages first: nothing is revisited while spilled
 * pages wait. A full load means more may be due at once; a short one
 * means all are in, and the timer is armed for the next.
 */
void
crawl_revisit_refill_(struct crawl *c)
{
	struct crawl_revisit *rv = c->revisit;
	int64_t now;
	size_t room;
	enum cw_rc rc;

	if (!crawl_revisiting_(c) || c->tasks.spilled > 0 ||
	    c->tasks.queued >= c->opts->queue_memory / 4)
		return;
	now = cw_wallclock_us();
	if (now < rv->next_us)
		return;
	room = c->opts->queue_memory - c->tasks.queued;
	rv->loaded = 0;
	rc = store_load_due(c->e->st, c->id, now - c->opts->revisit_ms * 1000,
	    &rv->cur, room, crawl_revisit_page, c);
	if (!engine_store_ok_(c->e, rc == CW_EINVAL ? CW_ENOMEM : rc))
		return;
	if (rv->loaded > 0)
		log_debug("engine: crawl %lld: %zu page(s) due for a revisit",
		    (long long)c->id, rv->loaded);
	if (rv->loaded == room) {
		rv->next_us = 0;
		return;
	}
	crawl_revisit_sleep(c, now);
}
