/* SPDX-License-Identifier: MIT */
/*
 * engine_int.h - the engine's internal layout, shared by its four files
 * and by nothing else (the way curl pairs multiif.h with multihandle.h):
 *   engine.c      the engine: slots, the pump, transfers, parse results
 *   crawl.c       a crawl's life: start, resume, stop, finish, stats
 *   discover.c    a URL's way to a row and a task; a fetch's to rows
 *   hostpolicy.c  per-host rules: robots.txt, retries, the SSRF guard
 *   observe.c     the observers' callbacks (engine.h crawl_observer)
 *   stats.c       the counters of struct engine_stats (/metrics)
 * Functions here end in '_': internal, not part of engine.h.
 */
#ifndef CRAWLD_ENGINE_INT_H
#define CRAWLD_ENGINE_INT_H

#include <jansson.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "crawld/engine/curlev.h"
#include "crawld/engine/engine.h"
#include "crawld/engine/fetch.h"
#include "crawld/base/fpset.h"
#include "crawld/base/idmap.h"
#include "crawld/engine/frontier.h"
#include "crawld/web/links.h"
#include "crawld/base/log.h"
#include "crawld/base/netaddr.h"
#include "crawld/engine/parsepool.h"
#include "crawld/engine/resolver.h"
#include "crawld/web/robots.h"
#include "crawld/base/strmap.h"
#include "crawld/web/url.h"

struct crawl {
	struct engine *e;	       /* borrowed */
	const struct crawl_opts *opts; /* borrowed */
	struct fetch_opts fopts;       /* its transfers' settings (strings
					  borrowed from opts) */
	int64_t id;		       /* crawls.id */
	/* owned: URL fingerprint -> page id, depth and kind, packed
	   (CRAWL_SEEN_*, discover.c) */
	struct fpset *seen;
	/* owned: page id of a redirect target -> its hops, from discovery
	   until its task is done (only waiting targets cost memory) */
	struct idmap *redirect_hops;
	/* owned: page id of a row made 'queued' again (a shorter path)
	   while its place is spilled -> the depth its earlier fetch was at,
	   -1 for none; from the requeue until the refill reads the row */
	struct idmap *requeued;
	char **scope_keys; /* owned, one per seed */
	size_t nkeys;
	/* The join counts. Only crawl.c's crawl_task_*() and crawl_spill*()
	   change them, each together with the frontier call it mirrors, so
	   no path can move a task without its count (tests/check-counters.sh
	   fails a write anywhere else). Others read them. */
	struct crawl_tasks {
		uint64_t queued;    /* tasks in the frontier, in memory */
		uint64_t in_flight; /* taken: fetching, parsing, deciding */
		uint64_t spilled;   /* 'queued' rows only in the database */
		int64_t spill_from; /* every spilled row has id >= this */
	} tasks;
	uint64_t enqueued;	/* ever queued (--max-pages) */
	uint64_t spilled_total; /* ever spilled to the database */
	uint64_t done, failed, skipped, bytes, links, retries;
	uint64_t revisits;		     /* done pages paged in again */
	uint64_t not_modified;		     /* 304s to conditional fetches */
	struct crawl_revisit *revisit;	     /* owned; NULL without --revisit */
	struct sockaddr_storage *seed_addrs; /* owned: non-public seed hosts */
	size_t nseed_addrs;
	struct strmap *seed_hosts; /* owned: seed host names looked up,
				      CRAWL_SEED_HOST_* */
	/* Seed host names are looked up off the loop (resolver.h): the
	   seeds given meanwhile, and a resume's walk of its pages, wait
	   until every lookup of the crawl has answered or timed out, so no
	   fetch of a seed host starts before its addresses are known. */
	struct resolver *resolver; /* owned; NULL until a name is looked up */
	unsigned lookups_waiting;  /* lookups not answered yet */
	char **held_seeds;	   /* owned: normalised seeds waiting */
	size_t nheld;
	bool held_walk; /* crawl_resume()'s page walk waits too */
	uint64_t started_us;
	uint64_t ended_us;
	bool stopping;
	const char *stop_state; /* crawl_stop_as(): a literal; NULL */
	bool finished;		/* done callback scheduled */
	bool reported;		/* done callback ran: the end is final */
	enum crawl_end end;
	/* borrowed tables (copied structs) of crawl_add_observer() */
	struct crawl_observer obs[CRAWL_MAX_OBSERVERS];
	size_t nobs;
	unsigned obs_flags;    /* the union of their CRAWL_OBS_* */
	char *end_msg;	       /* owned */
	struct event *done_ev; /* owned */
	crawl_done_cb *done_cb;
	void *done_arg;
	LIST_ENTRY(crawl) entry;
};

/* What the engine keeps per host (attached to the frontier's host). */
enum robots_state {
	ROBOTS_UNKNOWN = 0, /* not fetched (or expired) */
	ROBOTS_FETCHING,    /* the gate task is queued or in flight */
	ROBOTS_READY,	    /* rules known until expires_ms */
};

/* The rules of a host's robots.txt for one more product token. */
struct robots_agent {
	char *agent;	      /* owned: a User-Agent with that token */
	struct robots *rules; /* owned */
};

struct hostinfo {
	enum robots_state robots_state;
	struct robots *rules; /* owned: for the engine's User-Agent */
	/* A 2xx robots.txt is kept (up to ROBOTS_MAX_BYTES) so the rules of
	   a crawl with another --user-agent are parsed from it on first use
	   and kept in agents: rules are per (origin, product token). */
	char *body; /* owned; NULL for 4xx/5xx (the same for every agent) */
	size_t body_len;
	struct robots_agent *agents; /* owned, nagents */
	size_t nagents;
	char *unreachable; /* owned: why robots.txt could not be read
			      ("HTTP 503", a TLS or connect error);
			      NULL when it was */
	uint64_t expires_ms;
	unsigned failures; /* unreachable robots.txt */
	/* The transport robots.txt is read with: the ca-file and proxy of
	   the crawl that opened the gate (owned; NULL: the system's CAs, no
	   proxy). When it could not be read for a transfer error (TLS,
	   connect, proxy), a crawl with another transport reads it again,
	   at most ROBOTS_MAX_REGATES times until the rules expire: one job's
	   trust is not another's. */
	char *gate_ca_file, *gate_proxy;
	bool transfer_failed;
	unsigned regates;
};

struct engine {
	struct event_base *base; /* borrowed */
	struct store *st;	 /* borrowed */
	struct engine_config cfg;
	char *user_agent; /* owned copy for fopts */
	char *ca_file;	  /* owned copy for fopts */
	char *proxy;	  /* owned copy for fopts */
	struct fetch_opts fopts;
	struct curlev *cev;   /* owned */
	struct frontier *fr;  /* owned */
	struct fetch **slots; /* owned, nslots */
	struct fetch **idle;  /* borrowed from slots: a stack */
	size_t nidle;
	/* Slots made: cfg.concurrency, or more after a cut by
	   engine_set_concurrency() (at most cfg.concurrency are busy). */
	unsigned nslots;
	unsigned rng;		/* rand_r state for retry jitter */
	struct event *pump_ev;	/* owned: deferred pump */
	struct parsepool *pool; /* owned: link extraction threads */
	bool pump_scheduled;
	struct event *wait_ev; /* owned: politeness wait */
	struct event *hk_ev;   /* owned: housekeeping */
	uint64_t hk_due_us;    /* when hk_ev should fire */
	int64_t next_page_id;
	bool halted;	    /* engine_fail_() ran: nothing more is written */
	uint32_t *lag_hist; /* owned, LAG_BUCKETS */
	uint64_t lag_samples;
	uint64_t lag_max_us;
	struct engine_stats stats; /* only stats.c writes it */
	pthread_t loop_thread;	   /* the thread that made the engine */
	uint64_t loop_cpu0_ns;	   /* its CPU clock then */
	double store_cpu0_s;	   /* the store thread's then */
	uint64_t process_cpu0_ns;  /* the process's then */
	LIST_HEAD(, crawl) crawls; /* borrowed list of live crawls */
	/* engine_add_observer(): copied into each new crawl */
	struct crawl_observer obs[CRAWL_MAX_OBSERVERS];
	size_t nobs;
};

/* A page waiting for its links: the outcome row is written with them. */
struct parsed_page {
	struct task *t;		/* borrowed from the frontier (in flight) */
	struct store_result sr; /* content_type points at ct, etag, ... */
	char *ct;		/* owned */
	char *etag;		/* owned */
	char *last_modified;	/* owned */
	char hash[DIGEST_SHA256_HEX];
};

/* engine.c */
/* Commit the store's open batch (a failure stops every crawl). */
void engine_flush_(struct engine *e);
/* Commit the open batch without waiting for it: the COMMIT runs on the
   store's writer thread after the writes so far (store_flush_async). */
void engine_flush_async_(struct engine *e);

/* Ask for one pump on the next loop pass. */
void engine_kick_(struct engine *e);

/* A failure that loses work if the crawls went on: drop the open batch,
   end every crawl with end and msg (copied), write nothing more. */
void engine_fail_(struct engine *e, enum crawl_end end, const char *msg);

/* Recording failed with rc: a store error (CRAWL_END_STORE), or
   CW_ENOMEM (CRAWL_END_ERROR, "out of memory"); see engine_fail_(). */
void engine_store_error_(struct engine *e, enum cw_rc rc);

/* true if rc is CW_OK, else engine_store_error_() and false. */
bool engine_store_ok_(struct engine *e, enum cw_rc rc);

/* crawl.c */
/* Schedule the end once nothing is queued, spilled or in flight. */
void crawl_maybe_finish_(struct crawl *c);

/* Set how the crawl ends, with a one-line message (copied; may be NULL),
   unless the end was already reported. */
void crawl_set_end_(struct crawl *c, enum crawl_end end, const char *msg);

/* The one owner of the join counts (struct crawl_tasks): */
/* Push a page task to the frontier on origin's host: queued. v (may be
   NULL) makes it a conditional fetch (frontier_push_cond). */
enum cw_rc crawl_task_push_(struct crawl *c, const char *origin,
    const char *url, int64_t id, int depth, const struct task_validators *v);

/* frontier_take() gave out a task of c: queued -> in flight. */
void crawl_task_taken_(struct crawl *c);

/* Put a taken task back for another attempt: in flight -> queued. */
void crawl_task_retry_(struct crawl *c, struct task *t, uint64_t not_before);

/* Put a taken task back untried (its robots.txt is read again first):
   in flight -> queued at the front of its host, nothing counted, not
   taken again before not_before (monotonic ms; 0: at once). */
void crawl_task_put_back_(struct crawl *c, struct task *t, uint64_t not_before);

/* A seed host's state in crawl.seed_hosts. */
#define CRAWL_SEED_HOST_KNOWN 0	  /* an address, or looked up */
#define CRAWL_SEED_HOST_PENDING 1 /* its lookup has not answered */
/* How long a task of such a host waits before it is looked at again. */
#define CRAWL_SEED_HOST_WAIT_MS 50

/* Whether url's host is a seed host of c whose lookup has not answered
   (its addresses not allowed yet). */
bool crawl_seed_host_pending_(const struct crawl *c, const char *url);

/* A task of c left flight, after its children were put: gone. */
void crawl_task_done_(struct crawl *c, struct task *t);

/* The engine is going away with t in flight: gone, the crawl not
   finished (its row stays 'fetching' for a resume). */
void crawl_task_abandon_(struct crawl *c, struct task *t);

/* A queued page kept only as its database row (id). */
void crawl_spill_(struct crawl *c, int64_t id);

/* Spilled row id is being paged back in (crawl_task_push_ follows). */
void crawl_unspill_(struct crawl *c, int64_t id);

/* The spilled rows were not found (a batch was lost): they stay 'queued'
   rows for a resume, and this run stops counting them. */
void crawl_spill_lost_(struct crawl *c);

/* A 'skipped' (depth) page is queued after a shorter path to it was
   found: skipped -> enqueued. (A fetched page fetched again is counted
   as a revisit is: done counts complete responses.) */
void crawl_count_unskipped_(struct crawl *c);

/* discover.c */
/*
 * The seen-set's value: a page id (ids stay far below 2^48) with the
 * depth the page is recorded at (13 bits; --depth is at most 1000) and
 * what became of it, so a URL found again by a shorter path is known
 * without a database read, in the 16 bytes a URL already costs.
 */
enum crawl_seen_kind {
	/* queued (in memory or spilled) or in flight: its links are taken
	   at the recorded depth when it is parsed */
	CRAWL_SEEN_PENDING = 0,
	/* fetched, with links taken (or not, at the limit) at its depth */
	CRAWL_SEEN_TAKEN = 1,
	/* skipped for its depth */
	CRAWL_SEEN_TOO_DEEP = 2,
	/* nothing a shorter path changes: skipped for another reason,
	   failed, or a body without links */
	CRAWL_SEEN_FINAL = 3,
};
#define CRAWL_SEEN_ID_BITS 48
#define CRAWL_SEEN_DEPTH_MAX 8191 /* 13 bits */

static inline int64_t
crawl_seen_pack(int64_t id, int depth, enum crawl_seen_kind kind)
{
	if (depth > CRAWL_SEEN_DEPTH_MAX)
		depth = CRAWL_SEEN_DEPTH_MAX;
	return id | (int64_t)depth << CRAWL_SEEN_ID_BITS |
	    (int64_t)kind << (CRAWL_SEEN_ID_BITS + 13);
}

static inline int64_t
crawl_seen_id(int64_t v)
{
	return v & (((int64_t)1 << CRAWL_SEEN_ID_BITS) - 1);
}

static inline int
crawl_seen_depth(int64_t v)
{
	return (int)(v >> CRAWL_SEEN_ID_BITS & CRAWL_SEEN_DEPTH_MAX);
}

static inline enum crawl_seen_kind
crawl_seen_kind(int64_t v)
{
	return (enum crawl_seen_kind)(v >> (CRAWL_SEEN_ID_BITS + 13) & 3);
}

/* A taken task's depth lowered to its page's, when a shorter path was
   found while it waited (before its body's parse is planned). */
void crawl_task_depth_(struct crawl *c, struct task *t);

/* A parsed task whose links were taken in full (all but the requisites
   of a page at the limit): its links go at the page's lowered depth, if
   it has one; a partial parse is fetched again (crawl_links_taken_). */
void crawl_parsed_depth_(struct crawl *c, struct task *t);

/* A page's task is finishing, its links put (may_link: a fetched page
   that has, or could have had, links). Found meanwhile by a shorter path
   it is fetched again at that depth; else marked taken or final. */
enum cw_rc crawl_links_taken_(
    struct crawl *c, const struct task *t, bool may_link);

/* The same for a parsed page with links l: one parsed whole that has no
   link has nothing a shorter path would change, so it is final, not
   fetched again (a redirect's target found both ways, say). */
enum cw_rc crawl_parse_taken_(
    struct crawl *c, const struct task *t, const struct link_list *l);

/* How many steps a stylesheet's requisites may go past --depth + 1 (its
   @import chain). */
#define CRAWL_CSS_NEST 3

/* A URL found at depth (at most max_depth) from parent, in el's
   attribute attr: dedup, policy, rows, task; known: parent's earlier
   fetch recorded this link (not counted again). */
enum cw_rc crawl_discover_at_(struct crawl *c, const char *url, int depth,
    int max_depth, int hops, int64_t parent, enum link_element el,
    enum link_attr attr, bool known);

/* crawl_discover_at_() within --depth, attribute href (location for a
   redirect). */
enum cw_rc crawl_discover_(struct crawl *c, const char *url, int depth,
    int hops, int64_t parent, enum link_element el);

/* Discover a parsed page's links at depth + 1 (css: from a stylesheet):
   the items first[0 .. n) with their fingerprints fps (link_list_firsts),
   or every item when first is NULL. */
enum cw_rc crawl_discover_links_(struct crawl *c, const struct task *t,
    const struct link_list *l, const uint32_t *first, const uint64_t *fps,
    size_t n, bool css);

/* How a fetched body is to be parsed (false: not at all). */
bool crawl_parse_plan_(const struct crawl *c, const struct task *t,
    const struct fetch_result *res, struct links_opts *lo, bool *css);

/* Put a page's task in memory (its host's robots gate first), with
   validators v (NULL: an unconditional fetch). No spill: for pages paged
   in from the database (refill, revisit, re-mirror). */
enum cw_rc crawl_push_task_(struct crawl *c, const char *url, int64_t id,
    int depth, const struct task_validators *v);

/* Queue a page's task (with validators v, NULL for none), or spill it
   to the database (a row fetched before is paged in as a fetch again). */
enum cw_rc crawl_enqueue_(struct crawl *c, const char *url, int64_t id,
    int depth, const struct task_validators *v);

/* The first failure of a --fail-fast crawl: end FAIL_FAST and stop. */
void crawl_fail_fast_(struct crawl *c, const char *url, const char *reason);

/* Record a fetch's outcome row (and its redirect target). */
void crawl_record_(
    struct crawl *c, const struct task *t, const struct fetch_result *res);

/* Page spilled rows back in while the in-memory queue is short. */
void crawl_refill_(struct crawl *c);

/* The scope key of a URL under the crawl's --scope. */
enum cw_rc crawl_scope_key_of_(
    const struct crawl *c, const char *url, char **key);

/* Hand an HTML body to the parse pool; false: record inline. */
bool crawl_submit_parse_(struct crawl *c, struct task *t, struct fetch *f,
    const struct fetch_result *res);

/* Whether a fetched page's links are to be extracted. */
bool crawl_wants_links_(const struct crawl *c, const struct task *t,
    const struct fetch_result *res);

/* revisit.c (--revisit: done pages fall due again) */
/* The revisit state of a crawl whose options ask for one (else none). */
enum cw_rc crawl_revisit_init_(struct crawl *c);
void crawl_revisit_free_(struct crawl *c);

/* Whether the crawl revisits: it does not finish when idle. */
bool crawl_revisiting_(const struct crawl *c);

/* Page due pages in while the in-memory queue is short (the pump). */
void crawl_revisit_refill_(struct crawl *c);

/* observe.c */
/* A page's response is its outcome: tell the observers (ev->res set). */
void crawl_observe_response_(
    struct crawl *c, const struct task *t, const struct fetch_result *res);

/* A page was recorded (its row, and links when parsed, in the batch). */
void crawl_observe_recorded_(struct crawl *c, const struct task *t, long status,
    const char *content_type, const char *body, size_t body_len,
    const struct link_list *links);

/*
 * A 304 for t: ask the observers for the stored body. On true the body is
 * in f->body and *sub is res with that body and *ct (owned by the caller,
 * free() it after the page is handed on) as its type.
 */
bool crawl_observe_stored_(struct crawl *c, const struct task *t,
    struct fetch *f, const struct fetch_result *res, struct fetch_result *sub,
    char **ct);

/* A task without validators is queued: an observer may give some (true). */
bool crawl_observe_validators_(
    struct crawl *c, const char *url, struct task_validators *v);

/* The crawl ends with end: tell the observers. */
void crawl_observe_end_(struct crawl *c, enum crawl_end end);

/* hostpolicy.c */
enum retry_verdict {
	RETRY_NO = 0,	 /* record the outcome */
	RETRY_LATER,	 /* put it back, after *wait_ms */
	RETRY_ON_RESUME, /* would be retried, but the crawl is stopping:
			    not an outcome, the page stays queued */
};

/* The backoff before the next attempt after `attempts` fetches (>= 1):
   1 s doubled per attempt, capped at 60 s, jittered over its upper half
   with rand_r(rng). Saturates: any attempt count is safe. */
uint64_t crawl_backoff_ms_(int attempts, unsigned *rng);

/* Whether to retry a fetch, and after how many ms. */
enum retry_verdict crawl_retry_wait_(struct crawl *c, const struct task *t,
    const struct fetch_result *res, uint64_t *wait_ms);

enum robots_verdict {
	ROBOTS_V_ALLOW = 0,   /* fetch it */
	ROBOTS_V_DENY,	      /* a rule forbids it: 'skipped' (robots) */
	ROBOTS_V_UNREACHABLE, /* robots.txt could not be read: 'failed' */
	ROBOTS_V_NOMEM,	      /* could not even tell */
};

/* What robots.txt says about a taken page, for the crawl's own
   User-Agent product token. */
enum robots_verdict crawl_robots_verdict_(
    const struct crawl *c, const struct task *t);

/* A robots.txt fetch finished; true when put back to retry. */
bool engine_robots_done_(
    struct engine *e, struct task *t, const struct fetch_result *res);

/* The SSRF guard for robots.txt fetches: some live crawl may connect. */
bool engine_gate_addr_allowed_(
    void *arg, const struct task *t, const struct sockaddr *sa);

/* Gate an origin until its robots.txt is known. */
enum cw_rc crawl_robots_gate_(struct crawl *c, const char *origin);

/* The ca-file and proxy of the crawl that gated the host, into fo. */
void engine_gate_transport_(struct host *h, struct fetch_opts *fo);

/* A taken page whose robots.txt could not be read over another crawl's
   transport: read it again with c's (within ROBOTS_MAX_REGATES), t put
   back behind that read (or, c stopping, left 'queued' for the resume).
   True when t was taken care of; false: hold it back as the verdict says. */
bool crawl_robots_regate_(struct crawl *c, struct task *t);

/* Record a page robots.txt holds back (verdict v, not ALLOW), and finish
   its task. */
void crawl_hold_robots_(struct crawl *c, struct task *t, enum robots_verdict v);

/* A crawl's --delay on origin's host: the host's delay is the largest
   any crawl on it asked for (and robots.txt's Crawl-delay). */
enum cw_rc crawl_host_delay_(struct crawl *c, const char *origin);

/* The SSRF guard: may the crawl connect to sa? (fetch.h) */
bool crawl_addr_allowed_(
    void *arg, const struct task *t, const struct sockaddr *sa);

/* stats.c: the one place struct engine_stats is counted. */
/* A transfer of kind k finished with res after dur_us. */
void engine_count_fetch_(struct engine *e, enum engine_fetch_kind k,
    const struct fetch_result *res, uint64_t dur_us);

/* A robots.txt fetch was settled as o (or tried again). */
void engine_count_robots_(struct engine *e, enum engine_robots_outcome o);

/* robots.txt held a page back with verdict v. */
void engine_count_held_(struct engine *e, enum robots_verdict v);

/* The housekeeping timer was late_us late. */
void engine_count_lag_(struct engine *e, uint64_t late_us);

/* A crawl is freed: keep its counts in the engine's totals. */
void engine_retire_(struct engine *e, const struct crawl *c);

#endif /* CRAWLD_ENGINE_INT_H */
