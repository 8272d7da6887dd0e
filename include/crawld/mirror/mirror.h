/* SPDX-License-Identifier: MIT */
/*
 * mirror.h - `crawld crawl --mirror DIR`: a crawl observer (engine.h)
 * that writes each 2xx body under DIR (localpath.h names it, mirrorfs.h
 * writes it), keeps the URL -> path map in the database (store.h
 * mirror_files, keyed by DIR's realpath: one URL mirrored into two
 * directories is two rows) and, with conversion on, rewrites the links
 * of HTML and CSS files (convert.h) as they arrive and again at the
 * crawl's end for those whose targets came later.
 *
 * The original bytes of every HTML and CSS file are kept as
 * DIR/.crawld/orig/<sha256> (a host folder never begins with '.'): a
 * conversion always starts from them, never from an earlier conversion,
 * and a re-mirror's 304 takes its links from them. Files the map holds
 * are re-mirrored conditionally (their ETag/Last-Modified) only while the
 * file (and its original) is still on disk.
 *
 * Owns its mirrorfs and pending state; borrows the store and the crawl.
 * Loop thread only.
 */
#ifndef CRAWLD_MIRROR_H
#define CRAWLD_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "crawld/base/common.h"
#include "crawld/engine/engine.h"
#include "crawld/store/store.h"

struct mirror;

struct mirror_stats {
	uint64_t written;   /* files written (new or changed) */
	uint64_t unchanged; /* files already there with the same bytes */
	uint64_t converted; /* documents whose links were converted */
	uint64_t links_local;
	uint64_t links_absolute;
};

/*
 * A mirror into dir (created when missing) recording its map in st
 * (borrowed); the rows of a schema-5 database, which had one map, become
 * dir's (store_mirror_adopt) in st's open batch. convert: rewrite links.
 * max_size: the largest original read back. On failure CW_EIO/CW_ENOMEM with
 * err naming the cause.
 */
CW_WARN_UNUSED enum cw_rc mirror_open(const char *dir, struct store *st,
    bool convert, size_t max_size, struct mirror **out, char *err,
    size_t errlen);

/* Free (after the crawl it observes has ended). NULL is a no-op. */
void mirror_close(struct mirror *m);

/* Observe every crawl engine e starts or resumes from now on (from its
   seeds on, so they are asked conditionally too); m must outlive them. */
CW_WARN_UNUSED enum cw_rc mirror_attach(struct mirror *m, struct engine *e);

/* The observer of one crawl (crawl_start_observed(), the daemon's job
   that mirrors); m must outlive that crawl. */
void mirror_observer(struct mirror *m, struct crawl_observer *o);

/* The directory's realpath, its map's key (borrowed). */
const char *mirror_root(const struct mirror *m);

/*
 * `crawld convert`: convert every HTML and CSS file of the map again from
 * its original, with the map as it is now. Writes only files whose bytes
 * change. The store's open batch is the caller's to flush.
 */
CW_WARN_UNUSED enum cw_rc mirror_convert_all(struct mirror *m);

void mirror_get_stats(const struct mirror *m, struct mirror_stats *s);

/* The last failure, one line (borrowed). */
const char *mirror_errmsg(const struct mirror *m);

#endif /* CRAWLD_MIRROR_H */
