/* SPDX-License-Identifier: MIT */
/*
 * observe.c - the crawl observers (engine.h): modules above the engine
 * (the mirror, the WARC writer) see each page's response and its recorded
 * outcome through a table of callbacks, so the engine never knows what
 * they do with it. An observer that fails ends the crawls the way a store
 * failure does: a page must not pass as done without its file or record.
 * Owns nothing; the tables are the crawl's copies.
 */
#include "engine_int.h"

/* Add an observer to a crawl. */
enum cw_rc
crawl_add_observer(struct crawl *c, const struct crawl_observer *obs)
{
	if (c->nobs >= CRAWL_MAX_OBSERVERS)
		return CW_EINVAL;
	c->obs[c->nobs++] = *obs;
	c->obs_flags |= obs->flags;
	return CW_OK;
}

/* Add an observer for every later crawl of the engine. */
enum cw_rc
engine_add_observer(struct engine *e, const struct crawl_observer *obs)
{
	if (e->nobs >= CRAWL_MAX_OBSERVERS)
		return CW_EINVAL;
	e->obs[e->nobs++] = *obs;
	return CW_OK;
}

/* The crawl's id. */
int64_t
crawl_get_id(const struct crawl *c)
{
	return c->id;
}

/* An observer failed with rc: every crawl ends, the batch is dropped. */
static void
crawl_observer_failed(
    struct crawl *c, const struct crawl_observer *o, enum cw_rc rc)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s",
	    o->name != NULL ? o->name : "observer", cw_strerror(rc));
	engine_fail_(c->e, CRAWL_END_ERROR, msg);
}

/* The part of an event every moment shares. */
static void
crawl_event_init(struct crawl_page_event *ev, const struct crawl *c,
    const struct task *t, long status)
{
	memset(ev, 0, sizeof(*ev));
	ev->crawl_id = c->id;
	ev->page_id = t->page_id;
	ev->url = t->url;
	ev->depth = t->depth;
	ev->status = status;
	ev->not_modified = status == 304;
}

/* Call one moment's callback of every observer, until one fails. */
static void
crawl_observe_each(
    struct crawl *c, const struct crawl_page_event *ev, bool recorded)
{
	size_t i;
	enum cw_rc rc;

	for (i = 0; i < c->nobs && !c->e->halted; i++) {
		crawl_obs_cb *cb =
		    recorded ? c->obs[i].recorded : c->obs[i].response;

		if (cb == NULL)
			continue;
		rc = cb(c->obs[i].arg, c, ev);
		if (rc != CW_OK)
			crawl_observer_failed(c, &c->obs[i], rc);
	}
}

/* A response that is the page's outcome. */
void
crawl_observe_response_(
    struct crawl *c, const struct task *t, const struct fetch_result *res)
{
	struct crawl_page_event ev;

	if (c->nobs == 0 || c->e->halted || res->outcome != FETCH_OK)
		return;
	crawl_event_init(&ev, c, t, res->status);
	ev.content_type = res->content_type;
	if (c->obs_flags & CRAWL_OBS_BODIES) {
		ev.body = res->body;
		ev.body_len = res->body_len;
	}
	ev.res = res;
	crawl_observe_each(c, &ev, false);
}

/* A recorded page. */
void
crawl_observe_recorded_(struct crawl *c, const struct task *t, long status,
    const char *content_type, const char *body, size_t body_len,
    const struct link_list *links)
{
	struct crawl_page_event ev;

	if (c->nobs == 0 || c->e->halted)
		return;
	crawl_event_init(&ev, c, t, status);
	ev.content_type = content_type;
	if (c->obs_flags & CRAWL_OBS_BODIES) {
		ev.body = body;
		ev.body_len = body_len;
	}
	ev.links = links;
	ev.parsed = links != NULL;
	crawl_observe_each(c, &ev, true);
}

/* Ask the observers for a 304's stored body; the first that has one. */
bool
crawl_observe_stored_(struct crawl *c, const struct task *t, struct fetch *f,
    const struct fetch_result *res, struct fetch_result *sub, char **ct)
{
	char *body = NULL;
	size_t i, len = 0;
	enum cw_rc rc = CW_OK;

	*ct = NULL;
	if (res->outcome != FETCH_OK || res->status != 304)
		return false;
	for (i = 0; i < c->nobs && !c->e->halted && body == NULL; i++) {
		if (c->obs[i].stored_body == NULL)
			continue;
		rc = c->obs[i].stored_body(
		    c->obs[i].arg, c, t->page_id, t->url, &body, &len, ct);
		if (rc != CW_OK) {
			crawl_observer_failed(c, &c->obs[i], rc);
			break;
		}
	}
	/* The stored body takes the place of the empty one in the slot, so
	   it goes the way a fetched body goes (the parse pool takes it);
	   past --max-size it is not taken (the page gets no links). */
	buf_reset(&f->body);
	if (rc == CW_OK && body != NULL &&
	    buf_append(&f->body, body, len) != CW_OK)
		rc = CW_ELIMIT;
	free(body);
	if (rc != CW_OK || body == NULL) {
		free(*ct);
		*ct = NULL;
		return false;
	}
	*sub = *res;
	sub->content_type = *ct;
	sub->body = f->body.data != NULL ? f->body.data : "";
	sub->body_len = f->body.len;
	sub->is_html = fetch_is_html_type(*ct);
	return true;
}

/* Validators for a task about to be queued: the first observer's. */
bool
crawl_observe_validators_(
    struct crawl *c, const char *url, struct task_validators *v)
{
	size_t i;

	for (i = 0; i < c->nobs; i++) {
		memset(v, 0, sizeof(*v));
		if (c->obs[i].validators != NULL &&
		    c->obs[i].validators(c->obs[i].arg, c, url, v))
			return true;
	}
	return false;
}

/* The crawl ends. */
void
crawl_observe_end_(struct crawl *c, enum crawl_end end)
{
	size_t i;

	for (i = 0; i < c->nobs && !c->e->halted; i++)
		if (c->obs[i].end != NULL)
			c->obs[i].end(c->obs[i].arg, c, end);
}
