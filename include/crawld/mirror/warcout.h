/* SPDX-License-Identifier: MIT */
/*
 * warcout.h - a crawl's WARC output (--warc FILE): the file, its records
 * and the CDXJ index beside it.
 *
 * Each complete response of a page (any status) becomes a response record
 * (a 304 with an earlier record of the URL: a revisit record, profile
 * server-not-modified) and its request record, linked by
 * WARC-Concurrent-To, with one WARC-Date. The records are built when the
 * transfer ends (warcout_response: from the slot's capture, which the next
 * transfer reuses) and written, flushed whole with write(2), when the
 * page's outcome row is in the store's open batch (warcout_recorded), with
 * one warc_records row per record in that same batch. So the file order is
 * the row order, batches commit in order, and every committed record is
 * whole in the file: a resumed crawl cuts the file where its last
 * committed record ends (a partial record, or whole ones whose page was
 * never committed: the resume fetches those pages again) and appends.
 *
 * A new crawl writes a new file: FILE itself when it does not exist, else
 * FILE with "-1", "-2", ... before ".warc.gz" (never overwriting one);
 * FILE's directory is resolved, so the files of FILE are known by its
 * absolute path (warc_files.base) whatever directory a run starts in. A
 * resume appends to the file the crawl wrote last. The CDXJ index
 * (FILE without ".warc.gz", plus ".cdxj") covers every file written for
 * FILE, from the database, sorted in byte order (LC_ALL=C), rewritten
 * whole (temporary file, rename) by warcout_close().
 *
 * Owns the file descriptor and the pending records; borrows the store.
 * Loop thread only (it writes through the engine's store connection).
 */
#ifndef CRAWLD_WARCOUT_H
#define CRAWLD_WARCOUT_H

#include "crawld/base/common.h"
#include "crawld/engine/engine.h"
#include "crawld/engine/fetch.h"
#include "crawld/store/store.h"

struct warcout;

/* Whether a WARC may be written at path (its directory exists and is
   writable): checked before a crawl starts. CW_EINVAL with err set. */
CW_WARN_UNUSED enum cw_rc warcout_check_path(
    const char *path, char *err, size_t errlen);

/*
 * Open the WARC output of crawl_id for path (borrowed; copied): the file
 * the crawl wrote last for path (cut after its last recorded record), or
 * a new one with its warcinfo record committed. software names the
 * writer in warcinfo. On failure err names the file and the reason.
 */
CW_WARN_UNUSED enum cw_rc warcout_open(struct store *st, const char *path,
    int64_t crawl_id, const char *software, struct warcout **out, char *err,
    size_t errlen);

/*
 * A page's transfer ended with a complete response: build its records
 * from res->capture (nothing to do without one) and keep them until
 * warcout_recorded(page_id). url is the page's URL (the target).
 */
CW_WARN_UNUSED enum cw_rc warcout_response(struct warcout *w, int64_t page_id,
    const char *url, const struct fetch_result *res);

/* The page's outcome row is in the open batch: write its records (if
   any are pending) to the file and their rows to the batch. */
CW_WARN_UNUSED enum cw_rc warcout_recorded(struct warcout *w, int64_t page_id);

/* Fill obs with the observer that feeds w (warcout_response at each
   response, warcout_recorded when it is recorded, CRAWL_OBS_CAPTURE),
   for crawl_add_observer() right after the crawl starts. */
void warcout_observer(struct warcout *w, struct crawl_observer *obs);

/* Records written by this run (a pair per page). */
uint64_t warcout_records(const struct warcout *w);

/* The file written to (borrowed). */
const char *warcout_path(const struct warcout *w);

/*
 * Flush the file to disk, write the CDXJ index of every file of path
 * (after the crawl's last commit, so it lists committed records) and
 * free. Records still pending (a page never recorded) are dropped: the
 * resume fetches those pages again. NULL is a no-op (CW_OK).
 */
CW_WARN_UNUSED enum cw_rc warcout_close(
    struct warcout *w, char *err, size_t errlen);

/* Free without writing the index (after a failure). NULL is a no-op. */
void warcout_free(struct warcout *w);

#endif /* CRAWLD_WARCOUT_H */
