/* SPDX-License-Identifier: MIT */
/*
 * strmap.c - open-addressing hash map from strings to int64.
 *
 * The table stores (hash, key pointer, value); keys live in arena chunks of
 * 64 KiB (a longer key gets a chunk of its own), so the seen-set of a large
 * crawl is a few big allocations rather than one per URL. The load factor
 * is kept under 3/4; the 64-bit hash is compared before the strings.
 */
#include <string.h>

#include "crawld/base/strmap.h"

#define STRMAP_CHUNK (64 * 1024)

struct strmap_slot {
	uint64_t hash;	 /* 0 marks an empty slot */
	const char *key; /* borrowed from an arena chunk of the map */
	int64_t value;
};

struct strmap_chunk {
	struct strmap_chunk *next; /* owned */
	size_t used;
	size_t size;
	char data[];
};

struct strmap {
	struct strmap_slot *slots; /* owned */
	size_t mask;		   /* table size - 1 (a power of two) */
	size_t count;
	struct strmap_chunk *chunks; /* owned list, newest first */
	size_t memory;
};

/* FNV-1a, 64-bit; never 0 (0 marks an empty slot). */
static uint64_t
strmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	/* Mix the high bits down: the index uses the low bits. */
	h ^= h >> 29;
	return h == 0 ? 1 : h;
}

/* A new map with 1024 slots. */
struct strmap *
strmap_new(void)
{
	struct strmap *m;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->mask = 1023;
	m->slots = calloc(m->mask + 1, sizeof(*m->slots));
	if (m->slots == NULL) {
		free(m);
		return NULL;
	}
	m->memory = sizeof(*m) + (m->mask + 1) * sizeof(*m->slots);
	return m;
}

/* Free the table and the arenas. */
void
strmap_free(struct strmap *m)
{
	struct strmap_chunk *c, *next;

	if (m == NULL)
		return;
	for (c = m->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(m->slots);
	free(m);
}

/* The slot holding key, or the empty slot where it would go. */
static struct strmap_slot *
strmap_find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & m->mask;

	for (;;) {
		struct strmap_slot *s = &m->slots[i];

		if (s->hash == 0 || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
		i = (i + 1) & m->mask;
	}
}

/* Look a key up. */
int
strmap_get(const struct strmap *m, const char *key, int64_t *value)
{
	struct strmap_slot *s = strmap_find(m, key, strmap_hash(key));

	if (s->hash == 0)
		return 0;
	if (value != NULL)
		*value = s->value;
	return 1;
}

/* Double the table, rehashing every slot. */
static enum cw_rc
strmap_grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots, *s;
	size_t oldsize = m->mask + 1, i;

	m->slots = calloc(oldsize * 2, sizeof(*m->slots));
	if (m->slots == NULL) {
		m->slots = old;
		return CW_ENOMEM;
	}
	m->mask = oldsize * 2 - 1;
	for (i = 0; i < oldsize; i++) {
		if (old[i].hash == 0)
			continue;
		s = strmap_find(m, old[i].key, old[i].hash);
		*s = old[i];
	}
	free(old);
	m->memory += oldsize * sizeof(*m->slots);
	return CW_OK;
}

/* Copy key into the arena; NULL on allocation failure. */
static const char *
strmap_copy_key(struct strmap *m, const char *key)
{
	size_t len = strlen(key) + 1, size;
	struct strmap_chunk *c = m->chunks;
	char *p;

	if (c == NULL || c->size - c->used < len) {
		size = len > STRMAP_CHUNK ? len : STRMAP_CHUNK;
		c = malloc(sizeof(*c) + size);
		if (c == NULL)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = m->chunks;
		m->chunks = c;
		m->memory += sizeof(*c) + size;
	}
	p = c->data + c->used;
	memcpy(p, key, len);
	c->used += len;
	return p;
}

/* Insert unless present. */
enum cw_rc
strmap_put(struct strmap *m, const char *key, int64_t value, int64_t *existing)
{
	uint64_t h = strmap_hash(key);
	struct strmap_slot *s;
	const char *copy;

	s = strmap_find(m, key, h);
	if (s->hash != 0) {
		if (existing != NULL)
			*existing = s->value;
		return CW_EINVAL;
	}
	if ((m->count + 1) * 4 > (m->mask + 1) * 3) {
		if (strmap_grow(m) != CW_OK)
			return CW_ENOMEM;
		s = strmap_find(m, key, h);
	}
	copy = strmap_copy_key(m, key);
	if (copy == NULL)
		return CW_ENOMEM;
	s->hash = h;
	s->key = copy;
	s->value = value;
	m->count++;
	return CW_OK;
}

/* Replace the value of a present key. */
int
strmap_set(struct strmap *m, const char *key, int64_t value)
{
	struct strmap_slot *s = strmap_find(m, key, strmap_hash(key));

	if (s->hash == 0)
		return 0;
	s->value = value;
	return 1;
}

/* Number of keys. */
size_t
strmap_count(const struct strmap *m)
{
	return m->count;
}

/* Bytes held. */
size_t
strmap_memory(const struct strmap *m)
{
	return m->memory;
}
