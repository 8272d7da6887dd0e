/* SPDX-License-Identifier: MIT */
/*
 * resolver.c - getaddrinfo() on worker threads (see resolver.h).
 *
 * Two halves. The loop's (struct resolver): the pending lookups, each with
 * its deadline timer, the pipe's read end and its event. The shared one
 * (struct resolver_core, under its mutex): the todo queue, the answered
 * list, the pipe's write end and the workers. A lookup (struct rjob) has
 * two references, the loop's and the workers' side's (the todo queue, a
 * worker, then the answered list); it is freed when both are dropped, so
 * a lookup given up by the loop (deadline, resolver_free) while a worker
 * is inside getaddrinfo() stays valid until the worker lets it go. The
 * core has one reference per worker and one for the loop, so the last of
 * them frees it: resolver_free() waits for no thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <unistd.h>

#include "crawld/base/log.h"
#include "crawld/engine/resolver.h"

/* Default mutexes fail only on memory that is not theirs any more: a
   crash naming the call, in every build (as parsepool.c). */
#define RS_CHECK(call)                                                         \
	do {                                                                   \
		if ((call) != 0)                                               \
			cw_assert_fail(#call " == 0", __FILE__, __LINE__);     \
	} while (0)

enum rjob_state {
	RJ_QUEUED = 0, /* on core->todo */
	RJ_RUNNING,    /* in a worker's getaddrinfo() */
	RJ_ANSWERED,   /* on core->answered, for the loop */
	RJ_DROPPED,    /* the loop gave up: the answer goes nowhere */
};

struct rjob {
	char *name; /* owned; set before queueing, then read-only */
	struct addrinfo hints;
	/* under core->mu */
	int refs; /* the loop's and the workers' side's */
	enum rjob_state state;
	struct addrinfo *res; /* owned: the worker's answer */
	int gai_rc;
	TAILQ_ENTRY(rjob) link; /* on todo or answered */
	/* loop thread only */
	struct resolver *r;	  /* borrowed: for the timer */
	struct event *timer;	  /* owned: the deadline */
	LIST_ENTRY(rjob) pending; /* on r->pending until delivered */
};

TAILQ_HEAD(rjob_queue, rjob);

struct resolver_core {
	pthread_mutex_t mu;
	/* under mu */
	int refs; /* the loop's (until resolver_free) and one per worker */
	bool stopping;
	struct rjob_queue todo;
	struct rjob_queue answered;
	size_t ntodo;
	unsigned nthreads; /* workers alive */
	unsigned nidle;	   /* of them, not inside getaddrinfo() */
	bool wake_pending; /* a byte is in the pipe */
	int wake_fd;	   /* owned: the pipe's write end; -1 once stopping */
};

struct resolver {
	struct event_base *base;    /* borrowed */
	struct resolver_core *core; /* shared (see above) */
	resolver_done_cb *done;
	void *done_arg;
	int read_fd;		   /* owned: the pipe's read end */
	struct event *wake_ev;	   /* owned */
	LIST_HEAD(, rjob) pending; /* lookups not yet delivered */
	size_t npending;
	unsigned delivering; /* done() calls under way */
	bool free_pending;   /* resolver_free() ran inside done() */
};

/* Drop one reference to a lookup; under core->mu. */
static void
rjob_unref_locked(struct rjob *j)
{
	CW_ASSERT(j->refs > 0);
	if (--j->refs > 0)
		return;
	if (j->res != NULL)
		freeaddrinfo(j->res);
	free(j->name);
	free(j);
}

/* Drop a reference to the core; the last one frees it. */
static void
core_unref(struct resolver_core *c)
{
	bool last;

	RS_CHECK(pthread_mutex_lock(&c->mu));
	last = --c->refs == 0;
	RS_CHECK(pthread_mutex_unlock(&c->mu));
	if (!last)
		return;
	CW_ASSERT(TAILQ_EMPTY(&c->todo) && TAILQ_EMPTY(&c->answered));
	RS_CHECK(pthread_mutex_destroy(&c->mu));
	free(c);
}

/* A worker's answer goes to the loop; under mu. One byte on the pipe
   wakes the loop for any number of answers. */
static void
core_answer_locked(struct resolver_core *c, struct rjob *j)
{
	char one = 1;

	j->state = RJ_ANSWERED;
	TAILQ_INSERT_TAIL(&c->answered, j, link);
	if (c->wake_pending || c->wake_fd < 0)
		return;
	c->wake_pending = true;
	if (write(c->wake_fd, &one, 1) < 0 && errno != EAGAIN)
		log_warn("resolver: wake the loop");
}

/* A worker: look names up until the queue is empty, then go. */
static void *
resolver_worker(void *arg)
{
	struct resolver_core *c = arg;
	struct addrinfo *res;
	struct rjob *j;
	int rc;

	(void)prctl(PR_SET_NAME, "crawld-resolve", 0, 0, 0);
	RS_CHECK(pthread_mutex_lock(&c->mu));
	while (!c->stopping && (j = TAILQ_FIRST(&c->todo)) != NULL) {
		TAILQ_REMOVE(&c->todo, j, link);
		c->ntodo--;
		c->nidle--;
		j->state = RJ_RUNNING;
		RS_CHECK(pthread_mutex_unlock(&c->mu));
		res = NULL;
		rc = getaddrinfo(j->name, NULL, &j->hints, &res);
		RS_CHECK(pthread_mutex_lock(&c->mu));
		c->nidle++;
		j->res = rc == 0 ? res : NULL;
		j->gai_rc = rc;
		if (j->state == RJ_DROPPED || c->stopping)
			rjob_unref_locked(j); /* nobody waits for it */
		else
			core_answer_locked(c, j);
	}
	c->nthreads--;
	c->nidle--;
	RS_CHECK(pthread_mutex_unlock(&c->mu));
	core_unref(c);
	return NULL;
}

/* Start one more worker (detached: nobody joins a thread that may sit in
   getaddrinfo() for good); under mu. */
static bool
core_spawn_locked(struct resolver_core *c)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (pthread_attr_init(&attr) != 0)
		return false;
	rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (rc == 0)
		rc = pthread_create(&t, &attr, resolver_worker, c);
	RS_CHECK(pthread_attr_destroy(&attr));
	if (rc != 0)
		return false;
	c->nthreads++;
	c->nidle++;
	c->refs++;
	return true;
}

/* Hand one answered lookup to done(); false when none is left. */
static bool
resolver_deliver_one(struct resolver *r)
{
	struct resolver_core *c = r->core;
	struct rjob *j;

	RS_CHECK(pthread_mutex_lock(&c->mu));
	j = TAILQ_FIRST(&c->answered);
	if (j != NULL) {
		TAILQ_REMOVE(&c->answered, j, link);
		rjob_unref_locked(j); /* the workers' side is done with it */
	} else {
		c->wake_pending = false;
	}
	RS_CHECK(pthread_mutex_unlock(&c->mu));
	if (j == NULL)
		return false;
	LIST_REMOVE(j, pending);
	r->npending--;
	event_free(j->timer);
	j->timer = NULL;
	r->delivering++;
	r->done(r->done_arg, j->name, j->res,
	    j->gai_rc == 0 ? RESOLVER_OK : RESOLVER_FAILED, j->gai_rc);
	r->delivering--;
	RS_CHECK(pthread_mutex_lock(&c->mu));
	rjob_unref_locked(j); /* the loop's */
	RS_CHECK(pthread_mutex_unlock(&c->mu));
	return true;
}

static void resolver_destroy(struct resolver *r);

/* libevent: workers answered. */
static void
resolver_wake(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	while (!r->free_pending && resolver_deliver_one(r))
		;
	if (r->free_pending && r->delivering == 0)
		resolver_destroy(r);
}

/*
 * The loop gives a lookup up (deadline, or the resolver goes): out of the
 * queue if no worker took it yet; a worker inside getaddrinfo() drops the
 * answer when it comes; an answer not yet delivered is dropped now. The
 * caller drops the loop's reference.
 */
static void
resolver_give_up(struct resolver *r, struct rjob *j)
{
	struct resolver_core *c = r->core;

	RS_CHECK(pthread_mutex_lock(&c->mu));
	if (j->state == RJ_QUEUED) {
		TAILQ_REMOVE(&c->todo, j, link);
		c->ntodo--;
		rjob_unref_locked(j);
	} else if (j->state == RJ_ANSWERED) {
		TAILQ_REMOVE(&c->answered, j, link);
		rjob_unref_locked(j);
	}
	j->state = RJ_DROPPED;
	RS_CHECK(pthread_mutex_unlock(&c->mu));
	LIST_REMOVE(j, pending);
	r->npending--;
	event_free(j->timer);
	j->timer = NULL;
}

/* Drop the loop's reference to a lookup. */
static void
resolver_release(struct resolver *r, struct rjob *j)
{
	RS_CHECK(pthread_mutex_lock(&r->core->mu));
	rjob_unref_locked(j);
	RS_CHECK(pthread_mutex_unlock(&r->core->mu));
}

/* libevent: a lookup's deadline passed. */
static void
resolver_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct rjob *j = arg;
	struct resolver *r = j->r;
	bool answered;

	(void)fd;
	(void)what;
	RS_CHECK(pthread_mutex_lock(&r->core->mu));
	answered = j->state == RJ_ANSWERED;
	RS_CHECK(pthread_mutex_unlock(&r->core->mu));
	if (answered)
		return; /* in time after all: its wake is on the pipe */
	resolver_give_up(r, j);
	log_debug("resolver: %s: no answer in time", j->name);
	r->delivering++;
	r->done(r->done_arg, j->name, NULL, RESOLVER_TIMEOUT, 0);
	r->delivering--;
	resolver_release(r, j);
	if (r->free_pending && r->delivering == 0)
		resolver_destroy(r);
}

/* A new resolver. */
struct resolver *
resolver_new(struct event_base *base, resolver_done_cb *done, void *arg)
{
	struct resolver *r = calloc(1, sizeof(*r));
	struct resolver_core *c = calloc(1, sizeof(*c));
	int fds[2] = {-1, -1};

	if (r == NULL || c == NULL || pthread_mutex_init(&c->mu, NULL) != 0) {
		free(r);
		free(c);
		return NULL;
	}
	c->refs = 1;
	c->wake_fd = -1;
	TAILQ_INIT(&c->todo);
	TAILQ_INIT(&c->answered);
	r->core = c;
	r->base = base;
	r->done = done;
	r->done_arg = arg;
	r->read_fd = -1;
	LIST_INIT(&r->pending);
	if (pipe(fds) != 0)
		goto fail;
	r->read_fd = fds[0];
	c->wake_fd = fds[1];
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(fds[1], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0)
		goto fail;
	r->wake_ev =
	    event_new(base, fds[0], EV_READ | EV_PERSIST, resolver_wake, r);
	if (r->wake_ev == NULL || event_add(r->wake_ev, NULL) != 0)
		goto fail;
	return r;
fail:
	resolver_free(r);
	return NULL;
}

/* Queue a lookup (a worker is started when none is idle). */
enum cw_rc
resolver_lookup(struct resolver *r, const char *name,
    const struct addrinfo *hints, uint32_t timeout_ms)
{
	struct resolver_core *c = r->core;
	struct timeval tv = {(time_t)(timeout_ms / 1000),
	    (suseconds_t)(timeout_ms % 1000) * 1000};
	struct rjob *j;
	bool ok = true;

	if (r->npending >= RESOLVER_MAX_QUEUE)
		return CW_ELIMIT;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return CW_ENOMEM;
	j->name = strdup(name);
	j->timer = evtimer_new(r->base, resolver_timeout, j);
	if (j->name == NULL || j->timer == NULL ||
	    evtimer_add(j->timer, &tv) != 0) {
		if (j->timer != NULL)
			event_free(j->timer);
		free(j->name);
		free(j);
		return CW_ENOMEM;
	}
	if (hints != NULL) {
		j->hints = *hints;
	} else {
		j->hints.ai_family = AF_UNSPEC;
		j->hints.ai_socktype = SOCK_STREAM;
	}
	j->r = r;
	j->refs = 2;
	j->state = RJ_QUEUED;
	RS_CHECK(pthread_mutex_lock(&c->mu));
	TAILQ_INSERT_TAIL(&c->todo, j, link);
	c->ntodo++;
	if (c->nidle < c->ntodo && c->nthreads < RESOLVER_MAX_THREADS)
		ok = core_spawn_locked(c) || c->nthreads > 0;
	if (!ok) {
		TAILQ_REMOVE(&c->todo, j, link);
		c->ntodo--;
		j->refs = 1;
	}
	RS_CHECK(pthread_mutex_unlock(&c->mu));
	if (!ok) {
		log_warnx("resolver: cannot start a thread");
		event_free(j->timer);
		free(j->name);
		free(j);
		return CW_ENOMEM;
	}
	LIST_INSERT_HEAD(&r->pending, j, pending);
	r->npending++;
	return CW_OK;
}

size_t
resolver_pending(const struct resolver *r)
{
	return r->npending;
}

/* The loop's half goes; the core goes with its last worker. */
static void
resolver_destroy(struct resolver *r)
{
	if (r->wake_ev != NULL)
		event_free(r->wake_ev);
	if (r->read_fd >= 0)
		close(r->read_fd);
	core_unref(r->core);
	free(r);
}

/* Give every lookup up, stop the workers taking more, free. */
void
resolver_free(struct resolver *r)
{
	struct resolver_core *c;
	struct rjob *j;

	if (r == NULL || r->free_pending)
		return;
	c = r->core;
	while ((j = LIST_FIRST(&r->pending)) != NULL) {
		resolver_give_up(r, j);
		resolver_release(r, j);
	}
	RS_CHECK(pthread_mutex_lock(&c->mu));
	c->stopping = true;
	/* Closed under mu: a worker writes to it only under mu, and only
	   while not stopping. */
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	c->wake_fd = -1;
	RS_CHECK(pthread_mutex_unlock(&c->mu));
	r->free_pending = true;
	if (r->delivering == 0)
		resolver_destroy(r);
}
