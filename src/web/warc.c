/* SPDX-License-Identifier: MIT */
/*
 * warc.c - WARC/1.1 records: building (zlib for the gzip member, digest.c
 * for SHA-1), the HTTP blocks, parsing one record back and the checks
 * on it, SURT keys and CDXJ lines. See warc.h; docs/internals/warc.md has
 * the layout crawld writes and why.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <zlib.h>

#include "crawld/web/digest.h"
#include "crawld/web/warc.h"

/* Base32, RFC 4648 section 6. */
void
warc_base32(const uint8_t *in, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t i, o = 0;

	for (i = 0; i < n; i += 5) {
		uint8_t g[5] = {0, 0, 0, 0, 0};
		size_t k, m = n - i < 5 ? n - i : 5;
		/* characters carrying data for m input bytes */
		static const size_t chars[6] = {0, 2, 4, 5, 7, 8};
		uint64_t v = 0;

		memcpy(g, in + i, m);
		for (k = 0; k < 5; k++)
			v = v << 8 | g[k];
		for (k = 0; k < 8; k++)
			out[o + k] =
			    k < chars[m] ? abc[(v >> (35 - 5 * k)) & 31] : '=';
		o += 8;
	}
	out[o] = '\0';
}

/* SHA-1 of a then b, as "sha1:BASE32". */
enum cw_rc
warc_digest(const void *a, size_t alen, const void *b, size_t blen,
    char out[WARC_DIGEST_LEN])
{
	struct digest *d = digest_new(DIGEST_SHA1);
	unsigned char md[DIGEST_MAX_SIZE];
	bool ok;

	if (d == NULL)
		return CW_ENOMEM;
	ok = digest_update(d, a, alen) == CW_OK &&
	    digest_update(d, b, blen) == CW_OK && digest_final(d, md) == CW_OK;
	digest_free(d);
	if (!ok)
		return CW_ENOMEM; /* OpenSSL fails only for want of memory */
	memcpy(out, "sha1:", 5);
	warc_base32(md, 20, out + 5);
	return CW_OK;
}

/* A version 4 UUID from the kernel's random pool. */
enum cw_rc
warc_uuid(char out[WARC_ID_LEN])
{
	uint8_t r[16];
	size_t got = 0;
	ssize_t n;
	int tries;

	for (tries = 0; got < sizeof(r) && tries < 16; tries++) {
		n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0 && errno != EINTR)
			return CW_EIO;
		if (n > 0)
			got += (size_t)n;
	}
	if (got < sizeof(r))
		return CW_EIO;
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
	snprintf(out, WARC_ID_LEN,
	    "<urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x>",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
	    r[11], r[12], r[13], r[14], r[15]);
	return CW_OK;
}

/* ISO 8601 UTC with microseconds. */
void
warc_date(int64_t us, char out[WARC_DATE_LEN])
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL || tm.tm_year > 8000 || tm.tm_year < 0)
		memset(&tm, 0, sizeof(tm));
	/* Fields are clamped to their ranges: the length is known. */
	snprintf(out, WARC_DATE_LEN, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ",
	    (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
	    (unsigned)tm.tm_sec % 100u,
	    (unsigned)((us % 1000000 + 1000000) % 1000000));
}

/* Compress in (n bytes) as one gzip member appended to out. */
static enum cw_rc
warc_gzip_append(struct buf *out, const void *in, size_t n)
{
	z_stream z;
	size_t bound;
	enum cw_rc rc;
	int zr;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip wrapper. Level 1: records are deflated on the
	   crawl's network loop, and on a 90 KB HTML page level 1 ran 3x
	   faster than gzip's default 6 for an 18% larger member
	   (docs/internals/warc.md). */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return CW_ENOMEM;
	bound = deflateBound(&z, (uLong)n) + 32;
	rc = buf_reserve(out, out->len + bound);
	if (rc != CW_OK || n > UINT32_MAX || bound > UINT32_MAX) {
		(void)deflateEnd(&z);
		return rc != CW_OK ? rc : CW_ELIMIT;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->data + out->len;
	z.avail_out = (uInt)bound;
	zr = deflate(&z, Z_FINISH);
	if (zr == Z_STREAM_END)
		out->len += bound - z.avail_out;
	(void)deflateEnd(&z);
	return zr == Z_STREAM_END ? CW_OK : CW_ENOMEM;
}

/* Append a field line "Name: value\r\n". */
static enum cw_rc
warc_put_field(struct buf *b, const char *name, const char *value)
{
	enum cw_rc rc;

	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return CW_EINVAL;
	rc = buf_append_str(b, name);
	if (rc == CW_OK)
		rc = buf_append(b, ": ", 2);
	if (rc == CW_OK)
		rc = buf_append_str(b, value);
	if (rc == CW_OK)
		rc = buf_append(b, "\r\n", 2);
	return rc;
}

/* Build one record, plain or gzip. */
enum cw_rc
warc_record_append(struct buf *out, const struct warc_field *f, size_t n,
    const void *b1, size_t n1, const void *b2, size_t n2, bool gzip)
{
	struct buf rec;
	char len[32];
	enum cw_rc rc;
	size_t i;

	buf_init(&rec, SIZE_MAX);
	rc = buf_reserve(&rec, 1024 + n1 + n2);
	if (rc == CW_OK)
		rc = buf_append_str(&rec, "WARC/1.1\r\n");
	for (i = 0; rc == CW_OK && i < n; i++)
		rc = warc_put_field(&rec, f[i].name, f[i].value);
	snprintf(len, sizeof(len), "%zu", n1 + n2);
	if (rc == CW_OK)
		rc = warc_put_field(&rec, "Content-Length", len);
	if (rc == CW_OK)
		rc = buf_append(&rec, "\r\n", 2);
	if (rc == CW_OK && n1 > 0)
		rc = buf_append(&rec, b1, n1);
	if (rc == CW_OK && n2 > 0)
		rc = buf_append(&rec, b2, n2);
	if (rc == CW_OK)
		rc = buf_append(&rec, "\r\n\r\n", 4);
	if (rc == CW_OK)
		rc = gzip ? warc_gzip_append(out, rec.data, rec.len)
			  : buf_append(out, rec.data, rec.len);
	buf_cleanup(&rec);
	return rc;
}

/* The standard reason phrase of a status (RFC 9110), "" if unknown. */
static const char *
warc_reason(int status)
{
	static const struct {
		int code;
		const char *text;
	} t[] = {
	    {200, "OK"},
	    {201, "Created"},
	    {202, "Accepted"},
	    {203, "Non-Authoritative Information"},
	    {204, "No Content"},
	    {206, "Partial Content"},
	    {300, "Multiple Choices"},
	    {301, "Moved Permanently"},
	    {302, "Found"},
	    {303, "See Other"},
	    {304, "Not Modified"},
	    {307, "Temporary Redirect"},
	    {308, "Permanent Redirect"},
	    {400, "Bad Request"},
	    {401, "Unauthorized"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {405, "Method Not Allowed"},
	    {406, "Not Acceptable"},
	    {408, "Request Timeout"},
	    {410, "Gone"},
	    {429, "Too Many Requests"},
	    {500, "Internal Server Error"},
	    {501, "Not Implemented"},
	    {502, "Bad Gateway"},
	    {503, "Service Unavailable"},
	    {504, "Gateway Timeout"},
	};
	size_t i;

	for (i = 0; i < CW_NELEM(t); i++)
		if (t[i].code == status)
			return t[i].text;
	return "";
}

/* Length of the line at p (up to and without its LF or CRLF) and the
   length with its end, within n bytes. */
static size_t
warc_line(const char *p, size_t n, size_t *with_end)
{
	const char *nl = memchr(p, '\n', n);
	size_t len = nl != NULL ? (size_t)(nl - p) : n;

	*with_end = nl != NULL ? len + 1 : n;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	return len;
}

/* Whether the header line (len bytes) is named name. */
static bool
warc_is_header(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);

	return len > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0;
}

/* The status line in HTTP/1.1 syntax, from "HTTP/x[.y] NNN [reason]". */
static enum cw_rc
warc_status_line(const char *line, size_t len, struct buf *out)
{
	char tmp[64];
	size_t i = 0;
	int status = 0, digits = 0;
	const char *reason;
	size_t rlen;
	enum cw_rc rc;

	if (len < 5 || strncmp(line, "HTTP/", 5) != 0)
		return CW_EPARSE;
	while (i < len && line[i] != ' ')
		i++;
	while (i < len && line[i] == ' ')
		i++;
	while (i < len && isdigit((unsigned char)line[i]) && digits < 3) {
		status = status * 10 + (line[i++] - '0');
		digits++;
	}
	if (digits != 3 || status < 100)
		return CW_EPARSE;
	while (i < len && line[i] == ' ')
		i++;
	reason = line + i;
	rlen = len - i;
	if (rlen == 0) {
		reason = warc_reason(status);
		rlen = strlen(reason);
	}
	snprintf(tmp, sizeof(tmp), "HTTP/1.1 %03d ", status);
	rc = buf_append_str(out, tmp);
	if (rc == CW_OK)
		rc = buf_append(out, reason, rlen);
	if (rc == CW_OK)
		rc = buf_append(out, "\r\n", 2);
	return rc;
}

/* The response head, normalised as warc.h says. */
enum cw_rc
warc_http_response_head(
    const char *raw, size_t rawlen, uint64_t payload_len, struct buf *out)
{
	size_t off = 0, len, step;
	char cl[48];
	enum cw_rc rc;

	len = warc_line(raw, rawlen, &step);
	rc = warc_status_line(raw, len, out);
	for (off = step; rc == CW_OK && off < rawlen; off += step) {
		len = warc_line(raw + off, rawlen - off, &step);
		if (len == 0)
			break; /* the blank line: the end of the head */
		if (warc_is_header(raw + off, len, "Transfer-Encoding") ||
		    warc_is_header(raw + off, len, "Content-Length"))
			continue;
		rc = buf_append(out, raw + off, len);
		if (rc == CW_OK)
			rc = buf_append(out, "\r\n", 2);
	}
	snprintf(cl, sizeof(cl), "Content-Length: %llu\r\n\r\n",
	    (unsigned long long)payload_len);
	if (rc == CW_OK)
		rc = buf_append_str(out, cl);
	return rc;
}

/* The request head, its request line's version made HTTP/1.1. */
enum cw_rc
warc_http_request_head(const char *raw, size_t rawlen, struct buf *out)
{
	size_t off, len, step;
	const char *sp;
	enum cw_rc rc;

	len = warc_line(raw, rawlen, &step);
	sp = len > 0 ? memchr(raw, ' ', len) : NULL;
	/* "METHOD target HTTP/x": the last space starts the version. */
	while (sp != NULL && memchr(sp + 1, ' ', len - (size_t)(sp + 1 - raw)))
		sp = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - raw));
	if (sp == NULL || sp == raw || len - (size_t)(sp - raw) < 6 ||
	    strncmp(sp + 1, "HTTP/", 5) != 0)
		return CW_EPARSE;
	rc = buf_append(out, raw, (size_t)(sp - raw));
	if (rc == CW_OK)
		rc = buf_append_str(out, " HTTP/1.1\r\n");
	for (off = step; rc == CW_OK && off < rawlen; off += step) {
		len = warc_line(raw + off, rawlen - off, &step);
		if (len == 0)
			break;
		rc = buf_append(out, raw + off, len);
		if (rc == CW_OK)
			rc = buf_append(out, "\r\n", 2);
	}
	if (rc == CW_OK)
		rc = buf_append(out, "\r\n", 2);
	return rc;
}

/* The status of "HTTP/x NNN ...". */
int
warc_http_status(const uint8_t *head, size_t len)
{
	size_t i = 0;
	int status = 0, digits = 0;

	if (len < 5 || memcmp(head, "HTTP/", 5) != 0)
		return 0;
	while (i < len && head[i] != ' ' && head[i] != '\n')
		i++;
	while (i < len && head[i] == ' ')
		i++;
	while (i < len && isdigit(head[i]) && digits < 3) {
		status = status * 10 + (head[i++] - '0');
		digits++;
	}
	return digits == 3 && status >= 100 ? status : 0;
}

/* The payload's start: after the first empty line (CRLF CRLF or LF LF). */
bool
warc_http_payload(const uint8_t *block, size_t len, size_t *start)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (block[i] != '\n')
			continue;
		if (block[i + 1] == '\n') {
			*start = i + 2;
			return true;
		}
		if (i + 2 < len && block[i + 1] == '\r' &&
		    block[i + 2] == '\n') {
			*start = i + 3;
			return true;
		}
	}
	return false;
}

/* Free a parsed record. */
void
warc_record_cleanup(struct warc_record *r)
{
	free(r->head);
	memset(r, 0, sizeof(*r));
}

/* Trim blanks on both ends of s in place. */
static char *
warc_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Split the header section (NUL-terminated copy) into fields. */
static enum cw_rc
warc_split_fields(struct warc_record *r, char *err, size_t errlen)
{
	char *line = r->head, *next, *colon;

	next = strstr(line, "\r\n");
	if (next == NULL)
		return CW_EPARSE;
	*next = '\0';
	if (strncmp(line, "WARC/", 5) != 0 ||
	    strlen(line) >= sizeof(r->version)) {
		snprintf(err, errlen, "no WARC version line");
		return CW_EPARSE;
	}
	snprintf(r->version, sizeof(r->version), "%s", line);
	for (line = next + 2; *line != '\0'; line = next + 2) {
		next = strstr(line, "\r\n");
		if (next == NULL)
			break;
		*next = '\0';
		colon = strchr(line, ':');
		if (colon == NULL || colon == line) {
			snprintf(err, errlen, "a header line without a name");
			return CW_EPARSE;
		}
		*colon = '\0';
		if (r->nfields == WARC_MAX_FIELDS) {
			r->too_many_fields = true;
			continue;
		}
		r->fields[r->nfields].name = warc_trim(line);
		r->fields[r->nfields].value = warc_trim(colon + 1);
		r->nfields++;
	}
	return CW_OK;
}

/* A field's value, or NULL. */
const char *
warc_get(const struct warc_record *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (strcasecmp(r->fields[i].name, name) == 0)
			return r->fields[i].value;
	return NULL;
}

/* A decimal without sign, blanks or overflow. */
static bool
warc_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s) || x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return true;
}

/* Where the header section ends ("\r\n\r\n"), within WARC_HEAD_MAX. */
static bool
warc_find_head_end(const uint8_t *p, size_t n, size_t *end)
{
	size_t i, lim = n < WARC_HEAD_MAX ? n : WARC_HEAD_MAX;

	for (i = 0; i + 3 < lim; i++)
		if (p[i] == '\r' && memcmp(p + i, "\r\n\r\n", 4) == 0) {
			*end = i + 4;
			return true;
		}
	return false;
}

/* Parse one record. */
enum cw_rc
warc_parse(const uint8_t *p, size_t n, struct warc_record *r, size_t *used,
    char *err, size_t errlen)
{
	size_t hend;
	uint64_t clen;
	enum cw_rc rc;

	memset(r, 0, sizeof(*r));
	*used = 0;
	if (!warc_find_head_end(p, n, &hend)) {
		snprintf(err, errlen, "%s",
		    n >= WARC_HEAD_MAX ? "header section over 64 KiB"
				       : "header section not terminated");
		return CW_EPARSE;
	}
	if (memchr(p, '\0', hend) != NULL) {
		snprintf(err, errlen, "a NUL byte in the header section");
		return CW_EPARSE;
	}
	r->head = malloc(hend + 1);
	if (r->head == NULL) {
		snprintf(err, errlen, "out of memory");
		return CW_ENOMEM;
	}
	memcpy(r->head, p, hend);
	/* Keep the final CRLF of the last field, drop the blank line. */
	r->head[hend - 2] = '\0';
	snprintf(err, errlen, "bad header section");
	rc = warc_split_fields(r, err, errlen);
	if (rc != CW_OK)
		goto fail;
	if (!warc_parse_u64(warc_get(r, "Content-Length"), &clen)) {
		snprintf(err, errlen, "Content-Length missing or not a number");
		rc = CW_EPARSE;
		goto fail;
	}
	if (clen > n - hend || n - hend - clen < 4) {
		snprintf(err, errlen,
		    "block shorter than Content-Length %llu (truncated)",
		    (unsigned long long)clen);
		rc = CW_EPARSE;
		goto fail;
	}
	if (memcmp(p + hend + clen, "\r\n\r\n", 4) != 0) {
		snprintf(err, errlen,
		    "no CRLF CRLF after the block (Content-Length wrong?)");
		rc = CW_EPARSE;
		goto fail;
	}
	r->block = p + hend;
	r->block_len = clen;
	*used = hend + (size_t)clen + 4;
	return CW_OK;
fail:
	warc_record_cleanup(r);
	return rc;
}

/* Report one problem. */
static unsigned warc_problem(
    warc_problem_cb *cb, void *arg, const char *fmt, ...) CW_PRINTF(3, 4);

static unsigned
warc_problem(warc_problem_cb *cb, void *arg, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cb(arg, msg);
	return 1;
}

/* Compare a stated digest with a recomputed one. */
static unsigned
warc_check_digest(const char *field, const char *stated, const void *a,
    size_t alen, warc_problem_cb *cb, void *arg)
{
	char got[WARC_DIGEST_LEN];

	if (strncasecmp(stated, "sha1:", 5) != 0)
		return warc_problem(cb, arg,
		    "%s: '%.40s' is not sha1 (only "
		    "sha1 is checked)",
		    field, stated);
	if (warc_digest(a, alen, NULL, 0, got) != CW_OK)
		return warc_problem(cb, arg, "%s: out of memory", field);
	/* base32 is case-insensitive; crawld writes upper case */
	if (strcasecmp(stated + 5, got + 5) != 0)
		return warc_problem(cb, arg,
		    "%s %s does not match the data (%s)", field, stated, got);
	return 0;
}

/* Whether a record type has a target URI (all but warcinfo). */
static bool
warc_type_known(const char *t)
{
	static const char *const types[] = {"warcinfo", "response", "resource",
	    "request", "metadata", "revisit", "conversion", "continuation"};
	size_t i;

	for (i = 0; i < CW_NELEM(types); i++)
		if (strcmp(t, types[i]) == 0)
			return true;
	return false;
}

/* The checks on the record's mandatory fields. */
static unsigned
warc_check_fields(const struct warc_record *r, const char *type,
    warc_problem_cb *cb, void *arg)
{
	const char *id = warc_get(r, "WARC-Record-ID");
	const char *date = warc_get(r, "WARC-Date");
	unsigned bad = 0;

	if (strcmp(r->version, "WARC/1.1") != 0 &&
	    strcmp(r->version, "WARC/1.0") != 0)
		bad += warc_problem(cb, arg, "unknown version %s", r->version);
	if (r->too_many_fields)
		bad += warc_problem(
		    cb, arg, "more than %d fields", WARC_MAX_FIELDS);
	if (id == NULL)
		bad += warc_problem(cb, arg, "no WARC-Record-ID");
	else if (id[0] != '<' || id[strlen(id) - 1] != '>')
		bad +=
		    warc_problem(cb, arg, "WARC-Record-ID %s is not <uri>", id);
	if (date == NULL)
		bad += warc_problem(cb, arg, "no WARC-Date");
	else if (strlen(date) < 20 || date[4] != '-' || date[10] != 'T' ||
	    date[strlen(date) - 1] != 'Z')
		bad += warc_problem(
		    cb, arg, "WARC-Date %s is not W3C-ISO8601", date);
	if (type == NULL)
		bad += warc_problem(cb, arg, "no WARC-Type");
	else if (!warc_type_known(type))
		bad += warc_problem(cb, arg, "unknown WARC-Type %s", type);
	else if (strcmp(type, "warcinfo") != 0 &&
	    warc_get(r, "WARC-Target-URI") == NULL)
		bad += warc_problem(cb, arg, "no WARC-Target-URI");
	return bad;
}

/* The checks on the digests of a request, response or revisit. */
static unsigned
warc_check_digests(const struct warc_record *r, const char *type,
    warc_problem_cb *cb, void *arg)
{
	const char *bd = warc_get(r, "WARC-Block-Digest");
	const char *pd = warc_get(r, "WARC-Payload-Digest");
	size_t start = 0;
	unsigned bad = 0;
	bool digested = strcmp(type, "request") == 0 ||
	    strcmp(type, "response") == 0 || strcmp(type, "revisit") == 0;

	if (bd != NULL)
		bad += warc_check_digest("WARC-Block-Digest", bd, r->block,
		    (size_t)r->block_len, cb, arg);
	else if (digested)
		bad += warc_problem(cb, arg, "no WARC-Block-Digest");
	if (strcmp(type, "response") == 0) {
		if (!warc_http_payload(r->block, (size_t)r->block_len, &start))
			bad += warc_problem(
			    cb, arg, "the block has no whole HTTP head");
		else if (pd == NULL)
			bad += warc_problem(cb, arg, "no WARC-Payload-Digest");
		else
			bad += warc_check_digest("WARC-Payload-Digest", pd,
			    r->block + start, (size_t)r->block_len - start, cb,
			    arg);
	} else if (strcmp(type, "revisit") == 0) {
		/* The payload is elsewhere: the digest names it. */
		if (pd == NULL)
			bad += warc_problem(cb, arg, "no WARC-Payload-Digest");
		if (warc_get(r, "WARC-Profile") == NULL)
			bad += warc_problem(cb, arg, "no WARC-Profile");
	}
	return bad;
}

/* Every check on one record. */
unsigned
warc_check(const struct warc_record *r, warc_problem_cb *cb, void *arg)
{
	const char *type = warc_get(r, "WARC-Type");
	unsigned bad = warc_check_fields(r, type, cb, arg);

	if (type != NULL)
		bad += warc_check_digests(r, type, cb, arg);
	return bad;
}

/* Append n bytes of s lower-cased. */
static enum cw_rc
warc_append_lower(struct buf *out, const char *s, size_t n)
{
	enum cw_rc rc = CW_OK;
	size_t i;

	for (i = 0; rc == CW_OK && i < n; i++) {
		char c = (char)tolower((unsigned char)s[i]);

		rc = buf_append(out, &c, 1);
	}
	return rc;
}

/* Whether host (n bytes) is an IP address (v4 dotted, or [v6]). */
static bool
warc_host_is_ip(const char *h, size_t n)
{
	size_t i;

	if (n > 0 && h[0] == '[')
		return true;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)h[i]) && h[i] != '.')
			return false;
	return n > 0;
}

/* The host part of a SURT: labels reversed, comma-joined. */
static enum cw_rc
warc_surt_host(const char *h, size_t n, struct buf *out)
{
	enum cw_rc rc = CW_OK;
	size_t end = n, i;
	bool first = true;

	if (n > 4 && strncasecmp(h, "www.", 4) == 0) {
		h += 4;
		n -= 4;
		end = n;
	}
	if (warc_host_is_ip(h, n))
		return warc_append_lower(out, h, n);
	for (i = n; rc == CW_OK && i-- > 0;) {
		if (h[i] != '.' && i > 0)
			continue;
		size_t s = h[i] == '.' ? i + 1 : i;

		if (!first)
			rc = buf_append(out, ",", 1);
		if (rc == CW_OK)
			rc = warc_append_lower(out, h + s, end - s);
		first = false;
		end = i;
	}
	return rc;
}

/* Compare two query arguments for qsort (byte order). */
static int
warc_arg_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The query with its arguments sorted, lower-cased. */
static enum cw_rc
warc_surt_query(const char *q, size_t n, struct buf *out)
{
	char *copy = malloc(n + 1), **args, *save = NULL, *a;
	size_t nargs = 0, i;
	enum cw_rc rc = CW_OK;

	args = calloc(n / 2 + 2, sizeof(*args));
	if (copy == NULL || args == NULL) {
		free(copy);
		free(args);
		return CW_ENOMEM;
	}
	memcpy(copy, q, n);
	copy[n] = '\0';
	for (a = strtok_r(copy, "&", &save); a != NULL;
	     a = strtok_r(NULL, "&", &save))
		args[nargs++] = a;
	qsort(args, nargs, sizeof(*args), warc_arg_cmp);
	rc = buf_append(out, "?", 1);
	for (i = 0; rc == CW_OK && i < nargs; i++) {
		if (i > 0)
			rc = buf_append(out, "&", 1);
		if (rc == CW_OK)
			rc = warc_append_lower(out, args[i], strlen(args[i]));
	}
	free(args);
	free(copy);
	return rc;
}

/* The SURT of a URL. */
enum cw_rc
warc_surt(const char *url, struct buf *out)
{
	const char *p = strstr(url, "://"), *host, *hend, *path, *q, *end;
	const char *port = NULL;
	bool https;
	enum cw_rc rc;

	if (p == NULL)
		return warc_append_lower(out, url, strlen(url));
	https = (size_t)(p - url) == 5 && strncasecmp(url, "https", 5) == 0;
	host = p + 3;
	end = host + strcspn(host, "#");
	path = host + strcspn(host, "/?#");
	hend = memchr(host, '@', (size_t)(path - host));
	if (hend != NULL)
		host = hend + 1; /* no userinfo in the key */
	hend = path;
	if (host < path && host[0] == '[') {
		const char *rb = memchr(host, ']', (size_t)(path - host));

		if (rb != NULL && rb + 1 < path && rb[1] == ':') {
			hend = rb + 1;
			port = rb + 2;
		}
	} else {
		port = memchr(host, ':', (size_t)(path - host));
		if (port != NULL)
			hend = port++;
	}
	rc = warc_surt_host(host, (size_t)(hend - host), out);
	if (rc == CW_OK && port != NULL &&
	    !((size_t)(path - port) == 2 && !https &&
		strncmp(port, "80", 2) == 0) &&
	    !((size_t)(path - port) == 3 && https &&
		strncmp(port, "443", 3) == 0)) {
		rc = buf_append(out, ":", 1);
		if (rc == CW_OK)
			rc = buf_append(out, port, (size_t)(path - port));
	}
	if (rc == CW_OK)
		rc = buf_append(out, ")", 1);
	q = memchr(path, '?', (size_t)(end - path));
	if (rc == CW_OK)
		rc = path < end && *path == '/'
		    ? warc_append_lower(
			  out, path, (size_t)((q != NULL ? q : end) - path))
		    : buf_append(out, "/", 1);
	if (rc == CW_OK && q != NULL && q + 1 < end)
		rc = warc_surt_query(q + 1, (size_t)(end - q - 1), out);
	return rc;
}

/* Append s as a JSON string (quotes, escapes). */
static enum cw_rc
warc_json_str(struct buf *out, const char *s)
{
	enum cw_rc rc = buf_append(out, "\"", 1);
	char esc[8];

	for (; rc == CW_OK && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			rc = buf_append(out, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rc = buf_append_str(out, esc);
		} else {
			rc = buf_append(out, s, 1);
		}
	}
	if (rc == CW_OK)
		rc = buf_append(out, "\"", 1);
	return rc;
}

/* Append ", \"name\": " and the value as a JSON string. */
static enum cw_rc
warc_json_member(struct buf *out, bool first, const char *name, const char *v)
{
	enum cw_rc rc = buf_append_str(out, first ? "{" : ", ");

	if (rc == CW_OK)
		rc = warc_json_str(out, name);
	if (rc == CW_OK)
		rc = buf_append(out, ": ", 2);
	if (rc == CW_OK)
		rc = warc_json_str(out, v);
	return rc;
}

/* One CDXJ line. */
enum cw_rc
warc_cdxj_line(const struct warc_cdx *x, struct buf *out)
{
	char ts[16], num[3][32];
	const char *d = x->date;
	const char *digest = x->digest;
	enum cw_rc rc;
	size_t i, k = 0;

	/* "2026-12-01T22:37:11..." -> "20261201223711" */
	for (i = 0; d[i] != '\0' && k < 14; i++)
		if (isdigit((unsigned char)d[i]))
			ts[k++] = d[i];
	while (k < 14)
		ts[k++] = '0';
	ts[14] = '\0';
	if (strncasecmp(digest, "sha1:", 5) == 0)
		digest += 5;
	snprintf(num[0], sizeof(num[0]), "%d", x->status);
	snprintf(num[1], sizeof(num[1]), "%llu", (unsigned long long)x->length);
	snprintf(num[2], sizeof(num[2]), "%llu", (unsigned long long)x->offset);
	rc = warc_surt(x->url, out);
	if (rc == CW_OK)
		rc = buf_append(out, " ", 1);
	if (rc == CW_OK)
		rc = buf_append(out, ts, 14);
	if (rc == CW_OK)
		rc = buf_append(out, " ", 1);
	if (rc == CW_OK)
		rc = warc_json_member(out, true, "url", x->url);
	if (rc == CW_OK)
		rc = warc_json_member(out, false, "mime",
		    x->revisit		  ? "warc/revisit"
			: x->mime != NULL ? x->mime
					  : "-");
	if (rc == CW_OK)
		rc = warc_json_member(
		    out, false, "status", x->status > 0 ? num[0] : "-");
	if (rc == CW_OK)
		rc = warc_json_member(out, false, "digest", digest);
	if (rc == CW_OK)
		rc = warc_json_member(out, false, "length", num[1]);
	if (rc == CW_OK)
		rc = warc_json_member(out, false, "offset", num[2]);
	if (rc == CW_OK)
		rc = warc_json_member(out, false, "filename", x->filename);
	if (rc == CW_OK)
		rc = buf_append(out, "}", 1);
	return rc;
}
