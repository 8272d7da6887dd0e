/* SPDX-License-Identifier: MIT */
/*
 * test_resolver.c - resolver.h: answers and failures come back on the
 * loop, a deadline gives done() RESOLVER_TIMEOUT once and the late answer
 * is dropped, the queue is bounded, resolver_free() from inside done()
 * and while a worker is inside getaddrinfo() calls nothing more (the ASan
 * and valgrind runs see any touch of freed memory). getaddrinfo() is
 * wrapped at link time: "block.test" waits at a gate the test opens,
 * "fail.test" fails, any other name is 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "crawld/engine/resolver.h"
#include "harness.h"

int __real_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static bool gate_open; /* under gate_mu */
static int inside;     /* under gate_mu: lookups at the gate */

/* The resolver's getaddrinfo() (see the file comment). */
int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h;
	struct timespec until;

	if (strcmp(node, "fail.test") == 0)
		return EAI_NONAME;
	if (strcmp(node, "block.test") == 0) {
		pthread_mutex_lock(&gate_mu);
		inside++;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 10;
		while (!gate_open &&
		    pthread_cond_timedwait(&gate_cv, &gate_mu, &until) !=
			ETIMEDOUT)
			;
		inside--;
		pthread_mutex_unlock(&gate_mu);
	}
	memset(&h, 0, sizeof(h));
	h.ai_socktype = hints != NULL ? hints->ai_socktype : SOCK_STREAM;
	h.ai_flags = AI_NUMERICHOST;
	return __real_getaddrinfo("127.0.0.1", service, &h, res);
}

/* Close or open the gate. */
static void
gate_set(bool open)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = open;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

/* Lookups waiting at the gate. */
static int
gate_inside(void)
{
	int n;

	pthread_mutex_lock(&gate_mu);
	n = inside;
	pthread_mutex_unlock(&gate_mu);
	return n;
}

/* Wait (5 s at most) until n lookups are at the gate. */
static bool
gate_wait_inside(int n)
{
	struct timespec ts = {0, 5 * 1000 * 1000};
	int i;

	for (i = 0; i < 1000; i++) {
		if (gate_inside() == n)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* What done() saw. */
struct seen {
	struct event_base *base;
	struct resolver *r;
	int calls, ok, failed, timeouts;
	int gai_rc;
	bool loopback;	 /* an OK answer was 127.0.0.1 */
	bool free_in_cb; /* resolver_free() at the first call */
	int want;	 /* leave the loop after this many calls */
};

/* The done callback. */
static void
on_done(void *arg, const char *name, const struct addrinfo *res,
    enum resolver_status st, int gai_rc)
{
	struct seen *s = arg;
	const struct sockaddr_in *sin;

	(void)name;
	s->calls++;
	if (st == RESOLVER_OK) {
		s->ok++;
		sin = res != NULL && res->ai_family == AF_INET
		    ? (const struct sockaddr_in *)res->ai_addr
		    : NULL;
		s->loopback =
		    sin != NULL && ntohl(sin->sin_addr.s_addr) == 0x7f000001;
	} else if (st == RESOLVER_FAILED) {
		s->failed++;
		s->gai_rc = gai_rc;
	} else {
		s->timeouts++;
	}
	if (s->free_in_cb && s->calls == 1) {
		resolver_free(s->r);
		s->r = NULL;
	}
	if (s->calls == s->want)
		event_base_loopbreak(s->base);
}

/* Run the loop for at most ms. */
static void
run_for(struct seen *s, long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	event_base_loopexit(s->base, &tv);
	event_base_dispatch(s->base);
}

/* A fresh base and resolver. */
static void
seen_init(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->base = event_base_new();
	REQUIRE(s->base != NULL);
	s->r = resolver_new(s->base, on_done, s);
	REQUIRE(s->r != NULL);
}

/* Free what is left. */
static void
seen_cleanup(struct seen *s)
{
	resolver_free(s->r);
	event_base_free(s->base);
}

/* An answer and a failure, each told once, on the loop. */
static void
test_answers(void)
{
	struct seen s;

	seen_init(&s);
	CHECK(resolver_lookup(s.r, "a.test", NULL, 5000) == CW_OK);
	CHECK(resolver_lookup(s.r, "fail.test", NULL, 5000) == CW_OK);
	CHECK_INT(resolver_pending(s.r), 2);
	s.want = 2;
	run_for(&s, 5000);
	CHECK_INT(s.ok, 1);
	CHECK(s.loopback);
	CHECK_INT(s.failed, 1);
	CHECK_INT(s.gai_rc, EAI_NONAME);
	CHECK_INT(s.timeouts, 0);
	CHECK_INT(resolver_pending(s.r), 0);
	seen_cleanup(&s);
}

/* A lookup that hangs past its deadline: one RESOLVER_TIMEOUT, and the
   answer that comes later is dropped. */
static void
test_deadline(void)
{
	struct seen s;

	gate_set(false);
	seen_init(&s);
	CHECK(resolver_lookup(s.r, "block.test", NULL, 50) == CW_OK);
	s.want = 1;
	run_for(&s, 5000);
	CHECK_INT(s.timeouts, 1);
	CHECK_INT(gate_inside(), 1);
	CHECK_INT(resolver_pending(s.r), 0);
	gate_set(true);
	CHECK(gate_wait_inside(0));
	s.want = 0;
	run_for(&s, 100);
	CHECK_INT(s.calls, 1);
	/* The resolver still works. */
	CHECK(resolver_lookup(s.r, "b.test", NULL, 5000) == CW_OK);
	s.want = 2;
	run_for(&s, 5000);
	CHECK_INT(s.ok, 1);
	seen_cleanup(&s);
}

/* resolver_free() inside done(): the other answer is not delivered. */
static void
test_free_in_callback(void)
{
	struct seen s;

	gate_set(true);
	seen_init(&s);
	s.free_in_cb = true;
	CHECK(resolver_lookup(s.r, "a.test", NULL, 5000) == CW_OK);
	CHECK(resolver_lookup(s.r, "b.test", NULL, 5000) == CW_OK);
	s.want = 2;
	run_for(&s, 300);
	CHECK_INT(s.calls, 1);
	CHECK(s.r == NULL);
	seen_cleanup(&s);
}

/* The queue is bounded; freeing with every worker inside getaddrinfo()
   waits for none and calls nothing, and the workers finish on their
   own. */
static void
test_bound_and_free_while_running(void)
{
	struct seen s;
	size_t i;

	gate_set(false);
	seen_init(&s);
	for (i = 0; i < RESOLVER_MAX_QUEUE; i++)
		if (resolver_lookup(s.r, "block.test", NULL, 60000) != CW_OK)
			break;
	CHECK_INT(i, RESOLVER_MAX_QUEUE);
	CHECK(resolver_lookup(s.r, "a.test", NULL, 60000) == CW_ELIMIT);
	CHECK(gate_wait_inside(RESOLVER_MAX_THREADS));
	resolver_free(s.r);
	s.r = NULL;
	gate_set(true);
	CHECK(gate_wait_inside(0));
	run_for(&s, 100);
	CHECK_INT(s.calls, 0);
	seen_cleanup(&s);
}

static const struct test tests[] = {
    TEST(answers),
    TEST(deadline),
    TEST(free_in_callback),
    TEST(bound_and_free_while_running),
};

TEST_MAIN(tests)
