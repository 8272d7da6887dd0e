/* SPDX-License-Identifier: MIT */
/*
 * test_localpath.c - URL -> local path rules (localpath.h): the tree a
 * mirror gets, hostile names, caps, the variant for a taken path and
 * relative references between local paths.
 */
#include <stdlib.h>
#include <string.h>

#include "crawld/mirror/localpath.h"
#include "harness.h"

static char got[4096];

/* The local path of url with flags, or "ERR". */
static const char *
lp(const char *url, unsigned flags)
{
	char *p = NULL;

	if (localpath_from_url(url, flags, &p) != CW_OK) {
		free(p);
		return "ERR";
	}
	snprintf(got, sizeof(got), "%s", p);
	free(p);
	return got;
}

static void
test_tree(void)
{
	CHECK_STR(lp("http://example.com/", LOCALPATH_HTML),
	    "example.com/index.html");
	CHECK_STR(lp("http://example.com", 0), "example.com/index.html");
	CHECK_STR(lp("http://example.com:8080/a/b.png", 0),
	    "example.com_8080/a/b.png");
	CHECK_STR(lp("https://example.com/a/", LOCALPATH_HTML),
	    "example.com/a/index.html");
	CHECK_STR(lp("http://example.com/a/page", LOCALPATH_HTML),
	    "example.com/a/page.html");
	CHECK_STR(lp("http://example.com/a/page.htm", LOCALPATH_HTML),
	    "example.com/a/page.htm");
	CHECK_STR(lp("http://example.com/s/style", LOCALPATH_CSS),
	    "example.com/s/style.css");
	CHECK_STR(lp("http://example.com/s/x.CSS", LOCALPATH_CSS),
	    "example.com/s/x.CSS");
	CHECK_STR(lp("http://u:p@example.com/x#frag", 0), "example.com/x");
	CHECK_STR(lp("http://[::1]:81/x", 0), "[::1]_81/x");
	CHECK_STR(lp("http://a_b.example/x", 0), "a%5Fb.example/x");
	CHECK_STR(lp("ftp://example.com/x", 0), "ERR");
	CHECK_STR(lp("http:///x", 0), "ERR");
	CHECK_STR(lp("http://h:8x/x", 0), "ERR");
	CHECK_STR(lp("not a url", 0), "ERR");
}

static void
test_query(void)
{
	CHECK_STR(lp("http://h/p?a=1&b=2", 0), "h/p?a=1&b=2");
	CHECK_STR(lp("http://h/p?a=1&b=2", LOCALPATH_HTML), "h/p?a=1&b=2.html");
	CHECK_STR(lp("http://h/?x=1", LOCALPATH_HTML), "h/index.html?x=1.html");
	CHECK_STR(lp("http://h/d/?x=1", 0), "h/d/index.html?x=1");
	CHECK_STR(lp("http://h?x=1", 0), "h/index.html?x=1");
	/* a '/' in the query is no separator */
	CHECK_STR(lp("http://h/p?next=/a/../b", 0), "h/p?next=%2Fa%2F..%2Fb");
}

static void
test_hostile(void)
{
	/* %2F never separates, a decoded '%' is escaped again */
	CHECK_STR(lp("http://h/a%2Fb", 0), "h/a%2Fb");
	CHECK_STR(lp("http://h/..%2f..%2fetc%2fpasswd", 0),
	    "h/..%2F..%2Fetc%2Fpasswd");
	CHECK_STR(lp("http://h/%2e%2e/x", 0), "h/%2E%2E/x");
	CHECK_STR(lp("http://h/%2E/x", 0), "h/%2E/x");
	CHECK_STR(lp("http://h/..", 0), "h/%2E%2E");
	CHECK_STR(lp("http://h/a%25b", 0), "h/a%25b");
	CHECK_STR(lp("http://h/a%00b%0A%1f%7F", 0), "h/a%00b%0A%1F%7F");
	CHECK_STR(lp("http://h/a\\b", 0), "h/a%5Cb");
	CHECK_STR(lp("http://h/a//b", 0), "h/a/%_/b");
	CHECK_STR(lp("http://.h/x", 0), "%2Eh/x");
	CHECK_STR(lp("http://h/%E2%82%AC", 0), "h/\xe2\x82\xac");
}

static void
test_caps(void)
{
	char url[1200], seg[401], first[512];
	const char *p, *name;

	memset(seg, 'a', 300);
	seg[300] = '\0';
	snprintf(url, sizeof(url), "http://h/%s.html", seg);
	p = lp(url, LOCALPATH_HTML);
	name = strchr(p, '/') + 1;
	CHECK_INT(strlen(name), LOCALPATH_SEGMENT_MAX);
	CHECK(strncmp(name, "aaaa", 4) == 0);
	CHECK(strcmp(name + strlen(name) - 5, ".html") == 0);
	CHECK(strchr(name, '~') != NULL);
	/* another long name with the same head gets another hash */
	snprintf(first, sizeof(first), "%s", p);
	snprintf(url, sizeof(url), "http://h/%sb.html", seg);
	p = lp(url, LOCALPATH_HTML);
	CHECK_INT(strlen(p), strlen(first));
	CHECK(strcmp(p, first) != 0);
	/* a cut never splits an escape */
	memset(seg, 0, sizeof(seg));
	for (size_t i = 0; i < 130; i++)
		memcpy(seg + 3 * i, "%01", 3);
	snprintf(url, sizeof(url), "http://h/%s", seg);
	p = lp(url, 0);
	name = strchr(p, '/') + 1;
	CHECK(strlen(name) <= LOCALPATH_SEGMENT_MAX);
	CHECK(strstr(name, "%0~") == NULL && strstr(name, "%~") == NULL);
	/* the whole path capped */
	{
		static char big[20000];
		size_t n = (size_t)snprintf(big, sizeof(big), "http://h");

		while (n < 15000)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "/%.150s",
			    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
			    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
			    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
			    "bbbbbbbbbbbbbbbbbb");
		p = lp(big, LOCALPATH_HTML);
		CHECK(strlen(p) <= LOCALPATH_MAX);
		CHECK(strncmp(p, "h/%_long/", 9) == 0);
		CHECK(strcmp(p + strlen(p) - 5, ".html") == 0);
	}
}

static void
test_disambiguate(void)
{
	char *p = NULL, *q = NULL;

	CHECK(localpath_disambiguate("h/a/page.html", "http://h/a/page", &p) ==
	    CW_OK);
	CHECK(localpath_disambiguate(
		  "h/a/page.html", "http://h/a/page.html", &q) == CW_OK);
	REQUIRE(p != NULL && q != NULL);
	CHECK(strncmp(p, "h/a/page~", 9) == 0);
	CHECK(strcmp(p + strlen(p) - 5, ".html") == 0);
	CHECK_INT(strlen(p), strlen("h/a/page.html") + 9);
	CHECK(strcmp(p, q) != 0);
	free(p);
	free(q);
}

static const char *
rel(const char *from, const char *to)
{
	char *p = NULL;

	if (localpath_relative(from, to, &p) != CW_OK)
		return "ERR";
	snprintf(got, sizeof(got), "%s", p);
	free(p);
	return got;
}

static void
test_relative(void)
{
	CHECK_STR(rel("h/index.html", "h/a.png"), "a.png");
	CHECK_STR(rel("h/index.html", "h/s/x.css"), "s/x.css");
	CHECK_STR(rel("h/s/x.css", "h/i/b.png"), "../i/b.png");
	CHECK_STR(rel("h/a/b/c.html", "h/index.html"), "../../index.html");
	CHECK_STR(rel("h/a/b.html", "g_81/x.png"), "../../g_81/x.png");
	CHECK_STR(rel("h/p.html", "h/p?a=1&b=2.html"), "p%3Fa=1%26b=2.html");
	CHECK_STR(rel("h/p.html", "h/a%2Fb"), "a%252Fb");
	CHECK_STR(rel("h/p.html", "h/a b#c:d"), "a%20b%23c%3Ad");
	CHECK_STR(rel("h/ab/x.html", "h/a/y.html"), "../a/y.html");
	CHECK_STR(rel("h/x.html", "h/x.html"), "x.html");
}

static const struct test tests[] = {
    TEST(tree),
    TEST(query),
    TEST(hostile),
    TEST(caps),
    TEST(disambiguate),
    TEST(relative),
};

TEST_MAIN(tests)
