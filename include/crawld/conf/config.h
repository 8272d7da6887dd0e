/* SPDX-License-Identifier: MIT */
/*
 * config.h - the daemon's configuration file (INI, read with libinih):
 * [daemon], [store], [engine] and [crawl] sections parsed into a fresh
 * struct daemon_config, validated whole, with every error reported as
 * "file:line: message". The [crawl] section holds the defaults of
 * submitted jobs, each key a crawl option by its long name, set through
 * the option table of options.c, so the command line, the config file and
 * the control API cannot drift apart. The options of one job (the [crawl]
 * defaults, then the job's own JSON members) are built here too.
 *
 * Pure: no file, socket or loop is touched (the caller reads the file and
 * the token), so the parser is unit-tested and fuzzed alone.
 *
 * struct daemon_config owns every string in it and its crawl_opts.
 */
#ifndef CRAWLD_CONFIG_H
#define CRAWLD_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "crawld/base/common.h"
#include "crawld/base/log.h"
#include "crawld/conf/options.h"

/* Largest config file accepted (bytes). */
#define CONFIG_MAX_BYTES (1024 * 1024)

enum config_listen_kind {
	CONFIG_LISTEN_TCP = 0, /* numeric IPv4 or [IPv6] and a port */
	CONFIG_LISTEN_UNIX,    /* unix:/path */
};

/* The control API's address, parsed from [daemon] listen. */
struct config_listen {
	enum config_listen_kind kind;
	char host[64];	/* numeric, without brackets */
	uint16_t port;	/* 0 = ephemeral (the daemon logs the one it got) */
	char path[108]; /* a unix socket's path (sun_path) */
	bool loopback;	/* 127.0.0.0/8, ::1 or a unix socket */
	char text[160]; /* as written */
};

/* One [crawl] line as written (the defaults are replayed per job). */
struct config_item {
	char *key;   /* owned; normalised ('_' -> '-') */
	char *value; /* owned */
	int line;
};

struct daemon_config {
	char *file; /* owned: the name used in messages */
	/* [daemon] */
	struct config_listen listen;
	int listen_line;
	char *token_file; /* owned; NULL = no token needed */
	int token_file_line;
	bool allow_remote;
	enum log_level log_level;
	uint32_t shutdown_timeout_ms;
	unsigned max_jobs; /* jobs running or paused at once */
	/* [store] */
	char *db; /* owned */
	bool sync_full;
	char *warc_dir; /* owned; NULL = DIR/warc beside db (config_warc_dir) */
	char *mirror_dir; /* owned; NULL = DIR/mirror beside db */
	/* [engine] */
	unsigned concurrency;
	unsigned per_host;
	int parse_threads; /* -1 = auto */
	/* [crawl] */
	struct config_item *crawl; /* owned, ncrawl */
	size_t ncrawl;
	struct crawl_opts defaults; /* owned: the [crawl] lines applied */
};

/* Fill in every default (config/crawld.conf documents them). */
void config_init(struct daemon_config *c);

/* Free what c owns; it may be config_init()ed again. */
void config_cleanup(struct daemon_config *c);

/*
 * Parse the INI text (len bytes, not NUL-terminated; file names it in
 * messages) into c, which must be freshly config_init()ed, and validate
 * the whole. On error returns CW_EINVAL (CW_ENOMEM for memory) with
 * "file:line: message" in err; c must still be config_cleanup()ed.
 */
CW_WARN_UNUSED enum cw_rc config_parse(struct daemon_config *c,
    const char *file, const char *text, size_t len, char *err, size_t errlen);

/*
 * Parse a listen address: "127.0.0.1:PORT", "[::1]:PORT" or "unix:/path"
 * (numeric hosts only: nothing is resolved). CW_EINVAL with a message.
 */
CW_WARN_UNUSED enum cw_rc config_parse_listen(
    const char *text, struct config_listen *out, char *err, size_t errlen);

/*
 * The options of a submitted job into o (crawl_opts_init()ed by the
 * caller, crawl_opts_cleanup() after): the [crawl] defaults, then every
 * member of obj but "seeds", each a crawl option by its long name ('_' may
 * stand for '-'), a JSON number, string, boolean or, for include, exclude
 * and retry-status, an array. A member that names no job option, or
 * names one the daemon sets for every job ([engine], [store]), is an
 * error, never ignored. CW_EINVAL with a message naming the member.
 * With "mirror", page-requisites and convert-links are on unless the job
 * or [crawl] sets them (as crawl --mirror).
 */
CW_WARN_UNUSED enum cw_rc config_job_opts(const struct daemon_config *c,
    const json_t *obj, struct crawl_opts *o, char *err, size_t errlen);

/*
 * The options of a stored job (its crawls.options JSON) for a resume:
 * as config_job_opts(), except that the members a job cannot set (those
 * stored for information, such as concurrency) are skipped.
 */
CW_WARN_UNUSED enum cw_rc config_stored_opts(const struct daemon_config *c,
    const char *options_json, struct crawl_opts *o, char *err, size_t errlen);

/*
 * Whether name may be a job's "warc" (the file's name in the daemon's
 * WARC directory, not a path: a client of the API names no file of the
 * machine): 1 to 100 of [A-Za-z0-9._-], not beginning with '.'.
 */
bool config_warc_name_ok(const char *name);

/* The directory jobs' WARC files go in: [store] warc_dir, else "warc"
   beside the database. Malloc'd; NULL when out of memory. */
char *config_warc_dir(const struct daemon_config *c);

/* The directory jobs' mirrors go in (a job's "mirror": NAME is its
   subdirectory NAME, named as a "warc" is: config_warc_name_ok):
   [store] mirror_dir, else "mirror" beside the database. Malloc'd; NULL
   when out of memory. */
char *config_mirror_dir(const struct daemon_config *c);

/* "error", "warn", "info", "debug". */
const char *config_log_level_name(enum log_level l);

#endif /* CRAWLD_CONFIG_H */
