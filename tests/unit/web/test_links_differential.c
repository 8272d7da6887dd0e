/* SPDX-License-Identifier: MIT */
/*
 * test_links_differential.c - the raw scanner (linkraw.c on htmlscan.c)
 * against libxml2 (linksax.c), document by document, in every mode: the
 * links must be the same up to the differences linkdiff.h states (markup
 * libxml2 drops and the scanner reads), each checked to be only that.
 *
 * The documents: every #data block of the html5lib tree-construction
 * files (tests/data/html5lib, see tests/data/SOURCES.md), every string of
 * the integration fixtures and of the web layer's own unit tests that
 * holds markup (read from their C sources, adjacent literals joined as
 * the compiler does), and generated pages in the shape of
 * bench/gensite.py's (10-30 KB of text with links written relative,
 * absolute and with fragments, the requisites a page has, entities),
 * with hostile variants of each. Any difference fails the test and
 * prints the document's source and the first differing link.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/base/buf.h"
#include "harness.h"
#include "web/linkdiff.h"

static const enum links_mode modes[] = {
    LINKS_MODE_DEFAULT, LINKS_MODE_ALL, LINKS_MODE_REQUISITES};

/* What the run saw. */
static struct {
	size_t docs, raw_read, compared, links, failed;
	size_t allowed[LD_ALLOW_COUNT];
	size_t base_allowed;
} st;

/* With LINKDIFF_DUMP=DIR, a differing document is written there. */
static void
diff_dump(const char *name, enum links_mode mode, const char *doc, size_t len)
{
	const char *dir = getenv("LINKDIFF_DUMP");
	char path[4096];
	FILE *f;
	size_t i;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s.m%d.html", dir, name, (int)mode);
	for (i = strlen(dir) + 1; path[i] != '\0'; i++)
		if (path[i] == ' ' || path[i] == '/' || path[i] == ':')
			path[i] = '_';
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	if (fwrite(doc, 1, len, f) != len)
		fprintf(stderr, "  cannot write %s\n", path);
	fclose(f);
}

/* Compare one document in every mode; name says where it came from. */
static void
diff_doc(const char *name, const char *doc, size_t len)
{
	struct ld_result r;
	size_t m, k;

	st.docs++;
	for (m = 0; m < CW_NELEM(modes); m++) {
		st.compared++;
		if (!ld_compare(doc, len, modes[m], &r)) {
			if (st.failed++ < 10)
				fprintf(stderr,
				    "  %s (mode %d, %zu bytes): %s\n    %.*s\n",
				    name, (int)modes[m], len, r.why,
				    (int)(len > 300 ? 300 : len), doc);
			diff_dump(name, modes[m], doc, len);
			CHECK(!"raw scanner differs from libxml2");
			continue;
		}
		if (!r.raw_read)
			continue;
		st.raw_read++;
		st.links += r.links;
		for (k = 0; k < LD_ALLOW_COUNT; k++)
			st.allowed[k] += r.allowed[k];
		st.base_allowed += r.base_allowed;
	}
}

/* Read a whole file; NULL if it cannot be read. */
static char *
diff_read(const char *path, size_t *len)
{
	FILE *f;
	char *b = NULL;
	long n;

	f = fopen(path, "rb");
	if (f == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n + 1)) != NULL) {
		if (fread(b, 1, (size_t)n, f) != (size_t)n) {
			FREE_NULL(b);
		} else {
			b[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return (b);
}

/* The #data blocks of an html5lib .dat file; returns how many. */
static size_t
diff_dat(const char *file, const char *b, size_t len)
{
	const char *p = b, *end = b + len, *nl, *data = NULL;
	char name[128];
	size_t blocks = 0, dlen;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (data != NULL && *p == '#') {
			dlen = (size_t)(p - data);
			dlen -= dlen > 0;
			snprintf(
			    name, sizeof(name), "%s block %zu", file, blocks);
			diff_doc(name, data, dlen);
			data = NULL;
		}
		if ((size_t)(nl - p) == 5 && memcmp(p, "#data", 5) == 0) {
			blocks++;
			data = nl + 1 <= end ? nl + 1 : end;
		}
		p = nl + 1;
	}
	return (blocks);
}

/* One escape of a C string literal at *p (after the backslash). */
static int
diff_escape(const char **pp, const char *end)
{
	const char *p = *pp;
	int v = 0, k;

	switch (*p++) {
	case 'n':
		v = '\n';
		break;
	case 't':
		v = '\t';
		break;
	case 'r':
		v = '\r';
		break;
	case 'f':
		v = '\f';
		break;
	case 'x':
		for (k = 0; k < 2 && p < end &&
		     strchr("0123456789abcdefABCDEF", *p) != NULL && *p != '\0';
		     k++, p++)
			v = v * 16 +
			    (*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
		break;
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
		v = p[-1] - '0';
		for (k = 1; k < 3 && p < end && *p >= '0' && *p <= '7'; k++)
			v = v * 8 + (*p++ - '0');
		break;
	default:
		v = (unsigned char)p[-1];
	}
	*pp = p;
	return (v & 0xff);
}

/*
 * The string literals of a C source (adjacent ones joined, as the
 * compiler joins them), each given to diff_doc when it holds '<'.
 * Comments and character constants are skipped. Returns how many.
 */
static size_t
diff_c_strings(const char *file, const char *b, size_t len)
{
	const char *p = b, *end = b + len, *q;
	struct buf s;
	char name[256];
	size_t n = 0, line = 1, at = 0;
	bool open = false;
	char c;

	buf_init(&s, SIZE_MAX);
	while (p < end) {
		c = *p;
		if (c == '\n')
			line++;
		if (c == '/' && p + 1 < end && p[1] == '*') {
			q = strstr(p + 2, "*/");
			for (; p < (q != NULL ? q + 2 : end); p++)
				line += *p == '\n';
			continue;
		}
		if (c == '/' && p + 1 < end && p[1] == '/') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (c == '\'') {
			for (p++; p < end && *p != '\''; p++)
				p += *p == '\\';
			p++;
			continue;
		}
		if (c == '"') {
			if (!open) {
				buf_reset(&s);
				at = line;
			}
			open = true;
			for (p++; p < end && *p != '"';) {
				if (*p == '\\' && p + 1 < end && p[1] == '\n') {
					p += 2;
					continue;
				}
				c = *p == '\\'
				    ? (p++, (char)diff_escape(&p, end))
				    : *p++;
				CHECK(buf_append(&s, &c, 1) == CW_OK);
			}
			p++;
			continue;
		}
		if (open && c != ' ' && c != '\t' && c != '\n' && c != '\\') {
			open = false;
			if (s.len > 0 && memchr(s.data, '<', s.len) != NULL) {
				snprintf(
				    name, sizeof(name), "%s:%zu", file, at);
				diff_doc(name, s.data, s.len);
				n++;
			}
		}
		p++;
	}
	buf_cleanup(&s);
	return (n);
}

/* Every .c and .h file of a directory; returns how many strings. */
static size_t
diff_c_dir(const char *dir, const char *prefix)
{
	char path[4096];
	struct dirent *de;
	size_t n = 0, len, nl;
	DIR *d;
	char *b;

	d = opendir(dir);
	CHECK(d != NULL);
	if (d == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (nl < 3 ||
		    strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    !(strcmp(de->d_name + nl - 2, ".c") == 0 ||
			strcmp(de->d_name + nl - 2, ".h") == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		b = diff_read(path, &len);
		CHECK(b != NULL);
		if (b == NULL)
			continue;
		n += diff_c_strings(de->d_name, b, len);
		free(b);
	}
	closedir(d);
	return (n);
}

/* Every file of a directory, whole, as a document; returns how many. */
static size_t
diff_files(const char *dir)
{
	char path[4096];
	struct dirent *de;
	size_t n = 0, len;
	DIR *d;
	char *b;

	d = opendir(dir);
	CHECK(d != NULL);
	if (d == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		b = diff_read(path, &len);
		CHECK(b != NULL);
		if (b == NULL)
			continue;
		diff_doc(de->d_name, b, len);
		n++;
		free(b);
	}
	closedir(d);
	return (n);
}

/* A deterministic generator (xorshift64*). */
static uint64_t diff_rng = 0x9e3779b97f4a7c15ULL;

static unsigned
diff_rand(unsigned n)
{
	diff_rng ^= diff_rng >> 12;
	diff_rng ^= diff_rng << 25;
	diff_rng ^= diff_rng >> 27;
	return ((unsigned)((diff_rng * 2685821657736338717ULL) >> 33) % n);
}

static void
diff_put(struct buf *b, const char *s)
{
	CHECK(buf_append(b, s, strlen(s)) == CW_OK);
}

/* One link of a generated page, written one of the ways gensite does. */
static void
diff_gen_link(struct buf *b, unsigned page)
{
	static const char *const words[] = {"kato", "rimu", "sena", "lovi",
	    "pera", "chien", "dormal", "tisquo"};
	char l[256];
	unsigned t = diff_rand(9), k = diff_rand(4000);

	switch (t) {
	case 0:
		snprintf(l, sizeof(l), "<a href=\"../s%u/d%u/p%u.html\">",
		    k % 7, k % 13, k);
		break;
	case 1:
		snprintf(l, sizeof(l), "<a href=\"/s%u/p%u.html#sec%u\">",
		    k % 7, k, k % 5);
		break;
	case 2:
		snprintf(l, sizeof(l),
		    "<a href=\"http://127.0.0.1:8080/s%u/p%u.html\">", k % 7,
		    k);
		break;
	case 3:
		snprintf(l, sizeof(l), "<a href=\"p%u.html?print=1&amp;x=%u\">",
		    page, k);
		break;
	case 4:
		snprintf(l, sizeof(l), "<a href=#top>");
		break;
	case 5:
		snprintf(l, sizeof(l),
		    "<img src=\"/img/i%u.png\" srcset=\"/img/i%u.png 1x, "
		    "/img/i%u@2x.png 2x\" alt=\"%s\">",
		    k, k, k, words[k % 8]);
		break;
	case 6:
		snprintf(l, sizeof(l),
		    "<span style=\"background:url('/bg/%u.svg')\">", k);
		break;
	case 7:
		snprintf(
		    l, sizeof(l), "<a href='http://127.0.0.25%u/off'>", k % 3);
		break;
	default:
		snprintf(
		    l, sizeof(l), "<a\nhref = %u.html title=\"a &lt; b\">", k);
	}
	diff_put(b, l);
	diff_put(b, words[diff_rand(8)]);
	if (t != 5 && t != 6)
		diff_put(b, "</a>");
	else if (t == 6)
		diff_put(b, "</span>");
}

/* A page like gensite.py's: head, nav, paragraphs of text and links. */
static void
diff_gen_page(struct buf *b, unsigned page, size_t target)
{
	char h[1024];
	unsigned i, n;

	snprintf(h, sizeof(h),
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "\n<title>Page | %u</title>\n<link rel=\"stylesheet\" "
	    "href=\"/static/site.css\">\n<script src=\"/js/a.js\"></script>"
	    "<style>h2{background:url(/img/h2.png)}</style>\n"
	    "</head><body><a id=\"top\"></a>\n<header><nav>"
	    "<a href=\"/index.html\">home</a> <a href=\"../\">up</a>"
	    "</nav></header>\n<main>\n<article><h1>P %u</h1>\n",
	    page, page);
	diff_put(b, h);
	while (b->len < target) {
		diff_put(b, "<p>");
		n = 3 + diff_rand(8);
		for (i = 0; i < n; i++) {
			diff_put(b,
			    i % 2 ? "lan sun fi gra pol wen tor, "
				  : "ul am es in ox ter vel nor ba. ");
			if (diff_rand(3) == 0)
				diff_gen_link(b, page);
		}
		diff_put(b, "</p>\n");
		if (diff_rand(20) == 0)
			diff_put(b, "<!-- <a href=\"/in-comment\"> -->\n");
		if (diff_rand(25) == 0)
			diff_put(b,
			    "<script>var s = '<a href=\"/in-js\">';"
			    "</script>\n");
	}
	diff_put(b,
	    "</article></main>\n<footer><p>&copy; ka</p></footer>\n"
	    "</body></html>\n");
}

/* Ways a generated page is made hostile. */
static void
diff_gen_variant(struct buf *b, unsigned v)
{
	static const char *const tails[] = {
	    "",
	    "<a href=\"/after-root\">after</a><body background=\"/b2.png\">",
	    "\n<!-- trailing comment -->",
	    "<a href=\"/unterminated",
	    "<a href='/x' href='/dup'>x</a><img src=/u.png/>",
	    "<base href=\"/late/\"><a href=\"late.html\">",
	};

	diff_put(b, tails[v % CW_NELEM(tails)]);
}

static void
diff_generated(void)
{
	struct buf b;
	char name[64];
	unsigned i;

	buf_init(&b, SIZE_MAX);
	for (i = 0; i < 60; i++) {
		buf_reset(&b);
		diff_gen_page(&b, i, 10 * 1024 + diff_rand(20 * 1024));
		diff_gen_variant(&b, i);
		snprintf(name, sizeof(name), "generated page %u", i);
		diff_doc(name, b.data, b.len);
	}
	buf_cleanup(&b);
}

/*
 * Pieces of markup libxml2's tokenizer treats in its own way, for the
 * soup pages: quoting, entities, comments, declarations, raw text, case,
 * NUL and CR bytes, names past 100 characters, duplicates.
 */
#define SOUP(x)                                                                \
	{                                                                      \
		x, sizeof(x) - 1                                               \
	}
static const struct {
	const char *s;
	size_t n;
} soup[] = {
    SOUP("<a href=/q?a=1&b=2>u</a>"),
    SOUP("<a href=/q?a=1&amp;b=2&copy=3&lt;x>e</a>"),
    SOUP("<a href=\"/n&#x41;&#66;&#0;&#xD800;&#1114112;x\">n</a>"),
    SOUP("<a href='/s\"q'>s</a>"),
    SOUP("<a href=\"/d'q\">d</a>"),
    SOUP("<A HREF=\"/UP\">U</A>"),
    SOUP("<a href = \"/sp\" >sp</a>"),
    SOUP("<a\thref\r\n=\n'/ws'>ws</a>"),
    SOUP("<a href=\"/one\" href=\"/two\">dup</a>"),
    SOUP("<a href>empty</a><a href=\"\">e2</a>"),
    SOUP("<a href=/self/>s</a>"),
    SOUP("<img src=\"/i.png\"/><img src=/j.png/>"),
    SOUP("<!-- <a href=/c1> --><a href=/after-c1>"),
    SOUP("<!-- x --!><a href=/after-bang>"),
    SOUP("<!--><a href=/after-short>-->"),
    SOUP("<!---><a href=/after-short2>-->"),
    SOUP("<!DOCTYPE html PUBLIC \"-//W3C//x>\" \"y>\"><a href=/dt>"),
    SOUP("<!DOCTYPE x SYSTEM 'a>b'><a href=/dt2>"),
    SOUP("<!x <a href=/bang-text>>"),
    SOUP("<![CDATA[<a href=/cdata>]]>"),
    SOUP("<?pi <a href=/in-pi> ?><a href=/after-pi>"),
    SOUP("<? <a href=/q-pi>"),
    SOUP("<script>x='</scr' + 'ipt>'; y='<a href=/js>'</script>"),
    SOUP("<script>a</scriptx><a href=/js2></script>"),
    SOUP("<SCRIPT src=/s.js></SCRIPT>"),
    SOUP(
	"<style>a{background:url(/st.png)}</stylex>b{x:url(/st2.png)}</style>"),
    SOUP("<style>x{background:url(/n\0l.png)}\x01a{b:url(/c\x02d.png)}"
	 "\xef\xbf\xbe\x7f</style>"),
    SOUP("<style>x{background:url(/se1.png)}</STYLEx y>z{background:url("
	 "/se2.png)}</style>"),
    SOUP("<style>a{}</stylex\0b{background:url(/nul-end.png)}</style>"),
    SOUP("<style>/* </styleq */ a{background:url(/cm.png)}</style>"),
    SOUP("<style>@import '/imp.css'; p{background:url(\"/q.png\")}</style>"),
    SOUP("<div style=\"background:url(&quot;/ent.png&quot;)\">d</div>"),
    SOUP("<textarea><a href=/ta></textarea>"),
    SOUP("<title><a href=/ti></title>"),
    SOUP("<noscript><a href=/ns></noscript>"),
    SOUP("<table background=/t.png><tr><td background=/td.png>x</td></tr>"),
    SOUP("<link rel=\"stylesheet icon\" href=/l.css><link rel=next href=/n>"),
    SOUP("<input type=image src=/in.png><input src=/no.png>"),
    SOUP("<iframe src=/f.html></iframe><frame src=/fr.html>"),
    SOUP(
	"<video src=/v.mp4 poster=/p.jpg><source src=/a.mp4 srcset=\"/b 1x\">"),
    SOUP("<object data=/o.swf></object><embed src=/e.swf>"),
    SOUP("<img srcset=\"/a.png 1x,/b.png 2x , /c.png\">"),
    SOUP("<img srcset=\" , /x.png 100w, data:x 1x\">"),
    SOUP("<a href=\"javascript:x()\">js</a><a href=mailto:a@b>m</a>"),
    SOUP(
	"<a href=\"http://[::1]:80/v6\">v6</a><a href=\"//proto.rel/x\">p</a>"),
    SOUP("<a href=\"  /trim  \">t</a><a href=\"/tab\t\n/x\">t</a>"),
    SOUP("<a href=/x\x01y>c</a>"),
    SOUP("<a href=\"/nul\0x\">nul</a><a href=/after-nul>"),
    SOUP("<a \0href=/n2>x</a>"),
    SOUP("<a href=/cr\rx>cr</a>"),
    SOUP("<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaa"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa href=/longname>"),
    SOUP(
	"<a "
	"hreeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeef=/longattr href=/la>"),
    SOUP("<a 1x=2 href=/digit-attr>"),
    SOUP("<a =x href=/eq-attr>"),
    SOUP("<a href=/a\"b>q</a>"),
    SOUP("<a href=\"/unclosed><a href=/next>\">"),
    SOUP("</a href=/endtag><a href=/after-end>"),
    SOUP("</ a><a href=/after-bad-end>"),
    SOUP("<a/href=/slash>"),
    SOUP("<p><a href=/p1><p><a href=/p2></a></a>"),
    SOUP("<base href=/base/><a href=b.html>"),
    SOUP("<body background=/bg.png><html style=\"b:url(/h.png)\">"),
    SOUP("<head style=\"x:url(/hd.png)\">"),
    SOUP("&lt;a href=/escaped&gt;<a href=/real>"),
    SOUP("<a href=\"/&#x1F600;&eacute;\">emoji</a>\xc3\xa9\xe2\x82\xac"),
    SOUP("<a href=/%zz%41>pct</a>"),
    SOUP("<svg><a href=/svg-a></a><image href=/svg-img></svg>"),
    SOUP("<math><a href=/m></math>"),
    SOUP("<form action=/f><button formaction=/b>"),
    SOUP("<meta http-equiv=refresh content=\"0;url=/r\">"),
    SOUP("<meta charset=utf-8><a href=/after-meta>"),
    SOUP("<meta name=x style=\"background:url(/meta-st.png)\">"),
    SOUP("<base href=/b/ style=\"x:url(/base-st.png)\">"),
    SOUP("<style style=\"x:url(/style-st.png)\">a{}</style>"),
    SOUP("</body></html><a href=/after-html>"),
    SOUP("<html><a href=/second-html>"),
    SOUP("<frameset><frame src=/fs.html></frameset>"),
    SOUP("<select><option><a href=/sel></select>"),
};

/* Pages of random soup pieces between text. */
static void
diff_soup(void)
{
	struct buf b;
	char name[64];
	unsigned i, k, k2, n;

	buf_init(&b, SIZE_MAX);
	for (i = 0; i < 400; i++) {
		buf_reset(&b);
		if (diff_rand(2) == 0)
			diff_put(&b,
			    "<!DOCTYPE html><html><head><title>t</title>"
			    "</head><body>");
		n = 5 + diff_rand(40);
		for (k = 0; k < n; k++) {
			k2 = diff_rand(CW_NELEM(soup));
			CHECK(buf_append(&b, soup[k2].s, soup[k2].n) == CW_OK);
			if (diff_rand(3) == 0)
				diff_put(&b, " text &amp; more\n");
		}
		snprintf(name, sizeof(name), "soup page %u", i);
		/* Soup pieces hold NULs: pass the whole length. */
		diff_doc(name, b.data, b.len);
	}
	buf_cleanup(&b);
}

/* The hand-written cases of each allowance, and ones close to them. */
static const struct {
	const char *doc;
	size_t allowed[LD_ALLOW_COUNT];
	bool base;
} allowance_cases[] = {
    {"<html><body><p>x<body background=\"/two.png\">", {1, 0}, false},
    {"<body style=\"background:url(/a.png)\"><html style=\"x:url(/h.png)\">",
	{1, 0}, false},
    {"<html><head></head><body><head style=\"a:url(/h.png)\">", {1, 0}, false},
    {"<html><body><a href=/in>in</a></body></html><a href=/out>", {0, 1},
	false},
    {"<html></html><base href=\"http://other.example/\"><a href=x>", {0, 1},
	true},
    {"<a href=/a></body><a href=/b>", {0, 0}, false},
    {"<body><p><body>", {0, 0}, false},
    {"<meta charset=iso-8859-1><a href=/a>a</a><img src=/i.png>", {0, 0, 2},
	false},
    {"<meta charset=utf-8><a href=/a>a</a>", {0, 0, 0}, false},
};

/* Each allowance, on documents made to show it. */
static void
test_allowances(void)
{
	struct ld_result r;
	size_t i, k;

	links_global_init();
	for (i = 0; i < CW_NELEM(allowance_cases); i++) {
		CHECK(ld_compare(allowance_cases[i].doc,
		    strlen(allowance_cases[i].doc), LINKS_MODE_ALL, &r));
		if (r.why[0] != '\0')
			fprintf(stderr, "  case %zu: %s\n", i, r.why);
		CHECK(r.raw_read);
		for (k = 0; k < LD_ALLOW_COUNT; k++)
			CHECK_INT(r.allowed[k], allowance_cases[i].allowed[k]);
		CHECK_INT(r.base_allowed, allowance_cases[i].base);
	}
}

/* The comparison itself catches a difference in each field. */
static void
test_comparator_catches(void)
{
	static const char doc[] =
	    "<html><body><a href=\"/a\">a</a><img src='/b.png'></body></html>";
	struct link_list x, r;
	struct links_opts o;
	struct ld_result res;
	size_t f;

	memset(&o, 0, sizeof(o));
	o.mode = LINKS_MODE_ALL;
	o.flags = LINKS_OPT_OFFSETS | LINKS_OPT_RAW;
	for (f = 0; f < 6; f++) {
		link_list_init(&x);
		link_list_init(&r);
		o.parser = LINKS_PARSER_LIBXML2;
		CHECK_INT(links_extract_opts(
			      doc, sizeof(doc) - 1, LD_BASE_URL, &o, &x),
		    CW_OK);
		o.parser = LINKS_PARSER_RAW;
		CHECK_INT(links_extract_opts(
			      doc, sizeof(doc) - 1, LD_BASE_URL, &o, &r),
		    CW_OK);
		REQUIRE(x.count == 2 && r.count == 2);
		memset(&res, 0, sizeof(res));
		if (f == 0)
			CHECK(ld_compare_lists(
			    doc, sizeof(doc) - 1, &x, &r, &res));
		else if (f == 1)
			r.items[1].off++;
		else if (f == 2)
			r.items[0].element = LINK_EL_AREA;
		else if (f == 3)
			r.items[1].src_offset--;
		else if (f == 4)
			r.count = 1;
		else
			r.strings[r.items[0].url_off + 20] ^= 1;
		if (f > 0)
			CHECK(!ld_compare_lists(
			    doc, sizeof(doc) - 1, &x, &r, &res));
		link_list_cleanup(&x);
		link_list_cleanup(&r);
	}
}

/* The html5lib blocks, the fixture strings, the generated pages. */
static void
test_differential(void)
{
	static const char *const dat[] = {"tests1.dat", "tricky01.dat",
	    "adoption01.dat", "plain-text-unsafe.dat"};
	char path[4096];
	size_t i, len, blocks = 0, strs_it, strs_unit, seeds, before;
	char *b;

	links_global_init();
	memset(&st, 0, sizeof(st));
	for (i = 0; i < CW_NELEM(dat); i++) {
		snprintf(path, sizeof(path), "%s/html5lib/%s",
		    CRAWLD_TEST_DATA_DIR, dat[i]);
		b = diff_read(path, &len);
		CHECK(b != NULL);
		if (b == NULL)
			continue;
		blocks += diff_dat(dat[i], b, len);
		free(b);
	}
	CHECK_INT(blocks, 112 + 9 + 18 + 33);
	snprintf(path, sizeof(path), "%s/../integration", CRAWLD_TEST_DATA_DIR);
	strs_it = diff_c_dir(path, "");
	snprintf(path, sizeof(path), "%s/../unit/web", CRAWLD_TEST_DATA_DIR);
	strs_unit = diff_c_dir(path, "test_link");
	strs_unit += diff_c_dir(path, "test_htmlscan");
	snprintf(path, sizeof(path), "%s/../fuzz/corpus/links",
	    CRAWLD_TEST_DATA_DIR);
	seeds = diff_files(path);
	snprintf(path, sizeof(path), "%s/../fuzz/corpus/linkdiff",
	    CRAWLD_TEST_DATA_DIR);
	seeds += diff_files(path);
	before = st.docs;
	diff_generated();
	diff_soup();
	printf("     %zu documents (%zu html5lib blocks, %zu integration "
	       "strings, %zu unit-test strings, %zu fuzzer seeds, %zu "
	       "generated and soup pages) "
	       "x %zu "
	       "modes: the raw scanner read %zu of %zu, %zu links agree; "
	       "allowed raw-only links: %zu in dropped tags, %zu after the "
	       "root, %zu after-root <base>; %zu src_offsets past libxml2's "
	       "after an encoding switch\n",
	    st.docs, blocks, strs_it, strs_unit, seeds, st.docs - before,
	    CW_NELEM(modes), st.raw_read, st.compared, st.links,
	    st.allowed[LD_DROPPED_TAG], st.allowed[LD_AFTER_ROOT],
	    st.base_allowed, st.allowed[LD_SWITCHED_OFFSET]);
	/* The readers found their documents, and most were compared. */
	CHECK(strs_it >= 100);
	CHECK(strs_unit >= 100);
	CHECK(st.raw_read * 10 >= st.compared * 8);
	CHECK(st.links >= 10000);
	CHECK_INT(st.failed, 0);
}

static const struct test tests[] = {
    TEST(allowances),
    TEST(comparator_catches),
    TEST(differential),
};

TEST_MAIN(tests)
