/* SPDX-License-Identifier: MIT */
/*
 * store.h - the SQLite result store: schema, migrations, batched writes and
 * the read side used by export. All SQL in crawld lives in store.c; no other
 * module builds a query, so a second backend is a matter of one module.
 *
 * Threading: a struct store is one sqlite3 connection and is used by one
 * thread at a time (the loop thread in the engine). With the writer thread
 * (store_writer_start), store_page_insert, store_page_fetching,
 * store_page_depth,
 * store_page_finish and store_link_insert are queued and run on that
 * thread, in call order, in the same batch; every other function first
 * waits for the queue to be run (store_sync), so it sees every earlier
 * write. A new function that touches the connection must begin with
 * STORE_SYNC(st) (store.c), and writes do it in store_begin() anyway.
 *
 * Batching: writes open a transaction on first use and stay in it until
 * store_flush() commits (the engine flushes on a timer and by row count),
 * so one commit covers many pages and never stalls the network loop long.
 * Readers (the sqlite3 shell, export) see committed batches (WAL).
 *
 * Page ids are chosen by the caller (see store_next_page_id) so a page can
 * be referenced as a parent or link target before its batch is committed.
 */
#ifndef CRAWLD_STORE_H
#define CRAWLD_STORE_H

#include <stdbool.h>

#include "crawld/base/common.h"
#include "crawld/web/links.h"

struct store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 6

enum page_state {
	PAGE_QUEUED = 0,
	PAGE_FETCHING,
	PAGE_DONE,    /* a complete HTTP response, any status */
	PAGE_FAILED,  /* no complete response */
	PAGE_SKIPPED, /* not fetched by policy */
};

/* "queued", "fetching", "done", "failed", "skipped". */
const char *page_state_name(enum page_state s);

#define STORE_F_SYNC_FULL 0x1 /* PRAGMA synchronous=FULL (default NORMAL) */
#define STORE_F_READONLY 0x2  /* open for reading only (export) */

/*
 * Open or create the database at path, set WAL, create or migrate the
 * schema. On failure returns CW_EIO/CW_ESTORE and writes a one-line reason
 * into err (errlen bytes) naming the path. On CW_OK *out is the caller's
 * (store_close). A database with a newer user_version is refused.
 */
CW_WARN_UNUSED enum cw_rc store_open(const char *path, unsigned flags,
    struct store **out, char *err, size_t errlen);

/* Commit any open batch, finalise statements and close. NULL is a no-op. */
void store_close(struct store *st);

/* The last SQLite error message of this connection (borrowed). */
const char *store_errmsg(const struct store *st);

/*
 * Insert a crawls row (state "running"); seeds_json and options_json are
 * JSON texts stored as given. *crawl_id gets the new id.
 */
CW_WARN_UNUSED enum cw_rc store_crawl_create(struct store *st,
    const char *seeds_json, const char *options_json, int64_t created_us,
    int64_t *crawl_id);

/* Set a crawl's state ("running", "paused", "done", "cancelled"); when
   finished_us is non-zero also set finished_at. */
CW_WARN_UNUSED enum cw_rc store_crawl_set_state(
    struct store *st, int64_t crawl_id, const char *state, int64_t finished_us);

/* What store_crawl_latest() found; seeds_json is the caller's (free). */
struct store_crawl_info {
	int64_t id; /* 0 when there is no such crawl */
	char state[16];
	char *seeds_json;
};

/*
 * The newest crawl whose seeds column equals seeds_json (NULL: the newest
 * of all), for resuming; seeds_json is normalised seeds as crawl_start()
 * stores them, and a row an older crawld wrote with the seeds as typed
 * matches too (compared normalised). CW_OK with info->id == 0 when there
 * is none.
 */
CW_WARN_UNUSED enum cw_rc store_crawl_latest(
    struct store *st, const char *seeds_json, struct store_crawl_info *info);

/* Turn a crawl's 'fetching' pages (in flight when it stopped) back into
   'queued', in the open batch. */
CW_WARN_UNUSED enum cw_rc store_crawl_requeue(
    struct store *st, int64_t crawl_id);

/* Called per page by store_walk_pages (url borrowed for the call); a
   non-zero return stops the walk with CW_EINVAL. fetched: the row has a
   fetch (fetched_at): a 'queued' one is to be fetched again (a revisit
   left by a stop, a page found by a shorter path). */
typedef int store_page_cb(void *arg, int64_t id, const char *url, int depth,
    enum page_state state, bool fetched);

/* Every page of a crawl in id order (discovery order), for a resume. */
CW_WARN_UNUSED enum cw_rc store_walk_pages(
    struct store *st, int64_t crawl_id, store_page_cb *cb, void *arg);

/*
 * The 'queued' pages of a crawl with id >= from_id, in id order, at most
 * limit of them: the part of the frontier kept only in the database.
 * Uses the (crawl_id, state) index. cb as for store_walk_pages. With the
 * read connection (store_writer_start) it returns committed rows first,
 * possibly fewer than there are, and waits for the writer only when none
 * is committed yet: rows are committed in id order, so those returned are
 * always the first ones.
 */
CW_WARN_UNUSED enum cw_rc store_load_queued(struct store *st, int64_t crawl_id,
    int64_t from_id, size_t limit, store_page_cb *cb, void *arg);

/*
 * store_load_queued() that sees the open batch too: it waits for the
 * writer to run the writes queued so far (no commit) and reads on the
 * writing connection. For when a row was made 'queued' again after rows
 * with larger ids were committed (store_page_depth's requeue): a read of
 * committed rows first would hand over those and step past it.
 */
CW_WARN_UNUSED enum cw_rc store_load_queued_latest(struct store *st,
    int64_t crawl_id, int64_t from_id, size_t limit, store_page_cb *cb,
    void *arg);

/* The next free page id: MAX(pages.id) + 1 (1 for an empty table). */
CW_WARN_UNUSED enum cw_rc store_next_page_id(struct store *st, int64_t *id);

/* A new pages row. Strings are borrowed for the call only. */
struct store_page {
	int64_t id;
	int64_t crawl_id;
	int64_t parent_id; /* 0 = NULL (a seed) */
	const char *url;
	int depth;
	enum page_state state; /* PAGE_QUEUED or PAGE_SKIPPED */
	const char *reason;    /* NULL or why skipped */
	int64_t discovered_us; /* wall clock, microseconds */
};

/* Insert a page row (in the open batch). CW_EINVAL if (crawl, url) exists. */
CW_WARN_UNUSED enum cw_rc store_page_insert(
    struct store *st, const struct store_page *pg);

/* Mark a page as being fetched (queued -> fetching). */
CW_WARN_UNUSED enum cw_rc store_page_fetching(struct store *st, int64_t id);

/* A page found again by a shorter path: set its depth; with requeue the
   row becomes 'queued' (reason cleared) to be fetched again, from
   'skipped' (depth) or from a finished state. CW_EINVAL: no such page. */
CW_WARN_UNUSED enum cw_rc store_page_depth(
    struct store *st, int64_t id, int depth, bool requeue);

/* The outcome of a fetch. Strings are borrowed for the call only. */
struct store_result {
	int64_t id;
	enum page_state state;	  /* PAGE_DONE, PAGE_FAILED or PAGE_SKIPPED */
	const char *reason;	  /* NULL or the error */
	int status;		  /* HTTP status, 0 = NULL */
	const char *content_type; /* NULL allowed */
	int64_t bytes;		  /* body bytes, -1 = NULL */
	int64_t fetched_us;	  /* wall clock, microseconds; 0 = NULL
				     (a page skipped without a fetch) */
	int attempts;		  /* fetches tried (retries + 1); 0 = none */
	/* A request went out (state done or failed, fetched_us set): the
	   outcome is also a fetches row. */
	bool fetched;
	const char *etag;	   /* the response's ETag; NULL = none */
	const char *last_modified; /* its Last-Modified; NULL = none */
	const char *content_hash;  /* SHA-256 hex of a 2xx body; NULL */
	/* With content_hash NULL: a 2xx body whose SHA-256 the store makes
	   the content_hash (borrowed for the call: see store_page_finish). */
	const void *body;
	size_t body_len;
	bool not_modified; /* a 304 to a conditional request */
	/* The fetch brought no new content (a 304, a failed revisit): the
	   page stays 'done' with its earlier status, content type, bytes
	   and hash; fetched_at, attempts and any validators sent are
	   updated. state, status, reason still describe this fetch for
	   its fetches row. */
	bool keep_content;
};

/*
 * Record a page's outcome (fetching -> done | failed | skipped). A fetch
 * (res->fetched) also gets its fetches row, in the same batch; the page's
 * etag and last_modified become the response's, content_hash the 2xx
 * body's, and changed_at (= fetched_at) moves only when that hash differs
 * from the one stored (the first one counts as a change).
 *
 * A body given instead of its hash (res->body) is hashed by the store:
 * with the writer thread, a copy goes in the queue and is hashed there,
 * off the caller's thread (the network loop: SHA-256 of every page
 * recorded unparsed was a fifth of its CPU in B1, docs/benchmarks.md),
 * while the copies waiting stay under STOREW_BODY_MAX bytes (store.c);
 * past that, or without the writer, it is hashed during the call. A
 * digest that fails leaves content_hash NULL (logged): no hash rather
 * than a wrong one, as fetch.c does for a streamed body.
 */
CW_WARN_UNUSED enum cw_rc store_page_finish(
    struct store *st, const struct store_result *res);

/* Where a walk of due pages has got to: the last (fetched_at, id) handed
   out; start with fetched_at "" and id 0. */
struct store_due_cursor {
	char fetched_at[CW_ISO8601_LEN];
	int64_t id;
};

/* A done page that fell due; every pointer borrowed for the callback. */
struct store_due_page {
	int64_t id;
	const char *url;
	int depth;
	const char *fetched_at;
	const char *etag;	   /* NULL */
	const char *last_modified; /* NULL */
};

/* Called per due page; a non-zero return stops the walk (CW_EINVAL). */
typedef int store_due_cb(void *arg, const struct store_due_page *p);

/*
 * At most limit 'done' pages of a crawl fetched at or before due_us (wall
 * clock) and after *cur, oldest fetch first, from the (crawl_id, state,
 * fetched_at) index; *cur moves past each page handed out. A revisit
 * pages these in as its frontier has room.
 */
CW_WARN_UNUSED enum cw_rc store_load_due(struct store *st, int64_t crawl_id,
    int64_t due_us, struct store_due_cursor *cur, size_t limit,
    store_due_cb *cb, void *arg);

/* When the first 'done' page after *cur was fetched (wall clock, us);
 *fetched_us = 0 when there is none. */
CW_WARN_UNUSED enum cw_rc store_next_due(struct store *st, int64_t crawl_id,
    const struct store_due_cursor *cur, int64_t *fetched_us);

/* Record a link src -> dst found in element's attribute attr (ignored if
   the pair exists: the first way it was found is kept). */
CW_WARN_UNUSED enum cw_rc store_link_insert(struct store *st, int64_t src_id,
    int64_t dst_id, enum link_element element, enum link_attr attr);

/* Drop the open batch, if any: none of its rows is committed (the engine
   gave up half way, e.g. out of memory with a page's links half put). A
   ROLLBACK that fails leaves the store refusing every later write. */
void store_rollback(struct store *st);

/* Commit the open batch, if any. */
CW_WARN_UNUSED enum cw_rc store_flush(struct store *st);

/* Commit the open batch on the writer thread (store_writer_start): the
   COMMIT is queued behind every write so far and the caller goes on; its
   failure (the batch rolled back) is returned by a later call, as a
   queued write's is. Without the writer thread, store_flush(). */
CW_WARN_UNUSED enum cw_rc store_flush_async(struct store *st);

/* Rows written into the open batch since the last flush (with the writer
   thread: the writes queued and run, one a row). */
size_t store_batch_rows(const struct store *st);

/*
 * Run the four per-page writes (see Threading) on a thread of the store's
 * own, so the caller's thread only copies them into a queue: on the
 * engine's loop thread SQLite was a third of its CPU (docs/benchmarks.md).
 * A queued write's failure is returned by a later call (a write that
 * hands the queue over, store_sync, store_flush, any read), and nothing
 * more is run until store_flush() or store_rollback() drops the batch:
 * treat any failure as the end of the batch, as the engine does.
 * Idempotent; store_close() stops the thread. CW_EINVAL on a read-only
 * store, CW_ENOMEM when the thread cannot be made.
 *
 * With the thread, a WAL file also gets a second, read-only connection
 * used on the caller's thread: store_load_queued, store_crawl_counts_
 * committed and store_crawl_last_failed read committed batches there and
 * do not wait for the queue (the queue, a COMMIT in it, or a writer thread
 * that has no CPU would otherwise stall the caller's loop).
 */
CW_WARN_UNUSED enum cw_rc store_writer_start(struct store *st);

/* Wait until every queued write has run (CW_OK at once without the
   writer thread); the first failure of one, kept until the batch is
   dropped, is returned. */
CW_WARN_UNUSED enum cw_rc store_sync(struct store *st);

/* The writer thread's CPU time in *seconds; false (and 0) without one. */
bool store_writer_cpu(const struct store *st, double *seconds);

/* Number of pages of a crawl (0 = all crawls) in a state (NULL = any). */
CW_WARN_UNUSED enum cw_rc store_count_pages(
    struct store *st, int64_t crawl_id, const char *state, int64_t *count);

enum store_order {
	STORE_ORDER_DISCOVERED = 0, /* ORDER BY discovered_at, id */
	STORE_ORDER_FETCHED, /* ORDER BY fetched_at, id; unfetched last */
};

/* One page as read back; every pointer is borrowed for the callback only. */
struct store_row {
	int64_t id;
	int64_t crawl_id;
	const char *url;
	int depth;
	const char *state;
	const char *reason; /* NULL */
	int status;	    /* valid when has_status */
	bool has_status;
	const char *content_type; /* NULL */
	int64_t bytes;		  /* valid when has_bytes */
	bool has_bytes;
	const char *discovered_at;
	const char *fetched_at; /* NULL */
	int64_t parent_id;	/* 0 = none */
	const char *parent_url; /* NULL for seeds */
};

/* Called once per row; a non-zero return stops the walk (CW_OK). */
typedef int store_row_cb(void *arg, const struct store_row *row);

/* Walk the pages of crawl_id (0 = every crawl) in the given order. */
CW_WARN_UNUSED enum cw_rc store_export(struct store *st, int64_t crawl_id,
    enum store_order order, store_row_cb *cb, void *arg);

/*
 * Debug aid for tests: run EXPLAIN QUERY PLAN on the statements executed
 * per page or per link, or per API request. *scans gets the number of plan
 * steps that are a full "SCAN" (a table or index walk instead of a keyed
 * SEARCH) or a sort in a temporary b-tree; detail
 * (len bytes) gets those steps' text, "; "-separated. Zero is the goal.
 */
CW_WARN_UNUSED enum cw_rc store_explain_hot(
    struct store *st, int *scans, char *detail, size_t len);

/* Pages states, the size of a per-state count array. */
#define STORE_NSTATES 5

/* A crawls row, every pointer borrowed for the callback only. */
struct store_crawl_row {
	int64_t id;
	const char *seeds_json;
	const char *options_json;
	const char *state;
	const char *created_at;
	const char *finished_at; /* NULL */
};

/* Called per crawls row; a non-zero return stops the walk (CW_EINVAL). */
typedef int store_crawl_cb(void *arg, const struct store_crawl_row *r);

/* Every crawls row in id order (the daemon's jobs). */
CW_WARN_UNUSED enum cw_rc store_crawl_list(
    struct store *st, store_crawl_cb *cb, void *arg);

/* The crawls row crawl_id (cb not called when there is none). */
CW_WARN_UNUSED enum cw_rc store_crawl_get(
    struct store *st, int64_t crawl_id, store_crawl_cb *cb, void *arg);

/* A crawl's pages by state, indexed by enum page_state, as this
   connection sees them (the open batch included). */
CW_WARN_UNUSED enum cw_rc store_crawl_counts(
    struct store *st, int64_t crawl_id, int64_t counts[STORE_NSTATES]);

/* The same as committed batches show them, read without waiting for the
   writer thread (see store_writer_start); without the read connection,
   store_crawl_counts(). For a live crawl's progress. */
CW_WARN_UNUSED enum cw_rc store_crawl_counts_committed(
    struct store *st, int64_t crawl_id, int64_t counts[STORE_NSTATES]);

/*
 * Live counts: from now on keep crawl_id's pages by state as this store
 * writes them (SQLite triggers on this connection feed a tally, see
 * store/tally.h), so store_crawl_counts_live() reads them without
 * counting: a GROUP BY over a 100,000-page crawl took 15-20 ms of the
 * loop. The one base count is queued behind the writes so far (the writer
 * thread runs it); a second call for the same crawl is a no-op. CW_EINVAL
 * on a read-only store; a failure to queue is a write's failure.
 */
CW_WARN_UNUSED enum cw_rc store_crawl_track(struct store *st, int64_t crawl_id);

/* A tracked crawl's counts as the writes run so far have made them (the
   open batch included; the writer thread may be behind the caller by
   its queue), or false: not tracked, its base count not
   run yet, or every tally dropped with a batch (track it again). Any
   thread; never waits for the writer. */
bool store_crawl_counts_live(
    struct store *st, int64_t crawl_id, int64_t counts[STORE_NSTATES]);

/* Stop tracking crawl_id (a no-op when it is not tracked). */
void store_crawl_untrack(struct store *st, int64_t crawl_id);

/* The page of a crawl that failed last (latest fetched_at, then highest
   id): its URL and reason ("" and "" when none failed), as committed batches
   show it when the read connection is there (see store_writer_start). */
CW_WARN_UNUSED enum cw_rc store_crawl_last_failed(struct store *st,
    int64_t crawl_id, char *url, size_t urllen, char *reason, size_t reasonlen);

/* Append url to crawls.seeds of crawl_id unless it is there (in the
   open batch); url is borrowed for the call. */
CW_WARN_UNUSED enum cw_rc store_crawl_add_seed(
    struct store *st, int64_t crawl_id, const char *url);

/* How long commits took: a histogram for the daemon's /metrics. */
#define STORE_COMMIT_BUCKETS 11
extern const double store_commit_bounds[STORE_COMMIT_BUCKETS]; /* seconds */
struct store_stats {
	uint64_t commits;
	double commit_seconds;			  /* sum */
	uint64_t commit_le[STORE_COMMIT_BUCKETS]; /* cumulative, <= bound */
};

/* The commit-time counters of this connection. */
void store_get_stats(const struct store *st, struct store_stats *out);

/*
 * The mirror's map (mirror_files): what each mirrored URL became under the
 * mirror directory. Every step after the first write (conversion, a
 * re-mirror, `crawld convert`) reads the path from here instead of
 * computing it again, so a name chosen once (a collision, a variant for a
 * taken path) stays. One map per mirror directory (root, its realpath):
 * the same URL mirrored into two directories is two independent rows.
 * Strings borrowed: for the call (put) or the callback.
 */
struct store_mirror_file {
	const char *root;	  /* the mirror directory's realpath */
	const char *url;	  /* the page URL (normalised) */
	const char *path;	  /* relative to the mirror root */
	const char *kind;	  /* "html", "css", "file" or "redirect" */
	const char *content_type; /* NULL */
	const char *etag;	  /* the validators it came with; NULL */
	const char *last_modified;
	const char *sha256; /* of the body as fetched (hex); NULL */
	const char *target; /* a redirect's target URL; NULL */
	int64_t size;	    /* body bytes as fetched; -1 = NULL */
	int64_t mtime_ns;   /* the file's mtime after it was written; 0 */
	int64_t crawl_id;   /* the crawl that fetched it last; 0 */
	int64_t page_id;
	int64_t updated_us; /* put: wall clock */
	bool stale;	    /* a document with links left absolute whose
			       targets may come later: converted again at
			       a crawl's end (also a resumed one's) */
};

/* Insert or replace (root, url)'s row (in the open batch). CW_EINVAL for
   a row without root, url, path or a known kind. */
CW_WARN_UNUSED enum cw_rc store_mirror_put(
    struct store *st, const struct store_mirror_file *f);

/* Called per row; non-zero stops the walk (CW_OK). */
typedef int store_mirror_cb(void *arg, const struct store_mirror_file *f);

/* The row of url under root (cb not called when there is none). */
CW_WARN_UNUSED enum cw_rc store_mirror_get(struct store *st, const char *root,
    const char *url, store_mirror_cb *cb, void *arg);

/* A row of root holding path (cb not called when there is none). */
CW_WARN_UNUSED enum cw_rc store_mirror_get_path(struct store *st,
    const char *root, const char *path, store_mirror_cb *cb, void *arg);

/* Every row of root, in URL order. */
CW_WARN_UNUSED enum cw_rc store_mirror_walk(
    struct store *st, const char *root, store_mirror_cb *cb, void *arg);

/* root's rows marked stale, in URL order. */
CW_WARN_UNUSED enum cw_rc store_mirror_walk_stale(
    struct store *st, const char *root, store_mirror_cb *cb, void *arg);

/*
 * The rows migrated from schema version 5 (one mirror, keyed by URL
 * alone: root '') become root's, in the open batch; once claimed they are
 * no other root's. A URL root already holds keeps root's row (the old
 * one is dropped). The mirror
 * calls it when it opens, so the directory a v5 database mirrored into
 * stays conditional on its next run.
 */
CW_WARN_UNUSED enum cw_rc store_mirror_adopt(
    struct store *st, const char *root);

/*
 * WARC output (--warc): the files a crawl wrote (warc_files) and every
 * record in them (warc_records), written in the same batch as the page
 * outcome they archive, so a committed record is always whole in its
 * file and a resume cuts the file after the last one.
 */

/* A new warc_files row for crawl_id (in the open batch): base is the
   --warc path as given (its files share one CDXJ index), path the file. */
CW_WARN_UNUSED enum cw_rc store_warc_file_add(struct store *st,
    int64_t crawl_id, const char *base, const char *path, int64_t created_us,
    int64_t *file_id);

struct store_warc_file {
	int64_t id;   /* 0: none */
	char *path;   /* the caller's (free) */
	uint64_t end; /* where its last recorded record ends */
};

/* The newest file crawl_id wrote for base, as this connection sees it
   (the open batch included). CW_OK with f->id == 0 when there is none. */
CW_WARN_UNUSED enum cw_rc store_warc_file_last(struct store *st,
    int64_t crawl_id, const char *base, struct store_warc_file *f);

/* One warc_records row; strings borrowed for the call. */
struct store_warc_record {
	int64_t file_id;
	int64_t page_id;  /* 0 = NULL (warcinfo) */
	const char *type; /* "warcinfo", "request", "response", "revisit" */
	const char *record_id;
	const char *target_uri;	    /* NULL for warcinfo */
	const char *date;	    /* its WARC-Date */
	uint64_t offset;	    /* of its gzip member in the file */
	uint64_t length;	    /* of the member */
	int status;		    /* HTTP status, 0 = NULL */
	const char *payload_digest; /* NULL allowed */
	const char *cdxj;	    /* its index line; NULL = not indexed */
};

/* Insert a record row (in the open batch). */
CW_WARN_UNUSED enum cw_rc store_warc_record_add(
    struct store *st, const struct store_warc_record *r);

/* What a revisit record refers to. */
struct store_warc_ref {
	bool found;
	char record_id[64];
	char date[40];
	char payload_digest[48];
};

/* The newest response record of url in base's files (ref->found false
   when none). */
CW_WARN_UNUSED enum cw_rc store_warc_last_response(struct store *st,
    const char *base, const char *url, struct store_warc_ref *ref);

/* Called per line; a non-zero return stops the walk (CW_EINVAL). */
typedef int store_line_cb(void *arg, const char *line);

/* Every CDXJ line of base's files, in byte order (LC_ALL=C sort). */
CW_WARN_UNUSED enum cw_rc store_warc_cdxj(
    struct store *st, const char *base, store_line_cb *cb, void *arg);

#endif /* CRAWLD_STORE_H */
