/* SPDX-License-Identifier: MIT */
/*
 * ithelp.h - helpers for integration tests: run a crawl in-process on a
 * fresh event base (with a safety deadline), run the crawld binary as a
 * child, and read results back with plain SQL as a user of the sqlite3
 * shell would.
 */
#ifndef CRAWLD_ITHELP_H
#define CRAWLD_ITHELP_H

#include <stdbool.h>
#include <stdint.h>

#include "crawld/engine/engine.h"

/* How much slower than usual the tests run (CRAWLD_IT_SLOW: 10 under
   valgrind): deadlines and bounded waits are multiplied by it. */
unsigned it_slow(void);

/* A fresh temporary directory (removed at exit) and paths in it (a ring
   of 8 buffers: hold at most 8 at once). */
const char *it_tmpdir(void);
const char *it_db_path(const char *name);

/* The result of an in-process crawl. */
struct it_result {
	enum crawl_end end;
	struct crawl_stats stats;
	char message[512];
	bool timed_out;	    /* the safety deadline hit */
	bool frontier_idle; /* the engine's frontier at the end: nothing
			       queued or in flight (gate tasks too) */
};

/*
 * Crawl seed into db with options given as "name=value" strings (NULL
 * terminated; names as in crawl_opts_set). Returns 0 on success, -1 when
 * the crawl could not start (message set).
 */
int it_crawl(const char *db, const char *seed, const char *const *opts,
    struct it_result *res);

/* When set, it_crawl()/it_crawl_seeds() add this observer (borrowed) to
   the crawl right after it starts. */
extern const struct crawl_observer *it_observer;

/* it_crawl with several seeds. */
int it_crawl_seeds(const char *db, const char *const *seeds, size_t nseeds,
    const char *const *opts, struct it_result *res);

/* The frontier of the engine made last in this process (borrowed; valid
   until that engine is freed). */
struct frontier *it_engine_frontier(void);

/* Run the crawld binary (env CRAWLD_BIN) with argv (NULL terminated);
   return its exit code; stdout/stderr go to files whose text is copied
   into out/err (may be NULL). */
int it_run_crawld(
    const char *const *argv, char *out, size_t outsz, char *err, size_t errsz);

/* it_run_crawld with the child's RLIMIT_FSIZE set to fsize bytes and
   SIGXFSZ ignored, so writes past it fail with EFBIG (a full disk). */
int it_run_crawld_fsize(
    const char *const *argv, long fsize, char *err, size_t errsz);

/*
 * Run the crawld binary with its stdout a pipe, as `crawld ... | head -c
 * nbytes` would: read nbytes of it (0: none, the pipe is closed before
 * crawld writes), copy them into got (NUL-terminated, may be NULL), close
 * the pipe and wait. The pipe holds 4 KiB, so a few KiB of output are
 * more than it takes. Returns the exit code, 128 + N for death by signal N.
 */
int it_run_crawld_head(const char *const *argv, size_t nbytes, char *got,
    size_t gotsz, char *err, size_t errsz);

/* Start the crawld binary with argv (NULL terminated) without waiting;
   its output goes to files in the temp dir. Returns the pid. */
int it_spawn_crawld(const char *const *argv);

/* A free loopback port (bound, read back, released) for a child server;
   0 on failure. */
unsigned it_free_port(void);

/* Whether something accepts connections on 127.0.0.1:port. */
bool it_port_open(unsigned port);

/*
 * A self-signed certificate for 127.0.0.1 (key and cert written under
 * it_tmpdir() as NAME-key.pem and NAME-cert.pem; cert receives the
 * certificate's path), made with openssl (CRAWLD_OPENSSL), and
 * `openssl s_server -www` serving it on a free port (*port). Returns the
 * server's pid once it accepts connections (stop it with
 * it_tls_server_stop()), -1 when openssl is missing or fails.
 */
int it_tls_server(const char *name, char *cert, size_t size, unsigned *port);
void it_tls_server_stop(int pid);

/* What the child of it_spawn_crawld() wrote so far (stdout and stderr),
   copied into buf. */
const char *it_spawn_output(char *buf, size_t size);

/* Poll (bounded: 60 s) until the child's output holds needle. */
bool it_spawn_wait_for(const char *needle);

/* Wait for the child pid; its exit code, 128 + N for death by signal N,
   -1 on error. */
int it_spawn_wait(int pid);

/* First column of the first row of sql (printf-style) as an integer;
   -1 when there is no row. */
long long db_int(const char *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same as text, copied into buf ("" when none / NULL). */
const char *db_text(const char *db, char *buf, size_t size, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

#endif /* CRAWLD_ITHELP_H */
