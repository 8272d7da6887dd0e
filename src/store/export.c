/* SPDX-License-Identifier: MIT */
/*
 * export.c - `crawld export`: pages as JSON lines (jansson) or RFC 4180
 * CSV, read through store_export(). Owns nothing beyond one row at a time;
 * builds no SQL.
 *
 * JSON strings must be valid UTF-8. URLs are, but a reason or a server's
 * Content-Type need not be: such strings are written with each invalid
 * byte replaced by U+FFFD rather than dropping the row or the field.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "crawld/store/export.h"

/* The columns, in output order, for both formats. */
#define EXPORT_CSV_HEADER                                                      \
	"crawl_id,id,url,depth,state,reason,status,content_type,bytes,"        \
	"discovered_at,fetched_at,parent\r\n"

/* State of one export_write() walk. */
struct export_ctx {
	FILE *out; /* borrowed */
	enum export_format fmt;
	enum cw_rc rc; /* first failure, stops the walk */
};

/* Parse "jsonl" / "csv". */
enum cw_rc
export_format_parse(const char *s, enum export_format *out)
{
	if (s == NULL)
		return CW_EINVAL;
	if (strcmp(s, "jsonl") == 0)
		*out = EXPORT_JSONL;
	else if (strcmp(s, "csv") == 0)
		*out = EXPORT_CSV;
	else
		return CW_EINVAL;
	return CW_OK;
}

/* Parse "discovered" / "fetched". */
enum cw_rc
export_order_parse(const char *s, enum store_order *out)
{
	if (s == NULL)
		return CW_EINVAL;
	if (strcmp(s, "discovered") == 0)
		*out = STORE_ORDER_DISCOVERED;
	else if (strcmp(s, "fetched") == 0)
		*out = STORE_ORDER_FETCHED;
	else
		return CW_EINVAL;
	return CW_OK;
}

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one (overlong forms, surrogates and values past U+10FFFF count
 * as invalid, as they do for jansson).
 */
static size_t
export_utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the NUL */
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string for s (null for NULL), repairing invalid UTF-8. Returns a
 * new reference, or NULL when out of memory.
 */
static json_t *
export_jstr(const char *s)
{
	const unsigned char *p;
	json_t *j;
	char *fixed, *w;
	size_t n;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	if (j != NULL)
		return j;
	/* Invalid UTF-8 (or no memory): each bad byte becomes 3 bytes. */
	fixed = malloc(strlen(s) * 3 + 1);
	if (fixed == NULL)
		return NULL;
	w = fixed;
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		n = export_utf8_len(p);
		if (n == 0) {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
			n = 1;
		} else {
			memcpy(w, p, n);
			w += n;
		}
	}
	*w = '\0';
	j = json_string(fixed);
	free(fixed);
	return j;
}

/* Add key = value to o, taking value; false when value is NULL (OOM). */
static bool
export_jset(json_t *o, const char *key, json_t *value)
{
	return value != NULL && json_object_set_new(o, key, value) == 0;
}

/* Write one row as a compact JSON object and a newline. */
static enum cw_rc
export_row_json(FILE *out, const struct store_row *r)
{
	json_t *o;
	enum cw_rc rc = CW_ENOMEM;
	bool ok;

	o = json_object();
	if (o == NULL)
		return CW_ENOMEM;
	/* Insertion order is output order (JSON_PRESERVE_ORDER). */
	ok = export_jset(o, "crawl_id", json_integer(r->crawl_id)) &&
	    export_jset(o, "id", json_integer(r->id)) &&
	    export_jset(o, "url", export_jstr(r->url)) &&
	    export_jset(o, "depth", json_integer(r->depth)) &&
	    export_jset(o, "state", export_jstr(r->state)) &&
	    export_jset(o, "reason", export_jstr(r->reason)) &&
	    export_jset(o, "status",
		r->has_status ? json_integer(r->status) : json_null()) &&
	    export_jset(o, "content_type", export_jstr(r->content_type)) &&
	    export_jset(o, "bytes",
		r->has_bytes ? json_integer(r->bytes) : json_null()) &&
	    export_jset(o, "discovered_at", export_jstr(r->discovered_at)) &&
	    export_jset(o, "fetched_at", export_jstr(r->fetched_at)) &&
	    export_jset(o, "parent", export_jstr(r->parent_url));
	if (!ok)
		goto out;
	rc = CW_EIO;
	if (json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
		goto out;
	if (fputc('\n', out) == EOF)
		goto out;
	rc = CW_OK;
out:
	json_decref(o);
	return rc;
}

/*
 * Write one CSV field: empty for NULL, quoted when it holds a comma, quote,
 * CR or LF (quotes doubled), and as "" when it is an empty string, so NULL
 * and "" stay distinguishable.
 */
static void
export_csv_str(FILE *out, const char *s)
{
	const char *q;

	if (s == NULL)
		return;
	if (s[0] != '\0' && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	while ((q = strchr(s, '"')) != NULL) {
		fwrite(s, 1, (size_t)(q - s) + 1, out);
		fputc('"', out);
		s = q + 1;
	}
	fputs(s, out);
	fputc('"', out);
}

/* Write one row as a CSV record ended by CRLF. */
static void
export_row_csv(FILE *out, const struct store_row *r)
{
	fprintf(out, "%" PRId64 ",%" PRId64 ",", r->crawl_id, r->id);
	export_csv_str(out, r->url);
	fprintf(out, ",%d,", r->depth);
	export_csv_str(out, r->state);
	fputc(',', out);
	export_csv_str(out, r->reason);
	fputc(',', out);
	if (r->has_status)
		fprintf(out, "%d", r->status);
	fputc(',', out);
	export_csv_str(out, r->content_type);
	fputc(',', out);
	if (r->has_bytes)
		fprintf(out, "%" PRId64, r->bytes);
	fputc(',', out);
	export_csv_str(out, r->discovered_at);
	fputc(',', out);
	export_csv_str(out, r->fetched_at);
	fputc(',', out);
	export_csv_str(out, r->parent_url);
	fputs("\r\n", out);
}

/* store_row_cb: format one row; stop the walk at the first failure. */
static int
export_row(void *arg, const struct store_row *r)
{
	struct export_ctx *ctx = arg;

	if (ctx->fmt == EXPORT_JSONL)
		ctx->rc = export_row_json(ctx->out, r);
	else
		export_row_csv(ctx->out, r);
	/* stdio errors are sticky; checking once per row stops early. */
	if (ctx->rc == CW_OK && ferror(ctx->out))
		ctx->rc = CW_EIO;
	return ctx->rc != CW_OK;
}

/* Write every page of crawl_id in fmt and order to out. */
enum cw_rc
export_write(struct store *st, FILE *out, enum export_format fmt,
    enum store_order order, int64_t crawl_id)
{
	struct export_ctx ctx = {out, fmt, CW_OK};
	enum cw_rc rc;

	if (fmt != EXPORT_JSONL && fmt != EXPORT_CSV)
		return CW_EINVAL;
	if (fmt == EXPORT_CSV)
		fputs(EXPORT_CSV_HEADER, out);
	rc = store_export(st, crawl_id, order, export_row, &ctx);
	if (rc == CW_OK)
		rc = ctx.rc;
	/* Buffered output fails only here when the disk or pipe is gone. */
	if (fflush(out) != 0 || ferror(out)) {
		if (rc == CW_OK)
			rc = CW_EIO;
	}
	return rc;
}
