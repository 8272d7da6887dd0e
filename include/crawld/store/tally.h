/* SPDX-License-Identifier: MIT */
/*
 * tally.h - pages by state per crawl, kept up to date as the store's
 * writes change them, so a live crawl's counts are read without counting
 * (GET /crawls/{id}, /metrics: a GROUP BY over a 100,000-page crawl took
 * 15-20 ms of the network loop).
 *
 * The store feeds it: a base count of a crawl read in write order (on the
 * writer thread, so no write is counted twice or missed), then one move
 * per row whose state changes (SQLite triggers, store.c). A dropped batch
 * makes every tally unknown (tally_forget_all): the rows it moved are no
 * longer in the database, so the counts are read again.
 *
 * Threading: every function may be called from any thread (one mutex):
 * the writer thread moves, the loop thread reads. Owns its table.
 */
#ifndef CRAWLD_STORE_TALLY_H
#define CRAWLD_STORE_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "crawld/base/common.h"

/* One count per enum page_state (store.h's STORE_NSTATES). */
#define TALLY_NSTATES 5
/* Crawls tallied at once, past which tally_want() refuses (a daemon has
   a few live jobs; a finished one is forgotten). */
#define TALLY_MAX 4096

struct tally;

/* NULL when out of memory. */
struct tally *tally_new(void);

/* NULL is a no-op. */
void tally_free(struct tally *t);

/*
 * Ask for crawl_id to be tallied. true when the caller must now arrange
 * the base count (tally_set); false when it is already asked for or
 * known, or the table is full or out of memory (the counts then stay
 * unknown and the caller counts another way).
 */
bool tally_want(struct tally *t, int64_t crawl_id);

/* The base count of a wanted crawl: from now on its counts are known.
   A crawl not wanted (forgotten meanwhile) is left alone. */
void tally_set(
    struct tally *t, int64_t crawl_id, const int64_t counts[TALLY_NSTATES]);

/* A row of crawl_id left state from (-1: a new row) for state to (-1:
   deleted). Unknown crawls and states are ignored. */
void tally_move(struct tally *t, int64_t crawl_id, int from, int to);

/* crawl_id's counts when known (true); false when not wanted or its base
   count has not run yet. */
bool tally_get(
    struct tally *t, int64_t crawl_id, int64_t counts[TALLY_NSTATES]);

/* Stop tallying crawl_id. */
void tally_forget(struct tally *t, int64_t crawl_id);

/* Make every tally unknown (a dropped batch), wanted ones included: the
   callers ask again. NULL is a no-op (a read-only store has none). */
void tally_forget_all(struct tally *t);

/* Tally nothing from now on (the store cannot feed it): every tally is
   forgotten and tally_want() refuses. */
void tally_disable(struct tally *t);

#endif
