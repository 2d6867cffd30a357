/* A string-keyed hash table with fixed-size values, for indexes of a million orders. */
#include <stdlib.h>
#include <string.h>

#include "wgo.h"

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

void
hmap_init(struct hmap *m, size_t vsize)
{
	memset(m, 0, sizeof *m);
	m->vsize = vsize;
}

static char *
arena_strdup(struct hmap *m, const char *s, size_t n)
{
	if (m->arena_left < n + 1) {
		/* Small at first: most tables in a run hold a handful of keys. */
		size_t chunk = m->chunks ? 65536 : 4096;
		size_t sz = n + 1 > chunk ? n + 1 : chunk;
		struct hmap_chunk *c = xmalloc(sizeof *c + sz);
		c->next = m->chunks;
		m->chunks = c;
		m->arena = c->data;
		m->arena_left = sz;
	}
	char *p = m->arena;
	memcpy(p, s, n);
	p[n] = 0;
	m->arena += n + 1;
	m->arena_left -= n + 1;
	return p;
}

static void
grow(struct hmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct hmap_slot *ns = xcalloc(ncap, sizeof *ns);
	unsigned char *nv = xmalloc(ncap * m->vsize);
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t j = m->slots[i].hash & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = m->slots[i];
		memcpy(nv + j * m->vsize, m->vals + i * m->vsize, m->vsize);
	}
	free(m->slots);
	free(m->vals);
	m->slots = ns;
	m->vals = nv;
	m->cap = ncap;
}

void *
hmap_getn(const struct hmap *m, const char *k, size_t n)
{
	if (!m->cap)
		return NULL;
	uint64_t h = hash(k, n);
	for (size_t j = h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
		if (m->slots[j].hash == h && !strncmp(m->slots[j].key, k, n) && !m->slots[j].key[n])
			return m->vals + j * m->vsize;
	return NULL;
}

void *
hmap_get(const struct hmap *m, const char *k)
{
	return hmap_getn(m, k, strlen(k));
}

void *
hmap_putn(struct hmap *m, const char *k, size_t n, int *isnew)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	uint64_t h = hash(k, n);
	size_t j;
	for (j = h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
		if (m->slots[j].hash == h && !strncmp(m->slots[j].key, k, n) && !m->slots[j].key[n]) {
			if (isnew)
				*isnew = 0;
			return m->vals + j * m->vsize;
		}
	m->slots[j].key = arena_strdup(m, k, n);
	m->slots[j].hash = h;
	m->n++;
	memset(m->vals + j * m->vsize, 0, m->vsize);
	if (isnew)
		*isnew = 1;
	return m->vals + j * m->vsize;
}

void *
hmap_put(struct hmap *m, const char *k, int *isnew)
{
	return hmap_putn(m, k, strlen(k), isnew);
}

const char *
hmap_key(const struct hmap *m, const void *val)
{
	size_t j = (size_t)((const unsigned char *)val - m->vals) / m->vsize;
	return m->slots[j].key;
}

void *
hmap_iter(const struct hmap *m, size_t *i)
{
	for (; *i < m->cap; (*i)++)
		if (m->slots[*i].key)
			return m->vals + (*i)++ * m->vsize;
	return NULL;
}

void
hmap_free(struct hmap *m)
{
	while (m->chunks) {
		struct hmap_chunk *c = m->chunks;
		m->chunks = c->next;
		free(c);
	}
	free(m->slots);
	free(m->vals);
	memset(m, 0, sizeof *m);
}
