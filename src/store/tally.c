/* SPDX-License-Identifier: MIT */
/*
 * tally.c - pages by state per crawl (see tally.h). A small array searched
 * linearly: a daemon tallies its live jobs, tens of them, and a move is
 * one per page state change, not per link; the last crawl found is tried
 * first, since the writes of one crawl come in runs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/store/tally.h"

#define TALLY_CHECK(call)                                                      \
	do {                                                                   \
		if ((call) != 0)                                               \
			cw_assert_fail(#call " == 0", __FILE__, __LINE__);     \
	} while (0)

struct tally_entry {
	int64_t crawl_id;
	bool known; /* the base count has run */
	int64_t counts[TALLY_NSTATES];
};

struct tally {
	pthread_mutex_t mu;
	struct tally_entry *v; /* owned, under mu */
	size_t n, cap;	       /* under mu */
	size_t last;	       /* under mu: the entry found last */
	bool off;	       /* under mu: tally_disable() was called */
};

struct tally *
tally_new(void)
{
	struct tally *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if (pthread_mutex_init(&t->mu, NULL) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	TALLY_CHECK(pthread_mutex_destroy(&t->mu));
	free(t->v);
	free(t);
}

/* The entry of crawl_id or NULL (mu held). */
static struct tally_entry *
tally_find(struct tally *t, int64_t crawl_id)
{
	size_t i;

	if (t->last < t->n && t->v[t->last].crawl_id == crawl_id)
		return &t->v[t->last];
	for (i = 0; i < t->n; i++)
		if (t->v[i].crawl_id == crawl_id) {
			t->last = i;
			return &t->v[i];
		}
	return NULL;
}

/* Room for one more entry (mu held). */
static bool
tally_grow(struct tally *t)
{
	struct tally_entry *v;
	size_t cap;

	if (t->n < t->cap)
		return true;
	if (t->cap >= TALLY_MAX)
		return false;
	cap = t->cap == 0 ? 8 : t->cap * 2;
	if (cap > TALLY_MAX)
		cap = TALLY_MAX;
	v = realloc(t->v, cap * sizeof(*v));
	if (v == NULL)
		return false;
	t->v = v;
	t->cap = cap;
	return true;
}

bool
tally_want(struct tally *t, int64_t crawl_id)
{
	struct tally_entry *e;
	bool added = false;

	TALLY_CHECK(pthread_mutex_lock(&t->mu));
	if (!t->off && tally_find(t, crawl_id) == NULL && tally_grow(t)) {
		e = &t->v[t->n++];
		memset(e, 0, sizeof(*e));
		e->crawl_id = crawl_id;
		added = true;
	}
	TALLY_CHECK(pthread_mutex_unlock(&t->mu));
	return added;
}

void
tally_set(
    struct tally *t, int64_t crawl_id, const int64_t counts[TALLY_NSTATES])
{
	struct tally_entry *e;

	TALLY_CHECK(pthread_mutex_lock(&t->mu));
	if ((e = tally_find(t, crawl_id)) != NULL) {
		memcpy(e->counts, counts, sizeof(e->counts));
		e->known = true;
	}
	TALLY_CHECK(pthread_mutex_unlock(&t->mu));
}

void
tally_move(struct tally *t, int64_t crawl_id, int from, int to)
{
	struct tally_entry *e;

	TALLY_CHECK(pthread_mutex_lock(&t->mu));
	/* Moves before the base count are in it already (it runs later in
	   write order), so only a known tally moves. */
	if ((e = tally_find(t, crawl_id)) != NULL && e->known) {
		if (from >= 0 && from < TALLY_NSTATES)
			e->counts[from]--;
		if (to >= 0 && to < TALLY_NSTATES)
			e->counts[to]++;
	}
	TALLY_CHECK(pthread_mutex_unlock(&t->mu));
}

bool
tally_get(struct tally *t, int64_t crawl_id, int64_t counts[TALLY_NSTATES])
{
	struct tally_entry *e;
	bool known = false;

	TALLY_CHECK(pthread_mutex_lock(&t->mu));
	if ((e = tally_find(t, crawl_id)) != NULL && e->known) {
		memcpy(counts, e->counts, sizeof(e->counts));
		known = true;
	}
	TALLY_CHECK(pthread_mutex_unlock(&t->mu));
	return known;
}

void
tally_forget(struct tally *t, int64_t crawl_id)
{
	struct tally_entry *e;

	TALLY_CHECK(pthread_mutex_lock(&t->mu));
	if ((e = tally_find(t, crawl_id)) != NULL) {
		*e = t->v[--t->n];
		t->last = 0;
	}
	TALLY_CHECK(pthread_mutex_unlock(&t->mu));
}

void
tally_forget_all(struct tally *t)
{
	if (t == NULL)
		return;
	TALLY_CHECK(pthread_mutex_lock(&t->mu));
	t->n = 0;
	t->last = 0;
	TALLY_CHECK(pthread_mutex_unlock(&t->mu));
}

void
tally_disable(struct tally *t)
{
	TALLY_CHECK(pthread_mutex_lock(&t->mu));
	t->off = true;
	t->n = 0;
	t->last = 0;
	TALLY_CHECK(pthread_mutex_unlock(&t->mu));
}
