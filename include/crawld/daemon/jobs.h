/* SPDX-License-Identifier: MIT */
/*
 * jobs.h - the daemon's jobs: one per crawls row, several running at once
 * in ONE engine (one frontier, one per-host budget). A job's state lives
 * in its row, so it survives a restart: jobs_load() resumes every
 * 'running' job and keeps 'paused' ones paused.
 *
 *   submit   a new crawl (crawl_start): 'running'
 *   pause    the row becomes 'paused' at once; the crawl stops taking
 *            tasks (crawl_stop), its transfers in flight finish, and its
 *            queued pages stay 'queued' rows
 *   resume   crawl_resume() from the database (the kill -9 resume path)
 *   cancel   as pause, state 'cancelled' (rows kept)
 *   shutdown every live crawl stops; rows stay 'running' to be resumed
 *
 * Owns the jobs and their options (a crawl borrows its options, so they
 * live as long as the job). Borrows the engine, the store and the config.
 * Loop thread only; nothing here blocks except the store's short queries.
 */
#ifndef CRAWLD_JOBS_H
#define CRAWLD_JOBS_H

#include <jansson.h>

#include "crawld/conf/config.h"
#include "crawld/engine/engine.h"
#include "crawld/store/store.h"

struct jobs;

enum job_state {
	JOB_RUNNING = 0,
	JOB_PAUSED,
	JOB_DONE,
	JOB_CANCELLED,
};

/* What a request did; the API maps each to its HTTP status. */
enum jobs_rc {
	JOBS_OK = 0,
	JOBS_EINVAL,	/* bad request (400) */
	JOBS_ENOENT,	/* no such job (404) */
	JOBS_ESTATE,	/* not in a state that allows it (409) */
	JOBS_ELIMIT,	/* max_jobs reached (429) */
	JOBS_ESHUTDOWN, /* the daemon is stopping (503) */
	JOBS_EINTERNAL, /* database or memory (500) */
};

/* Called once every live crawl has stopped after jobs_shutdown(). */
typedef void jobs_idle_cb(void *arg);

/* Called when the database refused a write: the daemon must stop. */
typedef void jobs_fatal_cb(void *arg, const char *msg);

/* A new job table over e and st (borrowed), config cfg (borrowed). */
struct jobs *jobs_new(struct engine *e, struct store *st,
    const struct daemon_config *cfg, jobs_fatal_cb *fatal_cb, void *arg);

/* Free every job. The engine must be freed first (it frees the crawls
   that still run, which borrow the jobs' options). NULL is a no-op. */
void jobs_free(struct jobs *j);

/* A new config (borrowed) for jobs submitted from now on (SIGHUP). */
void jobs_set_config(struct jobs *j, const struct daemon_config *cfg);

/* Read every crawls row: resume the 'running' ones, keep the others.
   A job that cannot be resumed is marked paused with its error. */
CW_WARN_UNUSED enum cw_rc jobs_load(struct jobs *j, char *err, size_t errlen);

/*
 * Submit a job from a request object {"seeds": [...], option: value...}
 * (borrowed). On JOBS_OK *id is the new job's; otherwise err says why.
 */
enum jobs_rc jobs_submit(
    struct jobs *j, const json_t *req, int64_t *id, char *err, size_t errlen);

enum jobs_rc jobs_pause(struct jobs *j, int64_t id, char *err, size_t errlen);
enum jobs_rc jobs_resume(struct jobs *j, int64_t id, char *err, size_t errlen);
enum jobs_rc jobs_cancel(struct jobs *j, int64_t id, char *err, size_t errlen);

/* Add the seeds of req ({"seeds": [...]}) to a running or paused job. */
enum jobs_rc jobs_add_seeds(
    struct jobs *j, int64_t id, const json_t *req, char *err, size_t errlen);

/* A job as the API shows it (new reference; NULL: no such job or out of
   memory, *rc says which). */
json_t *jobs_describe(struct jobs *j, int64_t id, enum jobs_rc *rc);

/* {"crawls": [job, ...]} (new reference; NULL on failure). */
json_t *jobs_list(struct jobs *j);

/* Stop every live crawl (in-flight transfers finish); idle is called once
   none is live any more (at once when none is). New submissions fail. */
void jobs_shutdown(struct jobs *j, jobs_idle_cb *idle, void *arg);

/* Once a second: the pages/s of each live job. */
void jobs_tick(struct jobs *j);

/* What /metrics and STATUS= show of one job. */
struct job_info {
	int64_t id;
	enum job_state state;
	int64_t counts[STORE_NSTATES]; /* pages by state, from the database */
	double pages_per_s;	       /* over the last seconds */
	bool live;		       /* a crawl of it is in the engine */
};

/* Call cb for every job; false when the database failed. */
bool jobs_each(struct jobs *j, void (*cb)(void *arg, const struct job_info *ji),
    void *arg);

/* Jobs by state (the page and fetch counters are the engine's:
   engine_get_stats()). */
struct jobs_totals {
	size_t by_state[4]; /* jobs per enum job_state */
	double pages_per_s; /* all live jobs */
};
void jobs_get_totals(struct jobs *j, struct jobs_totals *t);

/* "running", "paused", "done", "cancelled". */
const char *job_state_name(enum job_state s);

#endif /* CRAWLD_JOBS_H */
