/* SPDX-License-Identifier: MIT */
/*
 * testsrv.c - evhttp fixture server on its own thread (see testsrv.h).
 *
 * The server thread owns its event_base and evhttp; the counters and the
 * hold rules are shared with the test thread under a mutex. Delayed
 * answers are one-shot timers holding the request until they fire; held
 * ones wait on a list until testsrv_release() wakes the server thread.
 * Every answer not sent yet is on the server's pending list, so stopping
 * the server frees them all.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testsrv.h"

#define TESTSRV_MAX_PATHS 4096
#define TESTSRV_LOG 4096
#define TESTSRV_MAX_HOLDS 8

struct testsrv_fail {
	const char *path; /* borrowed */
	unsigned n;
	int status;
	const char *retry_after; /* borrowed */
};

struct pending;

struct testsrv {
	struct testsrv_fail fails[8];
	char *holds[TESTSRV_MAX_HOLDS]; /* owned: paths held, NULL = free */
	struct event *release_ev;	/* activated by testsrv_release */
	struct pending *pendings;	/* not answered yet (server thread) */
	size_t nfails;
	bool no_path_stats;
	struct event *stop_ev;	 /* activated by testsrv_stop */
	unsigned auth_or_cookie; /* requests with Authorization/Cookie */
	const char *set_cookie;	 /* borrowed; NULL = none */
	struct event_base *base;
	struct evhttp *http;
	pthread_t thread;
	uint16_t port;
	char origin[64];
	const struct testsrv_page *pages;
	size_t npages;
	testsrv_gen_cb *gen;
	void *gen_arg;
	char *root;
	unsigned delay_ms;
	pthread_mutex_t mu;
	char *paths[TESTSRV_MAX_PATHS];
	unsigned counts[TESTSRV_MAX_PATHS];
	size_t npaths;
	unsigned total;
	unsigned in_flight;
	unsigned max_in_flight;
	char user_agent[256];
	unsigned log_path[TESTSRV_LOG]; /* index into paths */
	long long log_ms[TESTSRV_LOG];
};

struct pending {
	struct testsrv *s;
	struct evhttp_request *req;
	struct event *ev;
	int status;
	char *ctype;
	char *location;
	char *body;
	size_t len;
	unsigned delay_ms;
	const char *retry_after;     /* borrowed from a fail rule */
	char *path;		     /* owned: the request's path + query */
	bool held;		     /* waiting for testsrv_release() */
	struct pending *prev, *next; /* the server's pending list */
};

/* Put p on the server's list of answers not sent yet (under the mutex:
   testsrv_held() reads the list from the test thread). */
static void
pending_link(struct pending *p)
{
	pthread_mutex_lock(&p->s->mu);
	p->next = p->s->pendings;
	if (p->next != NULL)
		p->next->prev = p;
	p->s->pendings = p;
	pthread_mutex_unlock(&p->s->mu);
}

/* Take p off that list and free it. */
static void
pending_free(struct pending *p)
{
	pthread_mutex_lock(&p->s->mu);
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		p->s->pendings = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	pthread_mutex_unlock(&p->s->mu);
	if (p->ev != NULL)
		event_free(p->ev);
	free(p->ctype);
	free(p->location);
	free(p->body);
	free(p->path);
	free(p);
}

/* Count a request for path. */
static void
testsrv_count(struct testsrv *s, const char *path, const char *ua)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	s->total++;
	s->in_flight++;
	if (s->in_flight > s->max_in_flight)
		s->max_in_flight = s->in_flight;
	if (ua != NULL)
		snprintf(s->user_agent, sizeof(s->user_agent), "%s", ua);
	if (s->no_path_stats) {
		pthread_mutex_unlock(&s->mu);
		return;
	}
	for (i = 0; i < s->npaths; i++)
		if (strcmp(s->paths[i], path) == 0)
			break;
	if (i == s->npaths && s->npaths < TESTSRV_MAX_PATHS)
		s->paths[s->npaths++] = strdup(path);
	if (i < TESTSRV_MAX_PATHS) {
		s->counts[i]++;
		if (s->total <= TESTSRV_LOG) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			s->log_path[s->total - 1] = (unsigned)i;
			s->log_ms[s->total - 1] =
			    ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
		}
	}
	pthread_mutex_unlock(&s->mu);
}

/* Replace %ORIGIN% in text; malloc'd. */
static char *
testsrv_expand(const struct testsrv *s, const char *text, size_t *len)
{
	const char *p, *q;
	size_t olen = strlen(s->origin), n = 0, cap;
	char *out;

	cap = strlen(text) + 1;
	for (p = text; (q = strstr(p, "%ORIGIN%")) != NULL; p = q + 8)
		cap += olen;
	out = malloc(cap);
	if (out == NULL)
		abort();
	for (p = text; (q = strstr(p, "%ORIGIN%")) != NULL; p = q + 8) {
		memcpy(out + n, p, (size_t)(q - p));
		n += (size_t)(q - p);
		memcpy(out + n, s->origin, olen);
		n += olen;
	}
	strcpy(out + n, p);
	n += strlen(p);
	if (len != NULL)
		*len = n;
	return out;
}

/* Send a pending answer and free it. */
static void
pending_send(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(p->req);

	(void)fd;
	(void)what;
	evhttp_add_header(h, "Content-Type", p->ctype);
	if (p->location != NULL)
		evhttp_add_header(h, "Location", p->location);
	if (p->retry_after != NULL)
		evhttp_add_header(h, "Retry-After", p->retry_after);
	if (p->s->set_cookie != NULL)
		evhttp_add_header(h, "Set-Cookie", p->s->set_cookie);
	evbuffer_add(b, p->body, p->len);
	pthread_mutex_lock(&p->s->mu);
	p->s->in_flight--;
	pthread_mutex_unlock(&p->s->mu);
	evhttp_send_reply(p->req, p->status, "X", b);
	evbuffer_free(b);
	pending_free(p);
}

/* Answer p now, or when its delay has passed. */
static void
pending_start(struct pending *p)
{
	struct timeval tv;

	if (p->delay_ms == 0) {
		pending_send(-1, 0, p);
		return;
	}
	p->ev = evtimer_new(p->s->base, pending_send, p);
	if (p->ev == NULL)
		abort();
	tv.tv_sec = p->delay_ms / 1000;
	tv.tv_usec = (p->delay_ms % 1000) * 1000;
	evtimer_add(p->ev, &tv);
}

/* Whether requests for path are held (caller holds the mutex). */
static bool
testsrv_is_held(const struct testsrv *s, const char *path)
{
	size_t i;

	for (i = 0; i < TESTSRV_MAX_HOLDS; i++)
		if (s->holds[i] != NULL && strcmp(s->holds[i], path) == 0)
			return true;
	return false;
}

/* Server thread: answer the held requests whose path was released. */
static void
testsrv_release_cb(evutil_socket_t fd, short what, void *arg)
{
	struct testsrv *s = arg;
	struct pending *p, *next, *go = NULL;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&s->mu);
	for (p = s->pendings; p != NULL; p = p->next)
		if (p->held && !testsrv_is_held(s, p->path))
			p->held = false;
	pthread_mutex_unlock(&s->mu);
	/* Oldest first: the list is newest first, so collect, then start. */
	for (p = s->pendings; p != NULL; p = p->next)
		if (!p->held && p->ev == NULL)
			go = p;
	for (p = go; p != NULL; p = next) {
		next = p->prev;
		if (!p->held && p->ev == NULL)
			pending_start(p);
	}
}

/* Read a file under root for path; 0 on failure. */
static int
testsrv_read_file(const struct testsrv *s, const char *path, struct pending *p)
{
	char full[4096], *q;
	struct stat sb;
	FILE *f;
	size_t n;

	if (strstr(path, "..") != NULL)
		return 0;
	snprintf(full, sizeof(full), "%s%s", s->root, path);
	if ((q = strchr(full, '?')) != NULL)
		*q = '\0';
	if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
		strncat(full, "/index.html", sizeof(full) - strlen(full) - 1);
	f = fopen(full, "rb");
	if (f == NULL)
		return 0;
	p->body = malloc(1024 * 1024);
	n = p->body != NULL ? fread(p->body, 1, 1024 * 1024, f) : 0;
	fclose(f);
	p->len = n;
	q = strrchr(full, '.');
	p->ctype = strdup(q != NULL && strcmp(q, ".html") == 0
		? "text/html; charset=utf-8"
		: q != NULL && strcmp(q, ".css") == 0 ? "text/css"
						      : "text/plain");
	return 1;
}

/* Whether a fail-first rule answers this request; fills p. */
static int
testsrv_failing(struct testsrv *s, const char *path, struct pending *p)
{
	unsigned hits;
	size_t i;

	for (i = 0; i < s->nfails; i++) {
		if (strcmp(s->fails[i].path, path) != 0)
			continue;
		hits = testsrv_hits(s, path);
		if (hits > s->fails[i].n)
			return 0;
		p->status = s->fails[i].status;
		p->ctype = strdup("text/plain");
		p->body = strdup("try again");
		p->len = strlen(p->body);
		p->location = NULL;
		p->retry_after = s->fails[i].retry_after;
		return 1;
	}
	return 0;
}

static void testsrv_lookup_page(
    struct testsrv *s, const char *path, struct pending *p);

/* Resolve a request to a pending answer. */
static void
testsrv_lookup(struct testsrv *s, const char *path, struct pending *p)
{
	if (testsrv_failing(s, path, p))
		return;
	testsrv_lookup_page(s, path, p);
}

/* Resolve a request for a page of the table, generator or directory. */
static void
testsrv_lookup_page(struct testsrv *s, const char *path, struct pending *p)
{
	struct testsrv_page page, *pg = NULL;
	char *genbuf = NULL;
	size_t i;

	memset(&page, 0, sizeof(page));
	for (i = 0; i < s->npages && pg == NULL; i++)
		if (strcmp(s->pages[i].path, path) == 0) {
			page = s->pages[i];
			pg = &page;
		}
	if (pg == NULL && s->gen != NULL) {
		genbuf = malloc(256 * 1024);
		if (genbuf != NULL &&
		    s->gen(path, &page, genbuf, 256 * 1024, s->gen_arg))
			pg = &page;
	}
	if (pg == NULL && s->root != NULL && testsrv_read_file(s, path, p)) {
		p->status = 200;
		free(genbuf);
		return;
	}
	if (pg == NULL) {
		page.status = 404;
		page.body = "<html><body>not found</body></html>";
		pg = &page;
	}
	p->status = pg->status ? pg->status : 200;
	p->ctype = strdup(
	    pg->content_type ? pg->content_type : "text/html; charset=utf-8");
	p->body = testsrv_expand(s, pg->body ? pg->body : "", &p->len);
	p->location =
	    pg->location ? testsrv_expand(s, pg->location, NULL) : NULL;
	p->status = p->status ? p->status : 200;
	/* Delay: the page's own plus the server-wide one. */
	p->delay_ms = pg->delay_ms + s->delay_ms;
	free(genbuf);
}

/* evhttp: every request. */
static void
testsrv_request(struct evhttp_request *req, void *arg)
{
	struct testsrv *s = arg;
	const char *uri = evhttp_request_get_uri(req);
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct pending *p;

	testsrv_count(s, uri, evhttp_find_header(in, "User-Agent"));
	if (evhttp_find_header(in, "Authorization") != NULL ||
	    evhttp_find_header(in, "Cookie") != NULL) {
		pthread_mutex_lock(&s->mu);
		s->auth_or_cookie++;
		pthread_mutex_unlock(&s->mu);
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		abort();
	p->s = s;
	p->req = req;
	p->path = strdup(uri);
	if (p->path == NULL)
		abort();
	pending_link(p);
	testsrv_lookup(s, uri, p);
	pthread_mutex_lock(&s->mu);
	p->held = testsrv_is_held(s, uri);
	pthread_mutex_unlock(&s->mu);
	if (!p->held)
		pending_start(p);
}

/* Leave the loop: run inside it, so a stop that comes before the
   thread entered event_base_dispatch() is not lost (dispatch clears an
   earlier loopbreak). */
static void
testsrv_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct testsrv *s = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(s->base);
}

/* The server thread. */
static void *
testsrv_thread(void *arg)
{
	struct testsrv *s = arg;

	event_base_dispatch(s->base);
	return NULL;
}

/* Bind and start the thread. */
static struct testsrv *
testsrv_launch(struct testsrv *s, const char *addr, uint16_t port)
{
	struct evhttp_bound_socket *sock;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	evthread_use_pthreads();
	pthread_mutex_init(&s->mu, NULL);
	s->base = event_base_new();
	s->http = evhttp_new(s->base);
	if (s->base == NULL || s->http == NULL)
		abort();
	evhttp_set_gencb(s->http, testsrv_request, s);
	s->stop_ev = event_new(s->base, -1, 0, testsrv_stop_cb, s);
	s->release_ev = event_new(s->base, -1, 0, testsrv_release_cb, s);
	if (s->stop_ev == NULL || s->release_ev == NULL)
		abort();
	sock = evhttp_bind_socket_with_handle(s->http, addr, port);
	if (sock == NULL) {
		fprintf(stderr, "testsrv: cannot bind %s:%u\n", addr, port);
		exit(1);
	}
	getsockname(
	    evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sl);
	s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	snprintf(s->origin, sizeof(s->origin), "http://%s:%u", addr, s->port);
	if (pthread_create(&s->thread, NULL, testsrv_thread, s) != 0)
		abort();
	return s;
}

struct testsrv *
testsrv_start(const struct testsrv_page *pages, size_t n)
{
	struct testsrv *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->pages = pages;
	s->npages = n;
	return testsrv_launch(s, "127.0.0.1", 0);
}

struct testsrv *
testsrv_start_on(const char *addr, const struct testsrv_page *pages, size_t n)
{
	struct testsrv *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->pages = pages;
	s->npages = n;
	return testsrv_launch(s, addr, 0);
}

void
testsrv_fail_first(struct testsrv *s, const char *path, unsigned n, int status,
    const char *retry_after)
{
	pthread_mutex_lock(&s->mu);
	if (s->nfails < 8) {
		s->fails[s->nfails].path = path;
		s->fails[s->nfails].n = n;
		s->fails[s->nfails].status = status;
		s->fails[s->nfails].retry_after = retry_after;
		s->nfails++;
	}
	pthread_mutex_unlock(&s->mu);
}

struct testsrv *
testsrv_start_gen(testsrv_gen_cb *gen, void *arg)
{
	struct testsrv *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->gen = gen;
	s->gen_arg = arg;
	return testsrv_launch(s, "127.0.0.1", 0);
}

struct testsrv *
testsrv_start_gen_on(
    const char *addr, uint16_t port, testsrv_gen_cb *gen, void *arg)
{
	struct testsrv *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->gen = gen;
	s->gen_arg = arg;
	return testsrv_launch(s, addr, port);
}

struct testsrv *
testsrv_start_dir(const char *root, const char *addr, uint16_t port)
{
	struct testsrv *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->root = strdup(root);
	return testsrv_launch(s, addr, port);
}

unsigned
testsrv_auth_or_cookie(struct testsrv *s)
{
	unsigned n;

	pthread_mutex_lock(&s->mu);
	n = s->auth_or_cookie;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void
testsrv_set_cookie(struct testsrv *s, const char *value)
{
	pthread_mutex_lock(&s->mu);
	s->set_cookie = value;
	pthread_mutex_unlock(&s->mu);
}

void
testsrv_no_path_stats(struct testsrv *s)
{
	pthread_mutex_lock(&s->mu);
	s->no_path_stats = true;
	pthread_mutex_unlock(&s->mu);
}

void
testsrv_hold(struct testsrv *s, const char *path)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < TESTSRV_MAX_HOLDS && s->holds[i] != NULL; i++)
		;
	if (i == TESTSRV_MAX_HOLDS || (s->holds[i] = strdup(path)) == NULL)
		abort();
	pthread_mutex_unlock(&s->mu);
}

unsigned
testsrv_held_path(struct testsrv *s, const char *path)
{
	struct pending *p;
	unsigned n = 0;

	pthread_mutex_lock(&s->mu);
	for (p = s->pendings; p != NULL; p = p->next)
		n += p->held && (path == NULL || strcmp(p->path, path) == 0);
	pthread_mutex_unlock(&s->mu);
	return n;
}

unsigned
testsrv_held(struct testsrv *s)
{
	return testsrv_held_path(s, NULL);
}

bool
testsrv_wait_held(struct testsrv *s, const char *path, unsigned n)
{
	struct timespec ts = {0, 10 * 1000000L};
	int i;

	for (i = 0; i < 6000; i++) {
		if (testsrv_held_path(s, path) >= n)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

void
testsrv_release_path(struct testsrv *s, const char *path)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < TESTSRV_MAX_HOLDS; i++)
		if (s->holds[i] != NULL &&
		    (path == NULL || strcmp(s->holds[i], path) == 0)) {
			free(s->holds[i]);
			s->holds[i] = NULL;
		}
	pthread_mutex_unlock(&s->mu);
	event_active(s->release_ev, 0, 0);
}

void
testsrv_release(struct testsrv *s)
{
	testsrv_release_path(s, NULL);
}

void
testsrv_set_delay(struct testsrv *s, unsigned ms)
{
	s->delay_ms = ms;
}

uint16_t
testsrv_port(const struct testsrv *s)
{
	return s->port;
}

const char *
testsrv_origin(const struct testsrv *s)
{
	return s->origin;
}

unsigned
testsrv_hits(struct testsrv *s, const char *path)
{
	unsigned n = 0;
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->npaths; i++)
		if (strcmp(s->paths[i], path) == 0)
			n = s->counts[i];
	pthread_mutex_unlock(&s->mu);
	return n;
}

unsigned
testsrv_total(struct testsrv *s)
{
	unsigned n;

	pthread_mutex_lock(&s->mu);
	n = s->total;
	pthread_mutex_unlock(&s->mu);
	return n;
}

unsigned
testsrv_max_hits(struct testsrv *s, unsigned *npaths)
{
	unsigned n = 0;
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->npaths; i++)
		if (s->counts[i] > n)
			n = s->counts[i];
	if (npaths != NULL)
		*npaths = (unsigned)s->npaths;
	pthread_mutex_unlock(&s->mu);
	return n;
}

unsigned
testsrv_max_in_flight(struct testsrv *s)
{
	unsigned n;

	pthread_mutex_lock(&s->mu);
	n = s->max_in_flight;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void
testsrv_last_user_agent(struct testsrv *s, char *buf, size_t size)
{
	pthread_mutex_lock(&s->mu);
	snprintf(buf, size, "%s", s->user_agent);
	pthread_mutex_unlock(&s->mu);
}

long long
testsrv_request_at(struct testsrv *s, unsigned i, char *buf, size_t size)
{
	long long ms = -1;

	pthread_mutex_lock(&s->mu);
	if (i < s->total && i < TESTSRV_LOG) {
		snprintf(buf, size, "%s", s->paths[s->log_path[i]]);
		ms = s->log_ms[i];
	}
	pthread_mutex_unlock(&s->mu);
	return ms;
}

void
testsrv_stop(struct testsrv *s)
{
	size_t i;

	event_active(s->stop_ev, 0, 0);
	pthread_join(s->thread, NULL);
	/* Answers never sent (held, or delayed past the end of the test). */
	while (s->pendings != NULL)
		pending_free(s->pendings);
	for (i = 0; i < TESTSRV_MAX_HOLDS; i++)
		free(s->holds[i]);
	event_free(s->release_ev);
	event_free(s->stop_ev);
	evhttp_free(s->http);
	event_base_free(s->base);
	for (i = 0; i < s->npaths; i++)
		free(s->paths[i]);
	pthread_mutex_destroy(&s->mu);
	free(s->root);
	free(s);
}
