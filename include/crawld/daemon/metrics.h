/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - GET /metrics: the Prometheus text exposition format
 * (version 0.0.4), names after Prometheus' conventions (crawld_ prefix,
 * _total for counters, base units: seconds and bytes). Pages by crawl and
 * state come from the database, so they agree with it; the fetch, robots,
 * page and loop counters are the engine's (engine_get_stats(): counted in
 * one place, summed over every crawl this process ran); commit times are
 * the store's; process_* are read from /proc.
 *
 * Borrows everything it reads. Loop thread only.
 */
#ifndef CRAWLD_METRICS_H
#define CRAWLD_METRICS_H

#include <event2/buffer.h>
#include <stdbool.h>

#include "crawld/daemon/api.h"
#include "crawld/daemon/jobs.h"
#include "crawld/engine/engine.h"
#include "crawld/store/store.h"

/* What the metrics are read from (all borrowed). */
struct metrics_src {
	struct jobs *jobs;
	struct engine *engine;
	struct store *store;
	struct api *api;     /* NULL until it listens */
	double start_time_s; /* process start, seconds since the epoch */
	uint64_t reloads, reload_failures;
};

/* Append the whole exposition to out; false on a database error. */
bool metrics_render(struct metrics_src *m, struct evbuffer *out);

#endif /* CRAWLD_METRICS_H */
