/* SPDX-License-Identifier: MIT */
/*
 * test_htmlscan.c - unit tests for htmlscan.c, the raw tag scanner that
 * must find the tags libxml2 finds and decode attribute values as
 * libxml2 does. Besides hand-written cases, two differential tests hold
 * it against libxml2 itself: random attribute values (entities, character
 * references, malformed ones) decoded by both, and random documents
 * (comments, declarations, end tags, raw text, odd attributes) whose
 * start tags, attributes and cursor positions must agree one for one.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "crawld/web/htmlscan.h"
#include "harness.h"

/* The start tags of doc, one "name" per tag, joined by ','. */
static void
scan_names(const char *doc, char *out, size_t cap)
{
	struct hs_scanner sc;
	struct hs_tag t;
	size_t n = 0;

	out[0] = '\0';
	hs_init(&sc, doc, strlen(doc), 0);
	while (hs_next_tag(&sc, &t) && n + 20 < cap)
		n += (size_t)snprintf(
		    out + n, cap - n, "%s%s", n ? "," : "", t.name);
}

/* Which start tags the scanner sees, markup libxml2 skips skipped. */
static void
test_tags(void)
{
	static const struct {
		const char *doc, *want;
	} c[] = {
	    {"<a><b c=d><img/>", "a,b,img"},
	    {"<!-- <x> --><y><!-- a -- <z> --!><w>", "y,w"},
	    {"<!----><a><!---><b>--><c>", "a,c"},
	    {"<!-- never ends <a>", ""},
	    {"<!DOCTYPE html><a>", "a"},
	    {"<!doctype html PUBLIC \"-//x>y\" \"u>v\"><a>", "a"},
	    {"<!DOCTYPE html \"x>y\"><a>", "a"},
	    {"<![CDATA[<a>]]><b>", "a,b"},
	    {"<!x <a>", "a"},
	    {"<?php <x> ?><a><? <b>", "a,b"},
	    {"</a href='>'><b></ <c></><d>", "b,c,d"},
	    {"<script><a></scriptx><b></SCRIPT><c>", "script,c"},
	    {"<style>x</style ><d><script/><e>", "style,d,script,e"},
	    {"<script a='</script>'>x</script><f>", "script,f"},
	    {"< a><1><a<b>", "a"},
	    {"<a\0href=x><b>", "a,b"},
	    {"<A HREF=x><Td>", "a,td"},
	    {"<a b='>'c=\">\"><d>", "a,d"},
	};
	char got[256];
	size_t i;

	for (i = 0; i < CW_NELEM(c); i++) {
		/* Case 15 holds a NUL: scan it with its real length. */
		if (i == 15) {
			struct hs_scanner sc;
			struct hs_tag t;
			static const char d[] = "<a\0href=x><b>";
			size_t n = 0;

			hs_init(&sc, d, sizeof(d) - 1, 0);
			got[0] = '\0';
			while (hs_next_tag(&sc, &t))
				n += (size_t)snprintf(got + n, sizeof(got) - n,
				    "%s%s", n ? "," : "", t.name);
		} else {
			scan_names(c[i].doc, got, sizeof(got));
		}
		CHECK_STR(got, c[i].want);
		if (strcmp(got, c[i].want) != 0)
			fprintf(stderr, "  ^ in case %zu\n", i);
	}
}

/* Attribute spans: quotes, unquoted, absent, duplicates, bogus runs. */
static void
test_attrs(void)
{
	static const char doc[] = "<img  SRC = \"a b\" alt=x/y title='q\"r'"
				  " hidden src=dup \"bogus=z\" data-x= >";
	struct hs_scanner sc;
	struct hs_tag t;
	struct hs_attr a;
	size_t pos = 0, n = 0;

	hs_init(&sc, doc, sizeof(doc) - 1, 0);
	REQUIRE(hs_next_tag(&sc, &t));
	CHECK_STR(t.name, "img");
	CHECK_INT(t.attr_end, sizeof(doc) - 2);
	CHECK_INT(t.end, sizeof(doc) - 1);
	REQUIRE(hs_attr_find(doc, &t, "src", &a));
	CHECK_INT(a.quote, LINK_Q_DOUBLE);
	CHECK(a.val_len == 3 && memcmp(doc + a.val_off, "a b", 3) == 0);
	REQUIRE(hs_attr_find(doc, &t, "alt", &a));
	CHECK_INT(a.quote, LINK_Q_NONE);
	CHECK(a.val_len == 3 && memcmp(doc + a.val_off, "x/y", 3) == 0);
	REQUIRE(hs_attr_find(doc, &t, "title", &a));
	CHECK_INT(a.quote, LINK_Q_SINGLE);
	CHECK(a.val_len == 3 && memcmp(doc + a.val_off, "q\"r", 3) == 0);
	REQUIRE(hs_attr_find(doc, &t, "hidden", &a));
	CHECK_INT(a.quote, LINK_Q_ABSENT);
	CHECK_INT(a.val_len, 0);
	CHECK_INT(a.val_off, a.name_off + 6);
	REQUIRE(hs_attr_find(doc, &t, "data-x", &a));
	CHECK_INT(a.quote, LINK_Q_NONE);
	CHECK_INT(a.val_len, 0);
	/* "bogus=z" inside quotes is not an attribute. */
	CHECK(!hs_attr_find(doc, &t, "bogus", &a));
	while (hs_attr_next(doc, &t, &pos, &a))
		n++;
	CHECK_INT(n, 6); /* src, alt, title, hidden, src, data-x */
}

/* A tag at the very end, a NUL inside a quoted value, a long name. */
static void
test_edges(void)
{
	static const char nul[] = "<a href=\"x\0y\">";
	char longname[300], fifty[51];
	struct hs_scanner sc;
	struct hs_tag t;
	struct hs_attr a;

	hs_init(&sc, "<a href", 7, 0);
	REQUIRE(hs_next_tag(&sc, &t));
	CHECK_INT(t.end, 7);
	CHECK(hs_attr_find("<a href", &t, "href", &a));
	CHECK_INT(a.quote, LINK_Q_ABSENT);
	CHECK(!hs_next_tag(&sc, &t));

	hs_init(&sc, nul, sizeof(nul) - 1, 0);
	REQUIRE(hs_next_tag(&sc, &t));
	CHECK_INT(t.attr_end, 10); /* stops at the NUL, as libxml2 */
	REQUIRE(hs_attr_find(nul, &t, "href", &a));
	CHECK_INT(a.val_len, 1);

	/* A 150-letter tag name: libxml2 reads 100, then attributes. */
	memset(longname, 'x', sizeof(longname));
	longname[0] = '<';
	memcpy(longname + 151, " src=1>", 8);
	hs_init(&sc, longname, strlen(longname), 0);
	REQUIRE(hs_next_tag(&sc, &t));
	CHECK_INT(t.name_len, HS_NAME_MAX);
	CHECK_STR(t.name, "");
	CHECK(hs_attr_find(longname, &t, "src", &a));
	/* The other 50 letters are an attribute without a value. */
	memset(fifty, 'x', 50);
	fifty[50] = '\0';
	CHECK(hs_attr_find(longname, &t, fifty, &a));
	CHECK(!hs_tag_at("<1>", 3, 0, &t));
	CHECK(hs_tag_at("x<b>", 4, 1, &t) && t.end == 4);
}

/* Per-call capture of libxml2's startElement events. */
struct capture {
	htmlParserCtxtPtr ctxt;
	char names[64][16];
	size_t pos[64];	      /* the cursor at startElement */
	char vals[64][4][64]; /* the first 4 attributes' values */
	char anames[64][4][16];
	size_t nattrs[64];
	size_t n;
};

/* startElement: record the name, the cursor and the attributes. */
static void
capture_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
	struct capture *c = ud;
	xmlParserInputPtr in = c->ctxt->input;
	size_t i, k = 0;

	if (c->n >= 64)
		return;
	snprintf(c->names[c->n], 16, "%s", (const char *)name);
	c->pos[c->n] = in->consumed + (size_t)(in->cur - in->base);
	for (i = 0; atts != NULL && atts[i] != NULL && k < 4; i += 2, k++) {
		snprintf(c->anames[c->n][k], 16, "%s", (const char *)atts[i]);
		snprintf(c->vals[c->n][k], 64, "%s",
		    atts[i + 1] != NULL ? (const char *)atts[i + 1] : "");
	}
	c->nattrs[c->n] = k;
	c->n++;
}

/* Parse doc[0..len) with libxml2 as links.c does, capturing elements. */
static void
capture_parse(struct capture *c, const char *doc, size_t len)
{
	htmlSAXHandler sax;

	memset(c, 0, sizeof(*c));
	memset(&sax, 0, sizeof(sax));
	sax.startElement = capture_start;
	sax.initialized = XML_SAX2_MAGIC;
	c->ctxt = htmlCreatePushParserCtxt(
	    &sax, c, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (c->ctxt == NULL)
		return;
	(void)htmlCtxtUseOptions(c->ctxt,
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
		HTML_PARSE_RECOVER);
	(void)htmlParseChunk(c->ctxt, doc, (int)len, 0);
	(void)htmlParseChunk(c->ctxt, NULL, 0, 1);
	htmlFreeParserCtxt(c->ctxt);
}

static uint32_t rng_state = 12345;

/* A small deterministic PRNG (xorshift32). */
static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (rng_state);
}

/* The pieces random attribute values are made of. */
static const char *const value_pieces[] = {"a", "/x.png", "&amp;", "&amp",
    "&AMP;", "&#65;", "&#x41;", "&#X42;", "&#x;", "&#;", "&#0;", "&#1;", "&#9;",
    "&#99999999;", "&#x110000;", "&#xd800;", "&#128;", "&#233", "&lt", "&lt;",
    "&unknown;", "&eacute;", "&nbsp;", "&thetasym;", "\xc3\xa9", "&", "&&", ";",
    "&a.b;", "&#65x", "%20", "&amp;amp;", "&_x;", "&:;", "&1;", "&#x41",
    "?q=1&b=2", "&Eacute;", "&eacute", "&#x1F600;", "&#xFFFE;", "-", "="};

/* libxml2 and hs_decode() agree on random attribute values. */
static void
test_decode_vs_libxml2(void)
{
	struct capture c;
	struct buf out, map;
	char value[256], doc[400];
	size_t i, k, n, vlen;
	bool trunc;
	int mism = 0;

	buf_init(&out, SIZE_MAX);
	buf_init(&map, SIZE_MAX);
	for (i = 0; i < 3000; i++) {
		vlen = 0;
		n = 1 + rng() % 6;
		value[0] = '\0';
		for (k = 0; k < n; k++) {
			const char *p =
			    value_pieces[rng() % CW_NELEM(value_pieces)];

			if (vlen + strlen(p) + 1 >= 60)
				break;
			memcpy(value + vlen, p, strlen(p) + 1);
			vlen += strlen(p);
		}
		snprintf(doc, sizeof(doc), "<p title=\"%s\">", value);
		capture_parse(&c, doc, strlen(doc));
		REQUIRE(c.n >= 1);
		/* libxml2 adds html and body: the p is the last element. */
		buf_reset(&out);
		buf_reset(&map);
		REQUIRE(hs_decode(value, vlen, &out, &map, &trunc) == CW_OK);
		if (strcmp(out.data, c.vals[c.n - 1][0]) != 0) {
			if (mism++ < 5)
				fprintf(stderr,
				    "  value \"%s\": libxml2 \"%s\", "
				    "hs_decode \"%s\"\n",
				    value, c.vals[c.n - 1][0], out.data);
		}
		/* The map: one entry per byte plus one, never decreasing. */
		CHECK_INT(map.len, (out.len + 1) * sizeof(uint32_t));
		for (k = 1; k * 4 < map.len; k++)
			CHECK(((uint32_t *)(void *)map.data)[k] >=
			    ((uint32_t *)(void *)map.data)[k - 1]);
	}
	CHECK_INT(mism, 0);
	buf_cleanup(&out);
	buf_cleanup(&map);
}

/* The pieces random documents are made of. */
static const char *const doc_pieces[] = {"<a href=x>", "<a href='y z'>",
    "<img src=\"i.png\" alt='>'>", "<p class=c id=d>", "text ", "&amp; ", "< b",
    "<1>", "</p>", "</ x>", "</a href='>'>", "<!-- c -->",
    "<!-- <a href=hidden> -->", "<!---->", "<!-->", "<!--->", "-->",
    "<!DOCTYPE x>", "<![CDATA[", "]]>", "<?pi x?>", "<?>", "<script>",
    "</script>", "<style>", "</style>", "<div\nclass = \"q\"\n>", "<br/>",
    "<input value=a/>", "<a href=\"u\" href=\"v\">", "<a b c d>",
    "<span 'x'=y data-q=\"'\">", "<td>", "<table>", "<a href=\"&lt;\">",
    "<em title=\"a > b\">", "\n", "<a href=x\"y>", "<a =x>", "<a/b>",
    "<a href=\"\xc3\xa9\">", "</style", "</script ", "</scriptx>", "</STYLEs>",
    "<a\001href=n>", "\001", "<b x=\"\001\">"};

/*
 * libxml2's start tags, one for one, are the scanner's: the same names in
 * the same order, each ending where libxml2's cursor is, with the same
 * attribute values decoded. Elements libxml2 makes up (html, body, p)
 * have no raw tag; raw tags libxml2 drops are skipped over.
 */
static void
test_tags_vs_libxml2(void)
{
	struct capture c;
	struct hs_scanner sc;
	struct hs_tag t;
	struct hs_attr a;
	struct buf out;
	char doc[2048];
	size_t i, k, e, len, matched = 0, total = 0, extra = 0;
	bool trunc, found;
	int mism = 0;

	buf_init(&out, SIZE_MAX);
	for (i = 0; i < 2000; i++) {
		/*
		 * An open element first: libxml2 2.9 stops reading at
		 * markup after its root is closed (or never opened, when
		 * the document starts with an end tag).
		 */
		memcpy(doc, "<div>", 5);
		len = 5;
		for (k = 0; k < 1 + rng() % 12; k++) {
			const char *p =
			    doc_pieces[rng() % CW_NELEM(doc_pieces)];

			memcpy(doc + len, p, strlen(p));
			len += strlen(p);
		}
		doc[len] = '\0';
		/* \001 stands for a NUL byte, which a piece cannot hold. */
		for (k = 0; k < len; k++)
			if (doc[k] == '\001')
				doc[k] = '\0';
		capture_parse(&c, doc, len);
		hs_init(&sc, doc, len, 0);
		for (e = 0; e < c.n; e++) {
			/* Implied elements have no tag of their own. */
			if (c.nattrs[e] == 0 &&
			    (strcmp(c.names[e], "html") == 0 ||
				strcmp(c.names[e], "body") == 0 ||
				strcmp(c.names[e], "p") == 0 ||
				strcmp(c.names[e], "head") == 0))
				continue;
			total++;
			found = false;
			while (hs_next_tag(&sc, &t)) {
				if (t.start >= c.pos[e]) {
					/* Not this element's: read it again. */
					hs_init(&sc, doc, len, t.start);
					break;
				}
				if (strcmp(t.name, c.names[e]) == 0 &&
				    t.attr_end == c.pos[e]) {
					found = true;
					break;
				}
				if (extra++ < 5)
					fprintf(stderr,
					    "  <%s> at %zu: not "
					    "libxml2's, in \"%s\"\n",
					    t.name, t.start, doc);
			}
			if (!found) {
				if (mism++ < 5)
					fprintf(stderr,
					    "  no raw <%s> at %zu in "
					    "\"%s\"\n",
					    c.names[e], c.pos[e], doc);
				continue;
			}
			matched++;
			for (k = 0; k < c.nattrs[e]; k++) {
				if (!hs_attr_find(
					doc, &t, c.anames[e][k], &a)) {
					mism++;
					continue;
				}
				buf_reset(&out);
				REQUIRE(hs_decode(doc + a.val_off, a.val_len,
					    &out, NULL, &trunc) == CW_OK);
				if (strcmp(out.data, c.vals[e][k]) != 0 &&
				    mism++ < 5)
					fprintf(stderr,
					    "  <%s %s>: \"%s\" vs "
					    "\"%s\"\n",
					    c.names[e], c.anames[e][k],
					    out.data, c.vals[e][k]);
			}
		}
		/* A tag libxml2 did not report is one it read otherwise. */
		while (hs_next_tag(&sc, &t))
			if (extra++ < 5)
				fprintf(stderr,
				    "  <%s> at %zu: not libxml2's, in "
				    "\"%s\"\n",
				    t.name, t.start, doc);
	}
	fprintf(stderr,
	    "  %zu of %zu libxml2 start tags matched, %zu raw "
	    "tags it did not report\n",
	    matched, total, extra);
	CHECK_INT(extra, 0);
	CHECK(total > 2000);
	CHECK_INT(mism, 0);
	CHECK_INT(matched, total);
	buf_cleanup(&out);
}

static const struct test tests[] = {
    TEST(tags),
    TEST(attrs),
    TEST(edges),
    TEST(decode_vs_libxml2),
    TEST(tags_vs_libxml2),
};

TEST_MAIN(tests)
