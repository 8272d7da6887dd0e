/* SPDX-License-Identifier: MIT */
/*
 * test_link_requisites.c - unit tests for the page requisites and spans of
 * links.c (with linkelem.c, linksax.c, linkraw.c underneath): every kind's
 * element, attribute and requisite flag; the three modes (the default one
 * is exactly the old link set); srcset splitting; the span invariant over a
 * corpus in UTF-8, ISO-8859-1 and Shift_JIS, checked with this file's own
 * decoder; entity, quote and value-less spans; UTF-16 marked unknown;
 * <base> applied and its span; an encoding switch half-way; max_links; the
 * requisites-only scan without libxml2 against libxml2's; the names of the
 * links table. The corpus is tests/fuzz/corpus/links (the tests run in the
 * source directory).
 */
#include <ctype.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crawld/web/links.h"
#include "harness.h"

#define DOC "http://example.com/dir/page.html"
#define DOC_DIR "http://example.com/dir/"

/* The reader req_extract() asks for (tests that compare the two set it). */
static enum links_parser req_parser = LINKS_PARSER_AUTO;

/* Extract html with mode and flags into l (reset first). */
static enum cw_rc
req_extract(const char *html, size_t len, enum links_mode mode, unsigned flags,
    size_t max, struct link_list *l)
{
	struct links_opts o;

	memset(&o, 0, sizeof(o));
	o.parser = req_parser;
	o.mode = mode;
	o.flags = flags;
	o.max_links = max;
	link_list_reset(l);
	return (links_extract_opts(html, len, DOC, &o, l));
}

/* One expected link: element and attribute names, requisite, URL. */
struct want_link {
	const char *el, *at;
	int req;
	const char *url;
};

#define MAXWANT 12

struct req_case {
	const char *name;
	const char *html;
	struct want_link want[MAXWANT];
};

static const struct req_case req_cases[] = {
    {"img src and srcset", "<img src=a.png srcset=\"b.png 1x, c.png 2x\">",
	{{"img", "src", 1, DOC_DIR "a.png"},
	    {"img", "srcset", 1, DOC_DIR "b.png"},
	    {"img", "srcset", 1, DOC_DIR "c.png"}}},
    {"picture source",
	"<picture><source srcset=\"p.webp 800w\" type=image/webp>"
	"<img src=p.jpg></picture>",
	{{"source", "srcset", 1, DOC_DIR "p.webp"},
	    {"img", "src", 1, DOC_DIR "p.jpg"}}},
    {"script", "<script src=s.js></script><script>x='<img src=n>'</script>",
	{{"script", "src", 1, DOC_DIR "s.js"}}},
    {"link rels",
	"<link rel=stylesheet href=a.css><link rel=\"alternate stylesheet\" "
	"href=b.css><link rel=ICON href=i.ico><link rel=\"shortcut icon\" "
	"href=s.ico><link rel=preload href=p.woff><link rel=modulepreload "
	"href=m.js><link rel=apple-touch-icon href=t.png><link rel=next "
	"href=n.html><link href=none.html><link rel=stylesheetx href=x>",
	{{"link", "href", 1, DOC_DIR "a.css"},
	    {"link", "href", 1, DOC_DIR "b.css"},
	    {"link", "href", 1, DOC_DIR "i.ico"},
	    {"link", "href", 1, DOC_DIR "s.ico"},
	    {"link", "href", 1, DOC_DIR "p.woff"},
	    {"link", "href", 1, DOC_DIR "m.js"},
	    {"link", "href", 1, DOC_DIR "t.png"},
	    {"link", "href", 0, DOC_DIR "n.html"},
	    {"link", "href", 0, DOC_DIR "none.html"},
	    {"link", "href", 0, DOC_DIR "x"}}},
    {"media",
	"<video src=v.mp4 poster=p.jpg><source src=v.webm>"
	"<track src=t.vtt></video><audio src=a.mp3></audio>",
	{{"video", "src", 1, DOC_DIR "v.mp4"},
	    {"video", "poster", 1, DOC_DIR "p.jpg"},
	    {"source", "src", 1, DOC_DIR "v.webm"},
	    {"track", "src", 1, DOC_DIR "t.vtt"},
	    {"audio", "src", 1, DOC_DIR "a.mp3"}}},
    {"input type=image only",
	"<input type=image src=i.png><input src=no.png>"
	"<input type=text src=no2.png><input type=IMAGE src=j.png>",
	{{"input", "src", 1, DOC_DIR "i.png"},
	    {"input", "src", 1, DOC_DIR "j.png"}}},
    {"object embed", "<object data=o.swf></object><embed src=e.swf>",
	{{"object", "data", 1, DOC_DIR "o.swf"},
	    {"embed", "src", 1, DOC_DIR "e.swf"}}},
    {"backgrounds",
	"<body background=b.png><table background=t.png><tr>"
	"<td background=d.png></td><th background=h.png></th></tr></table>",
	{{"body", "background", 1, DOC_DIR "b.png"},
	    {"table", "background", 1, DOC_DIR "t.png"},
	    {"td", "background", 1, DOC_DIR "d.png"},
	    {"th", "background", 1, DOC_DIR "h.png"}}},
    {"frames are requisites",
	"<iframe src=f.html></iframe><frameset><frame src=g.html>",
	{{"iframe", "src", 1, DOC_DIR "f.html"},
	    {"frame", "src", 1, DOC_DIR "g.html"}}},
    {"navigational", "<a href=a.html>a</a><map><area href=b.html></map>",
	{{"a", "href", 0, DOC_DIR "a.html"},
	    {"area", "href", 0, DOC_DIR "b.html"}}},
    {"style block",
	"<style>@import \"i.css\"; @import url(j.css); a{b:url(u.png)} "
	"/* url(c.png) */ p{content:\"url(s.png)\"}</style><p>",
	{{"style", "import", 1, DOC_DIR "i.css"},
	    {"style", "import", 1, DOC_DIR "j.css"},
	    {"style", "url", 1, DOC_DIR "u.png"}}},
    {"style attribute",
	"<div style=\"background:url('d.png'); x: url(&quot;e.png&quot;)\">"
	"<p style=\"@import 'no.css'; color: red\">",
	{{"any", "style", 1, DOC_DIR "d.png"},
	    {"any", "style", 1, DOC_DIR "e.png"}}},
    {"several attributes of one element, fixed order",
	"<img style=\"background:url(s.png)\" srcset=\"x.png\" src=\"y.png\">",
	{{"img", "src", 1, DOC_DIR "y.png"},
	    {"img", "srcset", 1, DOC_DIR "x.png"},
	    {"any", "style", 1, DOC_DIR "s.png"}}},
};

/* Compare l with want (see struct req_case); returns mismatches. */
static int
req_compare(
    const struct link_list *l, const struct want_link *want, size_t nwant)
{
	int before = harness_failures;
	size_t i;

	CHECK_INT(l->count, nwant);
	for (i = 0; i < nwant && i < l->count; i++) {
		CHECK_STR(link_element_name(l->items[i].element), want[i].el);
		CHECK_STR(link_attr_name(l->items[i].attribute), want[i].at);
		CHECK_INT(
		    (l->items[i].flags & LINK_F_REQUISITE) != 0, want[i].req);
		CHECK_STR(link_list_url(l, i), want[i].url);
	}
	return (harness_failures - before);
}

/* Count the entries of a want array. */
static size_t
req_nwant(const struct want_link *want)
{
	size_t n = 0;

	while (n < MAXWANT && want[n].el != NULL)
		n++;
	return (n);
}

/* Each kind in LINKS_MODE_ALL: element, attribute, requisite, URL. */
static void
test_requisite_kinds(void)
{
	struct link_list l;
	size_t i;

	link_list_init(&l);
	for (i = 0; i < CW_NELEM(req_cases); i++) {
		CHECK_INT(
		    req_extract(req_cases[i].html, strlen(req_cases[i].html),
			LINKS_MODE_ALL, 0, 0, &l),
		    CW_OK);
		if (req_compare(&l, req_cases[i].want,
			req_nwant(req_cases[i].want)) != 0)
			fprintf(stderr, "  ^ in \"%s\"\n", req_cases[i].name);
	}
	link_list_cleanup(&l);
}

/*
 * The modes on one page: DEFAULT is exactly the set crawld followed
 * before requisites (also through links_extract()), REQUISITES the
 * requisites alone, with a link rel=next or an <a> left out.
 */
static void
test_modes(void)
{
	static const char html[] =
	    "<link rel=stylesheet href=s.css><link rel=next href=n.html>"
	    "<style>p{background:url(b.png)}</style>"
	    "<a href=a.html style=\"background:url(y.png)\">a</a>"
	    "<img src=i.png><iframe src=f.html></iframe><script src=j.js>"
	    "</script><area href=m.html>";
	static const struct want_link def[] = {
	    {"link", "href", 1, DOC_DIR "s.css"},
	    {"link", "href", 0, DOC_DIR "n.html"},
	    {"a", "href", 0, DOC_DIR "a.html"},
	    {"iframe", "src", 1, DOC_DIR "f.html"},
	    {"area", "href", 0, DOC_DIR "m.html"},
	};
	static const struct want_link req[] = {
	    {"link", "href", 1, DOC_DIR "s.css"},
	    {"style", "url", 1, DOC_DIR "b.png"},
	    {"any", "style", 1, DOC_DIR "y.png"},
	    {"img", "src", 1, DOC_DIR "i.png"},
	    {"iframe", "src", 1, DOC_DIR "f.html"},
	    {"script", "src", 1, DOC_DIR "j.js"},
	};
	struct link_list l;

	link_list_init(&l);
	REQUIRE(req_extract(html, sizeof(html) - 1, LINKS_MODE_DEFAULT, 0, 0,
		    &l) == CW_OK);
	CHECK_INT(req_compare(&l, def, CW_NELEM(def)), 0);
	link_list_reset(&l);
	REQUIRE(links_extract(html, sizeof(html) - 1, DOC, 0, &l) == CW_OK);
	CHECK_INT(req_compare(&l, def, CW_NELEM(def)), 0);
	link_list_reset(&l);
	REQUIRE(
	    links_extract_opts(html, sizeof(html) - 1, DOC, NULL, &l) == CW_OK);
	CHECK_INT(req_compare(&l, def, CW_NELEM(def)), 0);
	REQUIRE(req_extract(html, sizeof(html) - 1, LINKS_MODE_REQUISITES, 0, 0,
		    &l) == CW_OK);
	CHECK_INT(req_compare(&l, req, CW_NELEM(req)), 0);
	REQUIRE(req_extract(html, sizeof(html) - 1, LINKS_MODE_ALL, 0, 0, &l) ==
	    CW_OK);
	CHECK_INT(l.count, 9);
	/* Bad options are refused, not guessed at. */
	CHECK_INT(
	    req_extract(html, 10, (enum links_mode)7, 0, 0, &l), CW_EINVAL);
	CHECK_INT(
	    req_extract(html, 10, LINKS_MODE_ALL, 0x80, 0, &l), CW_EINVAL);
	link_list_cleanup(&l);
}

/* srcset: descriptors, commas inside URLs and in parentheses, blanks. */
static void
test_srcset(void)
{
	static const struct {
		const char *srcset;
		const char *urls[5];
	} c[] = {
	    {"a.png", {"a.png"}},
	    {"a.png 1x", {"a.png"}},
	    {"a.png 1x, b.png 2x", {"a.png", "b.png"}},
	    {"a.png 100w,b.png 200w", {"a.png", "b.png"}},
	    {"a,b.png 1x, c.png", {"a,b.png", "c.png"}},
	    {"a.png,, b.png,", {"a.png", "b.png"}},
	    {" , ,a.png", {"a.png"}},
	    {"a.png foo(1,2) 1x, b.png", {"a.png", "b.png"}},
	    {"data:image/png;base64,AAA= 1x, c.png 2x", {"c.png"}},
	    {"\n\ta.png\f2x ,\rb.png", {"a.png", "b.png"}},
	    {"", {NULL}},
	    {",,,", {NULL}},
	};
	struct link_list l;
	char html[256], want[128];
	size_t i, k, n;

	link_list_init(&l);
	for (i = 0; i < CW_NELEM(c); i++) {
		snprintf(
		    html, sizeof(html), "<img srcset=\"%s\">", c[i].srcset);
		REQUIRE(req_extract(html, strlen(html), LINKS_MODE_ALL,
			    LINKS_OPT_OFFSETS, 0, &l) == CW_OK);
		for (n = 0; n < 5 && c[i].urls[n] != NULL; n++)
			;
		/* The data: URL is a candidate too, skipped on resolving. */
		CHECK_INT(l.count, n);
		for (k = 0; k < n && k < l.count; k++) {
			snprintf(
			    want, sizeof(want), DOC_DIR "%s", c[i].urls[k]);
			CHECK_STR(link_list_url(&l, k), want);
			CHECK_INT(l.items[k].attribute, LINK_ATTR_SRCSET);
			/* Each candidate's span is its URL alone. */
			CHECK((l.items[k].flags & LINK_F_OFFSET_UNKNOWN) == 0);
			CHECK(l.items[k].len == strlen(c[i].urls[k]) &&
			    memcmp(html + l.items[k].off, c[i].urls[k],
				l.items[k].len) == 0);
		}
		if (l.count != n)
			fprintf(stderr, "  ^ srcset \"%s\"\n", c[i].srcset);
	}
	link_list_cleanup(&l);
}

/* The value of one hex digit. */
static unsigned
hexval(char c)
{
	return (c >= '0' && c <= '9' ? (unsigned)(c - '0')
				     : (unsigned)((c | 0x20) - 'a' + 10));
}

/* Append code point c as UTF-8. */
static size_t
put_utf8(unsigned c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return (1);
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return (2);
	}
	o[0] = (char)(0xe0 | (c >> 12));
	o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[2] = (char)(0x80 | (c & 0x3f));
	return (3);
}

/*
 * This test's own decoder for a span (independent of htmlscan.c's): the
 * named references the corpus uses and numeric ones when LINK_F_ATTR,
 * then CSS escapes when LINK_F_CSS. The corpus avoids the malformed
 * references whose handling is libxml2's own (test_htmlscan covers them).
 */
static void
span_decode(const char *s, size_t n, unsigned flags, char *out, size_t cap)
{
	static const struct {
		const char *name;
		unsigned cp;
	} named[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'},
	    {"apos", '\''}, {"eacute", 0xe9}, {"nbsp", 0xa0}};
	char tmp[1024];
	size_t i = 0, o = 0, k, m;
	unsigned c;

	while (i < n && o + 4 < sizeof(tmp)) {
		if ((flags & LINK_F_ATTR) && s[i] == '&' && i + 2 < n &&
		    s[i + 1] == '#') {
			c = 0;
			k = i + 2;
			if (s[k] == 'x' || s[k] == 'X')
				for (k++; k < n && s[k] != ';'; k++)
					c = c * 16 + hexval(s[k]);
			else
				for (; k < n && s[k] != ';'; k++)
					c = c * 10 + (unsigned)(s[k] - '0');
			o += put_utf8(c, tmp + o);
			i = k + 1;
			continue;
		}
		if ((flags & LINK_F_ATTR) && s[i] == '&') {
			for (k = 0; k < CW_NELEM(named); k++) {
				m = strlen(named[k].name);
				if (i + m + 1 < n + 1 &&
				    strncmp(s + i + 1, named[k].name, m) == 0 &&
				    s[i + 1 + m] == ';')
					break;
			}
			if (k < CW_NELEM(named)) {
				o += put_utf8(named[k].cp, tmp + o);
				i += strlen(named[k].name) + 2;
				continue;
			}
		}
		tmp[o++] = s[i++];
	}
	n = o;
	o = 0;
	for (i = 0; i < n && o + 4 < cap;) {
		if ((flags & LINK_F_CSS) && tmp[i] == '\\' && i + 1 < n) {
			i++;
			if (!isxdigit((unsigned char)tmp[i])) {
				out[o++] = tmp[i++];
				continue;
			}
			for (c = 0, k = 0;
			     k < 6 && i < n && isxdigit((unsigned char)tmp[i]);
			     k++, i++)
				c = c * 16 + hexval(tmp[i]);
			if (i < n && tmp[i] == ' ')
				i++;
			o += put_utf8(c, out + o);
			continue;
		}
		out[o++] = tmp[i++];
	}
	out[o] = '\0';
}

/* Convert s[0..n) from charset to UTF-8 (iconv); false on failure. */
static bool
to_utf8(const char *charset, const char *s, size_t n, char *out, size_t cap)
{
	iconv_t cd;
	char *in = (char *)(uintptr_t)s, *o = out;
	size_t left = cap - 1;
	bool ok;

	if (charset == NULL) {
		if (n >= cap)
			return (false);
		memcpy(out, s, n);
		out[n] = '\0';
		return (true);
	}
	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return (false);
	ok = iconv(cd, &in, &n, &o, &left) != (size_t)-1 && n == 0;
	*o = '\0';
	iconv_close(cd);
	return (ok);
}

/*
 * The span invariant for every link of l over doc (in charset, NULL for
 * UTF-8): inside the document, and its bytes, converted and decoded,
 * are the raw reference. Returns how many spans were unknown.
 */
static size_t
check_spans(const char *name, const char *doc, size_t len, const char *charset,
    const struct link_list *l)
{
	char conv[1024], dec[1024];
	const struct link *k;
	size_t i, unknown = 0;
	int before = harness_failures;

	for (i = 0; i < l->count; i++) {
		k = &l->items[i];
		CHECK(link_list_raw(l, i) != NULL);
		if (k->flags & LINK_F_OFFSET_UNKNOWN) {
			unknown++;
			continue;
		}
		CHECK((size_t)k->off + k->len <= len);
		if ((size_t)k->off + k->len > len ||
		    link_list_raw(l, i) == NULL)
			continue;
		if (!to_utf8(
			charset, doc + k->off, k->len, conv, sizeof(conv))) {
			CHECK(!"span converts");
			continue;
		}
		span_decode(conv, strlen(conv), k->flags, dec, sizeof(dec));
		CHECK_STR(dec, link_list_raw(l, i));
		/* An attribute value never spans its own quotes. */
		if (k->quote == LINK_Q_DOUBLE)
			CHECK(memchr(doc + k->off, '"', k->len) == NULL);
	}
	if (harness_failures != before)
		fprintf(stderr, "  ^ in %s\n", name);
	return (unknown);
}

/* Read a corpus file; NULL if it cannot be read. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	long n;

	f = fopen(path, "rb");
	if (f == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n)
			FREE_NULL(buf);
		else
			*len = (size_t)n;
	}
	fclose(f);
	return (buf);
}

/* The corpus the span invariant runs over, with each file's charset. */
static const struct {
	const char *file;
	const char *charset; /* NULL: UTF-8 or ASCII */
	size_t min_links;    /* in LINKS_MODE_ALL */
	size_t unknown;	     /* spans that may not be known */
} corpus[] = {
    {"requisites.html", NULL, 50, 0},
    {"requisites_latin1.html", "ISO-8859-1", 6, 0},
    {"requisites_sjis.html", "SHIFT_JIS", 4, 0},
    {"latin1.html", "ISO-8859-1", 1, 0}, {"sjis.html", "SHIFT_JIS", 1, 0},
    {"base.html", NULL, 1, 0}, {"entities.html", NULL, 1, 0},
    {"hidden.html", NULL, 1, 0}, {"late_base.html", NULL, 1, 0},
    {"malformed.html", NULL, 1, 0}, {"many.html", NULL, 100, 0},
    {"upper.html", NULL, 1, 0}, {"utf8bom.html", NULL, 1, 0},
    {"utf16le.html", "UTF-16LE", 1, 1}, /* never known: see below */
};

/*
 * For every link of a varied corpus (UTF-8, ISO-8859-1, Shift_JIS, a
 * BOM), in every mode and through both readers (the raw scanner reads
 * the UTF-8 files by default; libxml2 forced): its span, decoded, is the
 * raw reference it came from, and it is known. UTF-16 is the exception,
 * marked unknown (tested in test_utf16_unknown).
 */
static void
test_span_invariant(void)
{
	static const enum links_mode modes[] = {
	    LINKS_MODE_ALL, LINKS_MODE_REQUISITES, LINKS_MODE_DEFAULT};
	static const enum links_parser parsers[] = {
	    LINKS_PARSER_AUTO, LINKS_PARSER_LIBXML2};
	struct link_list l;
	char path[512], *doc;
	size_t i, m, p, len = 0, unknown, total = 0;

	link_list_init(&l);
	for (p = 0; p < CW_NELEM(parsers); p++)
		for (i = 0; i < CW_NELEM(corpus); i++) {
			req_parser = parsers[p];
			snprintf(path, sizeof(path),
			    "tests/fuzz/corpus/links/%s", corpus[i].file);
			doc = read_file(path, &len);
			CHECK(doc != NULL);
			if (doc == NULL) {
				fprintf(stderr, "  cannot read %s\n", path);
				continue;
			}
			for (m = 0; m < CW_NELEM(modes); m++) {
				REQUIRE(req_extract(doc, len, modes[m],
					    LINKS_OPT_OFFSETS | LINKS_OPT_RAW,
					    0, &l) == CW_OK);
				if (modes[m] == LINKS_MODE_ALL)
					CHECK(l.count >= corpus[i].min_links);
				unknown = check_spans(corpus[i].file, doc, len,
				    corpus[i].charset, &l);
				if (corpus[i].unknown == 0)
					CHECK_INT(unknown, 0);
				else
					CHECK_INT(unknown, l.count);
				total += l.count - unknown;
			}
			free(doc);
		}
	req_parser = LINKS_PARSER_AUTO;
	fprintf(stderr, "  %zu spans checked\n", total);
	CHECK(total > 500);
	link_list_cleanup(&l);
}

/* Spans of entities, quotes and an attribute without a value. */
static void
test_span_forms(void)
{
	static const char html[] = "<a href='x&amp;y'><a href><img "
				   "srcset=\"a&#32;1x,&#x20;b&#46;png\">"
				   "<a href=\"&#x41;\">";
	struct link_list l;

	link_list_init(&l);
	REQUIRE(req_extract(html, sizeof(html) - 1, LINKS_MODE_ALL,
		    LINKS_OPT_OFFSETS, 0, &l) == CW_OK);
	REQUIRE(l.count == 5);
	CHECK_INT(l.items[0].quote, LINK_Q_SINGLE);
	CHECK(l.items[0].len == 7 &&
	    memcmp(html + l.items[0].off, "x&amp;y", 7) == 0);
	CHECK(l.items[0].flags & LINK_F_ATTR);
	CHECK_INT(l.items[1].quote, LINK_Q_ABSENT);
	CHECK_INT(l.items[1].len, 0);
	CHECK_INT(l.items[1].off, strlen("<a href='x&amp;y'><a href"));
	/* "a" then "b&#46;png": the entity spaces are not in the spans. */
	CHECK(l.items[2].len == 1 && html[l.items[2].off] == 'a');
	CHECK(l.items[3].len == 9 &&
	    memcmp(html + l.items[3].off, "b&#46;png", 9) == 0);
	CHECK_STR(link_list_url(&l, 3), DOC_DIR "b.png");
	CHECK(l.items[4].len == 6 &&
	    memcmp(html + l.items[4].off, "&#x41;", 6) == 0);
	/* Without LINKS_OPT_OFFSETS nothing claims to be known. */
	REQUIRE(req_extract(html, sizeof(html) - 1, LINKS_MODE_ALL, 0, 0, &l) ==
	    CW_OK);
	CHECK(l.items[0].flags & LINK_F_OFFSET_UNKNOWN);
	CHECK(l.items[2].flags & LINK_F_OFFSET_UNKNOWN);
	CHECK(link_list_raw(&l, 0) == NULL);
	link_list_cleanup(&l);
}

/* UTF-16 markup: the links, but every span unknown (never guessed). */
static void
test_utf16_unknown(void)
{
	static const char html[] =
	    "\xff\xfe<\0b\0a\0s\0e\0 \0h\0r\0e\0f\0=\0/\0b\0/\0>\0"
	    "<\0i\0m\0g\0 \0s\0r\0c\0=\0x\0>\0";
	struct link_list l;

	link_list_init(&l);
	REQUIRE(req_extract(html, sizeof(html) - 1, LINKS_MODE_ALL,
		    LINKS_OPT_OFFSETS, 0, &l) == CW_OK);
	REQUIRE(l.count == 1);
	CHECK_STR(link_list_url(&l, 0), "http://example.com/b/x");
	CHECK(l.items[0].flags & LINK_F_OFFSET_UNKNOWN);
	CHECK(l.base_found);
	CHECK(l.base_flags & LINK_F_OFFSET_UNKNOWN);
	REQUIRE(req_extract(html, sizeof(html) - 1, LINKS_MODE_REQUISITES,
		    LINKS_OPT_OFFSETS, 0, &l) == CW_OK);
	REQUIRE(l.count == 1);
	CHECK(l.items[0].flags & LINK_F_OFFSET_UNKNOWN);
	link_list_cleanup(&l);
}

/*
 * <base href> still applies to requisites (both paths), its span is
 * reported for the converter, and a document switching to another
 * encoding half-way keeps exact spans after the switch.
 */
static void
test_base_and_switch(void)
{
	static const char html[] = "<img src=a.png><base href=\"/b/\">"
				   "<img src=c.png>";
	static const char sw[] = "<a href=a1><meta charset=windows-1252>"
				 "<a href=a2><img src=\"x&amp;\x80.png\">";
	struct link_list l;
	enum links_mode m;

	link_list_init(&l);
	for (m = LINKS_MODE_ALL; m <= LINKS_MODE_REQUISITES; m++) {
		REQUIRE(req_extract(html, sizeof(html) - 1, m,
			    LINKS_OPT_OFFSETS, 0, &l) == CW_OK);
		REQUIRE(l.count == 2);
		CHECK_STR(link_list_url(&l, 0), "http://example.com/b/a.png");
		CHECK_STR(link_list_url(&l, 1), "http://example.com/b/c.png");
		CHECK(l.base_found);
		CHECK((l.base_flags & LINK_F_OFFSET_UNKNOWN) == 0);
		CHECK(l.base_len == 3 &&
		    memcmp(html + l.base_off, "/b/", 3) == 0);
	}
	REQUIRE(req_extract(sw, sizeof(sw) - 1, LINKS_MODE_ALL,
		    LINKS_OPT_OFFSETS, 0, &l) == CW_OK);
	REQUIRE(l.count == 3);
	CHECK_STR(link_list_url(&l, 2), DOC_DIR "x&%E2%82%AC.png");
	CHECK((l.items[1].flags & LINK_F_OFFSET_UNKNOWN) == 0);
	CHECK(l.items[1].len == 2 && memcmp(sw + l.items[1].off, "a2", 2) == 0);
	CHECK((l.items[2].flags & LINK_F_OFFSET_UNKNOWN) == 0);
	CHECK(l.items[2].len == 11 &&
	    memcmp(sw + l.items[2].off, "x&amp;\x80.png", 11) == 0);
	link_list_cleanup(&l);
}

/* max_links bounds requisites too, in every mode and path. */
static void
test_max_requisites(void)
{
	char *html;
	size_t i, off = 0, cap = 64 * 2000;
	struct link_list l;
	enum links_mode m;

	html = malloc(cap);
	REQUIRE(html != NULL);
	for (i = 0; i < 1000; i++)
		off += (size_t)snprintf(html + off, cap - off,
		    "<img src=i%zu.png srcset=\"s%zu.png 2x\">", i, i);
	link_list_init(&l);
	for (m = LINKS_MODE_ALL; m <= LINKS_MODE_REQUISITES; m++) {
		REQUIRE(req_extract(html, off, m, LINKS_OPT_OFFSETS, 150, &l) ==
		    CW_OK);
		CHECK_INT(l.count, 150);
		CHECK_INT(l.truncated, 2000 - 150);
		REQUIRE(req_extract(html, off, m, 0, 0, &l) == CW_OK);
		CHECK_INT(l.count, 2000);
	}
	link_list_cleanup(&l);
	free(html);
}

/*
 * The requisites-only scan without libxml2 finds what libxml2 finds: on
 * every UTF-8 file of the corpus, the same links with the same spans as
 * libxml2's LINKS_MODE_ALL requisites; a non-UTF-8 page, or one whose <meta>
 * switches encoding, goes through libxml2 and gets its reading.
 */
static void
test_raw_vs_libxml2(void)
{
	static const char meta[] = "<meta charset=iso-8859-1>"
				   "<img src=\"caf\xc3\xa9.png\">";
	struct link_list a, r;
	char path[512], *doc;
	size_t i, k, n, len = 0, compared = 0;

	link_list_init(&a);
	link_list_init(&r);
	for (i = 0; i < CW_NELEM(corpus); i++) {
		snprintf(path, sizeof(path), "tests/fuzz/corpus/links/%s",
		    corpus[i].file);
		doc = read_file(path, &len);
		if (doc == NULL)
			continue;
		req_parser = LINKS_PARSER_LIBXML2;
		REQUIRE(req_extract(doc, len, LINKS_MODE_ALL, LINKS_OPT_OFFSETS,
			    0, &a) == CW_OK);
		req_parser = LINKS_PARSER_AUTO;
		REQUIRE(req_extract(doc, len, LINKS_MODE_REQUISITES,
			    LINKS_OPT_OFFSETS, 0, &r) == CW_OK);
		for (k = 0, n = 0; k < a.count; k++) {
			if ((a.items[k].flags & LINK_F_REQUISITE) == 0)
				continue;
			CHECK(n < r.count);
			if (n >= r.count)
				break;
			CHECK_STR(link_list_url(&r, n), link_list_url(&a, k));
			CHECK_INT(r.items[n].element, a.items[k].element);
			CHECK_INT(r.items[n].attribute, a.items[k].attribute);
			CHECK_INT(r.items[n].flags, a.items[k].flags);
			CHECK_INT(r.items[n].off, a.items[k].off);
			CHECK_INT(r.items[n].len, a.items[k].len);
			CHECK_INT(r.items[n].quote, a.items[k].quote);
			n++;
		}
		CHECK_INT(r.count, n);
		compared += n;
		free(doc);
	}
	fprintf(stderr, "  %zu requisites compared\n", compared);
	CHECK(compared > 50);
	/* libxml2 switches to ISO-8859-1 at the <meta>: so must we. */
	REQUIRE(req_extract(meta, sizeof(meta) - 1, LINKS_MODE_REQUISITES, 0, 0,
		    &r) == CW_OK);
	REQUIRE(r.count == 1);
	CHECK_STR(link_list_url(&r, 0), DOC_DIR "caf%C3%83%C2%A9.png");
	link_list_cleanup(&a);
	link_list_cleanup(&r);
}

/* Names for the links table: every element and attribute has one. */
static void
test_names(void)
{
	unsigned i;

	for (i = 0; i < LINK_EL_COUNT; i++)
		CHECK(strcmp(link_element_name((enum link_element)i),
			  "unknown") != 0);
	for (i = 0; i < LINK_ATTR_COUNT; i++)
		CHECK(
		    strcmp(link_attr_name((enum link_attr)i), "unknown") != 0);
	CHECK_STR(link_element_name(LINK_EL_ANY), "any");
	CHECK_STR(link_element_name(LINK_EL_CSS), "css");
	CHECK_STR(link_attr_name(LINK_ATTR_SRCSET), "srcset");
	CHECK_STR(link_attr_name(LINK_ATTR_IMPORT), "import");
	CHECK_STR(link_element_name(LINK_EL_COUNT), "unknown");
	CHECK_STR(link_attr_name(LINK_ATTR_COUNT), "unknown");
}

static const struct test tests[] = {
    TEST(requisite_kinds),
    TEST(modes),
    TEST(srcset),
    TEST(span_invariant),
    TEST(span_forms),
    TEST(utf16_unknown),
    TEST(base_and_switch),
    TEST(max_requisites),
    TEST(raw_vs_libxml2),
    TEST(names),
};

TEST_MAIN(tests)
