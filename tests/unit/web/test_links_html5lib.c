/* SPDX-License-Identifier: MIT */
/*
 * test_links_html5lib.c - robustness: every #data block of the html5lib
 * tree-construction files goes through links_extract(). The blocks are
 * the parser corner cases browsers agree on (misnested tags, NULs, broken
 * comments, adoption agency); we require no crash (the sanitizer build
 * reports the rest), CW_OK for each, the known block count (so a mistake
 * in the .dat reader is caught), and the links of the blocks that have
 * <a href>. The files are the repository's copy in tests/data/html5lib
 * (CRAWLD_TEST_DATA_DIR, set by CMake; see tests/data/SOURCES.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/web/htmlscan.h"
#include "crawld/web/links.h"
#include "harness.h"

#define DOC "http://example.com/dir/page.html"
#define DIR_URL "http://example.com/dir/"

/* The files and how many #data blocks each holds. */
static const struct {
	const char *file;
	size_t blocks;
} dat_files[] = {
    {"tests1.dat", 112},
    {"tricky01.dat", 9},
    {"adoption01.dat", 18},
    {"plain-text-unsafe.dat", 33},
};

#define DAT_TOTAL (112 + 9 + 18 + 33)

/* Blocks whose links we know: exact #data text, expected URLs. */
static const struct {
	const char *data;
	const char *urls[3];
} known[] = {
    {"<a href=\"blah\">aba<table><a href=\"foo\">br<tr><td></td></tr>x"
     "</table>aoe",
	{DIR_URL "blah", DIR_URL "foo"}},
    {"<a href=\"blah\">aba<table><tr><td><a href=\"foo\">br</td></tr>x"
     "</table>aoe",
	{DIR_URL "blah", DIR_URL "foo"}},
    {"<table><a href=\"blah\">aba<tr><td><a href=\"foo\">br</td></tr>x"
     "</table>aoe",
	{DIR_URL "blah", DIR_URL "foo"}},
    {"<a href=a>aa<marquee>aa<a href=b>bb</marquee>aa",
	{DIR_URL "a", DIR_URL "b"}},
};

static size_t known_seen;
static size_t spans_known, spans_unknown, raw_blocks_same;

/* Read a whole file; NULL if it cannot be read. */
static char *
dat_read(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	long n;

	f = fopen(path, "rb");
	if (f == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc((size_t)n + 1);
	if (buf == NULL)
		goto out;
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		FREE_NULL(buf);
		goto out;
	}
	buf[n] = '\0';
	*len = (size_t)n;
out:
	fclose(f);
	return (buf);
}

/* Check the links of a block if it is one of the known ones. */
static void
dat_check_known(const char *data, size_t len, const struct link_list *l)
{
	size_t i, j, n;

	for (i = 0; i < CW_NELEM(known); i++) {
		if (strlen(known[i].data) != len ||
		    memcmp(known[i].data, data, len) != 0)
			continue;
		known_seen++;
		for (n = 0; known[i].urls[n] != NULL; n++)
			;
		CHECK_INT(l->count, n);
		for (j = 0; j < n && j < l->count; j++)
			CHECK_STR(link_list_url(l, j), known[i].urls[j]);
	}
}

/*
 * The blocks again with every requisite and spans: each known span lies
 * in the block and (for an attribute) decodes to the raw reference (with
 * htmlscan.c's decoder, which test_htmlscan holds against libxml2), and
 * the requisites-only scan without libxml2 agrees with libxml2's on most
 * blocks (they differ by design where libxml2 drops markup: after the
 * root's end, a second <body>; test_links_differential checks that this
 * is the only difference).
 */
static void
dat_check_spans(const char *data, size_t len)
{
	struct links_opts o;
	struct link_list a, r;
	struct buf dec;
	const struct link *k;
	size_t i, n = 0;
	bool trunc, same = true;

	memset(&o, 0, sizeof(o));
	o.mode = LINKS_MODE_ALL;
	o.flags = LINKS_OPT_OFFSETS | LINKS_OPT_RAW;
	o.parser = LINKS_PARSER_LIBXML2;
	link_list_init(&a);
	link_list_init(&r);
	buf_init(&dec, SIZE_MAX);
	CHECK_INT(links_extract_opts(data, len, DOC, &o, &a), CW_OK);
	for (i = 0; i < a.count; i++) {
		k = &a.items[i];
		if (k->flags & LINK_F_OFFSET_UNKNOWN) {
			spans_unknown++;
			continue;
		}
		spans_known++;
		CHECK((size_t)k->off + k->len <= len);
		if ((k->flags & LINK_F_CSS) || (size_t)k->off + k->len > len)
			continue;
		buf_reset(&dec);
		CHECK(hs_decode(data + k->off, k->len, &dec, NULL, &trunc) ==
		    CW_OK);
		CHECK_STR(dec.data, link_list_raw(&a, i));
	}
	o.mode = LINKS_MODE_REQUISITES;
	o.parser = LINKS_PARSER_AUTO;
	CHECK_INT(links_extract_opts(data, len, DOC, &o, &r), CW_OK);
	for (i = 0; i < a.count; i++) {
		if ((a.items[i].flags & LINK_F_REQUISITE) == 0)
			continue;
		if (n >= r.count ||
		    strcmp(link_list_url(&a, i), link_list_url(&r, n)) != 0)
			same = false;
		n++;
	}
	if (same && n == r.count)
		raw_blocks_same++;
	buf_cleanup(&dec);
	link_list_cleanup(&a);
	link_list_cleanup(&r);
}

/*
 * Feed each #data block of buf[0..len) to links_extract(). A block is the
 * lines after a "#data" line up to the next line starting with '#'
 * (#errors, ...), without the last newline. Binary bytes (NUL) are kept.
 * Returns the number of blocks.
 */
static size_t
dat_run(const char *buf, size_t len, struct link_list *l)
{
	const char *p = buf, *end = buf + len, *nl, *data;
	size_t blocks = 0, dlen;
	int in_data = 0;
	enum cw_rc rc;

	data = NULL;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (in_data && *p == '#') {
			/* The data ends with the newline before this line. */
			dlen = (size_t)(p - data);
			if (dlen > 0)
				dlen--;
			link_list_reset(l);
			rc = links_extract(data, dlen, DOC, 1000, l);
			CHECK_INT(rc, CW_OK);
			if (rc == CW_OK)
				dat_check_known(data, dlen, l);
			dat_check_spans(data, dlen);
			in_data = 0;
		}
		if ((size_t)(nl - p) == 5 && memcmp(p, "#data", 5) == 0) {
			blocks++;
			in_data = 1;
			data = nl + 1 <= end ? nl + 1 : end;
		}
		p = nl + 1;
	}
	CHECK(!in_data);
	return (blocks);
}

/* Every block of every file. */
static void
test_html5lib(void)
{
	char path[4096];
	struct link_list l;
	size_t i, n, len = 0, total = 0;
	char *buf;

	links_global_init();
	link_list_init(&l);
	known_seen = 0;
	for (i = 0; i < CW_NELEM(dat_files); i++) {
		snprintf(path, sizeof(path), "%s/html5lib/%s",
		    CRAWLD_TEST_DATA_DIR, dat_files[i].file);
		buf = dat_read(path, &len);
		if (buf == NULL) {
			fprintf(stderr,
			    "  cannot read %s: the html5lib "
			    "tree-construction files are missing\n",
			    path);
			CHECK(buf != NULL);
			continue;
		}
		n = dat_run(buf, len, &l);
		if (n != dat_files[i].blocks)
			fprintf(stderr,
			    "  %s: %zu #data blocks, expected %zu\n",
			    dat_files[i].file, n, dat_files[i].blocks);
		CHECK_INT(n, dat_files[i].blocks);
		total += n;
		free(buf);
	}
	CHECK_INT(total, DAT_TOTAL);
	CHECK_INT(known_seen, CW_NELEM(known));
	printf("     %zu html5lib blocks parsed; spans: %zu known, %zu "
	       "unknown; requisites scan agrees with libxml2 on %zu\n",
	    total, spans_known, spans_unknown, raw_blocks_same);
	/* Every span of these UTF-8 blocks is known... */
	CHECK(spans_known >= 8);
	CHECK_INT(spans_unknown, 0);
	/* ...and the two requisite scans disagree on few blocks only. */
	CHECK(raw_blocks_same + 5 >= total);
	link_list_cleanup(&l);
}

static const struct test tests[] = {
    TEST(html5lib),
};

TEST_MAIN(tests)
