/* SPDX-License-Identifier: MIT */
/*
 * stats.c - the engine's counters for /metrics (struct engine_stats in
 * engine.h), kept in one place: the engine's files call the
 * engine_count_*_() functions at the one point each event happens (a
 * transfer completes, robots.txt is settled, a page is held back, the
 * housekeeping timer fires), and a crawl's own counts are added when it
 * is freed, so a sum over live and retired crawls never counts one twice.
 * Owns nothing beyond the struct inside struct engine. Loop thread only.
 */
#include "engine_int.h"

const double engine_fetch_bounds[ENGINE_FETCH_BUCKETS] = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
const double engine_lag_bounds[ENGINE_LAG_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};

/* Add a value to a cumulative histogram (le[i] counts values <= b[i]). */
static void
stats_observe(uint64_t *le, const double *bounds, size_t n, double v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v <= bounds[i])
			le[i]++;
}

/* A finished transfer of kind k that took dur_us. */
void
engine_count_fetch_(struct engine *e, enum engine_fetch_kind k,
    const struct fetch_result *res, uint64_t dur_us)
{
	struct engine_stats *s = &e->stats;
	double secs = (double)dur_us / 1e6;
	long cls = res->status / 100;

	if (res->outcome == FETCH_OK)
		s->responses[k][cls >= 1 && cls <= 5 ? cls : 0]++;
	else if ((unsigned)res->outcome < ENGINE_OUTCOMES)
		s->errors[k][res->outcome]++;
	stats_observe(
	    s->fetch_le, engine_fetch_bounds, ENGINE_FETCH_BUCKETS, secs);
	s->fetches++;
	s->fetch_seconds += secs;
}

/* How a robots.txt fetch was settled (or that it is tried again). */
void
engine_count_robots_(struct engine *e, enum engine_robots_outcome o)
{
	if ((unsigned)o < ENGINE_RO_N)
		e->stats.robots[o]++;
}

/* A page robots.txt held back (ROBOTS_V_DENY or ROBOTS_V_UNREACHABLE). */
void
engine_count_held_(struct engine *e, enum robots_verdict v)
{
	if (v == ROBOTS_V_DENY)
		e->stats.robots_denied++;
	else if (v == ROBOTS_V_UNREACHABLE)
		e->stats.robots_unreachable++;
}

/* The housekeeping timer fired late_us after it was due. */
void
engine_count_lag_(struct engine *e, uint64_t late_us)
{
	double secs = (double)late_us / 1e6;

	stats_observe(
	    e->stats.lag_le, engine_lag_bounds, ENGINE_LAG_BUCKETS, secs);
	e->stats.lag_samples++;
	e->stats.lag_seconds += secs;
}

/* Add a crawl's counts to s. */
static void
stats_add_crawl(struct engine_stats *s, const struct crawl *c)
{
	s->done += c->done;
	s->failed += c->failed;
	s->skipped += c->skipped;
	s->bytes += c->bytes;
	s->links += c->links;
	s->retries += c->retries;
	s->spilled_total += c->spilled_total;
}

/* A crawl is being freed: its counts stay in the engine's totals. */
void
engine_retire_(struct engine *e, const struct crawl *c)
{
	stats_add_crawl(&e->stats, c);
}

/* The counters, with the live crawls' counts and the gauges added. */
void
engine_get_stats(const struct engine *e, struct engine_stats *s)
{
	const struct crawl *c;

	*s = e->stats;
	s->slots = e->cfg.concurrency;
	s->transfers = e->nslots - e->nidle;
	LIST_FOREACH (c, &e->crawls, entry) {
		stats_add_crawl(s, c);
		s->in_flight += c->tasks.in_flight;
		s->queued += c->tasks.queued;
		s->spilled += c->tasks.spilled;
		s->crawls++;
	}
}
