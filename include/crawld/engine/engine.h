/* SPDX-License-Identifier: MIT */
/*
 * engine.h - the crawl engine as a library: the CLI drives it today, the
 * daemon will drive it tomorrow. Nothing here calls exit() or assumes one
 * crawl per process.
 *
 * An engine owns the worker slots (struct fetch), the multi handle
 * (struct curlev), the frontier (shared by every crawl it runs, so the
 * per-host budget is one budget) and the housekeeping timer that flushes
 * the store. It borrows the event_base and the store.
 *
 * A crawl is one job: its seeds, options, seen-set (URL -> page id) and
 * counts. The way a URL travels:
 *   discovered (seed, link, redirect) -> normalised -> seen? -> scope ->
 *   include/exclude -> depth -> max-pages -> page row (queued or skipped)
 *   -> frontier -> worker slot -> fetch -> outcome row -> links of HTML
 *   pages discovered at depth + 1, redirects at the same depth ->
 *   frontier_done (only after the children were put).
 * A crawl is finished when none of its tasks is queued or in flight; the
 * done callback then runs from a deferred event, never from inside the
 * completion that finished it.
 *
 * Loop thread only.
 */
#ifndef CRAWLD_ENGINE_H
#define CRAWLD_ENGINE_H

#include <event2/event.h>
#include <stdbool.h>

#include "crawld/base/common.h"
#include "crawld/conf/options.h"
#include "crawld/store/store.h"

struct engine;
struct crawl;

/* Engine-wide settings; taken from a crawl_opts for the CLI. */
struct engine_config {
	unsigned concurrency; /* worker slots */
	unsigned per_host;    /* default in-flight limit per host */
	uint32_t delay_ms;    /* default delay between starts per host */
	uint32_t timeout_ms;
	size_t max_size;
	const char *user_agent; /* copied */
	unsigned parse_threads; /* link extraction workers; 0 = on the loop */
	const char *ca_file;	/* copied; NULL = system CAs */
	const char *proxy;	/* copied; NULL = none (robots.txt fetches) */
};

/* The engine settings a crawl_opts implies. */
void engine_config_from_opts(
    struct engine_config *cfg, const struct crawl_opts *o);

/* A new engine on base writing to st (both borrowed); NULL on failure. */
struct engine *engine_new(
    struct event_base *base, struct store *st, const struct engine_config *cfg);

/*
 * Stop every transfer, flush the store and free. Crawls still running are
 * left resumable (their queued and in-flight pages are 'queued' or
 * 'fetching' rows) and freed. NULL is a no-op.
 */
void engine_free(struct engine *e);

enum crawl_end {
	CRAWL_END_RUNNING = 0, /* not finished yet */
	CRAWL_END_DONE,	       /* nothing left queued or in flight */
	CRAWL_END_STOPPED,     /* crawl_stop(): queued pages left for resume */
	CRAWL_END_FAIL_FAST,   /* a page failed under --fail-fast */
	CRAWL_END_STORE,       /* the database refused a write */
	CRAWL_END_ERROR,       /* a runtime error (out of memory, an event
				  that could not be armed) */
};

/* Called once when a crawl finishes, from a deferred event. */
typedef void crawl_done_cb(struct crawl *c, void *arg);

/*
 * Start a crawl of seeds (nseeds URLs, copied) with opts (borrowed: must
 * outlive the crawl). Every seed is normalised first: a bad seed fails with
 * CW_EPARSE, an unsupported scheme with CW_ENOTSUP, and err names it; then
 * nothing was started. A store failure gives CW_ESTORE/CW_EFULL.
 * On CW_OK *out is owned by the engine until crawl_free().
 */
CW_WARN_UNUSED enum cw_rc crawl_start(struct engine *e,
    const struct crawl_opts *opts, char *const *seeds, size_t nseeds,
    crawl_done_cb *done, void *arg, struct crawl **out, char *err,
    size_t errlen);

/*
 * Resume stored crawl crawl_id (seeds_json as in its crawls row): every
 * page goes back into the seen-set, 'queued' and 'fetching' pages (in
 * flight when it stopped) are queued again, nothing done is fetched again.
 * Errors as crawl_start(). On CW_OK *out is the engine's until crawl_free().
 */
CW_WARN_UNUSED enum cw_rc crawl_resume(struct engine *e,
    const struct crawl_opts *opts, int64_t crawl_id, const char *seeds_json,
    crawl_done_cb *done, void *arg, struct crawl **out, char *err,
    size_t errlen);

/* The JSON text crawl_start() stores in crawls.seeds for these seeds:
   each normalised (url_normalise), so two spellings of one URL find the
   same crawl and bytes that are not UTF-8 are percent-encoded. Malloc'd;
   NULL when a seed is not an http(s) URL or out of memory. */
char *crawl_seeds_to_json(char *const *seeds, size_t n);

/*
 * Stop taking this crawl's tasks; in-flight ones finish and then the done
 * callback runs with CRAWL_END_STOPPED (or the end set before: fail-fast,
 * store error). A stop is not a finish: pages that come back are recorded
 * as usual, HTML ones parsed, their links 'queued' rows; a failure that
 * would be retried is left 'queued'; at the end no row of the crawl is
 * 'fetching' and the crawl is 'cancelled', committed before the callback
 * (a failed commit: CRAWL_END_STORE). crawl_resume() goes on from there.
 */
void crawl_stop(struct crawl *c);

/*
 * crawl_stop(), and a crawl that ends stopped (CRAWL_END_STOPPED) has its
 * row set to state ("paused", "running", ... a string literal, borrowed)
 * instead of 'cancelled', in the same commit as its requeued rows, before
 * the done callback: an owner that wants the row in another state never
 * has 'cancelled' committed in between (a crash there would have left a
 * paused job cancelled). Called again on a stopping crawl, the later
 * state wins (NULL keeps the one set).
 */
void crawl_stop_as(struct crawl *c, const char *state);

/*
 * Add seeds (n URLs, copied) to a live crawl: checked first (a bad one
 * fails with CW_EPARSE/CW_ENOTSUP and err names it; nothing changed),
 * then in scope from now on, appended to crawls.seeds and discovered at
 * depth 0 (a URL already seen is left as it is; --depth and --max-pages
 * apply as for the first seeds). A stopping crawl records them as
 * 'queued' rows for its resume. CW_EINVAL when the crawl has ended.
 * Seeds appended to a stored crawl's row while no crawl of it runs
 * (store_crawl_add_seed) are discovered by crawl_resume().
 */
CW_WARN_UNUSED enum cw_rc crawl_add_seeds(
    struct crawl *c, char *const *seeds, size_t n, char *err, size_t errlen);

/*
 * Observers: modules above the engine (the mirror, the WARC writer) that
 * see a crawl's responses without the engine knowing them. An observer is
 * a table of callbacks and an argument, borrowed by the crawl until it is
 * freed; add it right after crawl_start()/crawl_resume(), before the loop
 * runs (nothing is fetched before). At most CRAWL_MAX_OBSERVERS, called in
 * the order they were added. Every callback runs on the loop thread.
 */
#define CRAWL_MAX_OBSERVERS 4

struct fetch_result;
struct link_list;
struct task_validators;

/* struct crawl_observer.flags */
#define CRAWL_OBS_BODIES 0x1 /* keep every body, whatever its type */
#define CRAWL_OBS_SPANS 0x2  /* links with exact spans and raw references */
/* capture each page's exchange as it went over the wire (request head,
   response head, raw body: engine/capture.h) into fetch_result.capture
   for the response callback; costs a copy of every body (the WARC) */
#define CRAWL_OBS_CAPTURE 0x4

/* One response of a page task, as an observer sees it; every pointer is
   borrowed for the call. */
struct crawl_page_event {
	int64_t crawl_id;
	int64_t page_id;
	const char *url; /* the task's URL (absolute, normalised) */
	int depth;
	long status;		  /* the HTTP status (304 for not_modified) */
	const char *content_type; /* NULL when absent (or, not_modified: the
				     stored body's type) */
	const char *body;	  /* the body when CRAWL_OBS_BODIES (HTML and
				     CSS bodies also without), else NULL */
	size_t body_len;
	bool not_modified; /* a 304: body is what stored_body gave, or NULL */
	bool parsed;	   /* links were extracted (HTML or CSS) */
	/* response: NULL. recorded: the links extracted from the body (NULL
	   when not parsed), with spans when CRAWL_OBS_SPANS. */
	const struct link_list *links;
	/* response: what fetch read (headers, timings). recorded: NULL (the
	   slot has moved on to another transfer). */
	const struct fetch_result *res;
};

/* A non-CW_OK result ends every crawl of the engine (CRAWL_END_ERROR,
   "<name>: <rc>", the open batch dropped): an observer that cannot do its
   part (a full disk) must not let pages pass as done without it. */
typedef enum cw_rc crawl_obs_cb(
    void *arg, struct crawl *c, const struct crawl_page_event *ev);

/*
 * A 304 came for a page: the body the page had before (its stored copy),
 * so its links are extracted again and the crawl still finds its children.
 * CW_OK with *body set (malloc'd, *len bytes; the engine frees it) and
 * *content_type (malloc'd or NULL; the engine's too), or CW_OK with *body
 * NULL: no stored copy (the next observer is asked; with none the page is
 * recorded without links). Other results end the crawls as for
 * crawl_obs_cb.
 */
typedef enum cw_rc crawl_obs_stored_cb(void *arg, struct crawl *c,
    int64_t page_id, const char *url, char **body, size_t *len,
    char **content_type);

/* The crawl is ending (from its finish event, before its state is
   written and committed, and before the done callback): rows the
   observer writes now go in that commit. Not called once the engine has
   halted. */
typedef void crawl_obs_end_cb(void *arg, struct crawl *c, enum crawl_end end);

/*
 * A page task is about to be queued without validators (a page of a new
 * crawl, or one paged back in): the observer may make its fetch
 * conditional by filling *v (frontier.h; the strings must stay valid
 * until the observer's next call, the frontier copies them) and returning
 * true. The mirror gives the ETag/Last-Modified of the file it holds.
 */
typedef bool crawl_obs_validators_cb(
    void *arg, struct crawl *c, const char *url, struct task_validators *v);

struct crawl_observer {
	const char *name; /* "mirror", "warc": for messages (borrowed) */
	unsigned flags;	  /* CRAWL_OBS_* */
	/* Every complete response (any status, redirects and 304s too) of
	   a page task that is its outcome (not one put back for a retry),
	   when the transfer ends, before the outcome row and the links:
	   ev->res is set, ev->links is NULL. May be NULL. */
	crawl_obs_cb *response;
	/* The same page once its outcome row, and for a parsed page its
	   links, are in the store's open batch: rows the observer writes
	   now commit with them. ev->links is set for a parsed page. For a
	   304 the body is the stored one. May be NULL. */
	crawl_obs_cb *recorded;
	crawl_obs_stored_cb *stored_body;    /* may be NULL */
	crawl_obs_end_cb *end;		     /* may be NULL */
	void *arg;			     /* borrowed */
	crawl_obs_validators_cb *validators; /* may be NULL */
};

/* Add an observer (copied; obs->arg and obs->name borrowed). CW_EINVAL
   past CRAWL_MAX_OBSERVERS. The crawl's seeds (and a resumed crawl's
   queued pages) were queued before it came: for an observer that gives
   validators, or must see every task, use engine_add_observer(). */
CW_WARN_UNUSED enum cw_rc crawl_add_observer(
    struct crawl *c, const struct crawl_observer *obs);

/* Add an observer to every crawl the engine starts or resumes from now
   on, from the crawl's first task (copied as by crawl_add_observer; its
   arg must outlive those crawls). CW_EINVAL past CRAWL_MAX_OBSERVERS. */
CW_WARN_UNUSED enum cw_rc engine_add_observer(
    struct engine *e, const struct crawl_observer *obs);

/*
 * crawl_start() and crawl_resume() with obs (copied; NULL: none) added to
 * the crawl after the engine's observers and before its first task, as
 * engine_add_observer() does for every crawl: the daemon's job that
 * mirrors gives validators to its seeds and its resumed pages, and other
 * jobs of the engine do not see it. CW_EINVAL (err says so) when the
 * engine's observers leave no room for it.
 */
CW_WARN_UNUSED enum cw_rc crawl_start_observed(struct engine *e,
    const struct crawl_opts *opts, char *const *seeds, size_t nseeds,
    const struct crawl_observer *obs, crawl_done_cb *done, void *arg,
    struct crawl **out, char *err, size_t errlen);
CW_WARN_UNUSED enum cw_rc crawl_resume_observed(struct engine *e,
    const struct crawl_opts *opts, int64_t crawl_id, const char *seeds_json,
    const struct crawl_observer *obs, crawl_done_cb *done, void *arg,
    struct crawl **out, char *err, size_t errlen);

/* The crawl's crawls.id. */
int64_t crawl_get_id(const struct crawl *c);

/* Free a finished crawl (its done callback has run). NULL is a no-op. */
void crawl_free(struct crawl *c);

struct crawl_stats {
	int64_t crawl_id;
	uint64_t queued; /* waiting in the frontier */
	uint64_t in_flight;
	uint64_t done; /* complete responses */
	uint64_t failed;
	uint64_t skipped;
	uint64_t bytes;		    /* decoded body bytes */
	uint64_t links;		    /* links recorded */
	uint64_t retries;	    /* fetches put back for another attempt */
	uint64_t spilled_total;	    /* tasks that went to the database
				       instead of memory (--queue-memory) */
	uint64_t redirects_waiting; /* redirect targets queued or in flight
				       (their hop counts are in memory) */
	uint64_t revisits;	    /* done pages paged in again (--revisit) */
	uint64_t not_modified;	    /* 304s to conditional fetches */
	double elapsed_s;
	double pages_per_s; /* (done + failed) / elapsed */
};

void crawl_get_stats(const struct crawl *c, struct crawl_stats *st);

/* How it ended; for CRAWL_END_FAIL_FAST, CRAWL_END_STORE and
   CRAWL_END_ERROR a one-line message naming the URL or the error
   (borrowed). */
enum crawl_end crawl_end_reason(const struct crawl *c);
const char *crawl_end_message(const struct crawl *c);

/*
 * Whether the engine has halted: a store error or a runtime error
 * (CRAWL_END_STORE, CRAWL_END_ERROR) ended every crawl, the open batch was
 * dropped and nothing more is written. A halted engine is only good for
 * engine_free(); a re-run (or a new engine) resumes from the database.
 */
bool engine_halted(const struct engine *e);

/*
 * Change the number of worker slots of a running engine (the daemon's
 * SIGHUP). More slots are made at once and the pump fills them; fewer
 * take effect as transfers finish (none is cut off): at most n are busy
 * from then on, the spare slots stay idle until engine_free. The
 * connection limits follow. CW_ENOMEM (or CW_EINVAL: libcurl refused a
 * limit) leaves the old count. n >= 1.
 */
CW_WARN_UNUSED enum cw_rc engine_set_concurrency(struct engine *e, unsigned n);

/* Loop health: lateness of the housekeeping timer, in microseconds. */
struct engine_lag {
	uint64_t samples;
	uint64_t p50_us;
	uint64_t p99_us;
	uint64_t max_us;
};
void engine_get_lag(const struct engine *e, struct engine_lag *lag);

/*
 * The engine's own counters for the daemon's /metrics, counted in one
 * place (src/engine/stats.c) and summed over every crawl this engine ran,
 * finished ones included. Monotonic unless marked "now".
 */
#define ENGINE_FETCH_BUCKETS 13 /* fetch duration histogram bounds */
#define ENGINE_LAG_BUCKETS 10	/* loop lag histogram bounds */
#define ENGINE_OUTCOMES 6	/* enum fetch_outcome (fetch.h) */
extern const double engine_fetch_bounds[ENGINE_FETCH_BUCKETS]; /* seconds */
extern const double engine_lag_bounds[ENGINE_LAG_BUCKETS];     /* seconds */

enum engine_fetch_kind {
	ENGINE_FK_PAGE = 0, /* a crawl's page */
	ENGINE_FK_ROBOTS,   /* the engine's robots.txt fetch */
	ENGINE_FK_N,
};

enum engine_robots_outcome {
	ENGINE_RO_PARSED = 0,  /* a 2xx: its rules apply */
	ENGINE_RO_UNAVAILABLE, /* 4xx, too many redirects: allow all */
	ENGINE_RO_UNREACHABLE, /* 5xx or no answer after the last try */
	ENGINE_RO_RETRIED,     /* an unreachable answer tried again */
	ENGINE_RO_N,
};

struct engine_stats {
	/* Complete responses by kind and status class (index status / 100;
	   0 for a status outside 100-599). */
	uint64_t responses[ENGINE_FK_N][6];
	/* Transfers without a complete response, by enum fetch_outcome
	   (index FETCH_OK stays 0). */
	uint64_t errors[ENGINE_FK_N][ENGINE_OUTCOMES];
	/* Transfer time, start to completion, every kind. */
	uint64_t fetch_le[ENGINE_FETCH_BUCKETS]; /* cumulative, <= bound */
	uint64_t fetches;
	double fetch_seconds; /* sum */
	/* robots.txt fetch outcomes, and pages robots.txt held back. */
	uint64_t robots[ENGINE_RO_N];
	uint64_t robots_denied;	     /* 'skipped' (robots) */
	uint64_t robots_unreachable; /* 'failed' (robots-unreachable) */
	/* Lateness of the housekeeping timer (engine_get_lag). */
	uint64_t lag_le[ENGINE_LAG_BUCKETS];
	uint64_t lag_samples;
	double lag_seconds;
	/* The crawls' own counts (struct crawl_stats), summed. */
	uint64_t done, failed, skipped, bytes, links, retries, spilled_total;
	/* now */
	uint64_t transfers; /* busy worker slots (robots.txt included) */
	uint64_t slots;	    /* worker slots */
	uint64_t in_flight; /* pages taken: fetching, parsing, deciding */
	uint64_t queued;    /* pages waiting in memory */
	uint64_t spilled;   /* pages waiting only in the database */
	uint64_t crawls;    /* crawls in the engine */
};

void engine_get_stats(const struct engine *e, struct engine_stats *s);

/*
 * Where the process's CPU went, by thread role, in seconds since the
 * engine started, from the threads' own CPU clocks (the kernel's per-thread
 * accounting, as RUSAGE_THREAD and /proc/self/task read it):
 */
struct engine_cpu {
	double loop_s;		/* the loop thread (libcurl, libevent, the
				   engine, the store when store_thread is
				   false), less parsing done inline on it */
	double parse_s;		/* link extraction: the parse workers, or the
				   inline parses with --parse-threads 0 */
	unsigned parse_threads; /* parse workers (0 = on the loop) */
	double store_s;		/* the store's own thread; 0 without one */
	bool store_thread;	/* false: SQLite runs on the loop thread */
	double process_s;	/* the whole process (its CPU clock) */
};
void engine_get_cpu(const struct engine *e, struct engine_cpu *cpu);

#endif /* CRAWLD_ENGINE_H */
