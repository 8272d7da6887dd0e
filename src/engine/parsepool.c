/* SPDX-License-Identifier: MIT */
/*
 * parsepool.c - worker threads for links_extract().
 *
 * Two lists under one mutex: todo (loop -> workers, a condition variable
 * wakes them) and done (workers -> loop, one byte on a pipe wakes the
 * loop's read event). A job is on exactly one list, or in one worker's
 * hands, until the loop hands it to the done callback. The loop takes
 * done jobs for PARSEPOOL_DELIVER_US a pass.
 *
 * The workers are not niced: tried (nice +10, docs/benchmarks.md), a
 * starved worker returned a page's links so late that pages one level
 * down were first found one level too deep, and B1 missed pages at the
 * depth limit in 2 runs of 3 under load.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "crawld/base/log.h"
#include "crawld/engine/parsepool.h"
#include "crawld/web/css.h"

#define PARSEPOOL_MAX_THREADS 8
/* Results handed to the engine in one loop pass, at most this long (then
   the rest go on the next pass, after timers and sockets): one B1-parse
   page is about 1 ms of the engine's work, and results came back in
   bursts. */
#define PARSEPOOL_DELIVER_US 2000

/*
 * The pool's mutex and condition variable are default ones: lock, unlock,
 * wait and signal fail only on a lock that is not initialised, already
 * freed or not held, that is, on memory that is no longer the pool's.
 * Going on would lose parse jobs or hang the loop, so a failure is a
 * crash naming the call, in every build (not only CW_DEBUG).
 */
#define PP_CHECK(call)                                                         \
	do {                                                                   \
		if ((call) != 0)                                               \
			cw_assert_fail(#call " == 0", __FILE__, __LINE__);     \
	} while (0)

struct job_list {
	struct parse_job *head; /* owned jobs, FIFO */
	struct parse_job *tail;
};

struct parsepool {
	struct event_base *base; /* borrowed */
	parsepool_done_cb *done;
	void *done_arg;
	pthread_t threads[PARSEPOOL_MAX_THREADS];
	unsigned nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cv;	   /* todo not empty, or stopping */
	struct job_list todo;	   /* under mu */
	struct job_list done_list; /* under mu */
	bool stopping;		   /* under mu */
	bool wake_pending;	   /* under mu: a byte is in the pipe */
	int pipe_fd[2];		   /* owned: workers -> loop */
	struct event *wake_ev;	   /* owned */
	struct event *more_ev;	   /* owned: the rest of a delivery */
	size_t pending;		   /* loop thread: submitted - returned */
	uint64_t inline_cpu_ns;	   /* loop thread: CPU of inline parses */
};

/* Append a job to a list. */
static void
job_list_push(struct job_list *l, struct parse_job *job)
{
	job->next = NULL;
	if (l->tail != NULL)
		l->tail->next = job;
	else
		l->head = job;
	l->tail = job;
}

/* Take the whole list. */
static struct parse_job *
job_list_take(struct job_list *l)
{
	struct parse_job *head = l->head;

	l->head = l->tail = NULL;
	return head;
}

/* A new job. */
struct parse_job *
parse_job_new(
    char *body, size_t len, const char *base_url, size_t max_links, void *arg)
{
	struct parse_job *job;

	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return NULL;
	job->base_url = strdup(base_url);
	if (job->base_url == NULL) {
		free(job);
		return NULL;
	}
	job->body = body;
	job->len = len;
	job->max_links = max_links;
	job->arg = arg;
	link_list_init(&job->links);
	return job;
}

/* Free a job and all it owns. */
void
parse_job_free(struct parse_job *job)
{
	if (job == NULL)
		return;
	free(job->body);
	free(job->base_url);
	link_list_cleanup(&job->links);
	free(job->first);
	free(job->fps);
	free(job);
}

/* parsepool_set_test_hook(): written while no pool parses. */
static parsepool_hook *parsepool_test_hook;
static void *parsepool_test_arg;

void
parsepool_set_test_hook(parsepool_hook *hook, void *arg)
{
	parsepool_test_hook = hook;
	parsepool_test_arg = arg;
}

/*
 * A page's first links (without its repeats) found here, on the worker,
 * with every one's seen-set fingerprint: the loop then does one lookup per
 * distinct link and hashes nothing (B1-parse: 2,000 links a page, over
 * about 840 URLs). Without memory for it the job fails as an extraction
 * without memory does.
 */
static void
parse_job_firsts(struct parse_job *job)
{
	size_t n = job->links.count;

	job->first = malloc((n > 0 ? n : 1) * sizeof(*job->first));
	job->fps = malloc((n > 0 ? n : 1) * sizeof(*job->fps));
	if (job->first != NULL && job->fps != NULL)
		job->rc = link_list_firsts(
		    &job->links, job->first, job->fps, &job->nfirst);
	else
		job->rc = CW_ENOMEM;
	if (job->rc != CW_OK) {
		FREE_NULL(job->first);
		FREE_NULL(job->fps);
		job->nfirst = 0;
	}
}

/* The work itself; the body is freed as soon as it is parsed, unless the
   submitter wants it back. */
static void
parse_job_run(struct parse_job *job)
{
	const char *body = job->body != NULL ? job->body : "";

	if (parsepool_test_hook != NULL)
		parsepool_test_hook(job, parsepool_test_arg);
	/* Here rather than on the loop as the bytes came in: B1-parse's
	   loop spent 45 % of its CPU in SHA-256 (docs/benchmarks.md). */
	if (job->hash &&
	    digest_sha256_hex(body, job->len, job->content_hash) != CW_OK) {
		log_warnx(
		    "parsepool: content hash failed url=%s", job->base_url);
		job->content_hash[0] = '\0';
	}

	job->lopts.max_links = job->max_links;
	if (job->css)
		job->rc = css_extract(
		    body, job->len, job->base_url, &job->lopts, &job->links);
	else if (job->lopts.mode == LINKS_MODE_DEFAULT &&
	    job->lopts.flags == 0 && job->lopts.parser == LINKS_PARSER_AUTO)
		job->rc = links_extract(
		    body, job->len, job->base_url, job->max_links, &job->links);
	else /* lopts carries the mode, the flags and --html-parser */
		job->rc = links_extract_opts(
		    body, job->len, job->base_url, &job->lopts, &job->links);
	if (!job->keep_body)
		FREE_NULL(job->body);
	if (job->rc == CW_OK && job->firsts)
		parse_job_firsts(job);
}

/* A parsed job goes to the done list; under mu. One byte on the pipe
   wakes the loop for any number of finished jobs: true when this job
   must write it (parsepool_wake_loop, after mu is let go). */
static bool
parsepool_finished_locked(struct parsepool *p, struct parse_job *job)
{
	job_list_push(&p->done_list, job);
	if (p->wake_pending)
		return false;
	p->wake_pending = true;
	return true;
}

/*
 * Write the loop's wake-up byte; never under mu. The write wakes the
 * loop, which may take this thread's core at once: had it mu, the loop
 * would block on it at its next submit or delivery until this thread got
 * a core again (B4 at 1,000,000 pages under load: waits up to 66 ms). A
 * byte that comes after the loop took the jobs wakes it for an empty
 * list, which it reads and ignores.
 */
static void
parsepool_wake_loop(struct parsepool *p)
{
	char one = 1;

	if (write(p->pipe_fd[1], &one, 1) < 0 && errno != EAGAIN)
		log_warn("parsepool: wake the loop");
}

/* A worker: take jobs until the pool stops. */
static void *
parsepool_worker(void *arg)
{
	struct parsepool *p = arg;
	struct parse_job *job;

	/* Named so top, perf and gdb tell the parsers from the loop. */
	(void)prctl(PR_SET_NAME, "crawld-parse", 0, 0, 0);
	PP_CHECK(pthread_mutex_lock(&p->mu));
	for (;;) {
		while (p->todo.head == NULL && !p->stopping)
			PP_CHECK(pthread_cond_wait(&p->cv, &p->mu));
		if (p->stopping)
			break;
		job = p->todo.head;
		p->todo.head = job->next;
		if (p->todo.head == NULL)
			p->todo.tail = NULL;
		PP_CHECK(pthread_mutex_unlock(&p->mu));
		parse_job_run(job);
		PP_CHECK(pthread_mutex_lock(&p->mu));
		if (parsepool_finished_locked(p, job)) {
			PP_CHECK(pthread_mutex_unlock(&p->mu));
			parsepool_wake_loop(p);
			PP_CHECK(pthread_mutex_lock(&p->mu));
		}
	}
	PP_CHECK(pthread_mutex_unlock(&p->mu));
	return NULL;
}

/* Hand finished jobs to the callback, on the loop thread. */
static void
parsepool_deliver(struct parsepool *p, struct parse_job *job)
{
	struct parse_job *next;

	for (; job != NULL; job = next) {
		next = job->next;
		job->next = NULL;
		p->pending--;
		p->done(p->done_arg, job);
	}
}

/*
 * Hand finished jobs to the callback for at most PARSEPOOL_DELIVER_US
 * (one job at least); the rest go back to the head of the done list and
 * a zero timer brings them on the next loop pass. While some are left,
 * wake_pending stays set: the workers need not write to the pipe.
 */
static void
parsepool_deliver_some(struct parsepool *p)
{
	static const struct timeval now = {0, 0};
	struct parse_job *jobs, *job, *last;
	uint64_t t0 = cw_monotonic_us();

	PP_CHECK(pthread_mutex_lock(&p->mu));
	jobs = job_list_take(&p->done_list);
	p->wake_pending = false;
	PP_CHECK(pthread_mutex_unlock(&p->mu));
	while (jobs != NULL) {
		job = jobs;
		jobs = job->next;
		job->next = NULL;
		p->pending--;
		p->done(p->done_arg, job);
		if (jobs != NULL &&
		    cw_monotonic_us() - t0 >= PARSEPOOL_DELIVER_US)
			break;
	}
	if (jobs == NULL)
		return;
	for (last = jobs; last->next != NULL; last = last->next)
		;
	PP_CHECK(pthread_mutex_lock(&p->mu));
	last->next = p->done_list.head;
	if (p->done_list.head == NULL)
		p->done_list.tail = last;
	p->done_list.head = jobs;
	p->wake_pending = true;
	PP_CHECK(pthread_mutex_unlock(&p->mu));
	/* Without the timer the rest would wait for the next worker's
	   byte, which wake_pending now holds back: deliver them now. */
	if (evtimer_add(p->more_ev, &now) != 0) {
		log_warnx("parsepool: cannot arm the delivery timer");
		PP_CHECK(pthread_mutex_lock(&p->mu));
		jobs = job_list_take(&p->done_list);
		p->wake_pending = false;
		PP_CHECK(pthread_mutex_unlock(&p->mu));
		parsepool_deliver(p, jobs);
	}
}

/* libevent: workers finished some jobs. */
static void
parsepool_wake(evutil_socket_t fd, short what, void *arg)
{
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	parsepool_deliver_some(arg);
}

/* libevent: the rest of a delivery (parsepool_deliver_some). */
static void
parsepool_more(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	parsepool_deliver_some(arg);
}

/* A new pool. */
struct parsepool *
parsepool_new(struct event_base *base, unsigned nthreads,
    parsepool_done_cb *done, void *arg)
{
	struct parsepool *p;
	unsigned i;

	/* libxml2 must be initialised before threads parse. */
	links_global_init();
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->base = base;
	p->done = done;
	p->done_arg = arg;
	p->pipe_fd[0] = p->pipe_fd[1] = -1;
	/* Without its lock the pool is nothing parsepool_free() may touch. */
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		PP_CHECK(pthread_mutex_destroy(&p->mu));
		free(p);
		return NULL;
	}
	if (pipe(p->pipe_fd) != 0 ||
	    fcntl(p->pipe_fd[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(p->pipe_fd[1], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(p->pipe_fd[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(p->pipe_fd[1], F_SETFD, FD_CLOEXEC) != 0)
		goto fail;
	p->wake_ev = event_new(
	    base, p->pipe_fd[0], EV_READ | EV_PERSIST, parsepool_wake, p);
	p->more_ev = evtimer_new(base, parsepool_more, p);
	if (p->wake_ev == NULL || event_add(p->wake_ev, NULL) != 0 ||
	    p->more_ev == NULL)
		goto fail;
	if (nthreads > PARSEPOOL_MAX_THREADS)
		nthreads = PARSEPOOL_MAX_THREADS;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, parsepool_worker, p) !=
		    0)
			goto fail;
		p->nthreads++;
	}
	return p;
fail:
	parsepool_free(p);
	return NULL;
}

/* A thread CPU clock in nanoseconds (0 if it cannot be read). */
static uint64_t
parsepool_clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parse a job on the loop thread, counting its CPU as parsing. */
static void
parsepool_run_inline(struct parsepool *p, struct parse_job *job)
{
	uint64_t t0 = parsepool_clock_ns(CLOCK_THREAD_CPUTIME_ID);

	parse_job_run(job);
	p->inline_cpu_ns += parsepool_clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
}

/* Queue a job (or, without workers, parse it now and queue the result). */
void
parsepool_submit(struct parsepool *p, struct parse_job *job)
{
	bool wake_loop = false;

	p->pending++;
	if (p->nthreads == 0)
		parsepool_run_inline(p, job);
	PP_CHECK(pthread_mutex_lock(&p->mu));
	if (p->nthreads == 0) {
		wake_loop = parsepool_finished_locked(p, job);
	} else {
		job_list_push(&p->todo, job);
		/* Under mu: a worker this wakes takes the loop's core, finds
		   mu held and gives the core back at once; signalled after
		   the unlock it ran its whole parse first (B4 under load 15:
		   the loop's submits took 1.3-1.7x the wall time). */
		PP_CHECK(pthread_cond_signal(&p->cv));
	}
	PP_CHECK(pthread_mutex_unlock(&p->mu));
	if (wake_loop)
		parsepool_wake_loop(p);
}

size_t
parsepool_pending(const struct parsepool *p)
{
	return p->pending;
}

/* CPU seconds of parsing: the workers' thread clocks, or inline time. */
double
parsepool_cpu_s(const struct parsepool *p)
{
	uint64_t ns = p->inline_cpu_ns;
	clockid_t id;
	unsigned i;

	for (i = 0; i < p->nthreads; i++)
		if (pthread_getcpuclockid(p->threads[i], &id) == 0)
			ns += parsepool_clock_ns(id);
	return (double)ns / 1e9;
}

/* Worker threads in the pool. */
unsigned
parsepool_threads(const struct parsepool *p)
{
	return p->nthreads;
}

/* Mark a chain cancelled and hand it back. */
static void
parsepool_cancel(struct parsepool *p, struct parse_job *jobs)
{
	struct parse_job *j;

	for (j = jobs; j != NULL; j = j->next)
		j->cancelled = true;
	parsepool_deliver(p, jobs);
}

/* Stop, return what is left, free. */
void
parsepool_free(struct parsepool *p)
{
	struct parse_job *todo, *done;
	unsigned i;

	if (p == NULL)
		return;
	PP_CHECK(pthread_mutex_lock(&p->mu));
	p->stopping = true;
	PP_CHECK(pthread_cond_broadcast(&p->cv));
	PP_CHECK(pthread_mutex_unlock(&p->mu));
	for (i = 0; i < p->nthreads; i++)
		PP_CHECK(pthread_join(p->threads[i], NULL));
	todo = job_list_take(&p->todo);
	done = job_list_take(&p->done_list);
	/* Parsed ones are still delivered as cancelled: the engine is going
	   away and records nothing more. */
	parsepool_cancel(p, done);
	parsepool_cancel(p, todo);
	if (p->wake_ev != NULL)
		event_free(p->wake_ev);
	if (p->more_ev != NULL)
		event_free(p->more_ev);
	if (p->pipe_fd[0] >= 0)
		close(p->pipe_fd[0]);
	if (p->pipe_fd[1] >= 0)
		close(p->pipe_fd[1]);
	PP_CHECK(pthread_cond_destroy(&p->cv));
	PP_CHECK(pthread_mutex_destroy(&p->mu));
	free(p);
}

/*
 * One worker per online CPU, within [1, 8]. With SQLite on the store's
 * thread the loop is light (B1-parse: loop ~1 ms a page, parsing ~4.5),
 * so parsing may take every core; on 2 cores B1-parse finished sooner with
 * 2 workers than with 1 (docs/benchmarks.md), and B1, whose parsing is
 * light, did not change.
 */
unsigned
parsepool_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > PARSEPOOL_MAX_THREADS ? PARSEPOOL_MAX_THREADS : (unsigned)n;
}
