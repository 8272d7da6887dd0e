/* SPDX-License-Identifier: MIT */
/*
 * buf.h - a growable byte buffer with a hard cap (the shape of curl's
 * dynbuf). Appending past the cap fails with CW_ELIMIT and leaves the buffer
 * as it was: "too big" is an outcome the caller records, never a crash.
 *
 * The buffer owns data; buf_take() hands it to the caller. The contents are
 * always NUL-terminated when data is not NULL (the NUL is not counted in len).
 */
#ifndef CRAWLD_BUF_H
#define CRAWLD_BUF_H

#include "crawld/base/common.h"

struct buf {
	char *data; /* owned; NULL until the first append */
	size_t len; /* bytes used, not counting the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* hard cap on len */
};

/* Initialise an embedded buffer that will hold at most max bytes. */
void buf_init(struct buf *b, size_t max);

/* Free the contents; the buffer may be reused after buf_init(). */
void buf_cleanup(struct buf *b);

/* Forget the contents but keep the allocation for reuse. */
void buf_reset(struct buf *b);

/* Append n bytes: CW_OK, CW_ELIMIT past max (nothing appended), CW_ENOMEM. */
CW_WARN_UNUSED enum cw_rc buf_append(struct buf *b, const void *p, size_t n);

/* Make room for n more bytes (within the cap, which n is clamped to) so
   the appends that follow do not reallocate; CW_ENOMEM on failure. */
CW_WARN_UNUSED enum cw_rc buf_reserve(struct buf *b, size_t n);

/* Append a NUL-terminated string (without its NUL). */
CW_WARN_UNUSED enum cw_rc buf_append_str(struct buf *b, const char *s);

/*
 * Take ownership of the contents (NUL-terminated, may be NULL when empty);
 * *len gets the length when len is not NULL. The buffer is left empty.
 */
char *buf_take(struct buf *b, size_t *len);

#endif /* CRAWLD_BUF_H */
