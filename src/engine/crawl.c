/* SPDX-License-Identifier: MIT */
/*
 * crawl.c - a crawl job's life: start (seeds normalised, scope keys, the
 * seeds' addresses for the SSRF guard, the crawls row), resume from the
 * database, stop, the deferred finish, stats. A crawl owns its seen-set,
 * scope keys and seed addresses, and the resolver its seed host names are
 * looked up with; it borrows its options and the engine. Loop thread
 * only (the resolver's answers come back on it).
 */
#include "engine_int.h"

/* A crawl's end state as stored in crawls.state: a plain stop ends as
   its owner asked (crawl_stop_as), 'cancelled' when it did not say. */
static const char *
crawl_end_state(const struct crawl *c, enum crawl_end end)
{
	if (end == CRAWL_END_DONE)
		return "done";
	if (end == CRAWL_END_STOPPED && c->stop_state != NULL)
		return c->stop_state;
	return "cancelled";
}

/* Set how a crawl ends, unless its end was reported already. */
void
crawl_set_end_(struct crawl *c, enum crawl_end end, const char *msg)
{
	if (c->reported)
		return;
	c->end = end;
	free(c->end_msg);
	c->end_msg = msg != NULL ? strdup(msg) : NULL;
}

/*
 * The deferred end of a crawl: write its state, commit, tell the owner. A
 * stopped crawl first turns its 'fetching' rows back into 'queued': with
 * nothing in flight they are pages put back for a retry or left for the
 * resume, and a stop leaves every unfinished page 'queued'. The end is
 * settled only after the commit: if the last commit fails, the crawl ends
 * with the store error (engine_store_error_ sets it), not as done, and its
 * row still says 'running' for the re-run to resume.
 */
static void
crawl_finish_event(evutil_socket_t fd, short what, void *arg)
{
	struct crawl *c = arg;
	struct engine *e = c->e;
	enum crawl_end end = c->end;
	enum cw_rc rc = CW_OK;

	(void)fd;
	(void)what;
	if (end == CRAWL_END_RUNNING)
		end = c->stopping ? CRAWL_END_STOPPED : CRAWL_END_DONE;
	c->ended_us = cw_monotonic_us();
	if (!e->halted)
		crawl_observe_end_(c, end);
	if (!e->halted) {
		if (end != CRAWL_END_DONE)
			rc = store_crawl_requeue(e->st, c->id);
		if (rc == CW_OK)
			rc = store_crawl_set_state(e->st, c->id,
			    crawl_end_state(c, end),
			    end == CRAWL_END_DONE ? cw_wallclock_us() : 0);
		if (engine_store_ok_(e, rc))
			engine_flush_(e);
	}
	if (c->end == CRAWL_END_RUNNING)
		c->end = end;
	c->reported = true;
	if (c->done_cb != NULL)
		c->done_cb(c, c->done_arg);
}

/* Schedule the end of a crawl once nothing of it is queued or in flight. */
void
crawl_maybe_finish_(struct crawl *c)
{
	if (c->finished || c->tasks.queued != 0 || c->tasks.in_flight != 0)
		return;
	/* Seeds waiting for their hosts' addresses are work to come. */
	if (c->lookups_waiting != 0)
		return;
	/* A revisit crawl waits for its next due page (revisit.c) instead
	   of ending: only a stop or an engine failure ends it. */
	if (c->tasks.spilled != 0 || crawl_revisiting_(c)) {
		engine_kick_(c->e); /* the pump pages the rest in */
		return;
	}
	c->finished = true;
	event_active(c->done_ev, 0, 0);
}

/* Push a page task to the frontier: queued. */
enum cw_rc
crawl_task_push_(struct crawl *c, const char *origin, const char *url,
    int64_t id, int depth, const struct task_validators *v)
{
	enum cw_rc rc;

	rc = frontier_push_cond(c->e->fr, origin, url, id, depth, c, v);
	if (rc == CW_OK) {
		c->tasks.queued++;
		engine_kick_(c->e);
	}
	return rc;
}

/* The frontier gave out a task of c: queued -> in flight. */
void
crawl_task_taken_(struct crawl *c)
{
	CW_ASSERT(c->tasks.queued > 0);
	c->tasks.queued--;
	c->tasks.in_flight++;
}

/* In flight -> queued at the front of its host, not before not_before. */
static void
crawl_task_requeue(struct crawl *c, struct task *t, uint64_t not_before)
{
	CW_ASSERT(c->tasks.in_flight > 0);
	c->tasks.in_flight--;
	c->tasks.queued++;
	frontier_retry(c->e->fr, t, not_before);
}

/* Another attempt after not_before (ms): in flight -> queued. */
void
crawl_task_retry_(struct crawl *c, struct task *t, uint64_t not_before)
{
	c->retries++;
	crawl_task_requeue(c, t, not_before);
}

/* A taken task that was not tried goes back: in flight -> queued, no
   attempt or retry counted, not taken before not_before (ms; 0: now). */
void
crawl_task_put_back_(struct crawl *c, struct task *t, uint64_t not_before)
{
	crawl_task_requeue(c, t, not_before);
}

/* A task of c left flight: account it (after its children were put). A
   redirect target's hop count is dropped with it: the map holds only the
   targets still waiting, not every redirect the crawl ever took. */
void
crawl_task_done_(struct crawl *c, struct task *t)
{
	CW_ASSERT(c->tasks.in_flight > 0);
	(void)idmap_del(c->redirect_hops, t->page_id);
	c->tasks.in_flight--;
	frontier_done(c->e->fr, t);
	crawl_maybe_finish_(c);
}

/* The engine goes away with t in flight: no end is scheduled. */
void
crawl_task_abandon_(struct crawl *c, struct task *t)
{
	CW_ASSERT(c->tasks.in_flight > 0);
	(void)idmap_del(c->redirect_hops, t->page_id);
	c->tasks.in_flight--;
	frontier_done(c->e->fr, t);
}

/* A 'skipped' (depth) page found again within the limit is queued. The
   counts are this run's: a row skipped by an earlier run (a resume) was
   never in skipped, and a resume counts every queued row as enqueued. */
void
crawl_count_unskipped_(struct crawl *c)
{
	if (c->skipped > 0)
		c->skipped--;
	c->enqueued++;
}

/* A queued page that lives only as its row: everything after the first
   spilled row spills too, so the rows left in the database are exactly
   those >= spill_from. */
void
crawl_spill_(struct crawl *c, int64_t id)
{
	if (c->tasks.spilled++ == 0)
		c->tasks.spill_from = id;
	c->spilled_total++;
}

/* Row id is paged back in. */
void
crawl_unspill_(struct crawl *c, int64_t id)
{
	CW_ASSERT(c->tasks.spilled > 0);
	c->tasks.spill_from = id + 1;
	c->tasks.spilled--;
}

/* The spilled rows are gone from this run's view. */
void
crawl_spill_lost_(struct crawl *c)
{
	c->tasks.spilled = 0;
}

/* Drop every queued task of c from the frontier (the rows stay). */
static void
crawl_drop_queued(struct crawl *c)
{
	size_t dropped = frontier_drop_owner(c->e->fr, c);

	CW_ASSERT(dropped == c->tasks.queued);
	c->tasks.queued -= dropped;
	c->tasks.spilled = 0; /* those rows stay 'queued' for a resume */
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

/*
 * Give up the crawl's seed host lookups (their late answers go nowhere:
 * resolver_free) and the seeds and the page walk waiting for them: a
 * stopped crawl fetches nothing more. The seeds are in crawls.seeds, so a
 * resume discovers them.
 */
static void
crawl_drop_lookups(struct crawl *c)
{
	resolver_free(c->resolver);
	c->resolver = NULL;
	c->lookups_waiting = 0;
	strv_free(c->held_seeds, c->nheld);
	c->held_seeds = NULL;
	c->nheld = 0;
	c->held_walk = false;
}

/* Stop taking a crawl's tasks. */
void
crawl_stop(struct crawl *c)
{
	crawl_stop_as(c, NULL);
}

/* Stop, and let the row end in state (see engine.h). */
void
crawl_stop_as(struct crawl *c, const char *state)
{
	if (state != NULL || !c->stopping)
		c->stop_state = state;
	if (c->stopping)
		return;
	c->stopping = true;
	crawl_drop_queued(c);
	crawl_drop_lookups(c);
	crawl_maybe_finish_(c);
}

/* Free a crawl: it must be finished (or the engine going away). */
void
crawl_free(struct crawl *c)
{
	size_t i;

	if (c == NULL)
		return;
	crawl_drop_lookups(c);
	engine_retire_(c->e, c);
	LIST_REMOVE(c, entry);
	if (c->tasks.queued > 0)
		crawl_drop_queued(c);
	for (i = 0; i < c->nkeys; i++)
		free(c->scope_keys[i]);
	free(c->scope_keys);
	crawl_revisit_free_(c);
	fpset_free(c->seen);
	idmap_free(c->redirect_hops);
	idmap_free(c->requeued);
	free(c->seed_addrs);
	strmap_free(c->seed_hosts);
	if (c->done_ev != NULL)
		event_free(c->done_ev);
	free(c->end_msg);
	free(c);
}

/*
 * Normalised seeds as the JSON array text of crawls.seeds, the crawl's
 * identity for a re-run. Normalised URLs are ASCII (CURLU percent-encodes
 * the rest), so json_string() fails only for want of memory; every result
 * is checked all the same, since a seed silently left out would make two
 * different crawls look alike. NULL on failure.
 */
static char *
crawl_seeds_json(char *const *norm, size_t n)
{
	json_t *arr = json_array();
	char *text = NULL;
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, json_string(norm[i])) != 0)
			goto out;
	text = json_dumps(arr, JSON_COMPACT);
out:
	json_decref(arr);
	return text;
}

/* Keep the non-public addresses of res among the crawl's seed
   addresses. */
static enum cw_rc
crawl_keep_seed_addrs(struct crawl *c, const struct addrinfo *res)
{
	const struct addrinfo *ai;
	struct sockaddr_storage *n;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(*n) ||
		    netaddr_classify(ai->ai_addr) == NETADDR_PUBLIC)
			continue;
		n = realloc(c->seed_addrs, (c->nseed_addrs + 1) * sizeof(*n));
		if (n == NULL)
			return CW_ENOMEM;
		c->seed_addrs = n;
		memset(&n[c->nseed_addrs], 0, sizeof(*n));
		memcpy(&n[c->nseed_addrs++], ai->ai_addr, ai->ai_addrlen);
	}
	return CW_OK;
}

static void crawl_release_held(struct crawl *c);

/* How long a seed host's lookup may take: the crawl's --timeout. */
static uint32_t
crawl_lookup_timeout_ms(const struct crawl *c)
{
	uint64_t ms = (uint64_t)c->opts->timeout_ms;

	if (ms == 0)
		ms = 30000;
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/*
 * A seed host's lookup came back (or its time ran out), on the loop. The
 * last one of the crawl lets the seeds waiting for them go. Without an
 * answer the host is judged as any other: libcurl resolves it when its
 * pages are fetched, and a private address it gets is refused.
 */
static void
crawl_seed_host_answer(void *arg, const char *name, const struct addrinfo *res,
    enum resolver_status st, int gai_rc)
{
	struct crawl *c = arg;
	enum cw_rc rc = CW_OK;

	if (st == RESOLVER_OK)
		rc = crawl_keep_seed_addrs(c, res);
	else if (st == RESOLVER_TIMEOUT)
		log_warnx("engine: crawl %lld: seed host %s: no address in "
			  "%u ms; a private address of it will be refused",
		    (long long)c->id, name, crawl_lookup_timeout_ms(c));
	else
		log_info("engine: crawl %lld: seed host %s: %s (its pages "
			 "will fail to connect)",
		    (long long)c->id, name, gai_strerror(gai_rc));
	CW_ASSERT(c->lookups_waiting > 0);
	c->lookups_waiting--;
	(void)strmap_set(c->seed_hosts, name, CRAWL_SEED_HOST_KNOWN);
	if (rc != CW_OK) {
		engine_store_error_(c->e, rc); /* stops the crawl */
		return;
	}
	if (c->lookups_waiting > 0)
		return;
	/* Nothing pending: let its fds go (a worker on its way out keeps
	   its own reference); a later add-seeds makes another. */
	resolver_free(c->resolver);
	c->resolver = NULL;
	crawl_release_held(c);
}

/* Look a seed host name up off the loop; the crawl's seeds wait. */
static enum cw_rc
crawl_lookup_seed_host(struct crawl *c, const char *name)
{
	struct addrinfo hints;
	enum cw_rc rc;

	if (c->stopping)
		return CW_OK; /* it fetches nothing new */
	if (c->resolver == NULL) {
		c->resolver =
		    resolver_new(c->e->base, crawl_seed_host_answer, c);
		if (c->resolver == NULL)
			return CW_ENOMEM;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = resolver_lookup(
	    c->resolver, name, &hints, crawl_lookup_timeout_ms(c));
	if (rc == CW_ELIMIT) {
		log_warnx("engine: seed host %s: %d lookups pending already; "
			  "not looked up, a private address of it will be "
			  "refused",
		    name, RESOLVER_MAX_QUEUE);
		return CW_OK;
	}
	if (rc == CW_OK) {
		c->lookups_waiting++;
		(void)strmap_set(c->seed_hosts, name, CRAWL_SEED_HOST_PENDING);
	}
	return rc;
}

/* url's host as crawl.seed_hosts keys it, an IPv6 literal without its
   brackets (getaddrinfo's form): *namep points into *hostp, which the
   caller frees. */
static enum cw_rc
crawl_seed_host_name(const char *url, char **hostp, char **namep)
{
	char *host;
	size_t len;
	enum cw_rc rc;

	rc = url_host(url, hostp);
	if (rc != CW_OK)
		return rc;
	host = *hostp;
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		host++;
	}
	*namep = host;
	return CW_OK;
}

/*
 * Whether url's host is a seed host whose lookup has not answered: until
 * it does, its addresses are not allowed yet, so a page of it (a link to
 * a seed added to a running crawl, found before the answer) or its
 * robots.txt would be refused as a private address.
 */
bool
crawl_seed_host_pending_(const struct crawl *c, const char *url)
{
	char *host = NULL, *name;
	int64_t state = CRAWL_SEED_HOST_KNOWN;

	if (c->lookups_waiting == 0 || c->seed_hosts == NULL ||
	    crawl_seed_host_name(url, &host, &name) != CW_OK)
		return false; /* out of memory: judged as before */
	(void)strmap_get(c->seed_hosts, name, &state);
	free(host);
	return state == CRAWL_SEED_HOST_PENDING;
}

/*
 * Remember the non-public addresses of a seed's host, so the SSRF guard
 * lets the crawl reach its own seeds and nothing else private. Each
 * host is taken once per crawl, however many seeds share it; an IP
 * address as it is (AI_NUMERICHOST: no lookup), a name through
 * getaddrinfo() on a resolver thread (crawl_lookup_seed_host): the seeds
 * wait for the answer, the loop does not. Later connections are judged
 * by the address libcurl really connects to.
 */
static enum cw_rc
crawl_add_seed_addrs(struct crawl *c, const char *url)
{
	struct addrinfo hints, *res = NULL;
	char *host = NULL, *name;
	enum cw_rc rc;

	if (c->opts->allow_private)
		return CW_OK;
	rc = crawl_seed_host_name(url, &host, &name);
	if (rc != CW_OK)
		return rc;
	/* Each host once per crawl: its addresses are kept already. */
	if (c->seed_hosts == NULL && (c->seed_hosts = strmap_new()) == NULL)
		rc = CW_ENOMEM;
	else
		rc = strmap_put(
		    c->seed_hosts, name, CRAWL_SEED_HOST_KNOWN, NULL);
	if (rc == CW_EINVAL) {
		free(host);
		return CW_OK;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (rc == CW_OK && getaddrinfo(name, NULL, &hints, &res) == 0) {
		rc = crawl_keep_seed_addrs(c, res);
		freeaddrinfo(res);
	} else if (rc == CW_OK) {
		rc = crawl_lookup_seed_host(c, name);
	}
	free(host);
	return rc;
}

/* Keep n normalised seeds (taken over: norm's entries become NULL)
   until the crawl's lookups have answered. */
static enum cw_rc
crawl_hold_seeds(struct crawl *c, char **norm, size_t n)
{
	char **v = realloc(c->held_seeds, (c->nheld + n + 1) * sizeof(*v));
	size_t i;

	if (v == NULL)
		return CW_ENOMEM;
	c->held_seeds = v;
	for (i = 0; i < n; i++) {
		v[c->nheld++] = norm[i];
		norm[i] = NULL;
	}
	return CW_OK;
}

/* Discover seeds at depth 0 now, or, while some seed host's addresses
   are not known yet, once they are. */
static enum cw_rc
crawl_seeds_go(struct crawl *c, char **norm, size_t n)
{
	enum cw_rc rc = CW_OK;
	size_t i;

	if (c->lookups_waiting > 0)
		return crawl_hold_seeds(c, norm, n);
	for (i = 0; rc == CW_OK && i < n; i++)
		rc = crawl_discover_(c, norm[i], 0, 0, 0, LINK_EL_A);
	return rc;
}

/*
 * With --proxy every connection of the crawl goes to the proxy, so the
 * SSRF guard sees only the proxy's address: allowed like a seed's (the
 * user named it), and the sites' addresses are the proxy's to judge.
 */
static enum cw_rc
crawl_add_proxy_addrs(struct crawl *c, char *err, size_t errlen)
{
	enum cw_rc rc;

	if (c->opts->proxy == NULL)
		return CW_OK;
	rc = crawl_add_seed_addrs(c, c->opts->proxy);
	if (rc != CW_OK)
		snprintf(err, errlen, "--proxy %s: %s", c->opts->proxy,
		    cw_strerror(rc));
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
		rc = crawl_scope_key_of_(c, norm[i], &c->scope_keys[c->nkeys]);
		/* Counted as soon as it is there, so crawl_free() frees it
		   whatever fails next. */
		if (rc == CW_OK)
			c->nkeys++;
		if (rc == CW_OK)
			rc = crawl_add_seed_addrs(c, norm[i]);
		if (rc != CW_OK) {
			snprintf(
			    err, errlen, "%s: %s", seeds[i], cw_strerror(rc));
			return rc;
		}
	}
	return CW_OK;
}

/* The crawl's own transfer settings (the CLI's are the engine's too;
   the daemon's jobs may differ from each other). */
static void
crawl_fetch_opts(struct crawl *c)
{
	const struct crawl_opts *o = c->opts;

	c->fopts.user_agent = o->user_agent;
	c->fopts.timeout_ms = (long)o->timeout_ms;
	c->fopts.connect_timeout_ms = (long)o->timeout_ms;
	c->fopts.max_size = (size_t)o->max_size;
	c->fopts.ca_file = o->ca_file;
	c->fopts.proxy = o->proxy;
}

/* A new crawl object with its events, registered with the engine. */
static struct crawl *
crawl_alloc(struct engine *e, const struct crawl_opts *opts, size_t nseeds,
    const struct crawl_observer *obs, crawl_done_cb *done, void *arg)
{
	struct crawl *c;
	size_t i;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	LIST_INSERT_HEAD(&e->crawls, c, entry);
	c->e = e;
	c->opts = opts;
	crawl_fetch_opts(c);
	c->done_cb = done;
	c->done_arg = arg;
	c->started_us = cw_monotonic_us();
	c->seen = fpset_new();
	c->redirect_hops = idmap_new();
	c->requeued = idmap_new();
	c->scope_keys = calloc(nseeds + 1, sizeof(*c->scope_keys));
	c->done_ev = event_new(e->base, -1, 0, crawl_finish_event, c);
	/* The engine's observers see the crawl from its first task. */
	for (i = 0; i < e->nobs; i++)
		if (crawl_add_observer(c, &e->obs[i]) != CW_OK)
			CW_ASSERT(0); /* both tables have CRAWL_MAX_OBSERVERS */
	/* The caller's own, as early (the callers checked there is room). */
	if (obs != NULL && crawl_add_observer(c, obs) != CW_OK)
		CW_ASSERT(0);
	if (c->seen == NULL || c->redirect_hops == NULL ||
	    c->requeued == NULL || c->scope_keys == NULL ||
	    c->done_ev == NULL || crawl_revisit_init_(c) != CW_OK) {
		crawl_free(c);
		return NULL;
	}
	return c;
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
	crawl_maybe_finish_(c); /* every seed may have been skipped */
	*out = c;
	return CW_OK;
}

/* Whether a crawl has room for obs besides the engine's observers. */
static bool
crawl_obs_room(const struct engine *e, const struct crawl_observer *obs,
    char *err, size_t errlen)
{
	if (obs == NULL || e->nobs < CRAWL_MAX_OBSERVERS)
		return true;
	snprintf(err, errlen, "%s: too many observers", obs->name);
	return false;
}

/* Start a crawl job. */
enum cw_rc
crawl_start(struct engine *e, const struct crawl_opts *opts, char *const *seeds,
    size_t nseeds, crawl_done_cb *done, void *arg, struct crawl **out,
    char *err, size_t errlen)
{
	return crawl_start_observed(
	    e, opts, seeds, nseeds, NULL, done, arg, out, err, errlen);
}

/* Start a crawl job with an observer of its own from its first task. */
enum cw_rc
crawl_start_observed(struct engine *e, const struct crawl_opts *opts,
    char *const *seeds, size_t nseeds, const struct crawl_observer *obs,
    crawl_done_cb *done, void *arg, struct crawl **out, char *err,
    size_t errlen)
{
	struct crawl *c;
	char **norm = NULL, *seeds_json = NULL, *opts_json = NULL;
	enum cw_rc rc = CW_ENOMEM;

	*out = NULL;
	if (!crawl_obs_room(e, obs, err, errlen))
		return CW_EINVAL;
	snprintf(err, errlen, "out of memory");
	c = crawl_alloc(e, opts, nseeds, obs, done, arg);
	norm = calloc(nseeds + 1, sizeof(*norm));
	if (c == NULL || norm == NULL)
		goto out;
	rc = crawl_prepare_seeds(c, seeds, nseeds, norm, err, errlen);
	if (rc == CW_OK)
		rc = crawl_add_proxy_addrs(c, err, errlen);
	if (rc != CW_OK)
		goto out;
	seeds_json = crawl_seeds_json(norm, nseeds);
	opts_json = crawl_opts_to_json(opts);
	if (seeds_json == NULL || opts_json == NULL) {
		rc = CW_ENOMEM;
		goto out;
	}
	rc = store_crawl_create(
	    e->st, seeds_json, opts_json, cw_wallclock_us(), &c->id);
	if (rc == CW_OK)
		rc = crawl_seeds_go(c, norm, nseeds);
	log_info("engine: crawl %lld started with %zu seed(s)%s",
	    (long long)c->id, nseeds,
	    c->lookups_waiting > 0 ? ", waiting for their hosts' addresses"
				   : "");
out:
	strv_free(norm, nseeds);
	free(seeds_json);
	free(opts_json);
	if (c == NULL)
		return CW_ENOMEM;
	return crawl_launched(c, rc, out, err, errlen);
}

/* One page of a resumed crawl: back into the seen-set, and the queue. A
   queued row fetched before (a revisit or a fetch again for a shorter
   path, left by a stop) is a fetch again: a failure keeps the earlier
   response. The depth its links were taken at is not kept: its own. */
static int
crawl_resume_page(void *arg, int64_t id, const char *url, int depth,
    enum page_state state, bool fetched)
{
	struct crawl *c = arg;
	struct task_validators again = {NULL, NULL, true, depth};
	enum crawl_seen_kind kind = CRAWL_SEEN_PENDING;
	enum cw_rc rc;

	/* A shorter path found by this run may still lower these pages. A
	   skipped row past --depth was skipped for its depth (or also for
	   another reason: discovery asks the policy again). */
	if (state == PAGE_DONE)
		kind = CRAWL_SEEN_TAKEN;
	else if (state == PAGE_FAILED)
		kind = CRAWL_SEEN_FINAL;
	else if (state == PAGE_SKIPPED)
		kind = depth > c->opts->depth ? CRAWL_SEEN_TOO_DEEP
					      : CRAWL_SEEN_FINAL;
	if (fpset_put(c->seen, url, crawl_seen_pack(id, depth, kind), NULL) !=
	    CW_OK)
		return -1;
	switch (state) {
	case PAGE_QUEUED:
	case PAGE_FETCHING:
		c->enqueued++;
		rc = crawl_enqueue_(c, url, id, depth, fetched ? &again : NULL);
		return rc == CW_OK ? 0 : -1;
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

/*
 * Page a resumed crawl's rows back in, then its seeds: one added while
 * the crawl was not running has no row yet and is discovered now (the
 * others are in the seen-set: no-ops).
 */
static enum cw_rc
crawl_resume_walk(struct crawl *c, char **norm, size_t nseeds)
{
	enum cw_rc rc;
	size_t i;

	rc = store_walk_pages(c->e->st, c->id, crawl_resume_page, c);
	if (rc == CW_EINVAL)
		rc = CW_ENOMEM; /* only a failed put/enqueue stops the walk */
	for (i = 0; rc == CW_OK && i < nseeds; i++)
		rc = crawl_discover_(c, norm[i], 0, 0, 0, LINK_EL_A);
	log_info("engine: crawl %lld resumed: %llu pages queued",
	    (long long)c->id, (unsigned long long)c->tasks.queued);
	return rc;
}

/*
 * The crawl's lookups have all answered: its held seeds (and a resume's
 * walk) go now, committed at once as crawl_launched() does.
 */
static void
crawl_release_held(struct crawl *c)
{
	char **seeds = c->held_seeds;
	size_t n = c->nheld;
	bool walk = c->held_walk;
	enum cw_rc rc;

	c->held_seeds = NULL;
	c->nheld = 0;
	c->held_walk = false;
	if (c->stopping || c->e->halted) {
		strv_free(seeds, n);
		return;
	}
	rc =
	    walk ? crawl_resume_walk(c, seeds, n) : crawl_seeds_go(c, seeds, n);
	strv_free(seeds, n);
	if (!engine_store_ok_(c->e, rc))
		return; /* every crawl stops */
	engine_flush_(c->e);
	crawl_maybe_finish_(c); /* every seed may have been skipped */
}

/* Resume a stored crawl. */
enum cw_rc
crawl_resume(struct engine *e, const struct crawl_opts *opts, int64_t crawl_id,
    const char *seeds_json, crawl_done_cb *done, void *arg, struct crawl **out,
    char *err, size_t errlen)
{
	return crawl_resume_observed(
	    e, opts, crawl_id, seeds_json, NULL, done, arg, out, err, errlen);
}

/* Resume a stored crawl with an observer of its own from its first task. */
enum cw_rc
crawl_resume_observed(struct engine *e, const struct crawl_opts *opts,
    int64_t crawl_id, const char *seeds_json, const struct crawl_observer *obs,
    crawl_done_cb *done, void *arg, struct crawl **out, char *err,
    size_t errlen)
{
	struct crawl *c = NULL;
	char **seeds, **norm = NULL;
	size_t nseeds = 0;
	enum cw_rc rc = CW_ENOMEM;

	*out = NULL;
	if (!crawl_obs_room(e, obs, err, errlen))
		return CW_EINVAL;
	snprintf(err, errlen, "out of memory");
	seeds = crawl_seeds_parse(seeds_json, &nseeds);
	if (seeds != NULL)
		c = crawl_alloc(e, opts, nseeds, obs, done, arg);
	norm = calloc(nseeds + 1, sizeof(*norm));
	if (c == NULL || norm == NULL)
		goto out;
	c->id = crawl_id;
	rc = crawl_prepare_seeds(c, seeds, nseeds, norm, err, errlen);
	if (rc == CW_OK)
		rc = crawl_add_proxy_addrs(c, err, errlen);
	if (rc == CW_OK)
		rc = store_crawl_requeue(e->st, crawl_id);
	if (rc == CW_OK)
		rc = store_crawl_set_state(e->st, crawl_id, "running", 0);
	if (rc == CW_OK && c->lookups_waiting > 0) {
		c->held_walk = true;
		rc = crawl_hold_seeds(c, norm, nseeds);
		log_info("engine: crawl %lld resumes once its seeds' hosts' "
			 "addresses are known",
		    (long long)crawl_id);
	} else if (rc == CW_OK) {
		rc = crawl_resume_walk(c, norm, nseeds);
	}
out:
	strv_free(seeds, nseeds);
	strv_free(norm, nseeds);
	if (c == NULL)
		return CW_ENOMEM;
	return crawl_launched(c, rc, out, err, errlen);
}

/*
 * Add seeds to a live crawl: every one is checked before anything
 * changes; then each is in scope from now on (its scope key), its
 * host's addresses pass the SSRF guard, it is appended to crawls.seeds
 * (so a resume knows it) and discovered at depth 0, like a seed given at
 * the start (one seen already is left as it is).
 */
enum cw_rc
crawl_add_seeds(
    struct crawl *c, char *const *seeds, size_t n, char *err, size_t errlen)
{
	char **norm = NULL, **keys;
	enum cw_rc rc = CW_ENOMEM;
	size_t i;

	snprintf(err, errlen, "out of memory");
	if (c->finished || c->e->halted) {
		snprintf(err, errlen, "the crawl has ended");
		return CW_EINVAL;
	}
	for (i = 0; i < n; i++) {
		char *u = NULL;

		rc = url_normalise(seeds[i], &u);
		free(u);
		if (rc != CW_OK) {
			snprintf(err, errlen, "'%s': %s", seeds[i],
			    rc == CW_ENOTSUP ? "unsupported scheme (http and "
					       "https only)"
					     : "not a valid URL");
			return rc == CW_ENOMEM || rc == CW_ENOTSUP ? rc
								   : CW_EPARSE;
		}
	}
	norm = calloc(n + 1, sizeof(*norm));
	keys = realloc(c->scope_keys, (c->nkeys + n + 1) * sizeof(*keys));
	if (keys != NULL)
		c->scope_keys = keys;
	if (norm == NULL || keys == NULL) {
		rc = CW_ENOMEM;
		goto out;
	}
	rc = crawl_prepare_seeds(c, seeds, n, norm, err, errlen);
	for (i = 0; rc == CW_OK && i < n; i++)
		rc = store_crawl_add_seed(c->e->st, c->id, norm[i]);
	if (rc == CW_OK)
		rc = crawl_seeds_go(c, norm, n);
	if (rc == CW_ESTORE || rc == CW_EFULL || rc == CW_EIO) {
		snprintf(err, errlen, "%s: %s", cw_strerror(rc),
		    store_errmsg(c->e->st));
		engine_store_error_(c->e, rc);
	}
	if (rc == CW_OK)
		log_info("engine: crawl %lld: %zu seed(s) added",
		    (long long)c->id, n);
out:
	strv_free(norm, n);
	return rc;
}

/* The seeds as the JSON text crawl_start() stores in crawls.seeds. */
char *
crawl_seeds_to_json(char *const *seeds, size_t n)
{
	char **norm = calloc(n + 1, sizeof(*norm)), *text = NULL;
	size_t i;

	if (norm == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (url_normalise(seeds[i], &norm[i]) != CW_OK)
			goto out;
	text = crawl_seeds_json(norm, n);
out:
	strv_free(norm, n);
	return text;
}

/* A crawl's counters. */
void
crawl_get_stats(const struct crawl *c, struct crawl_stats *s)
{
	uint64_t end = c->ended_us != 0 ? c->ended_us : cw_monotonic_us();

	memset(s, 0, sizeof(*s));
	s->crawl_id = c->id;
	s->queued = c->tasks.queued;
	s->in_flight = c->tasks.in_flight;
	s->done = c->done;
	s->failed = c->failed;
	s->skipped = c->skipped;
	s->bytes = c->bytes;
	s->links = c->links;
	s->retries = c->retries;
	s->spilled_total = c->spilled_total;
	s->revisits = c->revisits;
	s->not_modified = c->not_modified;
	s->redirects_waiting = idmap_count(c->redirect_hops);
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
