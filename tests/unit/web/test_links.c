/* SPDX-License-Identifier: MIT */
/*
 * test_links.c - unit tests for links.c: which elements and attributes
 * yield links, <base href> handling, skipped schemes, what must not yield
 * links (comments, script, style), malformed input, encodings, limits,
 * offsets and list reuse. Resolution itself is url.c's (tested there); the
 * expectations here are the normalised forms url.h promises.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawld/base/fpset.h"
#include "crawld/web/links.h"
#include "harness.h"

#define DOC "http://example.com/dir/page.html"
#define DOC_DIR "http://example.com/dir/"
#define MAXURLS 8

struct links_case {
	const char *name;
	const char *html;
	size_t max_links;	   /* 0 = no limit */
	const char *urls[MAXURLS]; /* expected, in order */
	size_t skipped;
	size_t truncated;
};

static const struct links_case cases[] = {
    /* Each element and its attribute. */
    {"a", "<a href=\"x.html\">x</a>", 0, {DOC_DIR "x.html"}, 0, 0},
    {"area", "<map><area href=\"x.html\"></map>", 0, {DOC_DIR "x.html"}, 0, 0},
    {"link", "<head><link rel=stylesheet href=\"s.css\"></head>", 0,
	{DOC_DIR "s.css"}, 0, 0},
    {"iframe", "<iframe src=\"f.html\"></iframe>", 0, {DOC_DIR "f.html"}, 0, 0},
    {"frame", "<frameset><frame src=\"f.html\"></frameset>", 0,
	{DOC_DIR "f.html"}, 0, 0},
    {"wrong attribute",
	"<a src=x><iframe href=y><img src=z>"
	"<a name=n><script src=s.js></script>",
	0, {NULL}, 0, 0},

    /* Reference forms. */
    {"relative", "<a href=\"../up/x?q=1\">", 0, {"http://example.com/up/x?q=1"},
	0, 0},
    {"absolute path", "<a href=\"/root/x\">", 0, {"http://example.com/root/x"},
	0, 0},
    {"absolute", "<a href=\"HTTPS://Other.EXAMPLE:443/a\">", 0,
	{"https://other.example/a"}, 0, 0},
    {"protocol relative", "<a href=\"//cdn.example.org/s.css\">", 0,
	{"http://cdn.example.org/s.css"}, 0, 0},
    {"query only", "<a href=\"?p=2\">", 0, {DOC "?p=2"}, 0, 0},
    {"empty href is the document", "<a href=\"\"><a href>", 0, {DOC, DOC}, 0,
	0},
    {"fragment stripped", "<a href=\"x.html#top\"><a href=\"#sec\">", 0,
	{DOC_DIR "x.html", DOC}, 0, 0},

    /* <base href>. */
    {"base before", "<head><base href=\"/b/\"></head><a href=x>", 0,
	{"http://example.com/b/x"}, 0, 0},
    {"base after applies to earlier links",
	"<a href=x><base href=\"http://other.example/b/\"><a href=y>", 0,
	{"http://other.example/b/x", "http://other.example/b/y"}, 0, 0},
    {"relative base", "<base href=\"../other/\"><a href=x>", 0,
	{"http://example.com/other/x"}, 0, 0},
    {"second base ignored",
	"<base href=\"/one/\"><base href=\"/two/\"><a href=x>", 0,
	{"http://example.com/one/x"}, 0, 0},
    {"base without href ignored",
	"<base target=_blank><base href=\"/b/\"><a href=x>", 0,
	{"http://example.com/b/x"}, 0, 0},
    {"unusable base keeps document url",
	"<base href=\"javascript:void(0)\"><a href=x>", 0, {DOC_DIR "x"}, 0, 0},
    {"base is not a link", "<base href=\"/b/\">", 0, {NULL}, 0, 0},

    /* Skipped references. */
    {"skipped schemes",
	"<a href=\"javascript:void(0)\"><a href=\"mailto:a@b.c\">"
	"<a href=\"data:text/html,hi\"><a href=\"tel:+123\">"
	"<a href=\"ftp://example.com/f\"><a href=ok>",
	0, {DOC_DIR "ok"}, 5, 0},
    {"unparsable", "<a href=\"http://[::1\"><a href=\"http://\">", 0, {NULL}, 2,
	0},

    /* Text that is not markup. */
    {"comment", "<!-- <a href=c1> --><a href=ok><!-- <a href=c2>", 0,
	{DOC_DIR "ok"}, 0, 0},
    {"script",
	"<script>var s = '<a href=\"s1\">';</script>"
	"<script><!-- <a href=s2> --></script><a href=ok>",
	0, {DOC_DIR "ok"}, 0, 0},
    {"style",
	"<style>/* <a href=st> */ a { background: url(u.png) }"
	"</style><a href=ok>",
	0, {DOC_DIR "ok"}, 0, 0},

    /* Syntax variants. */
    {"uppercase",
	"<A HREF=\"u1\"><AREA Href=\"u2\"><IFRAME SRC=\"u3\">"
	"</IFRAME><LiNk hReF=\"u4\">",
	0, {DOC_DIR "u1", DOC_DIR "u2", DOC_DIR "u3", DOC_DIR "u4"}, 0, 0},
    {"unquoted", "<a href=x.html>x</a><a href='y.html'>", 0,
	{DOC_DIR "x.html", DOC_DIR "y.html"}, 0, 0},
    {"entities", "<a href=\"?a=1&amp;b=2&#38;c=&#x33;\">", 0,
	{DOC "?a=1&b=2&c=3"}, 0, 0},
    {"whitespace", "<a href=\"  \n\t/x \r\n \">", 0, {"http://example.com/x"},
	0, 0},
    {"duplicate attribute keeps first", "<a href=one href=two>", 0,
	{DOC_DIR "one"}, 0, 0},

    /* Malformed HTML. */
    {"unclosed tags",
	"<a href=\"a1\"><div><p><a href=\"a2\"><table>"
	"<tr><a href=t1><td><a href=t2>",
	0, {DOC_DIR "a1", DOC_DIR "a2", DOC_DIR "t1", DOC_DIR "t2"}, 0, 0},
    {"stray lt", "< a href=no> 1 < 2 <<a href=\"y\"> a<b", 0, {DOC_DIR "y"}, 0,
	0},
    {"garbage", "\x01\x02<<<>>>&&&;<a href=\"\x7f\">", 0, {DOC_DIR "%7F"}, 0,
	0},
    {"empty document", "", 0, {NULL}, 0, 0},
    {"only text", "no links here", 0, {NULL}, 0, 0},

    /* Limits. */
    {"max_links", "<a href=1><a href=2><a href=3><a href=4><a href=5>", 3,
	{DOC_DIR "1", DOC_DIR "2", DOC_DIR "3"}, 0, 2},
    {"skipped do not use the budget",
	"<a href=mailto:x@y><a href=1><a href=javascript:x><a href=2>"
	"<a href=3>",
	2, {DOC_DIR "1", DOC_DIR "2"}, 2, 1},
};

/* Run one table case; returns the failures it caused. */
static void
links_check_case(const struct links_case *c)
{
	struct link_list l;
	size_t i, n;
	int before = harness_failures;

	link_list_init(&l);
	CHECK_INT(
	    links_extract(c->html, strlen(c->html), DOC, c->max_links, &l),
	    CW_OK);
	for (n = 0; n < MAXURLS && c->urls[n] != NULL; n++)
		;
	CHECK_INT(l.count, n);
	for (i = 0; i < n && i < l.count; i++)
		CHECK_STR(link_list_url(&l, i), c->urls[i]);
	CHECK_INT(l.skipped, c->skipped);
	CHECK_INT(l.truncated, c->truncated);
	if (harness_failures != before)
		fprintf(stderr, "  ^ in case \"%s\"\n", c->name);
	link_list_cleanup(&l);
}

/* The whole table. */
static void
test_table(void)
{
	size_t i;

	links_global_init();
	for (i = 0; i < CW_NELEM(cases); i++)
		links_check_case(&cases[i]);
}

/* Element and attribute of each item, and their names. */
static void
test_elements(void)
{
	static const char html[] = "<a href=1><area href=2><link href=3>"
				   "<iframe src=4></iframe><frameset>"
				   "<frame src=5></frameset>";
	static const struct {
		enum link_element el;
		enum link_attr at;
		const char *eln, *atn;
	} want[] = {
	    {LINK_EL_A, LINK_ATTR_HREF, "a", "href"},
	    {LINK_EL_AREA, LINK_ATTR_HREF, "area", "href"},
	    {LINK_EL_LINK, LINK_ATTR_HREF, "link", "href"},
	    {LINK_EL_IFRAME, LINK_ATTR_SRC, "iframe", "src"},
	    {LINK_EL_FRAME, LINK_ATTR_SRC, "frame", "src"},
	};
	struct link_list l;
	size_t i;

	link_list_init(&l);
	REQUIRE(links_extract(html, sizeof(html) - 1, DOC, 0, &l) == CW_OK);
	REQUIRE(l.count == CW_NELEM(want));
	for (i = 0; i < l.count; i++) {
		CHECK_INT(l.items[i].element, want[i].el);
		CHECK_INT(l.items[i].attribute, want[i].at);
		CHECK_STR(link_element_name(l.items[i].element), want[i].eln);
		CHECK_STR(link_attr_name(l.items[i].attribute), want[i].atn);
	}
	CHECK_STR(link_element_name(LINK_EL_REDIRECT), "redirect");
	CHECK_STR(link_attr_name(LINK_ATTR_LOCATION), "location");
	/* A value the table does not know is "unknown", never NULL and
	   never a real name that would put a wrong element in links rows. */
	CHECK_STR(link_element_name((enum link_element)99), "unknown");
	CHECK_STR(link_attr_name((enum link_attr)99), "unknown");
	link_list_cleanup(&l);
}

/*
 * src_offset: increasing in document order and, for a UTF-8 page, inside
 * the element's start tag (between its '<' and its '>').
 */
static void
test_offsets(void)
{
	static const char html[] =
	    "<!DOCTYPE html><html><head><link rel=icon href=/i.ico>"
	    "</head><body>\n<p>text <a href=\"a\">a</a>\n<!-- <a href=c> -->"
	    "<div><area href=\"b\"><iframe src=\"c\"></iframe> caf\xc3\xa9 "
	    "<a\n  class=x\n  href=\"d\"\n>d</a></div></body></html>";
	static const char *tags[] = {
	    "<link", "<a href=\"a\"", "<area", "<iframe", "<a\n"};
	struct link_list l;
	const char *p;
	size_t i, lt, gt;

	link_list_init(&l);
	REQUIRE(links_extract(html, sizeof(html) - 1, DOC, 0, &l) == CW_OK);
	REQUIRE(l.count == CW_NELEM(tags));
	for (i = 0; i < l.count; i++) {
		p = strstr(html, tags[i]);
		REQUIRE(p != NULL);
		lt = (size_t)(p - html);
		gt = (size_t)(strchr(p, '>') - html);
		CHECK(l.items[i].src_offset > lt);
		CHECK(l.items[i].src_offset <= gt);
		if (i > 0)
			CHECK(
			    l.items[i].src_offset > l.items[i - 1].src_offset);
	}
	link_list_cleanup(&l);
}

/* The bytes need not be NUL-terminated: nothing past len is read. */
static void
test_not_terminated(void)
{
	static const char html[] = "<a href=\"ok\">x</a><a href=\"past-end\">";
	struct link_list l;
	char *copy;
	size_t len = strlen("<a href=\"ok\">x</a>");

	/* An exact-size heap copy lets ASan catch a read past the end. */
	copy = malloc(len);
	REQUIRE(copy != NULL);
	memcpy(copy, html, len);
	link_list_init(&l);
	CHECK_INT(links_extract(copy, len, DOC, 0, &l), CW_OK);
	CHECK_INT(l.count, 1);
	CHECK_STR(link_list_url(&l, 0), DOC_DIR "ok");
	CHECK(links_extract(NULL, 0, DOC, 0, &l) == CW_OK);
	CHECK_INT(l.count, 1);
	link_list_cleanup(&l);
	free(copy);
}

/* Encodings: declared ISO-8859-1, undeclared, BOMs; all give UTF-8. */
static void
test_encodings(void)
{
	static const struct {
		const char *name;
		const char *html;
		size_t len;
		const char *url;
	} enc[] = {
	    {"meta charset latin1",
		"<html><head><meta charset=\"iso-8859-1\"></head><body>"
		"<a href=\"caf\xe9.html\">",
		0, DOC_DIR "caf%C3%A9.html"},
	    {"http-equiv latin1",
		"<html><head><meta http-equiv=\"Content-Type\" "
		"content=\"text/html; charset=ISO-8859-1\"></head>"
		"<a href=\"/\xe9t\xe9\">",
		0, "http://example.com/%C3%A9t%C3%A9"},
	    {"undeclared latin1", "<a href=\"caf\xe9.html\">", 0,
		DOC_DIR "caf%C3%A9.html"},
	    {"undeclared utf8", "<a href=\"caf\xc3\xa9.html\">", 0,
		DOC_DIR "caf%C3%A9.html"},
	    {"utf8 bom beats meta",
		"\xef\xbb\xbf<meta charset=\"iso-8859-1\">"
		"<a href=\"caf\xc3\xa9.html\">",
		0, DOC_DIR "caf%C3%A9.html"},
	    {"utf16le bom",
		"\xff\xfe<\0a\0 \0h\0r\0e\0f\0=\0\"\0c\0a\0f\0\xe9\0\"\0>\0",
		32, DOC_DIR "caf%C3%A9"},
	    {"utf16be bom",
		"\xfe\xff\0<\0a\0 \0h\0r\0e\0f\0=\0\"\0c\0a\0f\0\xe9\0\"\0>",
		32, DOC_DIR "caf%C3%A9"},
	    {"windows-1252 meta",
		"<meta charset=windows-1252><a href=\"/\x80\">", 0,
		"http://example.com/%E2%82%AC"},
	};
	struct link_list l;
	size_t i, len;

	link_list_init(&l);
	for (i = 0; i < CW_NELEM(enc); i++) {
		len = enc[i].len != 0 ? enc[i].len : strlen(enc[i].html);
		link_list_reset(&l);
		CHECK_INT(links_extract(enc[i].html, len, DOC, 0, &l), CW_OK);
		CHECK_INT(l.count, 1);
		if (l.count == 1)
			CHECK_STR(link_list_url(&l, 0), enc[i].url);
		if (l.count != 1 || strcmp(link_list_url(&l, 0), enc[i].url))
			fprintf(stderr, "  ^ in \"%s\"\n", enc[i].name);
	}
	link_list_cleanup(&l);
}

/* Appending to a non-empty list, and reset keeping the storage. */
static void
test_reuse(void)
{
	static const char one[] = "<a href=\"/one\">";
	static const char two[] = "<a href=\"javascript:x\"><a href=\"/two\">"
				  "<a href=\"/three\">";
	struct link_list l;
	struct link *items;
	char *strings;
	size_t cap, scap;

	link_list_init(&l);
	CHECK(link_list_url(&l, 0) == NULL);
	REQUIRE(links_extract(one, sizeof(one) - 1, DOC, 0, &l) == CW_OK);
	REQUIRE(links_extract(two, sizeof(two) - 1, DOC, 0, &l) == CW_OK);
	REQUIRE(l.count == 3);
	CHECK_STR(link_list_url(&l, 0), "http://example.com/one");
	CHECK_STR(link_list_url(&l, 1), "http://example.com/two");
	CHECK_STR(link_list_url(&l, 2), "http://example.com/three");
	CHECK(link_list_url(&l, 3) == NULL);
	CHECK_INT(l.skipped, 1);
	/* Strings are packed: raw references are gone after resolution. */
	CHECK_INT(l.slen,
	    strlen("http://example.com/one") +
		strlen("http://example.com/two") +
		strlen("http://example.com/three") + 3);

	items = l.items;
	strings = l.strings;
	cap = l.cap;
	scap = l.scap;
	link_list_reset(&l);
	CHECK_INT(l.count, 0);
	CHECK_INT(l.slen, 0);
	CHECK_INT(l.skipped, 0);
	CHECK(l.items == items && l.strings == strings);
	CHECK(l.cap == cap && l.scap == scap);
	REQUIRE(links_extract(one, sizeof(one) - 1, DOC, 0, &l) == CW_OK);
	CHECK(l.items == items && l.strings == strings);
	CHECK_STR(link_list_url(&l, 0), "http://example.com/one");
	link_list_cleanup(&l);
	CHECK(l.items == NULL && l.strings == NULL && l.count == 0);
	link_list_cleanup(&l);
}

/* Build a page of n links of about 50 bytes each. */
static char *
links_big_page(size_t n, size_t *len)
{
	char *p;
	size_t i, off = 0, cap = n * 64 + 64;

	p = malloc(cap);
	if (p == NULL)
		return (NULL);
	off += (size_t)snprintf(p + off, cap - off, "<html><body>\n");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(p + off, cap - off,
		    "<p><a class=\"l\" href=\"/p/%zu.html\">link %zu</a>\n", i,
		    i);
	*len = off;
	return (p);
}

/* A 5 MB page with 100k links: all come out, in bounded time. */
static void
test_big_page(void)
{
	struct link_list l;
	char *page, want[64];
	size_t len = 0, i;
	uint64_t t0, ms;
	int mono = 1;

	page = links_big_page(100000, &len);
	REQUIRE(page != NULL);
	CHECK(len > 5 * 1000 * 1000);
	link_list_init(&l);
	t0 = cw_monotonic_ms();
	CHECK_INT(links_extract(page, len, DOC, 0, &l), CW_OK);
	ms = cw_monotonic_ms() - t0;
	CHECK_INT(l.count, 100000);
	CHECK_INT(l.skipped, 0);
	CHECK_INT(l.truncated, 0);
	if (l.count == 100000) {
		CHECK_STR(link_list_url(&l, 0), "http://example.com/p/0.html");
		snprintf(
		    want, sizeof(want), "http://example.com/p/%d.html", 99999);
		CHECK_STR(link_list_url(&l, 99999), want);
	}
	for (i = 1; i < l.count; i++)
		if (l.items[i].src_offset <= l.items[i - 1].src_offset)
			mono = 0;
	CHECK(mono);
	/* Generous: sanitizer builds on a shared machine. */
	CHECK(ms < 30000);
	fprintf(stderr, "  big page: %zu bytes, %zu links, %llu ms\n", len,
	    l.count, (unsigned long long)ms);

	link_list_reset(&l);
	CHECK_INT(links_extract(page, len, DOC, 1000, &l), CW_OK);
	CHECK_INT(l.count, 1000);
	CHECK_INT(l.truncated, 99000);
	link_list_cleanup(&l);
	free(page);
}

/*
 * link_list_firsts: a page's links without its repeats, the first of each
 * URL and kind (element, attribute, span), in document order; a
 * requisite, a navigational link and an @import of one URL are three
 * kinds. The list itself is not changed.
 */
static void
test_firsts(void)
{
	static const char html[] =
	    "<a href=\"/x\">"			/* 0: first */
	    "<img src=\"/x\">"			/* 1: first, a requisite */
	    "<a href=\"/y\">"			/* 2: first */
	    "<area href=\"/x#top\">"		/* the URL of 0: a repeat */
	    "<link rel=stylesheet href=\"/x\">" /* a requisite: repeat */
	    "<style>@import \"/x\";</style>"	/* 5: first, an @import */
	    "<iframe src=\"/y\"></iframe>"	/* 6: first: a frame is one */
	    "<a href=\"/y\">"			/* the URL of 2: a repeat */
	    "<img src=\"/z\">";			/* 8: first */
	static const uint32_t want[] = {0, 1, 2, 5, 6, 8};
	struct links_opts o = {.mode = LINKS_MODE_ALL};
	struct link_list l;
	uint32_t first[16];
	uint64_t fps[16];
	size_t i, n = 99;

	link_list_init(&l);
	REQUIRE(
	    links_extract_opts(html, sizeof(html) - 1, DOC, &o, &l) == CW_OK);
	REQUIRE(l.count == 9);
	CHECK_INT(l.items[0].element, LINK_EL_A);
	CHECK_INT(l.items[1].element, LINK_EL_IMG);
	CHECK_INT(l.items[3].element, LINK_EL_AREA);
	CHECK_INT(l.items[5].attribute, LINK_ATTR_IMPORT);
	CHECK_INT(l.items[6].element, LINK_EL_IFRAME);
	REQUIRE(link_list_firsts(&l, first, fps, &n) == CW_OK);
	CHECK_INT(l.count, 9);
	REQUIRE(n == CW_NELEM(want));
	for (i = 0; i < n; i++) {
		const char *u = link_list_url(&l, first[i]);

		CHECK_INT(first[i], want[i]);
		CHECK(fps[i] == fpset_fingerprint(u, strlen(u)));
	}
	link_list_reset(&l);
	n = 99;
	CHECK(link_list_firsts(&l, first, fps, &n) == CW_OK);
	CHECK_INT(n, 0);
	link_list_cleanup(&l);
}

/* Many links over few URLs (table collisions, probing): the same as a
   quadratic first-of-each-URL, in order. */
static void
test_firsts_many(void)
{
	enum { N = 3000, URLS = 700 };
	static uint32_t first[N], want[N];
	static uint64_t fps[N];
	static int seen[URLS];
	struct link_list l;
	char *page, *w;
	size_t len, i, n = 0, nwant = 0;
	unsigned x = 12345, k;
	int bad = 0;

	page = malloc((size_t)N * 40 + 1);
	REQUIRE(page != NULL);
	w = page;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		k = (x >> 16) % URLS;
		w += sprintf(w, "<a href=\"/p/%u\">", k);
		if (!seen[k]++)
			want[nwant++] = (uint32_t)i;
	}
	len = (size_t)(w - page);
	link_list_init(&l);
	REQUIRE(links_extract(page, len, DOC, 0, &l) == CW_OK);
	REQUIRE(l.count == N);
	REQUIRE(link_list_firsts(&l, first, fps, &n) == CW_OK);
	CHECK_INT(n, nwant);
	for (i = 0; i < n && i < nwant; i++)
		bad += first[i] != want[i];
	CHECK_INT(bad, 0);
	link_list_cleanup(&l);
	free(page);
}

/* Malformed input writes nothing to stderr (libxml2 errors silenced). */
static void
test_silent(void)
{
	static const char html[] =
	    "<html><body><a href=x<<p></div></span>&bogus;<tag attr=\"\">"
	    "<meta charset=\"no-such-charset\">\xff\xfe\x80<a href=\"\xe9\">"
	    "<!-- unterminated";
	static const char sjis[] = "<meta charset=shift_jis><a href=\"\x82\">";
	char path[] = "/tmp/test_links_stderr.XXXXXX";
	struct link_list l;
	struct stat st;
	int fd, saved;
	enum cw_rc rc1, rc2;

	fd = mkstemp(path);
	REQUIRE(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	REQUIRE(saved >= 0);
	dup2(fd, STDERR_FILENO);
	link_list_init(&l);
	rc1 = links_extract(html, sizeof(html) - 1, DOC, 0, &l);
	rc2 = links_extract(sjis, sizeof(sjis) - 1, DOC, 0, &l);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	CHECK_INT(rc1, CW_OK);
	CHECK_INT(rc2, CW_OK);
	CHECK(fstat(fd, &st) == 0);
	CHECK_INT(st.st_size, 0);
	close(fd);
	unlink(path);
	link_list_cleanup(&l);
}

static const struct test tests[] = {
    TEST(table),
    TEST(elements),
    TEST(offsets),
    TEST(not_terminated),
    TEST(encodings),
    TEST(reuse),
    TEST(big_page),
    TEST(silent),
    TEST(firsts),
    TEST(firsts_many),
};

TEST_MAIN(tests)
