/* SPDX-License-Identifier: MIT */
/*
 * mirrorfs.h - the mirror directory on disk: every file is written under
 * a descriptor of DIR with openat()/mkdirat(), each component opened with
 * O_NOFOLLOW, to a temporary name renamed into place. A symlink planted
 * inside DIR is never followed (a symlink where a directory is needed is
 * treated like a file there; one where the file goes is replaced by the
 * file, not written through), so nothing is ever written outside DIR.
 *
 * Collisions (README "Mirroring"): the first name to arrive keeps it.
 *  - A directory is needed where a file (or symlink) is, as for "/x"
 *    then "/x/": the directory is "x%_d" instead.
 *  - A file is to go where a directory is, as for "/x/" then "/x": the
 *    file is "x%_f" instead.
 * Neither is deleted. The path really used is returned; the caller keeps
 * it (the database's URL -> path map), so the rule is applied once.
 * "%_" names cannot come from a URL (localpath.h), so they meet nothing.
 *
 * Owns the directory descriptor. One thread at a time (the loop thread).
 */
#ifndef CRAWLD_MIRRORFS_H
#define CRAWLD_MIRRORFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "crawld/base/common.h"

struct mirrorfs;

/*
 * Open the mirror root dir, creating it (and its parents) when missing.
 * On failure CW_EIO (err names the path and the cause); on CW_OK *out is
 * the caller's (mirrorfs_close).
 */
CW_WARN_UNUSED enum cw_rc mirrorfs_open(
    const char *dir, struct mirrorfs **out, char *err, size_t errlen);

/* Close. NULL is a no-op. */
void mirrorfs_close(struct mirrorfs *m);

/* The root as given (borrowed). */
const char *mirrorfs_root(const struct mirrorfs *m);

/* The last failure, one line naming the path and the cause (borrowed). */
const char *mirrorfs_errmsg(const struct mirrorfs *m);

/*
 * Write data[0..len) as rel (relative, as localpath.h makes them),
 * creating directories and resolving collisions as above. *used gets the
 * path really written (malloc'd). When a regular file with exactly these
 * bytes is there already nothing is written (same inode, same mtime) and
 * *unchanged is true. CW_EFULL for a full disk or quota, CW_EINVAL for a
 * path with an empty, "." or ".." component, CW_EIO otherwise, CW_ENOMEM.
 * Nothing is left half-written: a failure leaves the old file (if any).
 */
CW_WARN_UNUSED enum cw_rc mirrorfs_write(struct mirrorfs *m, const char *rel,
    const void *data, size_t len, char **used, bool *unchanged);

/*
 * Read rel (no symlink followed on the way) into *data (malloc'd, NUL
 * after the bytes, *len bytes), at most max bytes. CW_OK with *data NULL
 * when it is not there as a regular file or is larger than max.
 */
CW_WARN_UNUSED enum cw_rc mirrorfs_read(
    struct mirrorfs *m, const char *rel, size_t max, char **data, size_t *len);

/* lstat-like for rel, no symlink followed: *exists is whether it is a
   regular file; st gets its stat then. */
CW_WARN_UNUSED enum cw_rc mirrorfs_stat(
    struct mirrorfs *m, const char *rel, struct stat *st, bool *exists);

#endif /* CRAWLD_MIRRORFS_H */
