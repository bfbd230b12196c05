/*
 * The device gateway's TLS: its server context, the trust store of the
 * CAs whose certificates it accepts from clients, and the decision
 * what a verified client certificate makes its peer (gw_tls.h).
 *
 * Choices:
 *  - Versions, TLS 1.2 suites and options as the API (tls.c): modern
 *    AEAD suites only, server order, no compression, no renegotiation,
 *    no session tickets (their key would live as long as the worker);
 *    TLS 1.3 never accepts early data (0-RTT is replayable).
 *  - Resumption from a server-side session cache shared by all
 *    workers (gw_sesscache.h; gateway_session_cache sessions, 300 s):
 *    a device reconnecting within 5 minutes skips the signature work
 *    whichever worker SO_REUSEPORT hands it to. The cache is flushed
 *    (for every worker: a shared generation) whenever the revocation
 *    set or the trust store changes, so a resumed session never
 *    outlives a revocation by more than one refresh (and each request
 *    re-checks the serial anyway). With SSL_OP_NO_TICKET, TLS 1.3
 *    resumes with stateful tickets (the ticket is a session id in the
 *    same cache; see gw_sesscache.c).
 *  - SSL_MODE_NO_AUTO_CHAIN: the server sends exactly the chain in
 *    gateway_cert, never one OpenSSL builds from the client-CA trust
 *    store (which would leak which CAs are trusted and could send a
 *    wrong chain).
 *  - Client certificates are requested, not required: EST enrollment
 *    with a token has none. The request carries no list of acceptable
 *    CA names: those subjects name tenants and manufacturers, which an
 *    anonymous client need not learn, and devices present the one
 *    certificate they have anyway.
 *  - The trust store holds vigil's own CAs (root, issuing,
 *    cross-certificates; active or retiring) and the registered
 *    manufacturer and claim CAs, with X509_V_FLAG_PARTIAL_CHAIN so a
 *    registered intermediate (a manufacturer's issuing CA) is an anchor
 *    by itself. Verify depth 4.
 *  - After OpenSSL's chain check, the leaf's issuer is looked up among
 *    the registered CAs: an issuing CA makes a DEVICE peer (refused
 *    when its serial is revoked or held: "revoked at connect"), a
 *    manufacturer CA a MANUFACTURER peer, a claim CA a CLAIM peer; a
 *    CA certificate, or a leaf signed directly by a root, is refused.
 *  - Sightings (certificate hygiene, pki.h "Store: sightings"): the
 *    first request of each connection made with a device certificate
 *    counts one use of (serial, source address); a handshake or
 *    request refused because the certificate is revoked or on hold
 *    counts one refused attempt. Counted in a bounded in-memory table
 *    and written as one transaction every SIGHT_FLUSH_MS from a timer
 *    on the worker's loop, never a write per request (only a full
 *    table is written at once, on the handshake that filled it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gw_sesscache.h"
#include "gw_tls.h"
#include "log.h"
#include "net.h"
#include "net_worker.h"
#include "revset.h"
#include "tls.h"
#include "vigil/pki.h"
#include "vigil/store.h"

#define GW_TLS13_SUITES \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
	"TLS_CHACHA20_POLY1305_SHA256"
#define GW_GROUPS "X25519:P-256:P-384"
#define GW_VERIFY_DEPTH 4
#define TRUST_CHECK_MS 2000 /* how often the CA set is compared */
#define SIGHT_FLUSH_MS 3000L /* sightings are written this often */
#define SIGHT_KEYS 8192     /* distinct (serial, address) per flush */

/* A registered CA the gateway trusts. */
struct gw_ca {
	X509 *cert;
	enum vigil_ca_role role;
	char id[VIGIL_UUID_STRLEN];
	char tenant[VIGIL_UUID_STRLEN];
};

/* Kept as the SSL_CTX's app data. */
struct gw_tls {
	struct net_worker *w;
	struct gw_ca *cas;
	size_t ncas;
	unsigned char fp[32];    /* of the CA set the store was built from */
	bool built;
	bool dirty;              /* gw_trust_changed */
	int64_t checked_ms;
	struct vigil_sighting_agg *sight; /* uses and refusals to write */
	struct event *sight_ev;  /* the flush timer */
	int64_t sight_dropped;   /* not counted: table full, store down */
	bool rev_loaded;         /* the revocation set was loaded once */
};

/* What the SSL object keeps: the classification and whether this
 * connection's use was counted (once per connection). info first: a
 * pointer to it is a pointer to the slot. */
struct peer_slot {
	struct gw_peer_info info;
	bool sighted;            /* the connection's use was counted */
	bool refused_sighted;    /* its refused attempt was counted */
};

static int peer_idx = -1;

static void
peer_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	free(ptr);
}

static void
ssl_err(char *err, size_t errsize, const char *what, const char *path)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

	snprintf(err, errsize, "%s%s%s: %s", what, path != NULL ? " " : "",
	    path != NULL ? path : "", reason != NULL ? reason : "failed");
	ERR_clear_error();
}

/* ---- the CA set ---- */

static void
cas_free(struct gw_ca *cas, size_t n)
{
	for (size_t i = 0; i < n; i++)
		X509_free(cas[i].cert);
	free(cas);
}

static bool
trusted(const struct vigil_ca *ca)
{
	if (ca->status != VIGIL_CA_ACTIVE && ca->status != VIGIL_CA_RETIRING)
		return false;
	switch (ca->role) {
	case VIGIL_CA_ROOT:
	case VIGIL_CA_ISSUING:
	case VIGIL_CA_CROSS:
	case VIGIL_CA_MANUFACTURER:
	case VIGIL_CA_CLAIM:
		return ca->cert_der != NULL && ca->cert_len > 0;
	case VIGIL_CA_RESPONDER:
		break;
	}
	return false;
}

/* Lookup order: an issuing CA wins over a cross-certificate of the
 * same key and name, and both over the root. */
static int
role_rank(enum vigil_ca_role r)
{
	switch (r) {
	case VIGIL_CA_ISSUING:
		return 0;
	case VIGIL_CA_CROSS:
		return 1;
	case VIGIL_CA_MANUFACTURER:
	case VIGIL_CA_CLAIM:
		return 2;
	default:
		return 3;
	}
}

static int
ca_cmp(const void *a, const void *b)
{
	return role_rank(((const struct gw_ca *)a)->role) -
	    role_rank(((const struct gw_ca *)b)->role);
}

/* The trusted CAs now in the store and a fingerprint of that set (ids,
 * roles, statuses, certificates). 0, or -1 on a store error. */
static int
load_cas(struct vigil_store *st, struct gw_ca **out, size_t *nout,
    unsigned char fp[32])
{
	struct vigil_ca *list = NULL;
	struct gw_ca *cas = NULL;
	size_t n = 0, k = 0;
	EVP_MD_CTX *md;
	unsigned int mdlen = 32;

	*out = NULL;
	*nout = 0;
	if (vigil_ca_list(st, NULL, 0, &list, &n) != VIGIL_OK)
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    (n > 0 && (cas = calloc(n, sizeof *cas)) == NULL)) {
		EVP_MD_CTX_free(md);
		vigil_ca_list_free(list, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vigil_ca *ca = &list[i];
		const unsigned char *p = ca->cert_der;
		int meta[2] = { (int)ca->role, (int)ca->status };

		EVP_DigestUpdate(md, ca->id, strlen(ca->id) + 1);
		EVP_DigestUpdate(md, meta, sizeof meta);
		if (ca->cert_der != NULL)
			EVP_DigestUpdate(md, ca->cert_der, ca->cert_len);
		if (!trusted(ca))
			continue;
		cas[k].cert = d2i_X509(NULL, &p, (long)ca->cert_len);
		if (cas[k].cert == NULL) {
			vlog(VLOG_WARN, "gw.trust", "CA %s (%s): stored "
			    "certificate does not parse; not trusted",
			    ca->label, ca->id);
			ERR_clear_error();
			continue;
		}
		cas[k].role = ca->role;
		snprintf(cas[k].id, sizeof cas[k].id, "%s", ca->id);
		snprintf(cas[k].tenant, sizeof cas[k].tenant, "%s",
		    ca->tenant_id);
		k++;
	}
	EVP_DigestFinal_ex(md, fp, &mdlen);
	EVP_MD_CTX_free(md);
	vigil_ca_list_free(list, n);
	if (k > 1)
		qsort(cas, k, sizeof *cas, ca_cmp);
	*out = cas;
	*nout = k;
	return 0;
}

int
gw_tls_trust_refresh(struct net_worker *w, bool force)
{
	struct gw_tls *g;
	struct gw_ca *cas;
	unsigned char fp[32];
	X509_STORE *store;
	size_t n;

	if (w->gw_ssl == NULL)
		return 0;
	g = SSL_CTX_get_app_data(w->gw_ssl);
	g->checked_ms = vigil_time_now_ms();
	if (load_cas(w->st, &cas, &n, fp) != 0) {
		vlog(VLOG_WARN, "gw.trust", "reading the CAs: %s; keeping the "
		    "trust store", vigil_store_errmsg(w->st));
		return -1;
	}
	if (g->built && !force && !g->dirty &&
	    memcmp(fp, g->fp, sizeof fp) == 0) {
		cas_free(cas, n);
		return 0;
	}
	if ((store = X509_STORE_new()) == NULL) {
		cas_free(cas, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (X509_STORE_add_cert(store, cas[i].cert) != 1)
			ERR_clear_error(); /* the same certificate twice */
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	X509_STORE_set_depth(store, GW_VERIFY_DEPTH);
	/* New connections verify against the new store; those already
	 * running keep a reference to the old one. */
	if (SSL_CTX_set1_verify_cert_store(w->gw_ssl, store) != 1) {
		X509_STORE_free(store);
		cas_free(cas, n);
		return -1;
	}
	X509_STORE_free(w->gw_trust);
	w->gw_trust = store;
	cas_free(g->cas, g->ncas);
	g->cas = cas;
	g->ncas = n;
	memcpy(g->fp, fp, sizeof fp);
	if (g->built)
		gw_tls_flush_sessions(w);
	g->built = true;
	g->dirty = false;
	vlog(VLOG_DEBUG, "gw.trust", "trust store: %zu CA certificate(s)", n);
	return 1;
}

void
gw_trust_changed(struct net_worker *w)
{
	struct gw_tls *g;

	if (w->gw_ssl != NULL && (g = SSL_CTX_get_app_data(w->gw_ssl)) != NULL)
		g->dirty = true;
}

void
gw_tls_flush_sessions(struct net_worker *w)
{
	if (w->gw_ssl == NULL)
		return;
	/* The shared cache: a new generation for every worker. */
	if (w->ctx != NULL)
		gw_sesscache_flush(w->ctx->sesscache);
}

void
gw_refresh(struct net_worker *w, bool force)
{
	struct gw_tls *g;
	int rc;

	if (w->revset == NULL || w->gw_ssl == NULL)
		return;
	g = SSL_CTX_get_app_data(w->gw_ssl);
	rc = revset_refresh(w->revset, w->st, force);
	if (rc < 0)
		vlog(VLOG_WARN, "gw.revocation", "reloading the revocation "
		    "set: %s; keeping the old one", vigil_store_errmsg(w->st));
	else if (rc > 0) {
		vlog(VLOG_DEBUG, "gw.revocation", "revocation set: %zu "
		    "entries (generation %lld)", revset_count(w->revset),
		    (long long)revset_generation(w->revset));
		/* Not at a worker's first load: the cache is shared, and a
		 * restarted worker would make every device do a full
		 * handshake. A change it is first to see is seen by the
		 * other workers within their poll, and every request
		 * re-checks the serial against this set. */
		if (g->rev_loaded)
			gw_tls_flush_sessions(w);
		g->rev_loaded = true;
	}
	if (force || g->dirty ||
	    vigil_time_now_ms() - g->checked_ms >= TRUST_CHECK_MS)
		(void)gw_tls_trust_refresh(w, false);
}

/* ---- classifying a client certificate ---- */

static void
serial_hex(X509 *x, char out[VIGIL_PKI_SERIAL_STRLEN])
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	size_t i;

	out[0] = '\0';
	if (hex != NULL) {
		for (i = 0; hex[i] != '\0' && i + 1 < VIGIL_PKI_SERIAL_STRLEN;
		    i++)
			out[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ?
			    hex[i] - 'A' + 'a' : hex[i]);
		out[i] = '\0';
	}
	OPENSSL_free(hex);
	BN_free(bn);
}

/*
 * The registered CA that issued x. With a verified chain, issuer is the
 * certificate OpenSSL found to have signed x, and only that exact
 * certificate counts. Without one (a resumed session: the chain is what
 * the client sent), names and key identifiers are not enough: a
 * registered manufacturer CA could carry an issuing CA's name and sign
 * a certificate without an authority key identifier, so the signature
 * decides.
 */
static const struct gw_ca *
registered_issuer(const struct gw_tls *g, X509 *x, X509 *issuer)
{
	for (size_t i = 0; i < g->ncas; i++) {
		X509 *c = g->cas[i].cert;

		if (issuer != NULL ? X509_cmp(c, issuer) == 0 :
		    X509_check_issued(c, x) == X509_V_OK &&
		    X509_verify(x, X509_get0_pubkey(c)) == 1)
			return &g->cas[i];
	}
	return NULL;
}

/*
 * What leaf makes its peer, walking up from it through chain (the
 * verified chain, or what the client sent) until a registered CA
 * issued the current certificate. 0 with info filled in, or -1 with
 * info->why.
 */
static int
classify(const struct gw_tls *g, X509 *leaf, STACK_OF(X509) *chain,
    bool verified, struct gw_peer_info *info)
{
	X509 *cur = leaf;
	const struct gw_ca *ca;

	memset(info, 0, sizeof *info);
	serial_hex(leaf, info->serial);
	if (X509_check_ca(leaf) != 0) {
		snprintf(info->why, sizeof info->why, "client certificate %s "
		    "is a CA certificate", info->serial);
		return -1;
	}
	for (int step = 0; step < GW_VERIFY_DEPTH; step++) {
		X509 *next = NULL;
		/* In a verified chain, element step + 1 signed element
		 * step (element 0 is the leaf). */
		X509 *signer = verified && chain != NULL &&
		    step + 1 < sk_X509_num(chain) ?
		    sk_X509_value(chain, step + 1) : NULL;

		if (verified && signer == NULL)
			break;
		if ((ca = registered_issuer(g, cur, signer)) != NULL) {
			snprintf(info->ca_id, sizeof info->ca_id, "%s", ca->id);
			snprintf(info->tenant, sizeof info->tenant, "%s",
			    ca->tenant);
			switch (ca->role) {
			case VIGIL_CA_ISSUING:
			case VIGIL_CA_CROSS:
				/* A root's cross-certificate (no path
				 * length) certifies CAs, never devices. */
				if (step == 0 && (ca->role ==
				    VIGIL_CA_ISSUING ||
				    X509_get_pathlen(ca->cert) == 0)) {
					info->kind = GW_PEER_DEVICE;
					return 0;
				}
				break;
			case VIGIL_CA_MANUFACTURER:
				info->kind = GW_PEER_MANUFACTURER;
				return 0;
			case VIGIL_CA_CLAIM:
				info->kind = GW_PEER_CLAIM;
				return 0;
			default:
				break;
			}
			snprintf(info->why, sizeof info->why, "client "
			    "certificate %s is not issued by an issuing, "
			    "manufacturer or claim CA", info->serial);
			return -1;
		}
		if (verified)
			next = signer;
		for (int i = 0; !verified && chain != NULL &&
		    i < sk_X509_num(chain); i++) {
			X509 *c = sk_X509_value(chain, i);

			if (c != cur && X509_cmp(c, cur) != 0 &&
			    X509_check_issued(c, cur) == X509_V_OK &&
			    X509_verify(cur, X509_get0_pubkey(c)) == 1) {
				next = c;
				break;
			}
		}
		if (next == NULL)
			break;
		cur = next;
	}
	snprintf(info->why, sizeof info->why, "client certificate %s does not "
	    "chain to a registered CA", info->serial);
	return -1;
}

static void
set_peer(SSL *ssl, struct gw_peer_info *info)
{
	struct peer_slot *old = SSL_get_ex_data(ssl, peer_idx);
	struct peer_slot *p = calloc(1, sizeof *p);

	if (p == NULL)
		return; /* classified again at the request */
	p->info = *info;
	free(old);
	SSL_set_ex_data(ssl, peer_idx, p);
}

/* ---- sightings ---- */

/* The client's address as conn.c spells it ("" when unknown). */
static void
ssl_peer_ip(SSL *ssl, char *ip, size_t size)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
	int fd = SSL_get_fd(ssl);

	ip[0] = '\0';
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &s4->sin_addr, ip, (socklen_t)size);
	else if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], ip,
		    (socklen_t)size);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, (socklen_t)size);
}

static void
sight_flush(struct gw_tls *g)
{
	size_t n = 0;

	if (g->sight == NULL || vigil_sighting_agg_count(g->sight) == 0)
		return;
	if (vigil_sighting_agg_flush(g->sight, g->w->st, &n) != VIGIL_OK) {
		vlog(VLOG_WARN, "gw.sighting", "writing %zu certificate "
		    "sighting(s): %s; kept for the next try",
		    vigil_sighting_agg_count(g->sight),
		    vigil_store_errmsg(g->w->st));
		return;
	}
	vlog(VLOG_DEBUG, "gw.sighting", "%zu certificate sighting(s) "
	    "written", n);
}

/* Counts one use (refused false) or refused attempt of a device
 * certificate on ssl's connection. */
static void
sight(struct gw_tls *g, SSL *ssl, const struct gw_peer_info *info,
    bool refused)
{
	char ip[VIGIL_SIGHTING_IP_STRLEN];
	int64_t now = vigil_time_now_ms();

	if (g->sight == NULL)
		return;
	ssl_peer_ip(ssl, ip, sizeof ip);
	if (ip[0] == '\0')
		return;
	if (vigil_sighting_agg_add(g->sight, info->serial, info->tenant,
	    NULL, ip, refused, now) == 0)
		return;
	/* Full (or a key the store would refuse): write what is held. */
	sight_flush(g);
	if (vigil_sighting_agg_add(g->sight, info->serial, info->tenant,
	    NULL, ip, refused, now) != 0 && g->sight_dropped++ == 0)
		vlog(VLOG_WARN, "gw.sighting", "certificate %s from %s not "
		    "counted (sighting table full and not writable); further "
		    "drops are not logged", info->serial, ip);
}

static void
sight_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sight_flush(arg);
}

void
gw_sightings_stop(struct net_worker *w)
{
	struct gw_tls *g;

	if (w->gw_ssl == NULL || (g = SSL_CTX_get_app_data(w->gw_ssl)) == NULL)
		return;
	if (g->sight_ev != NULL) {
		event_free(g->sight_ev);
		g->sight_ev = NULL;
	}
	sight_flush(g);
}

static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct net_worker *w;
	struct gw_peer_info info;
	struct gw_tls *g;

	if (!ok) {
		vlog(VLOG_DEBUG, "gw.verify", "client certificate refused at "
		    "depth %d: %s", X509_STORE_CTX_get_error_depth(x),
		    X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(x)));
		return 0;
	}
	if (X509_STORE_CTX_get_error_depth(x) != 0 || ssl == NULL)
		return 1;
	g = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	w = g->w;
	if (classify(g, X509_STORE_CTX_get_current_cert(x),
	    X509_STORE_CTX_get0_chain(x), true, &info) != 0) {
		vlog(VLOG_INFO, "gw.verify", "handshake refused: %s",
		    info.why);
		X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	if (info.kind == GW_PEER_DEVICE &&
	    revset_serial_blocked(w->revset, info.serial)) {
		vlog(VLOG_INFO, "gw.verify", "handshake refused: certificate "
		    "%s is revoked or on hold (revoked at connect)",
		    info.serial);
		sight(g, ssl, &info, true);
		X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_REVOKED);
		return 0;
	}
	set_peer(ssl, &info);
	return 1;
}

const struct gw_peer_info *
gw_tls_peer(struct net_worker *w, SSL *ssl)
{
	struct gw_peer_info *p, info;
	struct peer_slot *slot;
	X509 *peer;
	struct gw_tls *g;

	if (ssl == NULL || (peer = SSL_get0_peer_certificate(ssl)) == NULL)
		return NULL;
	g = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if ((slot = SSL_get_ex_data(ssl, peer_idx)) == NULL) {
		/* A resumed session: its certificate was verified when the
		 * session was made; what it makes its peer is decided
		 * against today's CAs. */
		if (classify(g, peer, gw_sesscache_peer_chain(ssl), false,
		    &info) != 0)
			info.refused = true;
		set_peer(ssl, &info);
		if ((slot = SSL_get_ex_data(ssl, peer_idx)) == NULL)
			return NULL;
	}
	p = &slot->info;
	if (!p->refused && p->kind == GW_PEER_DEVICE &&
	    revset_serial_blocked(w->revset, p->serial)) {
		p->refused = true;
		snprintf(p->why, sizeof p->why, "certificate %s is revoked or "
		    "on hold", p->serial);
	}
	/* One use, or one refused attempt, per connection. */
	if (!slot->sighted && p->kind == GW_PEER_DEVICE) {
		slot->sighted = true;
		slot->refused_sighted = p->refused;
		sight(g, ssl, p, p->refused);
	}
	return p;
}

void
gw_tls_sight_refused(struct net_worker *w, SSL *ssl)
{
	struct peer_slot *slot;

	if (ssl == NULL || w->gw_ssl == NULL ||
	    (slot = SSL_get_ex_data(ssl, peer_idx)) == NULL ||
	    slot->refused_sighted || slot->info.kind != GW_PEER_DEVICE)
		return;
	slot->refused_sighted = true;
	sight(SSL_CTX_get_app_data(w->gw_ssl), ssl, &slot->info, true);
}

/* ---- the context ---- */

static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char http11[] = "\x08http/1.1";
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, http11, sizeof http11 - 1,
	    in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static int
gw_keys(SSL_CTX *ctx, const struct vigild_config *c, char *err,
    size_t errsize)
{
	const char *cert = c->gateway_cert[0] != '\0' ? c->gateway_cert :
	    c->tls_cert;
	const char *key = c->gateway_key[0] != '\0' ? c->gateway_key :
	    c->tls_key;

	SSL_CTX_set_default_passwd_cb(ctx, vigil_pem_no_passphrase);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		ssl_err(err, errsize, "gateway_cert", cert);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ssl_err(err, errsize, "gateway_key", key);
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errsize, "gateway_key", key);
		snprintf(err + strlen(err), errsize - strlen(err),
		    " (does not match gateway_cert %s)", cert);
		return -1;
	}
	return 0;
}

static int
gw_protocol(SSL_CTX *ctx, const char *min, char *err, size_t errsize)
{
	int v = strcmp(min, "1.3") == 0 ? TLS1_3_VERSION : TLS1_2_VERSION;

	if (SSL_CTX_set_min_proto_version(ctx, v) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, tls_ciphers12()) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, GW_TLS13_SUITES) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, GW_GROUPS) != 1) {
		ssl_err(err, errsize, "gateway tls: protocol settings", NULL);
		return -1;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_TICKET | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 |
	    SSL_OP_NO_TLSv1_1);
	SSL_CTX_set_max_early_data(ctx, 0);
	return 0;
}

int
gw_tls_setup(struct net_worker *w, char *err, size_t errsize)
{
	static const unsigned char sid_ctx[] = "vigil-gateway";
	struct gw_tls *g;
	SSL_CTX *ctx;

	if (peer_idx < 0 && (peer_idx = SSL_get_ex_new_index(0, NULL, NULL,
	    NULL, peer_free)) < 0) {
		snprintf(err, errsize, "SSL_get_ex_new_index failed");
		return -1;
	}
	ERR_clear_error();
	if ((g = calloc(1, sizeof *g)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	g->w = w;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		free(g);
		ssl_err(err, errsize, "gateway tls: SSL_CTX_new", NULL);
		return -1;
	}
	SSL_CTX_set_app_data(ctx, g);
	w->gw_ssl = ctx;
	if ((g->sight = vigil_sighting_agg_new(SIGHT_KEYS)) == NULL ||
	    (g->sight_ev = event_new(w->base, -1, EV_PERSIST, sight_timer_cb,
	    g)) == NULL ||
	    event_add(g->sight_ev, &(struct timeval){ SIGHT_FLUSH_MS / 1000,
	    (SIGHT_FLUSH_MS % 1000) * 1000 }) != 0) {
		snprintf(err, errsize, "gateway: sighting table: out of "
		    "memory");
		return -1;
	}
	if (gw_protocol(ctx, w->cfg.tls_min_version, err, errsize) < 0 ||
	    gw_keys(ctx, &w->cfg, err, errsize) < 0)
		return -1;
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN |
	    SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);
	if (gw_sesscache_attach(ctx, w->ctx != NULL ? w->ctx->sesscache :
	    NULL) != 0) {
		ssl_err(err, errsize, "gateway tls: session cache", NULL);
		return -1;
	}
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_verify_depth(ctx, GW_VERIFY_DEPTH);
	/* No CA names in the CertificateRequest (see the top comment). */
	SSL_CTX_set_client_CA_list(ctx, sk_X509_NAME_new_null());
	if (gw_tls_trust_refresh(w, true) < 0)
		vlog(VLOG_WARN, "gw.trust", "no CAs yet: client certificates "
		    "are refused until the store can be read");
	return 0;
}

void
gw_tls_free(struct net_worker *w)
{
	struct gw_tls *g;

	if (w->gw_ssl != NULL) {
		g = SSL_CTX_get_app_data(w->gw_ssl);
		SSL_CTX_free(w->gw_ssl);
		w->gw_ssl = NULL;
		if (g != NULL) {
			/* gw_sightings_stop freed the timer while the event
			 * base still existed. */
			cas_free(g->cas, g->ncas);
			vigil_sighting_agg_free(g->sight);
			free(g);
		}
	}
	X509_STORE_free(w->gw_trust);
	w->gw_trust = NULL;
}
