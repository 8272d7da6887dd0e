/* SPDX-License-Identifier: MIT */
/*
 * fpset.c - fingerprint -> page id, open addressing with linear probing.
 *
 * The fingerprint is MurmurHash64A (Austin Appleby, public domain; our own
 * transcription of the algorithm) with a fixed seed: good avalanche on
 * URLs that differ in a digit, unlike FNV. The set is 64 tables (shards,
 * chosen by the fingerprint's top bits), each kept under 7/8 full and
 * doubled on its own; slot index = the fingerprint's low bits. Growing a
 * shard holds its old and new tables at once: 1/64 of the set, not the
 * whole set twice over (bench/scale: the million-page crawl peaked at
 * 72 MB when the one table went from 16 to 32 MB).
 */
#include <string.h>

#include "crawld/base/fpset.h"

struct fpslot {
	uint64_t fp; /* 0 = empty */
	int64_t id;
};

/* 64 shards by the fingerprint's top 6 bits, each its own table. */
#define FPSET_SHARD_BITS 6
#define FPSET_SHARDS (1u << FPSET_SHARD_BITS)
#define FPSET_SHARD_SLOTS0 64

struct fpshard {
	struct fpslot *slots; /* owned */
	size_t mask;	      /* slots - 1, a power of two less one */
	size_t count;
};

struct fpset {
	struct fpshard shard[FPSET_SHARDS];
	size_t count; /* all shards */
	size_t bytes; /* held now */
	size_t peak;  /* most held at once, a growth's two tables included */
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

/* A new set: 64 shards of 64 slots (64 KB). */
struct fpset *
fpset_new(void)
{
	struct fpset *s = calloc(1, sizeof(*s));
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < FPSET_SHARDS; i++) {
		s->shard[i].mask = FPSET_SHARD_SLOTS0 - 1;
		s->shard[i].slots =
		    calloc(FPSET_SHARD_SLOTS0, sizeof(struct fpslot));
		if (s->shard[i].slots == NULL) {
			fpset_free(s);
			return NULL;
		}
	}
	s->bytes = sizeof(*s) +
	    FPSET_SHARDS * FPSET_SHARD_SLOTS0 * sizeof(struct fpslot);
	s->peak = s->bytes;
	return s;
}

void
fpset_free(struct fpset *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < FPSET_SHARDS; i++)
		free(s->shard[i].slots);
	free(s);
}

/* The shard of fp: its top bits (the slot index uses the low ones). */
static size_t
fpset_shard(uint64_t fp)
{
	return (size_t)(fp >> (64 - FPSET_SHARD_BITS));
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
	return fpset_get_fp(s, fpset_fingerprint(url, strlen(url)), id);
}

int
fpset_get_fp(const struct fpset *s, uint64_t fp, int64_t *id)
{
	const struct fpshard *sh = &s->shard[fpset_shard(fp)];
	struct fpslot *slot;

	slot = fpset_find(sh->slots, sh->mask, fp);
	if (slot->fp == 0)
		return 0;
	if (id != NULL)
		*id = slot->id;
	return 1;
}

/*
 * Double one shard. Only this shard's old and new tables are held at
 * once, so growing costs 1/64 of the set in extra memory and in time (the
 * loop thread waits for it), where doubling one table of a million URLs
 * held 48 MB at once and took tens of milliseconds.
 */
static enum cw_rc
fpset_grow(struct fpset *s, struct fpshard *sh)
{
	size_t n = (sh->mask + 1) * 2, i;
	struct fpslot *slots;

	slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return CW_ENOMEM;
	if (s->bytes + n * sizeof(*slots) > s->peak)
		s->peak = s->bytes + n * sizeof(*slots);
	for (i = 0; i <= sh->mask; i++)
		if (sh->slots[i].fp != 0)
			*fpset_find(slots, n - 1, sh->slots[i].fp) =
			    sh->slots[i];
	free(sh->slots);
	s->bytes += (n / 2) * sizeof(*slots);
	sh->slots = slots;
	sh->mask = n - 1;
	return CW_OK;
}

enum cw_rc
fpset_put(struct fpset *s, const char *url, int64_t id, int64_t *existing)
{
	uint64_t fp = fpset_fingerprint(url, strlen(url));
	struct fpshard *sh = &s->shard[fpset_shard(fp)];
	struct fpslot *slot = fpset_find(sh->slots, sh->mask, fp);

	if (slot->fp != 0) {
		if (existing != NULL)
			*existing = slot->id;
		return CW_EINVAL;
	}
	if ((sh->count + 1) * 8 > (sh->mask + 1) * 7) {
		if (fpset_grow(s, sh) != CW_OK)
			return CW_ENOMEM;
		slot = fpset_find(sh->slots, sh->mask, fp);
	}
	slot->fp = fp;
	slot->id = id;
	sh->count++;
	s->count++;
	return CW_OK;
}

int
fpset_set(struct fpset *s, const char *url, int64_t id)
{
	uint64_t fp = fpset_fingerprint(url, strlen(url));
	struct fpshard *sh = &s->shard[fpset_shard(fp)];
	struct fpslot *slot = fpset_find(sh->slots, sh->mask, fp);

	if (slot->fp == 0)
		return 0;
	slot->id = id;
	return 1;
}

size_t
fpset_count(const struct fpset *s)
{
	return s->count;
}

size_t
fpset_memory(const struct fpset *s)
{
	return s->bytes;
}

size_t
fpset_peak_memory(const struct fpset *s)
{
	return s->peak;
}
