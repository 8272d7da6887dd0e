/* SPDX-License-Identifier: MIT */
/*
 * condsrv.c - the conditional-request fixture server (see condsrv.h). The
 * server thread owns its event_base and evhttp; pages and the request log
 * are shared with the test thread under mu.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condsrv.h"

#define CONDSRV_MAX_PAGES 64
#define CONDSRV_MAX_LOG 4096

struct condsrv_page {
	char *path, *ctype, *body, *etag, *last_modified; /* owned */
};

struct condsrv {
	pthread_mutex_t mu;
	struct condsrv_page pages[CONDSRV_MAX_PAGES];
	size_t npages;
	struct condsrv_req *log; /* owned, CONDSRV_MAX_LOG */
	unsigned nlog;
	struct event_base *base; /* the server thread's */
	struct evhttp *http;
	struct event *stop_ev;
	pthread_t thread;
	char origin[64];
};

/* strdup or abort; NULL stays NULL. */
static char *
condsrv_dup(const char *v)
{
	char *d;

	if (v == NULL)
		return NULL;
	d = strdup(v);
	if (d == NULL)
		abort();
	return d;
}

/* Free what a page owns. */
static void
condsrv_page_clear(struct condsrv_page *p)
{
	free(p->path);
	free(p->ctype);
	free(p->body);
	free(p->etag);
	free(p->last_modified);
	memset(p, 0, sizeof(*p));
}

/* The page at path (caller holds mu); NULL when there is none. */
static struct condsrv_page *
condsrv_find(struct condsrv *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->npages; i++)
		if (strcmp(s->pages[i].path, path) == 0)
			return &s->pages[i];
	return NULL;
}

/* Whether an If-None-Match list names etag (or is "*"). */
static bool
condsrv_inm_match(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = inm;

	if (strcmp(inm, "*") == 0)
		return true;
	while ((p = strstr(p, etag)) != NULL) {
		if ((p == inm || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

/* The status a request with these validators gets (RFC 9110 13.2.2). */
static int
condsrv_status(const struct condsrv_page *pg, const char *inm, const char *ims)
{
	if (inm != NULL)
		return pg->etag != NULL && condsrv_inm_match(inm, pg->etag)
		    ? 304
		    : 200;
	if (ims != NULL && pg->last_modified != NULL &&
	    strcmp(ims, pg->last_modified) == 0)
		return 304;
	return 200;
}

/* Replace %ORIGIN% in body into b. */
static void
condsrv_add_body(const struct condsrv *s, struct evbuffer *b, const char *body)
{
	const char *p = body, *q;

	while ((q = strstr(p, "%ORIGIN%")) != NULL) {
		evbuffer_add(b, p, (size_t)(q - p));
		evbuffer_add(b, s->origin, strlen(s->origin));
		p = q + 8;
	}
	evbuffer_add(b, p, strlen(p));
}

/* Log a request (caller holds mu). */
static void
condsrv_log(struct condsrv *s, const char *path, const char *inm,
    const char *ims, int status)
{
	struct condsrv_req *r;

	if (s->nlog >= CONDSRV_MAX_LOG)
		return;
	r = &s->log[s->nlog++];
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->if_none_match, sizeof(r->if_none_match), "%s",
	    inm != NULL ? inm : "");
	snprintf(r->if_modified_since, sizeof(r->if_modified_since), "%s",
	    ims != NULL ? ims : "");
	r->status = status;
}

/* Answer one request. */
static void
condsrv_request_cb(struct evhttp_request *req, void *arg)
{
	struct condsrv *s = arg;
	const char *uri = evhttp_request_get_uri(req);
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *inm = evhttp_find_header(in, "If-None-Match");
	const char *ims = evhttp_find_header(in, "If-Modified-Since");
	struct evbuffer *b = evbuffer_new();
	struct condsrv_page *pg;
	int status = 404;

	if (b == NULL)
		abort();
	pthread_mutex_lock(&s->mu);
	pg = condsrv_find(s, uri);
	if (pg != NULL) {
		status = condsrv_status(pg, inm, ims);
		/* A 304 carries the validators too (RFC 9110 15.4.5). */
		if (pg->etag != NULL)
			evhttp_add_header(out, "ETag", pg->etag);
		if (pg->last_modified != NULL)
			evhttp_add_header(
			    out, "Last-Modified", pg->last_modified);
		if (status == 200) {
			evhttp_add_header(out, "Content-Type",
			    pg->ctype != NULL ? pg->ctype : "text/html");
			condsrv_add_body(s, b, pg->body);
		}
	}
	condsrv_log(s, uri, inm, ims, status);
	pthread_mutex_unlock(&s->mu);
	evhttp_send_reply(req, status,
	    status == 304	? "Not Modified"
		: status == 200 ? "OK"
				: "Not Found",
	    b);
	evbuffer_free(b);
}

/* Leave the loop (run inside it, so an early stop is not lost). */
static void
condsrv_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct condsrv *s = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(s->base);
}

static void *
condsrv_thread(void *arg)
{
	struct condsrv *s = arg;

	event_base_dispatch(s->base);
	return NULL;
}

struct condsrv *
condsrv_start(void)
{
	struct condsrv *s = calloc(1, sizeof(*s));
	struct evhttp_bound_socket *sock;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	if (s == NULL)
		abort();
	s->log = calloc(CONDSRV_MAX_LOG, sizeof(*s->log));
	if (s->log == NULL || evthread_use_pthreads() != 0 ||
	    pthread_mutex_init(&s->mu, NULL) != 0)
		abort();
	s->base = event_base_new();
	s->http = s->base != NULL ? evhttp_new(s->base) : NULL;
	if (s->http == NULL)
		abort();
	evhttp_set_gencb(s->http, condsrv_request_cb, s);
	s->stop_ev = event_new(s->base, -1, 0, condsrv_stop_cb, s);
	sock = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
	if (s->stop_ev == NULL || sock == NULL ||
	    getsockname(evhttp_bound_socket_get_fd(sock),
		(struct sockaddr *)&sin, &sl) != 0)
		abort();
	snprintf(s->origin, sizeof(s->origin), "http://127.0.0.1:%u",
	    ntohs(sin.sin_port));
	if (pthread_create(&s->thread, NULL, condsrv_thread, s) != 0)
		abort();
	return s;
}

void
condsrv_set(struct condsrv *s, const char *path, const char *ctype,
    const char *body, const char *etag, const char *last_modified)
{
	struct condsrv_page *pg;

	pthread_mutex_lock(&s->mu);
	pg = condsrv_find(s, path);
	if (pg == NULL) {
		if (s->npages >= CONDSRV_MAX_PAGES)
			abort();
		pg = &s->pages[s->npages++];
	} else {
		condsrv_page_clear(pg);
	}
	pg->path = condsrv_dup(path);
	pg->ctype = condsrv_dup(ctype);
	pg->body = condsrv_dup(body != NULL ? body : "");
	pg->etag = condsrv_dup(etag);
	pg->last_modified = condsrv_dup(last_modified);
	pthread_mutex_unlock(&s->mu);
}

unsigned
condsrv_requests(struct condsrv *s)
{
	unsigned n;

	pthread_mutex_lock(&s->mu);
	n = s->nlog;
	pthread_mutex_unlock(&s->mu);
	return n;
}

bool
condsrv_request(struct condsrv *s, unsigned i, struct condsrv_req *out)
{
	bool ok;

	pthread_mutex_lock(&s->mu);
	ok = i < s->nlog;
	if (ok)
		*out = s->log[i];
	pthread_mutex_unlock(&s->mu);
	return ok;
}

unsigned
condsrv_count(struct condsrv *s, const char *path, int status)
{
	unsigned i, n = 0;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nlog; i++)
		if (strcmp(s->log[i].path, path) == 0 &&
		    (status == 0 || s->log[i].status == status))
			n++;
	pthread_mutex_unlock(&s->mu);
	return n;
}

const char *
condsrv_origin(const struct condsrv *s)
{
	return s->origin;
}

void
condsrv_stop(struct condsrv *s)
{
	size_t i;

	if (s == NULL)
		return;
	event_active(s->stop_ev, 0, 0);
	pthread_join(s->thread, NULL);
	event_free(s->stop_ev);
	evhttp_free(s->http);
	event_base_free(s->base);
	for (i = 0; i < s->npages; i++)
		condsrv_page_clear(&s->pages[i]);
	free(s->log);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
