/*
 * The device gateway's TLS session cache shared by all net workers
 * (gw_sesscache.h): a fixed table in one MAP_SHARED anonymous mapping,
 * and the OpenSSL callbacks that keep the gateway's sessions there.
 *
 * Choices:
 *  - Set-associative: a session id hashes (keyed, seed drawn at
 *    creation) to one set of WAYS slots. A lookup or store scans that
 *    set only; a store takes the id's own slot, else a free, expired
 *    or stale slot, else evicts the set's oldest entry. No tombstones,
 *    no chains, bounded work under the lock.
 *  - One process-shared robust mutex: the critical sections are a
 *    scan of 8 headers and one copy of at most 2 KiB, while the work
 *    around them (a TLS handshake) is far longer (measured: the cache
 *    is under 0.2% of a worker's time in the resumption benchmark). A
 *    worker killed while holding it (SIGKILL, crash) leaves it
 *    EOWNERDEAD for the next locker, which marks it consistent and
 *    bumps the generation: whatever the dead worker was writing is
 *    ignored. No syscall beyond futex, which the sandbox allows.
 *  - Generation: each entry records the generation it was stored in; a
 *    flush is one increment, and every worker ignores (and wipes when
 *    it meets them) entries of older generations. That is how the
 *    flush after a revocation or trust change reaches all workers.
 *  - Entries are wiped (explicit_bzero) when overwritten, removed or
 *    found expired or stale, and all of them when the parent exits.
 *  - OpenSSL side: SSL_SESS_CACHE_NO_INTERNAL, so the shared table is
 *    the only cache: a session removed by one worker (expired, or a
 *    connection that ended without close_notify) cannot live on in
 *    another worker's private cache, and a worker exiting
 *    (SSL_CTX_free) does not remove its sessions from everybody's
 *    cache. Entries are
 *    i2d_SSL_SESSION followed by the client's certificate chain (the
 *    DER session keeps the leaf only; gw_tls classifies a resumed peer
 *    walking that chain), restored with d2i on lookup. A session that
 *    does not fit is not cached: that client does full handshakes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "gw_sesscache.h"

/*
 * TLS 1.3 with SSL_OP_NO_TICKET (what the gateway sets): OpenSSL 3.0
 * sends "stateful tickets", each the 32-byte id of a session it stores
 * through new_cb, and finds them again through get_cb, so this cache
 * serves TLS 1.3 resumption too and no ticket key exists. A stateful
 * ticket is not single-use (OpenSSL removes it on use only when early
 * data is on, which the gateway never allows): like a TLS 1.2 session
 * id it resumes until it expires or a flush, without 0-RTT nothing is
 * gained by replaying it.
 */

#define WAYS 8
#define SLOT_HDR 64
#define DATA_MAX (GW_SESSCACHE_SLOT - SLOT_HDR)
#define MAX_ENTRIES (1u << 24)

struct slot {
	uint64_t gen;        /* generation stored in; 0 = free */
	int64_t expiry;      /* seconds (time()) */
	uint64_t stamp;      /* store order, for eviction */
	uint16_t id_len;
	uint16_t len;        /* bytes of data */
	uint32_t pad;
	unsigned char id[GW_SESSCACHE_ID_MAX];
	unsigned char data[DATA_MAX];
};

_Static_assert(sizeof(struct slot) == GW_SESSCACHE_SLOT,
    "slot header is SLOT_HDR bytes");

struct gw_sesscache {
	pthread_mutex_t lock;
	size_t map_size;
	uint32_t nsets;
	uint32_t timeout_s;
	uint64_t gen;        /* current generation, >= 1 */
	uint64_t stamp;
	uint64_t seed[2];
	uint64_t hits, misses, stores, evictions, refused, flushes;
	struct slot *slots;  /* nsets * WAYS, page aligned */
};

/* ---- the table ---- */

static size_t
hdr_size(void)
{
	size_t h = sizeof(struct gw_sesscache);

	return (h + GW_SESSCACHE_SLOT - 1) / GW_SESSCACHE_SLOT *
	    GW_SESSCACHE_SLOT;
}

struct gw_sesscache *
gw_sesscache_create(unsigned entries, unsigned timeout_s)
{
	pthread_mutexattr_t ma;
	struct gw_sesscache *c;
	size_t nsets, size;
	void *m;

	if (entries == 0) {
		errno = 0;
		return NULL;
	}
	if (entries > MAX_ENTRIES)
		entries = MAX_ENTRIES;
	nsets = (entries + WAYS - 1) / WAYS;
	size = hdr_size() + nsets * WAYS * sizeof(struct slot);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* Never in a core dump (master secrets); best effort. */
	(void)madvise(m, size, MADV_DONTDUMP);
	c = m;
	c->map_size = size;
	c->nsets = (uint32_t)nsets;
	c->timeout_s = timeout_s;
	c->gen = 1;
	c->slots = (struct slot *)((unsigned char *)m + hdr_size());
	if (RAND_bytes((unsigned char *)c->seed, sizeof c->seed) != 1) {
		ERR_clear_error();
		munmap(m, size);
		errno = EIO;
		return NULL;
	}
	if (pthread_mutexattr_init(&ma) != 0 ||
	    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST) != 0 ||
	    pthread_mutex_init(&c->lock, &ma) != 0) {
		munmap(m, size);
		errno = ENOTSUP;
		return NULL;
	}
	pthread_mutexattr_destroy(&ma);
	return c;
}

static void
slot_wipe(struct slot *s)
{
	explicit_bzero(s->data, s->len);
	explicit_bzero(s->id, sizeof s->id);
	s->len = 0;
	s->id_len = 0;
	s->gen = 0;
	s->expiry = 0;
}

/* Wipes the entries of the pages that exist: reading a page never
 * touched would allocate it (shared memory), growing the table to its
 * full size at every exit. A slot never straddles pages (2 KiB slots
 * from a 2 KiB offset). */
void
gw_sesscache_destroy(struct gw_sesscache *c)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), n, npages;
	unsigned char *vec = NULL;

	if (c == NULL)
		return;
	n = (size_t)c->nsets * WAYS;
	npages = (c->map_size + pg - 1) / pg;
	if ((vec = malloc(npages)) != NULL &&
	    mincore(c, c->map_size, vec) != 0) {
		free(vec);
		vec = NULL; /* wipe (and so touch) everything */
	}
	for (size_t i = 0; i < n; i++) {
		size_t page = ((size_t)((unsigned char *)&c->slots[i] -
		    (unsigned char *)c)) / pg;

		if (vec != NULL && !(vec[page] & 1))
			continue;
		if (c->slots[i].gen != 0 || c->slots[i].len != 0)
			slot_wipe(&c->slots[i]);
	}
	free(vec);
	explicit_bzero(c->seed, sizeof c->seed);
	munmap(c, c->map_size);
}

void
gw_sesscache_unmap(struct gw_sesscache *c)
{
	if (c != NULL)
		munmap(c, c->map_size);
}

size_t
gw_sesscache_data_max(void)
{
	return DATA_MAX;
}

/* Locks c; a holder that died leaves its writes unknown: forget all. */
static int
lock(struct gw_sesscache *c)
{
	int rc = pthread_mutex_lock(&c->lock);

	if (rc == EOWNERDEAD) {
		c->gen++;
		c->flushes++;
		pthread_mutex_consistent(&c->lock);
		return 0;
	}
	return rc == 0 ? 0 : -1;
}

static void
unlock(struct gw_sesscache *c)
{
	pthread_mutex_unlock(&c->lock);
}

/* SipHash would do; ids are random bytes chosen by OpenSSL when stored,
 * and a client choosing lookup ids only picks which set is scanned. The
 * seed keeps sets unpredictable anyway. */
static struct slot *
set_of(const struct gw_sesscache *c, const unsigned char *id, size_t len)
{
	uint64_t h = c->seed[0] ^ 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= id[i];
		h *= 0x100000001b3ull;
	}
	h ^= c->seed[1];
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return &c->slots[(size_t)(h % c->nsets) * WAYS];
}

static bool
live(const struct gw_sesscache *c, const struct slot *s, int64_t now)
{
	return s->gen == c->gen && s->expiry > now;
}

static bool
same_id(const struct slot *s, const unsigned char *id, size_t len)
{
	return s->id_len == len && CRYPTO_memcmp(s->id, id, len) == 0;
}

/* The live slot of id in set, wiping the dead ones met on the way. */
static struct slot *
find(struct gw_sesscache *c, struct slot *set, const unsigned char *id,
    size_t len, int64_t now)
{
	struct slot *hit = NULL;

	for (int i = 0; i < WAYS; i++) {
		struct slot *s = &set[i];

		if (s->gen == 0)
			continue;
		if (!live(c, s, now))
			slot_wipe(s);
		else if (hit == NULL && same_id(s, id, len))
			hit = s;
	}
	return hit;
}

int
gw_sesscache_put(struct gw_sesscache *c, const unsigned char *id,
    size_t idlen, const void *data, size_t len, int64_t now)
{
	struct slot *set, *s;

	if (c == NULL)
		return -1;
	if (idlen == 0 || idlen > GW_SESSCACHE_ID_MAX || len == 0 ||
	    len > DATA_MAX) {
		__atomic_fetch_add(&c->refused, 1, __ATOMIC_RELAXED);
		return -1;
	}
	if (lock(c) != 0)
		return -1;
	set = set_of(c, id, idlen);
	if ((s = find(c, set, id, idlen, now)) == NULL) {
		for (int i = 0; i < WAYS && s == NULL; i++)
			if (set[i].gen == 0)
				s = &set[i];
		if (s == NULL) {
			s = &set[0];
			for (int i = 1; i < WAYS; i++)
				if (set[i].stamp < s->stamp)
					s = &set[i];
			c->evictions++;
		}
	}
	/* Unusable until complete: a writer killed mid-copy leaves a free
	 * slot (and the generation bump of lock() besides). */
	slot_wipe(s);
	memcpy(s->id, id, idlen);
	memcpy(s->data, data, len);
	s->id_len = (uint16_t)idlen;
	s->len = (uint16_t)len;
	s->expiry = now + (int64_t)c->timeout_s;
	s->stamp = ++c->stamp;
	s->gen = c->gen;
	c->stores++;
	unlock(c);
	return 0;
}

int
gw_sesscache_get(struct gw_sesscache *c, const unsigned char *id,
    size_t idlen, void *out, size_t outsize, size_t *len, int64_t now)
{
	struct slot *s;
	int found = 0;

	*len = 0;
	if (c == NULL || idlen == 0 || idlen > GW_SESSCACHE_ID_MAX)
		return 0;
	if (lock(c) != 0)
		return 0;
	s = find(c, set_of(c, id, idlen), id, idlen, now);
	if (s != NULL && s->len <= outsize) {
		memcpy(out, s->data, s->len);
		*len = s->len;
		found = 1;
		c->hits++;
	} else
		c->misses++;
	unlock(c);
	return found;
}

void
gw_sesscache_remove(struct gw_sesscache *c, const unsigned char *id,
    size_t idlen)
{
	struct slot *s;

	if (c == NULL || idlen == 0 || idlen > GW_SESSCACHE_ID_MAX ||
	    lock(c) != 0)
		return;
	/* Any generation or age: an old copy is wiped as well. */
	s = set_of(c, id, idlen);
	for (int i = 0; i < WAYS; i++)
		if (s[i].gen != 0 && same_id(&s[i], id, idlen))
			slot_wipe(&s[i]);
	unlock(c);
}

void
gw_sesscache_flush(struct gw_sesscache *c)
{
	if (c == NULL || lock(c) != 0)
		return;
	c->gen++;
	c->flushes++;
	unlock(c);
}

void
gw_sesscache_stats(struct gw_sesscache *c, struct gw_sesscache_stats *out)
{
	memset(out, 0, sizeof *out);
	if (c == NULL || lock(c) != 0)
		return;
	out->hits = c->hits;
	out->misses = c->misses;
	out->stores = c->stores;
	out->evictions = c->evictions;
	out->refused = __atomic_load_n(&c->refused, __ATOMIC_RELAXED);
	out->flushes = c->flushes;
	out->generation = c->gen;
	out->entries = (size_t)c->nsets * WAYS;
	unlock(c);
}

int
gw_sesscache_test_hold_lock(struct gw_sesscache *c)
{
	return c != NULL ? lock(c) : -1;
}

/* ---- OpenSSL hookup ---- */

static int cache_idx = -1;  /* SSL_CTX: the struct gw_sesscache */
static int chain_idx = -1;  /* SSL_SESSION: a restored peer chain */

static void
chain_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	sk_X509_pop_free(ptr, X509_free);
}

/* Entry layout: 2 bytes session length (big endian), the DER session,
 * then the DER certificates of the chain, back to back. */
static size_t
serialise(SSL *ssl, SSL_SESSION *sess, unsigned char *buf, size_t size)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	unsigned char *p;
	int n = i2d_SSL_SESSION(sess, NULL);
	size_t off;

	if (n <= 0 || (size_t)n + 2 > size || n > 0xffff)
		return 0;
	buf[0] = (unsigned char)(n >> 8);
	buf[1] = (unsigned char)n;
	p = buf + 2;
	if (i2d_SSL_SESSION(sess, &p) != n)
		return 0;
	off = 2 + (size_t)n;
	for (int i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		int k = i2d_X509(x, NULL);

		if (x == SSL_SESSION_get0_peer(sess))
			continue;
		if (k <= 0 || (size_t)k > size - off)
			return 0;
		p = buf + off;
		if (i2d_X509(x, &p) != k)
			return 0;
		off += (size_t)k;
	}
	return off;
}

static SSL_SESSION *
deserialise(const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf + 2, *end = buf + len;
	size_t n;
	SSL_SESSION *sess;
	STACK_OF(X509) *chain = NULL;

	if (len < 2 || (n = (size_t)buf[0] << 8 | buf[1]) > len - 2)
		return NULL;
	if ((sess = d2i_SSL_SESSION(NULL, &p, (long)n)) == NULL ||
	    p != buf + 2 + n)
		goto fail;
	while (p < end) {
		X509 *x = d2i_X509(NULL, &p, (long)(end - p));

		if (x == NULL || (chain == NULL &&
		    (chain = sk_X509_new_null()) == NULL) ||
		    sk_X509_push(chain, x) == 0) {
			X509_free(x);
			goto fail;
		}
	}
	if (chain != NULL && SSL_SESSION_set_ex_data(sess, chain_idx,
	    chain) != 1)
		goto fail;
	return sess;
fail:
	sk_X509_pop_free(chain, X509_free);
	SSL_SESSION_free(sess);
	return NULL;
}

static struct gw_sesscache *
cache_of(SSL_CTX *ctx)
{
	return SSL_CTX_get_ex_data(ctx, cache_idx);
}

static int
new_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct gw_sesscache *c = cache_of(SSL_get_SSL_CTX(ssl));
	unsigned char buf[DATA_MAX];
	const unsigned char *id;
	unsigned int idlen;
	size_t len;

	if (c == NULL)
		return 0;
	id = SSL_SESSION_get_id(sess, &idlen);
	if ((len = serialise(ssl, sess, buf, sizeof buf)) == 0) {
		/* Too big (a long client chain): full handshakes. */
		__atomic_fetch_add(&c->refused, 1, __ATOMIC_RELAXED);
		ERR_clear_error();
		len = sizeof buf; /* partly written: wipe it all */
	} else
		(void)gw_sesscache_put(c, id, idlen, buf, len, time(NULL));
	OPENSSL_cleanse(buf, len);
	return 0; /* no reference kept */
}

static SSL_SESSION *
get_cb(SSL *ssl, const unsigned char *id, int idlen, int *copy)
{
	struct gw_sesscache *c = cache_of(SSL_get_SSL_CTX(ssl));
	unsigned char buf[DATA_MAX];
	SSL_SESSION *sess = NULL;
	size_t len = 0;

	*copy = 0; /* the new object's reference goes to OpenSSL */
	if (c == NULL || idlen <= 0)
		return NULL;
	if (gw_sesscache_get(c, id, (size_t)idlen, buf, sizeof buf, &len,
	    time(NULL)) == 1) {
		if ((sess = deserialise(buf, len)) == NULL) {
			ERR_clear_error();
			gw_sesscache_remove(c, id, (size_t)idlen);
		}
	}
	OPENSSL_cleanse(buf, len);
	return sess;
}

static void
remove_cb(SSL_CTX *ctx, SSL_SESSION *sess)
{
	unsigned int idlen;
	const unsigned char *id = SSL_SESSION_get_id(sess, &idlen);

	gw_sesscache_remove(cache_of(ctx), id, idlen);
}

int
gw_sesscache_attach(SSL_CTX *ctx, struct gw_sesscache *c)
{
	if (c == NULL) {
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		return 0;
	}
	if (cache_idx < 0 && (cache_idx = SSL_CTX_get_ex_new_index(0, NULL,
	    NULL, NULL, NULL)) < 0)
		return -1;
	if (chain_idx < 0 && (chain_idx = SSL_SESSION_get_ex_new_index(0,
	    NULL, NULL, NULL, chain_free)) < 0)
		return -1;
	if (SSL_CTX_set_ex_data(ctx, cache_idx, c) != 1)
		return -1;
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER |
	    SSL_SESS_CACHE_NO_INTERNAL);
	SSL_CTX_set_timeout(ctx, (long)c->timeout_s);
	SSL_CTX_sess_set_new_cb(ctx, new_cb);
	SSL_CTX_sess_set_get_cb(ctx, get_cb);
	SSL_CTX_sess_set_remove_cb(ctx, remove_cb);
	return 0;
}

STACK_OF(X509) *
gw_sesscache_peer_chain(SSL *ssl)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	SSL_SESSION *sess;

	if (chain != NULL && sk_X509_num(chain) > 0)
		return chain;
	if (chain_idx < 0 || (sess = SSL_get_session(ssl)) == NULL)
		return chain;
	return SSL_SESSION_get_ex_data(sess, chain_idx);
}
