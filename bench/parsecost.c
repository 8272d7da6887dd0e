/* SPDX-License-Identifier: MIT */
/*
 * parsecost.c - crawld-parsecost: the parse floor. Times libxml2's HTML
 * SAX push parse of a set of files alone, with no crawler around it, so a
 * benchmark can say how close crawld comes to the cost nobody using
 * libxml2 can avoid. bench/parsecost drives it over a generated site.
 *
 *   crawld-parsecost [--passes N] [--mode sax|extract|both] --list FILE
 *
 * FILE has one document per line: PATH, a tab, and the document's URL
 * (its base for extract mode). Every file is read into memory first; each
 * pass then parses all of them on this one thread, and the thread's CPU
 * clock (CLOCK_THREAD_CPUTIME_ID) is read around the pass. Modes:
 *   sax      libxml2 alone, set up as src/web/links.c sets it up (the
 *            same options, encoding choice, one chunk then terminate, a
 *            startElement that does nothing): the floor;
 *   extract  links_extract(): what a crawld parse worker does per page
 *            (libxml2 + collecting href/src + resolving every reference).
 * Prints one JSON object per mode on stdout: files, bytes, passes and the
 * median and least CPU and wall seconds of a pass. Owns only its buffers.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/HTMLparser.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "crawld/web/links.h"

/* The options links.c parses with (keep in step with LINKS_PARSE_OPTIONS). */
#define PC_PARSE_OPTIONS                                                       \
	(HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |        \
	    HTML_PARSE_RECOVER)
#define PC_MAX_LINKS 10000 /* crawld's --max-links default */
#define PC_MAX_PASSES 1000

/* One document, read into memory before any pass. */
struct pc_doc {
	char *body; /* owned */
	size_t len;
	char *url; /* owned */
	xmlCharEncoding enc;
};

struct pc_set {
	struct pc_doc *docs; /* owned */
	size_t n, cap;
	size_t bytes;
};

/* One pass's figures. */
struct pc_pass {
	double cpu_s;
	double wall_s;
	size_t links; /* extract mode: links kept, a check that work happened */
};

/* Seconds on clock id. */
static double
pc_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether s[0..n) is UTF-8 (ASCII included): links.c's start encoding. */
static int
pc_is_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			need = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			need = 2;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			need = 3;
		else
			return 0;
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* Read path whole into d; 0 on success. */
static int
pc_read(const char *path, struct pc_doc *d)
{
	FILE *f = fopen(path, "rb");
	long sz;
	int rc = -1;

	if (f == NULL)
		return -1;
	/* One htmlParseChunk() call per document: at most INT_MAX bytes. */
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || sz > INT_MAX ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	d->body = malloc((size_t)sz + 1);
	if (d->body == NULL)
		goto out;
	d->len = fread(d->body, 1, (size_t)sz, f);
	if (d->len != (size_t)sz)
		goto out;
	d->enc = pc_is_utf8((const unsigned char *)d->body, d->len)
	    ? XML_CHAR_ENCODING_UTF8
	    : XML_CHAR_ENCODING_NONE;
	rc = 0;
out:
	fclose(f);
	return rc;
}

/* Load every "PATH\tURL" line of list into set; 0 on success. */
static int
pc_load(const char *list, struct pc_set *set)
{
	FILE *f = fopen(list, "r");
	char line[8192], *tab, *nl;
	struct pc_doc *d;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "parsecost: %s: %s\n", list, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[0] == '\0')
			continue;
		tab = strchr(line, '\t');
		if (tab != NULL)
			*tab++ = '\0';
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 1024;
			d = realloc(set->docs, set->cap * sizeof(*d));
			if (d == NULL) {
				rc = -1;
				break;
			}
			set->docs = d;
		}
		d = &set->docs[set->n];
		memset(d, 0, sizeof(*d));
		d->url = strdup(tab != NULL ? tab : "http://localhost/");
		if (d->url == NULL || pc_read(line, d) != 0) {
			fprintf(stderr, "parsecost: cannot read %s\n", line);
			free(d->body);
			free(d->url);
			rc = -1;
			break;
		}
		set->bytes += d->len;
		set->n++;
	}
	fclose(f);
	return rc;
}

/* SAX startElement that does nothing: libxml2 still tokenises the tag and
   builds the name and attribute arrays it hands over, as for crawld. */
static void
pc_start_element(void *ud, const xmlChar *name, const xmlChar **atts)
{
	(void)ud;
	(void)name;
	(void)atts;
}

/* Parser errors go nowhere, as in links.c. */
static void
pc_silent_serror(void *ud, xmlErrorPtr err)
{
	(void)ud;
	(void)err;
}

/* Context-less (encoding) errors go nowhere. */
static void
pc_silent_generic(void *ud, const char *msg, ...)
{
	(void)ud;
	(void)msg;
}

/* libxml2 alone over one document, set up like links_extract(). */
static void
pc_sax_one(const struct pc_doc *d)
{
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt;

	memset(&sax, 0, sizeof(sax));
	sax.startElement = pc_start_element;
	sax.serror = pc_silent_serror;
	sax.initialized = XML_SAX2_MAGIC;
	ctxt = htmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL, d->enc);
	if (ctxt == NULL)
		return;
	(void)htmlCtxtUseOptions(ctxt, PC_PARSE_OPTIONS);
	(void)htmlParseChunk(ctxt, d->body, (int)d->len, 0);
	(void)htmlParseChunk(ctxt, NULL, 0, 1);
	htmlFreeParserCtxt(ctxt);
}

/* One pass over every document in mode ("sax" or "extract"). */
static void
pc_pass_run(const struct pc_set *set, int extract, struct pc_pass *p)
{
	struct link_list l;
	double c0, w0;
	size_t i;

	link_list_init(&l);
	memset(p, 0, sizeof(*p));
	w0 = pc_clock(CLOCK_MONOTONIC);
	c0 = pc_clock(CLOCK_THREAD_CPUTIME_ID);
	for (i = 0; i < set->n; i++) {
		if (!extract) {
			pc_sax_one(&set->docs[i]);
			continue;
		}
		link_list_reset(&l);
		if (links_extract(set->docs[i].body, set->docs[i].len,
			set->docs[i].url, PC_MAX_LINKS, &l) == CW_OK)
			p->links += l.count;
	}
	p->cpu_s = pc_clock(CLOCK_THREAD_CPUTIME_ID) - c0;
	p->wall_s = pc_clock(CLOCK_MONOTONIC) - w0;
	link_list_cleanup(&l);
}

/* qsort order of doubles. */
static int
pc_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v). */
static double
pc_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), pc_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run passes of one mode and print its JSON line. */
static void
pc_report(const struct pc_set *set, int extract, int passes)
{
	double cpu[PC_MAX_PASSES], wall[PC_MAX_PASSES], cpu_min, wall_min;
	struct pc_pass p;
	size_t links = 0;
	int i;

	for (i = 0; i < passes; i++) {
		pc_pass_run(set, extract, &p);
		cpu[i] = p.cpu_s;
		wall[i] = p.wall_s;
		links = p.links;
	}
	cpu_min = wall_min = 1e300;
	for (i = 0; i < passes; i++) {
		cpu_min = cpu[i] < cpu_min ? cpu[i] : cpu_min;
		wall_min = wall[i] < wall_min ? wall[i] : wall_min;
	}
	printf("{\"mode\": \"%s\", \"files\": %zu, \"bytes\": %zu, "
	       "\"passes\": %d, \"cpu_s\": %.4f, \"cpu_s_min\": %.4f, "
	       "\"wall_s\": %.4f, \"wall_s_min\": %.4f, \"links\": %zu}\n",
	    extract ? "extract" : "sax", set->n, set->bytes, passes,
	    pc_median(cpu, passes), cpu_min, pc_median(wall, passes), wall_min,
	    links);
	fflush(stdout);
}

/* Print the usage and return the exit code. */
static int
pc_usage(int code)
{
	fputs("usage: crawld-parsecost [--passes N] [--mode sax|extract|both] "
	      "--list FILE\n",
	    code ? stderr : stdout);
	return code;
}

/* crawld-parsecost. */
int
main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"passes", required_argument, NULL, 'p'},
	    {"mode", required_argument, NULL, 'm'},
	    {"list", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct pc_set set;
	const char *list = NULL, *mode = "both";
	int ch, passes = 3, code = 2;
	size_t i;

	memset(&set, 0, sizeof(set));
	while ((ch = getopt_long(argc, argv, "p:m:l:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'p':
			passes = atoi(optarg);
			break;
		case 'm':
			mode = optarg;
			break;
		case 'l':
			list = optarg;
			break;
		case 'h':
			return pc_usage(0);
		default:
			return pc_usage(2);
		}
	}
	if (list == NULL || passes < 1 || passes > PC_MAX_PASSES ||
	    (strcmp(mode, "sax") != 0 && strcmp(mode, "extract") != 0 &&
		strcmp(mode, "both") != 0))
		return pc_usage(2);
	links_global_init();
	/* Encoding errors would reach stderr through the generic handler. */
	xmlSetGenericErrorFunc(NULL, pc_silent_generic);
	if (pc_load(list, &set) != 0)
		goto out;
	if (set.n == 0) {
		fprintf(stderr, "parsecost: %s lists no document\n", list);
		goto out;
	}
	if (strcmp(mode, "extract") != 0)
		pc_report(&set, 0, passes);
	if (strcmp(mode, "sax") != 0)
		pc_report(&set, 1, passes);
	code = 0;
out:
	for (i = 0; i < set.n; i++) {
		free(set.docs[i].body);
		free(set.docs[i].url);
	}
	free(set.docs);
	return code;
}
