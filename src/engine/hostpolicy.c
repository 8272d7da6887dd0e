/* SPDX-License-Identifier: MIT */
/*
 * hostpolicy.c - what the engine decides per host and per fetch: the
 * robots.txt gate and cache (RFC 9309), retries with backoff and
 * Retry-After, and the SSRF guard on the address connected to. Owns the
 * struct hostinfo attached to each frontier host.
 */
#include "engine_int.h"

#define RETRY_BASE_MS 1000     /* first backoff; doubles per attempt */
#define RETRY_MAX_MS 60000     /* cap of the computed backoff */
#define RETRY_MAX_SHIFT 6      /* 1000 << 6 is past the cap already */
#define RETRY_AFTER_MAX_S 3600 /* a longer Retry-After: give up */
#define ROBOTS_TTL_MS (24ULL * 3600 * 1000) /* cache lifetime */
/* An unreachable robots.txt (5xx, TLS, connect, DNS, timeout) disallows
   the host only for this long: the outage may be over in minutes, and a
   day of failing every page of the host for it is too long. */
#define ROBOTS_UNREACHABLE_TTL_MS (5ULL * 60 * 1000)
#define ROBOTS_TRIES 3	       /* fetches of an unreachable robots.txt */
#define ROBOTS_BACKOFF_MS 1000 /* doubled after each failure */
#define ROBOTS_MAX_REGATES 4   /* re-reads for other transports */

/* Forget a host's robots.txt: its rules for every agent, its body. */
static void
hostinfo_forget(struct hostinfo *hi)
{
	size_t i;

	robots_free(hi->rules);
	hi->rules = NULL;
	free(hi->unreachable);
	hi->unreachable = NULL;
	free(hi->body);
	hi->body = NULL;
	hi->body_len = 0;
	for (i = 0; i < hi->nagents; i++) {
		free(hi->agents[i].agent);
		robots_free(hi->agents[i].rules);
	}
	free(hi->agents);
	hi->agents = NULL;
	hi->nagents = 0;
}

/* Free a host's engine data. */
static void
hostinfo_free(void *arg)
{
	struct hostinfo *hi = arg;

	if (hi != NULL) {
		hostinfo_forget(hi);
		free(hi->gate_ca_file);
		free(hi->gate_proxy);
	}
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
 * the robots.txt fetch in front of everything else there. The gate task
 * belongs to the engine, not to the crawl that happened to ask first, so
 * stopping that crawl cannot leave the host gated for the others.
 */
/* Whether the crawl's transport is the one robots.txt was read with. */
static bool
hostinfo_same_transport(const struct hostinfo *hi, const struct crawl *c)
{
	return cw_same_str(hi->gate_ca_file, c->opts->ca_file) &&
	    cw_same_str(hi->gate_proxy, c->opts->proxy);
}

/* Read robots.txt next with the crawl's transport. */
static enum cw_rc
hostinfo_take_transport(struct hostinfo *hi, const struct crawl *c)
{
	char *ca = cw_strdup(c->opts->ca_file), *px = cw_strdup(c->opts->proxy);

	if ((c->opts->ca_file != NULL && ca == NULL) ||
	    (c->opts->proxy != NULL && px == NULL)) {
		free(ca);
		free(px);
		return CW_ENOMEM;
	}
	free(hi->gate_ca_file);
	free(hi->gate_proxy);
	hi->gate_ca_file = ca;
	hi->gate_proxy = px;
	return CW_OK;
}

/*
 * Whether robots.txt, unreadable for a transfer error (TLS, connect,
 * proxy) over another crawl's transport, is to be read again with c's:
 * at most ROBOTS_MAX_REGATES times until the rules expire, so crawls that
 * trust different things cannot hand the host back and forth forever.
 */
static bool
hostinfo_regate_due(const struct hostinfo *hi, const struct crawl *c)
{
	return hi->robots_state == ROBOTS_READY && hi->transfer_failed &&
	    !hostinfo_same_transport(hi, c) && hi->regates < ROBOTS_MAX_REGATES;
}

/* Count a re-read with c's transport against the bound. */
static void
hostinfo_count_regate(struct hostinfo *hi, const struct crawl *c)
{
	hi->regates++;
	log_info("robots: %s unreadable over another crawl's transport (%s), "
		 "reading it with crawl %lld's",
	    hi->unreachable != NULL ? hi->unreachable : "?",
	    hi->gate_proxy != NULL ? "proxy" : "ca-file", (long long)c->id);
}

/* Whether the rules on hand no longer hold for the crawl: expired, or
   to be read again over its transport (hostinfo_regate_due). */
static bool
hostinfo_stale_for(struct hostinfo *hi, const struct crawl *c)
{
	if (hi->robots_state != ROBOTS_READY)
		return false;
	if (cw_monotonic_ms() >= hi->expires_ms) {
		hi->regates = 0;
		return true;
	}
	if (!hostinfo_regate_due(hi, c))
		return false;
	hostinfo_count_regate(hi, c);
	return true;
}

/* Queue the host's robots.txt fetch, with c's transport, in front of
   everything there, and hold the host's pages until it is read. */
static enum cw_rc
hostinfo_open_gate(struct crawl *c, struct host *h, struct hostinfo *hi)
{
	char url[2048];
	enum cw_rc rc;

	rc = hostinfo_take_transport(hi, c);
	if (rc != CW_OK)
		return rc;
	snprintf(url, sizeof(url), "%s/robots.txt", host_origin(h));
	rc = frontier_push_gate(c->e->fr, host_origin(h), url, NULL);
	if (rc != CW_OK)
		return rc;
	hi->robots_state = ROBOTS_FETCHING;
	host_set_gate(c->e->fr, h, true);
	return CW_OK;
}

enum cw_rc
crawl_robots_gate_(struct crawl *c, const char *origin)
{
	struct engine *e = c->e;
	struct host *h = frontier_host(e->fr, origin);
	struct hostinfo *hi = h != NULL ? engine_hostinfo(h) : NULL;

	if (hi == NULL)
		return CW_ENOMEM;
	if (hostinfo_stale_for(hi, c)) {
		hostinfo_forget(hi);
		hi->robots_state = ROBOTS_UNKNOWN;
	}
	if (hi->robots_state != ROBOTS_UNKNOWN)
		return CW_OK;
	return hostinfo_open_gate(c, h, hi);
}

/*
 * A taken page's host could not have its robots.txt read over another
 * crawl's transport: the page was queued behind that read, so the gate
 * never asked for c's (crawl_robots_gate_ re-reads only for pages pushed
 * after it). Read it again with c's transport now, with the page put
 * back behind the new read, which judges it. Not a retry of the page: it
 * was never requested. A stopping crawl leaves it for the resume (its
 * row is still 'queued', no re-read is counted); out of memory ends
 * every crawl (the row stays 'queued' too).
 */
bool
crawl_robots_regate_(struct crawl *c, struct task *t)
{
	struct hostinfo *hi = host_data(t->host);
	enum cw_rc rc;

	if (hi == NULL || c->e->halted || !hostinfo_regate_due(hi, c))
		return false;
	if (c->stopping) {
		crawl_task_done_(c, t);
		return true;
	}
	hostinfo_count_regate(hi, c);
	crawl_task_put_back_(c, t, 0);
	hostinfo_forget(hi);
	hi->robots_state = ROBOTS_UNKNOWN;
	rc = hostinfo_open_gate(c, t->host, hi);
	if (rc != CW_OK)
		engine_store_error_(c->e, rc);
	return true;
}

/* The ca-file and proxy a host's robots.txt fetch goes with (fo's other
   settings are the engine's); the strings stay the host's. */
void
engine_gate_transport_(struct host *h, struct fetch_opts *fo)
{
	struct hostinfo *hi = engine_hostinfo(h);

	if (hi == NULL)
		return;
	fo->ca_file = hi->gate_ca_file;
	fo->proxy = hi->gate_proxy;
}

/*
 * Politeness is the host's, shared by every crawl on it: a crawl asking
 * for a longer --delay than the host has raises it, for every crawl there,
 * and it is never lowered while the engine runs (as robots.txt's
 * Crawl-delay). Only a crawl whose delay is above the engine's default
 * pays the host lookup (the CLI's one crawl never does).
 */
enum cw_rc
crawl_host_delay_(struct crawl *c, const char *origin)
{
	struct engine *e = c->e;
	struct host *h;

	if (c->opts->delay_ms <= e->cfg.delay_ms)
		return CW_OK;
	h = frontier_host(e->fr, origin);
	if (h == NULL)
		return CW_ENOMEM;
	if (c->opts->delay_ms > host_delay(h))
		host_set_delay(e->fr, h, c->opts->delay_ms);
	return CW_OK;
}

/* The wait before the next attempt after `attempts` fetches. */
uint64_t
crawl_backoff_ms_(int attempts, unsigned *rng)
{
	uint64_t backoff = RETRY_MAX_MS;

	/* Saturate before shifting: past RETRY_MAX_SHIFT doublings the cap
	   holds anyway, and a shift of 64 or more is undefined. */
	if (attempts >= 1 && attempts - 1 <= RETRY_MAX_SHIFT)
		backoff = (uint64_t)RETRY_BASE_MS << (attempts - 1);
	if (backoff > RETRY_MAX_MS)
		backoff = RETRY_MAX_MS;
	/* Full jitter over the upper half: hosts don't retry in lockstep. */
	return backoff / 2 + (uint64_t)rand_r(rng) % (backoff / 2 + 1);
}

/*
 * Whether a finished fetch should be tried again, and after how long:
 * timeouts, connection failures and --retry-status responses, up to
 * --retries more attempts, with exponential backoff and jitter; a longer
 * Retry-After wins. The wait applies to the whole host (frontier_retry
 * moves its clock), so a failing host is backed off as a whole.
 */
enum retry_verdict
crawl_retry_wait_(struct crawl *c, const struct task *t,
    const struct fetch_result *res, uint64_t *wait_ms)
{
	uint64_t backoff;
	bool retry;

	if ((unsigned)t->attempts > c->opts->retries)
		return RETRY_NO;
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
	if (!retry || res->retry_after_s > RETRY_AFTER_MAX_S)
		return RETRY_NO;
	/* A stop is not a verdict on the page: what would be tried again
	   is tried again by the resume. */
	if (c->stopping)
		return RETRY_ON_RESUME;
	backoff = crawl_backoff_ms_(t->attempts, &c->e->rng);
	if ((uint64_t)res->retry_after_s * 1000 > backoff)
		backoff = (uint64_t)res->retry_after_s * 1000;
	*wait_ms = backoff;
	return RETRY_LATER;
}

/*
 * The SSRF guard for a robots.txt fetch, which serves every crawl: the
 * address must be one some crawl still taking pages may connect to. A
 * finished or stopping crawl has no page waiting behind the gate, so it
 * grants nothing (it may linger in the list until crawl_free()).
 */
bool
engine_gate_addr_allowed_(
    void *arg, const struct task *t, const struct sockaddr *sa)
{
	struct engine *e = arg;
	struct crawl *c;

	LIST_FOREACH (c, &e->crawls, entry)
		if (!c->finished && !c->stopping &&
		    crawl_addr_allowed_(c, t, sa))
			return true;
	return false;
}

/* Whether the crawl may connect to sa (the SSRF guard, fetch.h). */
bool
crawl_addr_allowed_(void *arg, const struct task *t, const struct sockaddr *sa)
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
robots_rules_for(const char *agent, const struct fetch_result *res,
    struct robots **rules, bool *unreachable)
{
	*unreachable = false;
	if (res->outcome == FETCH_OK && res->status >= 200 && res->status < 300)
		return robots_parse(res->body != NULL ? res->body : "",
		    res->body_len, agent, rules);
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

/* How a settled robots.txt fetch counts in /metrics. */
static enum engine_robots_outcome
robots_outcome_of(const struct fetch_result *res, bool unreachable)
{
	if (unreachable)
		return ENGINE_RO_UNREACHABLE;
	if (res->outcome == FETCH_OK && res->status >= 200 && res->status < 300)
		return ENGINE_RO_PARSED;
	return ENGINE_RO_UNAVAILABLE;
}

/* Keep a 2xx robots.txt body for the crawls with other agents (false:
   out of memory). */
static bool
robots_keep_body(struct hostinfo *hi, const struct fetch_result *res)
{
	size_t n =
	    res->body_len < ROBOTS_MAX_BYTES ? res->body_len : ROBOTS_MAX_BYTES;

	if (res->outcome != FETCH_OK || res->status < 200 || res->status >= 300)
		return true;
	hi->body = malloc(n + 1);
	if (hi->body == NULL)
		return false;
	if (n > 0)
		memcpy(hi->body, res->body, n);
	hi->body[n] = '\0';
	hi->body_len = n;
	return true;
}

/* Why an unreachable robots.txt could not be read: "HTTP 503", or
   libcurl's message (TLS, connect, DNS, timeout). Malloc'd; NULL: OOM. */
static char *
robots_cause(const struct fetch_result *res)
{
	char cause[CURL_ERROR_SIZE + 32];

	if (res->outcome == FETCH_OK)
		snprintf(cause, sizeof(cause), "HTTP %ld", res->status);
	else
		snprintf(cause, sizeof(cause), "%s",
		    res->error != NULL ? res->error
				       : fetch_outcome_name(res->outcome));
	return strdup(cause);
}

/*
 * A robots.txt fetch finished. Unreachable ones are tried again with
 * backoff (ROBOTS_TRIES in all) before the host is taken as disallowed,
 * its cause kept for the pages it holds back. The rules are for the
 * engine's User-Agent product token. Returns true when the task was put
 * back rather than finished.
 */
bool
engine_robots_done_(
    struct engine *e, struct task *t, const struct fetch_result *res)
{
	struct hostinfo *hi = engine_hostinfo(t->host);
	struct robots *rules = NULL;
	char *cause = NULL;
	bool unreachable = false;
	uint32_t delay;

	if (hi == NULL ||
	    robots_rules_for(e->user_agent, res, &rules, &unreachable) !=
		CW_OK ||
	    (unreachable && hi->failures + 1 >= ROBOTS_TRIES &&
		(cause = robots_cause(res)) == NULL)) {
		/* Without rules the host stays gated and its pages wait
		   forever: the crawls end instead (the gate task goes). */
		char msg[2200];

		robots_free(rules);
		snprintf(msg, sizeof(msg), "out of memory reading %s", t->url);
		engine_fail_(e, CRAWL_END_ERROR, msg);
		return false;
	}
	if (unreachable && ++hi->failures < ROBOTS_TRIES) {
		engine_count_robots_(e, ENGINE_RO_RETRIED);
		robots_free(rules);
		log_info("robots: %s unreachable (try %u), retrying", t->url,
		    hi->failures);
		frontier_retry(e->fr, t,
		    cw_monotonic_ms() +
			(ROBOTS_BACKOFF_MS << (hi->failures - 1)));
		return true;
	}
	engine_count_robots_(e, robots_outcome_of(res, unreachable));
	hostinfo_forget(hi);
	if (!robots_keep_body(hi, res)) {
		robots_free(rules);
		free(cause);
		engine_fail_(
		    e, CRAWL_END_ERROR, "out of memory keeping robots.txt");
		return false;
	}
	hi->rules = rules;
	hi->unreachable = cause;
	hi->transfer_failed = cause != NULL && res->outcome != FETCH_OK;
	hi->robots_state = ROBOTS_READY;
	hi->expires_ms = cw_monotonic_ms() +
	    (cause != NULL ? ROBOTS_UNREACHABLE_TTL_MS : ROBOTS_TTL_MS);
	hi->failures = 0;
	delay = robots_crawl_delay_ms(rules);
	if (delay > host_delay(t->host))
		host_set_delay(e->fr, t->host, delay);
	host_set_gate(e->fr, t->host, false);
	log_info("robots: %s status=%ld%s%s crawl-delay=%u ms", t->url,
	    res->status, cause != NULL ? " unreachable, disallow all: " : "",
	    cause != NULL ? cause : "", delay);
	return false;
}

/*
 * The rules of a host for a crawl's User-Agent: the engine's when the
 * product tokens agree, or when robots.txt was no 2xx (allow all and
 * disallow all are every agent's); else parsed from the kept body on
 * first use and kept. A larger Crawl-delay for that agent raises the
 * host's delay, for every crawl there (politeness is the host's). NULL:
 * out of memory.
 */
static const struct robots *
robots_rules_of(struct engine *e, const struct task *t, struct hostinfo *hi,
    const char *agent)
{
	struct robots_agent *v;
	struct robots *rules = NULL;
	uint32_t delay;
	size_t i;

	if (hi->body == NULL || robots_same_agent(agent, e->user_agent))
		return hi->rules;
	for (i = 0; i < hi->nagents; i++)
		if (robots_same_agent(agent, hi->agents[i].agent))
			return hi->agents[i].rules;
	v = realloc(hi->agents, (hi->nagents + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	hi->agents = v;
	v = &hi->agents[hi->nagents];
	v->agent = cw_strdup(agent);
	if ((agent != NULL && v->agent == NULL) ||
	    robots_parse(hi->body, hi->body_len, agent, &rules) != CW_OK) {
		free(v->agent);
		return NULL;
	}
	v->rules = rules;
	hi->nagents++;
	delay = robots_crawl_delay_ms(rules);
	if (delay > host_delay(t->host))
		host_set_delay(e->fr, t->host, delay);
	log_info("robots: %s rules for agent=%s crawl-delay=%u ms",
	    host_origin(t->host), agent != NULL ? agent : "", delay);
	return rules;
}

/* What robots.txt says about a taken page. */
enum robots_verdict
crawl_robots_verdict_(const struct crawl *c, const struct task *t)
{
	struct hostinfo *hi = host_data(t->host);
	const struct robots *rules;
	char *pq = NULL;
	bool allowed;

	if (!c->opts->robots || hi == NULL || hi->rules == NULL)
		return ROBOTS_V_ALLOW;
	if (hi->unreachable != NULL)
		return ROBOTS_V_UNREACHABLE;
	rules = robots_rules_of(c->e, t, hi, c->opts->user_agent);
	if (rules == NULL)
		return ROBOTS_V_NOMEM;
	/* No rule: nothing to match, and no URL to parse (B1: 2.7 % of
	   the loop thread's CPU was this parse) */
	if (robots_allows_all(rules))
		return ROBOTS_V_ALLOW;
	if (url_path_query(t->url, &pq) != CW_OK)
		return ROBOTS_V_NOMEM; /* a normalised URL always parses */
	allowed = robots_allowed(rules, pq);
	free(pq);
	return allowed ? ROBOTS_V_ALLOW : ROBOTS_V_DENY;
}

/*
 * Record a page robots.txt holds back, never requested: 'skipped'
 * (robots) when a rule forbids it; 'failed' with the cause when
 * robots.txt could not be read (RFC 9309 2.3.1.4: assume complete
 * disallow), so the user sees the TLS or connect error, not a rule that
 * does not exist — but a page fetched before (a revisit) stays 'done'
 * with what it had, as for any failed revisit. A failed page counts for
 * --fail-fast like any other.
 */
void
crawl_hold_robots_(struct crawl *c, struct task *t, enum robots_verdict v)
{
	const struct hostinfo *hi = host_data(t->host);
	struct store_result sr;
	char reason[CURL_ERROR_SIZE + 64];

	if (v == ROBOTS_V_NOMEM)
		engine_store_error_(c->e, CW_ENOMEM);
	if (c->e->halted) {
		crawl_task_done_(c, t);
		return;
	}
	engine_count_held_(c->e, v);
	memset(&sr, 0, sizeof(sr));
	sr.id = t->page_id;
	sr.state = PAGE_SKIPPED;
	sr.reason = "robots";
	sr.bytes = -1;
	sr.fetched_us = 0;
	if (v == ROBOTS_V_UNREACHABLE) {
		snprintf(reason, sizeof(reason), "robots-unreachable: %s",
		    hi->unreachable);
		sr.state = PAGE_FAILED;
		sr.reason = reason;
		c->failed++;
		if (t->refetch) {
			/* A revisit held back is a failed revisit: the page
			   keeps its last good response and falls due again,
			   the attempt a fetches row with the cause. */
			sr.fetched = true;
			sr.fetched_us = cw_wallclock_us();
			sr.keep_content = true;
		}
	} else {
		c->skipped++;
	}
	if (engine_store_ok_(c->e, store_page_finish(c->e->st, &sr)) &&
	    v == ROBOTS_V_UNREACHABLE && c->opts->fail_fast)
		crawl_fail_fast_(c, t->url, reason);
	crawl_task_done_(c, t);
}
