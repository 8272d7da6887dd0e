/* SPDX-License-Identifier: MIT */
/*
 * buf.c - capped growable buffer. Grows by doubling so appends are amortised
 * O(1); the cap is checked before any allocation so a hostile body can never
 * make us allocate past it.
 */
#include <string.h>

#include "crawld/base/buf.h"

/* Initialise with a cap. */
void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* Release the storage. */
void
buf_cleanup(struct buf *b)
{
	FREE_NULL(b->data);
	b->len = 0;
	b->cap = 0;
}

/* Empty the buffer, keeping its allocation. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Append n bytes within the cap. */
enum cw_rc
buf_append(struct buf *b, const void *p, size_t n)
{
	size_t need, ncap;
	char *nd;

	if (n > b->max - b->len)
		return CW_ELIMIT;
	need = b->len + n + 1;
	if (need > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < need)
			ncap *= 2;
		if (b->max < SIZE_MAX && ncap > b->max + 1)
			ncap = b->max + 1;
		nd = realloc(b->data, ncap);
		if (nd == NULL)
			return CW_ENOMEM;
		b->data = nd;
		b->cap = ncap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CW_OK;
}

/* Grow the allocation to hold n more bytes and the NUL. */
enum cw_rc
buf_reserve(struct buf *b, size_t n)
{
	size_t need;
	char *nd;

	if (n > b->max - b->len)
		n = b->max - b->len;
	need = b->len + n + 1;
	if (need <= b->cap)
		return CW_OK;
	nd = realloc(b->data, need);
	if (nd == NULL)
		return CW_ENOMEM;
	if (b->data == NULL)
		nd[0] = '\0';
	b->data = nd;
	b->cap = need;
	return CW_OK;
}

/* Append a C string. */
enum cw_rc
buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* Hand the contents to the caller. */
char *
buf_take(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
