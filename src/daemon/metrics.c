/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - the Prometheus text format for GET /metrics (see
 * metrics.h): one HELP and TYPE line per family, then its samples.
 * Owns nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "crawld/daemon/metrics.h"
#include "crawld/engine/fetch.h"

/* The HELP and TYPE lines of a family. */
static void
metric_head(
    struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(
	    b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family with one unlabelled sample. */
static void
metric_one(struct evbuffer *b, const char *name, const char *type,
    const char *help, double v)
{
	metric_head(b, name, type, help);
	evbuffer_add_printf(b, "%s %.17g\n", name, v);
}

/* Per job and state, from jobs_each(). */
static void
metrics_job_pages(void *arg, const struct job_info *ji)
{
	struct evbuffer *b = arg;
	size_t i;

	for (i = 0; i < STORE_NSTATES; i++)
		evbuffer_add_printf(b,
		    "crawld_pages{crawl=\"%lld\",state=\"%s\"} %lld\n",
		    (long long)ji->id, page_state_name((enum page_state)i),
		    (long long)ji->counts[i]);
}

/* The per-job pages/s. */
static void
metrics_job_rate(void *arg, const struct job_info *ji)
{
	struct evbuffer *b = arg;

	if (ji->live)
		evbuffer_add_printf(b,
		    "crawld_job_pages_per_second{crawl=\"%lld\"} %.17g\n",
		    (long long)ji->id, ji->pages_per_s);
}

/* A histogram family from cumulative bucket counts. */
static void
metric_histogram(struct evbuffer *b, const char *name, const char *help,
    const double *bounds, const uint64_t *le, size_t n, uint64_t count,
    double sum)
{
	size_t i;

	metric_head(b, name, "histogram", help);
	for (i = 0; i < n; i++)
		evbuffer_add_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
		    bounds[i], (unsigned long long)le[i]);
	evbuffer_add_printf(b,
	    "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.17g\n%s_count %llu\n", name,
	    (unsigned long long)count, name, sum, name,
	    (unsigned long long)count);
}

/* Jobs and pages, from the jobs (the database's counts). */
static bool
metrics_jobs(struct metrics_src *m, struct evbuffer *b)
{
	static const char *const states[] = {
	    "running", "paused", "done", "cancelled"};
	struct jobs_totals t;
	size_t i;

	metric_head(b, "crawld_pages", "gauge",
	    "Pages of a crawl job by state, as the database has them.");
	if (!jobs_each(m->jobs, metrics_job_pages, b))
		return false;
	metric_head(b, "crawld_job_pages_per_second", "gauge",
	    "Pages fetched per second by a live job, over the last 10 s.");
	(void)jobs_each(m->jobs, metrics_job_rate, b);
	jobs_get_totals(m->jobs, &t);
	metric_head(b, "crawld_jobs", "gauge", "Jobs by state.");
	for (i = 0; i < CW_NELEM(states); i++)
		evbuffer_add_printf(b, "crawld_jobs{state=\"%s\"} %zu\n",
		    states[i], t.by_state[i]);
	metric_one(b, "crawld_pages_per_second", "gauge",
	    "Pages fetched per second, all live jobs, over the last 10 s.",
	    t.pages_per_s);
	return true;
}

/* The crawls' page counts, summed by the engine. */
static void
metrics_pages(const struct engine_stats *s, struct evbuffer *b)
{
	metric_one(b, "crawld_pages_fetched_total", "counter",
	    "Complete responses recorded (any status), this process.",
	    (double)s->done);
	metric_one(b, "crawld_pages_failed_total", "counter",
	    "Pages with no complete response (timeout, reset, too big).",
	    (double)s->failed);
	metric_one(b, "crawld_pages_skipped_total", "counter",
	    "Pages not fetched by policy (robots, scope, depth, ...).",
	    (double)s->skipped);
	metric_one(b, "crawld_response_bytes_total", "counter",
	    "Decoded response body bytes of recorded pages.", (double)s->bytes);
	metric_one(b, "crawld_links_total", "counter", "Links recorded.",
	    (double)s->links);
	metric_one(b, "crawld_retries_total", "counter",
	    "Fetches put back for another attempt.", (double)s->retries);
	metric_one(b, "crawld_pages_spilled_total", "counter",
	    "Queued pages kept in the database instead of memory.",
	    (double)s->spilled_total);
	metric_one(b, "crawld_transfers_in_flight", "gauge",
	    "Worker slots with a transfer running (robots.txt included).",
	    (double)s->transfers);
	metric_one(b, "crawld_worker_slots", "gauge",
	    "Worker slots ([engine] concurrency).", (double)s->slots);
	metric_one(b, "crawld_pages_in_flight", "gauge",
	    "Pages taken from the frontier and not finished yet.",
	    (double)s->in_flight);
	metric_one(b, "crawld_queue_length", "gauge",
	    "Pages queued in memory, all live jobs.", (double)s->queued);
	metric_one(b, "crawld_queue_spilled", "gauge",
	    "Queued pages waiting only in the database, all live jobs.",
	    (double)s->spilled);
}

/* Fetches by kind and status class, errors by kind, their duration. */
static void
metrics_fetches(const struct engine_stats *s, struct evbuffer *b)
{
	static const char *const kinds[ENGINE_FK_N] = {"page", "robots"};
	static const char *const classes[6] = {
	    "other", "1xx", "2xx", "3xx", "4xx", "5xx"};
	size_t k, i;

	metric_head(b, "crawld_fetches_total", "counter",
	    "Complete HTTP responses, by kind (page, robots) and status "
	    "class.");
	for (k = 0; k < ENGINE_FK_N; k++)
		for (i = 0; i < CW_NELEM(classes); i++)
			evbuffer_add_printf(b,
			    "crawld_fetches_total{kind=\"%s\",code=\"%s\"} "
			    "%llu\n",
			    kinds[k], classes[i],
			    (unsigned long long)s->responses[k][i]);
	metric_head(b, "crawld_fetch_errors_total", "counter",
	    "Transfers without a complete response, by kind and error.");
	for (k = 0; k < ENGINE_FK_N; k++)
		for (i = 1; i < ENGINE_OUTCOMES; i++)
			evbuffer_add_printf(b,
			    "crawld_fetch_errors_total{kind=\"%s\",error="
			    "\"%s\"} %llu\n",
			    kinds[k], fetch_outcome_name((enum fetch_outcome)i),
			    (unsigned long long)s->errors[k][i]);
	metric_histogram(b, "crawld_fetch_duration_seconds",
	    "Transfer time from start to completion (every transfer).",
	    engine_fetch_bounds, s->fetch_le, ENGINE_FETCH_BUCKETS, s->fetches,
	    s->fetch_seconds);
}

/* robots.txt: how its fetches were settled, the pages it held back. */
static void
metrics_robots(const struct engine_stats *s, struct evbuffer *b)
{
	static const char *const outcomes[] = {
	    "parsed", "unavailable", "unreachable"};
	size_t i;

	metric_head(b, "crawld_robots_txt_total", "counter",
	    "robots.txt fetches settled: parsed (2xx), unavailable (4xx: "
	    "allow all), unreachable (5xx or no answer: disallow all).");
	for (i = 0; i < CW_NELEM(outcomes); i++)
		evbuffer_add_printf(b,
		    "crawld_robots_txt_total{outcome=\"%s\"} %llu\n",
		    outcomes[i], (unsigned long long)s->robots[i]);
	metric_one(b, "crawld_robots_txt_retries_total", "counter",
	    "Unreachable robots.txt answers tried again.",
	    (double)s->robots[ENGINE_RO_RETRIED]);
	metric_head(b, "crawld_robots_held_pages_total", "counter",
	    "Pages robots.txt kept from being fetched, by reason.");
	evbuffer_add_printf(b,
	    "crawld_robots_held_pages_total{reason=\"disallowed\"} %llu\n"
	    "crawld_robots_held_pages_total{reason=\"unreachable\"} %llu\n",
	    (unsigned long long)s->robots_denied,
	    (unsigned long long)s->robots_unreachable);
}

/* The engine's counters, loop lag and store commits. */
static void
metrics_engine(struct metrics_src *m, struct evbuffer *b)
{
	struct engine_stats es;
	struct engine_lag lag;
	struct store_stats ss;

	engine_get_stats(m->engine, &es);
	metrics_pages(&es, b);
	metrics_fetches(&es, b);
	metrics_robots(&es, b);
	/* The lateness of the engine's 100 ms housekeeping timer: how
	   long the event loop was kept busy. */
	metric_histogram(b, "crawld_loop_lag_seconds",
	    "Lateness of the engine's housekeeping timer.", engine_lag_bounds,
	    es.lag_le, ENGINE_LAG_BUCKETS, es.lag_samples, es.lag_seconds);
	engine_get_lag(m->engine, &lag);
	metric_one(b, "crawld_loop_lag_p50_seconds", "gauge",
	    "Median lateness of the engine's housekeeping timer.",
	    (double)lag.p50_us / 1e6);
	metric_one(b, "crawld_loop_lag_p99_seconds", "gauge",
	    "99th percentile lateness of the engine's housekeeping timer.",
	    (double)lag.p99_us / 1e6);
	metric_one(b, "crawld_loop_lag_max_seconds", "gauge",
	    "Largest lateness of the engine's housekeeping timer.",
	    (double)lag.max_us / 1e6);
	store_get_stats(m->store, &ss);
	metric_histogram(b, "crawld_store_commit_seconds",
	    "Time to commit one batch of writes to SQLite.",
	    store_commit_bounds, ss.commit_le, STORE_COMMIT_BUCKETS, ss.commits,
	    ss.commit_seconds);
}

/* API requests and reloads. */
static void
metrics_daemon(struct metrics_src *m, struct evbuffer *b)
{
	uint64_t counts[6] = {0};
	size_t i;

	if (m->api != NULL)
		api_get_counts(m->api, counts);
	metric_head(b, "crawld_api_requests_total", "counter",
	    "Control API requests answered, by status class.");
	for (i = 1; i < 6; i++)
		evbuffer_add_printf(b,
		    "crawld_api_requests_total{code=\"%zuxx\"} %llu\n", i,
		    (unsigned long long)counts[i]);
	metric_one(b, "crawld_config_reloads_total", "counter",
	    "SIGHUP reloads applied.", (double)m->reloads);
	metric_one(b, "crawld_config_reload_failures_total", "counter",
	    "SIGHUP reloads refused (the old config stayed).",
	    (double)m->reload_failures);
}

/* Open file descriptors of this process. */
static long
metrics_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

/* process_* from /proc/self/stat (fields 14, 15, 23, 24). */
static void
metrics_process(struct metrics_src *m, struct evbuffer *b)
{
	unsigned long utime = 0, stime = 0, vsize = 0;
	long rss = 0, tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	/* After the parenthesised name, which may hold spaces. */
	p = strrchr(buf, ')');
	if (p == NULL ||
	    sscanf(p + 2,
		"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d "
		"%*d %*d %*d %*d %*u %lu %ld",
		&utime, &stime, &vsize, &rss) != 4)
		utime = stime = vsize = 0, rss = 0;
	metric_one(b, "process_cpu_seconds_total", "counter",
	    "User and system CPU time spent in seconds.",
	    (double)(utime + stime) / (double)(tck > 0 ? tck : 100));
	metric_one(b, "process_resident_memory_bytes", "gauge",
	    "Resident memory size in bytes.", (double)rss * (double)page);
	metric_one(b, "process_virtual_memory_bytes", "gauge",
	    "Virtual memory size in bytes.", (double)vsize);
	metric_one(b, "process_open_fds", "gauge",
	    "Number of open file descriptors.", (double)metrics_open_fds());
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		metric_one(b, "process_max_fds", "gauge",
		    "Maximum number of open file descriptors.",
		    (double)rl.rlim_cur);
	metric_one(b, "process_start_time_seconds", "gauge",
	    "Start time of the process since unix epoch in seconds.",
	    m->start_time_s);
}

/* The whole exposition. */
bool
metrics_render(struct metrics_src *m, struct evbuffer *out)
{
	if (!metrics_jobs(m, out))
		return false;
	metrics_engine(m, out);
	metrics_daemon(m, out);
	metrics_process(m, out);
	return true;
}
