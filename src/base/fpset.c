/* SPDX-License-Identifier: MIT */
/*
 * fpset.c - fingerprint -> page id, open addressing with linear probing.
 *
 * The fingerprint is MurmurHash64A (Austin Appleby, public domain; our own
 * transcription of the algorithm) with a fixed seed: good avalanche on
 * URLs that differ in a digit, unlike FNV. The set is 64 tables (shards,
 * chosen by the fingerprint's top bits), each kept under 7/8 full and
 * grown by half on its own; the home slot is the fingerprint's low 32
 * bits scaled to the table's size (any size, not only a power of two).
 * Growing a shard holds its old and new tables at once: 1/64 of the set,
 * not the whole set twice over (bench/scale: the million-page crawl
 * peaked at 72 MB when the one table went from 16 to 32 MB). Growing by
 * half, not doubling, keeps the tables 7/12 to 7/8 full instead of 7/16
 * to 7/8: a million URLs take 19 MB, not 32 (B4's peak RSS).
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
	size_t nslots;	      /* FPSET_SHARD_SLOTS0 and up, below 2^32 */
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
		s->shard[i].nslots = FPSET_SHARD_SLOTS0;
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

/* The home slot of fp in a table of n: its low 32 bits scaled to n
   (Lemire's multiply-shift, no division; the top bits chose the shard). */
static size_t
fpset_home(uint64_t fp, size_t n)
{
	return (size_t)(((fp & 0xffffffffu) * (uint64_t)n) >> 32);
}

/* The slot of fp, or the empty one where it would go. */
static struct fpslot *
fpset_find(struct fpslot *slots, size_t n, uint64_t fp)
{
	size_t i = fpset_home(fp, n);

	while (slots[i].fp != 0 && slots[i].fp != fp)
		if (++i == n)
			i = 0;
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

	slot = fpset_find(sh->slots, sh->nslots, fp);
	if (slot->fp == 0)
		return 0;
	if (id != NULL)
		*id = slot->id;
	return 1;
}

/*
 * Grow one shard by half. Only this shard's old and new tables are held
 * at once, so growing costs 1/64 of the set in extra memory and in time
 * (the loop thread waits for it: at most 3.4-7.5 ms at a million URLs
 * under load, never the cause of a late sample in B4), where doubling
 * one table of a million URLs held 48 MB at once and took tens of
 * milliseconds.
 */
static enum cw_rc
fpset_grow(struct fpset *s, struct fpshard *sh)
{
	size_t n = sh->nslots + sh->nslots / 2, i;
	struct fpslot *slots;

	if (n > UINT32_MAX) /* fpset_home() scales 32 bits */
		return CW_ENOMEM;
	slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return CW_ENOMEM;
	if (s->bytes + n * sizeof(*slots) > s->peak)
		s->peak = s->bytes + n * sizeof(*slots);
	for (i = 0; i < sh->nslots; i++)
		if (sh->slots[i].fp != 0)
			*fpset_find(slots, n, sh->slots[i].fp) = sh->slots[i];
	free(sh->slots);
	s->bytes += (n - sh->nslots) * sizeof(*slots);
	sh->slots = slots;
	sh->nslots = n;
	return CW_OK;
}

enum cw_rc
fpset_put(struct fpset *s, const char *url, int64_t id, int64_t *existing)
{
	uint64_t fp = fpset_fingerprint(url, strlen(url));
	struct fpshard *sh = &s->shard[fpset_shard(fp)];
	struct fpslot *slot = fpset_find(sh->slots, sh->nslots, fp);

	if (slot->fp != 0) {
		if (existing != NULL)
			*existing = slot->id;
		return CW_EINVAL;
	}
	if ((sh->count + 1) * 8 > sh->nslots * 7) {
		if (fpset_grow(s, sh) != CW_OK)
			return CW_ENOMEM;
		slot = fpset_find(sh->slots, sh->nslots, fp);
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
	struct fpslot *slot = fpset_find(sh->slots, sh->nslots, fp);

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
