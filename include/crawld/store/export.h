/* SPDX-License-Identifier: MIT */
/*
 * export.h - `crawld export`: pages as JSON lines (jansson) or RFC 4180 CSV.
 * Reads through store_export(); builds no SQL of its own.
 */
#ifndef CRAWLD_EXPORT_H
#define CRAWLD_EXPORT_H

#include <stdio.h>

#include "crawld/base/common.h"
#include "crawld/store/store.h"

enum export_format {
	EXPORT_JSONL = 0,
	EXPORT_CSV,
};

/* Parse "jsonl" / "csv"; CW_EINVAL otherwise. */
CW_WARN_UNUSED enum cw_rc export_format_parse(
    const char *s, enum export_format *out);

/* Parse "discovered" / "fetched"; CW_EINVAL otherwise. */
CW_WARN_UNUSED enum cw_rc export_order_parse(
    const char *s, enum store_order *out);

/*
 * Write every page of crawl_id (0 = all crawls) to out. Each record has
 * crawl_id, id, url, depth, state, reason, status, content_type, bytes,
 * discovered_at, fetched_at, parent (the parent's URL, null for seeds).
 * JSON: one object per line, absent values as null. CSV: a header row, then
 * one row per page, fields quoted when they hold a comma, quote, CR or LF,
 * quotes doubled, lines ended by CRLF (RFC 4180); absent values are empty.
 * Returns CW_EIO when out fails (e.g. a closed pipe).
 */
CW_WARN_UNUSED enum cw_rc export_write(struct store *st, FILE *out,
    enum export_format fmt, enum store_order order, int64_t crawl_id);

#endif /* CRAWLD_EXPORT_H */
