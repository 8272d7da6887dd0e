/* SPDX-License-Identifier: MIT */
/*
 * test_css.c - unit tests for css.c: which CSS constructs are references
 * (url() quoted and not, @import, image-set() strings) and which only look
 * like one (comments, strings, other functions, numbers, hashes, bad
 * urls, @import inside a block or in a style attribute), escapes, the
 * exact span of each reference, css_extract()'s resolution and limits,
 * and hostile inputs that must stay linear.
 */
#include <stdio.h>
#include <string.h>

#include "crawld/web/css.h"
#include "harness.h"

#define BASE "http://example.com/css/site.css"
#define BASE_DIR "http://example.com/css/"
#define MAXREF 6

/* What one scan found: values, spans, kinds, quotes. */
struct found {
	char value[MAXREF][128];
	char span[MAXREF][128];
	enum css_kind kind[MAXREF];
	enum link_quote quote[MAXREF];
	size_t n;
	size_t total;
	size_t last_end;
	bool bad; /* a span outside the input, or going backwards */
	const char *css;
	size_t len;
};

/* css_ref_cb recording into struct found, checking spans on the way. */
static enum cw_rc
record(void *arg, const struct css_ref *r)
{
	struct found *f = arg;

	if (r->off + r->len > f->len || r->off < f->last_end ||
	    memchr(r->value, '\0', r->value_len) != NULL)
		f->bad = true;
	f->last_end = r->off + r->len;
	if (f->n < MAXREF) {
		snprintf(
		    f->value[f->n], 128, "%.*s", (int)r->value_len, r->value);
		snprintf(
		    f->span[f->n], 128, "%.*s", (int)r->len, f->css + r->off);
		f->kind[f->n] = r->kind;
		f->quote[f->n] = r->quote;
		f->n++;
	}
	f->total++;
	return (CW_OK);
}

/* Scan css[0..len) into f. */
static enum cw_rc
scan(const char *css, size_t len, unsigned flags, struct found *f)
{
	memset(f, 0, sizeof(*f));
	f->css = css;
	f->len = len;
	return (css_scan(css, len, flags, record, f));
}

struct css_case {
	const char *name;
	const char *css;
	unsigned flags;
	/* value, span, 'u'rl or 'i'mport, quote: " ' or - */
	const char *refs[MAXREF][4];
};

static const struct css_case cases[] = {
    {"unquoted", "a{b:url(x.png)}", 0, {{"x.png", "x.png", "u", "-"}}},
    {"blanks around", "a{b:url(  x.png\t\n)}", 0,
	{{"x.png", "x.png", "u", "-"}}},
    {"double quoted", "a{b:url(\"a b.png\")}", 0,
	{{"a b.png", "a b.png", "u", "\""}}},
    {"single quoted, blanks", "a{b:url( 'q.png' )}", 0,
	{{"q.png", "q.png", "u", "'"}}},
    {"case", "a{b:URL(x) c:Url(y)}", 0,
	{{"x", "x", "u", "-"}, {"y", "y", "u", "-"}}},
    {"escapes unquoted", "a{b:url(\\61 .png) c:url(a\\)b) d:url(\\\"x)}", 0,
	{{"a.png", "\\61 .png", "u", "-"}, {"a)b", "a\\)b", "u", "-"},
	    {"\"x", "\\\"x", "u", "-"}}},
    {"escapes quoted",
	"a{b:url(\"a\\\"b\") c:url('x\\\ny') d:url(\"\\0 \\110000\\d800 \")}",
	0,
	{{"a\"b", "a\\\"b", "u", "\""}, {"xy", "x\\\ny", "u", "'"},
	    {"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "\\0 \\110000\\d800 ", "u",
		"\""}}},
    {"bad urls", "a{b:url(a b) c:url(a\"b) d:url(a(b) e:url(a\\\nb) f:url(ok)}",
	0, {{"ok", "ok", "u", "-"}}},
    {"unterminated url", "a{b:url(x.png", 0, {{"x.png", "x.png", "u", "-"}}},
    {"empty url", "a{b:url() c:url(\"\")}", 0,
	{{"", "", "u", "-"}, {"", "", "u", "\""}}},
    {"not url functions",
	"a{b:myurl(x) c:-url(y) d:1url(z) e:#url(w) f:u-rl(v)}", 0, {{NULL}}},
    {"escaped ident", "a{b:u\\72l(x.png)}", 0, {{"x.png", "x.png", "u", "-"}}},
    {"comments", "/* url(a) */ a{/*b:url(b)*/c:url(/*c*/)} /* url(d)", 0,
	{{"/*c*/", "/*c*/", "u", "-"}}},
    {"strings are not urls", "a{content:\"url(x)\" 'url(y)' \"a\\\"url(z)\"}",
	0, {{NULL}}},
    {"bad string then url", "a{content:\"abc\nb:url(y)}", 0,
	{{"y", "y", "u", "-"}}},
    {"imports",
	"@import \"a.css\";@import url(b.css);@import 'c.css' screen;"
	"@IMPORT \"d.css\";@import/**/\"e.css\";@import url( \"f.css\" );",
	0,
	{{"a.css", "a.css", "i", "\""}, {"b.css", "b.css", "i", "-"},
	    {"c.css", "c.css", "i", "'"}, {"d.css", "d.css", "i", "\""},
	    {"e.css", "e.css", "i", "\""}, {"f.css", "f.css", "i", "\""}}},
    {"import only at the top level",
	"@media print{@import \"no.css\";a{b:url(yes.png)}}@import "
	"\"top.css\";",
	0,
	{{"yes.png", "yes.png", "u", "-"}, {"top.css", "top.css", "i", "\""}}},
    {"no import in a style attribute",
	"@import \"no.css\"; background: url(yes.png)", CSS_SCAN_DECLS,
	{{"yes.png", "yes.png", "u", "-"}}},
    {"not import", "@imports \"x.css\"; @importx url(y.css)", 0,
	{{"y.css", "y.css", "u", "-"}}},
    {"image-set",
	"a{b:image-set(\"a.png\" 1x, 'b.png' 2x) c:-webkit-image-set("
	"url(c.png) 1x, \"d.png\" 2x) d:\"no.png\" e:f(\"no2.png\")}",
	0,
	{{"a.png", "a.png", "u", "\""}, {"b.png", "b.png", "u", "'"},
	    {"c.png", "c.png", "u", "-"}, {"d.png", "d.png", "u", "\""}}},
    {"image-set nested function", "a{b:image-set(f(\"no.png\") 1x,\"y.png\")}",
	0, {{"y.png", "y.png", "u", "\""}}},
    {"font-face", "@font-face{src:local(x),url(f.woff2) format(\"woff2\")}", 0,
	{{"f.woff2", "f.woff2", "u", "-"}}},
    {"non-ASCII", "a{b:url(caf\xc3\xa9.png)}", 0,
	{{"caf\xc3\xa9.png", "caf\xc3\xa9.png", "u", "-"}}},
    {"NUL in url", "x", 0, {{NULL}}}, /* replaced in test_table */
};

/* Run the table; the "NUL in url" row is built with its real bytes. */
static void
test_table(void)
{
	static const char nul[] = "a{b:url(a\0b)}";
	struct found f;
	const char *css;
	size_t i, k, n, len;
	int before;

	for (i = 0; i < CW_NELEM(cases); i++) {
		before = harness_failures;
		css = cases[i].css;
		len = strlen(css);
		if (strcmp(cases[i].name, "NUL in url") == 0) {
			css = nul;
			len = sizeof(nul) - 1;
			CHECK_INT(scan(css, len, 0, &f), CW_OK);
			CHECK_INT(f.n, 1);
			CHECK_STR(f.value[0],
			    "a\xef\xbf\xbd"
			    "b");
			CHECK(!f.bad);
			continue;
		}
		CHECK_INT(scan(css, len, cases[i].flags, &f), CW_OK);
		for (n = 0; n < MAXREF && cases[i].refs[n][0] != NULL; n++)
			;
		CHECK_INT(f.n, n);
		CHECK(!f.bad);
		for (k = 0; k < n && k < f.n; k++) {
			CHECK_STR(f.value[k], cases[i].refs[k][0]);
			CHECK_STR(f.span[k], cases[i].refs[k][1]);
			CHECK_INT(f.kind[k],
			    cases[i].refs[k][2][0] == 'i' ? CSS_REF_IMPORT
							  : CSS_REF_URL);
			CHECK_INT(f.quote[k],
			    cases[i].refs[k][3][0] == '"'
				? LINK_Q_DOUBLE
				: (cases[i].refs[k][3][0] == '\''
					  ? LINK_Q_SINGLE
					  : LINK_Q_NONE));
		}
		if (harness_failures != before)
			fprintf(stderr, "  ^ in \"%s\"\n", cases[i].name);
	}
}

/* css_extract(): resolved, classified, bounded, with exact spans. */
static void
test_extract(void)
{
	static const char css[] =
	    "@import \"../a.css\";\nbody{background:url(img/b.png)}"
	    "p{x:url(data:image/png;base64,AA==)}i{y:url('/c.png#frag')}";
	struct links_opts o;
	struct link_list l;

	memset(&o, 0, sizeof(o));
	o.flags = LINKS_OPT_OFFSETS | LINKS_OPT_RAW;
	link_list_init(&l);
	REQUIRE(css_extract(css, sizeof(css) - 1, BASE, &o, &l) == CW_OK);
	REQUIRE(l.count == 3);
	CHECK_INT(l.skipped, 1); /* data: */
	CHECK_STR(link_list_url(&l, 0), "http://example.com/a.css");
	CHECK_STR(link_list_url(&l, 1), BASE_DIR "img/b.png");
	CHECK_STR(link_list_url(&l, 2), "http://example.com/c.png");
	CHECK_STR(link_list_raw(&l, 2), "/c.png#frag");
	CHECK_INT(l.items[0].element, LINK_EL_CSS);
	CHECK_INT(l.items[0].attribute, LINK_ATTR_IMPORT);
	CHECK(l.items[0].flags & LINK_F_EXPECT_CSS);
	CHECK_INT(l.items[1].attribute, LINK_ATTR_URL);
	CHECK((l.items[1].flags & LINK_F_EXPECT_CSS) == 0);
	CHECK(l.items[1].flags & LINK_F_REQUISITE);
	CHECK(l.items[1].flags & LINK_F_CSS);
	CHECK((l.items[1].flags & LINK_F_ATTR) == 0);
	CHECK((l.items[1].flags & LINK_F_OFFSET_UNKNOWN) == 0);
	CHECK(l.items[1].len == 9 &&
	    memcmp(css + l.items[1].off, "img/b.png", 9) == 0);
	CHECK_INT(l.items[2].quote, LINK_Q_SINGLE);

	/* max_links, appending to a non-empty list, no offsets. */
	o.flags = 0;
	o.max_links = 1;
	REQUIRE(css_extract(css, sizeof(css) - 1, BASE, &o, &l) == CW_OK);
	CHECK_INT(l.count, 4);
	CHECK_INT(l.truncated, 3); /* unresolved: the data: one counts */
	CHECK(l.items[3].flags & LINK_F_OFFSET_UNKNOWN);
	CHECK_STR(link_list_url(&l, 0), "http://example.com/a.css");
	CHECK_STR(link_list_url(&l, 3), "http://example.com/a.css");
	CHECK_INT(css_extract(NULL, 3, BASE, &o, &l), CW_EINVAL);
	CHECK_INT(css_extract(css, 3, NULL, &o, &l), CW_EINVAL);
	CHECK_INT(css_scan(css, 3, 0, NULL, NULL), CW_EINVAL);
	CHECK_INT(css_extract(NULL, 0, BASE, NULL, &l), CW_OK);
	link_list_cleanup(&l);
}

/* A callback's error stops the scan and comes back. */
static enum cw_rc
stop_at_second(void *arg, const struct css_ref *r)
{
	size_t *n = arg;

	(void)r;
	return (++*n == 2 ? CW_ENOMEM : CW_OK);
}

static void
test_callback_error(void)
{
	static const char css[] = "a{b:url(1) c:url(2) d:url(3)}";
	size_t n = 0;

	CHECK_INT(
	    css_scan(css, sizeof(css) - 1, 0, stop_at_second, &n), CW_ENOMEM);
	CHECK_INT(n, 2);
}

/* Fill buf with n copies of piece; returns the length. */
static size_t
repeat(char *buf, const char *piece, size_t n)
{
	size_t i, k = strlen(piece);

	for (i = 0; i < n; i++)
		memcpy(buf + i * k, piece, k);
	return (n * k);
}

/*
 * Hostile inputs of 1 MB each end, with a bounded number of references
 * and in bounded time (generous: sanitizer builds on a shared machine).
 */
static void
test_hostile(void)
{
	static const struct {
		const char *piece;
		size_t maxrefs;
	} h[] = {
	    {"url(", 1},
	    {"url(\"", 1048576 / 10 + 1},
	    {"\\", 0},
	    {"/*", 0},
	    {"image-set(", 0},
	    {"image-set(\"a\"", 1048576 / 13 + 1},
	    {"@import ", 0},
	    {"url(a)", 200000},
	    {"'\\\n", 0},
	    {"u\\72l(", 1},
	    {"((((", 0},
	    {"}}}{", 0},
	};
	struct found f;
	char *buf;
	size_t i, len;
	uint64_t t0, ms;

	buf = malloc(2 * 1024 * 1024);
	REQUIRE(buf != NULL);
	for (i = 0; i < CW_NELEM(h); i++) {
		len =
		    repeat(buf, h[i].piece, (1024 * 1024) / strlen(h[i].piece));
		t0 = cw_monotonic_ms();
		CHECK_INT(scan(buf, len, 0, &f), CW_OK);
		ms = cw_monotonic_ms() - t0;
		CHECK(f.total <= h[i].maxrefs);
		CHECK(!f.bad);
		CHECK(ms < 30000);
		if (f.total > h[i].maxrefs)
			fprintf(stderr, "  ^ \"%s\": %zu refs\n", h[i].piece,
			    f.total);
	}
	free(buf);
}

static const struct test tests[] = {
    TEST(table),
    TEST(extract),
    TEST(callback_error),
    TEST(hostile),
};

TEST_MAIN(tests)
