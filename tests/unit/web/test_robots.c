/* SPDX-License-Identifier: MIT */
/*
 * test_robots.c - robots.txt parsing and matching (RFC 9309).
 *
 * Table-driven: a case is (robots.txt text, agent, path, expected verdict).
 * The tables cover RFC 9309 section 2 rule by rule and re-state the
 * published cases of Google's robotstxt library (robots_test.cc) as our own
 * rows; each block names the Google case it follows. Where we differ from
 * Google on purpose, the row says so (see docs/internals/robots.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crawld/web/robots.h"
#include "harness.h"

struct rcase {
	const char *txt;
	const char *agent;
	const char *path;
	int allowed;
};

/* Parse each case's text for its agent and check the verdict on its path. */
static void
run_cases(const char *table, const struct rcase *c, size_t n)
{
	struct robots *r;
	size_t i;
	int got;

	for (i = 0; i < n; i++) {
		if (robots_parse(c[i].txt, strlen(c[i].txt), c[i].agent, &r) !=
		    CW_OK) {
			fprintf(stderr, "  %s[%zu]: parse failed\n", table, i);
			harness_failures++;
			continue;
		}
		got = robots_allowed(r, c[i].path);
		/* the shortcut never allows what a rule would refuse */
		if (robots_allows_all(r) && !got) {
			fprintf(stderr, "  %s[%zu]: allows_all but refused\n",
			    table, i);
			harness_failures++;
		}
		if (got != c[i].allowed) {
			fprintf(stderr,
			    "  %s[%zu]: agent=%s path=%s: got %s, expected "
			    "%s\n",
			    table, i, c[i].agent, c[i].path,
			    got ? "allowed" : "disallowed",
			    c[i].allowed ? "allowed" : "disallowed");
			harness_failures++;
		}
		robots_free(r);
	}
}

#define RUN(t) run_cases(#t, t, CW_NELEM(t))

/* RFC 9309 2.1 lines: "key: value", keys case-insensitive, bad lines. */
static void
test_line_syntax(void)
{
	static const struct rcase t[] = {
	    /* Google ID_LineSyntax_Line. */
	    {"user-agent: FooBot\ndisallow: /\n", "FooBot", "/x/y", 0},
	    {"foo: FooBot\nbar: /\n", "FooBot", "/x/y", 1},
	    /* Google-style: a missing colon with exactly two words. */
	    {"user-agent FooBot\ndisallow /\n", "FooBot", "/x/y", 0},
	    {"user-agent FooBot\ndisallow / x\n", "FooBot", "/x/y", 1},
	    /* Google ID_REPLineNamesCaseInsensitive. */
	    {"USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", "FooBot", "/x/y",
		1},
	    {"user-agent: FooBot\nallow: /x/\ndisallow: /\n", "FooBot", "/x/y",
		1},
	    {"uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n", "FooBot", "/x/y",
		1},
	    {"USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", "FooBot", "/a/b",
		0},
	    {"user-agent: FooBot\nallow: /x/\ndisallow: /\n", "FooBot", "/a/b",
		0},
	    {"uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n", "FooBot", "/a/b",
		0},
	    /* Blanks around the key, the colon and the value. */
	    {"  User-agent \t:\t crawld  \n\tDisallow :  /a  \n", "crawld",
		"/a", 0},
	    /* Comments, whole-line and trailing. */
	    {"# hi\nUser-agent: crawld # me\nDisallow: /a # not /b\n", "crawld",
		"/a", 0},
	    {"# hi\nUser-agent: crawld # me\nDisallow: /a # not /b\n", "crawld",
		"/b", 1},
	    /* A key that only starts like one is not that key. */
	    {"User-agent: crawld\nDisallowed: /\n", "crawld", "/a", 1},
	    /* An empty key or a lone word is ignored. */
	    {"User-agent: crawld\n: /\nDisallow\n", "crawld", "/a", 1},
	};

	RUN(t);
}

/* Misspelled keys accepted as Google's parser accepts them. */
static void
test_typos(void)
{
	static const struct rcase t[] = {
	    {"useragent: crawld\ndisallow: /a\n", "crawld", "/a", 0},
	    {"user agent: crawld\ndisallow: /a\n", "crawld", "/a", 0},
	    {"User-agent: crawld\ndissallow: /a\n", "crawld", "/a", 0},
	    {"User-agent: crawld\ndissalow: /a\n", "crawld", "/a", 0},
	    {"User-agent: crawld\ndisalow: /a\n", "crawld", "/a", 0},
	    {"User-agent: crawld\ndiasllow: /a\n", "crawld", "/a", 0},
	    {"User-agent: crawld\ndisallaw: /a\n", "crawld", "/a", 0},
	    {"User-agent: crawld\nDISALOW: /a\n", "crawld", "/a", 0},
	    /* Not a known typo. */
	    {"User-agent: crawld\ndisalloww: /a\n", "crawld", "/a", 1},
	    {"User-agent: crawld\nalow: /a\nDisallow: /\n", "crawld", "/a", 0},
	};

	RUN(t);
}

#define GROUPS                                                                 \
	"allow: /foo/bar/\n"                                                   \
	"\n"                                                                   \
	"user-agent: FooBot\n"                                                 \
	"disallow: /\n"                                                        \
	"allow: /x/\n"                                                         \
	"user-agent: BarBot\n"                                                 \
	"disallow: /\n"                                                        \
	"allow: /y/\n"                                                         \
	"\n"                                                                   \
	"\n"                                                                   \
	"allow: /w/\n"                                                         \
	"user-agent: BazBot\n"                                                 \
	"\n"                                                                   \
	"user-agent: FooBot\n"                                                 \
	"allow: /z/\n"                                                         \
	"disallow: /\n"

/* RFC 9309 2.1 groups: start, end, merging, rules outside groups. */
static void
test_groups(void)
{
	static const struct rcase t[] = {
	    /* Google ID_LineSyntax_Groups. */
	    {GROUPS, "FooBot", "/x/b", 1},
	    {GROUPS, "FooBot", "/z/d", 1},
	    {GROUPS, "FooBot", "/y/c", 0},
	    {GROUPS, "BarBot", "/y/c", 1},
	    {GROUPS, "BarBot", "/w/a", 1},
	    {GROUPS, "BarBot", "/z/d", 0},
	    {GROUPS, "BazBot", "/z/d", 1},
	    /* Rules before any user-agent line are ignored. */
	    {GROUPS, "FooBot", "/foo/bar/", 0},
	    {GROUPS, "BarBot", "/foo/bar/", 0},
	    {GROUPS, "BazBot", "/foo/bar/", 0},
	    {"Disallow: /\nUser-agent: crawld\nAllow: /x\n", "crawld", "/a", 1},
	    /* Google ID_LineSyntax_Groups_OtherRules: sitemap and unknown
	     * lines do not close a group. */
	    {"User-agent: BarBot\nSitemap: https://foo.bar/sitemap\n"
	     "User-agent: *\nDisallow: /\n",
		"FooBot", "/", 0},
	    {"User-agent: BarBot\nSitemap: https://foo.bar/sitemap\n"
	     "User-agent: *\nDisallow: /\n",
		"BarBot", "/", 0},
	    {"User-agent: FooBot\nInvalid-Unknown-Line: unknown\n"
	     "User-agent: *\nDisallow: /\n",
		"FooBot", "/", 0},
	    {"User-agent: FooBot\nInvalid-Unknown-Line: unknown\n"
	     "User-agent: *\nDisallow: /\n",
		"BarBot", "/", 0},
	    /* Several user-agent lines share one group. */
	    {"User-agent: a\nUser-agent: crawld\nUser-agent: b\n"
	     "Disallow: /x\n",
		"crawld", "/x", 0},
	    /* All groups naming us are merged. */
	    {"User-agent: crawld\nDisallow: /a\nUser-agent: other\n"
	     "Disallow: /b\nUser-agent: crawld\nDisallow: /c\n",
		"crawld", "/a", 0},
	    {"User-agent: crawld\nDisallow: /a\nUser-agent: other\n"
	     "Disallow: /b\nUser-agent: crawld\nDisallow: /c\n",
		"crawld", "/b", 1},
	    {"User-agent: crawld\nDisallow: /a\nUser-agent: other\n"
	     "Disallow: /b\nUser-agent: crawld\nDisallow: /c\n",
		"crawld", "/c", 0},
	    /* All "*" groups are merged when none names us. */
	    {"User-agent: *\nDisallow: /a\nUser-agent: x\nDisallow: /\n"
	     "User-agent: *\nDisallow: /c\n",
		"crawld", "/a", 0},
	    {"User-agent: *\nDisallow: /a\nUser-agent: x\nDisallow: /\n"
	     "User-agent: *\nDisallow: /c\n",
		"crawld", "/c", 0},
	    {"User-agent: *\nDisallow: /a\nUser-agent: x\nDisallow: /\n"
	     "User-agent: *\nDisallow: /c\n",
		"crawld", "/b", 1},
	    /* A group naming us, even without rules, shadows "*". */
	    {"User-agent: *\nDisallow: /\n\nUser-agent: crawld\nDisallow:\n",
		"crawld", "/x", 1},
	    {"User-agent: *\nDisallow: /\nUser-agent: crawld\n", "crawld", "/x",
		1},
	    /* A group may name us and "*" at once. */
	    {"User-agent: *\nUser-agent: crawld\nDisallow: /x\n", "crawld",
		"/x", 0},
	    {"User-agent: *\nUser-agent: crawld\nDisallow: /x\n", "other", "/x",
		0},
	    /* Crawl-delay does not close a group either. */
	    {"User-agent: crawld\nCrawl-delay: 1\nUser-agent: b\n"
	     "Disallow: /x\n",
		"crawld", "/x", 0},
	};

	RUN(t);
}

#define UA_UPPER "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n"
#define UA_LOWER "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n"
#define UA_CAMEL "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n"
#define GLOBAL_FIRST                                                           \
	"user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n"
#define ONLY_SPECIFIC                                                          \
	"user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\n"      \
	"user-agent: BazBot\ndisallow: /\n"

/* RFC 9309 2.2.1 user-agent matching: product tokens, case, "*". */
static void
test_user_agent(void)
{
	static const struct rcase t[] = {
	    /* Google ID_UserAgentValueCaseInsensitive. */
	    {UA_UPPER, "Foo", "/x/y", 1},
	    {UA_LOWER, "Foo", "/x/y", 1},
	    {UA_CAMEL, "Foo", "/x/y", 1},
	    {UA_UPPER, "Foo", "/a/b", 0},
	    {UA_LOWER, "Foo", "/a/b", 0},
	    {UA_CAMEL, "Foo", "/a/b", 0},
	    {UA_UPPER, "foo", "/x/y", 1},
	    {UA_LOWER, "foo", "/x/y", 1},
	    {UA_CAMEL, "foo", "/x/y", 1},
	    {UA_UPPER, "foo", "/a/b", 0},
	    {UA_LOWER, "foo", "/a/b", 0},
	    {UA_CAMEL, "foo", "/a/b", 0},
	    /* Google GoogleOnly_AcceptUserAgentUpToFirstSpace. */
	    {"User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\n"
	     "Disallow: /\n",
		"Foo", "/x/y", 1},
	    /* Deviation: we also cut our own agent to its token, so
	     * "Foo Bar" is "Foo" (Google: disallowed). */
	    {"User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\n"
	     "Disallow: /\n",
		"Foo Bar", "/x/y", 1},
	    /* Google ID_GlobalGroups_Secondary. */
	    {"", "FooBot", "/x/y", 1},
	    {GLOBAL_FIRST, "FooBot", "/x/y", 0},
	    {GLOBAL_FIRST, "BarBot", "/x/y", 1},
	    {ONLY_SPECIFIC, "QuxBot", "/x/y", 1},
	    /* Our agent string may carry a version and comment. */
	    {"User-agent: crawld\nDisallow: /\n", "crawld/0.1 (+http://x/)",
		"/a", 0},
	    {"User-agent: CRAWLD\nDisallow: /\n", "crawld", "/a", 0},
	    {"User-agent: crawld/2.0\nDisallow: /\n", "crawld", "/a", 0},
	    /* A token is compared whole, not as a prefix. */
	    {"User-agent: crawldx\nDisallow: /\n", "crawld", "/a", 1},
	    {"User-agent: crawl\nDisallow: /\n", "crawld", "/a", 1},
	    {"User-agent: crawl-d_bot\nDisallow: /\n", "crawl-d_bot/1", "/a",
		0},
	    /* "*" followed by blanks is still global; "*bot" is nothing. */
	    {"User-agent: * everyone\nDisallow: /\n", "crawld", "/a", 0},
	    {"User-agent: *bot\nDisallow: /\n", "crawld", "/a", 1},
	    /* Google GoogleOnly_SystemTest: empty agent, empty file. */
	    {"user-agent: FooBot\ndisallow: /\n", "", "/", 1},
	    {"", "", "/", 1},
	    {"user-agent: FooBot\ndisallow: /\n", "FooBot", "", 0},
	    /* An agent without a token matches no named group. */
	    {"User-agent: 123\nDisallow: /\n", "123", "/a", 1},
	};

	RUN(t);
}

/* RFC 9309 2.2.2 matching: case-sensitive paths, longest match. */
static void
test_longest_match(void)
{
	static const struct rcase t[] = {
	    /* Google ID_AllowDisallow_Value_CaseSensitive. */
	    {"user-agent: FooBot\ndisallow: /x/\n", "FooBot", "/x/y", 0},
	    {"user-agent: FooBot\ndisallow: /X/\n", "FooBot", "/x/y", 1},
	    /* Google ID_LongestMatch. */
	    {"user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n",
		"FooBot", "/x/page.html", 0},
	    {"user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n",
		"FooBot", "/x/page.html", 1},
	    {"user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n",
		"FooBot", "/x/", 0},
	    {"user-agent: FooBot\ndisallow: \nallow: \n", "FooBot",
		"/x/page.html", 1},
	    {"user-agent: FooBot\ndisallow: /\nallow: /\n", "FooBot",
		"/x/page.html", 1},
	    {"user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "/x",
		0},
	    {"user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "/x/",
		1},
	    {"user-agent: FooBot\ndisallow: /x/page.html\n"
	     "allow: /x/page.html\n",
		"FooBot", "/x/page.html", 1},
	    {"user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot",
		"/page.html", 0},
	    {"user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot",
		"/page", 1},
	    {"user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n",
		"FooBot", "/x/page.html", 1},
	    {"user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n",
		"FooBot", "/x/y.html", 0},
	    {"User-agent: *\nDisallow: /x/\nUser-agent: FooBot\n"
	     "Disallow: /y/\n",
		"FooBot", "/x/page", 1},
	    {"User-agent: *\nDisallow: /x/\nUser-agent: FooBot\n"
	     "Disallow: /y/\n",
		"FooBot", "/y/page", 0},
	    /* Equal length with a wildcard: Allow wins the tie. */
	    {"User-agent: *\nDisallow: /a*\nAllow: /a/\n", "crawld", "/a/b", 1},
	    /* Length counts octets of the pattern, '*' included. */
	    {"User-agent: *\nAllow: /a\nDisallow: /*b\n", "crawld", "/ab", 0},
	    /* Empty Disallow is no rule. */
	    {"User-agent: *\nDisallow:\n", "crawld", "/anything", 1},
	    /* The query is part of what is matched. */
	    {"User-agent: *\nDisallow: /*?sid=\n", "crawld", "/a?sid=1", 0},
	    {"User-agent: *\nDisallow: /*?sid=\n", "crawld", "/a?x=1", 1},
	    /* A pattern without a leading '/' gets one. */
	    {"User-agent: *\nDisallow: fish\n", "crawld", "/fish", 0},
	    {"User-agent: *\nDisallow: fish\n", "crawld", "/catfish", 1},
	    {"User-agent: *\nDisallow: *.gif$\n", "crawld", "/a/b.gif", 0},
	};

	RUN(t);
}

#define ENC_UTF8 "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n"
#define ENC_PCT "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n"
#define ENC_UNRES "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n"

/* RFC 9309 2.2.2 percent-encoding, normalised on both sides. */
static void
test_encoding(void)
{
	static const struct rcase t[] = {
	    /* Google ID_Encoding. */
	    {"User-agent: FooBot\nDisallow: /\n"
	     "Allow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n",
		"FooBot", "/foo/bar?qux=taz&baz=http://foo.bar?tar&par", 1},
	    {ENC_UTF8, "FooBot", "/foo/bar/%E3%83%84", 1},
	    {ENC_PCT, "FooBot", "/foo/bar/%E3%83%84", 1},
	    {ENC_UNRES, "FooBot", "/foo/bar/%62%61%7A", 1},
	    /* Deviations: we normalise the path too, so a raw UTF-8 path and
	     * an escaped unreserved character match (Google: disallowed). */
	    {ENC_UTF8, "FooBot", "/foo/bar/ツ", 1},
	    {ENC_PCT, "FooBot", "/foo/bar/ツ", 1},
	    {ENC_UNRES, "FooBot", "/foo/bar/baz", 1},
	    /* Hex case is not significant; escapes of reserved characters
	     * are kept apart from the character. */
	    {"User-agent: *\nDisallow: /a%2fb\n", "crawld", "/a%2Fb", 0},
	    {"User-agent: *\nDisallow: /a%2fb\n", "crawld", "/a/b", 1},
	    {"User-agent: *\nDisallow: /%7euser\n", "crawld", "/~user/x", 0},
	    {"User-agent: *\nDisallow: /~user\n", "crawld", "/%7Euser/x", 0},
	    /* Spaces inside a value are encoded as %20. */
	    {"User-agent: *\nDisallow: /a b\n", "crawld", "/a%20b", 0},
	    {"User-agent: *\nDisallow: /a%20b\n", "crawld", "/a b", 0},
	    /* A stray '%' is a literal. */
	    {"User-agent: *\nDisallow: /100%\n", "crawld", "/100%", 0},
	    {"User-agent: *\nDisallow: /100%\n", "crawld", "/100", 1},
	    /* "%2A" is a literal '*', not a wildcard. */
	    {"User-agent: *\nDisallow: /a%2Ab\n", "crawld", "/axb", 1},
	    {"User-agent: *\nDisallow: /a%2Ab\n", "crawld", "/a%2Ab", 0},
	};

	RUN(t);
}

/* RFC 9309 2.2.3 special characters: '#', '$', '*'. */
static void
test_special_characters(void)
{
	static const struct rcase t[] = {
	    /* Google ID_SpecialCharacters. */
	    {"User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n",
		"FooBot", "/foo/bar/quz", 0},
	    {"User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n",
		"FooBot", "/foo/quz", 1},
	    {"User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n",
		"FooBot", "/foo//quz", 1},
	    {"User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n",
		"FooBot", "/foo/bax/quz", 1},
	    {"User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n",
		"FooBot", "/foo/bar", 0},
	    {"User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n",
		"FooBot", "/foo/bar/qux", 1},
	    {"User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n",
		"FooBot", "/foo/bar/", 1},
	    {"User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n",
		"FooBot", "/foo/bar/baz", 1},
	    {"User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\n"
	     "Allow: /\n",
		"FooBot", "/foo/bar", 1},
	    {"User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\n"
	     "Allow: /\n",
		"FooBot", "/foo/quz", 0},
	    /* '$' anywhere but the end is a literal. */
	    {"User-agent: *\nDisallow: /a$b\n", "crawld", "/a$b", 0},
	    {"User-agent: *\nDisallow: /a$b\n", "crawld", "/a", 1},
	    {"User-agent: *\nDisallow: /a$\n", "crawld", "/ab", 1},
	    {"User-agent: *\nDisallow: /a$$\n", "crawld", "/a$", 0},
	    {"User-agent: *\nDisallow: /a$$\n", "crawld", "/a$b", 1},
	    /* Wildcards: runs of '*', a '*' before '$', a bare '*'. */
	    {"User-agent: *\nDisallow: /a**b\n", "crawld", "/axxb", 0},
	    {"User-agent: *\nDisallow: /a*$\n", "crawld", "/axx", 0},
	    {"User-agent: *\nDisallow: *\n", "crawld", "/", 0},
	    {"User-agent: *\nDisallow: /*b*$\n", "crawld", "/aaa", 1},
	    {"User-agent: *\nDisallow: /*.php$\n", "crawld", "/a.php.php", 0},
	    {"User-agent: *\nDisallow: /*.php$\n", "crawld", "/a.php?x", 1},
	    {"User-agent: *\nDisallow: /*ab$\n", "crawld", "/aab", 0},
	    {"User-agent: *\nDisallow: /*ab$\n", "crawld", "/abab", 0},
	    {"User-agent: *\nDisallow: /*ab$\n", "crawld", "/aba", 1},
	};

	RUN(t);
}

#define INDEX_HTML                                                             \
	"User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n"

/* Google GoogleOnly_IndexHTMLisDirectory. */
static void
test_index_html(void)
{
	static const struct rcase t[] = {
	    {INDEX_HTML, "foobot", "/allowed-slash/", 1},
	    {INDEX_HTML, "foobot", "/allowed-slash/index.htm", 0},
	    {INDEX_HTML, "foobot", "/allowed-slash/index.html", 1},
	    {INDEX_HTML, "foobot", "/anyother-url", 0},
	    /* Only the directory itself, not what is below it. */
	    {INDEX_HTML, "foobot", "/allowed-slash/x", 0},
	};

	RUN(t);
}

/* Google GoogleOnly_DocumentationChecks, path values section. */
static void
test_documentation(void)
{
#define D(allow) "user-agent: FooBot\ndisallow: /\nallow: " allow "\n"
	static const struct rcase t[] = {
	    {D("/fish"), "FooBot", "/bar", 0},
	    {D("/fish"), "FooBot", "/fish", 1},
	    {D("/fish"), "FooBot", "/fish.html", 1},
	    {D("/fish"), "FooBot", "/fish/salmon.html", 1},
	    {D("/fish"), "FooBot", "/fishheads", 1},
	    {D("/fish"), "FooBot", "/fishheads/yummy.html", 1},
	    {D("/fish"), "FooBot", "/fish.html?id=anything", 1},
	    {D("/fish"), "FooBot", "/Fish.asp", 0},
	    {D("/fish"), "FooBot", "/catfish", 0},
	    {D("/fish"), "FooBot", "/?id=fish", 0},
	    {D("/fish*"), "FooBot", "/bar", 0},
	    {D("/fish*"), "FooBot", "/fish", 1},
	    {D("/fish*"), "FooBot", "/fish.html", 1},
	    {D("/fish*"), "FooBot", "/fish/salmon.html", 1},
	    {D("/fish*"), "FooBot", "/fishheads", 1},
	    {D("/fish*"), "FooBot", "/fishheads/yummy.html", 1},
	    {D("/fish*"), "FooBot", "/fish.html?id=anything", 1},
	    {D("/fish*"), "FooBot", "/Fish.bar", 0},
	    {D("/fish*"), "FooBot", "/catfish", 0},
	    {D("/fish*"), "FooBot", "/?id=fish", 0},
	    {D("/fish/"), "FooBot", "/bar", 0},
	    {D("/fish/"), "FooBot", "/fish/", 1},
	    {D("/fish/"), "FooBot", "/fish/salmon", 1},
	    {D("/fish/"), "FooBot", "/fish/?salmon", 1},
	    {D("/fish/"), "FooBot", "/fish/salmon.html", 1},
	    {D("/fish/"), "FooBot", "/fish/?id=anything", 1},
	    {D("/fish/"), "FooBot", "/fish", 0},
	    {D("/fish/"), "FooBot", "/fish.html", 0},
	    {D("/fish/"), "FooBot", "/Fish/Salmon.html", 0},
	    {D("/*.php"), "FooBot", "/bar", 0},
	    {D("/*.php"), "FooBot", "/filename.php", 1},
	    {D("/*.php"), "FooBot", "/folder/filename.php", 1},
	    {D("/*.php"), "FooBot", "/folder/filename.php?parameters", 1},
	    {D("/*.php"), "FooBot", "//folder/any.php.file.html", 1},
	    {D("/*.php"), "FooBot", "/filename.php/", 1},
	    {D("/*.php"), "FooBot", "/index?f=filename.php/", 1},
	    {D("/*.php"), "FooBot", "/php/", 0},
	    {D("/*.php"), "FooBot", "/index?php", 0},
	    {D("/*.php"), "FooBot", "/windows.PHP", 0},
	    {D("/*.php$"), "FooBot", "/bar", 0},
	    {D("/*.php$"), "FooBot", "/filename.php", 1},
	    {D("/*.php$"), "FooBot", "/folder/filename.php", 1},
	    {D("/*.php$"), "FooBot", "/filename.php?parameters", 0},
	    {D("/*.php$"), "FooBot", "/filename.php/", 0},
	    {D("/*.php$"), "FooBot", "/filename.php5", 0},
	    {D("/*.php$"), "FooBot", "/php/", 0},
	    {D("/*.php$"), "FooBot", "/filename?php", 0},
	    {D("/*.php$"), "FooBot", "/aaaphpaaa", 0},
	    {D("/*.php$"), "FooBot", "//windows.PHP", 0},
	    {D("/fish*.php"), "FooBot", "/bar", 0},
	    {D("/fish*.php"), "FooBot", "/fish.php", 1},
	    {D("/fish*.php"), "FooBot", "/fishheads/catfish.php?parameters", 1},
	    {D("/fish*.php"), "FooBot", "/Fish.PHP", 0},
	    /* Order of precedence for group-member records. */
	    {"user-agent: FooBot\nallow: /p\ndisallow: /\n", "FooBot", "/page",
		1},
	    {"user-agent: FooBot\nallow: /folder\ndisallow: /folder\n",
		"FooBot", "/folder/page", 1},
	    {"user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n", "FooBot",
		"/page.htm", 0},
	    {"user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot", "/", 1},
	    {"user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot",
		"/page.html", 0},
	};
#undef D

	RUN(t);
}

#define LE_BAR "User-Agent: bar"
#define LE_UNIX                                                                \
	"User-Agent: foo\nAllow: /some/path\n" LE_BAR "\n\n\nDisallow: /\n"
#define LE_DOS                                                                 \
	"User-Agent: foo\r\nAllow: /some/path\r\n" LE_BAR "\r\n\r\n\r\n"       \
	"Disallow: /\r\n"
#define LE_MAC                                                                 \
	"User-Agent: foo\rAllow: /some/path\r" LE_BAR "\r\r\rDisallow: /\r"
#define LE_NOEOL                                                               \
	"User-Agent: foo\nAllow: /some/path\n" LE_BAR "\n\n\nDisallow: /"
#define LE_MIXED                                                               \
	"User-Agent: foo\nAllow: /some/path\r\n" LE_BAR "\n\r\n\nDisallow: /"

/*
 * Google ID_LinesNumbersAreCountedCorrectly and ID_UTF8ByteOrderMarkIsSkipped,
 * observed through verdicts: CR, LF and CRLF all end lines, and a BOM (or
 * a prefix of one) at the very start is skipped.
 */
static void
test_line_endings(void)
{
	static const struct rcase t[] = {
	    {LE_UNIX, "bar", "/x", 0},
	    {LE_UNIX, "foo", "/x", 1},
	    {LE_UNIX, "foo", "/some/path", 1},
	    {LE_DOS, "bar", "/x", 0},
	    {LE_DOS, "foo", "/x", 1},
	    {LE_MAC, "bar", "/x", 0},
	    {LE_MAC, "foo", "/x", 1},
	    {LE_NOEOL, "bar", "/x", 0},
	    {LE_MIXED, "bar", "/x", 0},
	    {LE_MIXED, "foo", "/x", 1},
	    /* BOM, full and partial. */
	    {"\xEF\xBB\xBF"
	     "User-Agent: foo\nDisallow: /AnyValue\n",
		"foo", "/AnyValue", 0},
	    {"\xEF\xBB"
	     "User-Agent: foo\nDisallow: /AnyValue\n",
		"foo", "/AnyValue", 0},
	    {"\xEF"
	     "User-Agent: foo\nDisallow: /AnyValue\n",
		"foo", "/AnyValue", 0},
	    /* A broken BOM makes the first line garbage. */
	    {"\xEF\x11\xBF"
	     "User-Agent: foo\nDisallow: /AnyValue\n",
		"foo", "/AnyValue", 1},
	    /* A BOM is only skipped at the start of the file. */
	    {"User-Agent: foo\n\xEF\xBB\xBF"
	     "Disallow: /AnyValue\n",
		"foo", "/AnyValue", 1},
	};

	RUN(t);
}

/* "/robots.txt" is always allowed (RFC 9309 2.2.2). */
static void
test_robots_txt_allowed(void)
{
	static const struct rcase t[] = {
	    {"User-agent: *\nDisallow: /\n", "crawld", "/robots.txt", 1},
	    {"User-agent: *\nDisallow: /robots.txt\n", "crawld", "/robots.txt",
		1},
	    {"User-agent: *\nDisallow: /\n", "crawld", "/robots.txt?x=1", 1},
	    {"User-agent: *\nDisallow: /\n", "crawld", "/robots.txtx", 0},
	    {"User-agent: *\nDisallow: /\n", "crawld", "/a/robots.txt", 0},
	};

	RUN(t);
}

/* A body containing NUL bytes still parses by length. */
static void
test_nul_bytes(void)
{
	static const char body[] =
	    "User-agent: *\nDisallow: /a\0b\nDisallow: /c\n";
	struct robots *r;

	REQUIRE(robots_parse(body, sizeof(body) - 1, "crawld", &r) == CW_OK);
	CHECK(robots_allowed(r, "/a") == 1);
	CHECK(robots_allowed(r, "/c") == 0);
	robots_free(r);
}

/* Allow-all and disallow-all (robots.txt 4xx / 5xx, the caller decides). */
static void
test_constructors(void)
{
	struct robots *r;

	REQUIRE(robots_new_allow_all(&r) == CW_OK);
	CHECK(robots_allowed(r, "/") == 1);
	CHECK(robots_allowed(r, "/anything?x=1") == 1);
	CHECK(robots_allowed(r, "/robots.txt") == 1);
	CHECK_INT(robots_crawl_delay_ms(r), 0);
	robots_free(r);

	REQUIRE(robots_new_disallow_all(&r) == CW_OK);
	CHECK(robots_allowed(r, "/") == 0);
	CHECK(robots_allowed(r, "/anything?x=1") == 0);
	CHECK(robots_allowed(r, "") == 0);
	CHECK(robots_allowed(r, "/robots.txt") == 1);
	CHECK_INT(robots_crawl_delay_ms(r), 0);
	robots_free(r);

	robots_free(NULL);
	CHECK(robots_allowed(NULL, "/x") == 1);
	CHECK_INT(robots_crawl_delay_ms(NULL), 0);
}

/* robots_allows_all(): true only where no rule applies to the agent. */
static void
test_allows_all(void)
{
	static const struct {
		const char *txt;
		bool all;
	} t[] = {
	    {"", true},
	    {"User-agent: *\nDisallow:\n", true},
	    {"User-agent: other\nDisallow: /\n", true}, /* not for crawld */
	    {"User-agent: *\nDisallow: /x\n", false},
	    {"User-agent: *\nAllow: /\n", false}, /* a rule: matched */
	    {"User-agent: crawld\nDisallow: /\n", false},
	};
	struct robots *r;
	size_t i;

	for (i = 0; i < CW_NELEM(t); i++) {
		REQUIRE(robots_parse(
			    t[i].txt, strlen(t[i].txt), "crawld", &r) == CW_OK);
		if (robots_allows_all(r) != t[i].all) {
			fprintf(stderr, "  allows_all[%zu]: got %d\n", i,
			    (int)robots_allows_all(r));
			harness_failures++;
		}
		robots_free(r);
	}
	REQUIRE(robots_new_allow_all(&r) == CW_OK);
	CHECK(robots_allows_all(r));
	robots_free(r);
	REQUIRE(robots_new_disallow_all(&r) == CW_OK);
	CHECK(!robots_allows_all(r));
	robots_free(r);
	CHECK(robots_allows_all(NULL));
}

struct dcase {
	const char *txt;
	const char *agent;
	uint32_t ms;
};

/* Crawl-delay: decimal seconds, first valid value, capped at 60 s. */
static void
test_crawl_delay(void)
{
	static const struct dcase t[] = {
	    {"User-agent: *\nCrawl-delay: 2\n", "crawld", 2000},
	    {"User-agent: *\nCrawl-delay: 0.5\n", "crawld", 500},
	    {"User-agent: *\nCrawl-delay: 1.25\n", "crawld", 1250},
	    {"User-agent: *\nCrawl-delay: .5\n", "crawld", 500},
	    {"User-agent: *\nCrawl-delay: 3.\n", "crawld", 3000},
	    {"User-agent: *\nCrawl-delay: 0.0005\n", "crawld", 0},
	    {"User-agent: *\nCrawl-delay: 1.99999\n", "crawld", 1999},
	    {"User-agent: *\nCrawl-delay: 60\n", "crawld", 60000},
	    {"User-agent: *\nCrawl-delay: 60.5\n", "crawld", 60000},
	    {"User-agent: *\nCrawl-delay: 3600\n", "crawld", 60000},
	    {"User-agent: *\nCrawl-delay: 99999999999999999999999\n", "crawld",
		60000},
	    {"User-agent: *\nCrawl-delay: 2 # polite\n", "crawld", 2000},
	    {"User-agent: *\nCRAWL-DELAY : 4\n", "crawld", 4000},
	    {"User-agent: *\ncrawldelay: 4\n", "crawld", 4000},
	    /* Not numbers. */
	    {"User-agent: *\nCrawl-delay: abc\n", "crawld", 0},
	    {"User-agent: *\nCrawl-delay: -1\n", "crawld", 0},
	    {"User-agent: *\nCrawl-delay: 5s\n", "crawld", 0},
	    {"User-agent: *\nCrawl-delay: .\n", "crawld", 0},
	    {"User-agent: *\nCrawl-delay: 1e3\n", "crawld", 0},
	    {"User-agent: *\nCrawl-delay:\n", "crawld", 0},
	    /* The first valid one wins. */
	    {"User-agent: *\nCrawl-delay: x\nCrawl-delay: 3\nCrawl-delay: 4\n",
		"crawld", 3000},
	    /* The group that applies decides. */
	    {"User-agent: *\nCrawl-delay: 9\nUser-agent: crawld\n"
	     "Crawl-delay: 1\nDisallow: /x\n",
		"crawld", 1000},
	    {"User-agent: *\nCrawl-delay: 9\nUser-agent: crawld\n"
	     "Crawl-delay: 1\nDisallow: /x\n",
		"other", 9000},
	    {"User-agent: *\nCrawl-delay: 9\n\nUser-agent: crawld\n"
	     "Disallow: /x\n",
		"crawld", 0},
	    {"User-agent: crawld\nDisallow: /a\nUser-agent: crawld\n"
	     "Crawl-delay: 7\n",
		"crawld", 7000},
	    /* Outside any group it is ignored. */
	    {"Crawl-delay: 5\nUser-agent: *\nDisallow: /x\n", "crawld", 0},
	    {"", "crawld", 0},
	};
	struct robots *r;
	size_t i;
	uint32_t got;

	for (i = 0; i < CW_NELEM(t); i++) {
		if (robots_parse(t[i].txt, strlen(t[i].txt), t[i].agent, &r) !=
		    CW_OK) {
			fprintf(stderr, "  delay[%zu]: parse failed\n", i);
			harness_failures++;
			continue;
		}
		got = robots_crawl_delay_ms(r);
		if (got != t[i].ms) {
			fprintf(stderr,
			    "  delay[%zu]: got %u ms, expected %u\n", i,
			    (unsigned)got, (unsigned)t[i].ms);
			harness_failures++;
		}
		robots_free(r);
	}
}

/* Bytes past ROBOTS_MAX_BYTES are ignored; the body needs no NUL. */
static void
test_max_bytes(void)
{
	static const char head[] = "User-agent: *\nDisallow: /early\n";
	static const char tail[] = "Disallow: /late\n";
	size_t len = ROBOTS_MAX_BYTES + 4096, i;
	struct robots *r;
	char *body;

	REQUIRE((body = malloc(len)) != NULL);
	memset(body, '#', len);
	memcpy(body, head, sizeof(head) - 1);
	/* Comment lines of filler; one early enough to count, one not. */
	for (i = 1024; i < len; i += 1024)
		body[i] = '\n';
	memcpy(body + 2048 + 1, "Disallow: /mid\n", 15);
	memcpy(body + ROBOTS_MAX_BYTES - 1024 + 1, tail, sizeof(tail) - 1);
	body[ROBOTS_MAX_BYTES + 1] = '\n';
	memcpy(body + ROBOTS_MAX_BYTES + 2, "Disallow: /beyond\n", 18);

	REQUIRE(robots_parse(body, len, "crawld", &r) == CW_OK);
	CHECK(robots_allowed(r, "/early") == 0);
	CHECK(robots_allowed(r, "/mid") == 0);
	CHECK(robots_allowed(r, "/late") == 0);
	CHECK(robots_allowed(r, "/beyond") == 1);
	robots_free(r);

	/* A line straddling the limit is cut there: "/cut" becomes "/c". */
	memcpy(body + ROBOTS_MAX_BYTES - 12, "Disallow: /cut", 14);
	body[ROBOTS_MAX_BYTES - 13] = '\n';
	REQUIRE(robots_parse(body, len, "crawld", &r) == CW_OK);
	CHECK(robots_allowed(r, "/cut") == 0);
	CHECK(robots_allowed(r, "/cx") == 0);
	CHECK(robots_allowed(r, "/b") == 1);
	robots_free(r);
	free(body);
}

/* Paths longer than the stack buffer are matched from the heap. */
static void
test_long_path(void)
{
	static const char txt[] = "User-agent: *\nDisallow: /a\nAllow: /*b$\n";
	size_t n = 20000;
	struct robots *r;
	char *path;

	REQUIRE((path = malloc(n + 2)) != NULL);
	path[0] = '/';
	memset(path + 1, 'a', n);
	path[n + 1] = '\0';
	REQUIRE(robots_parse(txt, sizeof(txt) - 1, "crawld", &r) == CW_OK);
	CHECK(robots_allowed(r, path) == 0);
	path[n] = 'b';
	CHECK(robots_allowed(r, path) == 1);
	/* Non-ASCII bytes triple in length when encoded. */
	memset(path + 1, 0xC3, n - 1);
	CHECK(robots_allowed(r, path) == 1);
	robots_free(r);
	free(path);
}

/*
 * Patterns that make backtracking matchers explode must stay fast: many
 * wildcards against a long path that almost matches. ctest's timeout is
 * the real check; the elapsed time is printed for the record.
 */
static void
test_pathological(void)
{
	size_t plen = 8000, nrules = 300, i, o = 0;
	char *txt, *path;
	struct robots *r;
	clock_t t0;
	int k;

	REQUIRE((txt = malloc(nrules * 64 + 64)) != NULL);
	REQUIRE((path = malloc(plen + 2)) != NULL);
	o += (size_t)sprintf(txt + o, "User-agent: *\n");
	for (i = 0; i < nrules; i++) {
		if (i % 3 == 0)
			o += (size_t)sprintf(txt + o,
			    "Disallow: /*a*a*a*a*a*a*a*a*a*a*a*b%zu\n", i);
		else if (i % 3 == 1)
			o += (size_t)sprintf(
			    txt + o, "Disallow: /*aaaaaaaaaaaaaaaaaaaab$\n");
		else
			o += (size_t)sprintf(
			    txt + o, "Disallow: *a*a*a*a*a*a*a*a*a*a*$\n");
	}
	path[0] = '/';
	memset(path + 1, 'a', plen);
	path[plen + 1] = '\0';
	REQUIRE(robots_parse(txt, o, "crawld", &r) == CW_OK);
	t0 = clock();
	/* "*a*...*$" matches: disallowed. */
	CHECK(robots_allowed(r, path) == 0);
	robots_free(r);

	/* Without the matching rule every pattern must fail, slowly. */
	o = (size_t)sprintf(txt, "User-agent: *\n");
	for (i = 0; i < nrules; i++)
		o += (size_t)sprintf(txt + o, "Disallow: /*%s*a*a*a*a*b$\n",
		    i % 2 ? "aaaaaaaaaaaaaaaa" : "a");
	REQUIRE(robots_parse(txt, o, "crawld", &r) == CW_OK);
	for (k = 0; k < 3; k++)
		CHECK(robots_allowed(r, path) == 1);
	robots_free(r);
	printf("     pathological: %.3f s cpu\n",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
	free(txt);
	free(path);
}

/* Product tokens compared as robots.txt matches them. */
static void
test_same_agent(void)
{
	CHECK(robots_same_agent("crawld/0.1", "crawld"));
	CHECK(robots_same_agent("Crawld/2.0 (+http://x)", "crawld/0.1"));
	CHECK(robots_same_agent("my_bot-x/1", "MY_BOT-X"));
	CHECK(!robots_same_agent("crawld/0.1", "crawler/0.1"));
	CHECK(!robots_same_agent("crawld/0.1", "crawldx/0.1"));
	CHECK(!robots_same_agent("crawld", "crawl"));
	CHECK(!robots_same_agent("alphabot/1", NULL));
	CHECK(robots_same_agent(NULL, ""));
}

static const struct test tests[] = {
    TEST(line_syntax),
    TEST(typos),
    TEST(groups),
    TEST(user_agent),
    TEST(longest_match),
    TEST(encoding),
    TEST(special_characters),
    TEST(index_html),
    TEST(documentation),
    TEST(line_endings),
    TEST(robots_txt_allowed),
    TEST(nul_bytes),
    TEST(constructors),
    TEST(allows_all),
    TEST(crawl_delay),
    TEST(max_bytes),
    TEST(long_path),
    TEST(pathological),
    TEST(same_agent),
};

TEST_MAIN(tests)
