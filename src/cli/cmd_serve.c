/* SPDX-License-Identifier: MIT */
/*
 * cmd_serve.c - `crawld serve`: the command line of the daemon (--config,
 * --check-config), the log's set-up (level from the config, "<N>"
 * priorities when stderr is the journal) and one call into the daemon
 * layer. The config is read and checked before anything starts.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawld/base/log.h"
#include "crawld/daemon/daemon.h"
#include "cli.h"

#define SERVE_DEFAULT_CONFIG "/etc/crawld/crawld.conf"

static const char serve_help_text[] =
    "usage: crawld serve [--config FILE] [--check-config]\n"
    "\n"
    "Run the crawl service: jobs submitted over the control API (see\n"
    "'crawld ctl'), kept in the database across restarts. Runs in the\n"
    "foreground until SIGTERM or SIGINT; SIGHUP re-reads the config.\n"
    "\n"
    "  -c, --config FILE     the config (default " SERVE_DEFAULT_CONFIG ";\n"
    "                        config/crawld.conf documents every key)\n"
    "  -t, --check-config    check the config and exit: 0 when it is\n"
    "                        valid, 2 with file:line: message when not\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 stopped cleanly, 1 runtime error (cannot listen, the\n"
    "database failed), 2 bad usage or config, 4 unusable database.\n";

/* Whether stderr is the journal stream systemd connected (JOURNAL_STREAM
   holds "device:inode" of it). */
static bool
serve_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &sb) != 0)
		return false;
	return (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

/* `crawld serve`. */
int
cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check-config", no_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct daemon_config cfg;
	const char *path = SERVE_DEFAULT_CONFIG;
	char err[1024];
	bool check = false;
	int ch;

	optind = 1;
	opterr = 0; /* cli_bad_option() says it in one line */
	while ((ch = getopt_long(argc, argv, ":c:th", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'h':
			fputs(serve_help_text, stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("serve", ch, argv);
		}
	}
	if (optind < argc) {
		log_error("serve: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	log_set_journal(serve_stderr_is_journal());
	config_init(&cfg);
	if (daemon_load_config(path, &cfg, err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		config_cleanup(&cfg);
		return EXIT_USAGE;
	}
	if (check) {
		printf("crawld: %s: configuration OK\n", path);
		config_cleanup(&cfg);
		return EXIT_OK;
	}
	log_init(cfg.log_level);
	return daemon_run(path, &cfg);
}
