/* SPDX-License-Identifier: MIT */
/*
 * fpset.c - fingerprint -> page id, open addressing with linear probing.
 *
 * The fingerprint is MurmurHash64A (Austin Appleby, public domain; our own
 * transcription of the algorithm) with a fixed seed: good avalanche on
 * URLs that differ in a digit, unlike FNV. The table is kept under 7/8
 * full; slot index = fingerprint bits, so a lookup touches one or two
 * cache lines.
 */
#include <string.h>

#include "crawld/base/fpset.h"

struct fpslot {
	uint64_t fp; /* 0 = empty */
	int64_t id;
};

struct fpset {
	struct fpslot *slots; /* owned */
	size_t mask;
	size_t count;
};

/* Read 8 bytes little-endian without alignment assumptions. */
static uint64_t
fp_load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* MurmurHash64A of s[0..len). */
uint64_t
fpset_fingerprint(const char *s, size_t len)
{
	const uint64_t m = 0xc6a4a7935bd1e995ULL;
	const int r = 47;
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + (len & ~(size_t)7);
	uint64_t h = 0x9747b28cULL ^ (len * m), k;
	size_t tail = len & 7;

	for (; p != end; p += 8) {
		k = fp_load64(p);
		k *= m;
		k ^= k >> r;
		k *= m;
		h ^= k;
		h *= m;
	}
	/* The last len % 8 bytes, as MurmurHash64A's tail switch does. */
	for (; tail > 0; tail--)
		h ^= (uint64_t)p[tail - 1] << (8 * (tail - 1));
	if ((len & 7) != 0)
		h *= m;
	h ^= h >> r;
	h *= m;
	h ^= h >> r;
	return h != 0 ? h : 1;
}

/* A new set of 4096 slots. */
struct fpset *
fpset_new(void)
{
	struct fpset *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->mask = 4095;
	s->slots = calloc(s->mask + 1, sizeof(*s->slots));
	if (s->slots == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
fpset_free(struct fpset *s)
{
	if (s == NULL)
		return;
	free(s->slots);
	free(s);
}

/* The slot of fp, or the empty one where it would go. */
static struct fpslot *
fpset_find(struct fpslot *slots, size_t mask, uint64_t fp)
{
	size_t i = (size_t)fp & mask;

	while (slots[i].fp != 0 && slots[i].fp != fp)
		i = (i + 1) & mask;
	return &slots[i];
}

int
fpset_get(const struct fpset *s, const char *url, int64_t *id)
{
	struct fpslot *slot;

	slot =
	    fpset_find(s->slots, s->mask, fpset_fingerprint(url, strlen(url)));
	if (slot->fp == 0)
		return 0;
	if (id != NULL)
		*id = slot->id;
	return 1;
}

/* Double the table. */
static enum cw_rc
fpset_grow(struct fpset *s)
{
	size_t n = (s->mask + 1) * 2, i;
	struct fpslot *slots;

	slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return CW_ENOMEM;
	for (i = 0; i <= s->mask; i++)
		if (s->slots[i].fp != 0)
			*fpset_find(slots, n - 1, s->slots[i].fp) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->mask = n - 1;
	return CW_OK;
}

enum cw_rc
fpset_put(struct fpset *s, const char *url, int64_t id, int64_t *existing)
{
	uint64_t fp = fpset_fingerprint(url, strlen(url));
	struct fpslot *slot = fpset_find(s->slots, s->mask, fp);

	if (slot->fp != 0) {
		if (existing != NULL)
			*existing = slot->id;
		return CW_EINVAL;
	}
	if ((s->count + 1) * 8 > (s->mask + 1) * 7) {
		if (fpset_grow(s) != CW_OK)
			return CW_ENOMEM;
		slot = fpset_find(s->slots, s->mask, fp);
	}
	slot->fp = fp;
	slot->id = id;
	s->count++;
	return CW_OK;
}

size_t
fpset_count(const struct fpset *s)
{
	return s->count;
}

size_t
fpset_memory(const struct fpset *s)
{
	return sizeof(*s) + (s->mask + 1) * sizeof(*s->slots);
}
