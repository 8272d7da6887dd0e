/* SPDX-License-Identifier: MIT */
/*
 * jobs.c - the daemon's jobs (see jobs.h): the table of jobs, each a
 * crawls row with, while it runs, a crawl in the shared engine; submit,
 * pause, resume, cancel and shutdown as state changes of the row first
 * and of the crawl second, so what the database says is what a restart
 * does. Owns struct job and its options; borrows the engine and store.
 *
 * A stop is not a finish: crawl_stop() lets the transfers in flight
 * complete, and the crawl's done callback (from a deferred event) is where
 * the job settles in the state that was asked for (job->after).
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <time.h>

#include "crawld/base/log.h"
#include "crawld/daemon/jobs.h"
#include "crawld/mirror/mirror.h"
#include "crawld/mirror/warcout.h"
#include "crawld/web/url.h"

#define JOBS_MAX_SEEDS 10000
#define JOBS_RATE_WINDOW 10   /* seconds of pages/s history */
#define JOBS_COUNTS_US 250000 /* a live job's counts are this fresh */

struct job {
	struct jobs *j; /* borrowed: the table it is in */
	int64_t id;
	enum job_state state; /* as in the crawls row */
	enum job_state after; /* what a stopping crawl settles as */
	bool shutdown;	      /* stopping because the daemon stops */
	struct crawl *crawl;  /* borrowed from the engine; NULL when not live */
	struct warcout *warc; /* owned while live: its "warc" output, NULL */
	struct mirror *mirror;	/* owned while live: its "mirror", NULL */
	struct crawl_opts opts; /* owned; the crawl borrows it */
	bool has_opts;
	char *seeds_json;   /* owned, as in the row */
	char *options_json; /* owned, as in the row */
	/* Owned: the two texts parsed once for the API (NULL until asked
	   for, and again once the text changes): a job polled 100 times a
	   second with 10,000 seeds is not parsed 100 times a second. */
	json_t *seeds_v;
	json_t *options_v;
	char *created_at;  /* owned */
	char *finished_at; /* owned; NULL */
	char *error;	   /* owned; the last job-level error, NULL */
	int64_t counts[STORE_NSTATES]; /* cached: see job_counts() */
	bool counts_cached;	       /* for good: the job is finished */
	uint64_t counts_at_us;	       /* when counts were read (live) */
	uint64_t rate_ring[JOBS_RATE_WINDOW + 1]; /* done + failed, 1/s */
	size_t rate_n;
	/* The job's runs in this process, for the pages/s of a finished
	   job: pages fetched (done + failed) and seconds running. */
	uint64_t run_pages;
	double run_s;
	TAILQ_ENTRY(job) entry;
};

TAILQ_HEAD(job_list, job);

struct jobs {
	struct engine *e;		 /* borrowed */
	struct store *st;		 /* borrowed */
	const struct daemon_config *cfg; /* borrowed */
	struct job_list list;		 /* owned */
	size_t live;			 /* jobs with a crawl in the engine */
	bool shutting_down;
	jobs_idle_cb *idle_cb;
	void *idle_arg;
	jobs_fatal_cb *fatal_cb;
	void *fatal_arg;
};

static const char *const job_state_names[] = {
    [JOB_RUNNING] = "running",
    [JOB_PAUSED] = "paused",
    [JOB_DONE] = "done",
    [JOB_CANCELLED] = "cancelled",
};

static void job_crawl_done(struct crawl *c, void *arg);

/* "running", ... */
const char *
job_state_name(enum job_state s)
{
	return (unsigned)s < CW_NELEM(job_state_names) ? job_state_names[s]
						       : "?";
}

/* The state named by a crawls row. */
static enum job_state
job_state_of(const char *name)
{
	size_t i;

	for (i = 0; i < CW_NELEM(job_state_names); i++)
		if (strcmp(name, job_state_names[i]) == 0)
			return (enum job_state)i;
	return JOB_CANCELLED; /* a state this build does not know: leave it */
}

/* Replace an owned string with a copy of s (NULL clears). */
static void
job_set_str(char **field, const char *s)
{
	char *copy = cw_strdup(s);

	if (s != NULL && copy == NULL)
		return; /* keep the old text rather than lose it */
	free(*field);
	*field = copy;
}

/* Replace a JSON text of the job and drop its parsed value. */
static void
job_set_json(char **field, json_t **parsed, const char *s)
{
	job_set_str(field, s);
	json_decref(*parsed);
	*parsed = NULL;
}

/* A JSON text of the job as a value, parsed on first use into *parsed
   and kept there (job_set_json drops it); NULL when it does not parse.
   Borrowed from the job. */
static json_t *
job_json_parsed(const char *text, json_t **parsed)
{
	if (*parsed == NULL && text != NULL)
		*parsed = json_loads(text, 0, NULL);
	return *parsed;
}

/* Free a job (its crawl must be gone). */
static void
job_free(struct job *jb)
{
	if (jb->has_opts)
		crawl_opts_cleanup(&jb->opts);
	free(jb->seeds_json);
	free(jb->options_json);
	json_decref(jb->seeds_v);
	json_decref(jb->options_v);
	free(jb->created_at);
	free(jb->finished_at);
	free(jb->error);
	warcout_free(jb->warc);
	mirror_close(jb->mirror);
	free(jb);
}

/* A new table. */
struct jobs *
jobs_new(struct engine *e, struct store *st, const struct daemon_config *cfg,
    jobs_fatal_cb *fatal_cb, void *arg)
{
	struct jobs *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->e = e;
	j->st = st;
	j->cfg = cfg;
	j->fatal_cb = fatal_cb;
	j->fatal_arg = arg;
	TAILQ_INIT(&j->list);
	return j;
}

/* Free the table (the engine, and with it the crawls, went first). */
void
jobs_free(struct jobs *j)
{
	struct job *jb;

	if (j == NULL)
		return;
	while ((jb = TAILQ_FIRST(&j->list)) != NULL) {
		TAILQ_REMOVE(&j->list, jb, entry);
		job_free(jb);
	}
	free(j);
}

/* The config for new jobs. */
void
jobs_set_config(struct jobs *j, const struct daemon_config *cfg)
{
	j->cfg = cfg;
}

/* The job with this id, or NULL. */
static struct job *
jobs_find(struct jobs *j, int64_t id)
{
	struct job *jb;

	TAILQ_FOREACH (jb, &j->list, entry)
		if (jb->id == id)
			return jb;
	return NULL;
}

/* Write a job's state to its row and commit, so it holds across a crash. */
static bool
job_write_state(struct jobs *j, struct job *jb, enum job_state s, bool finish)
{
	enum cw_rc rc;

	rc = store_crawl_set_state(
	    j->st, jb->id, job_state_name(s), finish ? cw_wallclock_us() : 0);
	if (rc == CW_OK)
		rc = store_flush(j->st);
	if (rc != CW_OK) {
		log_error("jobs: id=%lld state=%s: %s", (long long)jb->id,
		    job_state_name(s), store_errmsg(j->st));
		if (j->fatal_cb != NULL)
			j->fatal_cb(j->fatal_arg, store_errmsg(j->st));
		return false;
	}
	jb->state = s;
	return true;
}

/* Copy the row's finished_at into the job (after the engine set it). */
static int
job_row_times(void *arg, const struct store_crawl_row *r)
{
	struct job *jb = arg;

	job_set_str(&jb->finished_at, r->finished_at);
	return 0;
}

/* Keep a live job's counts in the store as its pages change state, so
   GET /crawls/{id} reads them instead of counting on the loop. A failure
   only means job_counts() counts the slow way. */
static void
job_track(struct jobs *j, struct job *jb)
{
	if (store_crawl_track(j->st, jb->id) != CW_OK)
		log_warnx("jobs: id=%lld: live counts: %s", (long long)jb->id,
		    store_errmsg(j->st));
}

/* The file of a job's "warc" NAME: the daemon's WARC directory (made
   when missing) / NAME, ".warc.gz" added unless NAME ends so. */
static char *
job_warc_path(struct jobs *j, const char *name, char *err, size_t errlen)
{
	char *dir = config_warc_dir(j->cfg), *path = NULL;
	size_t n = strlen(name), size;
	bool suffixed = n > 8 && strcmp(name + n - 8, ".warc.gz") == 0;

	if (dir == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		snprintf(err, errlen, "warc: %s: %s", dir, strerror(errno));
	else {
		size = strlen(dir) + 1 + n + sizeof(".warc.gz");
		if ((path = malloc(size)) == NULL)
			snprintf(err, errlen, "out of memory");
		else
			snprintf(path, size, "%s/%s%s", dir, name,
			    suffixed ? "" : ".warc.gz");
	}
	free(dir);
	return path;
}

/*
 * A live job that asked for a WARC ("warc": NAME): open its output (a new
 * file for a new crawl, the one it wrote last for a resume: warcout.h)
 * and observe its crawl from its first response, as `crawld crawl --warc`
 * does. Before the loop runs again, so no response is missed.
 */
static enum cw_rc
job_open_warc(struct jobs *j, struct job *jb, char *err, size_t errlen)
{
	struct crawl_observer obs;
	char sw[256], *path;
	enum cw_rc rc;

	if (jb->opts.warc_path == NULL || jb->warc != NULL)
		return CW_OK;
	path = job_warc_path(j, jb->opts.warc_path, err, errlen);
	if (path == NULL)
		return CW_EIO;
	snprintf(
	    sw, sizeof(sw), "crawld/%s (%s)", CRAWLD_VERSION, curl_version());
	rc = warcout_open(j->st, path, jb->id, sw, &jb->warc, err, errlen);
	free(path);
	if (rc != CW_OK)
		return rc;
	warcout_observer(jb->warc, &obs);
	if (crawl_add_observer(jb->crawl, &obs) != CW_OK) {
		snprintf(err, errlen, "warc: too many observers");
		warcout_free(jb->warc);
		jb->warc = NULL;
		return CW_EINVAL;
	}
	return CW_OK;
}

/* After the crawl's last commit: the WARC's index, and its file closed. */
static void
job_close_warc(struct job *jb)
{
	char err[1024];

	if (jb->warc == NULL)
		return;
	log_info("jobs: id=%lld warc: %llu records in %s", (long long)jb->id,
	    (unsigned long long)warcout_records(jb->warc),
	    warcout_path(jb->warc));
	if (warcout_close(jb->warc, err, sizeof(err)) != CW_OK) {
		log_error("jobs: id=%lld warc: %s", (long long)jb->id, err);
		job_set_str(&jb->error, err);
	}
	jb->warc = NULL;
}

static void job_stop(struct job *jb, enum job_state after);

/* Open a live job's WARC; when that fails the job waits paused with the
   reason, before it fetched anything (a resume tries again). */
static void
job_warc_or_pause(struct jobs *j, struct job *jb)
{
	char err[1024];

	if (job_open_warc(j, jb, err, sizeof(err)) == CW_OK)
		return;
	log_error("jobs: id=%lld %s: paused", (long long)jb->id, err);
	job_set_str(&jb->error, err);
	if (job_write_state(j, jb, JOB_PAUSED, false))
		job_stop(jb, JOB_PAUSED);
}

/* The "mirror" NAME of a job (its options, or its row's when they are
   not loaded); NULL when it does not mirror. Borrowed from the job. */
static const char *
job_mirror_name(struct job *jb)
{
	json_t *o;

	if (jb->has_opts)
		return jb->opts.mirror_dir;
	o = json_object_get(
	    job_json_parsed(jb->options_json, &jb->options_v), "mirror");
	return json_string_value(o);
}

/* Another job running or paused on mirror NAME, or NULL: two crawls
   writing one directory would overwrite each other's files and map. */
static struct job *
job_mirror_holder(struct jobs *j, const struct job *self, const char *name)
{
	struct job *jb;
	const char *other;

	TAILQ_FOREACH (jb, &j->list, entry) {
		if (jb == self ||
		    (jb->state != JOB_RUNNING && jb->state != JOB_PAUSED))
			continue;
		other = job_mirror_name(jb);
		if (other != NULL && strcmp(other, name) == 0)
			return jb;
	}
	return NULL;
}

/*
 * A job that mirrors ("mirror": NAME): open its mirror, the daemon's
 * mirror directory / NAME (made when missing), as `crawld crawl --mirror`
 * does, and fill *obs for the crawl to observe from its first task (the
 * map's validators make a re-run conditional). CW_EINVAL (err says why)
 * when it cannot be opened.
 */
static enum cw_rc
job_open_mirror(struct jobs *j, struct job *jb, struct crawl_observer *obs,
    char *err, size_t errlen)
{
	char *dir, *path, why[768];
	enum cw_rc rc;
	size_t size;

	if (jb->opts.mirror_dir == NULL)
		return CW_OK;
	if (jb->mirror != NULL) {
		mirror_observer(jb->mirror, obs);
		return CW_OK;
	}
	dir = config_mirror_dir(j->cfg);
	size = dir != NULL ? strlen(dir) + 2 + strlen(jb->opts.mirror_dir) : 0;
	path = dir != NULL ? malloc(size) : NULL;
	if (path == NULL) {
		free(dir);
		snprintf(err, errlen, "out of memory");
		return CW_ENOMEM;
	}
	snprintf(path, size, "%s/%s", dir, jb->opts.mirror_dir);
	free(dir);
	rc = mirror_open(path, j->st, jb->opts.convert_links,
	    (size_t)jb->opts.max_size, &jb->mirror, why, sizeof(why));
	free(path);
	if (rc != CW_OK) {
		snprintf(err, errlen, "mirror: %s", why);
		return rc == CW_ENOMEM ? CW_ENOMEM : CW_EINVAL;
	}
	mirror_observer(jb->mirror, obs);
	return CW_OK;
}

/* After the crawl's end: what the mirror did, and the mirror closed. */
static void
job_close_mirror(struct job *jb)
{
	struct mirror_stats ms;

	if (jb->mirror == NULL)
		return;
	mirror_get_stats(jb->mirror, &ms);
	log_info("jobs: id=%lld mirror: %llu files written, %llu unchanged, "
		 "%llu converted (%llu links local, %llu absolute) in %s",
	    (long long)jb->id, (unsigned long long)ms.written,
	    (unsigned long long)ms.unchanged, (unsigned long long)ms.converted,
	    (unsigned long long)ms.links_local,
	    (unsigned long long)ms.links_absolute, mirror_root(jb->mirror));
	mirror_close(jb->mirror);
	jb->mirror = NULL;
}

/*
 * Start the crawl of a job from its row (resume) and count it live. A
 * mirror that cannot be opened is CW_EINVAL with the reason, nothing
 * started: the callers leave the job paused with it.
 */
static enum cw_rc
job_go_live(struct jobs *j, struct job *jb, char *err, size_t errlen)
{
	struct crawl_observer obs;
	enum cw_rc rc;

	rc = job_open_mirror(j, jb, &obs, err, errlen);
	if (rc != CW_OK)
		return rc;
	rc = crawl_resume_observed(j->e, &jb->opts, jb->id, jb->seeds_json,
	    jb->mirror != NULL ? &obs : NULL, job_crawl_done, jb, &jb->crawl,
	    err, errlen);
	if (rc != CW_OK) {
		mirror_close(jb->mirror);
		jb->mirror = NULL;
		return rc;
	}
	j->live++;
	job_track(j, jb);
	jb->state = JOB_RUNNING;
	jb->after = JOB_DONE;
	jb->rate_n = 0;
	FREE_NULL(jb->error);
	job_warc_or_pause(j, jb);
	log_info("jobs: id=%lld state=running (resumed)", (long long)jb->id);
	return CW_OK;
}

/*
 * The engine's end of a stopped crawl, in the state asked for: the engine
 * wrote the row's state (crawl_stop_as) in the commit that requeued its
 * pages, so only the job follows; a resume asked for while it stopped
 * starts the crawl again.
 */
static void
job_settle_stopped(struct jobs *j, struct job *jb)
{
	char err[512];

	if (jb->shutdown)
		return; /* the row keeps its state: the next start goes on */
	switch (jb->after) {
	case JOB_PAUSED:
	case JOB_CANCELLED:
		jb->state = jb->after;
		break;
	case JOB_RUNNING: /* resumed while it was still stopping */
		if (job_go_live(j, jb, err, sizeof(err)) != CW_OK) {
			job_set_str(&jb->error, err);
			(void)job_write_state(j, jb, JOB_PAUSED, false);
		}
		break;
	case JOB_DONE:
		break;
	}
}

/* A run of the job ended: its pages and running time count for the
   pages/s a finished job shows. */
static void
job_add_run(struct job *jb, const struct crawl *c)
{
	struct crawl_stats s;

	crawl_get_stats(c, &s);
	jb->run_pages += s.done + s.failed;
	jb->run_s += s.elapsed_s;
}

/* A job's crawl ended (deferred event): settle the job, free the crawl. */
static void
job_crawl_done(struct crawl *c, void *arg)
{
	struct job *jb = arg;
	struct jobs *j = jb->j;
	enum crawl_end end = crawl_end_reason(c);
	const char *msg = crawl_end_message(c);

	job_add_run(jb, c);
	job_close_warc(jb);
	job_close_mirror(jb);
	jb->crawl = NULL;
	j->live--;
	store_crawl_untrack(j->st, jb->id);
	switch (end) {
	case CRAWL_END_DONE:
		jb->state = JOB_DONE;
		if (store_crawl_get(j->st, jb->id, job_row_times, jb) != CW_OK)
			log_warnx("jobs: id=%lld: %s", (long long)jb->id,
			    store_errmsg(j->st));
		log_info("jobs: id=%lld state=done", (long long)jb->id);
		break;
	case CRAWL_END_FAIL_FAST:
		job_set_str(&jb->error, msg);
		(void)job_write_state(j, jb, JOB_CANCELLED, true);
		log_info("jobs: id=%lld state=cancelled fail-fast=\"%s\"",
		    (long long)jb->id, msg);
		break;
	case CRAWL_END_STORE:
	case CRAWL_END_ERROR:
		job_set_str(&jb->error, msg);
		log_error(
		    "jobs: id=%lld engine failure: %s", (long long)jb->id, msg);
		if (j->fatal_cb != NULL)
			j->fatal_cb(j->fatal_arg, msg);
		break;
	case CRAWL_END_STOPPED:
	case CRAWL_END_RUNNING:
		job_settle_stopped(j, jb);
		break;
	}
	crawl_free(c);
	/* Finished: nothing changes any more, the options can go. */
	if ((jb->state == JOB_DONE || jb->state == JOB_CANCELLED) &&
	    jb->has_opts && jb->crawl == NULL) {
		crawl_opts_cleanup(&jb->opts);
		jb->has_opts = false;
	}
	if (j->shutting_down && j->live == 0 && j->idle_cb != NULL)
		j->idle_cb(j->idle_arg);
}

/* A new job for a crawls row, appended to the table. */
static struct job *
job_new(struct jobs *j, int64_t id, const char *seeds, const char *options,
    const char *created, const char *finished, enum job_state state)
{
	struct job *jb = calloc(1, sizeof(*jb));

	if (jb == NULL)
		return NULL;
	jb->j = j;
	jb->id = id;
	jb->state = state;
	jb->after = JOB_DONE;
	jb->seeds_json = cw_strdup(seeds);
	jb->options_json = cw_strdup(options);
	jb->created_at = cw_strdup(created);
	jb->finished_at = cw_strdup(finished);
	if (jb->seeds_json == NULL || jb->options_json == NULL ||
	    jb->created_at == NULL || (finished != NULL && !jb->finished_at)) {
		job_free(jb);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&j->list, jb, entry);
	return jb;
}

/* Rebuild a loaded job's options from its row. */
static enum cw_rc
job_load_opts(struct jobs *j, struct job *jb, char *err, size_t errlen)
{
	enum cw_rc rc;

	crawl_opts_init(&jb->opts);
	jb->has_opts = true;
	rc = config_stored_opts(
	    j->cfg, jb->options_json, &jb->opts, err, errlen);
	return rc;
}

/* One crawls row at start: a job, resumed when it was running. */
static int
jobs_load_row(void *arg, const struct store_crawl_row *r)
{
	struct jobs *j = arg;
	enum job_state s = job_state_of(r->state);
	struct job *jb;

	jb = job_new(j, r->id, r->seeds_json, r->options_json, r->created_at,
	    r->finished_at, s);
	if (jb == NULL)
		return -1;
	if (s == JOB_RUNNING || s == JOB_PAUSED) {
		char err[512];

		if (job_load_opts(j, jb, err, sizeof(err)) != CW_OK) {
			/* Kept, paused, with the reason: nothing is lost. */
			log_error("jobs: id=%lld cannot be resumed: %s",
			    (long long)jb->id, err);
			job_set_str(&jb->error, err);
			jb->state = JOB_PAUSED;
			jb->after = JOB_DONE;
			jb->shutdown = false;
			jb->rate_n = 0;
			jb->counts_cached = false;
			jb->has_opts = false;
			crawl_opts_cleanup(&jb->opts);
		}
	}
	return 0;
}

/* Load every row, then resume the running jobs. */
enum cw_rc
jobs_load(struct jobs *j, char *err, size_t errlen)
{
	struct job *jb;
	char why[512];
	enum cw_rc rc;
	size_t resumed = 0, paused = 0;

	rc = store_crawl_list(j->st, jobs_load_row, j);
	if (rc != CW_OK) {
		snprintf(err, errlen, "reading the jobs: %s",
		    rc == CW_EINVAL ? "out of memory" : store_errmsg(j->st));
		return rc == CW_EINVAL ? CW_ENOMEM : rc;
	}
	TAILQ_FOREACH (jb, &j->list, entry) {
		if (jb->state == JOB_PAUSED) {
			paused++;
			if (jb->error != NULL &&
			    !job_write_state(j, jb, JOB_PAUSED, false))
				return CW_ESTORE;
			continue;
		}
		if (jb->state != JOB_RUNNING)
			continue;
		rc = job_go_live(j, jb, why, sizeof(why));
		if (rc == CW_ESTORE || rc == CW_EFULL || rc == CW_EIO) {
			snprintf(err, errlen, "resuming job %lld: %s",
			    (long long)jb->id, why);
			return rc;
		}
		if (rc != CW_OK) {
			log_error("jobs: id=%lld cannot be resumed: %s",
			    (long long)jb->id, why);
			job_set_str(&jb->error, why);
			if (!job_write_state(j, jb, JOB_PAUSED, false))
				return CW_ESTORE;
			paused++;
			continue;
		}
		resumed++;
	}
	log_info("jobs: loaded resumed=%zu paused=%zu", resumed, paused);
	return CW_OK;
}

/* The number of jobs running or paused. */
static size_t
jobs_active(const struct jobs *j)
{
	const struct job *jb;
	size_t n = 0;

	TAILQ_FOREACH (jb, &j->list, entry)
		if (jb->state == JOB_RUNNING || jb->state == JOB_PAUSED)
			n++;
	return n;
}

/* The "seeds" member of a request as a vector of borrowed strings. */
static enum jobs_rc
jobs_seeds_of(
    const json_t *req, const char ***out, size_t *n, char *err, size_t errlen)
{
	const json_t *arr = json_object_get(req, "seeds"), *el;
	const char **v;
	size_t i;

	if (arr == NULL || !json_is_array(arr) || json_array_size(arr) == 0) {
		snprintf(err, errlen,
		    "seeds: a non-empty array of URLs is required");
		return JOBS_EINVAL;
	}
	if (json_array_size(arr) > JOBS_MAX_SEEDS) {
		snprintf(err, errlen, "seeds: at most %d", JOBS_MAX_SEEDS);
		return JOBS_EINVAL;
	}
	v = calloc(json_array_size(arr) + 1, sizeof(*v));
	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return JOBS_EINTERNAL;
	}
	json_array_foreach (arr, i, el) {
		if (!json_is_string(el)) {
			snprintf(err, errlen, "seeds[%zu]: not a string", i);
			free(v);
			return JOBS_EINVAL;
		}
		v[i] = json_string_value(el);
	}
	*out = v;
	*n = json_array_size(arr);
	return JOBS_OK;
}

/* What a crawl_start/crawl_resume failure means for the request. */
static enum jobs_rc
jobs_engine_rc(enum cw_rc rc)
{
	if (rc == CW_EPARSE || rc == CW_ENOTSUP || rc == CW_EINVAL)
		return JOBS_EINVAL;
	return JOBS_EINTERNAL;
}

/* Take the crawls row the engine wrote for a new crawl into the job. */
static int
job_row_fill(void *arg, const struct store_crawl_row *r)
{
	struct job *jb = arg;

	job_set_json(&jb->seeds_json, &jb->seeds_v, r->seeds_json);
	job_set_json(&jb->options_json, &jb->options_v, r->options_json);
	job_set_str(&jb->created_at, r->created_at);
	return 0;
}

/* Take a row's seeds into the job (after seeds were added). */
static int
job_row_fill_seeds(void *arg, const struct store_crawl_row *r)
{
	struct job *jb = arg;

	job_set_json(&jb->seeds_json, &jb->seeds_v, r->seeds_json);
	return 0;
}

/*
 * Hand checked seeds to the job: a live crawl takes them at once (a
 * stopping one keeps them as queued rows for its resume); a paused job's
 * row gets them, and its resume discovers them.
 */
static enum jobs_rc
job_add_seeds(struct jobs *j, struct job *jb, const char **seeds, size_t n,
    char *err, size_t errlen)
{
	enum cw_rc rc = CW_OK;
	size_t i;
	char *u;

	if (jb->crawl != NULL) {
		rc = crawl_add_seeds(
		    jb->crawl, (char *const *)(uintptr_t)seeds, n, err, errlen);
		if (rc == CW_EINVAL)
			return JOBS_ESTATE;
		return rc == CW_OK ? JOBS_OK : JOBS_EINTERNAL;
	}
	for (i = 0; i < n && rc == CW_OK; i++) {
		u = NULL;
		rc = url_normalise(seeds[i], &u);
		if (rc == CW_OK)
			rc = store_crawl_add_seed(j->st, jb->id, u);
		free(u);
	}
	if (rc != CW_OK)
		snprintf(err, errlen, "database: %s", store_errmsg(j->st));
	return rc == CW_OK ? JOBS_OK : JOBS_EINTERNAL;
}

/* Submit a new job. */
enum jobs_rc
jobs_submit(
    struct jobs *j, const json_t *req, int64_t *id, char *err, size_t errlen)
{
	struct job *jb = NULL;
	struct crawl_stats s;
	struct crawl_observer obs;
	const char **seeds = NULL;
	size_t n = 0;
	enum jobs_rc jrc;
	enum cw_rc rc;

	if (j->shutting_down) {
		snprintf(err, errlen, "the daemon is shutting down");
		return JOBS_ESHUTDOWN;
	}
	if (!json_is_object(req)) {
		snprintf(err, errlen, "the request must be a JSON object");
		return JOBS_EINVAL;
	}
	if (jobs_active(j) >= j->cfg->max_jobs) {
		snprintf(err, errlen,
		    "max_jobs (%u) jobs are running or paused",
		    j->cfg->max_jobs);
		return JOBS_ELIMIT;
	}
	jrc = jobs_seeds_of(req, &seeds, &n, err, errlen);
	if (jrc != JOBS_OK)
		return jrc;
	jrc = JOBS_EINTERNAL;
	jb = job_new(j, 0, "[]", "{}", "", NULL, JOB_RUNNING);
	if (jb == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	crawl_opts_init(&jb->opts);
	jb->has_opts = true;
	rc = config_job_opts(j->cfg, req, &jb->opts, err, errlen);
	if (rc != CW_OK) {
		jrc = rc == CW_ENOMEM ? JOBS_EINTERNAL : JOBS_EINVAL;
		goto out;
	}
	if (jb->opts.warc_path != NULL) {
		/* A WARC that cannot be written is the request's error. */
		char *path = job_warc_path(j, jb->opts.warc_path, err, errlen);

		rc = path != NULL ? warcout_check_path(path, err, errlen)
				  : CW_EIO;
		free(path);
		if (rc != CW_OK) {
			jrc = JOBS_EINVAL;
			goto out;
		}
	}
	if (jb->opts.mirror_dir != NULL) {
		struct job *holder =
		    job_mirror_holder(j, jb, jb->opts.mirror_dir);

		if (holder != NULL) {
			snprintf(err, errlen, "mirror %s: job %lld is %s on it",
			    jb->opts.mirror_dir, (long long)holder->id,
			    job_state_name(holder->state));
			jrc = JOBS_ESTATE;
			goto out;
		}
		/* A mirror that cannot be made is the request's error. */
		rc = job_open_mirror(j, jb, &obs, err, errlen);
		if (rc != CW_OK) {
			jrc = rc == CW_ENOMEM ? JOBS_EINTERNAL : JOBS_EINVAL;
			goto out;
		}
	}
	rc = crawl_start_observed(j->e, &jb->opts,
	    (char *const *)(uintptr_t)seeds, n,
	    jb->mirror != NULL ? &obs : NULL, job_crawl_done, jb, &jb->crawl,
	    err, errlen);
	if (rc != CW_OK) {
		jrc = jobs_engine_rc(rc);
		goto out;
	}
	crawl_get_stats(jb->crawl, &s);
	jb->id = s.crawl_id;
	j->live++;
	job_track(j, jb);
	job_warc_or_pause(j, jb);
	if (store_crawl_get(j->st, jb->id, job_row_fill, jb) != CW_OK)
		log_warnx("jobs: id=%lld: %s", (long long)jb->id,
		    store_errmsg(j->st));
	log_info("jobs: id=%lld state=running submitted seeds=%zu",
	    (long long)jb->id, n);
	*id = jb->id;
	jb = NULL;
	jrc = JOBS_OK;
out:
	if (jb != NULL) {
		TAILQ_REMOVE(&j->list, jb, entry);
		job_free(jb);
	}
	free(seeds);
	return jrc;
}

/* Find a job or say there is none. */
static struct job *
jobs_get(struct jobs *j, int64_t id, char *err, size_t errlen)
{
	struct job *jb = jobs_find(j, id);

	if (jb == NULL)
		snprintf(err, errlen, "no job %lld", (long long)id);
	return jb;
}

/* Refuse a state change while the daemon stops. */
static bool
jobs_refuse_shutdown(const struct jobs *j, char *err, size_t errlen)
{
	if (!j->shutting_down)
		return false;
	snprintf(err, errlen, "the daemon is shutting down");
	return true;
}

/* Stop a live job's crawl so it settles as after, the engine writing
   that state to the row when the crawl ends (never 'cancelled' first). */
static void
job_stop(struct job *jb, enum job_state after)
{
	jb->after = after;
	crawl_stop_as(jb->crawl, job_state_name(after));
}

/* Pause: the row first, then the crawl. */
enum jobs_rc
jobs_pause(struct jobs *j, int64_t id, char *err, size_t errlen)
{
	struct job *jb = jobs_get(j, id, err, errlen);

	if (jb == NULL)
		return JOBS_ENOENT;
	if (jobs_refuse_shutdown(j, err, errlen))
		return JOBS_ESHUTDOWN;
	if (jb->state == JOB_PAUSED)
		return JOBS_OK; /* already: pausing twice is no error */
	if (jb->state != JOB_RUNNING) {
		snprintf(err, errlen, "job %lld is %s", (long long)id,
		    job_state_name(jb->state));
		return JOBS_ESTATE;
	}
	if (!job_write_state(j, jb, JOB_PAUSED, false)) {
		snprintf(err, errlen, "database: %s", store_errmsg(j->st));
		return JOBS_EINTERNAL;
	}
	if (jb->crawl != NULL)
		job_stop(jb, JOB_PAUSED);
	log_info("jobs: id=%lld state=paused", (long long)id);
	return JOBS_OK;
}

/* Resume: from the database, or once the stopping crawl has settled. */
enum jobs_rc
jobs_resume(struct jobs *j, int64_t id, char *err, size_t errlen)
{
	struct job *jb = jobs_get(j, id, err, errlen);
	enum cw_rc rc;

	if (jb == NULL)
		return JOBS_ENOENT;
	if (jobs_refuse_shutdown(j, err, errlen))
		return JOBS_ESHUTDOWN;
	if (jb->state == JOB_RUNNING)
		return JOBS_OK;
	if (jb->state != JOB_PAUSED) {
		snprintf(err, errlen, "job %lld is %s", (long long)id,
		    job_state_name(jb->state));
		return JOBS_ESTATE;
	}
	if (jb->crawl != NULL) {
		/* Its transfers are still finishing: go on when they are
		   (the row stays 'running' through the end). */
		if (!job_write_state(j, jb, JOB_RUNNING, false))
			return JOBS_EINTERNAL;
		job_stop(jb, JOB_RUNNING);
		return JOBS_OK;
	}
	if (!jb->has_opts) {
		rc = job_load_opts(j, jb, err, errlen);
		if (rc != CW_OK) {
			crawl_opts_cleanup(&jb->opts);
			jb->has_opts = false;
			return JOBS_EINVAL;
		}
	}
	rc = job_go_live(j, jb, err, errlen);
	if (rc != CW_OK)
		return jobs_engine_rc(rc);
	return JOBS_OK;
}

/* Cancel: the row says cancelled, rows are kept. */
enum jobs_rc
jobs_cancel(struct jobs *j, int64_t id, char *err, size_t errlen)
{
	struct job *jb = jobs_get(j, id, err, errlen);

	if (jb == NULL)
		return JOBS_ENOENT;
	if (jobs_refuse_shutdown(j, err, errlen))
		return JOBS_ESHUTDOWN;
	if (jb->state == JOB_CANCELLED)
		return JOBS_OK;
	if (jb->state == JOB_DONE) {
		snprintf(err, errlen, "job %lld is done", (long long)id);
		return JOBS_ESTATE;
	}
	if (!job_write_state(j, jb, JOB_CANCELLED, true))
		return JOBS_EINTERNAL;
	if (jb->crawl != NULL)
		job_stop(jb, JOB_CANCELLED);
	if (store_crawl_get(j->st, jb->id, job_row_times, jb) != CW_OK)
		log_warnx(
		    "jobs: id=%lld: %s", (long long)id, store_errmsg(j->st));
	log_info("jobs: id=%lld state=cancelled", (long long)id);
	return JOBS_OK;
}

/* Add seeds to a running or paused job. */
enum jobs_rc
jobs_add_seeds(
    struct jobs *j, int64_t id, const json_t *req, char *err, size_t errlen)
{
	struct job *jb = jobs_get(j, id, err, errlen);
	const char **seeds = NULL, *name;
	const json_t *v;
	size_t i, n = 0;
	enum jobs_rc jrc;
	enum cw_rc rc = CW_OK;
	char *u;

	if (jb == NULL)
		return JOBS_ENOENT;
	json_object_foreach ((json_t *)(uintptr_t)req, name, v) {
		if (strcmp(name, "seeds") != 0) {
			snprintf(err, errlen, "%s: unknown field (only seeds)",
			    name);
			return JOBS_EINVAL;
		}
	}
	if (jobs_refuse_shutdown(j, err, errlen))
		return JOBS_ESHUTDOWN;
	if (jb->state != JOB_RUNNING && jb->state != JOB_PAUSED) {
		snprintf(err, errlen, "job %lld is %s", (long long)id,
		    job_state_name(jb->state));
		return JOBS_ESTATE;
	}
	jrc = jobs_seeds_of(req, &seeds, &n, err, errlen);
	if (jrc != JOBS_OK)
		return jrc;
	/* Every URL is checked before anything is written. */
	for (i = 0; i < n && rc == CW_OK; i++) {
		u = NULL;
		rc = url_normalise(seeds[i], &u);
		if (rc != CW_OK)
			snprintf(err, errlen, "'%s': %s", seeds[i],
			    rc == CW_ENOTSUP ? "unsupported scheme (http and "
					       "https only)"
					     : "not a valid URL");
		free(u);
	}
	jrc = rc == CW_OK     ? JOBS_OK
	    : rc == CW_ENOMEM ? JOBS_EINTERNAL
			      : JOBS_EINVAL;
	if (jrc == JOBS_OK)
		jrc = job_add_seeds(j, jb, seeds, n, err, errlen);
	if (jrc == JOBS_OK && store_flush(j->st) != CW_OK) {
		snprintf(err, errlen, "database: %s", store_errmsg(j->st));
		jrc = JOBS_EINTERNAL;
	}
	if (jrc == JOBS_OK) {
		if (store_crawl_get(j->st, jb->id, job_row_fill_seeds, jb) !=
		    CW_OK)
			log_warnx("jobs: id=%lld: %s", (long long)id,
			    store_errmsg(j->st));
		log_info("jobs: id=%lld seeds-added=%zu%s", (long long)id, n,
		    jb->crawl == NULL ? " (taken at resume)" : "");
	}
	free(seeds);
	return jrc;
}

/* Pages by state from the database (cached once the job is finished). */
static bool
job_counts(struct jobs *j, struct job *jb, int64_t counts[STORE_NSTATES])
{
	bool final = jb->state == JOB_DONE || jb->state == JOB_CANCELLED;

	uint64_t now = cw_monotonic_us();

	/* A live job's counts are kept as its pages change (job_track);
	   until its base count has run, or after a dropped batch made
	   them unknown, they are counted, and tracking asked for again. */
	if (jb->crawl != NULL && !final) {
		if (store_crawl_counts_live(j->st, jb->id, counts))
			return true;
		job_track(j, jb);
	}
	/* Counting walks the job's index entries on the loop: a job polled
	   100 times a second is counted at most every JOBS_COUNTS_US. */
	if (jb->counts_cached ||
	    (jb->counts_at_us != 0 && !final &&
		now - jb->counts_at_us < JOBS_COUNTS_US)) {
		memcpy(counts, jb->counts, sizeof(jb->counts));
		return true;
	}
	/* A live job's counts come from committed batches (at most one
	   commit interval behind), read without waiting for the store's
	   writer thread: GET /crawls/{id} must not stall the crawl's loop. */
	if ((final ? store_crawl_counts(j->st, jb->id, counts)
		   : store_crawl_counts_committed(j->st, jb->id, counts)) !=
	    CW_OK)
		return false;
	memcpy(jb->counts, counts, sizeof(jb->counts));
	jb->counts_at_us = now;
	if (final && jb->crawl == NULL)
		jb->counts_cached = true;
	return true;
}

/* pages/s over the sampled window (0 when not live). */
static double
job_rate(const struct job *jb)
{
	size_t oldest;

	if (jb->crawl == NULL || jb->rate_n < 2)
		return 0;
	oldest =
	    jb->rate_n > JOBS_RATE_WINDOW ? jb->rate_n - JOBS_RATE_WINDOW : 0;
	return (double)(jb->rate_ring[(jb->rate_n - 1) %
			    (JOBS_RATE_WINDOW + 1)] -
		   jb->rate_ring[oldest % (JOBS_RATE_WINDOW + 1)]) /
	    (double)(jb->rate_n - 1 - oldest);
}

/* An ISO-8601 UTC stamp of the store as seconds since the epoch; -1
   when it does not parse. */
static double
job_stamp_s(const char *t)
{
	struct tm tm;
	double sec = 0;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL ||
	    sscanf(t, "%4d-%2d-%2dT%2d:%2d:%lf", &tm.tm_year, &tm.tm_mon,
		&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm) + sec;
}

/* Seconds from one stamp to another; 0 when either does not parse. */
static double
job_span_s(const char *from, const char *to)
{
	double a = job_stamp_s(from), b = job_stamp_s(to);

	return a >= 0 && b >= 0 ? b - a : 0;
}

/*
 * The pages/s a job shows: a live job's over the last seconds; a finished
 * or paused one's over its running time (pages fetched by its runs in
 * this process over their duration); a job that did not run in this
 * process, over created_at to finished_at (pages done + failed).
 */
static double
job_shown_rate(const struct job *jb, const int64_t counts[STORE_NSTATES])
{
	double span;

	if (jb->crawl != NULL)
		return job_rate(jb);
	if (jb->run_s > 0)
		return (double)jb->run_pages / jb->run_s;
	span = job_span_s(jb->created_at, jb->finished_at);
	if (span <= 0)
		return 0;
	return (double)(counts[PAGE_DONE] + counts[PAGE_FAILED]) / span;
}

/* A new reference to a JSON text column's value (null when it does not
   parse). */
static json_t *
job_json_col(const char *text, json_t **parsed)
{
	json_t *v = job_json_parsed(text, parsed);

	return v != NULL ? json_incref(v) : json_null();
}

/* A string or null. */
static json_t *
job_json_str(const char *s)
{
	json_t *v = s != NULL ? json_string(s) : NULL;

	return v != NULL ? v : json_null();
}

/* The last failed page of a job, or null. */
static json_t *
job_last_failure(struct jobs *j, const struct job *jb)
{
	char url[2048], reason[512];

	if (store_crawl_last_failed(j->st, jb->id, url, sizeof(url), reason,
		sizeof(reason)) != CW_OK ||
	    url[0] == '\0')
		return json_null();
	return json_pack("{s:s, s:s}", "url", url, "reason", reason);
}

/* One job as the API shows it. */
static json_t *
job_json(struct jobs *j, struct job *jb)
{
	int64_t c[STORE_NSTATES];
	struct crawl_stats s;
	json_t *obj;

	if (!job_counts(j, jb, c))
		return NULL;
	memset(&s, 0, sizeof(s));
	if (jb->crawl != NULL)
		crawl_get_stats(jb->crawl, &s);
	obj = json_pack("{s:I, s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:f, "
			"s:I, s:o, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)jb->id, "state", job_state_name(jb->state),
	    "seeds", job_json_col(jb->seeds_json, &jb->seeds_v), "counts",
	    "queued", (json_int_t)c[PAGE_QUEUED], "fetching",
	    (json_int_t)c[PAGE_FETCHING], "done", (json_int_t)c[PAGE_DONE],
	    "failed", (json_int_t)c[PAGE_FAILED], "skipped",
	    (json_int_t)c[PAGE_SKIPPED], "pages_per_s", job_shown_rate(jb, c),
	    "in_flight", (json_int_t)s.in_flight, "created_at",
	    job_json_str(jb->created_at), "finished_at",
	    job_json_str(jb->finished_at), "error", job_json_str(jb->error),
	    "last_failure", job_last_failure(j, jb), "options",
	    job_json_col(jb->options_json, &jb->options_v));
	return obj;
}

/* One job by id. */
json_t *
jobs_describe(struct jobs *j, int64_t id, enum jobs_rc *rc)
{
	struct job *jb = jobs_find(j, id);
	json_t *obj;

	if (jb == NULL) {
		*rc = JOBS_ENOENT;
		return NULL;
	}
	obj = job_json(j, jb);
	*rc = obj != NULL ? JOBS_OK : JOBS_EINTERNAL;
	return obj;
}

/* Every job. */
json_t *
jobs_list(struct jobs *j)
{
	json_t *arr = json_array(), *obj;
	struct job *jb;

	if (arr == NULL)
		return NULL;
	TAILQ_FOREACH (jb, &j->list, entry) {
		obj = job_json(j, jb);
		if (obj == NULL || json_array_append_new(arr, obj) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return json_pack("{s:o}", "crawls", arr);
}

/* Stop every live crawl for the shutdown. */
void
jobs_shutdown(struct jobs *j, jobs_idle_cb *idle, void *arg)
{
	struct job *jb;

	j->shutting_down = true;
	j->idle_cb = idle;
	j->idle_arg = arg;
	TAILQ_FOREACH (jb, &j->list, entry) {
		if (jb->crawl == NULL)
			continue;
		jb->shutdown = true;
		/* The row keeps the state it has (running, or paused or
		   cancelled while stopping): what the next start does. */
		crawl_stop_as(jb->crawl, job_state_name(jb->state));
	}
	log_info("jobs: stopping live=%zu", j->live);
	if (j->live == 0 && idle != NULL)
		idle(arg);
}

/* Sample each live job's progress for its pages/s. */
void
jobs_tick(struct jobs *j)
{
	struct crawl_stats s;
	struct job *jb;

	TAILQ_FOREACH (jb, &j->list, entry) {
		if (jb->crawl == NULL)
			continue;
		crawl_get_stats(jb->crawl, &s);
		jb->rate_ring[jb->rate_n++ % (JOBS_RATE_WINDOW + 1)] =
		    s.done + s.failed;
	}
}

/* Call cb per job. */
bool
jobs_each(
    struct jobs *j, void (*cb)(void *arg, const struct job_info *), void *arg)
{
	struct job_info ji;
	struct job *jb;

	TAILQ_FOREACH (jb, &j->list, entry) {
		memset(&ji, 0, sizeof(ji));
		ji.id = jb->id;
		ji.state = jb->state;
		ji.live = jb->crawl != NULL;
		ji.pages_per_s = job_rate(jb);
		if (!job_counts(j, jb, ji.counts))
			return false;
		cb(arg, &ji);
	}
	return true;
}

/* Jobs by state and the live jobs' pages/s. */
void
jobs_get_totals(struct jobs *j, struct jobs_totals *t)
{
	struct job *jb;

	memset(t, 0, sizeof(*t));
	TAILQ_FOREACH (jb, &j->list, entry) {
		if ((unsigned)jb->state < CW_NELEM(t->by_state))
			t->by_state[jb->state]++;
		if (jb->crawl != NULL)
			t->pages_per_s += job_rate(jb);
	}
}
