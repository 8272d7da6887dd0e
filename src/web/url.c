/* SPDX-License-Identifier: MIT */
/*
 * url.c - URL resolution, normalisation and scope keys on libcurl's CURLU.
 *
 * A reference goes through three steps. First url_clean() does what curl
 * will not: it trims and strips tabs/newlines the way browsers do, drops
 * the fragment, refuses schemes other than http/https, turns backslashes
 * before the query into slashes, and rewrites the path and query into one
 * canonical escaping (unreserved escapes decoded, other escapes in upper
 * case, spaces, controls and non-ASCII bytes encoded). Then a CURLU handle
 * resolves the cleaned reference against the cleaned base (RFC 3986
 * section 5) and removes dot segments. Last, url_build() assembles the
 * result from the parts: lower-case host (punycode for IDN), no default
 * port, no empty query. Doing the escaping before curl sees the path means
 * "%2E%2E" segments are removed like ".." ones, so the output is a fixed
 * point of the whole process.
 *
 * Owns only two process-wide objects made once under pthread_once: the
 * public suffix list and a C.UTF-8 locale used around curl's IDN call.
 * Every function is pure and safe on any thread.
 */
#include <locale.h>
#include <pthread.h>
#include <string.h>

#include <curl/curl.h>
#include <libpsl.h>

#include "crawld/base/buf.h"
#include "crawld/web/url.h"

/*
 * Raw references longer than this are refused before any work: even after
 * dot-segment removal they almost never fit URL_MAX_LEN_DEFAULT, and a
 * data: URI of a megabyte must not cost a megabyte of escaping.
 */
#define URL_MAX_INPUT_LEN (8 * URL_MAX_LEN_DEFAULT)

/* Where a byte must be percent-encoded (WHATWG encode sets, roughly). */
#define URL_ENC_PATH 0x01
#define URL_ENC_QUERY 0x02
#define URL_ENC_USER 0x04
#define URL_ENC_USERINFO 0x08 /* user ":" password, before curl splits it */

/* A reference after url_clean(). */
struct url_ref {
	struct buf text; /* owned; the cleaned reference */
	int absolute;	 /* starts with "http://" or "https://" */
	char scheme[8];	 /* "http", "https" or "" when relative */
};

static pthread_once_t url_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *url_psl; /* owned for the process lifetime */
static locale_t url_utf8_locale; /* owned for the process lifetime */

/* Load the public suffix list and the UTF-8 locale, once per process. */
static void
url_init_once(void)
{
	psl_ctx_t *p;

	/* Debian's list is newer than the one built into libpsl. */
	p = psl_latest(NULL);
	url_psl = p != NULL ? p : psl_builtin();
	/* glibc >= 2.35 has C.UTF-8 built in; without it IDN stays encoded. */
	url_utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Whether c is an ASCII letter. */
static int
url_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether c is an ASCII digit. */
static int
url_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

/* ASCII lower-case, independent of the locale. */
static int
url_tolower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Value of a hex digit, or -1. */
static int
url_hexval(int c)
{
	if (url_isdigit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 unreserved: the only escapes that may be decoded (6.2.2.2). */
static int
url_isunreserved(int c)
{
	return url_isalpha(c) || url_isdigit(c) || c == '-' || c == '.' ||
	    c == '_' || c == '~';
}

/* Whether byte c must be written as %XX in a component of kind set. */
static int
url_must_encode(unsigned char c, int set)
{
	if (c <= 0x20 || c >= 0x7f)
		return 1;
	switch (c) {
	case '"':
	case '<':
	case '>':
		return 1;
	case '`':
	case '{':
	case '}':
	case '^':
		return (set &
			   (URL_ENC_PATH | URL_ENC_USER | URL_ENC_USERINFO)) !=
		    0;
	case '\'':
		return (set & URL_ENC_QUERY) != 0;
	case ':':
		return (set & URL_ENC_USER) != 0;
	case '/':
	case ';':
	case '=':
	case '@':
	case '[':
	case '\\':
	case ']':
	case '|':
		return (set & (URL_ENC_USER | URL_ENC_USERINFO)) != 0;
	default:
		return 0;
	}
}

/* Append "%XX" for byte c, upper-case hex as RFC 3986 6.2.2.1 prefers. */
static enum cw_rc
url_put_escape(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	e[0] = '%';
	e[1] = hex[c >> 4];
	e[2] = hex[c & 0x0f];
	return buf_append(b, e, sizeof(e));
}

/*
 * Append s[0..n) with canonical escaping: escapes of unreserved characters
 * decoded, other escapes upper-cased, bytes of the encode set encoded. A
 * '%' not followed by two hex digits becomes "%25": browsers keep it, but
 * then decoding could make a new escape ("%%341" -> "%41" -> "A") and the
 * output would not be a fixed point.
 */
static enum cw_rc
url_put_escaped(struct buf *b, const char *s, size_t n, int set)
{
	enum cw_rc rc = CW_OK;
	unsigned char c;
	size_t i;
	int hi, lo;

	for (i = 0; i < n && rc == CW_OK; i++) {
		c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n) {
			hi = url_hexval((unsigned char)s[i + 1]);
			lo = url_hexval((unsigned char)s[i + 2]);
			if (hi >= 0 && lo >= 0) {
				c = (unsigned char)(hi << 4 | lo);
				i += 2;
				if (url_isunreserved(c))
					rc = buf_append(b, &c, 1);
				else
					rc = url_put_escape(b, c);
				continue;
			}
		}
		if (c == '%' || url_must_encode(c, set))
			rc = url_put_escape(b, c);
		else
			rc = buf_append(b, &c, 1);
	}
	return rc;
}

/*
 * Copy raw into out with leading/trailing C0 controls and spaces trimmed,
 * tab/CR/LF removed and the fragment cut off (browser behaviour; the
 * fragment never reaches the server). On CW_ELIMIT out holds the start.
 */
static enum cw_rc
url_strip(const char *raw, struct buf *out)
{
	const unsigned char *p, *e;
	enum cw_rc rc = CW_OK;

	p = (const unsigned char *)raw;
	e = p + strlen(raw);
	while (p < e && *p <= 0x20)
		p++;
	while (e > p && e[-1] <= 0x20)
		e--;
	for (; p < e && *p != '#' && rc == CW_OK; p++) {
		if (*p == '\t' || *p == '\r' || *p == '\n')
			continue;
		rc = buf_append(out, p, 1);
	}
	if (rc == CW_OK)
		rc = buf_append(out, "", 0); /* data is never NULL */
	return rc;
}

/*
 * Length of the RFC 3986 scheme at the start of s (without the ':'), or 0
 * when s does not start with one and is therefore a relative reference.
 */
static size_t
url_scheme_len(const char *s)
{
	size_t i;

	if (!url_isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; url_isalpha((unsigned char)s[i]) ||
	     url_isdigit((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
	     s[i] == '.';
	     i++)
		;
	return s[i] == ':' ? i : 0;
}

/*
 * Clean one reference into ref (see the file comment). base_scheme is the
 * scheme of the base, or NULL: as in browsers, "http:foo" is relative when
 * the base is http too. Returns CW_ENOTSUP for other schemes, CW_ELIMIT for
 * an absurdly long input.
 */
static enum cw_rc
url_clean(const char *raw, const char *base_scheme, struct url_ref *ref)
{
	struct buf tmp;
	enum cw_rc rc;
	size_t slen, i, q, auth, at;
	int toolong;
	char *s;

	buf_init(&tmp, URL_MAX_INPUT_LEN);
	buf_init(&ref->text, URL_MAX_INPUT_LEN * 3 + 16);
	ref->absolute = 0;
	ref->scheme[0] = '\0';
	rc = url_strip(raw, &tmp);
	toolong = rc == CW_ELIMIT;
	if (rc != CW_OK && !toolong)
		goto out;
	rc = CW_OK;
	s = tmp.data;
	slen = url_scheme_len(s);
	if (slen > 0) {
		if (slen > 5)
			slen = 0; /* longer than "https": unsupported */
		for (i = 0; i < slen; i++)
			ref->scheme[i] = (char)url_tolower((unsigned char)s[i]);
		ref->scheme[slen] = '\0';
		if (strcmp(ref->scheme, "http") != 0 &&
		    strcmp(ref->scheme, "https") != 0) {
			rc = CW_ENOTSUP;
			goto out;
		}
		s += slen + 1;
	}
	/* Only now: a huge data: URI is "unsupported", not "too long". */
	if (toolong) {
		rc = CW_ELIMIT;
		goto out;
	}
	/* Special schemes treat '\' as '/' before the query, as browsers do. */
	q = strcspn(s, "?");
	for (i = 0; i < q; i++)
		if (s[i] == '\\')
			s[i] = '/';
	if (ref->scheme[0] != '\0' && base_scheme != NULL &&
	    strcmp(ref->scheme, base_scheme) == 0 && strncmp(s, "//", 2) != 0)
		ref->scheme[0] = '\0'; /* "http:g": relative to the base */
	if (ref->scheme[0] != '\0' || strncmp(s, "//", 2) == 0) {
		/* Any number of slashes introduces the authority. */
		while (*s == '/')
			s++;
		ref->absolute = ref->scheme[0] != '\0';
		if (ref->absolute)
			rc = buf_append_str(&ref->text, ref->scheme);
		if (rc == CW_OK)
			rc = buf_append_str(
			    &ref->text, ref->absolute ? "://" : "//");
		auth = strcspn(s, "/?");
		/*
		 * Browsers split userinfo at the last '@'; curl would refuse
		 * the earlier ones, so encode them (and other bytes a
		 * userinfo may not hold) first.
		 */
		for (at = auth; at > 0 && s[at - 1] != '@'; at--)
			;
		if (rc == CW_OK && at > 0) {
			rc = url_put_escaped(
			    &ref->text, s, at - 1, URL_ENC_USERINFO);
			if (rc == CW_OK)
				rc = buf_append(&ref->text, "@", 1);
		}
		if (rc == CW_OK)
			rc = buf_append(&ref->text, s + at, auth - at);
		s += auth;
	}
	q = strcspn(s, "?");
	if (rc == CW_OK)
		rc = url_put_escaped(&ref->text, s, q, URL_ENC_PATH);
	if (rc == CW_OK && s[q] == '?')
		rc = url_put_escaped(
		    &ref->text, s + q, strlen(s + q), URL_ENC_QUERY);
	if (rc == CW_OK)
		rc = buf_append(&ref->text, "", 0);
out:
	buf_cleanup(&tmp);
	return rc;
}

/* Map a CURLU error to ours. */
static enum cw_rc
url_curl_rc(CURLUcode uc)
{
	switch (uc) {
	case CURLUE_OK:
		return CW_OK;
	case CURLUE_OUT_OF_MEMORY:
		return CW_ENOMEM;
	case CURLUE_UNSUPPORTED_SCHEME:
		return CW_ENOTSUP;
	default:
		return CW_EPARSE;
	}
}

/*
 * Get one part; a missing optional part is not an error: *val stays NULL.
 * *val is curl-allocated (curl_free).
 */
static enum cw_rc
url_get_part(CURLU *h, CURLUPart part, unsigned int flags, char **val)
{
	CURLUcode uc;

	*val = NULL;
	uc = curl_url_get(h, part, val, flags);
	switch (uc) {
	case CURLUE_NO_USER:
	case CURLUE_NO_PASSWORD:
	case CURLUE_NO_PORT:
	case CURLUE_NO_QUERY:
		return CW_OK;
	default:
		return url_curl_rc(uc);
	}
}

/* Whether the host contains a byte outside ASCII. */
static int
url_has_nonascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* Whether s is a dotted quad as curl writes IPv4: "1.2.3.4", no zeros. */
static int
url_is_dotted_quad(const char *s)
{
	int parts = 0, digits = 0;

	for (;; s++) {
		if (url_isdigit((unsigned char)*s)) {
			if (digits == 1 && s[-1] == '0')
				return 0; /* a leading zero: octal */
			if (++digits > 3)
				return 0;
			continue;
		}
		if (digits == 0 || (*s != '.' && *s != '\0'))
			return 0;
		parts++;
		digits = 0;
		if (*s == '\0')
			return parts == 4;
	}
}

/*
 * Give an IPv4 address in another notation ("0x7f.1", "1.2.3.4.") its
 * dotted-quad form. curl only does that while parsing a whole URL, so a
 * host that became numeric late (after curl decoded "%30x7f.1" or mapped
 * full-width digits) would change again on the next pass. Re-parse such
 * hosts once; *host is replaced only when the result is an address.
 */
static enum cw_rc
url_fix_ipv4(char **host)
{
	enum cw_rc rc = CW_OK;
	CURLU *h = NULL;
	struct buf b;
	size_t n;
	const char *p;
	char *ip = NULL;

	buf_init(&b, URL_MAX_LEN_DEFAULT);
	for (p = *host; *p != '\0'; p++)
		if (!url_isdigit((unsigned char)*p) &&
		    (url_hexval((unsigned char)*p) < 0 && *p != 'x' &&
			*p != '.'))
			goto out; /* a name, the common case */
	if (url_is_dotted_quad(*host))
		goto out;
	n = strlen(*host);
	if (n > 1 && (*host)[n - 1] == '.')
		n--;
	rc = buf_append_str(&b, "http://");
	if (rc == CW_OK)
		rc = buf_append(&b, *host, n);
	if (rc == CW_OK)
		rc = buf_append_str(&b, "/");
	if (rc == CW_ELIMIT) {
		rc = CW_OK;
		goto out;
	}
	if (rc != CW_OK)
		goto out;
	h = curl_url();
	if (h == NULL) {
		rc = CW_ENOMEM;
		goto out;
	}
	if (curl_url_set(h, CURLUPART_URL, b.data, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &ip, 0) != CURLUE_OK)
		goto out;
	if (url_is_dotted_quad(ip)) {
		curl_free(*host);
		*host = ip;
		ip = NULL;
	}
out:
	curl_free(ip);
	curl_url_cleanup(h);
	buf_cleanup(&b);
	return rc;
}

/*
 * The host in its canonical form, curl-allocated: punycode for IDN (curl's
 * IDN conversion reads the locale's charset, so pin this thread to
 * C.UTF-8 for the call and get the same answer whatever the process
 * locale), lower-case ASCII, and only characters a host may hold.
 */
static enum cw_rc
url_get_host(CURLU *h, char **host)
{
	enum cw_rc rc;
	locale_t old;
	char *p, *zone = NULL;

	rc = url_get_part(h, CURLUPART_HOST, 0, host);
	if (rc != CW_OK)
		goto out;
	if (*host == NULL || **host == '\0') {
		rc = CW_EPARSE;
		goto out;
	}
	if (url_has_nonascii(*host)) {
		if (url_utf8_locale == (locale_t)0) {
			rc = CW_ENOTSUP;
			goto out;
		}
		curl_free(*host);
		*host = NULL;
		old = uselocale(url_utf8_locale);
		/* curl 7.88 reports any IDN failure as out of memory. */
		if (curl_url_get(h, CURLUPART_HOST, host, CURLU_PUNYCODE) !=
		    CURLUE_OK)
			rc = CW_EPARSE;
		uselocale(old);
		if (rc != CW_OK)
			goto out;
		/* IDNA maps some code points (soft hyphen) to nothing. */
		if (**host == '\0') {
			rc = CW_EPARSE;
			goto out;
		}
	}
	for (p = *host; *p != '\0'; p++) {
		*p = (char)url_tolower((unsigned char)*p);
		if (**host == '[')
			continue; /* curl checked the IPv6 literal */
		/*
		 * curl refuses sub-delims in a host it parses, so one that
		 * IDNA produced ("\xef\xbc\x86" -> '&') must go here, or the
		 * output would not parse again.
		 */
		if (!url_isunreserved((unsigned char)*p)) {
			rc = CW_EPARSE;
			goto out;
		}
	}
	if (**host != '[')
		rc = url_fix_ipv4(host);
	else if (curl_url_get(h, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK) {
		/* curl leaves the zone out of the host: refuse, as browsers. */
		curl_free(zone);
		rc = CW_EPARSE;
	}
out:
	if (rc != CW_OK) {
		curl_free(*host);
		*host = NULL;
	}
	return rc;
}

/* The parts of a parsed URL url_build() needs; all curl-allocated. */
struct url_parts {
	char *scheme;
	char *user;
	char *password;
	char *host;
	char *port;
	char *path;
	char *query;
};

/* Free the parts. */
static void
url_parts_cleanup(struct url_parts *up)
{
	curl_free(up->scheme);
	curl_free(up->user);
	curl_free(up->password);
	curl_free(up->host);
	curl_free(up->port);
	curl_free(up->path);
	curl_free(up->query);
	memset(up, 0, sizeof(*up));
}

/*
 * Read the parts of h. The port is left out when it is the scheme's
 * default; the scheme must be http or https.
 */
static enum cw_rc
url_parts_get(CURLU *h, struct url_parts *up)
{
	enum cw_rc rc;

	memset(up, 0, sizeof(*up));
	rc = url_get_part(h, CURLUPART_SCHEME, 0, &up->scheme);
	if (rc != CW_OK)
		goto out;
	if (up->scheme == NULL ||
	    (strcmp(up->scheme, "http") != 0 &&
		strcmp(up->scheme, "https") != 0)) {
		rc = CW_ENOTSUP;
		goto out;
	}
	rc = url_get_host(h, &up->host);
	if (rc == CW_OK)
		rc = url_get_part(
		    h, CURLUPART_PORT, CURLU_NO_DEFAULT_PORT, &up->port);
	if (rc == CW_OK)
		rc = url_get_part(h, CURLUPART_PATH, 0, &up->path);
	if (rc == CW_OK)
		rc = url_get_part(h, CURLUPART_QUERY, 0, &up->query);
out:
	if (rc != CW_OK)
		url_parts_cleanup(up);
	return rc;
}

/*
 * Serialise h as a normalised URL into a malloc'd *out. The buffer's cap
 * is the length limit, so an overlong result fails with CW_ELIMIT.
 */
static enum cw_rc
url_build(CURLU *h, char **out)
{
	struct url_parts up;
	struct buf b;
	enum cw_rc rc;

	buf_init(&b, URL_MAX_LEN_DEFAULT);
	rc = url_parts_get(h, &up);
	if (rc != CW_OK)
		goto out;
	rc = url_get_part(h, CURLUPART_USER, 0, &up.user);
	if (rc == CW_OK)
		rc = url_get_part(h, CURLUPART_PASSWORD, 0, &up.password);
	if (rc == CW_OK)
		rc = buf_append_str(&b, up.scheme);
	if (rc == CW_OK)
		rc = buf_append_str(&b, "://");
	/* Userinfo is kept (only its escaping is made canonical). */
	if (rc == CW_OK &&
	    ((up.user != NULL && *up.user != '\0') ||
		(up.password != NULL && *up.password != '\0'))) {
		if (up.user != NULL)
			rc = url_put_escaped(
			    &b, up.user, strlen(up.user), URL_ENC_USER);
		if (rc == CW_OK && up.password != NULL &&
		    *up.password != '\0') {
			rc = buf_append_str(&b, ":");
			if (rc == CW_OK)
				rc = url_put_escaped(&b, up.password,
				    strlen(up.password), URL_ENC_USER);
		}
		if (rc == CW_OK)
			rc = buf_append_str(&b, "@");
	}
	if (rc == CW_OK)
		rc = buf_append_str(&b, up.host);
	if (rc == CW_OK && up.port != NULL) {
		rc = buf_append_str(&b, ":");
		if (rc == CW_OK)
			rc = buf_append_str(&b, up.port);
	}
	if (rc == CW_OK)
		rc = buf_append_str(
		    &b, up.path != NULL && *up.path != '\0' ? up.path : "/");
	/* curl drops an empty query ("?"); so do we, consistently. */
	if (rc == CW_OK && up.query != NULL && *up.query != '\0') {
		rc = buf_append_str(&b, "?");
		if (rc == CW_OK)
			rc = buf_append_str(&b, up.query);
	}
	if (rc == CW_OK)
		*out = buf_take(&b, NULL);
out:
	url_parts_cleanup(&up);
	buf_cleanup(&b);
	return rc;
}

/* Resolve ref against base and normalise (see url.h). */
/*
 * The fast path. Most links of most pages are plain relative or
 * absolute-path references made of characters that normalisation leaves
 * alone, against a base that is already normalised: joining strings gives
 * exactly what the full path (clean, CURLU parse, resolve, rebuild) would.
 * url_fast_* decide conservatively; anything else takes the full path.
 * The unit tests and the fuzzer compare both paths on the same inputs.
 */

/* Characters normalisation never changes in a path or query. */
static int
url_fast_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~/?=&+,;@!$()*", c));
}

/* A dotted quad of 0-255 without leading zeros, as curl writes IPv4. */
static int
url_fast_ipv4(const char *h, size_t n)
{
	size_t i = 0, parts = 0, digits;
	unsigned v;

	while (i < n) {
		v = 0;
		digits = 0;
		while (i < n && h[i] >= '0' && h[i] <= '9') {
			v = v * 10 + (unsigned)(h[i++] - '0');
			if (++digits > 3)
				return 0;
		}
		if (digits == 0 || v > 255 ||
		    (digits > 1 && h[i - digits] == '0'))
			return 0;
		parts++;
		if (i < n && h[i++] != '.')
			return 0;
		if (i == n && h[n - 1] == '.')
			return 0;
	}
	return parts == 4;
}

/* Whether the segment at s (up to end) is "." (1) or ".." (2), else 0. */
static int
url_fast_dot_seg(const char *s, const char *end)
{
	size_t n = 0;

	while (s + n < end && s[n] != '/' && s[n] != '?')
		n++;
	if (n == 1 && s[0] == '.')
		return 1;
	if (n == 2 && s[0] == '.' && s[1] == '.')
		return 2;
	return 0;
}

/*
 * Whether base is an already-normalised URL of the simplest kind:
 * "http(s)://host[:port]/path[?query]" with a lower-case name host (its
 * last label starting with a letter) or a dotted quad, a port that is not the
 * default and has no leading zero, and a path and query of url_fast_char
 * characters without dot segments. Sets *path to the '/' after the
 * authority.
 */
static int
url_fast_base(const char *base, size_t n, const char **path)
{
	const char *p, *host, *colon = NULL, *last_dot = NULL, *q;
	const char *end = base + n;
	int https, letter = 0;

	if (n >= 7 && strncmp(base, "http://", 7) == 0)
		https = 0;
	else if (n >= 8 && strncmp(base, "https://", 8) == 0)
		https = 1;
	else
		return 0;
	host = p = base + 7 + https;
	for (; p < end && *p != '/'; p++) {
		if (*p == ':' && colon == NULL)
			colon = p;
		else if (colon != NULL && (*p < '0' || *p > '9'))
			return 0;
		else if (colon == NULL && *p == '.')
			last_dot = p;
		else if (colon == NULL && *p >= 'a' && *p <= 'z')
			letter = 1;
		else if (colon == NULL && *p != '-' && (*p < '0' || *p > '9'))
			return 0;
	}
	if (p == end || p == host || (colon != NULL && colon == host))
		return 0;
	if (colon != NULL) {
		/* 1-65535, as curl writes it: no leading zero, not the
		   scheme's default. */
		if (p - colon > 6 || strtol(colon + 1, NULL, 10) > 65535)
			return 0;
		if (colon[1] == '0' || p == colon + 1 ||
		    strncmp(colon, https ? ":443/" : ":80/", https ? 5 : 4) ==
			0)
			return 0;
	}
	q = last_dot != NULL ? last_dot + 1 : host;
	if (letter) {
		/* A name: its last label must start with a letter, else curl
		   may read the host as a number ("0x7f", "1.2.3.0x4"). */
		if (*q < 'a' || *q > 'z')
			return 0;
	} else if (!url_fast_ipv4(
		       host, (size_t)((colon != NULL ? colon : p) - host))) {
		return 0;
	}
	*path = p;
	for (; p < end; p++) {
		if (!url_fast_char((unsigned char)*p))
			return 0;
		if (*p == '?')
			break;
		/* No empty segment ("//" normalises away), and no "." or
		   ".." segment anywhere in the path. */
		if (*p == '/' && url_fast_dot_seg(p + 1, end) != 0)
			return 0;
		if (*p == '/' && p + 1 < end && p[1] == '/')
			return 0;
	}
	for (; p < end; p++)
		if (!url_fast_char((unsigned char)*p))
			return 0;
	return p[-1] != '?';
}

/*
 * Whether ref[0..n)'s path ends in a dot segment, with or without a '/'
 * after it, and a query follows ("./?a", "g/..?b"): curl 7.88 drops the
 * '/' that RFC 3986 keeps there, and the slow path's answer is the normal
 * form, so the fast path leaves these to it.
 */
static int
url_fast_dot_before_query(const char *ref, size_t n)
{
	const char *q = memchr(ref, '?', n), *end, *seg;

	if (q == NULL)
		return 0;
	end = q > ref && q[-1] == '/' ? q - 1 : q;
	for (seg = end; seg > ref && seg[-1] != '/'; seg--)
		;
	return url_fast_dot_seg(seg, end) != 0;
}

/*
 * Whether ref[0..n) is a relative reference the fast path joins:
 * url_fast_char characters, no "//" (network path or empty segment), no
 * scheme (no ':' at all), not ending in an empty query. "." and ".."
 * segments are allowed: the join removes them (url_fast_dedot).
 */
static int
url_fast_ref(const char *ref, size_t n)
{
	size_t i;
	int in_query = 0;

	if (n >= 2 && ref[0] == '/' && ref[1] == '/')
		return 0;
	if (n > 0 && ref[n - 1] == '?')
		return 0;
	for (i = 0; i < n; i++) {
		if (!url_fast_char((unsigned char)ref[i]))
			return 0;
		if (ref[i] == '?')
			in_query = 1;
		if (!in_query && ref[i] == '/' && i + 1 < n &&
		    ref[i + 1] == '/')
			return 0; /* an empty segment: leave it to curl */
	}
	return !url_fast_dot_before_query(ref, n);
}

/*
 * RFC 3986 section 5.2.4 remove_dot_segments, in place, on the path
 * p[0..*n) (it starts with '/'; it has no empty segment): "." segments go,
 * ".." removes the segment before it (none above the root), and a path
 * that ends in a dot segment keeps its trailing '/'. Returns the new
 * length through *n.
 */
static void
url_fast_dedot(char *p, size_t *n)
{
	size_t in = 0, out = 0, seg;
	int dots;

	while (in < *n) {
		/* p[in] is the '/' that starts a segment. */
		dots = url_fast_dot_seg(p + in + 1, p + *n);
		seg = 1;
		while (in + seg < *n && p[in + seg] != '/')
			seg++;
		if (dots == 0) {
			memmove(p + out, p + in, seg);
			out += seg;
		} else {
			if (dots == 2)
				while (out > 0 && p[--out] != '/')
					;
			if (in + seg == *n)
				p[out++] =
				    '/'; /* "/a/.." is "/", "/a/." "/a/" */
		}
		in += seg;
	}
	*n = out;
}

/* An absolute reference that is already normalised and simple: itself,
   without its fragment. -1 when it is not one. */
static int
url_resolve_fast_abs(const char *ref, size_t rlen, char **out)
{
	const char *path;
	char *res;

	if (rlen > URL_MAX_LEN_DEFAULT || !url_fast_base(ref, rlen, &path))
		return -1;
	res = malloc(rlen + 1);
	if (res == NULL)
		return CW_ENOMEM;
	memcpy(res, ref, rlen);
	res[rlen] = '\0';
	*out = res;
	return CW_OK;
}

/* Join a simple reference to a simple base; -1 when the fast path does
   not apply, else the result code. */
static int
url_resolve_fast(const char *base, const char *ref, char **out)
{
	const char *path, *keep_end;
	size_t rlen = strcspn(ref, "#"), klen, len, plen;
	char *res;

	*out = NULL;
	if (rlen >= 7 && ref[0] == 'h')
		return url_resolve_fast_abs(ref, rlen, out);
	if (base == NULL || !url_fast_base(base, strlen(base), &path) ||
	    !url_fast_ref(ref, rlen))
		return -1;
	if (rlen == 0)
		keep_end = base + strlen(base); /* the base itself */
	else if (ref[0] == '/')
		keep_end = path; /* origin + absolute path */
	else if (ref[0] == '?')
		keep_end = path + strcspn(path, "?"); /* base path + query */
	else {
		keep_end = path + strcspn(path, "?");
		while (keep_end[-1] != '/') /* base directory + relative path */
			keep_end--;
	}
	klen = (size_t)(keep_end - base);
	len = klen + rlen;
	if (len > URL_MAX_LEN_DEFAULT)
		return -1;
	res = malloc(len + 1);
	if (res == NULL)
		return CW_ENOMEM;
	memcpy(res, base, klen);
	memcpy(res + klen, ref, rlen);
	res[len] = '\0';
	/* Dot segments of the merged path (the query is left alone). */
	plen = strcspn(res + (path - base), "?");
	if (memchr(res + (path - base), '.', plen) != NULL) {
		klen = plen;
		url_fast_dedot(res + (path - base), &plen);
		memmove(res + (path - base) + plen, res + (path - base) + klen,
		    len - (size_t)(path - base) - klen + 1);
	}
	*out = res;
	return CW_OK;
}

enum cw_rc
url_resolve(const char *base, const char *ref, char **out)
{
	int rc;

	*out = NULL;
	if (ref == NULL)
		return CW_EINVAL;
	rc = url_resolve_fast(base, ref, out);
	if (rc >= 0)
		return (enum cw_rc)rc;
	return url_resolve_slow(base, ref, out);
}

enum cw_rc
url_resolve_slow(const char *base, const char *ref, char **out)
{
	struct url_ref cb, cr;
	enum cw_rc rc, brc = CW_EPARSE;
	CURLU *h = NULL;

	*out = NULL;
	pthread_once(&url_once, url_init_once);
	buf_init(&cb.text, 0);
	buf_init(&cr.text, 0);
	if (ref == NULL) {
		rc = CW_EINVAL;
		goto out;
	}
	if (base != NULL) {
		brc = url_clean(base, NULL, &cb);
		if (brc == CW_OK && !cb.absolute)
			brc = CW_EPARSE;
	}
	rc = url_clean(ref, brc == CW_OK ? cb.scheme : NULL, &cr);
	if (rc != CW_OK)
		goto out;
	if (!cr.absolute && brc != CW_OK) {
		rc = brc; /* a relative reference needs a usable base */
		goto out;
	}
	h = curl_url();
	if (h == NULL) {
		rc = CW_ENOMEM;
		goto out;
	}
	/*
	 * curl resolves a relative URL against the one already in the
	 * handle. It gets an empty reference wrong (7.88 drops the last
	 * segment), but RFC 3986 5.2.2 makes that the base itself.
	 */
	if (!cr.absolute)
		rc = url_curl_rc(
		    curl_url_set(h, CURLUPART_URL, cb.text.data, 0));
	if (rc == CW_OK && (cr.absolute || cr.text.len > 0))
		rc = url_curl_rc(
		    curl_url_set(h, CURLUPART_URL, cr.text.data, 0));
	if (rc == CW_OK)
		rc = url_build(h, out);
out:
	curl_url_cleanup(h);
	buf_cleanup(&cb.text);
	buf_cleanup(&cr.text);
	return rc;
}

/* Normalise an absolute URL. */
enum cw_rc
url_normalise(const char *url, char **out)
{
	return url_resolve(NULL, url, out);
}

/*
 * Parse an absolute http(s) URL into a new handle for the part getters.
 * *hp is the caller's to curl_url_cleanup().
 */
static enum cw_rc
url_parse_abs(const char *url, CURLU **hp, struct url_parts *up)
{
	enum cw_rc rc;

	*hp = NULL;
	memset(up, 0, sizeof(*up));
	pthread_once(&url_once, url_init_once);
	if (url == NULL) {
		rc = CW_EINVAL;
		goto out;
	}
	*hp = curl_url();
	if (*hp == NULL) {
		rc = CW_ENOMEM;
		goto out;
	}
	rc = url_curl_rc(curl_url_set(*hp, CURLUPART_URL, url, 0));
	if (rc == CW_OK)
		rc = url_parts_get(*hp, up);
out:
	return rc;
}

/* Copy a curl string into a malloc'd one ("" for NULL). */
static enum cw_rc
url_dup(const char *s, size_t n, char **out)
{
	*out = malloc(n + 1);
	if (*out == NULL)
		return CW_ENOMEM;
	if (n > 0)
		memcpy(*out, s, n);
	(*out)[n] = '\0';
	return CW_OK;
}

/* The host of a URL, IPv6 without brackets. */
enum cw_rc
url_host(const char *url, char **host)
{
	struct url_parts up;
	enum cw_rc rc;
	CURLU *h;
	size_t n;

	*host = NULL;
	rc = url_parse_abs(url, &h, &up);
	if (rc != CW_OK)
		goto out;
	n = strlen(up.host);
	if (n >= 2 && up.host[0] == '[' && up.host[n - 1] == ']')
		rc = url_dup(up.host + 1, n - 2, host);
	else
		rc = url_dup(up.host, n, host);
out:
	url_parts_cleanup(&up);
	curl_url_cleanup(h);
	return rc;
}

/* "scheme://host[:port]", the port only when it is not the default. */
enum cw_rc
url_origin(const char *url, char **origin)
{
	struct url_parts up;
	struct buf b;
	enum cw_rc rc;
	CURLU *h;

	*origin = NULL;
	buf_init(&b, URL_MAX_LEN_DEFAULT);
	rc = url_parse_abs(url, &h, &up);
	if (rc == CW_OK)
		rc = buf_append_str(&b, up.scheme);
	if (rc == CW_OK)
		rc = buf_append_str(&b, "://");
	if (rc == CW_OK)
		rc = buf_append_str(&b, up.host);
	if (rc == CW_OK && up.port != NULL) {
		rc = buf_append_str(&b, ":");
		if (rc == CW_OK)
			rc = buf_append_str(&b, up.port);
	}
	if (rc == CW_OK)
		*origin = buf_take(&b, NULL);
	buf_cleanup(&b);
	url_parts_cleanup(&up);
	curl_url_cleanup(h);
	return rc;
}

/* "/path?query", what robots.txt rules match against. */
enum cw_rc
url_path_query(const char *url, char **pq)
{
	struct url_parts up;
	struct buf b;
	enum cw_rc rc;
	CURLU *h;

	*pq = NULL;
	buf_init(&b, URL_MAX_LEN_DEFAULT);
	rc = url_parse_abs(url, &h, &up);
	if (rc == CW_OK)
		rc = buf_append_str(
		    &b, up.path != NULL && *up.path != '\0' ? up.path : "/");
	if (rc == CW_OK && up.query != NULL && *up.query != '\0') {
		rc = buf_append_str(&b, "?");
		if (rc == CW_OK)
			rc = buf_append_str(&b, up.query);
	}
	if (rc == CW_OK)
		*pq = buf_take(&b, NULL);
	buf_cleanup(&b);
	url_parts_cleanup(&up);
	curl_url_cleanup(h);
	return rc;
}

/* Parse a --scope value. */
enum cw_rc
url_scope_parse(const char *s, enum url_scope *out)
{
	if (s == NULL)
		return CW_EINVAL;
	if (strcmp(s, "host") == 0)
		*out = URL_SCOPE_HOST;
	else if (strcmp(s, "domain") == 0)
		*out = URL_SCOPE_DOMAIN;
	else if (strcmp(s, "any") == 0)
		*out = URL_SCOPE_ANY;
	else
		return CW_EINVAL;
	return CW_OK;
}

/* Whether host is an IP literal (IPv6, or IPv4 as curl writes it). */
static int
url_is_ip(const char *host)
{
	const char *p;

	if (strchr(host, ':') != NULL)
		return 1;
	for (p = host; *p != '\0'; p++)
		if (!url_isdigit((unsigned char)*p) && *p != '.')
			return 0;
	return *host != '\0';
}

/* The scope key of a host (see url.h). */
enum cw_rc
url_scope_key(enum url_scope scope, const char *host, char **key)
{
	const char *reg;
	enum cw_rc rc;
	size_t n, i;
	char *h = NULL;

	*key = NULL;
	if (host == NULL) {
		rc = CW_EINVAL;
		goto out;
	}
	if (scope == URL_SCOPE_ANY) {
		rc = url_dup("", 0, key);
		goto out;
	}
	/* "example.com." is the same DNS name as "example.com". */
	n = strlen(host);
	if (n > 1 && host[n - 1] == '.')
		n--;
	rc = url_dup(host, n, &h);
	if (rc != CW_OK)
		goto out;
	for (i = 0; i < n; i++)
		h[i] = (char)url_tolower((unsigned char)h[i]);
	if (scope != URL_SCOPE_DOMAIN || url_is_ip(h)) {
		*key = h;
		h = NULL;
		goto out;
	}
	pthread_once(&url_once, url_init_once);
	/* NULL when h is itself a public suffix ("localhost", "co.uk"). */
	reg = psl_registrable_domain(url_psl, h);
	if (reg == NULL) {
		*key = h;
		h = NULL;
	} else
		rc = url_dup(reg, strlen(reg), key);
out:
	free(h);
	return rc;
}
