/* SPDX-License-Identifier: MIT */
/*
 * daemon.c - `crawld serve` (see daemon.h): the wiring of store, engine,
 * jobs, API and systemd notifications on one event loop, the signal
 * events, the once-a-second tick (pages/s, STATUS=), SIGHUP reload and
 * the ordered shutdown. Owns every object it creates and the current
 * config; nothing calls back into it but the callbacks it registers.
 */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crawld/base/log.h"
#include "crawld/daemon/api.h"
#include "crawld/daemon/daemon.h"
#include "crawld/daemon/jobs.h"
#include "crawld/daemon/metrics.h"
#include "crawld/daemon/notify.h"
#include "crawld/engine/engine.h"
#include "crawld/store/store.h"

#define DAEMON_TOKEN_MAX 4096

struct daemon {
	const char *path;	    /* borrowed: the config file */
	struct daemon_config *cfg;  /* owned: the config in force */
	struct event_base *base;    /* owned */
	struct store *st;	    /* owned */
	struct engine *engine;	    /* owned */
	struct jobs *jobs;	    /* owned */
	struct api *api;	    /* owned */
	struct notify *notify;	    /* owned */
	struct metrics_src metrics; /* borrows the above */
	struct event *sig_ev[3];    /* owned: TERM, INT, HUP */
	struct event *tick_ev;	    /* owned */
	struct event *deadline_ev;  /* owned: shutdown_timeout */
	bool stopping;
	int code; /* the exit code */
};

/* Read the first line of the token file into a new string. */
enum cw_rc
daemon_read_token(
    const struct daemon_config *cfg, char **out, char *err, size_t errlen)
{
	char buf[DAEMON_TOKEN_MAX + 2];
	struct stat sb;
	size_t n;
	FILE *f;

	*out = NULL;
	if (cfg->token_file == NULL)
		return CW_OK;
	f = fopen(cfg->token_file, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s:%d: token_file: %s: %s", cfg->file,
		    cfg->token_file_line, cfg->token_file, strerror(errno));
		return CW_EIO;
	}
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & S_IROTH))
		log_warnx("config: token_file %s is readable by everyone",
		    cfg->token_file);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0' || strlen(buf) > DAEMON_TOKEN_MAX) {
		snprintf(err, errlen,
		    "%s:%d: token_file: %s: the first line must hold the "
		    "token (1-%d bytes)",
		    cfg->file, cfg->token_file_line, cfg->token_file,
		    DAEMON_TOKEN_MAX);
		return CW_EINVAL;
	}
	*out = strdup(buf);
	return *out != NULL ? CW_OK : CW_ENOMEM;
}

/* Read the file and parse it; then the checks that need the system. */
enum cw_rc
daemon_load_config(
    const char *path, struct daemon_config *cfg, char *err, size_t errlen)
{
	char *text = NULL, *token = NULL;
	size_t n = 0;
	FILE *f;
	enum cw_rc rc = CW_EIO;

	f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CW_EIO;
	}
	text = malloc(CONFIG_MAX_BYTES + 1);
	if (text != NULL)
		n = fread(text, 1, CONFIG_MAX_BYTES + 1, f);
	if (text == NULL || ferror(f)) {
		snprintf(err, errlen, "%s: %s", path,
		    text == NULL ? "out of memory" : strerror(errno));
		goto out;
	}
	rc = config_parse(cfg, path, text, n, err, errlen);
	if (rc == CW_OK)
		rc = daemon_read_token(cfg, &token, err, errlen);
out:
	fclose(f);
	free(text);
	free(token);
	return rc;
}

/* Leave the loop: every live crawl has stopped. */
static void
daemon_idle(void *arg)
{
	struct daemon *d = arg;

	log_info("daemon: every job stopped");
	event_base_loopbreak(d->base);
}

/* The shutdown deadline passed: what is in flight is put back. */
static void
daemon_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct engine_stats es;

	(void)fd;
	(void)what;
	engine_get_stats(d->engine, &es);
	log_warnx("daemon: shutdown_timeout reached: %llu transfers in flight "
		  "are put back for the next start",
	    (unsigned long long)es.in_flight);
	event_base_loopbreak(d->base);
}

/* Begin the graceful stop (SIGTERM, SIGINT, or a database failure). */
static void
daemon_stop(struct daemon *d, const char *why)
{
	struct timeval tv;

	if (d->stopping) {
		log_warnx("daemon: %s again: stopping now", why);
		event_base_loopbreak(d->base);
		return;
	}
	d->stopping = true;
	log_info("daemon: %s: stopping (shutdown_timeout=%u ms)", why,
	    d->cfg->shutdown_timeout_ms);
	notify_send(d->notify, "STOPPING=1");
	/* No new requests: the listener and its connections go. */
	api_free(d->api);
	d->api = NULL;
	d->metrics.api = NULL;
	tv.tv_sec = (time_t)(d->cfg->shutdown_timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(d->cfg->shutdown_timeout_ms % 1000) * 1000;
	d->deadline_ev = evtimer_new(d->base, daemon_deadline, d);
	if (d->deadline_ev == NULL || evtimer_add(d->deadline_ev, &tv) != 0) {
		log_error("daemon: cannot arm the shutdown deadline");
		event_base_loopbreak(d->base);
		return;
	}
	jobs_shutdown(d->jobs, daemon_idle, d);
}

/* The database refused a write: stop, exit 1 (systemd restarts us). */
static void
daemon_fatal(void *arg, const char *msg)
{
	struct daemon *d = arg;

	log_error("daemon: database failure (%s): stopping", msg);
	d->code = 1;
	daemon_stop(d, "database failure");
}

/* Log a change of a key SIGHUP cannot apply. */
static void
daemon_needs_restart(const char *key, const char *old, const char *new)
{
	log_warnx("config: %s changed (%s -> %s): takes effect after a "
		  "restart",
	    key, old, new);
}

/* Keep the values the running engine and listener were built with. */
static enum cw_rc
daemon_keep_fixed(struct daemon_config *n, const struct daemon_config *o,
    char *err, size_t errlen)
{
	char a[32], b[32];

	if (strcmp(n->listen.text, o->listen.text) != 0 ||
	    n->allow_remote != o->allow_remote)
		daemon_needs_restart("listen", o->listen.text, n->listen.text);
	n->listen = o->listen;
	n->listen_line = o->listen_line;
	n->allow_remote = o->allow_remote;
	if (strcmp(n->db, o->db) != 0)
		daemon_needs_restart("db", o->db, n->db);
	free(n->db);
	n->db = strdup(o->db);
	if (n->db == NULL)
		return CW_ENOMEM;
	if (n->sync_full != o->sync_full)
		daemon_needs_restart("sync", o->sync_full ? "full" : "normal",
		    n->sync_full ? "full" : "normal");
	n->sync_full = o->sync_full;
	if (n->per_host != o->per_host ||
	    n->parse_threads != o->parse_threads) {
		snprintf(a, sizeof(a), "%u/%d", o->per_host, o->parse_threads);
		snprintf(b, sizeof(b), "%u/%d", n->per_host, n->parse_threads);
		daemon_needs_restart("[engine] per_host/parse_threads", a, b);
	}
	n->per_host = o->per_host;
	n->parse_threads = o->parse_threads;
	(void)err;
	(void)errlen;
	return CW_OK;
}

/* Log the [crawl] default lines that differ between two configs. */
static void
daemon_log_crawl_changes(
    const struct daemon_config *n, const struct daemon_config *o)
{
	char *jn = crawl_opts_to_json(&n->defaults);
	char *jo = crawl_opts_to_json(&o->defaults);

	if (jn != NULL && jo != NULL && strcmp(jn, jo) != 0)
		log_info(
		    "config: [crawl] defaults for new jobs changed: %s", jn);
	free(jn);
	free(jo);
}

/* [engine] concurrency applies live: the engine's slot count (fewer
   slots take effect as transfers finish). On failure the old count
   stays, in the engine and in the config. */
static void
daemon_apply_concurrency(
    struct daemon *d, struct daemon_config *n, const struct daemon_config *o)
{
	if (n->concurrency == o->concurrency)
		return;
	if (engine_set_concurrency(d->engine, n->concurrency) != CW_OK) {
		log_error("config: concurrency %u -> %u: the engine refused "
			  "(out of memory?); it stays %u",
		    o->concurrency, n->concurrency, o->concurrency);
		n->concurrency = o->concurrency;
		return;
	}
	log_info("config: concurrency changed: %u -> %u", o->concurrency,
	    n->concurrency);
}

/* SIGHUP: parse anew; on success swap in what can change live. */
static void
daemon_reload(struct daemon *d)
{
	struct daemon_config *n = calloc(1, sizeof(*n)), *o = d->cfg;
	char err[1024], *token = NULL;
	enum cw_rc rc = CW_ENOMEM;

	notify_send(d->notify, "RELOADING=1");
	if (n != NULL) {
		config_init(n);
		rc = daemon_load_config(d->path, n, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err), "out of memory");
	}
	if (rc == CW_OK)
		rc = daemon_read_token(n, &token, err, sizeof(err));
	if (rc == CW_OK)
		rc = daemon_keep_fixed(n, o, err, sizeof(err));
	if (rc == CW_OK && d->api != NULL)
		rc = api_set_token(d->api, token);
	if (rc != CW_OK) {
		log_error(
		    "config: reload failed, the old config stays: %s", err);
		d->metrics.reload_failures++;
		if (n != NULL)
			config_cleanup(n);
		free(n);
		free(token);
		notify_send(d->notify, "READY=1");
		return;
	}
	daemon_apply_concurrency(d, n, o);
	if (n->log_level != o->log_level) {
		log_init(n->log_level);
		log_warnx("config: log_level changed: %s -> %s",
		    config_log_level_name(o->log_level),
		    config_log_level_name(n->log_level));
	}
	if (n->shutdown_timeout_ms != o->shutdown_timeout_ms)
		log_info("config: shutdown_timeout changed: %u -> %u ms",
		    o->shutdown_timeout_ms, n->shutdown_timeout_ms);
	if (n->max_jobs != o->max_jobs)
		log_info("config: max_jobs changed: %u -> %u", o->max_jobs,
		    n->max_jobs);
	if ((n->token_file == NULL) != (o->token_file == NULL) ||
	    (n->token_file != NULL && strcmp(n->token_file, o->token_file)))
		log_info("config: token_file changed: %s",
		    n->token_file != NULL ? n->token_file : "(none)");
	daemon_log_crawl_changes(n, o);
	jobs_set_config(d->jobs, n);
	d->cfg = n;
	config_cleanup(o);
	free(o);
	free(token);
	d->metrics.reloads++;
	log_info("config: reloaded %s", d->path);
	notify_send(d->notify, "READY=1");
}

/* Signal events: TERM/INT stop, HUP reloads. */
static void
daemon_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		if (!d->stopping)
			daemon_reload(d);
		return;
	}
	daemon_stop(d, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* Once a second: pages/s and the STATUS= line. */
static void
daemon_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct jobs_totals t;
	struct engine_stats es;

	(void)fd;
	(void)what;
	jobs_tick(d->jobs);
	jobs_get_totals(d->jobs, &t);
	engine_get_stats(d->engine, &es);
	notify_status(d->notify,
	    "%zu running, %zu paused; %.0f pages/s, %llu in flight, %llu "
	    "queued; %llu fetched",
	    t.by_state[JOB_RUNNING], t.by_state[JOB_PAUSED], t.pages_per_s,
	    (unsigned long long)es.in_flight, (unsigned long long)es.queued,
	    (unsigned long long)es.done);
}

/* /metrics through the metrics module. */
static bool
daemon_metrics(void *arg, struct evbuffer *out)
{
	struct daemon *d = arg;

	return metrics_render(&d->metrics, out);
}

/*
 * The engine settings of the daemon: [engine], and [crawl]'s user-agent,
 * timeout, max-size and ca-file at start for the engine's own robots.txt
 * fetches (each job's pages use its own). The engine's default delay is
 * 0: each job raises the hosts it crawls to its own delay, so a host's
 * delay is the largest of the jobs' on it.
 */
static void
daemon_engine_config(const struct daemon_config *c, struct engine_config *ec)
{
	struct crawl_opts o = c->defaults;

	o.concurrency = c->concurrency;
	o.per_host = c->per_host;
	o.parse_threads = c->parse_threads;
	o.delay_ms = 0;
	engine_config_from_opts(ec, &o);
}

/* The signal and timer events. */
static bool
daemon_events(struct daemon *d)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct timeval tv = {1, 0};
	size_t i;

	for (i = 0; i < CW_NELEM(sigs); i++) {
		d->sig_ev[i] = evsignal_new(d->base, sigs[i], daemon_signal, d);
		if (d->sig_ev[i] == NULL || evsignal_add(d->sig_ev[i], NULL))
			return false;
	}
	d->tick_ev = event_new(d->base, -1, EV_PERSIST, daemon_tick, d);
	return d->tick_ev != NULL && event_add(d->tick_ev, &tv) == 0;
}

/* Store, engine, jobs: the crawling half. */
static bool
daemon_start_engine(struct daemon *d)
{
	struct engine_config ec;
	char err[1024];

	if (store_open(d->cfg->db, d->cfg->sync_full ? STORE_F_SYNC_FULL : 0,
		&d->st, err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		d->code = DAEMON_EXIT_BAD_DB;
		return false;
	}
	daemon_engine_config(d->cfg, &ec);
	d->engine = engine_new(d->base, d->st, &ec);
	if (d->engine == NULL) {
		log_error("daemon: cannot start the engine (out of memory?)");
		return false;
	}
	d->jobs = jobs_new(d->engine, d->st, d->cfg, daemon_fatal, d);
	if (d->jobs == NULL) {
		log_error("daemon: out of memory");
		return false;
	}
	if (jobs_load(d->jobs, err, sizeof(err)) != CW_OK) {
		log_error("%s: %s", d->cfg->db, err);
		return false;
	}
	d->metrics.jobs = d->jobs;
	d->metrics.engine = d->engine;
	d->metrics.store = d->st;
	return true;
}

/* The API and the notifications: the serving half. */
static bool
daemon_start_api(struct daemon *d)
{
	char err[1024], *token = NULL;

	if (daemon_read_token(d->cfg, &token, err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		return false;
	}
	d->api = api_new(d->base, &d->cfg->listen, token, d->jobs,
	    daemon_metrics, d, err, sizeof(err));
	free(token);
	if (d->api == NULL) {
		log_error("api: %s", err);
		return false;
	}
	d->metrics.api = d->api;
	log_info("api: listening on %s", api_address(d->api));
	d->notify = notify_new(d->base);
	if (d->notify == NULL)
		return false;
	notify_send(d->notify, "READY=1");
	return true;
}

/* Free in the order of STYLE.md 5: the engine (with its transfers and
   crawls) before the jobs that lent them options, the store last. */
static void
daemon_teardown(struct daemon *d)
{
	size_t i;

	api_free(d->api);
	engine_free(d->engine);
	jobs_free(d->jobs);
	notify_free(d->notify);
	for (i = 0; i < CW_NELEM(d->sig_ev); i++)
		if (d->sig_ev[i] != NULL)
			event_free(d->sig_ev[i]);
	if (d->tick_ev != NULL)
		event_free(d->tick_ev);
	if (d->deadline_ev != NULL)
		event_free(d->deadline_ev);
	if (d->base != NULL)
		event_base_free(d->base);
	store_close(d->st);
	if (d->cfg != NULL) {
		config_cleanup(d->cfg);
		free(d->cfg);
	}
}

/* Run until stopped. */
int
daemon_run(const char *path, struct daemon_config *cfg)
{
	struct daemon d;
	struct timespec ts;

	memset(&d, 0, sizeof(d));
	d.path = path;
	d.cfg = malloc(sizeof(*d.cfg));
	if (d.cfg == NULL) {
		config_cleanup(cfg);
		return 1;
	}
	*d.cfg = *cfg; /* taken */
	memset(cfg, 0, sizeof(*cfg));
	clock_gettime(CLOCK_REALTIME, &ts);
	d.metrics.start_time_s = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	d.code = 1;
	d.base = event_base_new();
	if (d.base == NULL || !daemon_events(&d)) {
		log_error("daemon: cannot set up the event loop");
		goto out;
	}
	if (!daemon_start_engine(&d) || !daemon_start_api(&d))
		goto out; /* d.code says why */
	d.code = 0;
	log_info("daemon: started pid=%ld config=%s db=%s", (long)getpid(),
	    path, d.cfg->db);
	if (event_base_dispatch(d.base) < 0) {
		log_error("daemon: the event loop failed");
		d.code = 1;
	}
	log_info("daemon: stopped code=%d", d.code);
out:
	daemon_teardown(&d);
	return d.code;
}
