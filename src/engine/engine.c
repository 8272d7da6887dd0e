/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the engine: worker slots, the pump that feeds them from the
 * frontier, completed transfers and parse results, the housekeeping timer
 * (batch commits, loop lag) and the engine's life. See engine_int.h for how
 * the engine's files divide the work, docs/internals/engine.md for the
 * whole.
 *
 * Owns: the slots, the curlev (multi handle), the frontier, the parse pool
 * and the engine's events. Borrows: the event_base, the store.
 *
 * Ordering that matters:
 *  - a page's children are put before its task is done (join never fires
 *    early), and a crawl's done callback runs from a deferred event;
 *  - nothing here calls curl_multi_* from inside a libcurl callback:
 *    completions arrive from curlev after socket_action has returned, and
 *    new transfers start from the pump event;
 *  - store writes go into the open batch; the housekeeping timer commits
 *    it every ENGINE_FLUSH_MS, or sooner past ENGINE_FLUSH_ROWS rows, on
 *    the store's writer thread (store_flush_async): the loop does not wait.
 */
#include "engine_int.h"

#define ENGINE_FLUSH_MS 100
#define ENGINE_FLUSH_ROWS 20000
#define LAG_BUCKET_US 100 /* histogram resolution */
#define LAG_BUCKETS 10000 /* up to 1 s; later goes in the last */

/* Engine settings a set of crawl options implies. */
void
engine_config_from_opts(struct engine_config *cfg, const struct crawl_opts *o)
{
	cfg->concurrency = o->concurrency;
	cfg->per_host = o->per_host;
	cfg->delay_ms = o->delay_ms;
	cfg->timeout_ms = o->timeout_ms;
	cfg->max_size = (size_t)o->max_size;
	cfg->user_agent = o->user_agent;
	cfg->ca_file = o->ca_file;
	cfg->proxy = o->proxy;
	cfg->parse_threads = o->parse_threads >= 0
	    ? (unsigned)o->parse_threads
	    : parsepool_default_threads();
}

/*
 * A failure that would lose work if the crawls went on ends every crawl of
 * the engine: the database is the product, and memory is the process's.
 * The open batch is dropped (a page recorded without all its links must
 * not be committed), nothing more is written, and a re-run resumes from
 * the last whole batch. Even a crawl that has already ended otherwise
 * (stopped, failed fast) but not yet reported it ends with this error:
 * what it wrote last is lost, and the message says so.
 */
void
engine_fail_(struct engine *e, enum crawl_end end, const char *msg)
{
	struct crawl *c;

	if (e->halted)
		return;
	e->halted = true;
	log_info("engine: %s: every crawl stops, nothing more is written", msg);
	store_rollback(e->st);
	LIST_FOREACH (c, &e->crawls, entry) {
		crawl_set_end_(c, end, msg);
		crawl_stop(c);
	}
}

/* A store write (or what feeds it) failed with rc. */
void
engine_store_error_(struct engine *e, enum cw_rc rc)
{
	char msg[512];

	if (rc == CW_ENOMEM) {
		engine_fail_(e, CRAWL_END_ERROR, "out of memory");
		return;
	}
	/* store.c logged the failure where it happened; this is the one-line
	   reason each crawl ends with. */
	snprintf(
	    msg, sizeof(msg), "%s (%s)", cw_strerror(rc), store_errmsg(e->st));
	engine_fail_(e, CRAWL_END_STORE, msg);
}

/* Whether engine_fail_() ran. */
bool
engine_halted(const struct engine *e)
{
	return e->halted;
}

/* Check a store result; false (and the crawls stopping) on failure. */
bool
engine_store_ok_(struct engine *e, enum cw_rc rc)
{
	if (rc == CW_OK)
		return true;
	engine_store_error_(e, rc);
	return false;
}

/* Commit the open batch. */
void
engine_flush_(struct engine *e)
{
	if (store_batch_rows(e->st) > 0)
		(void)engine_store_ok_(e, store_flush(e->st));
}

/* Commit the open batch on the store's thread (see engine_int.h). */
void
engine_flush_async_(struct engine *e)
{
	if (store_batch_rows(e->st) > 0 && !e->halted)
		(void)engine_store_ok_(e, store_flush_async(e->st));
}

/* Record how late the housekeeping timer fired. */
static void
engine_lag_sample(struct engine *e, uint64_t now_us)
{
	uint64_t late = now_us > e->hk_due_us ? now_us - e->hk_due_us : 0;
	uint64_t b = late / LAG_BUCKET_US;

	e->lag_hist[b < LAG_BUCKETS ? b : LAG_BUCKETS - 1]++;
	e->lag_samples++;
	if (late > e->lag_max_us)
		e->lag_max_us = late;
	engine_count_lag_(e, late);
}

/* Housekeeping: commit the batch and measure loop lag. The commit runs
   on the store's thread: on the loop a COMMIT (and the WAL checkpoint in
   it) held everything else up to 90 ms (docs/benchmarks.md). */
static void
engine_housekeeping(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	uint64_t now = cw_monotonic_us();

	(void)fd;
	(void)what;
	engine_lag_sample(e, now);
	e->hk_due_us = now + ENGINE_FLUSH_MS * 1000;
	engine_flush_async_(e);
}

/*
 * A page's transfer finished: put it back for a retry, leave it for the
 * resume (a stopping crawl: a failure that would be retried is no
 * outcome), or record it, parsing an HTML body first. The observers see
 * the response first; a 304 takes the body an observer stored for the
 * page, so its links are found again.
 */
static void
engine_page_done(struct crawl *c, struct task *t, struct fetch *f,
    const struct fetch_result *res)
{
	struct fetch_result stored;
	char *stored_ct = NULL;
	uint64_t wait = 0;

	switch (crawl_retry_wait_(c, t, res, &wait)) {
	case RETRY_LATER:
		log_info("fetch: retry url=%s attempt=%d wait=%llu ms (%s %ld)",
		    t->url, t->attempts, (unsigned long long)wait,
		    fetch_outcome_name(res->outcome), res->status);
		crawl_task_retry_(c, t, cw_monotonic_ms() + wait);
		return;
	case RETRY_ON_RESUME:
		/* The row stays 'fetching' until the crawl's end turns it
		   back into 'queued' (crawl_finish_event). */
		log_info("fetch: left for the resume url=%s (%s %ld)", t->url,
		    fetch_outcome_name(res->outcome), res->status);
		crawl_task_done_(c, t);
		return;
	case RETRY_NO:
		break;
	}
	/* found by a shorter path while it waited: planned at that depth */
	crawl_task_depth_(c, t);
	crawl_observe_response_(c, t, res);
	if (c->nobs > 0 &&
	    crawl_observe_stored_(c, t, f, res, &stored, &stored_ct))
		res = &stored;
	if (!crawl_wants_links_(c, t, res) ||
	    !crawl_submit_parse_(c, t, f, res)) {
		crawl_record_(c, t, res);
		crawl_task_done_(c, t);
	}
	free(stored_ct);
}

/*
 * The multi handle is spent (a socket event or timer could not be made):
 * every transfer on it is lost. The crawls end with the error, and the
 * transfers libcurl will not report are taken back here: their pages
 * stay 'fetching' rows (nothing more is written) for the resume.
 */
static void
engine_multi_failed(void *arg, const char *why)
{
	struct engine *e = arg;
	struct fetch *f;
	struct task *t;
	unsigned i;

	engine_fail_(e, CRAWL_END_ERROR, why);
	for (i = 0; i < e->nslots; i++) {
		f = e->slots[i];
		t = f->task;
		if (t == NULL)
			continue;
		curlev_remove(e->cev, f->easy);
		fetch_abandon(f);
		e->idle[e->nidle++] = f;
		if (t->kind == TASK_K_GATE)
			frontier_done(e->fr, t);
		else
			crawl_task_done_(t->owner, t);
	}
}

/* libcurl finished a transfer (called by curlev after socket_action). */
static void
engine_transfer_done(void *arg, CURL *easy, CURLcode result)
{
	struct engine *e = arg;
	struct fetch *f = fetch_from_easy(easy);
	struct task *t = f->task;
	struct crawl *c = t->owner;
	struct fetch_result res;
	uint64_t dur_us = cw_monotonic_us() - f->started_us;

	fetch_finish(f, result, &res);
	engine_count_fetch_(e,
	    t->kind == TASK_K_GATE ? ENGINE_FK_ROBOTS : ENGINE_FK_PAGE, &res,
	    dur_us);
	log_debug("fetch: done id=%lld status=%ld bytes=%lld url=%s",
	    (long long)t->page_id, res.status, (long long)res.bytes, t->url);
	/* A spent multi handle fails every transfer: that is no outcome of
	   the page, and nothing more can be fetched. */
	if (curlev_error(e->cev) != NULL)
		engine_fail_(e, CRAWL_END_ERROR, curlev_error(e->cev));
	f->task = NULL;
	e->idle[e->nidle++] = f;
	if (t->kind == TASK_K_GATE) {
		/* The engine's own task: no crawl counts it. */
		if (!engine_robots_done_(e, t, &res))
			frontier_done(e->fr, t);
	} else {
		engine_page_done(c, t, f, &res);
	}
	if (store_batch_rows(e->st) >= ENGINE_FLUSH_ROWS)
		engine_flush_async_(e);
	engine_kick_(e);
}

/*
 * A parse job came back (on the loop thread): its links are put, then the
 * page's task is done. While the engine shuts down, jobs come back
 * cancelled and only the accounting is settled.
 */
static void
engine_parse_done(void *arg, struct parse_job *job)
{
	struct engine *e = arg;
	struct parsed_page *pp = job->arg;
	struct task *t = pp->t;
	struct crawl *c = t->owner;
	enum cw_rc rc = job->rc;

	if (job->cancelled) {
		/* Nothing is written: the page stays 'fetching' and a resume
		   fetches it again. */
		crawl_task_abandon_(c, t);
		goto out;
	}
	if (!e->halted) {
		c->done++;
		c->bytes += (uint64_t)pp->sr.bytes;
		if (job->hash) /* the worker hashed the body */
			pp->sr.content_hash = job->content_hash[0] != '\0'
			    ? job->content_hash
			    : NULL;
		if (!engine_store_ok_(e, store_page_finish(e->st, &pp->sr)))
			rc = CW_OK;
		else if (rc == CW_OK) {
			/* links at the page's shortest depth found so far */
			crawl_parsed_depth_(c, t);
			rc = crawl_discover_links_(c, t, &job->links,
			    job->first, job->fps, job->nfirst, job->css);
			if (rc == CW_OK)
				rc = crawl_parse_taken_(c, t, &job->links);
		}
		if (rc == CW_OK)
			crawl_observe_recorded_(c, t, pp->sr.status, pp->ct,
			    job->body, job->len, &job->links);
	}
	/* Out of memory with the page half recorded is an end too: the
	   batch is dropped, so the page is not 'done' without its links. */
	if (rc != CW_OK)
		engine_store_error_(e, rc);
	crawl_task_done_(c, t);
	if (store_batch_rows(e->st) >= ENGINE_FLUSH_ROWS)
		engine_flush_async_(e);
	engine_kick_(e);
out:
	free(pp->ct);
	free(pp->etag);
	free(pp->last_modified);
	free(pp);
	parse_job_free(job);
}

/* Whether a live crawl of the engine waits for the address of url's host
   (a seed added to it whose lookup has not answered). */
static bool
engine_seed_host_pending(const struct engine *e, const char *url)
{
	const struct crawl *c;

	LIST_FOREACH (c, &e->crawls, entry)
		if (!c->finished && crawl_seed_host_pending_(c, url))
			return true;
	return false;
}

/* Start a robots.txt fetch (the engine's gate task) on an idle slot. */
static void
engine_launch_gate(struct engine *e, struct task *t)
{
	struct fetch *f;
	struct fetch_result res;
	struct fetch_opts fo = e->fopts;

	/* Read before the host's address is allowed, it would be refused
	   and the host judged unreachable for minutes. */
	if (engine_seed_host_pending(e, t->url)) {
		frontier_retry(
		    e->fr, t, cw_monotonic_ms() + CRAWL_SEED_HOST_WAIT_MS);
		return;
	}
	f = e->idle[--e->nidle];

	engine_gate_transport_(t->host, &fo);
	t->attempts++;
	f->keep_all = false; /* a gate keeps its body anyway */
	f->keep_css = false;
	f->capture = false; /* robots.txt is not archived */
	f->addr_check = engine_gate_addr_allowed_;
	f->addr_check_arg = e;
	if (fetch_use_opts(f, &fo) == CW_OK && fetch_start(f, t) == CW_OK) {
		if (curlev_add(e->cev, f->easy) == CW_OK)
			return;
		fetch_abandon(f);
	}
	e->idle[e->nidle++] = f;
	if (curlev_error(e->cev) != NULL) {
		frontier_done(e->fr, t);
		engine_multi_failed(e, curlev_error(e->cev));
		return;
	}
	/* Could not start: an unreachable robots.txt, retried as such. */
	memset(&res, 0, sizeof(res));
	res.outcome = FETCH_ERROR;
	res.error = "could not start the transfer";
	if (!engine_robots_done_(e, t, &res))
		frontier_done(e->fr, t);
}

/* Start a taken task on an idle slot. */
static void
engine_launch(struct engine *e, struct task *t)
{
	struct crawl *c = t->owner;
	struct fetch *f;
	struct fetch_result res;
	enum robots_verdict verdict;
	enum cw_rc rc;

	if (t->kind == TASK_K_GATE) {
		engine_launch_gate(e, t);
		return;
	}
	crawl_task_taken_(c);
	/* A link to a seed added to the running crawl, found before that
	   seed's host was looked up: wait for the answer, or the guard
	   would refuse the host's private address. */
	if (crawl_seed_host_pending_(c, t->url)) {
		crawl_task_put_back_(
		    c, t, cw_monotonic_ms() + CRAWL_SEED_HOST_WAIT_MS);
		return;
	}
	verdict = crawl_robots_verdict_(c, t);
	/* Pages queued behind a robots.txt read that failed over another
	   crawl's transport are judged by a read over their own. */
	if (verdict == ROBOTS_V_UNREACHABLE && crawl_robots_regate_(c, t))
		return;
	if (verdict != ROBOTS_V_ALLOW) {
		crawl_hold_robots_(c, t, verdict);
		return;
	}
	t->attempts++; /* a page held back was never tried */
	if (!engine_store_ok_(e, store_page_fetching(e->st, t->page_id))) {
		crawl_task_done_(c, t);
		return;
	}
	f = e->idle[--e->nidle];
	f->keep_all = (c->obs_flags & CRAWL_OBS_BODIES) != 0;
	f->keep_css = c->opts->page_requisites; /* stylesheets are parsed */
	f->capture = (c->obs_flags & CRAWL_OBS_CAPTURE) != 0;
	f->addr_check = crawl_addr_allowed_;
	f->addr_check_arg = c;
	rc = fetch_use_opts(f, &c->fopts);
	if (rc == CW_OK)
		rc = fetch_start(f, t);
	if (rc == CW_OK) {
		rc = curlev_add(e->cev, f->easy);
		if (rc == CW_OK)
			return;
		fetch_abandon(f);
	}
	e->idle[e->nidle++] = f;
	/* A spent multi handle is the engine's end, not the page's. */
	if (curlev_error(e->cev) != NULL) {
		engine_fail_(e, CRAWL_END_ERROR, curlev_error(e->cev));
		crawl_task_done_(c, t);
		engine_multi_failed(e, curlev_error(e->cev));
		return;
	}
	/* Could not even start: record it as failed like any other error. */
	memset(&res, 0, sizeof(res));
	res.outcome = FETCH_ERROR;
	res.error = "could not start the transfer";
	res.bytes = 0;
	crawl_record_(c, t, &res);
	crawl_task_done_(c, t);
}

/* Fill idle slots from the frontier; arm the wait timer if hosts wait. */
static void
engine_pump(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	uint64_t now = cw_monotonic_ms(), wait = UINT64_MAX;
	struct task *t;
	struct crawl *c;
	struct timeval tv;

	(void)fd;
	(void)what;
	e->pump_scheduled = false;
	LIST_FOREACH (c, &e->crawls, entry) {
		crawl_refill_(c);
		crawl_revisit_refill_(c);
		crawl_maybe_finish_(c); /* a refill may have found nothing */
	}
	/* Parsing is the slower stage: don't fetch far ahead of it. */
	while (e->nidle > 0 && e->nslots - e->nidle < e->cfg.concurrency &&
	    !e->halted &&
	    parsepool_pending(e->pool) < 2 * (size_t)e->cfg.concurrency) {
		t = frontier_take(e->fr, now, &wait);
		if (t == NULL)
			break;
		engine_launch(e, t);
	}
	if (e->nidle > 0 && e->nslots - e->nidle < e->cfg.concurrency &&
	    wait != UINT64_MAX && wait > 0) {
		tv.tv_sec = (time_t)(wait / 1000);
		tv.tv_usec = (suseconds_t)((wait % 1000) * 1000);
		/* Without the timer the waiting hosts would never start. */
		if (evtimer_add(e->wait_ev, &tv) != 0)
			engine_fail_(e, CRAWL_END_ERROR,
			    "cannot arm the politeness timer");
	}
}

/* Ask for a pump on the next loop pass (many kicks, one pump). */
void
engine_kick_(struct engine *e)
{
	if (!e->pump_scheduled) {
		e->pump_scheduled = true;
		event_active(e->pump_ev, 0, 0);
	}
}

/* Percentile of the lag histogram, in microseconds. */
static uint64_t
engine_lag_percentile(const struct engine *e, double p)
{
	uint64_t want = (uint64_t)((double)e->lag_samples * p), seen = 0;
	size_t i;

	for (i = 0; i < LAG_BUCKETS; i++) {
		seen += e->lag_hist[i];
		if (seen > want) /* the bucket's upper edge, at most the max */
			return (uint64_t)(i + 1) * LAG_BUCKET_US < e->lag_max_us
			    ? (uint64_t)(i + 1) * LAG_BUCKET_US
			    : e->lag_max_us;
	}
	return e->lag_max_us;
}

/* Loop-lag summary. */
void
engine_get_lag(const struct engine *e, struct engine_lag *lag)
{
	lag->samples = e->lag_samples;
	lag->max_us = e->lag_max_us;
	lag->p50_us = e->lag_samples ? engine_lag_percentile(e, 0.50) : 0;
	lag->p99_us = e->lag_samples ? engine_lag_percentile(e, 0.99) : 0;
}

/* A CPU clock in nanoseconds (0 if it cannot be read). */
static uint64_t
engine_clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The loop thread's CPU clock, in nanoseconds. */
static uint64_t
engine_loop_cpu_ns(const struct engine *e)
{
	clockid_t id;

	if (pthread_getcpuclockid(e->loop_thread, &id) != 0)
		return 0;
	return engine_clock_ns(id);
}

/* CPU by thread role since engine_new(). */
void
engine_get_cpu(const struct engine *e, struct engine_cpu *cpu)
{
	uint64_t loop = engine_loop_cpu_ns(e) - e->loop_cpu0_ns;
	uint64_t proc =
	    engine_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - e->process_cpu0_ns;

	memset(cpu, 0, sizeof(*cpu));
	cpu->parse_threads = parsepool_threads(e->pool);
	cpu->parse_s = parsepool_cpu_s(e->pool);
	cpu->loop_s = (double)loop / 1e9;
	if (cpu->parse_threads == 0) /* the inline parses ran on the loop */
		cpu->loop_s =
		    cpu->loop_s > cpu->parse_s ? cpu->loop_s - cpu->parse_s : 0;
	cpu->process_s = (double)proc / 1e9;
	cpu->store_thread = store_writer_cpu(e->st, &cpu->store_s);
	cpu->store_s -= e->store_cpu0_s;
}

/* The multi handle's limits on all connections, for n slots. */
static bool
engine_total_limits(struct engine *e, unsigned n)
{
	CURLM *m = curlev_multi(e->cev);

	return curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)n) ==
	    CURLM_OK &&
	    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n * 2) == CURLM_OK;
}

/* Set the multi handle's connection limits from the config (the
   per-host budget is a promise: an engine without it is not made). */
static enum cw_rc
engine_setup_multi(struct engine *e)
{
	CURLM *m = curlev_multi(e->cev);

	if (curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS,
		(long)e->cfg.per_host) != CURLM_OK ||
	    !engine_total_limits(e, e->cfg.concurrency)) {
		log_warnx("engine: libcurl refused a connection limit");
		return CW_EINVAL;
	}
	return CW_OK;
}

/* Create the worker slots. */
static enum cw_rc
engine_make_slots(struct engine *e)
{
	unsigned i;

	e->slots = calloc(e->cfg.concurrency, sizeof(*e->slots));
	e->idle = calloc(e->cfg.concurrency, sizeof(*e->idle));
	if (e->slots == NULL || e->idle == NULL)
		return CW_ENOMEM;
	e->nslots = e->cfg.concurrency; /* NULL until made: freed as made */
	for (i = 0; i < e->cfg.concurrency; i++) {
		e->slots[i] = fetch_new(&e->fopts, e);
		if (e->slots[i] == NULL)
			return CW_ENOMEM;
		/* Pushed in reverse so slot 0 is used first. */
		e->idle[e->cfg.concurrency - 1 - i] = e->slots[i];
	}
	e->nidle = e->cfg.concurrency;
	return CW_OK;
}

/* Make slots up to n (n > nslots), each pushed idle. */
static enum cw_rc
engine_grow_slots(struct engine *e, unsigned n)
{
	struct fetch **slots, **idle, *f;

	slots = realloc(e->slots, n * sizeof(*slots));
	if (slots == NULL)
		return CW_ENOMEM;
	e->slots = slots;
	idle = realloc(e->idle, n * sizeof(*idle));
	if (idle == NULL)
		return CW_ENOMEM;
	e->idle = idle;
	while (e->nslots < n) {
		f = fetch_new(&e->fopts, e);
		if (f == NULL)
			return CW_ENOMEM;
		e->slots[e->nslots++] = f;
		e->idle[e->nidle++] = f;
	}
	return CW_OK;
}

/* A new slot count (see engine.h). */
enum cw_rc
engine_set_concurrency(struct engine *e, unsigned n)
{
	enum cw_rc rc;

	if (n == 0)
		return CW_EINVAL;
	if (n > e->nslots) {
		rc = engine_grow_slots(e, n);
		if (rc != CW_OK)
			return rc; /* the slots made so far stay spare */
	}
	if (!engine_total_limits(e, n)) {
		if (!engine_total_limits(e, e->cfg.concurrency))
			log_warnx("engine: libcurl refused the old connection "
				  "limits too");
		return CW_EINVAL;
	}
	log_info("engine: concurrency %u -> %u (%u busy)", e->cfg.concurrency,
	    n, e->nslots - (unsigned)e->nidle);
	e->cfg.concurrency = n;
	engine_kick_(e);
	return CW_OK;
}

/* A new engine. */
struct engine *
engine_new(
    struct event_base *base, struct store *st, const struct engine_config *cfg)
{
	struct engine *e;
	struct timeval tv = {0, ENGINE_FLUSH_MS * 1000};

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->base = base;
	e->st = st;
	e->cfg = *cfg;
	e->rng = (unsigned)cw_monotonic_us();
	e->loop_thread = pthread_self();
	e->loop_cpu0_ns = engine_loop_cpu_ns(e);
	e->process_cpu0_ns = engine_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	LIST_INIT(&e->crawls);
	e->user_agent = strdup(cfg->user_agent);
	e->fopts.user_agent = e->user_agent;
	e->ca_file = cw_strdup(cfg->ca_file);
	e->fopts.ca_file = e->ca_file;
	e->proxy = cw_strdup(cfg->proxy);
	e->fopts.proxy = e->proxy;
	e->fopts.timeout_ms = (long)cfg->timeout_ms;
	e->fopts.connect_timeout_ms = (long)cfg->timeout_ms;
	e->fopts.max_size = cfg->max_size;
	e->lag_hist = calloc(LAG_BUCKETS, sizeof(*e->lag_hist));
	e->cev = curlev_new(base, engine_transfer_done, e);
	e->fr = frontier_new(cfg->per_host, cfg->delay_ms);
	e->pump_ev = event_new(base, -1, 0, engine_pump, e);
	e->wait_ev = evtimer_new(base, engine_pump, e);
	e->hk_ev = event_new(base, -1, EV_PERSIST, engine_housekeeping, e);
	e->pool = parsepool_new(base, cfg->parse_threads, engine_parse_done, e);
	if (e->user_agent == NULL ||
	    (cfg->ca_file != NULL && e->ca_file == NULL) ||
	    (cfg->proxy != NULL && e->proxy == NULL) || e->lag_hist == NULL ||
	    e->cev == NULL || e->fr == NULL || e->pump_ev == NULL ||
	    e->wait_ev == NULL || e->hk_ev == NULL || e->pool == NULL ||
	    engine_make_slots(e) != CW_OK ||
	    store_next_page_id(st, &e->next_page_id) != CW_OK ||
	    engine_setup_multi(e) != CW_OK || event_add(e->hk_ev, &tv) != 0) {
		engine_free(e);
		return NULL;
	}
	/* SQLite off the loop thread; without the thread it runs here. */
	if (store_writer_start(st) != CW_OK)
		log_warnx("engine: no store thread, SQLite runs on the loop");
	(void)store_writer_cpu(st, &e->store_cpu0_s);
	curlev_set_error_cb(e->cev, engine_multi_failed);
	e->hk_due_us = cw_monotonic_us() + ENGINE_FLUSH_MS * 1000;
	return e;
}

/* Stop everything and free, in the teardown order of STYLE.md 5. */
void
engine_free(struct engine *e)
{
	struct fetch *f;
	unsigned i;

	if (e == NULL)
		return;
	/* 0. the parse workers stop; pages being parsed stay 'fetching'
	      rows (their outcome is written with their links), so a
	      resume fetches them again. */
	parsepool_free(e->pool);
	/* 1. easy handles out of the multi; their tasks back to the store
	      as they are ('fetching' rows resume as queued). */
	for (i = 0; e->slots != NULL && i < e->nslots; i++) {
		f = e->slots[i];
		if (f == NULL)
			continue;
		if (f->task != NULL) {
			struct crawl *c = f->task->owner;

			curlev_remove(e->cev, f->easy);
			if (c != NULL)
				crawl_task_abandon_(c, f->task);
			else /* the engine's robots.txt task */
				frontier_done(e->fr, f->task);
			f->task = NULL;
		}
	}
	while (!LIST_EMPTY(&e->crawls))
		crawl_free(LIST_FIRST(&e->crawls));
	/* 2. the multi handle (may still call the socket callback). */
	curlev_free(e->cev);
	for (i = 0; e->slots != NULL && i < e->nslots; i++)
		fetch_free(e->slots[i]);
	/* 3. events. */
	if (e->pump_ev != NULL)
		event_free(e->pump_ev);
	if (e->wait_ev != NULL)
		event_free(e->wait_ev);
	if (e->hk_ev != NULL)
		event_free(e->hk_ev);
	if (e->st != NULL && !e->halted)
		engine_flush_(e);
	frontier_free(e->fr);
	free(e->lag_hist);
	free(e->slots);
	free(e->idle);
	free(e->user_agent);
	free(e->ca_file);
	free(e->proxy);
	free(e);
}
