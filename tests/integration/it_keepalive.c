/* SPDX-License-Identifier: MIT */
/*
 * it_keepalive.c - curlev keeps the event of an idle kept-alive
 * connection registered ("dormant") between two transfers (issue 13).
 * Each way that can go wrong has a test: a connection reused must cost no
 * new event; a dormant event that fires (the server closed the idle
 * connection) must be dropped, not fire again and again; a dormant event
 * must be gone before libcurl closes its socket, or the next descriptor
 * with that number is never watched (a hang, caught here by a deadline);
 * and a crawl of a server that closes idle connections, and closes others
 * after answering (so descriptor numbers are reused), must finish with
 * every page done.
 *
 * The server (srv_*) is a raw-socket HTTP/1.1 server on its own thread:
 * one poll() loop over up to SRV_MAX_CONNS connections, bounded by a stop
 * flag and a deadline.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "harness.h"
#include "ithelp.h"
#include "crawld/engine/curlev.h"

#define SRV_MAX_CONNS 32
#define SITE_PAGES 127 /* /p/0 .. /p/126, a full binary tree of links */

enum srv_mode {
	SRV_KEEP,	/* keep every connection open */
	SRV_CLOSE_IDLE, /* answer as if keeping it, then close it */
	SRV_MIXED,	/* by request: keep, close unsaid, Connection: close */
};

struct srv {
	int lfd;
	uint16_t port;
	enum srv_mode mode;
	pthread_t thread;
	atomic_bool stop;
	bool hold; /* answer request n only once released > n */
	atomic_uint accepted;
	atomic_uint requests; /* whole requests read */
	atomic_uint released;
	atomic_uint answered;
};

struct srv_conn {
	int fd; /* -1: free */
	char buf[2048];
	size_t len;
};

/* The page at path: a small tree of links (/ is /p/0). */
static int
srv_page(const char *path, char *body, size_t size)
{
	int n = 0;

	if (strcmp(path, "/") != 0 && sscanf(path, "/p/%d", &n) != 1)
		return -1;
	if (n < 0 || n >= SITE_PAGES)
		return -1;
	if (2 * n + 2 < SITE_PAGES)
		return snprintf(body, size,
		    "<html><body><a href=\"/p/%d\">a</a>"
		    "<a href=\"/p/%d\">b</a></body></html>",
		    2 * n + 1, 2 * n + 2);
	return snprintf(body, size, "<html><body>leaf %d</body></html>", n);
}

/* Answer one request; false when the connection is to be closed. */
static bool
srv_answer(struct srv *s, struct srv_conn *c)
{
	char path[256], body[512], out[1024];
	unsigned nth = atomic_fetch_add(&s->answered, 1);
	bool say_close = s->mode == SRV_MIXED && nth % 3 == 2;
	bool close_after =
	    s->mode == SRV_CLOSE_IDLE || (s->mode == SRV_MIXED && nth % 3 != 0);
	int blen, olen;

	if (sscanf(c->buf, "GET %255s", path) != 1)
		return false;
	blen = srv_page(path, body, sizeof(body));
	if (blen < 0)
		olen = snprintf(out, sizeof(out),
		    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n%s\r\n",
		    say_close ? "Connection: close\r\n" : "");
	else
		olen = snprintf(out, sizeof(out),
		    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		    "Content-Length: %d\r\n%s\r\n%s",
		    blen, say_close ? "Connection: close\r\n" : "", body);
	if (write(c->fd, out, (size_t)olen) != olen)
		return false;
	return !(say_close || close_after);
}

/* With hold, wait (at most 10 s) until the test releases request nth:
   the client has then read nothing yet and watches its socket. */
static void
srv_hold(struct srv *s, unsigned nth)
{
	int i;

	for (i = 0; s->hold && i < 10000 * (int)it_slow(); i++) {
		if (atomic_load(&s->released) > nth || atomic_load(&s->stop))
			return;
		usleep(1000);
	}
}

/* Read what a connection sent; answer each whole request. */
static void
srv_read(struct srv *s, struct srv_conn *c)
{
	ssize_t n;
	char *end;
	bool keep = true;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0) {
		keep = false;
	} else {
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		while (keep && (end = strstr(c->buf, "\r\n\r\n")) != NULL) {
			size_t used = (size_t)(end + 4 - c->buf);

			srv_hold(s, atomic_fetch_add(&s->requests, 1));
			keep = srv_answer(s, c);
			memmove(c->buf, c->buf + used, c->len - used + 1);
			c->len -= used;
		}
		if (c->len == sizeof(c->buf) - 1)
			keep = false;
	}
	if (!keep) {
		close(c->fd);
		c->fd = -1;
	}
}

static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	struct srv_conn conns[SRV_MAX_CONNS];
	struct pollfd pfd[SRV_MAX_CONNS + 1];
	time_t deadline = time(NULL) + 120 * (time_t)it_slow();
	int i, n;

	for (i = 0; i < SRV_MAX_CONNS; i++)
		conns[i].fd = -1;
	while (!atomic_load(&s->stop) && time(NULL) < deadline) {
		pfd[0].fd = s->lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < SRV_MAX_CONNS; i++) {
			pfd[i + 1].fd = conns[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		n = poll(pfd, SRV_MAX_CONNS + 1, 50);
		if (n <= 0)
			continue;
		for (i = 0; i < SRV_MAX_CONNS; i++)
			if (conns[i].fd >= 0 &&
			    (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				srv_read(s, &conns[i]);
		if (pfd[0].revents & POLLIN) {
			int fd = accept(s->lfd, NULL, NULL);

			for (i = 0; fd >= 0 && i < SRV_MAX_CONNS; i++)
				if (conns[i].fd < 0)
					break;
			if (fd >= 0 && i == SRV_MAX_CONNS) {
				close(fd);
			} else if (fd >= 0) {
				conns[i].fd = fd;
				conns[i].len = 0;
				atomic_fetch_add(&s->accepted, 1);
			}
		}
	}
	for (i = 0; i < SRV_MAX_CONNS; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	return NULL;
}

static struct srv *
srv_start(enum srv_mode mode, bool hold)
{
	struct srv *s = calloc(1, sizeof(*s));
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int one = 1;

	if (s == NULL)
		abort();
	s->mode = mode;
	s->hold = hold;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->lfd < 0 ||
	    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) !=
		0 ||
	    bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(s->lfd, 64) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&sin, &len) != 0 ||
	    pthread_create(&s->thread, NULL, srv_main, s) != 0)
		abort();
	s->port = ntohs(sin.sin_port);
	return s;
}

static void
srv_stop(struct srv *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	close(s->lfd);
	free(s);
}

/* ---- curlev driven directly ---- */

struct run {
	struct event_base *base;
	struct curlev *cev;
	unsigned done;	/* transfers finished */
	unsigned ok;	/* ... with CURLE_OK and a 200 */
	bool timed_out; /* the deadline of run_until() hit */
	int fds[16];	/* sockets libcurl opened, in order */
	unsigned nfds;
};

static void
run_done(void *arg, CURL *easy, CURLcode result)
{
	struct run *r = arg;
	long status = 0;

	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	r->done++;
	if (result == CURLE_OK && status == 200)
		r->ok++;
}

static void
run_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)fd;
	(void)what;
	r->timed_out = true;
	event_base_loopbreak(r->base);
}

/* Turn the loop until *counter reaches want, at most 10 s and 100000
   turns; false when it did not. */
static bool
run_until(struct run *r, const unsigned *counter, unsigned want)
{
	struct event *deadline = evtimer_new(r->base, run_deadline, r);
	struct timeval tv = {10 * (time_t)it_slow(), 0};
	unsigned turns = 0;

	if (deadline == NULL)
		abort();
	r->timed_out = false;
	evtimer_add(deadline, &tv);
	while (*counter < want && !r->timed_out && turns++ < 100000)
		event_base_loop(r->base, EVLOOP_ONCE);
	event_free(deadline);
	return *counter >= want;
}

/* The test's own socket opener: records the descriptors (curlev sets
   the sockopt and close callbacks, not this one). */
static curl_socket_t
run_opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct run *r = arg;
	int fd;

	(void)purpose;
	fd = socket(a->family, a->socktype, a->protocol);
	if (fd >= 0 && r->nfds < CW_NELEM(r->fds))
		r->fds[r->nfds++] = fd;
	return fd;
}

static void
run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r->base = event_base_new();
	if (r->base == NULL)
		abort();
	r->cev = curlev_new(r->base, run_done, r);
	if (r->cev == NULL)
		abort();
}

static void
run_cleanup(struct run *r)
{
	curlev_free(r->cev);
	event_base_free(r->base);
}

static size_t
run_discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

static CURL *
run_easy(struct run *r)
{
	CURL *e = curl_easy_init();

	if (e == NULL)
		abort();
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, run_opensocket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L * (long)it_slow());
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, run_discard);
	if (getenv("IT_VERBOSE") != NULL)
		curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	return e;
}

/* Turn the loop in 10 ms steps until the held server s has read its
   request: at most 1000 steps. */
static bool
run_until_requested(struct run *r, struct srv *s, unsigned want)
{
	struct timeval step = {0, 10000};
	int i;

	for (i = 0; i < 1000 * (int)it_slow(); i++) {
		if (atomic_load(&s->requests) >= want)
			return true;
		event_base_loopexit(r->base, &step);
		event_base_dispatch(r->base);
	}
	return false;
}

/*
 * One transfer of / from the held server s on easy, to its end
 * (bounded); true when it got a 200. The answer is released once the
 * request is in and the loop is idle, so libcurl always waits for it
 * with the socket watched for reading (else it may find the answer at
 * once and never watch the socket at all).
 */
static bool
run_get(struct run *r, CURL *easy, struct srv *s)
{
	char url[128];
	unsigned ok = r->ok, nth = atomic_load(&s->requests);

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", s->port);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	if (curlev_add(r->cev, easy) != CW_OK)
		return false;
	if (!run_until_requested(r, s, nth + 1)) {
		curlev_remove(r->cev, easy);
		return false;
	}
	atomic_fetch_add(&s->released, 1);
	if (!run_until(r, &r->done, r->done + 1)) {
		curlev_remove(r->cev, easy);
		return false;
	}
	return r->ok == ok + 1;
}

#define STAT(r, what) curlev_stat((r)->cev, CURLEV_STAT_##what)

/* Five transfers over one kept-alive connection: one socket, one event,
   revived four times (no epoll_ctl between transfers). */
static void
test_reuse_costs_no_event(void)
{
	struct srv *s = srv_start(SRV_KEEP, true);
	struct run r;
	CURL *e;
	int i;

	run_init(&r);
	e = run_easy(&r);
	for (i = 0; i < 5; i++)
		CHECK(run_get(&r, e, s));
	CHECK_INT(atomic_load(&s->accepted), 1);
	CHECK_INT(r.nfds, 1);
	CHECK_INT(STAT(&r, EVENTS_MADE), 1);
	CHECK_INT(STAT(&r, REVIVED), 4);
	CHECK_INT(STAT(&r, STALE), 0);
	curl_easy_cleanup(e);
	run_cleanup(&r);
	srv_stop(s);
}

/* Turn the loop in 10 ms steps until the dormant events that fired
   reach want: at most 1000 steps. */
static bool
run_until_fired(struct run *r, uint64_t want)
{
	struct timeval step = {0, 10000};
	int i;

	for (i = 0; i < 1000 * (int)it_slow(); i++) {
		if (STAT(r, DORMANT_FIRED) >= want)
			return true;
		event_base_loopexit(r->base, &step);
		event_base_dispatch(r->base);
	}
	return STAT(r, DORMANT_FIRED) >= want;
}

/* The server closes each connection after its answer: the dormant event
   fires once and is dropped (a readable socket would otherwise fire on
   every turn of the loop), and the next transfer opens a new connection
   on the same descriptor number, watched and answered. */
static void
test_dormant_fire_is_dropped(void)
{
	struct srv *s = srv_start(SRV_CLOSE_IDLE, true);
	struct timeval step = {0, 20000};
	struct run r;
	CURL *e;
	unsigned i;

	run_init(&r);
	e = run_easy(&r);
	for (i = 1; i <= 3; i++) {
		REQUIRE(run_get(&r, e, s));
		REQUIRE(run_until_fired(&r, i));
		/* More turns of the loop: a dormant event left registered
		   on the closed connection would fire in each. */
		event_base_loopexit(r.base, &step);
		event_base_dispatch(r.base);
		event_base_loop(r.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		CHECK_INT(STAT(&r, DORMANT_FIRED), i);
	}
	CHECK_INT(atomic_load(&s->accepted), 3);
	REQUIRE(r.nfds == 3);
	/* The same number each time: what the next test relies on. */
	CHECK_INT(r.fds[1], r.fds[0]);
	CHECK_INT(r.fds[2], r.fds[0]);
	CHECK_INT(STAT(&r, STALE), 0);
	curl_easy_cleanup(e);
	run_cleanup(&r);
	srv_stop(s);
}

struct pipe_seen {
	struct event_base *base;
	bool seen;
};

static void
pipe_readable(evutil_socket_t fd, short what, void *arg)
{
	struct pipe_seen *p = arg;

	(void)fd;
	(void)what;
	p->seen = true;
	event_base_loopbreak(p->base);
}

/*
 * libcurl closes an idle connection while its event is dormant (the
 * cache holds one connection; a transfer to a second server pushes the
 * first one out): the event must be gone before close(), or libevent
 * keeps a read event on that descriptor number, and whatever takes the
 * number next is never put in epoll by libevent, which thinks it is
 * already there. A socketpair takes it here, as the resolver's or the
 * daemon's API connections would: a byte written to it must be seen.
 */
static void
test_close_drops_dormant_first(void)
{
	struct srv *a = srv_start(SRV_KEEP, true),
		   *b = srv_start(SRV_KEEP, true);
	struct run r;
	struct pipe_seen p = {NULL, false};
	struct event *ev, *deadline;
	struct timeval tv = {5 * (time_t)it_slow(), 0};
	CURL *e;
	int sp[2];

	run_init(&r);
	p.base = r.base;
	REQUIRE(curl_multi_setopt(
		    curlev_multi(r.cev), CURLMOPT_MAXCONNECTS, 1L) == CURLM_OK);
	e = run_easy(&r);
	REQUIRE(run_get(&r, e, a));
	REQUIRE(run_get(&r, e, b));
	REQUIRE(r.nfds == 2);
	CHECK_INT(STAT(&r, DORMANT_CLOSED), 1);
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	CHECK_INT(sp[0], r.fds[0]); /* the first connection's number */
	ev = event_new(r.base, sp[0], EV_READ, pipe_readable, &p);
	deadline = evtimer_new(r.base, run_deadline, &r);
	REQUIRE(ev != NULL && deadline != NULL);
	REQUIRE(event_add(ev, NULL) == 0);
	evtimer_add(deadline, &tv);
	REQUIRE(write(sp[1], "x", 1) == 1);
	event_base_dispatch(r.base);
	CHECK(p.seen);
	CHECK(!r.timed_out);
	event_free(ev);
	event_free(deadline);
	close(sp[0]);
	close(sp[1]);
	CHECK_INT(STAT(&r, STALE), 0);
	curl_easy_cleanup(e);
	run_cleanup(&r);
	srv_stop(a);
	srv_stop(b);
}

/* ---- a whole crawl ---- */

/*
 * A crawl of 127 pages from a server that, by request, keeps the
 * connection, closes it after answering without saying so (an idle
 * connection closed by the server), or answers with Connection: close:
 * connections die idle and new ones take the numbers of old ones. Every
 * page must be done, and the crawl must end before its deadline.
 */
static void
test_crawl_with_closing_server(void)
{
	struct srv *s = srv_start(SRV_MIXED, false);
	const char *db = it_db_path("keepalive.db");
	const char *opts[] = {"robots=false", "depth=10", "concurrency=4",
	    "per-host=4", "retries=0", NULL};
	char seed[64];
	struct it_result res;

	snprintf(seed, sizeof(seed), "http://127.0.0.1:%u/p/0", s->port);
	REQUIRE(it_crawl(db, seed, opts, &res) == 0);
	CHECK(!res.timed_out);
	CHECK_INT(res.end, CRAWL_END_DONE);
	CHECK(res.frontier_idle);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages WHERE state='done'"),
	    SITE_PAGES);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages"), SITE_PAGES);
	/* Most connections were closed: many were opened. */
	CHECK(atomic_load(&s->accepted) > SITE_PAGES / 2);
	srv_stop(s);
}

static const struct test tests[] = {
    TEST(reuse_costs_no_event),
    TEST(dormant_fire_is_dropped),
    TEST(close_drops_dormant_first),
    TEST(crawl_with_closing_server),
};

TEST_MAIN(tests)
