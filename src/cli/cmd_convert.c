/* SPDX-License-Identifier: MIT */
/*
 * cmd_convert.c - `crawld convert --db X --mirror DIR`: convert the links
 * of every mirrored HTML and CSS file again, from the originals the mirror
 * kept and the URL -> path map in the database (mirror.h). Files whose
 * bytes do not change are left alone.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "crawld/base/log.h"
#include "crawld/mirror/mirror.h"
#include "crawld/store/store.h"
#include "cli.h"

static const char convert_help_text[] =
    "usage: crawld convert [--db PATH] --mirror DIR [-q]\n"
    "\n"
    "Convert the links of every HTML and CSS file mirrored into DIR again\n"
    "(from the originals kept in DIR/.crawld/orig and the URL -> file map\n"
    "in the database): relative paths to files that are mirrored, absolute\n"
    "URLs to the rest. Only files whose bytes change are written.\n"
    "\n"
    "  --db PATH     the crawl's database (default crawl.db)\n"
    "  --mirror DIR  the mirror directory\n"
    "  -q, --quiet   no summary line\n"
    "\n"
    "Exit status: 0 done, 1 a file or the database could not be written,\n"
    "2 bad usage, 4 unusable --db or --mirror path.\n";

enum {
	OPT_DB = 256,
	OPT_MIRROR,
};

/* `crawld convert`. */
int
cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, OPT_DB},
	    {"mirror", required_argument, NULL, OPT_MIRROR},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = "crawl.db", *dir = NULL;
	struct store *st = NULL;
	struct mirror *m = NULL;
	struct mirror_stats ms;
	bool quiet = false;
	char err[1024];
	int ch, code = EXIT_RUNTIME;
	enum cw_rc rc;

	optind = 1;
	opterr = 0; /* cli_bad_option() says it in one line */
	while ((ch = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_MIRROR:
			dir = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(convert_help_text, stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("convert", ch, argv);
		}
	}
	if (optind < argc) {
		log_error("convert: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (dir == NULL || dir[0] == '\0') {
		log_error("convert: --mirror DIR is needed");
		return EXIT_USAGE;
	}
	if (store_open(db, 0, &st, err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		return EXIT_BAD_DB;
	}
	if (mirror_open(dir, st, true, (size_t)1 << 30, &m, err, sizeof(err)) !=
	    CW_OK) {
		log_error("%s", err);
		store_close(st);
		return EXIT_BAD_DB;
	}
	rc = mirror_convert_all(m);
	if (rc == CW_OK)
		rc = store_flush(st);
	if (rc != CW_OK) {
		log_error("convert: %s",
		    mirror_errmsg(m)[0] != '\0' ? mirror_errmsg(m)
						: store_errmsg(st));
	} else {
		code = EXIT_OK;
		mirror_get_stats(m, &ms);
		if (!quiet)
			fprintf(stderr,
			    "crawld: convert %s: %llu documents, %llu written, "
			    "%llu unchanged (%llu links local, %llu "
			    "absolute)\n",
			    dir, (unsigned long long)ms.converted,
			    (unsigned long long)ms.written,
			    (unsigned long long)ms.unchanged,
			    (unsigned long long)ms.links_local,
			    (unsigned long long)ms.links_absolute);
	}
	mirror_close(m);
	store_close(st);
	return code;
}
