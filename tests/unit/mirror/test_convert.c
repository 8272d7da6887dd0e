/* SPDX-License-Identifier: MIT */
/*
 * test_convert.c - link conversion by byte spans (convert.h): local and
 * absolute targets, fragments, fragment-only links left alone, srcset out
 * of list order, CSS escapes in url() and strings, character references
 * in attributes, the base href emptied, the rest of the bytes untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "crawld/mirror/convert.h"
#include "crawld/web/css.h"
#include "crawld/web/links.h"
#include "harness.h"

/* Targets under http://h/ are mirrored as "h/<path>", others are not. */
static enum cw_rc
lookup(void *arg, const char *url, char **local)
{
	(void)arg;
	*local = NULL;
	if (strncmp(url, "http://h/", 9) != 0 || strstr(url, "gone") != NULL)
		return CW_OK;
	*local = malloc(strlen(url));
	if (*local == NULL)
		return CW_ENOMEM;
	snprintf(*local, strlen(url), "h/%s", url + 9);
	return CW_OK;
}

static char out[8192];

/* Convert html (at local path self, URL http://h/<self minus h/>). */
static const char *
conv(const char *doc, const char *self, const char *url, bool css)
{
	struct links_opts lo = {LINKS_MODE_ALL,
	    LINKS_OPT_OFFSETS | LINKS_OPT_RAW, 0, LINKS_PARSER_AUTO};
	struct link_list l;
	struct convert_result r;
	enum cw_rc rc;

	link_list_init(&l);
	rc = css ? css_extract(doc, strlen(doc), url, &lo, &l)
		 : links_extract_opts(doc, strlen(doc), url, &lo, &l);
	if (rc != CW_OK ||
	    convert_document(doc, strlen(doc), self, &l, lookup, NULL, &r) !=
		CW_OK) {
		link_list_cleanup(&l);
		return "ERR";
	}
	snprintf(out, sizeof(out), "%.*s", (int)r.len, r.data);
	free(r.data);
	link_list_cleanup(&l);
	return out;
}

static void
test_html(void)
{
	CHECK_STR(conv("<a href=\"/a/b.html#s\">x</a><!-- <a href=\"/c\"> -->",
		      "h/d/index.html", "http://h/d/", false),
	    "<a href=\"../a/b.html#s\">x</a><!-- <a href=\"/c\"> -->");
	CHECK_STR(conv("<A HREF='gone'>x</A> <a href=#top>t</a>",
		      "h/index.html", "http://h/", false),
	    "<A HREF='http://h/gone'>x</A> <a href=#top>t</a>");
	CHECK_STR(conv("<a href=\"http://other/x\">o</a>", "h/index.html",
		      "http://h/", false),
	    "<a href=\"http://other/x\">o</a>");
	/* srcset candidates, and src after it in the document */
	CHECK_STR(conv("<img srcset=\"i/a.png 1x, i/b.png 2x\" src=i/c.png>",
		      "h/p.html", "http://h/p", false),
	    "<img srcset=\"i/a.png 1x, i/b.png 2x\" src=i/c.png>");
	CHECK_STR(conv("<img srcset=\"/i/a.png 1x,/i/b.png 2x\" src=/i/c.png>",
		      "h/s/p.html", "http://h/s/p", false),
	    "<img srcset=\"../i/a.png 1x,../i/b.png 2x\" src=../i/c.png>");
	/* a query in a name; &amp; decoded from the attribute, & escaped */
	CHECK_STR(conv("<a href=\"/q?a=1&amp;b=2\">q</a>", "h/index.html",
		      "http://h/", false),
	    "<a href=\"q%3Fa=1%26b=2\">q</a>");
	/* an absolute URL with & gets &amp; in the attribute */
	CHECK_STR(conv("<a href=\"/gone?a=1&amp;b=2\">q</a>", "h/index.html",
		      "http://h/", false),
	    "<a href=\"http://h/gone?a=1&amp;b=2\">q</a>");
	/* the base goes; links are relative to the file */
	CHECK_STR(conv("<base href=\"http://h/z/\"><a href=\"x\">x</a>",
		      "h/index.html", "http://h/", false),
	    "<base href=\"\"><a href=\"z/x\">x</a>");
	/* a style attribute and a <style> block */
	CHECK_STR(conv("<p style=\"background:url('/i/a.png')\"></p>"
		       "<style>p{background:url(/i/b.png)}</style>",
		      "h/index.html", "http://h/", false),
	    "<p style=\"background:url('i/a.png')\"></p>"
	    "<style>p{background:url(i/b.png)}</style>");
	/* mailto and javascript are not links: untouched */
	CHECK_STR(conv("<a href=\"mailto:a@b\">m</a><a href=\"javascript:x()\">"
		       "j</a>",
		      "h/index.html", "http://h/", false),
	    "<a href=\"mailto:a@b\">m</a><a href=\"javascript:x()\">j</a>");
}

static void
test_css(void)
{
	CHECK_STR(conv("@import \"b.css\";\np{background:url( ../i/a.png )}",
		      "h/s/a.css", "http://h/s/a.css", true),
	    "@import \"b.css\";\np{background:url( ../i/a.png )}");
	CHECK_STR(conv("@import url(/s/b.css);p{x:url(\"/gone\")}", "h/s/a.css",
		      "http://h/s/a.css", true),
	    "@import url(b.css);p{x:url(\"http://h/gone\")}");
	/* the test's map keeps the URL's escapes in the name ("a%20b(1)"):
	   a local reference percent-encodes '%' and parens, so nothing is
	   left for CSS to escape, quoted or not */
	CHECK_STR(conv("p{x:url(\"/a b(1).png\")}", "h/s/a.css",
		      "http://h/s/a.css", true),
	    "p{x:url(\"../a%2520b%281%29.png\")}");
	CHECK_STR(conv("p{x:url(/a%20b\\(1\\).png)}", "h/s/a.css",
		      "http://h/s/a.css", true),
	    "p{x:url(../a%2520b%281%29.png)}");
	/* an absolute URL with a quote in a quoted string is escaped */
	CHECK_STR(conv("p{x:url('/gone\\'s')}", "h/s/a.css", "http://h/s/a.css",
		      true),
	    "p{x:url('http://h/gone\\'s')}");
}

static const struct test tests[] = {
    TEST(html),
    TEST(css),
};

TEST_MAIN(tests)
