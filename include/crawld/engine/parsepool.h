/* SPDX-License-Identifier: MIT */
/*
 * parsepool.h - link extraction on worker threads, so parsing never stalls
 * the network loop and uses the machine's other cores.
 *
 * The boundary is the one links.h draws: bytes + base URL in, a link list
 * out. The loop thread submits a job (the pool owns it until it comes
 * back); a worker runs links_extract() on it; the finished job is handed
 * back on the loop thread through the done callback, from a libevent event
 * (a pipe the workers write to), never from a worker thread.
 *
 * With 0 threads the pool runs each job inline at submit time and still
 * delivers it from the event, so the engine has one code path.
 *
 * Owns its threads, its queues and the event; borrows the event_base.
 */
#ifndef CRAWLD_PARSEPOOL_H
#define CRAWLD_PARSEPOOL_H

#include <event2/event.h>
#include <stdbool.h>

#include "crawld/base/common.h"
#include "crawld/web/digest.h"
#include "crawld/web/links.h"

struct parse_job {
	/* in: set by the submitter */
	char *body; /* owned by the job (freed by parse_job_free) */
	size_t len;
	char *base_url; /* owned by the job */
	size_t max_links;
	/* what to extract: mode and flags (parse_job_new: the default mode,
	   no flags; max_links is max_links above) */
	struct links_opts lopts;
	bool css;	/* a stylesheet: css_extract() instead of HTML */
	bool keep_body; /* hand the body back with the links (else it is
			   freed as soon as it is parsed) */
	bool firsts;	/* also find the page's first links (below) */
	bool hash;	/* also the body's SHA-256 (content_hash below) */
	void *arg;	/* borrowed: the submitter's context */
	/* out: set by the worker */
	struct link_list links; /* owned by the job */
	/* With hash: the body's SHA-256 as hex, before it was parsed; ""
	   when libcrypto failed (logged) */
	char content_hash[DIGEST_SHA256_HEX];
	/* With firsts (link_list_firsts): the indices of the links that are
	   the first of their URL and kind, in order, and each one's
	   fpset_fingerprint() (both owned, nfirst values); NULL when not
	   asked or when rc is not CW_OK */
	uint32_t *first;
	uint64_t *fps;
	size_t nfirst;
	enum cw_rc rc;
	bool cancelled;		/* the pool shut down before parsing it */
	struct parse_job *next; /* pool-internal */
};

/* A finished (or cancelled) job, on the loop thread. The callee owns it. */
typedef void parsepool_done_cb(void *arg, struct parse_job *job);

/* A new job for a copy of base_url taking over body (malloc'd, len bytes);
   NULL on failure (body is then not freed). */
struct parse_job *parse_job_new(
    char *body, size_t len, const char *base_url, size_t max_links, void *arg);

/* Free a job with its body and links. NULL is a no-op. */
void parse_job_free(struct parse_job *job);

/* A pool of nthreads workers (0 = inline); NULL on failure. */
struct parsepool *parsepool_new(struct event_base *base, unsigned nthreads,
    parsepool_done_cb *done, void *arg);

/* Queue a job; the pool owns it until done() gets it back. */
void parsepool_submit(struct parsepool *p, struct parse_job *job);

/* Jobs submitted and not yet handed back. */
size_t parsepool_pending(const struct parsepool *p);

/*
 * Stop the workers (a job being parsed is finished first), then hand every
 * job not yet returned to done() with cancelled set, and free the pool.
 * Loop thread only. NULL is a no-op.
 */
void parsepool_free(struct parsepool *p);

/*
 * CPU seconds spent parsing so far: the workers' own thread CPU clocks
 * (pthread_getcpuclockid: all they do is parse and wait for jobs), or,
 * with 0 threads, the loop thread's CPU inside the inline parses. Loop
 * thread only.
 */
double parsepool_cpu_s(const struct parsepool *p);

/*
 * Tests only: hook(job, arg) runs before each job is parsed, on the worker
 * that parses it (with 0 threads: on the loop, at submit), so a test can
 * hold one page's parse until the loop has done something else (it_depth).
 * NULL (the default) for none. Set it while no pool parses: the workers
 * read it without a lock.
 */
typedef void parsepool_hook(const struct parse_job *job, void *arg);
void parsepool_set_test_hook(parsepool_hook *hook, void *arg);

/* How many worker threads the pool runs (0 = inline on the loop). */
unsigned parsepool_threads(const struct parsepool *p);

/* The default worker count: one per online CPU, at least 1, at most 8. */
unsigned parsepool_default_threads(void);

#endif /* CRAWLD_PARSEPOOL_H */
