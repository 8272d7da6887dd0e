/* SPDX-License-Identifier: MIT */
/*
 * localpath.c - URL -> safe relative local path (localpath.h has the
 * rules). Works on the URL's bytes alone, so it is deterministic and
 * fuzzable; every output byte goes through one escaping function.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawld/base/buf.h"
#include "crawld/mirror/localpath.h"

#define LP_EXT_MAX 8 /* bytes of an extension kept past a cut */

uint64_t
localpath_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
lp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether byte c is written as %XX in a name. */
static bool
lp_must_escape(unsigned char c, bool host)
{
	if (c < 0x20 || c == 0x7f || c == '%' || c == '/' || c == '\\')
		return true;
	/* In the host '_' separates the port, so a real one is escaped. */
	return host && c == '_';
}

/* Append byte c to b, escaped if it must be. */
static enum cw_rc
lp_put(struct buf *b, unsigned char c, bool host)
{
	char esc[4];

	if (!lp_must_escape(c, host))
		return buf_append(b, &c, 1);
	snprintf(esc, sizeof(esc), "%%%02X", c);
	return buf_append(b, esc, 3);
}

/* Append s[0..n) percent-decoded and escaped as a name's bytes. */
static enum cw_rc
lp_put_decoded(struct buf *b, const char *s, size_t n, bool host)
{
	enum cw_rc rc = CW_OK;
	size_t i;

	for (i = 0; i < n && rc == CW_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		int hi, lo;

		if (c == '%' && i + 2 < n && (hi = lp_hexval(s[i + 1])) >= 0 &&
		    (lo = lp_hexval(s[i + 2])) >= 0) {
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		rc = lp_put(b, c, host);
	}
	return rc;
}

/* The extension of name[0..n) (from its last '.', not the first byte),
   at most LP_EXT_MAX bytes, or 0 bytes. */
static size_t
lp_ext_len(const char *name, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		if (name[i - 1] == '.')
			return n - (i - 1) <= LP_EXT_MAX ? n - (i - 1) : 0;
		if (n - (i - 1) > LP_EXT_MAX)
			return 0;
	}
	return 0;
}

/* Cut a name longer than the cap: head, "~hash", extension. The head
   does not end inside a %XX escape. */
static enum cw_rc
lp_cap_name(struct buf *out, const char *name, size_t n)
{
	char tail[32];
	size_t ext = lp_ext_len(name, n), head;

	if (n <= LOCALPATH_SEGMENT_MAX)
		return buf_append(out, name, n);
	head = LOCALPATH_SEGMENT_MAX - 17 - ext;
	if (head >= 1 && name[head - 1] == '%')
		head -= 1;
	else if (head >= 2 && name[head - 2] == '%')
		head -= 2;
	snprintf(tail, sizeof(tail), "~%016llx",
	    (unsigned long long)localpath_hash(name, n));
	if (buf_append(out, name, head) != CW_OK ||
	    buf_append_str(out, tail) != CW_OK ||
	    buf_append(out, name + n - ext, ext) != CW_OK)
		return CW_ENOMEM;
	return CW_OK;
}

/* Whether name[0..n) ends in suffix (ASCII case-insensitive). */
static bool
lp_ends_with(const char *name, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && strncasecmp(name + n - m, suffix, m) == 0;
}

/*
 * One segment (raw URL bytes s[0..n), plus the query for the last one)
 * as a name appended to out: decoded, escaped, marked when it would be
 * "", "." or "..", given its extension, capped.
 */
static enum cw_rc
lp_segment(struct buf *out, const char *s, size_t n, const char *query,
    size_t qlen, unsigned flags)
{
	struct buf name;
	enum cw_rc rc;

	buf_init(&name, (size_t)-1);
	rc = lp_put_decoded(&name, s, n, false);
	if (rc == CW_OK && query == NULL &&
	    (name.len == 0 || strcmp(name.data, ".") == 0 ||
		strcmp(name.data, "..") == 0)) {
		const char *mark = name.len == 0 ? "%_"
		    : name.len == 1		 ? "%2E"
						 : "%2E%2E";

		buf_reset(&name);
		rc = buf_append_str(&name, mark);
	}
	if (rc == CW_OK && query != NULL) {
		rc = buf_append(&name, "?", 1);
		if (rc == CW_OK)
			rc = lp_put_decoded(&name, query, qlen, false);
	}
	if (rc == CW_OK && (flags & LOCALPATH_HTML) &&
	    !lp_ends_with(name.data, name.len, ".html") &&
	    !lp_ends_with(name.data, name.len, ".htm"))
		rc = buf_append_str(&name, ".html");
	if (rc == CW_OK && (flags & LOCALPATH_CSS) &&
	    !lp_ends_with(name.data, name.len, ".css"))
		rc = buf_append_str(&name, ".css");
	if (rc == CW_OK)
		rc = lp_cap_name(out, name.data, name.len);
	buf_cleanup(&name);
	return rc;
}

/* The host directory: "<host>" or "<host>_<port>", escaped. */
static enum cw_rc
lp_host(struct buf *out, const char *auth, size_t n)
{
	const char *at = memchr(auth, '@', n), *host, *port = NULL;
	size_t hlen, plen = 0, i;
	struct buf name;
	enum cw_rc rc;

	/* userinfo never names a directory */
	for (i = n; at != NULL && i > 0; i--)
		if (auth[i - 1] == '@') {
			at = auth + i - 1;
			break;
		}
	host = at != NULL ? at + 1 : auth;
	hlen = (size_t)(auth + n - host);
	if (hlen > 0 && host[0] == '[') {
		const char *close = memchr(host, ']', hlen);

		if (close == NULL)
			return CW_EINVAL;
		if ((size_t)(close + 1 - host) < hlen && close[1] == ':') {
			port = close + 2;
			plen = (size_t)(host + hlen - port);
		}
		hlen = (size_t)(close + 1 - host);
	} else {
		const char *colon = NULL;

		for (i = 0; i < hlen; i++)
			if (host[i] == ':')
				colon = host + i;
		if (colon != NULL) {
			port = colon + 1;
			plen = (size_t)(host + hlen - port);
			hlen = (size_t)(colon - host);
		}
	}
	if (hlen == 0 || hlen > 255)
		return CW_EINVAL;
	for (i = 0; i < plen; i++)
		if (port[i] < '0' || port[i] > '9')
			return CW_EINVAL;
	/* A leading '.' would hide the folder and could meet the mirror's
	   own ".crawld": escaped. */
	buf_init(&name, (size_t)-1);
	rc = lp_put_decoded(&name, host, hlen, true);
	if (rc == CW_OK && name.data[0] == '.') {
		struct buf dot;

		buf_init(&dot, (size_t)-1);
		rc = buf_append_str(&dot, "%2E");
		if (rc == CW_OK)
			rc = buf_append(&dot, name.data + 1, name.len - 1);
		buf_cleanup(&name);
		name = dot;
	}
	if (rc == CW_OK && plen > 0) {
		rc = buf_append(&name, "_", 1);
		if (rc == CW_OK)
			rc = buf_append(&name, port, plen);
	}
	if (rc == CW_OK)
		rc = lp_cap_name(out, name.data, name.len);
	buf_cleanup(&name);
	return rc;
}

/* The whole path too long: "<host>/%_long/<hash><ext>". */
static enum cw_rc
lp_fold_long(struct buf *out, size_t host_len, const char *url, unsigned flags)
{
	char name[64];

	snprintf(name, sizeof(name), "/%%_long/%016llx%s",
	    (unsigned long long)localpath_hash(url, strlen(url)),
	    (flags & LOCALPATH_HTML)	  ? ".html"
		: (flags & LOCALPATH_CSS) ? ".css"
					  : "");
	out->len = host_len;
	return buf_append_str(out, name);
}

enum cw_rc
localpath_from_url(const char *url, unsigned flags, char **out)
{
	const char *p, *auth, *path, *query, *end, *seg;
	struct buf b;
	size_t host_len, n;
	enum cw_rc rc;

	*out = NULL;
	if (strncasecmp(url, "http://", 7) == 0)
		auth = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		auth = url + 8;
	else
		return CW_EINVAL;
	end = url + strcspn(url, "#");
	path = auth + strcspn(auth, "/?#");
	buf_init(&b, (size_t)-1);
	rc = lp_host(&b, auth, (size_t)(path - auth));
	host_len = b.len;
	/* the directories: every segment followed by a '/' */
	p = path;
	while (rc == CW_OK && p < end && *p == '/') {
		seg = p + 1;
		n = strcspn(seg, "/?#");
		if (seg[n] != '/')
			break;
		rc = buf_append(&b, "/", 1);
		if (rc == CW_OK)
			rc = lp_segment(&b, seg, n, NULL, 0, 0);
		p = seg + n;
	}
	/* the file: the last segment ("" for a directory URL) and query */
	seg = p < end && *p == '/' ? p + 1 : p;
	n = strcspn(seg, "?#");
	query = seg[n] == '?' ? seg + n + 1 : NULL;
	if (rc == CW_OK)
		rc = buf_append(&b, "/", 1);
	if (rc == CW_OK)
		rc = n == 0
		    ? lp_segment(&b, "index.html", 10, query,
			  query != NULL ? (size_t)(end - query) : 0, flags)
		    : lp_segment(&b, seg, n, query,
			  query != NULL ? (size_t)(end - query) : 0, flags);
	if (rc == CW_OK && b.len > LOCALPATH_MAX)
		rc = lp_fold_long(&b, host_len, url, flags);
	if (rc != CW_OK) {
		buf_cleanup(&b);
		return rc == CW_ELIMIT ? CW_ENOMEM : rc;
	}
	*out = buf_take(&b, NULL);
	return *out != NULL ? CW_OK : CW_ENOMEM;
}

enum cw_rc
localpath_disambiguate(const char *path, const char *url, char **out)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash != NULL ? slash + 1 : path;
	size_t n = strlen(name), ext = lp_ext_len(name, n), head = n - ext;
	char mark[16];
	struct buf b;

	*out = NULL;
	snprintf(mark, sizeof(mark), "~%08x",
	    (unsigned)(localpath_hash(url, strlen(url)) & 0xffffffffu));
	if (head + 9 + ext > LOCALPATH_SEGMENT_MAX)
		head = LOCALPATH_SEGMENT_MAX - 9 - ext;
	/* not inside a %XX escape */
	if (head >= 1 && name[head - 1] == '%')
		head -= 1;
	else if (head >= 2 && name[head - 2] == '%')
		head -= 2;
	buf_init(&b, (size_t)-1);
	if (buf_append(&b, path, (size_t)(name - path)) != CW_OK ||
	    buf_append(&b, name, head) != CW_OK ||
	    buf_append_str(&b, mark) != CW_OK ||
	    buf_append(&b, name + n - ext, ext) != CW_OK) {
		buf_cleanup(&b);
		return CW_ENOMEM;
	}
	*out = buf_take(&b, NULL);
	return *out != NULL ? CW_OK : CW_ENOMEM;
}

/* Whether c stays as it is in a relative reference. */
static bool
lp_ref_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~!$*+,;=@", c) != NULL;
}

/* Append name[0..n) percent-encoded for a reference. */
static enum cw_rc
lp_ref_put(struct buf *b, const char *name, size_t n)
{
	char esc[4];
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c != '\0' && lp_ref_plain(c)) {
			if (buf_append(b, &c, 1) != CW_OK)
				return CW_ENOMEM;
			continue;
		}
		snprintf(esc, sizeof(esc), "%%%02X", c);
		if (buf_append(b, esc, 3) != CW_OK)
			return CW_ENOMEM;
	}
	return CW_OK;
}

/* The number of directories of a path (its '/'s). */
static size_t
lp_depth(const char *p)
{
	size_t d = 0;

	for (; *p != '\0'; p++)
		d += *p == '/';
	return d;
}

enum cw_rc
localpath_relative(const char *from, const char *to, char **out)
{
	const char *f = from, *t = to;
	struct buf b;
	size_t up, i;
	enum cw_rc rc = CW_OK;

	*out = NULL;
	/* Skip the directories both share, a whole component at a time. */
	for (;;) {
		const char *fs = strchr(f, '/'), *ts = strchr(t, '/');

		if (fs == NULL || ts == NULL || fs - f != ts - t ||
		    memcmp(f, t, (size_t)(fs - f)) != 0)
			break;
		f = fs + 1;
		t = ts + 1;
	}
	up = lp_depth(f);
	buf_init(&b, (size_t)-1);
	for (i = 0; i < up && rc == CW_OK; i++)
		rc = buf_append_str(&b, "../");
	while (rc == CW_OK && *t != '\0') {
		size_t n = strcspn(t, "/");

		rc = lp_ref_put(&b, t, n);
		if (rc == CW_OK && t[n] == '/')
			rc = buf_append(&b, "/", 1);
		t += n + (t[n] == '/');
	}
	if (rc != CW_OK) {
		buf_cleanup(&b);
		return CW_ENOMEM;
	}
	*out = buf_take(&b, NULL);
	return *out != NULL ? CW_OK : CW_ENOMEM;
}
