/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the command-line front end's files share: the exit codes
 * (the README documents them), the top-level usage text and one entry
 * point per command. Internal to src/cli/; main.c dispatches to the
 * cmd_*() functions, and nothing below the cli layer includes this.
 */
#ifndef CRAWLD_CLI_H
#define CRAWLD_CLI_H

#include "crawld/base/common.h" /* CRAWLD_VERSION */

/* Exit codes; the README documents them. */
enum exit_code {
	EXIT_OK = 0,	    /* crawl completed (failed pages are data) */
	EXIT_RUNTIME = 1,   /* the database failed mid-crawl, out of memory */
	EXIT_USAGE = 2,	    /* bad command line */
	EXIT_BAD_SEED = 3,  /* a seed is not a URL or not http(s) */
	EXIT_BAD_DB = 4,    /* --db cannot be opened or created */
	EXIT_FAIL_FAST = 5, /* --fail-fast stopped at a failed page */
	EXIT_INTERRUPTED = 130, /* SIGINT/SIGTERM: the crawl is resumable */
};

/* The top-level usage text (main.c). */
extern const char cli_usage_text[];

/*
 * Report what getopt_long() refused, as one "crawld: " line naming the
 * option and where help is (main.c). Call it with opterr = 0 and an
 * optstring starting with ':', when getopt_long() returned ch '?' (unknown
 * option) or ':' (missing argument). Returns EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int ch, char **argv);

/* `crawld crawl`: argv[0] is "crawl". Returns the exit code. */
int cmd_crawl(int argc, char **argv);

/* `crawld export`: argv[0] is "export". Returns the exit code. */
int cmd_export(int argc, char **argv);

/* `crawld serve`: argv[0] is "serve". Returns the exit code. */
int cmd_serve(int argc, char **argv);

/* `crawld ctl`: argv[0] is "ctl". Returns the exit code. */
int cmd_ctl(int argc, char **argv);

/* `crawld warc verify`: argv[0] is "warc". Returns the exit code. */
int cmd_warc(int argc, char **argv);

/* `crawld convert`: a mirror's link conversion again (cmd_convert.c). */
int cmd_convert(int argc, char **argv);

#endif /* CRAWLD_CLI_H */
