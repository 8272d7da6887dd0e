/* SPDX-License-Identifier: MIT */
/*
 * sthelp.h - helpers for the system tests: run the built `crawld serve`
 * as a child on a temporary config (a Unix socket or an ephemeral TCP
 * port, a fresh SQLite database, its log in a file), talk to its control
 * API with libcurl, poll a job to a state with bounded loops, and stop it
 * with a signal. Every wait is bounded by a generous deadline and no test
 * asserts on a duration.
 */
#ifndef CRAWLD_STHELP_H
#define CRAWLD_STHELP_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "testsrv.h"

struct st_daemon {
	pid_t pid;
	char dir[256];	/* its own temporary directory */
	char conf[300]; /* the config file */
	char log[300];	/* its stderr */
	char sock[300]; /* the API's Unix socket */
	char db[300];
	char token[64]; /* "" = none */
	bool tcp;	/* listen on 127.0.0.1:0 instead */
	char addr[64];	/* "127.0.0.1:PORT" once started (tcp) */
};

/* A fresh directory and paths for a daemon called name. */
void st_init(struct st_daemon *d, const char *name);

/* Write the config: [daemon] with listen, log_level, (token_file) and
   shutdown_timeout = 2, [store] db, then extra (more sections). */
void st_write_config(struct st_daemon *d, const char *extra);

/* Start `crawld serve --config` with extra environment ("K=V", NULL
   terminated, may be NULL) and wait until it listens. 0 on success. */
int st_start(struct st_daemon *d, const char *const *env);

/* Send sig and wait (bounded) for the exit; the exit code, 128+signal
   when killed, -1 when it did not exit. */
int st_stop(struct st_daemon *d, int sig);

/* One request (token sent when set, unless no_token). *status gets the
   HTTP status (0: no answer); the body is returned (malloc'd). */
char *st_http(struct st_daemon *d, const char *method, const char *path,
    const char *body, const char *auth, long *status);

/* st_http with the daemon's token, the body parsed as JSON. */
json_t *st_json(struct st_daemon *d, const char *method, const char *path,
    const char *body, long *status);

/* Submit {"seeds":[seed], ...extra members} (extra: JSON members text
   without braces, may be ""). Returns the job id, -1 on failure. */
long long st_submit(struct st_daemon *d, const char *seed, const char *extra);

/* Poll GET /crawls/ID until its state is state (bounded); true if so. */
bool st_wait_state(struct st_daemon *d, long long id, const char *state);

/* Poll until the job has at least n pages done (bounded). */
bool st_wait_done_pages(struct st_daemon *d, long long id, long long n);

/* A member of counts of GET /crawls/ID (-1 on failure). */
long long st_count(struct st_daemon *d, long long id, const char *state);

/* Whether the daemon's log holds needle; st_wait_log polls for it. */
bool st_log_has(const struct st_daemon *d, const char *needle);
bool st_wait_log(const struct st_daemon *d, const char *needle);

/* Run the crawld binary with args (NULL terminated) to completion; the
   exit code, stdout+stderr into out. */
int st_run(const char *const *args, char *out, size_t outsz);

/* A generated site for testsrv_start_gen(st_tree_gen, &n) with a long n:
   /p/I for 0 <= I < n is a binary tree's node, linking to /p/2I+1 and
   /p/2I+2 (a child past the end is the page itself, so no link is a 404),
   so a crawl from /p/0 fetches all n pages, at depth floor(log2(I+1)). */
int st_tree_gen(const char *path, struct testsrv_page *out, char *buf,
    size_t size, void *arg);

/* Sleep ms milliseconds. */
void st_sleep_ms(unsigned ms);

#endif /* CRAWLD_STHELP_H */
