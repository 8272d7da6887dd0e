/* SPDX-License-Identifier: MIT */
/*
 * main.c - the crawld command line's dispatcher: the global flags
 * (--help, --version), process-wide set-up (SIGPIPE, libcurl, libxml2) and
 * one call into the command's file (cmd_crawl.c, cmd_export.c,
 * cmd_serve.c, cmd_ctl.c). Each
 * command owns its own option parsing.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "crawld/base/log.h"
#include "crawld/web/links.h"
#include "cli.h"

const char cli_usage_text[] =
    "usage: crawld crawl [OPTIONS] URL...   crawl from the seeds until "
    "nothing\n"
    "                                       is queued or in flight\n"
    "       crawld export [--db PATH] [--format jsonl|csv]\n"
    "                     [--order discovered|fetched] [--crawl ID]\n"
    "       crawld serve [--config FILE] [--check-config]\n"
    "                                       the crawl service (daemon)\n"
    "       crawld ctl [--config FILE | --api URL] COMMAND ...\n"
    "                                       drive the service: submit, list,\n"
    "                                       status, pause, resume, cancel,\n"
    "                                       add-seeds, wait\n"
    "       crawld warc verify FILE...      check every record of a WARC\n"
    "       crawld convert [--db PATH] --mirror DIR\n"
    "                                       convert a mirror's links again\n"
    "       crawld --help | --version\n"
    "\n"
    "Run 'crawld crawl --help' for the crawl options, 'crawld serve\n"
    "--help' and 'crawld ctl --help' for the service.\n";

/* The option getopt_long() refused: argv[optind - 1] holds its text
   unless it was a short option inside a bundle ("-qx"). */
int
cli_bad_option(const char *cmd, int ch, char **argv)
{
	const char *arg = argv[optind - 1];
	char shortopt[3] = {'-', (char)optopt, '\0'};

	if (optopt > 0 && optopt < 256 && strncmp(arg, "--", 2) != 0)
		arg = shortopt;
	if (ch == ':')
		log_error("%s: option '%s' needs a value (crawld %s --help)",
		    cmd, arg, cmd);
	else
		log_error("%s: unknown option '%s' (crawld %s --help)", cmd,
		    arg, cmd);
	return EXIT_USAGE;
}

/* The commands, by the name that selects them. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
    {"crawl", cmd_crawl},
    {"export", cmd_export},
    {"serve", cmd_serve},
    {"ctl", cmd_ctl},
    {"warc", cmd_warc},
    {"convert", cmd_convert},
};

/* The command called name, or NULL. */
static const struct command *
command_find(const char *name)
{
	size_t i;

	for (i = 0; i < CW_NELEM(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	int code;

	if (argc < 2) {
		fputs(cli_usage_text, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(cli_usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("crawld %s (%s)\n", CRAWLD_VERSION, curl_version());
		return EXIT_OK;
	}
	/* A closed stdout (crawld export | head) must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		return EXIT_RUNTIME;
	}
	links_global_init();
	cmd = command_find(argv[1]);
	if (cmd != NULL) {
		code = cmd->run(argc - 1, argv + 1);
	} else {
		log_error("unknown command '%s' (crawld --help)", argv[1]);
		code = EXIT_USAGE;
	}
	curl_global_cleanup();
	return code;
}
