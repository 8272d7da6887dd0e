/* SPDX-License-Identifier: MIT */
/*
 * discover.c - the way of a URL from discovery to a page row and a task
 * (dedup, policy, links rows, the frontier and its spill to the database),
 * and of a fetch's outcome to rows (the page, its redirect, its links
 * through the parse pool). Owns nothing; works on the crawl's state.
 */
#include "engine_int.h"

/* The key a URL is scoped by, under the crawl's scope rule. */
enum cw_rc
crawl_scope_key_of_(const struct crawl *c, const char *url, char **key)
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
	if (crawl_scope_key_of_(c, url, &key) != CW_OK)
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
crawl_policy(struct crawl *c, const char *url, int depth, int max_depth,
    int hops, bool seed)
{
	if (hops > (int)c->opts->max_redirects)
		return "redirects";
	if (!seed && !crawl_in_scope(c, url))
		return "scope";
	if (!seed && !crawl_opts_url_allowed(c->opts, url))
		return "filter";
	if (depth > max_depth)
		return "depth";
	if (strlen(url) > c->opts->max_url_len)
		return "url-length";
	if (c->opts->max_pages > 0 &&
	    c->enqueued >= (uint64_t)c->opts->max_pages)
		return "limit";
	return NULL;
}

/* Put a page's task in memory: its host's robots gate first, then the
   frontier (with validators v, NULL for none). */
enum cw_rc
crawl_push_task_(struct crawl *c, const char *url, int64_t id, int depth,
    const struct task_validators *v)
{
	struct task_validators ov;
	char *origin = NULL;
	enum cw_rc rc;

	/* A mirror asks for what it already holds conditionally. */
	if (v == NULL && c->nobs > 0 && crawl_observe_validators_(c, url, &ov))
		v = &ov;
	rc = url_origin(url, &origin);
	if (rc == CW_OK && c->opts->robots)
		rc = crawl_robots_gate_(c, origin);
	if (rc == CW_OK)
		rc = crawl_host_delay_(c, origin);
	if (rc == CW_OK)
		rc = crawl_task_push_(c, origin, url, id, depth, v);
	free(origin);
	return rc;
}

/*
 * Queue a page's task on the frontier. Past --queue-memory queued tasks
 * the frontier spills: the page stays a 'queued' row only, and
 * crawl_refill_() pages rows back in, in id (discovery) order, as the
 * in-memory queue drains. Memory then grows with the hosts and the tasks
 * in flight, not with the size of the frontier.
 */
enum cw_rc
crawl_enqueue_(struct crawl *c, const char *url, int64_t id, int depth,
    const struct task_validators *v)
{
	if (c->tasks.spilled > 0 || c->tasks.queued >= c->opts->queue_memory) {
		crawl_spill_(c, id);
		return CW_OK;
	}
	return crawl_push_task_(c, url, id, depth, v);
}

/* Rows paged in by one refill (see crawl_refill_). */
#define CRAWL_REFILL_ROWS 512

/* One row paged back in from the database; a requeued one (see
   crawl_requeue) with what its task needs that the row does not say. A
   row fetched before that this run did not requeue (a resume's) is a
   fetch again too, its earlier fetch taken to be at its depth. */
static int
crawl_refill_page(void *arg, int64_t id, const char *url, int depth,
    enum page_state state, bool fetched)
{
	struct crawl *c = arg;
	struct task_validators v = {NULL, NULL, true, 0};
	int64_t before = -1;

	(void)state;
	crawl_unspill_(c, id);
	if (idmap_get(c->requeued, id, &before))
		(void)idmap_del(c->requeued, id);
	else if (fetched)
		before = depth;
	v.refetch_depth = (int)before;
	if (crawl_push_task_(c, url, id, depth, before >= 0 ? &v : NULL) !=
	    CW_OK)
		return -1;
	return c->tasks.spilled > 0 ? 0 : 1;
}

/*
 * Page spilled rows back in while the in-memory queue is short: below
 * half of --queue-memory, at most CRAWL_REFILL_ROWS a pump. One read of
 * 15,000 rows (the old refill at a quarter, up to the cap) held the loop
 * 30-100 ms; a small read from a high low-water mark costs a few ms and
 * the queue never runs dry between two of them.
 */
void
crawl_refill_(struct crawl *c)
{
	uint64_t before = c->tasks.spilled;
	size_t room;
	enum cw_rc rc;

	if (c->tasks.spilled == 0 || c->stopping ||
	    c->tasks.queued >= c->opts->queue_memory / 2)
		return;
	room = c->opts->queue_memory - c->tasks.queued;
	if (room > CRAWL_REFILL_ROWS)
		room = CRAWL_REFILL_ROWS;
	/* A row made 'queued' again after rows with larger ids were
	   committed is not seen by a read of committed rows, which would
	   step past it (lost to this run): while one waits, the read is of
	   the open batch, after the writer has run what is queued. */
	if (idmap_count(c->requeued) > 0)
		rc = store_load_queued_latest(c->e->st, c->id,
		    c->tasks.spill_from, room, crawl_refill_page, c);
	else
		rc = store_load_queued(c->e->st, c->id, c->tasks.spill_from,
		    room, crawl_refill_page, c);
	if (rc == CW_EINVAL && c->tasks.spilled == 0)
		rc = CW_OK; /* the callback stopped at the last one */
	if (rc != CW_OK) {
		(void)engine_store_ok_(c->e, rc == CW_EINVAL ? CW_ENOMEM : rc);
		return;
	}
	if (c->tasks.spilled == before) {
		/* Nothing left to page in although the count says so (a
		   batch was lost): the rows stay for a resume. */
		log_warnx("engine: crawl %lld: %llu queued rows not found",
		    (long long)c->id, (unsigned long long)c->tasks.spilled);
		crawl_spill_lost_(c);
	}
}

/*
 * Shortest-path depth. Links come back from the parse pool in completion
 * order, not breadth-first, so a page may be found first by a longer path
 * and later by a shorter one. --depth means the shortest path found (as
 * wget's -l): the crawl then goes on as if the shorter path had come
 * first. The seen-set keeps each page's depth and what became of it
 * (CRAWL_SEEN_*), so this costs no read and no memory per page:
 *  - too deep (skipped, depth): asked the policy again at the new depth;
 *    let through, the row is 'queued' again and the page is enqueued
 *    (one skipped less, one enqueued more);
 *  - pending (queued in memory or spilled, or in flight): the row and the
 *    seen-set get the new depth; the task takes it when it is launched or
 *    its body is planned (crawl_task_depth_), or, parsed below the limit
 *    already, when its links come back (crawl_parsed_depth_); planned at
 *    or past the limit (links not taken or only requisites), it is
 *    fetched again when it finishes (crawl_links_taken_);
 *  - taken (fetched: its links went one level too deep, or not at all):
 *    fetched again at the new depth, so its links are taken there and
 *    their own depths lower in turn. A stop is not a finish: a stopping
 *    crawl leaves the row 'queued' for the resume.
 *  - final (failed, skipped otherwise, no links): the row and the
 *    seen-set get the new depth, and that is all.
 * Each step lowers a depth, so a page is fetched again at most --depth
 * times, and only when a shorter path to it is found. A seed given again
 * (parent 0) leaves a page as it is (engine.h).
 */

/* Queue a page again that is a 'queued' row: in memory, or, when rows
   from its id on are spilled, as one of them (the refill pages it in).
   The row cannot say that it is a fetch again (v->refetch: a failure
   keeps the earlier response), nor at what depth the earlier fetch took
   links: c->requeued keeps that until the refill reads the row. */
static enum cw_rc
crawl_requeue(struct crawl *c, const char *url, int64_t id, int depth,
    const struct task_validators *v)
{
	enum cw_rc rc;

	if (c->tasks.spilled > 0 && id >= c->tasks.spill_from) {
		rc = idmap_put(c->requeued, id,
		    v != NULL && v->refetch ? v->refetch_depth : -1);
		if (rc == CW_OK)
			crawl_spill_(c, id);
		return rc;
	}
	return crawl_push_task_(c, url, id, depth, v);
}

/* A page that was fetched (at depth before) is fetched again at depth
   (its row 'queued'). */
static enum cw_rc
crawl_refetch(
    struct crawl *c, const char *url, int64_t id, int depth, int before)
{
	/* unconditional: a 304 would bring no body to take links from */
	struct task_validators v = {NULL, NULL, true, before};
	enum cw_rc rc;

	if (!fpset_set(
		c->seen, url, crawl_seen_pack(id, depth, CRAWL_SEEN_PENDING)))
		return CW_EINVAL;
	rc = store_page_depth(c->e->st, id, depth, true);
	if (rc != CW_OK)
		return rc;
	log_debug("engine: refetch id=%lld depth=%d (a shorter path) url=%s",
	    (long long)id, depth, url);
	if (c->stopping)
		return CW_OK; /* the row stays 'queued' for the resume */
	return crawl_requeue(c, url, id, depth, &v);
}

/* url (seen as v) was found again at depth < its recorded one. */
static enum cw_rc
crawl_found_shorter(struct crawl *c, const char *url, int64_t v, int depth,
    int max_depth, int hops)
{
	int64_t id = crawl_seen_id(v);
	enum cw_rc rc;

	switch (crawl_seen_kind(v)) {
	case CRAWL_SEEN_TOO_DEEP:
		if (crawl_policy(c, url, depth, max_depth, hops, false) != NULL)
			return CW_OK;
		if (!fpset_set(c->seen, url,
			crawl_seen_pack(id, depth, CRAWL_SEEN_PENDING)))
			return CW_EINVAL;
		rc = store_page_depth(c->e->st, id, depth, true);
		if (rc != CW_OK)
			return rc;
		crawl_count_unskipped_(c);
		if (c->stopping)
			return CW_OK;
		if (hops > 0 &&
		    (rc = idmap_put(c->redirect_hops, id, hops)) != CW_OK)
			return rc;
		return crawl_requeue(c, url, id, depth, NULL);
	case CRAWL_SEEN_PENDING:
		if (!fpset_set(c->seen, url,
			crawl_seen_pack(id, depth, CRAWL_SEEN_PENDING)))
			return CW_EINVAL;
		return store_page_depth(c->e->st, id, depth, false);
	case CRAWL_SEEN_TAKEN:
		return crawl_refetch(c, url, id, depth, crawl_seen_depth(v));
	case CRAWL_SEEN_FINAL:
		/* Nothing to fetch, but the row says the shortest path, so
		   the same crawl gives the same rows whatever order the
		   parse pool answers in. */
		if (!fpset_set(c->seen, url,
			crawl_seen_pack(id, depth, CRAWL_SEEN_FINAL)))
			return CW_EINVAL;
		return store_page_depth(c->e->st, id, depth, false);
	}
	return CW_OK;
}

/* The depth the seen-set holds for a task's page; -1 when none. */
static int
crawl_page_depth(const struct crawl *c, const struct task *t, int64_t *v)
{
	if (t->page_id == 0 || !fpset_get(c->seen, t->url, v) ||
	    crawl_seen_id(*v) != t->page_id)
		return -1;
	return crawl_seen_depth(*v);
}

void
crawl_task_depth_(struct crawl *c, struct task *t)
{
	int64_t v;
	int d = crawl_page_depth(c, t, &v);

	if (d >= 0 && d < t->depth)
		t->depth = d;
}

/* Whether a body parsed as planned at depth has every link the page
   would give at any smaller depth: all but the requisites-only scan of a
   page at the limit (crawl_parse_plan_; a stylesheet there is taken for
   one too, and is fetched again). */
static bool
crawl_parsed_whole(const struct crawl *c, int depth)
{
	return depth != c->opts->depth || c->opts->edge_links ||
	    (c->obs_flags & CRAWL_OBS_SPANS) != 0;
}

void
crawl_parsed_depth_(struct crawl *c, struct task *t)
{
	/* A whole parse is the same at any depth: its links go at the one
	   found meanwhile, without a fetch again. */
	if (crawl_parsed_whole(c, t->depth))
		crawl_task_depth_(c, t);
}

enum cw_rc
crawl_parse_taken_(
    struct crawl *c, const struct task *t, const struct link_list *l)
{
	return crawl_links_taken_(
	    c, t, l->count > 0 || !crawl_parsed_whole(c, t->depth));
}

enum cw_rc
crawl_links_taken_(struct crawl *c, const struct task *t, bool may_link)
{
	int64_t v;
	int d = crawl_page_depth(c, t, &v);

	if (d < 0 || crawl_seen_kind(v) != CRAWL_SEEN_PENDING)
		return CW_OK;
	if (d < t->depth && may_link && !c->e->halted)
		return crawl_refetch(c, t->url, t->page_id, d, t->depth);
	(void)fpset_set(c->seen, t->url,
	    crawl_seen_pack(
		t->page_id, d, may_link ? CRAWL_SEEN_TAKEN : CRAWL_SEEN_FINAL));
	return CW_OK;
}

/*
 * The links row parent -> id. c->links counts the rows the crawl adds, and
 * only here: a row the parent's earlier fetch put already (known) is
 * kept as it is (INSERT OR IGNORE) and not counted again, so a page
 * fetched again for a shorter path, or revisited, does not add its links
 * twice to the summary and crawld_links_total.
 */
static enum cw_rc
crawl_put_link(struct crawl *c, int64_t parent, int64_t id,
    enum link_element el, enum link_attr attr, bool known)
{
	if (!known)
		c->links++;
	return store_link_insert(c->e->st, parent, id, el, attr);
}

/* crawl_discover_at_() of a URL whose seen-set fingerprint is fp. */
static enum cw_rc
crawl_discover_fp(struct crawl *c, const char *url, uint64_t fp, int depth,
    int max_depth, int hops, int64_t parent, enum link_element el,
    enum link_attr attr, bool known)
{
	struct engine *e = c->e;
	struct store_page pg;
	const char *reason;
	int64_t id, v;
	enum cw_rc rc;

	if (e->halted)
		return CW_OK; /* nothing more is written, see crawl_record_ */
	if (fpset_get_fp(c->seen, fp, &v)) {
		id = crawl_seen_id(v);
		if (parent == 0 || parent == id)
			return CW_OK;
		if (depth < crawl_seen_depth(v)) {
			rc = crawl_found_shorter(
			    c, url, v, depth, max_depth, hops);
			if (rc != CW_OK)
				return rc;
		}
		return crawl_put_link(c, parent, id, el, attr, known);
	}
	id = e->next_page_id;
	reason = crawl_policy(c, url, depth, max_depth, hops, parent == 0);
	rc = fpset_put(c->seen, url,
	    crawl_seen_pack(id, depth,
		reason == NULL			   ? CRAWL_SEEN_PENDING
		    : strcmp(reason, "depth") == 0 ? CRAWL_SEEN_TOO_DEEP
						   : CRAWL_SEEN_FINAL),
	    NULL);
	if (rc != CW_OK)
		return rc;
	e->next_page_id++;
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
	/* a page new to the crawl: no row can point at it yet */
	if (rc == CW_OK && parent != 0)
		rc = crawl_put_link(c, parent, id, el, attr, false);
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
	/* A redirect target's hops wait with it, until its task is done. */
	if (hops > 0 && (rc = idmap_put(c->redirect_hops, id, hops)) != CW_OK)
		return rc;
	return crawl_enqueue_(c, url, id, depth, NULL);
}

/*
 * A URL (absolute, normalised) was found at depth, from parent (0 for a
 * seed), in element el's attribute attr: dedup, policy (depth up to
 * max_depth: --depth, or past it for a page requisite), page row, link
 * row (known: the parent's earlier fetch recorded it, if url was seen),
 * task.
 */
enum cw_rc
crawl_discover_at_(struct crawl *c, const char *url, int depth, int max_depth,
    int hops, int64_t parent, enum link_element el, enum link_attr attr,
    bool known)
{
	return crawl_discover_fp(c, url, fpset_fingerprint(url, strlen(url)),
	    depth, max_depth, hops, parent, el, attr, known);
}

/* A URL found at depth within --depth (seeds, links below the limit). */
enum cw_rc
crawl_discover_(struct crawl *c, const char *url, int depth, int hops,
    int64_t parent, enum link_element el)
{
	return crawl_discover_at_(c, url, depth, c->opts->depth, hops, parent,
	    el, el == LINK_EL_REDIRECT ? LINK_ATTR_LOCATION : LINK_ATTR_HREF,
	    false);
}

/*
 * The deepest a link of a page at depth may go, or -1 to pass it over.
 * Below the limit: --depth. Past it only page requisites go on, with
 * --page-requisites: those of an HTML page at the limit one step (its
 * images, scripts, stylesheets), those of a stylesheet up to
 * CRAWL_CSS_NEST steps more for an @import chain, one more for what the
 * stylesheets load (url()).
 * Other links of a page at the limit are passed over (never asked for)
 * unless --edge-links wants their 'skipped' rows.
 */
static int
crawl_link_max_depth(
    const struct crawl *c, int depth, bool css, const struct link *l)
{
	int limit = c->opts->depth;

	if (depth + 1 <= limit)
		return limit;
	if (c->opts->page_requisites && (l->flags & LINK_F_REQUISITE)) {
		/* the last stylesheet of a chain still gets its images */
		if (css)
			return limit + 1 + CRAWL_CSS_NEST +
			    (l->attribute != LINK_ATTR_IMPORT);
		if (depth == limit)
			return limit + 1;
	}
	return c->opts->edge_links && depth <= limit ? limit : -1;
}

/*
 * Whether the page's earlier fetch (t a fetch again) recorded link l: it
 * took the links its depth then let it take. Without a read the engine
 * takes the earlier body to have had the links this one has; an earlier
 * answer that was not parsed (not 2xx) is taken for one that was.
 */
static bool
crawl_link_known(
    const struct crawl *c, const struct task *t, bool css, const struct link *l)
{
	return t->refetch &&
	    crawl_link_max_depth(c, t->refetch_depth, css, l) >= 0;
}

/*
 * Discover the links a parse job found, at depth + 1: the items first[0 ..
 * n) of l with their fingerprints fps (link_list_firsts: a page's repeats
 * would find their links row there already and do nothing), or, with
 * first NULL, every item.
 */
enum cw_rc
crawl_discover_links_(struct crawl *c, const struct task *t,
    const struct link_list *l, const uint32_t *first, const uint64_t *fps,
    size_t n, bool css)
{
	const struct link *it;
	enum cw_rc rc = CW_OK;
	const char *url;
	size_t k, i;
	int max;

	if (first == NULL)
		n = l->count;
	for (k = 0; rc == CW_OK && k < n; k++) {
		i = first != NULL ? first[k] : k;
		it = &l->items[i];
		max = crawl_link_max_depth(c, t->depth, css, it);
		if (max < 0)
			continue;
		url = link_list_url(l, i);
		rc = crawl_discover_fp(c, url,
		    first != NULL ? fps[k]
				  : fpset_fingerprint(url, strlen(url)),
		    t->depth + 1, max, 0, t->page_id,
		    (enum link_element)it->element,
		    (enum link_attr)it->attribute,
		    crawl_link_known(c, t, css, it));
	}
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

	(void)idmap_get(c->redirect_hops, t->page_id, &hops);
	rc = url_resolve(t->url, location, &url);
	/* A requisite past --depth may redirect: its target may go as deep
	   as it was let go. */
	if (rc == CW_OK)
		rc = crawl_discover_at_(c, url, t->depth,
		    t->depth > c->opts->depth ? t->depth : c->opts->depth,
		    (int)hops + 1, t->page_id, LINK_EL_REDIRECT,
		    LINK_ATTR_LOCATION, t->refetch);
	else if (rc != CW_ENOMEM)
		rc = CW_OK; /* a bad or non-http Location leads nowhere */
	free(url);
	return rc;
}

/* Stop a crawl after its first failure (--fail-fast). */
void
crawl_fail_fast_(struct crawl *c, const char *url, const char *reason)
{
	char msg[1024];

	if (c->end != CRAWL_END_RUNNING)
		return;
	snprintf(msg, sizeof(msg), "%s: %s", url, reason);
	crawl_set_end_(c, CRAWL_END_FAIL_FAST, msg);
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
	sr->fetched = true;
	sr->etag = res->etag;
	sr->last_modified = res->last_modified;
	sr->content_hash = res->content_hash;
	sr->not_modified = res->not_modified;
	/* A 304: the page's earlier content stands (store.h). */
	sr->keep_content = res->not_modified;
}

/* Record a fetch's outcome row and put its redirect target; an HTML
   page's links come later, from crawl_submit_parse_(). */
void
crawl_record_(
    struct crawl *c, const struct task *t, const struct fetch_result *res)
{
	struct engine *e = c->e;
	struct store_result sr;
	char reason[CURL_ERROR_SIZE + 32];
	enum cw_rc rc = CW_OK;

	/* After a failed write nothing more is written: the next run
	   resumes from the last whole batch. */
	if (e->halted)
		return;
	crawl_fill_result(t, res, &sr);
	/* A kept body not parsed is hashed by the store, off the loop when
	   it can (store_page_finish); a parsed one on a parse worker. */
	if (res->hash_body) {
		sr.body = res->body;
		sr.body_len = res->body_len;
	}
	c->bytes += (uint64_t)res->bytes;
	if (res->outcome == FETCH_OK) {
		c->done++;
		if (res->not_modified)
			c->not_modified++;
	} else if (res->outcome == FETCH_BLOCKED) {
		/* Policy, not a failure: nothing was sent. */
		sr.state = PAGE_SKIPPED;
		sr.reason = "blocked-address";
		sr.bytes = -1;
		sr.fetched_us = 0;
		sr.fetched = false;
		sr.keep_content = false;
		c->skipped++;
		log_info("fetch: blocked url=%s (non-public address)", t->url);
		if (engine_store_ok_(e, store_page_finish(e->st, &sr)))
			(void)crawl_links_taken_(c, t, false);
		return;
	} else {
		snprintf(reason, sizeof(reason), "%s: %s",
		    fetch_outcome_name(res->outcome), res->error);
		sr.state = PAGE_FAILED;
		sr.reason = reason;
		/* A revisit that failed is one fetches row; the page keeps
		   its last good response and falls due again. */
		sr.keep_content = t->refetch;
		c->failed++;
		log_info("fetch: failed url=%s reason=%s", t->url, reason);
	}
	if (!engine_store_ok_(e, store_page_finish(e->st, &sr)))
		return;
	if (res->outcome != FETCH_OK) {
		(void)crawl_links_taken_(c, t, false);
		if (c->opts->fail_fast)
			crawl_fail_fast_(c, t->url, reason);
		return;
	}
	if (res->redirect_url != NULL)
		rc = crawl_discover_redirect(c, t, res->redirect_url);
	/* Not parsed (at the limit, or no memory for a parse): a page that
	   could have links is fetched again if a shorter path came. */
	if (rc == CW_OK)
		rc = crawl_links_taken_(c, t,
		    res->redirect_url != NULL || res->is_html ||
			fetch_is_css_type(res->content_type));
	if (rc != CW_OK) /* the target would be lost: an end (ENOMEM too) */
		engine_store_error_(e, rc);
	else
		crawl_observe_recorded_(c, t, res->status, res->content_type,
		    res->body, res->body_len, NULL);
}

/*
 * How a fetched body is parsed, if at all (false: not parsed). Every link
 * of a page at the depth limit is one level too deep: it could only
 * become a 'skipped' (depth) row, or a links row to a page already seen.
 * So, as wget, wget2 and HTTrack do, such pages are fetched and recorded
 * but not parsed, unless --edge-links asks for those rows (issue 13: on
 * B1 they were three quarters of the parsing) or --page-requisites wants
 * their requisites (LINKS_MODE_REQUISITES, the cheap scan; every link
 * when an observer converts them and needs all the spans). With
 * --page-requisites a page's requisites come with its links (LINKS_MODE_
 * ALL) and stylesheets are parsed too, at any depth (they are only past
 * the limit as requisites).
 */
bool
crawl_parse_plan_(const struct crawl *c, const struct task *t,
    const struct fetch_result *res, struct links_opts *lo, bool *css)
{
	int limit = c->opts->depth;
	bool reqs = c->opts->page_requisites;
	bool spans = (c->obs_flags & CRAWL_OBS_SPANS) != 0;

	memset(lo, 0, sizeof(*lo));
	lo->max_links = c->opts->max_links;
	lo->parser = c->opts->html_parser; /* --html-parser */
	if (spans)
		lo->flags = LINKS_OPT_OFFSETS | LINKS_OPT_RAW;
	*css = false;
	if (!res->is_html) {
		*css = reqs && fetch_is_css_type(res->content_type);
		return *css;
	}
	lo->mode = reqs ? LINKS_MODE_ALL : LINKS_MODE_DEFAULT;
	if (t->depth < limit || (t->depth == limit && c->opts->edge_links))
		return true;
	if (t->depth == limit && reqs) {
		if (!spans)
			lo->mode = LINKS_MODE_REQUISITES;
		return true;
	}
	/* Past the limit (a frame's document, a redirect's target) only a
	   converter wants the links, for their spans; none is followed. */
	return reqs && spans;
}

/*
 * Whether a recorded fetch has links to extract. A stopping crawl (SIGINT,
 * --fail-fast, the daemon's pause or cancel) still parses the pages that
 * come back: a stop means "start nothing new", not "drop what arrived".
 * The body is here and paid for; parsing it costs the parse pool a few
 * milliseconds and no request, and its links become 'queued' rows
 * (crawl_discover_ puts no task for a stopping crawl) for the resume to
 * fetch. The other way, leaving the page for the resume, would fetch it
 * twice and could get a different answer the second time. Either way the
 * page is never 'done' with its links untaken.
 */
bool
crawl_wants_links_(
    const struct crawl *c, const struct task *t, const struct fetch_result *res)
{
	struct links_opts lo;
	bool css;

	/* A 304 has a body only when an observer gave the stored one. */
	return res->outcome == FETCH_OK && res->body != NULL &&
	    ((res->status >= 200 && res->status < 300) || res->status == 304) &&
	    !c->e->halted && crawl_parse_plan_(c, t, res, &lo, &css);
}

/*
 * Hand an HTML body to the parse pool: the job takes the slot's buffer,
 * so the slot is free for the next transfer at once, while the task stays
 * in flight until its links are back (join must not fire before). The
 * page's outcome row is written together with its links, in the same
 * batch, so a crash never leaves a 'done' page whose links were not
 * recorded. false when there was no memory for it (then record inline).
 */
bool
crawl_submit_parse_(struct crawl *c, struct task *t, struct fetch *f,
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
	/* The slot's strings go with its next task: the row keeps copies. */
	pp->etag = cw_strdup(res->etag);
	pp->last_modified = cw_strdup(res->last_modified);
	pp->sr.etag = pp->etag;
	pp->sr.last_modified = pp->last_modified;
	if (res->content_hash != NULL) {
		snprintf(pp->hash, sizeof(pp->hash), "%s", res->content_hash);
		pp->sr.content_hash = pp->hash;
	}
	body = buf_take(&f->body, &len);
	if ((res->content_type == NULL || pp->ct != NULL) &&
	    (res->etag == NULL || pp->etag != NULL) &&
	    (res->last_modified == NULL || pp->last_modified != NULL))
		job = parse_job_new(body, len, t->url, c->opts->max_links, pp);
	if (job != NULL) {
		/* Observers that want bodies get them back with the links. */
		job->keep_body = (c->obs_flags & CRAWL_OBS_BODIES) != 0;
		/* A page's repeats are left out on the parse thread
		   (observers still get every link). */
		job->firsts = true;
		/* The body's hash too, off the loop (engine_parse_done) */
		job->hash = res->hash_body;
		(void)crawl_parse_plan_(c, t, res, &job->lopts, &job->css);
	}
	if (job == NULL) {
		f->body.data = body; /* give it back to the slot */
		f->body.len = f->body.cap = len;
		free(pp->ct);
		free(pp->etag);
		free(pp->last_modified);
		free(pp);
		return false;
	}
	parsepool_submit(c->e->pool, job);
	return true;
}
