/* SPDX-License-Identifier: MIT */
/*
 * test_parsepool.c - the parse pool: every submitted job comes back once,
 * on the loop thread, with the links of its own page; with 0 threads too;
 * jobs still queued at shutdown come back cancelled; the default width; a
 * job asking for it gets its body's hash. Linked
 * with -Wl,--wrap=pthread_cond_init,--wrap=pthread_mutex_unlock
 * (CMakeLists.txt): a pool whose condition variable cannot be made is not made,
 * and a lock call that fails stops the process instead of going on unlocked;
 * and with --wrap=pthread_mutex_lock,--wrap=pthread_cond_signal,--wrap=write:
 * the loop's wake-up byte is never written while the pool's mutex is held.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crawld/base/fpset.h"
#include "crawld/engine/parsepool.h"
#include "harness.h"

#define NJOBS 200

struct collect {
	struct event_base *base;
	pthread_t loop_thread;
	int returned[NJOBS];
	int total;
	int cancelled;
	int wrong_thread;
	int wrong_links;
};

/* The done callback: check the job's links belong to its page. */
static void
collect_done(void *arg, struct parse_job *job)
{
	struct collect *c = arg;
	int i = (int)(intptr_t)job->arg;
	char want[64];

	if (!pthread_equal(pthread_self(), c->loop_thread))
		c->wrong_thread++;
	if (job->cancelled) {
		c->cancelled++;
	} else {
		snprintf(want, sizeof(want), "http://h.test/p%d", i);
		if (job->rc != CW_OK || job->links.count != 2 ||
		    strcmp(link_list_url(&job->links, 0), want) != 0)
			c->wrong_links++;
	}
	c->returned[i]++;
	if (++c->total == NJOBS)
		event_base_loopbreak(c->base);
	parse_job_free(job);
}

/* A page linking to p<i> and to the home page. */
static struct parse_job *
make_job(int i)
{
	char *body = malloc(128);

	snprintf(body, 128, "<a href=\"/p%d\">x</a><a href=\"/\">home</a>", i);
	return parse_job_new(
	    body, strlen(body), "http://h.test/dir/", 100, (void *)(intptr_t)i);
}

/* Submit NJOBS and run the loop until they are all back. */
static void
run_pool(unsigned threads)
{
	struct collect c;
	struct parsepool *p;
	struct timeval deadline = {30, 0};
	int i, once = 1;

	memset(&c, 0, sizeof(c));
	c.base = event_base_new();
	c.loop_thread = pthread_self();
	p = parsepool_new(c.base, threads, collect_done, &c);
	REQUIRE(p != NULL);
	for (i = 0; i < NJOBS; i++)
		parsepool_submit(p, make_job(i));
	CHECK_INT(parsepool_pending(p), NJOBS);
	event_base_loopexit(c.base, &deadline);
	event_base_dispatch(c.base);
	CHECK_INT(c.total, NJOBS);
	CHECK_INT(c.cancelled, 0);
	CHECK_INT(c.wrong_thread, 0);
	CHECK_INT(c.wrong_links, 0);
	for (i = 0; i < NJOBS; i++)
		once &= c.returned[i] == 1;
	CHECK(once);
	CHECK_INT(parsepool_pending(p), 0);
	parsepool_free(p);
	event_base_free(c.base);
}

/* A job asking for firsts gets its page's first links (no repeats) with
   each one's fingerprint, and every link still in the list; a job not
   asking gets none. */
struct firsts_seen {
	struct event_base *base;
	int total;
	size_t count[2], nfirst[2];
	bool ok[2];
};

static void
firsts_done(void *arg, struct parse_job *job)
{
	static const uint32_t want[] = {0, 1, 3};
	struct firsts_seen *d = arg;
	int i = (int)(intptr_t)job->arg;
	size_t k;

	d->count[i] = job->links.count;
	d->nfirst[i] = job->nfirst;
	d->ok[i] = job->rc == CW_OK &&
	    (job->firsts ? job->first != NULL && job->fps != NULL
			 : job->first == NULL && job->fps == NULL);
	for (k = 0; job->first != NULL && k < job->nfirst; k++) {
		const char *u = link_list_url(&job->links, job->first[k]);

		if (k >= CW_NELEM(want) || job->first[k] != want[k] ||
		    job->fps[k] != fpset_fingerprint(u, strlen(u)))
			d->ok[i] = false;
	}
	if (++d->total == 2)
		event_base_loopbreak(d->base);
	parse_job_free(job);
}

static void
test_firsts(void)
{
	static const char page[] = "<a href=/a><a href=/b><a href=/a#x>"
				   "<a href=/c><a href=/b>";
	struct timeval deadline = {30, 0};
	struct firsts_seen d;
	struct parsepool *p;
	struct parse_job *job;
	int i;

	memset(&d, 0, sizeof(d));
	d.base = event_base_new();
	REQUIRE(d.base != NULL);
	p = parsepool_new(d.base, 1, firsts_done, &d);
	REQUIRE(p != NULL);
	for (i = 0; i < 2; i++) {
		job = parse_job_new(strdup(page), sizeof(page) - 1,
		    "http://h.test/", 100, (void *)(intptr_t)i);
		REQUIRE(job != NULL);
		job->firsts = i == 0;
		parsepool_submit(p, job);
	}
	event_base_loopexit(d.base, &deadline);
	event_base_dispatch(d.base);
	CHECK_INT(d.total, 2);
	CHECK_INT(d.count[0], 5);
	CHECK_INT(d.count[1], 5);
	CHECK_INT(d.nfirst[0], 3);
	CHECK_INT(d.nfirst[1], 0);
	CHECK(d.ok[0]);
	CHECK(d.ok[1]);
	parsepool_free(p);
	event_base_free(d.base);
}

/* A job asking for the hash gets its body's SHA-256, though the body is
   freed once parsed; a job not asking gets none. */
struct hash_seen {
	struct event_base *base;
	int total;
	char hex[2][DIGEST_SHA256_HEX];
};

static void
hash_done(void *arg, struct parse_job *job)
{
	struct hash_seen *d = arg;
	int i = (int)(intptr_t)job->arg;

	snprintf(d->hex[i], sizeof(d->hex[i]), "%s", job->content_hash);
	if (++d->total == 2)
		event_base_loopbreak(d->base);
	parse_job_free(job);
}

static void
test_hash(void)
{
	static const char page[] = "<a href=/a>a</a>";
	struct timeval deadline = {30, 0};
	char want[DIGEST_SHA256_HEX];
	struct hash_seen d;
	struct parsepool *p;
	struct parse_job *job;
	int i;

	REQUIRE(digest_sha256_hex(page, sizeof(page) - 1, want) == CW_OK);
	memset(&d, 0, sizeof(d));
	d.base = event_base_new();
	REQUIRE(d.base != NULL);
	p = parsepool_new(d.base, 1, hash_done, &d);
	REQUIRE(p != NULL);
	for (i = 0; i < 2; i++) {
		job = parse_job_new(strdup(page), sizeof(page) - 1,
		    "http://h.test/", 100, (void *)(intptr_t)i);
		REQUIRE(job != NULL);
		job->hash = i == 0;
		parsepool_submit(p, job);
	}
	event_base_loopexit(d.base, &deadline);
	event_base_dispatch(d.base);
	CHECK_INT(d.total, 2);
	CHECK_STR(d.hex[0], want);
	CHECK_STR(d.hex[1], "");
	parsepool_free(p);
	event_base_free(d.base);
}

static void
test_inline(void)
{
	run_pool(0);
}

/* Results that take the loop long to handle are handed over a slice at a
   time: a timer of the loop runs between two slices, and the order
   stays the order of submission. */
struct slow {
	struct event_base *base;
	int order[NJOBS];
	int total;
	int ticks_between; /* timer runs with 0 < total < NJOBS */
};

static void
slow_done(void *arg, struct parse_job *job)
{
	struct slow *c = arg;
	uint64_t t0 = cw_monotonic_us();

	/* 1 ms of the loop's work per result (bounded: the clock moves). */
	while (cw_monotonic_us() - t0 < 1000)
		;
	c->order[c->total++] = (int)(intptr_t)job->arg;
	if (c->total == NJOBS)
		event_base_loopbreak(c->base);
	parse_job_free(job);
}

static void
slow_tick(evutil_socket_t fd, short what, void *arg)
{
	struct slow *c = arg;

	(void)fd;
	(void)what;
	if (c->total > 0 && c->total < NJOBS)
		c->ticks_between++;
}

static void
test_slow_results_yield(void)
{
	struct timeval deadline = {30, 0}, period = {0, 1000};
	struct event *tick;
	struct parsepool *p;
	struct slow c;
	int i, in_order = 1;

	memset(&c, 0, sizeof(c));
	c.base = event_base_new();
	REQUIRE(c.base != NULL);
	tick = event_new(c.base, -1, EV_PERSIST, slow_tick, &c);
	REQUIRE(tick != NULL && event_add(tick, &period) == 0);
	/* Inline: every result is ready before the loop runs, so all of
	   them would be handled in one pass without the slices. */
	p = parsepool_new(c.base, 0, slow_done, &c);
	REQUIRE(p != NULL);
	for (i = 0; i < NJOBS; i++)
		parsepool_submit(p, make_job(i));
	event_base_loopexit(c.base, &deadline);
	event_base_dispatch(c.base);
	CHECK_INT(c.total, NJOBS);
	for (i = 0; i < c.total; i++)
		in_order &= c.order[i] == i;
	CHECK(in_order);
	CHECK(c.ticks_between > 0);
	CHECK_INT(parsepool_pending(p), 0);
	parsepool_free(p);
	event_free(tick);
	event_base_free(c.base);
}

static void
test_one_thread(void)
{
	run_pool(1);
}

static void
test_four_threads(void)
{
	run_pool(4);
}

/* Shut down with jobs outstanding: each comes back once, cancelled or
   parsed, and nothing leaks (ASan). */
static void
test_free_returns_pending(void)
{
	struct collect c;
	struct parsepool *p;
	int i, once = 1;

	memset(&c, 0, sizeof(c));
	c.base = event_base_new();
	c.loop_thread = pthread_self();
	p = parsepool_new(c.base, 2, collect_done, &c);
	REQUIRE(p != NULL);
	for (i = 0; i < NJOBS; i++)
		parsepool_submit(p, make_job(i));
	/* No loop pass: nothing has been delivered yet. */
	CHECK_INT(c.total, 0);
	parsepool_free(p);
	CHECK_INT(c.total, NJOBS);
	CHECK_INT(c.cancelled, NJOBS);
	for (i = 0; i < NJOBS; i++)
		once &= c.returned[i] == 1;
	CHECK(once);
	event_base_free(c.base);
}

/* The linker's names for the wrapped calls; fail_* makes them fail. */
int __real_pthread_cond_init(pthread_cond_t *cv, const pthread_condattr_t *a);
int __wrap_pthread_cond_init(pthread_cond_t *cv, const pthread_condattr_t *a);
int __real_pthread_mutex_lock(pthread_mutex_t *mu);
int __wrap_pthread_mutex_lock(pthread_mutex_t *mu);
int __real_pthread_mutex_unlock(pthread_mutex_t *mu);
int __wrap_pthread_mutex_unlock(pthread_mutex_t *mu);
int __real_pthread_cond_signal(pthread_cond_t *cv);
int __wrap_pthread_cond_signal(pthread_cond_t *cv);
ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
static int fail_cond_init, fail_unlock;

/* Mutexes the calling thread holds (a cond_wait keeps its one counted:
   it holds it again when it returns), and the wake-ups made, all of
   them and those made holding a mutex. */
static __thread int mutexes_held;
static unsigned long wakes_signal, wakes_write, wakes_locked;

int
__wrap_pthread_cond_init(pthread_cond_t *cv, const pthread_condattr_t *a)
{
	if (fail_cond_init)
		return ENOMEM;
	return __real_pthread_cond_init(cv, a);
}

int
__wrap_pthread_mutex_lock(pthread_mutex_t *mu)
{
	int rc = __real_pthread_mutex_lock(mu);

	if (rc == 0)
		mutexes_held++;
	return rc;
}

int
__wrap_pthread_mutex_unlock(pthread_mutex_t *mu)
{
	int rc;

	if (fail_unlock)
		return EPERM;
	rc = __real_pthread_mutex_unlock(mu);
	if (rc == 0)
		mutexes_held--;
	return rc;
}

/* A wake-up of another thread: counted, and counted again when the
   caller holds a mutex the woken thread may want at once. */
static void
count_wake(unsigned long *kind)
{
	__atomic_add_fetch(kind, 1, __ATOMIC_RELAXED);
	if (mutexes_held > 0)
		__atomic_add_fetch(&wakes_locked, 1, __ATOMIC_RELAXED);
}

/* Counted, not checked: the loop signals a worker under the mutex on
   purpose (parsepool_submit). */
int
__wrap_pthread_cond_signal(pthread_cond_t *cv)
{
	__atomic_add_fetch(&wakes_signal, 1, __ATOMIC_RELAXED);
	return __real_pthread_cond_signal(cv);
}

ssize_t
__wrap_write(int fd, const void *buf, size_t len)
{
	count_wake(&wakes_write);
	return __real_write(fd, buf, len);
}

/*
 * The loop's wake-up byte is written with the pool's mutex let go, by
 * the workers (a finished job) and by the loop (inline, 0 threads): the
 * write wakes the loop, which can take the writer's core at once, and a
 * worker that held the mutex then stalled the loop's next submit or
 * delivery until it had a core again (up to 66 ms on a loaded machine,
 * docs/benchmarks.md). Two workers, then inline.
 */
static void
test_loop_woken_outside_lock(void)
{
	unsigned long signals, writes;

	wakes_signal = wakes_write = wakes_locked = 0;
	run_pool(2);
	signals = __atomic_load_n(&wakes_signal, __ATOMIC_RELAXED);
	writes = __atomic_load_n(&wakes_write, __ATOMIC_RELAXED);
	CHECK(signals >= NJOBS); /* one for each job */
	CHECK(writes >= 1);
	run_pool(0);
	CHECK(__atomic_load_n(&wakes_write, __ATOMIC_RELAXED) > writes);
	CHECK_INT(__atomic_load_n(&wakes_locked, __ATOMIC_RELAXED), 0);
	CHECK_INT(mutexes_held, 0);
}

/* No condition variable, no pool (and nothing leaked: ASan's check). */
static void
test_cond_init_fails(void)
{
	struct event_base *base = event_base_new();
	struct collect c;

	REQUIRE(base != NULL);
	memset(&c, 0, sizeof(c));
	fail_cond_init = 1;
	CHECK(parsepool_new(base, 2, collect_done, &c) == NULL);
	fail_cond_init = 0;
	event_base_free(base);
}

/* An unlock that fails ends the process (SIGABRT), in the child. */
static void
test_unlock_failure_aborts(void)
{
	struct event_base *base;
	struct parsepool *p;
	struct collect c;
	int status = 0;
	pid_t pid;

	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		memset(&c, 0, sizeof(c));
		base = event_base_new();
		p = base != NULL ? parsepool_new(base, 0, collect_done, &c)
				 : NULL;
		if (p == NULL)
			_exit(2);
		fail_unlock = 1;
		parsepool_submit(p, make_job(0));
		_exit(0); /* went on past a failed unlock */
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status));
	CHECK_INT(WIFSIGNALED(status) ? WTERMSIG(status) : -1, SIGABRT);
}

/* The default is one worker per online CPU (the loop is light), 1 to 8;
   on a 2-core machine that is 2, not the earlier CPUs - 1. */
static void
test_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;

	CHECK_INT(parsepool_default_threads(), want);
	CHECK(parsepool_default_threads() >= 1);
}

static const struct test tests[] = {
    TEST(default_threads),
    TEST(inline),
    TEST(firsts),
    TEST(hash),
    TEST(slow_results_yield),
    TEST(one_thread),
    TEST(four_threads),
    TEST(free_returns_pending),
    TEST(cond_init_fails),
    TEST(unlock_failure_aborts),
    TEST(loop_woken_outside_lock),
};

TEST_MAIN(tests)
