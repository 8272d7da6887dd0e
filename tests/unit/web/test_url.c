/* SPDX-License-Identifier: MIT */
/*
 * test_url.c - url.c: RFC 3986 resolution examples, normalisation rules,
 * error codes, the part getters and scope keys. All tables: one row per
 * case, so a failure names the input.
 */
#include <curl/curl.h>
#include <string.h>

#include "crawld/web/url.h"
#include "harness.h"

struct resolve_case {
	const char *base; /* NULL: ref must be absolute */
	const char *ref;
	enum cw_rc rc;
	const char *want; /* NULL unless rc == CW_OK */
};

/* Run url_resolve over a table and check code and output of every row. */
static void
check_resolve_table(const struct resolve_case *t, size_t n)
{
	enum cw_rc rc;
	size_t i;
	char *out;

	for (i = 0; i < n; i++) {
		out = NULL;
		rc = url_resolve(t[i].base, t[i].ref, &out);
		if (rc != t[i].rc ||
		    (t[i].want != NULL &&
			(out == NULL || strcmp(out, t[i].want) != 0))) {
			fprintf(stderr, "  row %zu: [%s] + [%s]\n", i,
			    t[i].base ? t[i].base : "(null)", t[i].ref);
		}
		CHECK_INT(rc, t[i].rc);
		CHECK_STR(out, t[i].want);
		free(out);
	}
}

#define RFC_BASE "http://a/b/c/d;p?q"

/*
 * RFC 3986 section 5.4.1, "normal examples". Two deliberate differences
 * from the RFC's column: we drop fragments (they never reach the server,
 * so "g#s" is the same page as "g"), and only http(s) comes out, so "g:h"
 * is CW_ENOTSUP. "//g" gains the "/" every empty http path gets.
 */
static const struct resolve_case rfc_normal[] = {
    {RFC_BASE, "g:h", CW_ENOTSUP, NULL},
    {RFC_BASE, "g", CW_OK, "http://a/b/c/g"},
    {RFC_BASE, "./g", CW_OK, "http://a/b/c/g"},
    {RFC_BASE, "g/", CW_OK, "http://a/b/c/g/"},
    {RFC_BASE, "/g", CW_OK, "http://a/g"},
    {RFC_BASE, "//g", CW_OK, "http://g/"},
    {RFC_BASE, "?y", CW_OK, "http://a/b/c/d;p?y"},
    {RFC_BASE, "g?y", CW_OK, "http://a/b/c/g?y"},
    {RFC_BASE, "#s", CW_OK, "http://a/b/c/d;p?q"},
    {RFC_BASE, "g#s", CW_OK, "http://a/b/c/g"},
    {RFC_BASE, "g?y#s", CW_OK, "http://a/b/c/g?y"},
    {RFC_BASE, ";x", CW_OK, "http://a/b/c/;x"},
    {RFC_BASE, "g;x", CW_OK, "http://a/b/c/g;x"},
    {RFC_BASE, "g;x?y#s", CW_OK, "http://a/b/c/g;x?y"},
    {RFC_BASE, "", CW_OK, "http://a/b/c/d;p?q"},
    {RFC_BASE, ".", CW_OK, "http://a/b/c/"},
    {RFC_BASE, "./", CW_OK, "http://a/b/c/"},
    {RFC_BASE, "..", CW_OK, "http://a/b/"},
    {RFC_BASE, "../", CW_OK, "http://a/b/"},
    {RFC_BASE, "../g", CW_OK, "http://a/b/g"},
    {RFC_BASE, "../..", CW_OK, "http://a/"},
    {RFC_BASE, "../../", CW_OK, "http://a/"},
    {RFC_BASE, "../../g", CW_OK, "http://a/g"},
};

/*
 * RFC 3986 section 5.4.2, "abnormal examples". Fragments dropped as above.
 * "http:g" takes the RFC's "backward compatible" reading (a same-scheme
 * reference is relative), which is also what browsers do.
 */
static const struct resolve_case rfc_abnormal[] = {
    {RFC_BASE, "../../../g", CW_OK, "http://a/g"},
    {RFC_BASE, "../../../../g", CW_OK, "http://a/g"},
    {RFC_BASE, "/./g", CW_OK, "http://a/g"},
    {RFC_BASE, "/../g", CW_OK, "http://a/g"},
    {RFC_BASE, "g.", CW_OK, "http://a/b/c/g."},
    {RFC_BASE, ".g", CW_OK, "http://a/b/c/.g"},
    {RFC_BASE, "g..", CW_OK, "http://a/b/c/g.."},
    {RFC_BASE, "..g", CW_OK, "http://a/b/c/..g"},
    {RFC_BASE, "./../g", CW_OK, "http://a/b/g"},
    {RFC_BASE, "./g/.", CW_OK, "http://a/b/c/g/"},
    {RFC_BASE, "g/./h", CW_OK, "http://a/b/c/g/h"},
    {RFC_BASE, "g/../h", CW_OK, "http://a/b/c/h"},
    {RFC_BASE, "g;x=1/./y", CW_OK, "http://a/b/c/g;x=1/y"},
    {RFC_BASE, "g;x=1/../y", CW_OK, "http://a/b/c/y"},
    {RFC_BASE, "g?y/./x", CW_OK, "http://a/b/c/g?y/./x"},
    {RFC_BASE, "g?y/../x", CW_OK, "http://a/b/c/g?y/../x"},
    {RFC_BASE, "g#s/./x", CW_OK, "http://a/b/c/g"},
    {RFC_BASE, "g#s/../x", CW_OK, "http://a/b/c/g"},
    {RFC_BASE, "http:g", CW_OK, "http://a/b/c/g"},
};

/* The normalisation rules of url.h, one or two rows each. */
static const struct resolve_case norm_cases[] = {
    /* scheme and host case */
    {NULL, "HTTP://EXAMPLE.COM/A", CW_OK, "http://example.com/A"},
    {NULL, "HtTpS://Www.Example.Org", CW_OK, "https://www.example.org/"},
    /* default ports go, others stay */
    {NULL, "http://h:80/x", CW_OK, "http://h/x"},
    {NULL, "https://h:443/x", CW_OK, "https://h/x"},
    {NULL, "http://h:443/x", CW_OK, "http://h:443/x"},
    {NULL, "https://h:80/x", CW_OK, "https://h:80/x"},
    {NULL, "http://h:8080", CW_OK, "http://h:8080/"},
    {NULL, "http://h:/x", CW_OK, "http://h/x"},
    /* dot segments, including escaped ones */
    {NULL, "http://h/a/./b/../c", CW_OK, "http://h/a/c"},
    {NULL, "http://h/a/%2e%2E/c", CW_OK, "http://h/c"},
    {NULL, "http://h/../../x", CW_OK, "http://h/x"},
    /* fragment */
    {NULL, "http://h/p?q#frag", CW_OK, "http://h/p?q"},
    {NULL, "http://h/p#a#b", CW_OK, "http://h/p"},
    /* empty path and empty query */
    {NULL, "http://h", CW_OK, "http://h/"},
    {NULL, "http://h?", CW_OK, "http://h/"},
    {NULL, "http://h/p?", CW_OK, "http://h/p"},
    {NULL, "http://h/p?#f", CW_OK, "http://h/p"},
    /* spaces and non-ASCII: UTF-8, %20 also in the query (never '+') */
    {NULL, "http://h/a b?c d", CW_OK, "http://h/a%20b?c%20d"},
    {NULL, "http://h/caf\xc3\xa9", CW_OK, "http://h/caf%C3%A9"},
    {NULL, "http://h/?q=\xe2\x82\xac", CW_OK, "http://h/?q=%E2%82%AC"},
    {NULL, "http://h/a+b?c+d", CW_OK, "http://h/a+b?c+d"},
    /* escapes: unreserved decoded, reserved kept, hex upper-cased */
    {NULL, "http://h/%7euser", CW_OK, "http://h/~user"},
    {NULL, "http://h/%41%2d%5F%30", CW_OK, "http://h/A-_0"},
    {NULL, "http://h/a%2fb%2Fc", CW_OK, "http://h/a%2Fb%2Fc"},
    {NULL, "http://h/%aa?%3d%7E", CW_OK, "http://h/%AA?%3D~"},
    /* a stray '%' is encoded, so decoding can never make a new escape */
    {NULL, "http://h/100%", CW_OK, "http://h/100%25"},
    {NULL, "http://h/%zz%4", CW_OK, "http://h/%25zz%254"},
    {NULL, "http://h/%%341?%%7e", CW_OK, "http://h/%2541?%25~"},
    /* characters RFC 3986 does not allow raw */
    {NULL, "http://h/<a>\"`{}^", CW_OK, "http://h/%3Ca%3E%22%60%7B%7D%5E"},
    {NULL, "http://h/?a='\"", CW_OK, "http://h/?a=%27%22"},
    /* browser clean-up: trim C0+space, drop tab/CR/LF anywhere */
    {NULL, " \t\x01http://h/x \r\n", CW_OK, "http://h/x"},
    {NULL, "ht\ttp://ex\nample.com/a\r\nb", CW_OK, "http://example.com/ab"},
    {NULL, "http://h/a\tb", CW_OK, "http://h/ab"},
    /* backslashes before the query are slashes, as in browsers */
    {NULL, "http:\\\\h\\a\\b?c\\d", CW_OK, "http://h/a/b?c\\d"},
    /* userinfo is kept */
    {NULL, "http://User:Pw@H/", CW_OK, "http://User:Pw@h/"},
    {NULL, "http://u%7e@h/", CW_OK, "http://u~@h/"},
    /* browsers split userinfo at the last '@' */
    {NULL, "https://@a@b:c@h:800/", CW_OK, "https://%40a%40b:c@h:800/"},
    {NULL, "http://::@c@d:2", CW_OK, "http://:%3A%40c@d:2/"},
    {NULL, "http://@h/", CW_OK, "http://h/"},
    /* trailing dot kept (a distinct name for HTTP and TLS) */
    {NULL, "http://EXAMPLE.com./", CW_OK, "http://example.com./"},
    /* IDN: punycode, whatever the process locale */
    {NULL,
	"http://B\xc3\xbc"
	"cher.de/",
	CW_OK, "http://xn--bcher-kva.de/"},
    {NULL, "http://b%C3%BCcher.de/", CW_OK, "http://xn--bcher-kva.de/"},
    /* IP literals */
    {NULL, "http://[0:0::1]:80/", CW_OK, "http://[::1]/"},
    {NULL, "http://[2001:DB8::A]/", CW_OK, "http://[2001:db8::a]/"},
    {NULL, "http://0x7f.1/", CW_OK, "http://127.0.0.1/"},
    /* numeric only after decoding or IDN mapping: still an address */
    {NULL, "http://%30x7f.1/", CW_OK, "http://127.0.0.1/"},
    {NULL, "http://\xef\xbc\x91.2.3.4/", CW_OK, "http://1.2.3.4/"},
    {NULL, "http://1.2.3.4./", CW_OK, "http://1.2.3.4/"},
    {NULL, "http://09.1/", CW_OK, "http://09.1/"},
    /* a same-scheme-less "http:" reference with no base is absolute */
    {NULL, "http:g", CW_OK, "http://g/"},
    {NULL, "http:///h/x", CW_OK, "http://h/x"},
    {"https://a/x", "//b/y", CW_OK, "https://b/y"},
    {"https://a/x", "http:y", CW_OK, "http://y/"},
    /* the base is normalised too */
    {"HTTP://A:80/b/%7Ec/d#f", "e", CW_OK, "http://a/b/~c/e"},
    /* an absolute reference needs no usable base */
    {"not a url", "http://h/", CW_OK, "http://h/"},
    {"mailto:x@y", "https://h/", CW_OK, "https://h/"},
};

/* Schemes other than http/https are refused as unsupported. */
static const struct resolve_case notsup_cases[] = {
    {NULL, "mailto:someone@example.com", CW_ENOTSUP, NULL},
    {NULL, "javascript:alert(1)", CW_ENOTSUP, NULL},
    {NULL, "JavaScript:void(0)", CW_ENOTSUP, NULL},
    {NULL, "data:text/plain,hello", CW_ENOTSUP, NULL},
    {NULL, "ftp://ftp.example.com/f", CW_ENOTSUP, NULL},
    {NULL, "file:///etc/passwd", CW_ENOTSUP, NULL},
    {NULL, "tel:+123", CW_ENOTSUP, NULL},
    {NULL, "httpx://h/", CW_ENOTSUP, NULL},
    {RFC_BASE, "mailto:x", CW_ENOTSUP, NULL},
    {RFC_BASE, " javascript:x", CW_ENOTSUP, NULL},
    /* a relative reference against a non-http base */
    {"ftp://h/a/", "b", CW_ENOTSUP, NULL},
};

/* References that cannot be parsed. */
static const struct resolve_case parse_cases[] = {
    {NULL, "", CW_EPARSE, NULL},
    {NULL, "g", CW_EPARSE, NULL},
    {NULL, "/just/a/path", CW_EPARSE, NULL},
    {NULL, "#frag", CW_EPARSE, NULL},
    {NULL, "http://", CW_EPARSE, NULL},
    {NULL, "http:", CW_EPARSE, NULL},
    {NULL, "http://a b/", CW_EPARSE, NULL},
    {NULL, "http://h:99999/", CW_EPARSE, NULL},
    {NULL, "http://h:8x/", CW_EPARSE, NULL},
    {NULL, "http://[::1/", CW_EPARSE, NULL},
    {NULL, "http://a%2Fb/", CW_EPARSE, NULL},
    {NULL, "http://a<b/", CW_EPARSE, NULL},
    {NULL, "http://[fe80::1%25eth0]/", CW_EPARSE, NULL},
    {NULL, "https://\xc2\xad/", CW_EPARSE, NULL},
    {NULL, "http://\xff\xfe/", CW_EPARSE, NULL},
    /* IDNA maps U+FF06 to '&', which no host may hold */
    {NULL, "http://a.co\xef\xbc\x86g/", CW_EPARSE, NULL},
    {"garbage", "g", CW_EPARSE, NULL},
    {"/relative/base", "g", CW_EPARSE, NULL},
};

/* Every example of RFC 3986 5.4.1. */
static void
test_rfc3986_normal(void)
{
	check_resolve_table(rfc_normal, CW_NELEM(rfc_normal));
}

/* Every example of RFC 3986 5.4.2. */
static void
test_rfc3986_abnormal(void)
{
	check_resolve_table(rfc_abnormal, CW_NELEM(rfc_abnormal));
}

/* The normalisation rules. */
static void
test_normalise_rules(void)
{
	check_resolve_table(norm_cases, CW_NELEM(norm_cases));
}

/* Non-http schemes. */
static void
test_notsup(void)
{
	check_resolve_table(notsup_cases, CW_NELEM(notsup_cases));
}

/* Garbage. */
static void
test_parse_errors(void)
{
	check_resolve_table(parse_cases, CW_NELEM(parse_cases));
}

/* Every normalised output of the tables normalises to itself. */
static void
test_idempotent(void)
{
	const struct resolve_case *tabs[] = {
	    rfc_normal, rfc_abnormal, norm_cases};
	const size_t ns[] = {
	    CW_NELEM(rfc_normal), CW_NELEM(rfc_abnormal), CW_NELEM(norm_cases)};
	size_t t, i;
	char *again;

	for (t = 0; t < CW_NELEM(tabs); t++) {
		for (i = 0; i < ns[t]; i++) {
			if (tabs[t][i].want == NULL)
				continue;
			again = NULL;
			CHECK_INT(
			    url_normalise(tabs[t][i].want, &again), CW_OK);
			CHECK_STR(again, tabs[t][i].want);
			free(again);
		}
	}
}

/* Build "http://h/" followed by n 'a's (caller frees). */
static char *
long_url(size_t n)
{
	char *s;

	s = malloc(n + 10);
	if (s == NULL)
		abort();
	memcpy(s, "http://h/", 9);
	memset(s + 9, 'a', n);
	s[9 + n] = '\0';
	return s;
}

/* Outputs longer than URL_MAX_LEN_DEFAULT fail with CW_ELIMIT. */
static void
test_too_long(void)
{
	char *u, *out = NULL, *data;
	size_t i;

	/* exactly at the limit is fine */
	u = long_url(URL_MAX_LEN_DEFAULT - 9);
	CHECK_INT(url_normalise(u, &out), CW_OK);
	CHECK(out != NULL && strlen(out) == URL_MAX_LEN_DEFAULT);
	free(out);
	free(u);
	/* one more is not */
	u = long_url(URL_MAX_LEN_DEFAULT - 8);
	out = NULL;
	CHECK_INT(url_normalise(u, &out), CW_ELIMIT);
	CHECK(out == NULL);
	free(u);
	/* short input that grows past the limit when encoded */
	u = long_url(URL_MAX_LEN_DEFAULT / 2);
	for (i = 9; u[i] != '\0'; i++)
		u[i] = '"';
	CHECK_INT(url_normalise(u, &out), CW_ELIMIT);
	free(u);
	/* a huge input is refused before any work */
	u = long_url(100000);
	CHECK_INT(url_normalise(u, &out), CW_ELIMIT);
	/* ... unless its scheme already rules it out */
	data = malloc(100010);
	REQUIRE(data != NULL);
	memcpy(data, "data:", 5);
	memset(data + 5, 'A', 100000);
	data[100005] = '\0';
	CHECK_INT(url_normalise(data, &out), CW_ENOTSUP);
	free(data);
	free(u);
}

struct parts_case {
	const char *url;
	const char *host;
	const char *origin;
	const char *pq;
};

/* url_host, url_origin and url_path_query on normalised URLs. */
static void
test_parts(void)
{
	static const struct parts_case t[] = {
	    {"http://example.com/", "example.com", "http://example.com", "/"},
	    {"https://a.b.example.com/x/y?z=1", "a.b.example.com",
		"https://a.b.example.com", "/x/y?z=1"},
	    {"http://h:8080/p", "h", "http://h:8080", "/p"},
	    {"https://h:80/p?", "h", "https://h:80", "/p"},
	    {"http://h:80/p", "h", "http://h", "/p"},
	    {"http://u:pw@h/p", "h", "http://h", "/p"},
	    {"http://[::1]:8080/a", "::1", "http://[::1]:8080", "/a"},
	    {"http://127.0.0.1/?a=b&c", "127.0.0.1", "http://127.0.0.1",
		"/?a=b&c"},
	    {"http://xn--bcher-kva.de/%C3%A9", "xn--bcher-kva.de",
		"http://xn--bcher-kva.de", "/%C3%A9"},
	    {"HTTP://EXAMPLE.COM", "example.com", "http://example.com", "/"},
	};
	char *s;
	size_t i;

	for (i = 0; i < CW_NELEM(t); i++) {
		s = NULL;
		CHECK_INT(url_host(t[i].url, &s), CW_OK);
		CHECK_STR(s, t[i].host);
		free(s);
		s = NULL;
		CHECK_INT(url_origin(t[i].url, &s), CW_OK);
		CHECK_STR(s, t[i].origin);
		free(s);
		s = NULL;
		CHECK_INT(url_path_query(t[i].url, &s), CW_OK);
		CHECK_STR(s, t[i].pq);
		free(s);
	}
	s = NULL;
	CHECK_INT(url_host("ftp://h/", &s), CW_ENOTSUP);
	CHECK(s == NULL);
	CHECK_INT(url_origin("not a url", &s), CW_EPARSE);
	CHECK(s == NULL);
	CHECK_INT(url_path_query("/relative", &s), CW_EPARSE);
	CHECK(s == NULL);
}

/* url_scope_parse accepts the three names and nothing else. */
static void
test_scope_parse(void)
{
	enum url_scope sc = URL_SCOPE_ANY;

	CHECK_INT(url_scope_parse("host", &sc), CW_OK);
	CHECK_INT(sc, URL_SCOPE_HOST);
	CHECK_INT(url_scope_parse("domain", &sc), CW_OK);
	CHECK_INT(sc, URL_SCOPE_DOMAIN);
	CHECK_INT(url_scope_parse("any", &sc), CW_OK);
	CHECK_INT(sc, URL_SCOPE_ANY);
	CHECK_INT(url_scope_parse("", &sc), CW_EINVAL);
	CHECK_INT(url_scope_parse("Host", &sc), CW_EINVAL);
	CHECK_INT(url_scope_parse("hosts", &sc), CW_EINVAL);
	CHECK_INT(url_scope_parse(NULL, &sc), CW_EINVAL);
	CHECK_INT(sc, URL_SCOPE_ANY);
}

struct key_case {
	enum url_scope scope;
	const char *host;
	const char *key;
};

/* Scope keys, the registrable domain from the public suffix list. */
static void
test_scope_key(void)
{
	static const struct key_case t[] = {
	    {URL_SCOPE_HOST, "www.example.co.uk", "www.example.co.uk"},
	    {URL_SCOPE_HOST, "example.com.", "example.com"},
	    {URL_SCOPE_DOMAIN, "www.example.co.uk", "example.co.uk"},
	    {URL_SCOPE_DOMAIN, "a.b.example.co.uk", "example.co.uk"},
	    {URL_SCOPE_DOMAIN, "example.co.uk", "example.co.uk"},
	    {URL_SCOPE_DOMAIN, "www.example.com", "example.com"},
	    {URL_SCOPE_DOMAIN, "www.example.com.", "example.com"},
	    {URL_SCOPE_DOMAIN, "foo.github.io", "foo.github.io"},
	    {URL_SCOPE_DOMAIN, "a.foo.github.io", "foo.github.io"},
	    {URL_SCOPE_DOMAIN, "co.uk", "co.uk"},
	    {URL_SCOPE_DOMAIN, "localhost", "localhost"},
	    {URL_SCOPE_DOMAIN, "192.168.1.20", "192.168.1.20"},
	    {URL_SCOPE_DOMAIN, "127.0.0.1", "127.0.0.1"},
	    {URL_SCOPE_DOMAIN, "::1", "::1"},
	    {URL_SCOPE_DOMAIN, "xn--bcher-kva.de", "xn--bcher-kva.de"},
	    {URL_SCOPE_DOMAIN, "www.xn--bcher-kva.de", "xn--bcher-kva.de"},
	    {URL_SCOPE_ANY, "www.example.com", ""},
	    {URL_SCOPE_ANY, "127.0.0.1", ""},
	};
	char *k;
	size_t i;

	for (i = 0; i < CW_NELEM(t); i++) {
		k = NULL;
		CHECK_INT(url_scope_key(t[i].scope, t[i].host, &k), CW_OK);
		CHECK_STR(k, t[i].key);
		free(k);
	}
	k = NULL;
	CHECK_INT(url_scope_key(URL_SCOPE_HOST, NULL, &k), CW_EINVAL);
	CHECK(k == NULL);
}

/* The scope key of a resolved link matches its seed's, end to end. */
static void
test_scope_end_to_end(void)
{
	char *u = NULL, *h = NULL, *k = NULL;

	REQUIRE(url_resolve("https://www.example.co.uk/a/",
		    "//shop."
		    "EXAMPLE.co.uk:443/x",
		    &u) == CW_OK);
	CHECK_STR(u, "https://shop.example.co.uk/x");
	CHECK_INT(url_host(u, &h), CW_OK);
	CHECK_INT(url_scope_key(URL_SCOPE_DOMAIN, h, &k), CW_OK);
	CHECK_STR(k, "example.co.uk");
	free(u);
	free(h);
	free(k);
}

/*
 * The test is linked with -Wl,--wrap=curl_url (CMakeLists.txt): url.c's
 * calls of curl_url() come here and are counted. The full path builds
 * every successful result with a CURLU handle; the fast path never makes
 * one. So a url_resolve() that succeeds without a curl_url() call took
 * the fast path. (The names are the linker's, hence the underscores.)
 */
CURLU *__real_curl_url(void);
CURLU *__wrap_curl_url(void);
static unsigned long curl_url_calls;

CURLU *
__wrap_curl_url(void)
{
	curl_url_calls++;
	return __real_curl_url();
}

/* url_resolve(), and whether it took the fast path. */
static enum cw_rc
resolve_counted(const char *base, const char *ref, char **out, int *fast)
{
	unsigned long before = curl_url_calls;
	enum cw_rc rc = url_resolve(base, ref, out);

	*fast = rc == CW_OK && curl_url_calls == before;
	return rc;
}

/*
 * The fast path of url_resolve() against the full one: for every base and
 * reference below, and for 300,000 random ones built from the characters
 * that matter, both must give the same code and the same URL. Counts how
 * many really took the fast path (no CURLU made), so a fast path that
 * never runs fails too.
 */
static int
same_result(const char *base, const char *ref, int *fast)
{
	char *a = NULL, *b = NULL;
	int was_fast;
	enum cw_rc ra = resolve_counted(base, ref, &a, &was_fast);
	enum cw_rc rb = url_resolve_slow(base, ref, &b);
	int same = ra == rb &&
	    ((a == NULL && b == NULL) ||
		(a != NULL && b != NULL && strcmp(a, b) == 0));

	if (!same)
		fprintf(stderr, "  base=%s ref=%s: fast=%d %s slow=%d %s\n",
		    base ? base : "(null)", ref, ra, a ? a : "-", rb,
		    b ? b : "-");
	*fast += same && was_fast;
	free(a);
	free(b);
	return same;
}

static void
test_fast_path_matches_full(void)
{
	static const char *const bases[] = {"http://a.test/",
	    "http://a.test/b/c", "http://a.test/b/c/", "http://a.test/b/c?q=1",
	    "https://x.y.z:8443/p", "http://127.0.0.1:18470/s01/d02/p.html",
	    "http://10.0.0.1/", "http://a.test:80/x", "https://a.test:443/x",
	    "http://A.test/x", "http://0x7f.1/", "http://1.2.3/",
	    "http://01.2.3.4/", "http://a.test/./b", "http://a.test/b/../c",
	    "http://a.test/%7e", "http://a.test", "http://a.test/b?",
	    "http://u@a.test/", "http://a.test:0080/", "http://a.test/b#f",
	    "http://xn--bcher-kva.de/", "http://a.test./x", "http://a_b.test/",
	    "http://123/", "http://[::1]/", "http://a.test/b c",
	    "http://a.test:/x", "http://-a.test/"};
	static const char *const refs[] = {"", "g", "g/", "/g", "?y", "g?y",
	    "#s", "g#s", "g?y#s", ".", "./", "..", "../", "../g", "./g", "g/.",
	    "g/..", ".g", "g.", "..g", "g..", "/./g", "/../g", "g;x=1/./y",
	    "//g", "http:g", "http://b.test/x", "mailto:x", "?", "g?", "%41",
	    "a%2fb", "g h", " g", "g\t", "~u", "a+b=c&d", "a@b", "a:b",
	    "(x)*!$", "'q'", "?a?b/c", "é", "A/B/C", "/p/0", "7#s1",
	    "p000523.html?print=1", "a//b", "//", "?print=1",
	    "/index.html?ref=footer", "../../../../x"};
	const char alphabet[] = "ab/./?#%:@~-_+A9 .";
	char ref[16];
	int fast = 0, bad = 0, i, k, n;
	size_t b, r;
	unsigned seed = 12345;

	for (b = 0; b < CW_NELEM(bases); b++)
		for (r = 0; r < CW_NELEM(refs); r++)
			bad += !same_result(bases[b], refs[r], &fast);
	for (i = 0; i < 300000; i++) {
		seed = seed * 1103515245 + 12345;
		n = (int)((seed >> 16) % 12);
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			ref[k] =
			    alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		ref[n] = '\0';
		bad += !same_result(
		    bases[(seed >> 8) % CW_NELEM(bases)], ref, &fast);
	}
	/* Absolute references: the already-normal ones take the fast path
	   (they are themselves), the others must still agree. */
	for (i = 0; i < 100000; i++) {
		char abs[48];

		seed = seed * 1103515245 + 12345;
		n = (int)((seed >> 16) % 12);
		snprintf(abs, sizeof(abs), "%s/",
		    (seed >> 8) % 3 == 0       ? "http://a.test"
			: (seed >> 8) % 3 == 1 ? "https://127.0.0.1:18470"
					       : "http://A.test:80");
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			abs[strlen(abs) + 1] = '\0';
			abs[strlen(abs)] =
			    alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		bad += !same_result(
		    bases[(seed >> 8) % CW_NELEM(bases)], abs, &fast);
	}
	CHECK_INT(bad, 0);
	CHECK(fast > 1000);
}

/* The references of ordinary pages do take the fast path, and the slow
   one really is the slow one. */
static void
test_fast_path_taken(void)
{
	static const char *const refs[] = {"g", "/g", "?y", "g?y", "",
	    "p000523.html?print=1", "/index.html?ref=footer", "a/b/c.html",
	    "g#s"};
	unsigned long before;
	char *out = NULL;
	int fast;
	size_t i;

	for (i = 0; i < CW_NELEM(refs); i++) {
		CHECK(resolve_counted(
			  "http://a.test/b/c", refs[i], &out, &fast) == CW_OK);
		if (!fast) {
			fprintf(stderr, "  %s: not the fast path\n", refs[i]);
			harness_failures++;
		}
		free(out);
	}
	before = curl_url_calls;
	CHECK(url_resolve_slow("http://a.test/b/c", "g", &out) == CW_OK);
	CHECK_STR(out, "http://a.test/b/g");
	CHECK(curl_url_calls > before);
	free(out);
}

/*
 * The fast path takes what real pages are made of: relative references
 * with dot segments ("../../s00/p.html", the usual form of a generated
 * or hand-written site), and absolute URLs that are already normal; it
 * leaves alone what only the full path gets right.
 */
static void
test_fast_path_applies(void)
{
	static const struct {
		const char *base, *ref, *want; /* want NULL: the full path */
	} cases[] = {
	    {"http://a.test/b/c/d", "../g", "http://a.test/b/g"},
	    {"http://a.test/b/c/d", "../../g", "http://a.test/g"},
	    {"http://a.test/b/c/d", "../../../../g", "http://a.test/g"},
	    {"http://a.test/b/c/d", "./g", "http://a.test/b/c/g"},
	    {"http://a.test/b/c/d", ".", "http://a.test/b/c/"},
	    {"http://a.test/b/c/d", "..", "http://a.test/b/"},
	    {"http://a.test/b/c/d", "g/../h", "http://a.test/b/c/h"},
	    {"http://a.test/b/c/d", "g/.", "http://a.test/b/c/g/"},
	    {"http://a.test/b/c/d", "/x/./y/../z?q=./..",
		"http://a.test/x/z?q=./.."},
	    {"http://127.0.0.1:18470/s01/d02/t03/p000123.html",
		"../../../s00/d01/index.html#sec3",
		"http://127.0.0.1:18470/s00/d01/index.html"},
	    {"http://a.test/b", "http://127.0.0.1:18470/s00/index.html#x",
		"http://127.0.0.1:18470/s00/index.html"},
	    {"http://a.test/b", "https://b.test/p?x=1", "https://b.test/p?x=1"},
	    {"http://a.test/b/c/", "./?a", NULL},   /* curl's own answer */
	    {"http://a.test/b/c/", "g/..?a", NULL}, /* the same */
	    {"http://a.test/b", "HTTP://b.test/", NULL},
	    {"http://a.test/b", "http://b.test:80/", NULL},
	    {"http://a.test/b", "http://b.test/./x", NULL},
	    {"http://a.test/b", "http://b.test", NULL},
	    {"http://a.test/b", "//b.test/x", NULL},
	    {"http://a.test/b", "a//b", NULL},
	};
	char *out, *slow;
	size_t i;
	int fast;

	for (i = 0; i < CW_NELEM(cases); i++) {
		CHECK_INT(
		    resolve_counted(cases[i].base, cases[i].ref, &out, &fast),
		    CW_OK);
		CHECK_INT(url_resolve_slow(cases[i].base, cases[i].ref, &slow),
		    CW_OK);
		CHECK_STR(out, slow);
		if (fast != (cases[i].want != NULL)) {
			fprintf(stderr, "  %s: %s the fast path\n",
			    cases[i].ref, fast ? "took" : "missed");
			harness_failures++;
		}
		if (cases[i].want != NULL)
			CHECK_STR(out, cases[i].want);
		free(out);
		free(slow);
	}
}

static const struct test tests[] = {
    TEST(fast_path_matches_full),
    TEST(fast_path_taken),
    TEST(fast_path_applies),
    TEST(rfc3986_normal),
    TEST(rfc3986_abnormal),
    TEST(normalise_rules),
    TEST(notsup),
    TEST(parse_errors),
    TEST(idempotent),
    TEST(too_long),
    TEST(parts),
    TEST(scope_parse),
    TEST(scope_key),
    TEST(scope_end_to_end),
};

TEST_MAIN(tests)
