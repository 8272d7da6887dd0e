/* SPDX-License-Identifier: MIT */
/*
 * cmd_warc.c - `crawld warc verify FILE...`: every record of each file read
 * back, both digests recomputed, the mandatory fields and the
 * request/response pairing checked (web/warcfile.c), one line per record.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crawld/base/log.h"
#include "crawld/web/warcfile.h"
#include "cli.h"

/* Largest record verify reads into memory (a body over it is reported,
   not checked): well above --max-size's default. */
#define WARC_VERIFY_MAX_RECORD ((size_t)1 << 30)

static const char warc_help_text[] =
    "usage: crawld warc verify [-q] FILE...\n"
    "\n"
    "Read every record of each WARC file (gzip members or plain), recompute\n"
    "WARC-Block-Digest and WARC-Payload-Digest, check the mandatory fields\n"
    "(WARC-Record-ID, WARC-Date, WARC-Type, Content-Length, and\n"
    "WARC-Target-URI where the type has one) and that every request has its\n"
    "response or revisit (WARC-Concurrent-To, same WARC-Date and target).\n"
    "Prints one line per record ('OFFSET TYPE URI ok' or its problems) and\n"
    "a summary per file.\n"
    "\n"
    "  -q, --quiet   print problems and the summaries only\n"
    "  -h, --help    this text\n"
    "\n"
    "Exit status: 0 every record is whole and checks out, 1 a problem was\n"
    "found (or a file could not be read), 2 bad usage.\n";

/* Copy lines from in to out, leaving out the " ok" ones when quiet. */
static void
warc_print(FILE *in, FILE *out, bool quiet)
{
	char line[4096];
	size_t n;

	while (fgets(line, sizeof(line), in) != NULL) {
		n = strlen(line);
		if (quiet && n >= 4 && strcmp(line + n - 4, " ok\n") == 0)
			continue;
		fputs(line, out);
	}
}

/* Verify one file; true when it has no problem. */
static bool
warc_verify_one(const char *path, bool quiet)
{
	struct warc_verify_stats st;
	FILE *tmp;
	enum cw_rc rc;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("%s: %s", path, strerror(errno));
		return false;
	}
	/* -q drops the ok lines: the report goes through a temporary file. */
	tmp = quiet ? tmpfile() : stdout;
	if (tmp == NULL) {
		log_error("tmpfile: %s", strerror(errno));
		close(fd);
		return false;
	}
	printf("%s:\n", path);
	rc = warc_verify(fd, WARC_VERIFY_MAX_RECORD, tmp, &st);
	close(fd);
	if (quiet) {
		rewind(tmp);
		warc_print(tmp, stdout, true);
		fclose(tmp);
	}
	if (rc != CW_OK) {
		log_error("%s: %s", path, cw_strerror(rc));
		return false;
	}
	if (st.records == 0) {
		printf("%s: no records\n", path);
		return false;
	}
	return st.problems == 0;
}

/* `crawld warc verify`. */
int
cmd_warc(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool quiet = false, ok = true;
	int ch, i;

	log_init(LOG_LVL_WARN);
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(warc_help_text, stdout);
		return EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "verify") != 0) {
		log_error("warc: expected 'verify' (crawld warc --help)");
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":qh", lo, NULL)) != -1) {
		switch (ch) {
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(warc_help_text, stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("warc verify", ch, argv);
		}
	}
	if (optind >= argc) {
		log_error("warc verify: no file given (crawld warc --help)");
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++)
		ok &= warc_verify_one(argv[i], quiet);
	fflush(stdout);
	return ok ? EXIT_OK : EXIT_RUNTIME;
}
