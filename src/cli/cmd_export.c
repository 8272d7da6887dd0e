/* SPDX-License-Identifier: MIT */
/*
 * cmd_export.c - `crawld export`: open the database read-only and print its
 * pages as JSON lines or CSV (store/export.c does the formatting). A
 * closed stdout ends it by SIGPIPE, quietly, as it ends other Unix tools.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/base/log.h"
#include "crawld/store/export.h"
#include "crawld/store/store.h"
#include "cli.h"

enum {
	OPT_DB = 256,
	OPT_FORMAT,
	OPT_ORDER,
	OPT_CRAWL,
};

/* `crawld export`. */
int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, OPT_DB},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"order", required_argument, NULL, OPT_ORDER},
	    {"crawl", required_argument, NULL, OPT_CRAWL},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = "crawl.db";
	enum export_format fmt = EXPORT_JSONL;
	enum store_order order = STORE_ORDER_DISCOVERED;
	long long crawl_id = 0;
	struct store *st = NULL;
	char err[1024], *end;
	int ch;
	enum cw_rc rc;

	optind = 1;
	opterr = 0; /* cli_bad_option() says it in one line */
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_FORMAT:
			if (export_format_parse(optarg, &fmt) != CW_OK) {
				log_error("--format: '%s' is not jsonl or csv",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_ORDER:
			if (export_order_parse(optarg, &order) != CW_OK) {
				log_error("--order: '%s' is not discovered or "
					  "fetched",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_CRAWL:
			crawl_id = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || crawl_id < 1) {
				log_error(
				    "--crawl: '%s' is not a crawl id", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(cli_usage_text, stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("export", ch, argv);
		}
	}
	if (optind < argc) {
		log_error("export: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (store_open(db, STORE_F_READONLY, &st, err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		return EXIT_BAD_DB;
	}
	/* main() ignores SIGPIPE for libcurl; export sends nothing over
	   the network, so a reader that went away (crawld export | head)
	   ends it as it ends cat: quietly, by SIGPIPE (status 141 in the
	   shell), not with an I/O error. Also undoes an inherited SIG_IGN. */
	signal(SIGPIPE, SIG_DFL);
	rc = export_write(st, stdout, fmt, order, crawl_id);
	store_close(st);
	if (rc != CW_OK) {
		log_error("export: %s", cw_strerror(rc));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}
