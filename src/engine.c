/* SPDX-License-Identifier: MIT */
/*
 * engine.c - worker slots, the pump that feeds them from the frontier, and
 * the per-crawl policy that turns a fetched page into recorded rows and new
 * tasks.
 *
 * Owns: the slots, the curlev (multi handle), the frontier, the scratch
 * link list and the engine's events; each crawl owns its seen-set and scope
 * keys. Borrows: the event_base, the store, each crawl's options.
 *
 * Ordering that matters:
 *  - a page's children are put before its task is done (join never fires
 *    early), and the crawl's done callback runs from a deferred event;
 *  - nothing here calls curl_multi_* from inside a libcurl callback:
 *    completions arrive from curlev after socket_action has returned, and
 *    new transfers start from the pump event;
 *  - store writes go into the open batch; the housekeeping timer commits
 *    it every ENGINE_FLUSH_MS, or sooner past ENGINE_FLUSH_ROWS rows.
 */
#include <jansson.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include "crawld/curlev.h"
#include "crawld/engine.h"
#include "crawld/fetch.h"
#include "crawld/fpset.h"
#include "crawld/frontier.h"
#include "crawld/links.h"
#include "crawld/log.h"
#include "crawld/netaddr.h"
#include "crawld/parsepool.h"
#include "crawld/robots.h"
#include "crawld/strmap.h"
#include "crawld/url.h"

#define ENGINE_FLUSH_MS 100
#define ENGINE_FLUSH_ROWS 20000
#define RETRY_BASE_MS 1000     /* first backoff; doubles per attempt */
#define RETRY_MAX_MS 60000     /* cap of the computed backoff */
#define RETRY_AFTER_MAX_S 3600 /* a longer Retry-After: give up */
#define ROBOTS_TTL_MS (24ULL * 3600 * 1000) /* cache lifetime */
#define ROBOTS_TRIES 3	       /* fetches of an unreachable robots.txt */
#define ROBOTS_BACKOFF_MS 1000 /* doubled after each failure */
#define LAG_BUCKET_US 100      /* histogram resolution */
#define LAG_BUCKETS 10000      /* up to 1 s; later goes in the last */

struct crawl {
	struct engine *e;	       /* borrowed */
	const struct crawl_opts *opts; /* borrowed */
	int64_t id;		       /* crawls.id */
	struct fpset *seen;	       /* owned: URL fingerprint -> page id */
	struct strmap *redirect_hops;  /* owned: redirect target -> hops */
	char **scope_keys;	       /* owned, one per seed */
	size_t nkeys;
	uint64_t queued;    /* this crawl's tasks queued in memory */
	uint64_t spilled;   /* 'queued' rows kept only in the database */
	int64_t spill_from; /* every spilled row has id >= this */
	uint64_t in_flight;
	uint64_t enqueued; /* ever queued (--max-pages) */
	uint64_t done, failed, skipped, bytes, links, retries;
	struct sockaddr_storage *seed_addrs; /* owned: non-public seed hosts */
	size_t nseed_addrs;
	uint64_t started_us;
	uint64_t ended_us;
	bool stopping;
	bool finished; /* done callback scheduled */
	enum crawl_end end;
	char *end_msg;	       /* owned */
	struct event *done_ev; /* owned */
	crawl_done_cb *done_cb;
	void *done_arg;
	LIST_ENTRY(crawl) entry;
};

/* What the engine keeps per host (attached to the frontier's host). */
enum robots_state {
	ROBOTS_UNKNOWN = 0, /* not fetched (or expired) */
	ROBOTS_FETCHING,    /* the gate task is queued or in flight */
	ROBOTS_READY,	    /* rules known until expires_ms */
};

struct hostinfo {
	enum robots_state robots_state;
	struct robots *rules; /* owned */
	uint64_t expires_ms;
	unsigned failures; /* unreachable robots.txt */
};

struct engine {
	struct event_base *base; /* borrowed */
	struct store *st;	 /* borrowed */
	struct engine_config cfg;
	char *user_agent; /* owned copy for fopts */
	char *ca_file;	  /* owned copy for fopts */
	struct fetch_opts fopts;
	struct curlev *cev;   /* owned */
	struct frontier *fr;  /* owned */
	struct fetch **slots; /* owned, cfg.concurrency */
	struct fetch **idle;  /* borrowed from slots: a stack */
	size_t nidle;
	unsigned rng;		/* rand_r state for retry jitter */
	struct event *pump_ev;	/* owned: deferred pump */
	struct parsepool *pool; /* owned: link extraction threads */
	bool pump_scheduled;
	struct event *wait_ev; /* owned: politeness wait */
	struct event *hk_ev;   /* owned: housekeeping */
	uint64_t hk_due_us;    /* when hk_ev should fire */
	int64_t next_page_id;
	bool store_failed;
	uint32_t *lag_hist; /* owned, LAG_BUCKETS */
	uint64_t lag_samples;
	uint64_t lag_max_us;
	LIST_HEAD(, crawl) crawls; /* borrowed list of live crawls */
};

static void engine_kick(struct engine *e);
static void crawl_maybe_finish(struct crawl *c);

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
	cfg->parse_threads = o->parse_threads >= 0
	    ? (unsigned)o->parse_threads
	    : parsepool_default_threads();
}

/* A crawl's end state as stored in crawls.state. */
static const char *
crawl_end_state(enum crawl_end end)
{
	return end == CRAWL_END_DONE ? "done" : "cancelled";
}

/* Every write error ends every crawl: the database is the product. */
static void
engine_store_error(struct engine *e, enum cw_rc rc)
{
	struct crawl *c;
	char msg[512];

	if (e->store_failed)
		return;
	e->store_failed = true;
	/* store.c logged the failure where it happened; this is the one-line
	   reason each crawl ends with. */
	snprintf(
	    msg, sizeof(msg), "%s (%s)", cw_strerror(rc), store_errmsg(e->st));
	LIST_FOREACH (c, &e->crawls, entry) {
		if (c->end == CRAWL_END_RUNNING) {
			c->end = CRAWL_END_STORE;
			free(c->end_msg);
			c->end_msg = strdup(msg);
		}
		crawl_stop(c);
	}
}

/* Check a store result; false (and the crawls stopping) on failure. */
static bool
engine_store_ok(struct engine *e, enum cw_rc rc)
{
	if (rc == CW_OK)
		return true;
	engine_store_error(e, rc);
	return false;
}

/* Commit the open batch. */
static void
engine_flush(struct engine *e)
{
	if (store_batch_rows(e->st) > 0)
		(void)engine_store_ok(e, store_flush(e->st));
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
}

/* Housekeeping: commit the batch and measure loop lag. */
static void
engine_housekeeping(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	uint64_t now = cw_monotonic_us();

	(void)fd;
	(void)what;
	engine_lag_sample(e, now);
	e->hk_due_us = now + ENGINE_FLUSH_MS * 1000;
	engine_flush(e);
}

/* The key a URL is scoped by, under the crawl's scope rule. */
static enum cw_rc
crawl_scope_key_of(const struct crawl *c, const char *url, char **key)
{
	char *host = NULL;
	enum cw_rc rc;

	rc = url_host(url, &host);
	if (rc == CW_OK)
		rc = url_scope_key(c->opts->scope, host, key);
	free(host);
	return rc;
}

/* Whether url is within the crawl's scope. */
static bool
crawl_in_scope(const struct crawl *c, const char *url)
{
	char *key = NULL;
	bool in = false;
	size_t i;

	if (c->opts->scope == URL_SCOPE_ANY)
		return true;
	if (crawl_scope_key_of(c, url, &key) != CW_OK)
		return false;
	for (i = 0; i < c->nkeys && !in; i++)
		in = strcmp(key, c->scope_keys[i]) == 0;
	free(key);
	return in;
}

/*
 * Why a newly seen URL will not be fetched, or NULL to fetch it. Seeds are
 * exempt from scope and filters: the user named them.
 */
static const char *
crawl_policy(struct crawl *c, const char *url, int depth, int hops, bool seed)
{
	if (hops > (int)c->opts->max_redirects)
		return "redirects";
	if (!seed && !crawl_in_scope(c, url))
		return "scope";
	if (!seed && !crawl_opts_url_allowed(c->opts, url))
		return "filter";
	if (depth > c->opts->depth)
		return "depth";
	if (strlen(url) > c->opts->max_url_len)
		return "url-length";
	if (c->opts->max_pages > 0 &&
	    c->enqueued >= (uint64_t)c->opts->max_pages)
		return "limit";
	return NULL;
}

/* Free a host's engine data. */
static void
hostinfo_free(void *arg)
{
	struct hostinfo *hi = arg;

	if (hi != NULL)
		robots_free(hi->rules);
	free(hi);
}

/* The engine data of a host, created on first use. */
static struct hostinfo *
engine_hostinfo(struct host *h)
{
	struct hostinfo *hi = host_data(h);

	if (hi == NULL) {
		hi = calloc(1, sizeof(*hi));
		if (hi != NULL)
			host_set_data(h, hi, hostinfo_free);
	}
	return hi;
}

/*
 * Make sure the host's robots.txt is known or on its way before any of its
 * pages is fetched: the first page of an origin gates the host and queues
 * the robots.txt fetch in front of everything else there.
 */
static enum cw_rc
crawl_robots_gate(struct crawl *c, const char *origin)
{
	struct engine *e = c->e;
	struct host *h = frontier_host(e->fr, origin);
	struct hostinfo *hi = h != NULL ? engine_hostinfo(h) : NULL;
	char url[2048];
	enum cw_rc rc;

	if (hi == NULL)
		return CW_ENOMEM;
	if (hi->robots_state == ROBOTS_READY &&
	    cw_monotonic_ms() >= hi->expires_ms) {
		robots_free(hi->rules);
		hi->rules = NULL;
		hi->robots_state = ROBOTS_UNKNOWN;
	}
	if (hi->robots_state != ROBOTS_UNKNOWN)
		return CW_OK;
	snprintf(url, sizeof(url), "%s/robots.txt", origin);
	rc = frontier_push_gate(e->fr, origin, url, c);
	if (rc != CW_OK)
		return rc;
	c->queued++;
	hi->robots_state = ROBOTS_FETCHING;
	host_set_gate(e->fr, h, true);
	return CW_OK;
}

/* Put a page's task in memory: its host's robots gate first, then the
   frontier. */
static enum cw_rc
crawl_push_task(struct crawl *c, const char *url, int64_t id, int depth)
{
	char *origin = NULL;
	enum cw_rc rc;

	rc = url_origin(url, &origin);
	if (rc == CW_OK && c->opts->robots)
		rc = crawl_robots_gate(c, origin);
	if (rc == CW_OK)
		rc = frontier_push(c->e->fr, origin, url, id, depth, c);
	free(origin);
	if (rc == CW_OK) {
		c->queued++;
		engine_kick(c->e);
	}
	return rc;
}

/*
 * Queue a page's task on the frontier. Past --queue-memory queued tasks
 * the frontier spills: the page stays a 'queued' row only, and
 * crawl_refill() pages rows back in, in id (discovery) order, as the
 * in-memory queue drains. Memory then grows with the hosts and the tasks
 * in flight, not with the size of the frontier.
 */
static enum cw_rc
crawl_enqueue(struct crawl *c, const char *url, int64_t id, int depth)
{
	if (c->spilled > 0 || c->queued >= c->opts->queue_memory) {
		/* Everything after the first spilled row spills too, so the
		   rows left in the database are exactly those >= spill_from. */
		if (c->spilled++ == 0)
			c->spill_from = id;
		return CW_OK;
	}
	return crawl_push_task(c, url, id, depth);
}

/* One row paged back in from the database. */
static int
crawl_refill_page(
    void *arg, int64_t id, const char *url, int depth, enum page_state state)
{
	struct crawl *c = arg;

	(void)state;
	c->spill_from = id + 1;
	c->spilled--;
	if (crawl_push_task(c, url, id, depth) != CW_OK)
		return -1;
	return c->spilled > 0 ? 0 : 1;
}

/* Page spilled rows back in while the in-memory queue is short. */
static void
crawl_refill(struct crawl *c)
{
	uint64_t before = c->spilled;
	enum cw_rc rc;

	/* Refill at a quarter, up to the cap: few, large reads. */
	if (c->spilled == 0 || c->stopping ||
	    c->queued >= c->opts->queue_memory / 4)
		return;
	rc = store_load_queued(c->e->st, c->id, c->spill_from,
	    c->opts->queue_memory - c->queued, crawl_refill_page, c);
	if (rc == CW_EINVAL && c->spilled == 0)
		rc = CW_OK; /* the callback stopped at the last one */
	if (rc != CW_OK) {
		(void)engine_store_ok(c->e, rc == CW_EINVAL ? CW_ENOMEM : rc);
		return;
	}
	if (c->spilled == before) {
		/* Nothing left to page in although the count says so (a
		   batch was lost): the rows stay for a resume. */
		log_warnx("engine: crawl %lld: %llu queued rows not found",
		    (long long)c->id, (unsigned long long)c->spilled);
		c->spilled = 0;
	}
}

/*
 * A URL (absolute, normalised) was found at depth, from parent (0 for a
 * seed): dedup, policy, page row, link row, task.
 */
static enum cw_rc
crawl_discover(struct crawl *c, const char *url, int depth, int hops,
    int64_t parent, enum link_element el)
{
	struct engine *e = c->e;
	struct store_page pg;
	const char *reason;
	int64_t id;
	enum cw_rc rc;

	if (e->store_failed)
		return CW_OK; /* nothing more is written, see crawl_record */
	if (fpset_get(c->seen, url, &id)) {
		if (parent == 0 || parent == id)
			return CW_OK;
		c->links++;
		return store_link_insert(e->st, parent, id, el);
	}
	id = e->next_page_id;
	rc = fpset_put(c->seen, url, id, NULL);
	if (rc != CW_OK)
		return rc;
	e->next_page_id++;
	reason = crawl_policy(c, url, depth, hops, parent == 0);
	if (hops > 0 && reason == NULL) {
		rc = strmap_put(c->redirect_hops, url, hops, NULL);
		if (rc != CW_OK)
			return rc;
	}
	memset(&pg, 0, sizeof(pg));
	pg.id = id;
	pg.crawl_id = c->id;
	pg.parent_id = parent;
	pg.url = url;
	pg.depth = depth;
	pg.state = reason != NULL ? PAGE_SKIPPED : PAGE_QUEUED;
	pg.reason = reason;
	pg.discovered_us = cw_wallclock_us();
	rc = store_page_insert(e->st, &pg);
	if (rc == CW_OK && parent != 0) {
		c->links++;
		rc = store_link_insert(e->st, parent, id, el);
	}
	if (rc != CW_OK)
		return rc;
	if (reason != NULL) {
		c->skipped++;
		return CW_OK;
	}
	c->enqueued++;
	/* A stopping crawl keeps the row 'queued' for a later resume. */
	if (c->stopping)
		return CW_OK;
	return crawl_enqueue(c, url, id, depth);
}

/* Discover the links a parse job found, at depth + 1. */
static enum cw_rc
crawl_discover_links(
    struct crawl *c, const struct task *t, const struct link_list *l)
{
	enum cw_rc rc = CW_OK;
	size_t i;

	for (i = 0; rc == CW_OK && i < l->count; i++)
		rc = crawl_discover(c, link_list_url(l, i), t->depth + 1, 0,
		    t->page_id, (enum link_element)l->items[i].element);
	return rc;
}

/*
 * Discover a redirect target at the same depth, one hop further along its
 * chain: hops are counted from the first URL that was not itself reached
 * by a redirect, and only redirect targets are in the hop map.
 */
static enum cw_rc
crawl_discover_redirect(
    struct crawl *c, const struct task *t, const char *location)
{
	char *url = NULL;
	int64_t hops = 0;
	enum cw_rc rc;

	(void)strmap_get(c->redirect_hops, t->url, &hops);
	rc = url_resolve(t->url, location, &url);
	if (rc == CW_OK)
		rc = crawl_discover(c, url, t->depth, (int)hops + 1, t->page_id,
		    LINK_EL_REDIRECT);
	else if (rc != CW_ENOMEM)
		rc = CW_OK; /* a bad or non-http Location leads nowhere */
	free(url);
	return rc;
}

/* Stop a crawl after its first failure (--fail-fast). */
static void
crawl_fail_fast(struct crawl *c, const char *url, const char *reason)
{
	char msg[1024];

	if (c->end != CRAWL_END_RUNNING)
		return;
	snprintf(msg, sizeof(msg), "%s: %s", url, reason);
	c->end = CRAWL_END_FAIL_FAST;
	free(c->end_msg);
	c->end_msg = strdup(msg);
	crawl_stop(c);
}

/* The outcome row of a fetch (strings borrowed from res). */
static void
crawl_fill_result(const struct task *t, const struct fetch_result *res,
    struct store_result *sr)
{
	memset(sr, 0, sizeof(*sr));
	sr->id = t->page_id;
	sr->state = PAGE_DONE;
	sr->status = (int)res->status;
	sr->content_type = res->content_type;
	sr->bytes = res->bytes;
	sr->fetched_us = cw_wallclock_us();
	sr->attempts = t->attempts;
}

/* Record a fetch's outcome and put its children. */
static void
crawl_record(
    struct crawl *c, const struct task *t, const struct fetch_result *res)
{
	struct engine *e = c->e;
	struct store_result sr;
	char reason[CURL_ERROR_SIZE + 32];
	enum cw_rc rc = CW_OK;

	/* After a failed write nothing more is written: the next run
	   resumes from the last whole batch. */
	if (e->store_failed)
		return;
	crawl_fill_result(t, res, &sr);
	c->bytes += (uint64_t)res->bytes;
	if (res->outcome == FETCH_OK) {
		c->done++;
	} else if (res->outcome == FETCH_BLOCKED) {
		/* Policy, not a failure: nothing was sent. */
		sr.state = PAGE_SKIPPED;
		sr.reason = "blocked-address";
		sr.bytes = -1;
		sr.fetched_us = 0;
		c->skipped++;
		log_info("fetch: blocked url=%s (non-public address)", t->url);
		(void)engine_store_ok(e, store_page_finish(e->st, &sr));
		return;
	} else {
		snprintf(reason, sizeof(reason), "%s: %s",
		    fetch_outcome_name(res->outcome), res->error);
		sr.state = PAGE_FAILED;
		sr.reason = reason;
		c->failed++;
		log_info("fetch: failed url=%s reason=%s", t->url, reason);
	}
	if (!engine_store_ok(e, store_page_finish(e->st, &sr)))
		return;
	if (res->outcome != FETCH_OK) {
		if (c->opts->fail_fast)
			crawl_fail_fast(c, t->url, reason);
		return;
	}
	if (res->redirect_url != NULL)
		rc = crawl_discover_redirect(c, t, res->redirect_url);
	if (rc == CW_ENOMEM)
		log_error(
		    "engine: out of memory recording links of %s", t->url);
	else if (rc != CW_OK)
		engine_store_error(e, rc);
}

/* Whether a recorded fetch has links to extract. */
static bool
crawl_wants_links(const struct crawl *c, const struct fetch_result *res)
{
	return res->outcome == FETCH_OK && res->is_html && res->body != NULL &&
	    res->status >= 200 && res->status < 300 && !c->stopping &&
	    !c->e->store_failed;
}

/* A page waiting for its links: the outcome row is written with them. */
struct parsed_page {
	struct task *t;		/* borrowed from the frontier (in flight) */
	struct store_result sr; /* content_type points at ct */
	char *ct;		/* owned */
};

/*
 * Hand an HTML body to the parse pool: the job takes the slot's buffer,
 * so the slot is free for the next transfer at once, while the task stays
 * in flight until its links are back (join must not fire before). The
 * page's outcome row is written together with its links, in the same
 * batch, so a crash never leaves a 'done' page whose links were not
 * recorded. false when there was no memory for it (then record inline).
 */
static bool
crawl_submit_parse(struct crawl *c, struct task *t, struct fetch *f,
    const struct fetch_result *res)
{
	struct parsed_page *pp;
	struct parse_job *job = NULL;
	size_t len = 0;
	char *body;

	pp = calloc(1, sizeof(*pp));
	if (pp == NULL)
		return false;
	pp->t = t;
	crawl_fill_result(t, res, &pp->sr);
	pp->ct = cw_strdup(res->content_type);
	pp->sr.content_type = pp->ct;
	body = buf_take(&f->body, &len);
	if (res->content_type == NULL || pp->ct != NULL)
		job = parse_job_new(body, len, t->url, c->opts->max_links, pp);
	if (job == NULL) {
		f->body.data = body; /* give it back to the slot */
		f->body.len = f->body.cap = len;
		free(pp->ct);
		free(pp);
		return false;
	}
	parsepool_submit(c->e->pool, job);
	return true;
}

/* A task of c left flight: account it (after its children were put). */
static void
crawl_task_done(struct crawl *c, struct task *t)
{
	CW_ASSERT(c->in_flight > 0);
	c->in_flight--;
	frontier_done(c->e->fr, t);
	crawl_maybe_finish(c);
}

/*
 * Whether a finished fetch should be tried again, and after how long:
 * timeouts, connection failures and --retry-status responses, up to
 * --retries more attempts, with exponential backoff and jitter; a longer
 * Retry-After wins. The wait applies to the whole host (frontier_retry
 * moves its clock), so a failing host is backed off as a whole.
 */
static bool
crawl_retry_wait(struct crawl *c, const struct task *t,
    const struct fetch_result *res, uint64_t *wait_ms)
{
	uint64_t backoff;
	bool retry;

	if (c->stopping || (unsigned)t->attempts > c->opts->retries)
		return false;
	switch (res->outcome) {
	case FETCH_TIMEOUT:
	case FETCH_CONNECT:
	case FETCH_ERROR:
		retry = true;
		break;
	case FETCH_OK:
		retry = crawl_opts_retry_status(c->opts, (int)res->status);
		break;
	case FETCH_TOO_BIG:
	case FETCH_BLOCKED:
	default:
		retry = false;
		break;
	}
	if (!retry)
		return false;
	backoff = (uint64_t)RETRY_BASE_MS << (t->attempts - 1);
	if (backoff > RETRY_MAX_MS)
		backoff = RETRY_MAX_MS;
	/* Full jitter over the upper half: hosts don't retry in lockstep. */
	backoff =
	    backoff / 2 + (uint64_t)rand_r(&c->e->rng) % (backoff / 2 + 1);
	if (res->retry_after_s > RETRY_AFTER_MAX_S)
		return false;
	if ((uint64_t)res->retry_after_s * 1000 > backoff)
		backoff = (uint64_t)res->retry_after_s * 1000;
	*wait_ms = backoff;
	return true;
}

/* Whether the crawl may connect to sa (the SSRF guard, fetch.h). */
static bool
crawl_addr_allowed(void *arg, const struct task *t, const struct sockaddr *sa)
{
	const struct crawl *c = arg;
	enum netaddr_class cls = netaddr_classify(sa);
	size_t i;

	(void)t;
	if (c->opts->allow_private || cls == NETADDR_PUBLIC)
		return true;
	/* A non-public address only when a seed host has that very address:
	   crawling one loopback or intranet site never opens another. */
	for (i = 0; i < c->nseed_addrs; i++)
		if (netaddr_same_host(
			sa, (const struct sockaddr *)&c->seed_addrs[i]))
			return true;
	return false;
}

/* Rules for a robots.txt response, per RFC 9309 section 2.3.1. */
static enum cw_rc
robots_rules_for(const struct crawl *c, const struct fetch_result *res,
    struct robots **rules, bool *unreachable)
{
	*unreachable = false;
	if (res->outcome == FETCH_OK && res->status >= 200 && res->status < 300)
		return robots_parse(res->body != NULL ? res->body : "",
		    res->body_len, c->opts->user_agent, rules);
	/* 4xx, or too many redirects: "unavailable", crawl freely. A blocked
	   address is judged page by page, so each page says so. */
	if ((res->outcome == FETCH_OK && res->status < 500) ||
	    res->outcome == FETCH_BLOCKED ||
	    (res->outcome == FETCH_ERROR && res->status >= 300 &&
		res->status < 400))
		return robots_new_allow_all(rules);
	/* 5xx or unreachable: assume complete disallow (for now). */
	*unreachable = true;
	return robots_new_disallow_all(rules);
}

/*
 * A robots.txt fetch finished. Unreachable ones are tried again with
 * backoff (ROBOTS_TRIES in all) before the host is taken as disallowed.
 * Returns true when the task was put back rather than finished.
 */
static bool
crawl_robots_done(
    struct crawl *c, struct task *t, const struct fetch_result *res)
{
	struct engine *e = c->e;
	struct hostinfo *hi = engine_hostinfo(t->host);
	struct robots *rules = NULL;
	bool unreachable;
	uint32_t delay;

	if (hi == NULL ||
	    robots_rules_for(c, res, &rules, &unreachable) != CW_OK) {
		log_error("robots: out of memory for %s", t->url);
		return false;
	}
	if (unreachable && ++hi->failures < ROBOTS_TRIES) {
		robots_free(rules);
		log_info("robots: %s unreachable (try %u), retrying", t->url,
		    hi->failures);
		c->in_flight--;
		c->queued++;
		frontier_retry(e->fr, t,
		    cw_monotonic_ms() +
			(ROBOTS_BACKOFF_MS << (hi->failures - 1)));
		return true;
	}
	robots_free(hi->rules);
	hi->rules = rules;
	hi->robots_state = ROBOTS_READY;
	hi->expires_ms = cw_monotonic_ms() + ROBOTS_TTL_MS;
	hi->failures = 0;
	delay = robots_crawl_delay_ms(rules);
	if (delay > host_delay(t->host))
		host_set_delay(e->fr, t->host, delay);
	host_set_gate(e->fr, t->host, false);
	log_info("robots: %s status=%ld%s crawl-delay=%u ms", t->url,
	    res->status, unreachable ? " (unreachable: disallow all)" : "",
	    delay);
	return false;
}

/* Whether robots.txt keeps a taken page from being fetched. */
static bool
crawl_robots_denies(const struct crawl *c, const struct task *t)
{
	const struct hostinfo *hi = host_data(t->host);
	char *pq = NULL;
	bool denied;

	if (!c->opts->robots || hi == NULL || hi->rules == NULL)
		return false;
	if (url_path_query(t->url, &pq) != CW_OK)
		return false;
	denied = !robots_allowed(hi->rules, pq);
	free(pq);
	return denied;
}

/* Record a page robots.txt forbids: skipped, never requested. */
static void
crawl_skip_robots(struct crawl *c, struct task *t)
{
	struct store_result sr;

	if (c->e->store_failed) {
		crawl_task_done(c, t);
		return;
	}
	memset(&sr, 0, sizeof(sr));
	sr.id = t->page_id;
	sr.state = PAGE_SKIPPED;
	sr.reason = "robots";
	sr.bytes = -1;
	sr.fetched_us = 0;
	c->skipped++;
	(void)engine_store_ok(c->e, store_page_finish(c->e->st, &sr));
	crawl_task_done(c, t);
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
	uint64_t wait = 0;

	fetch_finish(f, result, &res);
	log_debug("fetch: done id=%lld status=%ld bytes=%lld url=%s",
	    (long long)t->page_id, res.status, (long long)res.bytes, t->url);
	f->task = NULL;
	e->idle[e->nidle++] = f;
	if (t->kind == TASK_K_GATE) {
		if (!crawl_robots_done(c, t, &res))
			crawl_task_done(c, t);
	} else if (crawl_retry_wait(c, t, &res, &wait)) {
		log_info("fetch: retry url=%s attempt=%d wait=%llu ms (%s %ld)",
		    t->url, t->attempts, (unsigned long long)wait,
		    fetch_outcome_name(res.outcome), res.status);
		c->retries++;
		c->in_flight--;
		c->queued++;
		frontier_retry(e->fr, t, cw_monotonic_ms() + wait);
	} else if (!crawl_wants_links(c, &res) ||
	    !crawl_submit_parse(c, t, f, &res)) {
		crawl_record(c, t, &res);
		crawl_task_done(c, t);
	}
	if (store_batch_rows(e->st) >= ENGINE_FLUSH_ROWS)
		engine_flush(e);
	engine_kick(e);
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
		c->in_flight--;
		frontier_done(e->fr, t);
		goto out;
	}
	if (!e->store_failed) {
		c->done++;
		c->bytes += (uint64_t)pp->sr.bytes;
		if (!engine_store_ok(e, store_page_finish(e->st, &pp->sr)))
			rc = CW_OK;
		else if (rc == CW_OK)
			rc = crawl_discover_links(c, t, &job->links);
	}
	if (rc == CW_ENOMEM)
		log_error(
		    "engine: out of memory recording links of %s", t->url);
	else if (rc != CW_OK)
		engine_store_error(e, rc);
	crawl_task_done(c, t);
	if (store_batch_rows(e->st) >= ENGINE_FLUSH_ROWS)
		engine_flush(e);
	engine_kick(e);
out:
	free(pp->ct);
	free(pp);
	parse_job_free(job);
}

/* Start a taken task on an idle slot. */
static void
engine_launch(struct engine *e, struct task *t)
{
	struct crawl *c = t->owner;
	struct fetch *f;
	struct fetch_result res;
	enum cw_rc rc;

	c->queued--;
	c->in_flight++;
	t->attempts++;
	if (t->kind == TASK_K_PAGE && crawl_robots_denies(c, t)) {
		crawl_skip_robots(c, t);
		return;
	}
	if (t->kind == TASK_K_PAGE &&
	    !engine_store_ok(e, store_page_fetching(e->st, t->page_id))) {
		crawl_task_done(c, t);
		return;
	}
	f = e->idle[--e->nidle];
	f->addr_check = crawl_addr_allowed;
	f->addr_check_arg = c;
	rc = fetch_start(f, t);
	if (rc == CW_OK)
		rc = curlev_add(e->cev, f->easy);
	if (rc == CW_OK)
		return;
	/* Could not even start: record it as failed like any other error. */
	memset(&res, 0, sizeof(res));
	res.outcome = FETCH_ERROR;
	res.error = "could not start the transfer";
	res.bytes = 0;
	crawl_record(c, t, &res);
	f->task = NULL;
	e->idle[e->nidle++] = f;
	crawl_task_done(c, t);
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
		crawl_refill(c);
		crawl_maybe_finish(c); /* a refill may have found nothing */
	}
	/* Parsing is the slower stage: don't fetch far ahead of it. */
	while (e->nidle > 0 && !e->store_failed &&
	    parsepool_pending(e->pool) < 2 * (size_t)e->cfg.concurrency) {
		t = frontier_take(e->fr, now, &wait);
		if (t == NULL)
			break;
		engine_launch(e, t);
	}
	if (e->nidle > 0 && wait != UINT64_MAX && wait > 0) {
		tv.tv_sec = (time_t)(wait / 1000);
		tv.tv_usec = (suseconds_t)((wait % 1000) * 1000);
		evtimer_add(e->wait_ev, &tv);
	}
}

/* Ask for a pump on the next loop pass (many kicks, one pump). */
static void
engine_kick(struct engine *e)
{
	if (!e->pump_scheduled) {
		e->pump_scheduled = true;
		event_active(e->pump_ev, 0, 0);
	}
}

/* The deferred end of a crawl: commit, mark the row, tell the owner. */
static void
crawl_finish_event(evutil_socket_t fd, short what, void *arg)
{
	struct crawl *c = arg;
	struct engine *e = c->e;

	(void)fd;
	(void)what;
	if (c->end == CRAWL_END_RUNNING)
		c->end = c->stopping ? CRAWL_END_STOPPED : CRAWL_END_DONE;
	c->ended_us = cw_monotonic_us();
	if (!e->store_failed)
		(void)engine_store_ok(e,
		    store_crawl_set_state(e->st, c->id, crawl_end_state(c->end),
			c->end == CRAWL_END_DONE ? cw_wallclock_us() : 0));
	engine_flush(e);
	if (c->done_cb != NULL)
		c->done_cb(c, c->done_arg);
}

/* Schedule the end of a crawl once nothing of it is queued or in flight. */
static void
crawl_maybe_finish(struct crawl *c)
{
	if (c->finished || c->queued != 0 || c->in_flight != 0)
		return;
	if (c->spilled != 0) {
		engine_kick(c->e); /* the pump pages the rest in */
		return;
	}
	c->finished = true;
	event_active(c->done_ev, 0, 0);
}

/* Stop taking a crawl's tasks. */
void
crawl_stop(struct crawl *c)
{
	size_t dropped;

	if (c->stopping)
		return;
	c->stopping = true;
	dropped = frontier_drop_owner(c->e->fr, c);
	CW_ASSERT(dropped == c->queued);
	c->queued -= dropped;
	c->spilled = 0; /* those rows stay 'queued' for a resume */
	crawl_maybe_finish(c);
}

/* Free a crawl: it must be finished (or the engine going away). */
void
crawl_free(struct crawl *c)
{
	size_t i;

	if (c == NULL)
		return;
	LIST_REMOVE(c, entry);
	if (c->queued > 0)
		c->queued -= frontier_drop_owner(c->e->fr, c);
	for (i = 0; i < c->nkeys; i++)
		free(c->scope_keys[i]);
	free(c->scope_keys);
	fpset_free(c->seen);
	strmap_free(c->redirect_hops);
	free(c->seed_addrs);
	if (c->done_ev != NULL)
		event_free(c->done_ev);
	free(c->end_msg);
	free(c);
}

/* The seeds as a JSON array text for the crawls row. */
static char *
crawl_seeds_json(char *const *seeds, size_t n)
{
	json_t *arr = json_array();
	char *text;
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(seeds[i]));
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

/*
 * Remember the non-public addresses of a seed's host, so the SSRF guard
 * lets the crawl reach its own seeds and nothing else private. This runs
 * getaddrinfo() once per seed at start-up (blocking, like the CLI's other
 * start-up work); later connections are judged by the address libcurl
 * really connects to.
 */
static enum cw_rc
crawl_add_seed_addrs(struct crawl *c, const char *url)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage *n;
	char *host = NULL;
	enum cw_rc rc;

	if (c->opts->allow_private)
		return CW_OK;
	rc = url_host(url, &host);
	if (rc != CW_OK)
		return rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		res = NULL; /* unresolvable now: it will fail to connect */
	for (ai = res; ai != NULL && rc == CW_OK; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(*n) ||
		    netaddr_classify(ai->ai_addr) == NETADDR_PUBLIC)
			continue;
		n = realloc(c->seed_addrs, (c->nseed_addrs + 1) * sizeof(*n));
		if (n == NULL) {
			rc = CW_ENOMEM;
			break;
		}
		c->seed_addrs = n;
		memset(&n[c->nseed_addrs], 0, sizeof(*n));
		memcpy(&n[c->nseed_addrs++], ai->ai_addr, ai->ai_addrlen);
	}
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return rc;
}

/* Normalise every seed and collect the scope keys. */
static enum cw_rc
crawl_prepare_seeds(struct crawl *c, char *const *seeds, size_t n, char **norm,
    char *err, size_t errlen)
{
	enum cw_rc rc;
	size_t i;

	for (i = 0; i < n; i++) {
		rc = url_normalise(seeds[i], &norm[i]);
		if (rc == CW_ENOTSUP) {
			snprintf(err, errlen,
			    "'%s': unsupported scheme (http and https only)",
			    seeds[i]);
			return rc;
		}
		if (rc != CW_OK) {
			snprintf(err, errlen, "'%s': not a valid URL (%s)",
			    seeds[i], cw_strerror(rc));
			return rc == CW_ENOMEM ? rc : CW_EPARSE;
		}
		rc = crawl_scope_key_of(c, norm[i], &c->scope_keys[i]);
		if (rc == CW_OK)
			rc = crawl_add_seed_addrs(c, norm[i]);
		if (rc != CW_OK) {
			snprintf(
			    err, errlen, "%s: %s", seeds[i], cw_strerror(rc));
			return rc;
		}
		c->nkeys++;
	}
	return CW_OK;
}

/* A new crawl object with its events, registered with the engine. */
static struct crawl *
crawl_alloc(struct engine *e, const struct crawl_opts *opts, size_t nseeds,
    crawl_done_cb *done, void *arg)
{
	struct crawl *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	LIST_INSERT_HEAD(&e->crawls, c, entry);
	c->e = e;
	c->opts = opts;
	c->done_cb = done;
	c->done_arg = arg;
	c->started_us = cw_monotonic_us();
	c->seen = fpset_new();
	c->redirect_hops = strmap_new();
	c->scope_keys = calloc(nseeds + 1, sizeof(*c->scope_keys));
	c->done_ev = event_new(e->base, -1, 0, crawl_finish_event, c);
	if (c->seen == NULL || c->redirect_hops == NULL ||
	    c->scope_keys == NULL || c->done_ev == NULL) {
		crawl_free(c);
		return NULL;
	}
	return c;
}

/* Free an array of n strings. */
static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* Hand a started crawl to its caller (or free it on failure). */
static enum cw_rc
crawl_launched(struct crawl *c, enum cw_rc rc, struct crawl **out, char *err,
    size_t errlen)
{
	if (rc == CW_OK)
		rc = store_flush(c->e->st);
	if (rc != CW_OK) {
		if (rc == CW_ESTORE || rc == CW_EFULL || rc == CW_EIO)
			snprintf(err, errlen, "%s: %s", cw_strerror(rc),
			    store_errmsg(c->e->st));
		crawl_free(c);
		return rc;
	}
	crawl_maybe_finish(c); /* every seed may have been skipped */
	*out = c;
	return CW_OK;
}

/* Start a crawl job. */
enum cw_rc
crawl_start(struct engine *e, const struct crawl_opts *opts, char *const *seeds,
    size_t nseeds, crawl_done_cb *done, void *arg, struct crawl **out,
    char *err, size_t errlen)
{
	struct crawl *c;
	char **norm = NULL, *seeds_json = NULL, *opts_json = NULL;
	enum cw_rc rc = CW_ENOMEM;
	size_t i;

	*out = NULL;
	snprintf(err, errlen, "out of memory");
	c = crawl_alloc(e, opts, nseeds, done, arg);
	norm = calloc(nseeds + 1, sizeof(*norm));
	if (c == NULL || norm == NULL)
		goto out;
	rc = crawl_prepare_seeds(c, seeds, nseeds, norm, err, errlen);
	if (rc != CW_OK)
		goto out;
	seeds_json = crawl_seeds_json(seeds, nseeds);
	opts_json = crawl_opts_to_json(opts);
	if (seeds_json == NULL || opts_json == NULL) {
		rc = CW_ENOMEM;
		goto out;
	}
	rc = store_crawl_create(
	    e->st, seeds_json, opts_json, cw_wallclock_us(), &c->id);
	for (i = 0; rc == CW_OK && i < nseeds; i++)
		rc = crawl_discover(c, norm[i], 0, 0, 0, LINK_EL_A);
	log_info("engine: crawl %lld started with %zu seed(s)",
	    (long long)c->id, nseeds);
out:
	strv_free(norm, nseeds);
	free(seeds_json);
	free(opts_json);
	if (c == NULL)
		return CW_ENOMEM;
	return crawl_launched(c, rc, out, err, errlen);
}

/* One page of a resumed crawl: back into the seen-set, and the queue. */
static int
crawl_resume_page(
    void *arg, int64_t id, const char *url, int depth, enum page_state state)
{
	struct crawl *c = arg;

	if (fpset_put(c->seen, url, id, NULL) != CW_OK)
		return -1;
	switch (state) {
	case PAGE_QUEUED:
	case PAGE_FETCHING:
		c->enqueued++;
		return crawl_enqueue(c, url, id, depth) == CW_OK ? 0 : -1;
	case PAGE_DONE:
	case PAGE_FAILED:
		c->enqueued++;
		return 0;
	case PAGE_SKIPPED:
		return 0;
	}
	return 0;
}

/* The seeds of a stored crawl, from its JSON array. */
static char **
crawl_seeds_parse(const char *seeds_json, size_t *n)
{
	json_t *arr = json_loads(seeds_json, 0, NULL);
	char **v = NULL;
	size_t i;

	*n = 0;
	if (arr == NULL || !json_is_array(arr))
		goto out;
	v = calloc(json_array_size(arr) + 1, sizeof(*v));
	for (i = 0; v != NULL && i < json_array_size(arr); i++) {
		const char *u = json_string_value(json_array_get(arr, i));

		v[i] = strdup(u != NULL ? u : "");
		if (v[i] == NULL) {
			strv_free(v, i);
			v = NULL;
			break;
		}
		*n = i + 1;
	}
out:
	json_decref(arr);
	return v;
}

/* Resume a stored crawl. */
enum cw_rc
crawl_resume(struct engine *e, const struct crawl_opts *opts, int64_t crawl_id,
    const char *seeds_json, crawl_done_cb *done, void *arg, struct crawl **out,
    char *err, size_t errlen)
{
	struct crawl *c = NULL;
	char **seeds, **norm = NULL;
	size_t nseeds = 0;
	enum cw_rc rc = CW_ENOMEM;

	*out = NULL;
	snprintf(err, errlen, "out of memory");
	seeds = crawl_seeds_parse(seeds_json, &nseeds);
	if (seeds != NULL)
		c = crawl_alloc(e, opts, nseeds, done, arg);
	norm = calloc(nseeds + 1, sizeof(*norm));
	if (c == NULL || norm == NULL)
		goto out;
	c->id = crawl_id;
	rc = crawl_prepare_seeds(c, seeds, nseeds, norm, err, errlen);
	if (rc == CW_OK)
		rc = store_crawl_requeue(e->st, crawl_id);
	if (rc == CW_OK)
		rc = store_crawl_set_state(e->st, crawl_id, "running", 0);
	if (rc == CW_OK)
		rc = store_walk_pages(e->st, crawl_id, crawl_resume_page, c);
	if (rc == CW_EINVAL)
		rc = CW_ENOMEM; /* only a failed put/enqueue stops the walk */
	log_info("engine: crawl %lld resumed: %llu pages queued",
	    (long long)crawl_id, (unsigned long long)c->queued);
out:
	strv_free(seeds, nseeds);
	strv_free(norm, nseeds);
	if (c == NULL)
		return CW_ENOMEM;
	return crawl_launched(c, rc, out, err, errlen);
}

/* The seeds as the JSON text stored in crawls.seeds. */
char *
crawl_seeds_to_json(char *const *seeds, size_t n)
{
	return crawl_seeds_json(seeds, n);
}

/* A crawl's counters. */
void
crawl_get_stats(const struct crawl *c, struct crawl_stats *s)
{
	uint64_t end = c->ended_us != 0 ? c->ended_us : cw_monotonic_us();

	memset(s, 0, sizeof(*s));
	s->crawl_id = c->id;
	s->queued = c->queued;
	s->in_flight = c->in_flight;
	s->done = c->done;
	s->failed = c->failed;
	s->skipped = c->skipped;
	s->bytes = c->bytes;
	s->links = c->links;
	s->retries = c->retries;
	s->elapsed_s = (double)(end - c->started_us) / 1e6;
	if (s->elapsed_s > 0)
		s->pages_per_s = (double)(c->done + c->failed) / s->elapsed_s;
}

enum crawl_end
crawl_end_reason(const struct crawl *c)
{
	return c->end;
}

const char *
crawl_end_message(const struct crawl *c)
{
	return c->end_msg != NULL ? c->end_msg : "";
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

/* Set the multi handle's connection limits from the config. */
static void
engine_setup_multi(struct engine *e)
{
	CURLM *m = curlev_multi(e->cev);

	curl_multi_setopt(
	    m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)e->cfg.per_host);
	curl_multi_setopt(
	    m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)e->cfg.concurrency);
	curl_multi_setopt(
	    m, CURLMOPT_MAXCONNECTS, (long)e->cfg.concurrency * 2);
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
	LIST_INIT(&e->crawls);
	e->user_agent = strdup(cfg->user_agent);
	e->fopts.user_agent = e->user_agent;
	e->ca_file = cw_strdup(cfg->ca_file);
	e->fopts.ca_file = e->ca_file;
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
	if (e->user_agent == NULL || e->lag_hist == NULL || e->cev == NULL ||
	    e->fr == NULL || e->pump_ev == NULL || e->wait_ev == NULL ||
	    e->hk_ev == NULL || e->pool == NULL ||
	    engine_make_slots(e) != CW_OK ||
	    store_next_page_id(st, &e->next_page_id) != CW_OK) {
		engine_free(e);
		return NULL;
	}
	engine_setup_multi(e);
	e->hk_due_us = cw_monotonic_us() + ENGINE_FLUSH_MS * 1000;
	event_add(e->hk_ev, &tv);
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
	for (i = 0; e->slots != NULL && i < e->cfg.concurrency; i++) {
		f = e->slots[i];
		if (f == NULL)
			continue;
		if (f->task != NULL) {
			struct crawl *c = f->task->owner;

			curlev_remove(e->cev, f->easy);
			c->in_flight--;
			frontier_done(e->fr, f->task);
			f->task = NULL;
		}
	}
	while (!LIST_EMPTY(&e->crawls))
		crawl_free(LIST_FIRST(&e->crawls));
	/* 2. the multi handle (may still call the socket callback). */
	curlev_free(e->cev);
	for (i = 0; e->slots != NULL && i < e->cfg.concurrency; i++)
		fetch_free(e->slots[i]);
	/* 3. events. */
	if (e->pump_ev != NULL)
		event_free(e->pump_ev);
	if (e->wait_ev != NULL)
		event_free(e->wait_ev);
	if (e->hk_ev != NULL)
		event_free(e->hk_ev);
	if (e->st != NULL && !e->store_failed)
		engine_flush(e);
	frontier_free(e->fr);
	free(e->lag_hist);
	free(e->slots);
	free(e->idle);
	free(e->user_agent);
	free(e->ca_file);
	free(e);
}
