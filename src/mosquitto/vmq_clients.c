/*
 * The clients the plugin let in: the broker's connection (its struct
 * mosquitto *, the key every callback gives us) → client id, certificate
 * serial, address and decision cache. A new epoch re-decides CONNECT for
 * each of them and kicks those now denied, so the table must hold every
 * live session, and nothing else: entries go at DISCONNECT, and a
 * session takeover (same client id, new connection) drops the old one.
 * A chained hash on the pointer, grown when the load passes 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmq.h"

struct vmq_clients {
	struct vmq_client **b;
	size_t nb, n;
	size_t cache_entries;
};

static size_t
slot(const void *key, size_t nb)
{
	uint64_t x = (uint64_t)(uintptr_t)key;

	/* Pointers are aligned: mix the high bits down. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)(x & (nb - 1));
}

struct vmq_clients *
vmq_clients_new(size_t cache_entries)
{
	struct vmq_clients *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->nb = 64;
	if ((t->b = calloc(t->nb, sizeof(struct vmq_client *))) == NULL) {
		free(t);
		return NULL;
	}
	t->cache_entries = cache_entries;
	return t;
}

static void
client_free(struct vmq_client *c)
{
	vmq_cache_free(c->cache);
	free(c->id);
	free(c);
}

void
vmq_clients_free(struct vmq_clients *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nb; i++) {
		struct vmq_client *c = t->b[i], *nx;

		for (; c != NULL; c = nx) {
			nx = c->next;
			client_free(c);
		}
	}
	free(t->b);
	free(t);
}

struct vmq_client *
vmq_clients_find(const struct vmq_clients *t, const void *key)
{
	struct vmq_client *c;

	for (c = t->b[slot(key, t->nb)]; c != NULL; c = c->next)
		if (c->key == key)
			return c;
	return NULL;
}

void
vmq_clients_remove(struct vmq_clients *t, const void *key)
{
	struct vmq_client **pp = &t->b[slot(key, t->nb)];

	for (; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->key == key) {
			struct vmq_client *c = *pp;

			*pp = c->next;
			client_free(c);
			t->n--;
			return;
		}
	}
}

static void
grow(struct vmq_clients *t)
{
	size_t nb = t->nb * 2;
	struct vmq_client **b;

	if (nb == 0 ||
	    (b = calloc(nb, sizeof(struct vmq_client *))) == NULL)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < t->nb; i++) {
		struct vmq_client *c = t->b[i], *nx;

		for (; c != NULL; c = nx) {
			size_t s = slot(c->key, nb);

			nx = c->next;
			c->next = b[s];
			b[s] = c;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

static void
copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src == NULL ? 0 : strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src == NULL ? "" : src, n);
	dst[n] = '\0';
}

struct vmq_client *
vmq_clients_add(struct vmq_clients *t, const void *key, const char *id,
    const char *serial, const char *ip)
{
	struct vmq_client *c;
	size_t s;

	vmq_clients_remove(t, key);
	/* Session takeover: the older connection with this id goes. The
	 * scan is per connect, not per message. */
	for (size_t i = 0; i < t->nb; i++) {
		struct vmq_client **pp = &t->b[i];

		while (*pp != NULL) {
			c = *pp;
			if (strcmp(c->id, id) == 0) {
				*pp = c->next;
				client_free(c);
				t->n--;
			} else {
				pp = &c->next;
			}
		}
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->key = key;
	if ((c->id = strdup(id)) == NULL ||
	    (c->cache = vmq_cache_new(t->cache_entries)) == NULL) {
		client_free(c);
		return NULL;
	}
	copy_str(c->serial, sizeof(c->serial), serial);
	copy_str(c->ip, sizeof(c->ip), ip);
	if (t->n >= t->nb)
		grow(t);
	s = slot(key, t->nb);
	c->next = t->b[s];
	t->b[s] = c;
	t->n++;
	return c;
}

size_t
vmq_clients_count(const struct vmq_clients *t)
{
	return t->n;
}

void
vmq_clients_clear_caches(struct vmq_clients *t)
{
	for (size_t i = 0; i < t->nb; i++)
		for (struct vmq_client *c = t->b[i]; c != NULL; c = c->next)
			vmq_cache_clear(c->cache);
}

const void **
vmq_clients_keys(const struct vmq_clients *t, size_t *n)
{
	const void **k;
	size_t j = 0;

	*n = 0;
	if (t->n == 0 || (k = calloc(t->n, sizeof(*k))) == NULL)
		return NULL;
	for (size_t i = 0; i < t->nb; i++)
		for (struct vmq_client *c = t->b[i]; c != NULL; c = c->next)
			k[j++] = c->key;
	*n = j;
	return k;
}
