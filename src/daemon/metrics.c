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

/* Jobs and pages. */
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
	metric_one(b, "crawld_pages_fetched_total", "counter",
	    "Complete responses recorded (any status), this process.",
	    (double)t.done);
	metric_one(b, "crawld_pages_failed_total", "counter",
	    "Pages with no complete response (timeout, reset, too big).",
	    (double)t.failed);
	metric_one(b, "crawld_pages_skipped_total", "counter",
	    "Pages not fetched by policy (robots, scope, depth, ...).",
	    (double)t.skipped);
	metric_one(b, "crawld_response_bytes_total", "counter",
	    "Decoded response body bytes received.", (double)t.bytes);
	metric_one(b, "crawld_links_total", "counter", "Links recorded.",
	    (double)t.links);
	metric_one(b, "crawld_retries_total", "counter",
	    "Fetches put back for another attempt.", (double)t.retries);
	metric_one(b, "crawld_transfers_in_flight", "gauge",
	    "Pages taken from the frontier and not finished yet.",
	    (double)t.in_flight);
	metric_one(b, "crawld_queue_length", "gauge",
	    "Pages queued in memory, all live jobs.", (double)t.queued);
	metric_one(b, "crawld_pages_per_second", "gauge",
	    "Pages fetched per second, all live jobs, over the last 10 s.",
	    t.pages_per_s);
	return true;
}

/* Loop lag and store commits. */
static void
metrics_engine(struct metrics_src *m, struct evbuffer *b)
{
	struct engine_lag lag;
	struct store_stats ss;
	size_t i;

	engine_get_lag(m->engine, &lag);
	/* The lateness of the engine's 100 ms housekeeping timer: how
	   long the event loop was kept busy. */
	metric_one(b, "crawld_loop_lag_p50_seconds", "gauge",
	    "Median lateness of the engine's housekeeping timer.",
	    (double)lag.p50_us / 1e6);
	metric_one(b, "crawld_loop_lag_p99_seconds", "gauge",
	    "99th percentile lateness of the engine's housekeeping timer.",
	    (double)lag.p99_us / 1e6);
	metric_one(b, "crawld_loop_lag_max_seconds", "gauge",
	    "Largest lateness of the engine's housekeeping timer.",
	    (double)lag.max_us / 1e6);
	metric_one(b, "crawld_loop_lag_samples_total", "counter",
	    "Housekeeping timer firings measured.", (double)lag.samples);
	store_get_stats(m->store, &ss);
	metric_head(b, "crawld_store_commit_seconds", "histogram",
	    "Time to commit one batch of writes to SQLite.");
	for (i = 0; i < STORE_COMMIT_BUCKETS; i++)
		evbuffer_add_printf(b,
		    "crawld_store_commit_seconds_bucket{le=\"%g\"} %llu\n",
		    store_commit_bounds[i],
		    (unsigned long long)ss.commit_le[i]);
	evbuffer_add_printf(b,
	    "crawld_store_commit_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "crawld_store_commit_seconds_sum %.17g\n"
	    "crawld_store_commit_seconds_count %llu\n",
	    (unsigned long long)ss.commits, ss.commit_seconds,
	    (unsigned long long)ss.commits);
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
