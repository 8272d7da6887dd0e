/* SPDX-License-Identifier: MIT */
/*
 * idmap.c - int64 -> int64 open-addressing map with deletion (see idmap.h).
 *
 * Linear probing; a removed slot is refilled by shifting the entries of
 * its probe run back (Knuth's Algorithm R), so lookups never wade through
 * tombstones and the load factor is the live count alone. The table
 * doubles past 3/4 full and halves below 1/8 (down to IDMAP_MIN slots).
 * Owns its table.
 */
#include <string.h>

#include "crawld/base/idmap.h"

#define IDMAP_MIN 16 /* slots; a power of two */

struct idmap_slot {
	int64_t key; /* 0 marks an empty slot */
	int64_t value;
};

struct idmap {
	struct idmap_slot *slots; /* owned */
	size_t mask;		  /* table size - 1 */
	size_t count;
};

/* Mix a key into a table index (splitmix64's finaliser). */
static size_t
idmap_index(const struct idmap *m, int64_t key)
{
	uint64_t h = (uint64_t)key;

	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (size_t)h & m->mask;
}

/* A new map with the smallest table. */
struct idmap *
idmap_new(void)
{
	struct idmap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->mask = IDMAP_MIN - 1;
	m->slots = calloc(IDMAP_MIN, sizeof(*m->slots));
	if (m->slots == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

/* Free the table. */
void
idmap_free(struct idmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

/* The slot holding key, or the empty slot that ends its probe run. */
static struct idmap_slot *
idmap_find(const struct idmap *m, int64_t key)
{
	size_t i = idmap_index(m, key);

	while (m->slots[i].key != 0 && m->slots[i].key != key)
		i = (i + 1) & m->mask;
	return &m->slots[i];
}

/* Look a key up. */
int
idmap_get(const struct idmap *m, int64_t key, int64_t *value)
{
	const struct idmap_slot *s;

	if (key == 0)
		return 0;
	s = idmap_find(m, key);
	if (s->key == 0)
		return 0;
	if (value != NULL)
		*value = s->value;
	return 1;
}

/* Move every entry into a table of size slots. */
static enum cw_rc
idmap_resize(struct idmap *m, size_t size)
{
	struct idmap_slot *old = m->slots, *s;
	size_t oldsize = m->mask + 1, i;

	m->slots = calloc(size, sizeof(*m->slots));
	if (m->slots == NULL) {
		m->slots = old;
		return CW_ENOMEM;
	}
	m->mask = size - 1;
	for (i = 0; i < oldsize; i++) {
		if (old[i].key == 0)
			continue;
		s = idmap_find(m, old[i].key);
		*s = old[i];
	}
	free(old);
	return CW_OK;
}

/* Insert or replace. */
enum cw_rc
idmap_put(struct idmap *m, int64_t key, int64_t value)
{
	struct idmap_slot *s;

	if (key == 0)
		return CW_EINVAL;
	s = idmap_find(m, key);
	if (s->key == key) {
		s->value = value;
		return CW_OK;
	}
	if ((m->count + 1) * 4 > (m->mask + 1) * 3) {
		if (idmap_resize(m, (m->mask + 1) * 2) != CW_OK)
			return CW_ENOMEM;
		s = idmap_find(m, key);
	}
	s->key = key;
	s->value = value;
	m->count++;
	return CW_OK;
}

/* Remove key, shifting later entries of its probe run back. */
int
idmap_del(struct idmap *m, int64_t key)
{
	size_t i, j, home;

	if (key == 0)
		return 0;
	i = (size_t)(idmap_find(m, key) - m->slots);
	if (m->slots[i].key == 0)
		return 0;
	for (j = (i + 1) & m->mask; m->slots[j].key != 0;
	     j = (j + 1) & m->mask) {
		home = idmap_index(m, m->slots[j].key);
		/* Entry j may fill the hole at i unless its home lies
		   cyclically in (i, j]: then it must stay after its home. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	m->slots[i].key = 0;
	m->slots[i].value = 0;
	m->count--;
	if (m->mask + 1 > IDMAP_MIN && m->count * 8 < m->mask + 1)
		(void)idmap_resize(m, (m->mask + 1) / 2);
	return 1;
}

size_t
idmap_count(const struct idmap *m)
{
	return m->count;
}

size_t
idmap_memory(const struct idmap *m)
{
	return sizeof(*m) + (m->mask + 1) * sizeof(*m->slots);
}
