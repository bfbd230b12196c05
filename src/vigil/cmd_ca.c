/*
 * `vigil ca init | list | show | policy | export | rollover | retire |
 * add-manufacturer | add-claim`: the certificate authorities. Creating
 * CAs and rollover make keys (files under DATA/pki/<label>/, mode 0700
 * directory and 0600 keys, or keys already in a PKCS#11 token), so they
 * are local only: the API never sees key material. list, show, policy
 * and export also work on a vigild (pki_cli.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "../vigild/api_pki_json.h"
#include "backend.h"
#include "pki_cli.h"

#define DAY INT64_C(86400)
#define PATH_BYTES 4096

/* One CA being made: its record, certificate and the key file this
 * run created (removed again when the command fails). */
struct made {
	struct vigil_ca ca;
	X509 *cert;
	char keyfile[PATH_BYTES]; /* "" when none was created */
	bool is_new;              /* to be stored */
};

static void
made_free(struct made *m, bool failed)
{
	if (failed && m->keyfile[0] != '\0')
		unlink(m->keyfile);
	X509_free(m->cert);
	vigil_ca_clear(&m->ca);
	memset(m, 0, sizeof *m);
}

static bool
label_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n <= max && vigil_pki_label_chars(s, n) != 0;
}

/* Fills m->ca from cert; takes cert. */
static enum vigil_err
record(struct made *m, X509 *cert, enum vigil_ca_role role, const char *tid,
    const char *label, const char *parent, const char *key_ref)
{
	struct vigil_pki_cert_info ci;
	unsigned char *der = NULL;
	char err[256];
	int len;

	m->cert = cert;
	if (vigil_pki_cert_info(cert, &ci, err, sizeof err) != VIGIL_OK) {
		cli_err("CA %s: %s", label, err);
		return VIGIL_EINVAL;
	}
	if ((len = i2d_X509(cert, &der)) <= 0 ||
	    (m->ca.cert_der = malloc((size_t)len)) == NULL) {
		OPENSSL_free(der);
		cli_err("out of memory");
		return VIGIL_ENOMEM;
	}
	memcpy(m->ca.cert_der, der, (size_t)len);
	OPENSSL_free(der);
	m->ca.cert_len = (size_t)len;
	snprintf(m->ca.tenant_id, sizeof m->ca.tenant_id, "%s", tid);
	snprintf(m->ca.label, sizeof m->ca.label, "%s", label);
	snprintf(m->ca.parent_id, sizeof m->ca.parent_id, "%s", parent);
	snprintf(m->ca.key_ref, sizeof m->ca.key_ref, "%s", key_ref);
	snprintf(m->ca.subject, sizeof m->ca.subject, "%s", ci.subject);
	snprintf(m->ca.key_fp, sizeof m->ca.key_fp, "%s", ci.key_fp);
	m->ca.role = role;
	m->ca.status = VIGIL_CA_ACTIVE;
	m->ca.not_before = ci.not_before;
	m->ca.not_after = ci.not_after;
	m->is_new = true;
	return VIGIL_OK;
}

/* The algorithm of a certificate's key (an imported or token key may
 * differ from --alg). */
static enum vigil_pki_alg
alg_of(X509 *c)
{
	char desc[32];

	vigil_pki_pubkey_desc(X509_get0_pubkey(c), desc, sizeof desc);
	if (strcmp(desc, "EC P-256") == 0)
		return VIGIL_PKI_P256;
	if (strcmp(desc, "EC P-384") == 0)
		return VIGIL_PKI_P384;
	if (strcmp(desc, "Ed25519") == 0)
		return VIGIL_PKI_ED25519;
	if (strncmp(desc, "RSA", 3) == 0)
		return VIGIL_PKI_RSA3072;
	return VIGIL_PKI_ALG_NONE;
}

/* SHA-256 of the certificate, hex. */
static void
cert_fp(X509 *c, char out[VIGIL_PKI_FP_STRLEN])
{
	unsigned char md[32];
	unsigned int n = 0;

	out[0] = '\0';
	if (X509_digest(c, EVP_sha256(), md, &n) != 1)
		return;
	for (size_t i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* DATA/pki/<label>, created with mode 0700 (DATA/pki too). */
static bool
key_dir(struct cli_ctx *ctx, const char *label, char *dir, size_t size)
{
	char top[PATH_BYTES];

	if ((size_t)snprintf(top, sizeof top, "%s/pki", ctx->data_dir) >=
	    sizeof top || (size_t)snprintf(dir, size, "%s/%s", top, label) >=
	    size) {
		cli_err("data directory path %s is too long", ctx->data_dir);
		return false;
	}
	if (mkdir(top, 0700) != 0 && errno != EEXIST) {
		cli_err("cannot create %s: %s", top, strerror(errno));
		return false;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		cli_err("cannot create %s: %s", dir, strerror(errno));
		return false;
	}
	return true;
}

/* A new key file dir/name of alg; its private half loaded back into
 * *key through the same checks the signer applies. */
static bool
new_key(const char *dir, const char *name, enum vigil_pki_alg alg,
    struct made *m, struct vigil_pki_key **key)
{
	char err[256];
	EVP_PKEY *pub = NULL;

	snprintf(m->keyfile, sizeof m->keyfile, "%s/%s", dir, name);
	if (vigil_pki_key_generate(alg, m->keyfile, &pub, err, sizeof err) !=
	    VIGIL_OK) {
		m->keyfile[0] = '\0';
		cli_err("%s/%s: %s", dir, name, err);
		return false;
	}
	EVP_PKEY_free(pub);
	if (vigil_pki_key_load(key, m->keyfile, NULL, err, sizeof err) !=
	    VIGIL_OK) {
		cli_err("%s", err);
		return false;
	}
	return true;
}

static bool
load_key(const char *ref, const char *module, struct vigil_pki_key **key)
{
	char err[256];

	if (vigil_pki_key_load(key, ref, module, err, sizeof err) != VIGIL_OK) {
		cli_err("%s", err);
		return false;
	}
	return true;
}

/* The public half of key as a plain public key: a key in a token is an
 * engine object whose checks would want the private part. Caller frees
 * with EVP_PKEY_free. */
static EVP_PKEY *
pub_only(struct vigil_pki_key *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	int len = i2d_PUBKEY(vigil_pki_key_evp(key), &der);

	if (len > 0) {
		p = der;
		pub = d2i_PUBKEY(NULL, &p, len);
	}
	OPENSSL_free(der);
	return pub;
}

/* True when key is the private half of cert's public key. */
static bool
key_matches(X509 *cert, struct vigil_pki_key *key, const char *what)
{
	char a[VIGIL_PKI_FP_STRLEN], b[VIGIL_PKI_FP_STRLEN];

	if (vigil_pki_pubkey_fp(X509_get0_pubkey(cert), a) != VIGIL_OK ||
	    vigil_pki_pubkey_fp(vigil_pki_key_evp(key), b) != VIGIL_OK ||
	    strcmp(a, b) != 0) {
		cli_err("%s: the key does not belong to the certificate "
		        "(public key %s, certificate's %s)",
		    what, b, a);
		return false;
	}
	return true;
}

/* Stores every new CA with its "ca.create" entry, in one transaction. */
static enum vigil_err
store_made(struct cli_ctx *ctx, struct made *m, size_t n, const char *action)
{
	struct vigil_store *st = ctx->store;
	enum vigil_err rc;
	char obj[96], det[160];

	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < n && rc == VIGIL_OK; i++) {
		if (!m[i].is_new)
			continue;
		/* Children name their parent by the id it just got. */
		if (i > 0 && strcmp(m[i].ca.parent_id, "@prev") == 0)
			snprintf(m[i].ca.parent_id, sizeof m[i].ca.parent_id,
			    "%s", m[i - 1].ca.id);
		if ((rc = vigil_ca_add(st, &m[i].ca)) != VIGIL_OK)
			break;
		snprintf(obj, sizeof obj, "ca/%s", m[i].ca.id);
		snprintf(det, sizeof det, "%s %s %s, key %s", action,
		    vigil_ca_role_name(m[i].ca.role), m[i].ca.label,
		    pki_key_storage(m[i].ca.key_ref));
		rc = cli_pki_audit(
		    ctx, m[i].ca.tenant_id, "ca.create", obj, det);
	}
	if (rc != VIGIL_OK) {
		vigil_store_rollback(st);
		return rc;
	}
	return vigil_store_commit(st);
}

static int
print_made(struct cli_ctx *ctx, struct made *m, size_t n)
{
	json_t *arr = json_array();
	char fp[VIGIL_PKI_FP_STRLEN];
	bool ok = arr != NULL;

	for (size_t i = 0; i < n; i++) {
		cert_fp(m[i].cert, fp);
		if (ctx->json) {
			json_t *o = pki_ca_json(&m[i].ca, false);

			if (o != NULL) {
				cli_json_set(
				    o, "cert_fingerprint", json_string(fp));
				cli_json_set(o, "created_now",
				    json_boolean(m[i].is_new));
			}
			if (o == NULL || json_array_append_new(arr, o) != 0)
				ok = false;
			continue;
		}
		printf("%s %s CA %s: %s\n  key %s (%s), sha256 %s\n",
		    m[i].is_new ? "created" : "using",
		    vigil_ca_role_name(m[i].ca.role), cli_safe(m[i].ca.label),
		    cli_safe(m[i].ca.subject), m[i].ca.key_fp,
		    pki_key_storage(m[i].ca.key_ref), fp);
	}
	if (ctx->json)
		ok = ok && cli_json_emit(stdout, json_pack("{so}", "cas", arr));
	else
		json_decref(arr);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

/* Parses --days style counts. */
static bool
days_arg(const struct cli_args *a, const char *opt, size_t def, size_t max,
    uint32_t *out)
{
	const char *s = cli_arg(a, opt);
	size_t v = def;

	if (s != NULL && !cli_parse_size(a, opt, s, 1, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* One attribute of a certificate's subject as text; "" when absent. */
static void
name_part(X509 *c, int nid, char *buf, size_t size)
{
	if (c == NULL || X509_NAME_get_text_by_NID(
	                     X509_get_subject_name(c), nid, buf, (int)size) < 0)
		buf[0] = '\0';
}

/* Gives x exactly the subject of like and signs it again when the name
 * vigil built differs (a root made by another tool may order or encode
 * its name otherwise): a successor or cross-certificate links chains
 * only when its subject is the very name below it. */
static bool
keep_name(X509 *x, X509 *like, EVP_PKEY *key, const char *what)
{
	const EVP_MD *md = NULL;
	int md_nid = NID_undef;

	if (X509_NAME_cmp(
	        X509_get_subject_name(x), X509_get_subject_name(like)) == 0)
		return true;
	if (!OBJ_find_sigid_algs(X509_get_signature_nid(x), &md_nid, NULL) ||
	    (md_nid != NID_undef &&
	        (md = EVP_get_digestbynid(md_nid)) == NULL) ||
	    X509_set_subject_name(x, X509_get_subject_name(like)) != 1 ||
	    X509_sign(x, key, md) <= 0) {
		ERR_clear_error();
		cli_err("%s: cannot give the certificate its predecessor's "
		        "subject name",
		    what);
		return false;
	}
	return true;
}

/* The signing root: an existing active root of the tenant (else a
 * shared one) with its key, an imported one, or a new one. m[0]. */
static bool
root_for(struct cli_ctx *ctx, const struct cli_args *a, const char *tid,
    const char *label, const char *org, enum vigil_pki_alg alg, const char *dir,
    struct made *m, struct vigil_pki_key **key)
{
	const char *mod = cli_arg(a, "pkcs11-module");
	const char *rkey = cli_arg(a, "root-key");
	const char *ruri = cli_arg(a, "root-key-uri");
	const char *rcert = cli_arg(a, "root-cert");
	struct vigil_ca *cas = NULL;
	char rlabel[VIGIL_PKI_LABEL_MAX + 1], cn[VIGIL_PKI_NAME_MAX + 1];
	char err[256];
	size_t n = 0, pick = SIZE_MAX;
	uint32_t days;
	X509 *cert = NULL;

	if ((size_t)snprintf(rlabel, sizeof rlabel, "%s-root", label) >=
	    sizeof rlabel) {
		cli_err("CA label %s is too long to name its root \"%s-root\" "
		    "(at most %d characters)", label, label,
		    VIGIL_PKI_LABEL_MAX - 5);
		return false;
	}
	if (rcert != NULL) {
		uint8_t *pem;
		size_t len;

		if (rkey == NULL && ruri == NULL) {
			cli_usage(a->cmd,
			    "--root-cert needs --root-key FILE "
			    "or --root-key-uri URI (used once, to sign the "
			    "issuing CA)");
			return false;
		}
		if (!cli_pki_read_file(rcert, 65536, &pem, &len))
			return false;
		if (vigil_pki_cert_from_pem(
		        (char *)pem, len, &cert, err, sizeof err) != VIGIL_OK) {
			free(pem);
			cli_err("%s: %s", rcert, err);
			return false;
		}
		free(pem);
		if (!load_key(rkey != NULL ? rkey : ruri, mod, key) ||
		    !key_matches(cert, *key, rcert)) {
			X509_free(cert);
			return false;
		}
		/* Imported offline root: its key is not kept. */
		return record(m, cert, VIGIL_CA_ROOT, tid, rlabel, "", "") ==
		       VIGIL_OK;
	}
	if (vigil_ca_list(ctx->store, tid[0] ? tid : NULL, VIGIL_CA_ROOT, &cas,
	        &n) != VIGIL_OK) {
		cli_store_err(ctx, VIGIL_ESTORE);
		return false;
	}
	/* The tenant's own root, else (for a tenant) the shared one. */
	for (size_t i = 0; i < n; i++) {
		if (cas[i].status != VIGIL_CA_ACTIVE)
			continue;
		if (strcmp(cas[i].tenant_id, tid) == 0 ||
		    (pick == SIZE_MAX && cas[i].tenant_id[0] == '\0'))
			pick = i;
	}
	if (pick != SIZE_MAX) {
		const unsigned char *p;
		const char *ref;

		m->ca = cas[pick];
		cas[pick].cert_der = NULL;
		vigil_ca_list_free(cas, n);
		p = m->ca.cert_der;
		ref = m->ca.key_ref[0] ? m->ca.key_ref
		      : rkey != NULL   ? rkey
		                       : ruri;
		m->is_new = false;
		m->cert = d2i_X509(NULL, &p, (long)m->ca.cert_len);
		if (ref == NULL) {
			cli_err(
			    "root CA %s is offline: give --root-key FILE or "
			    "--root-key-uri URI to sign the issuing CA",
			    m->ca.label);
			return false;
		}
		return m->cert != NULL && load_key(ref, mod, key) &&
		       key_matches(m->cert, *key, m->ca.label);
	}
	vigil_ca_list_free(cas, n);
	if (!days_arg(a, "root-days", 3650, 36500, &days))
		return false;
	if (ruri != NULL) {
		if (!load_key(ruri, mod, key))
			return false;
	} else if (!new_key(dir, "root.key", alg, m, key))
		return false;
	snprintf(cn, sizeof cn, "%s",
	    cli_arg(a, "root-cn") != NULL ? cli_arg(a, "root-cn") : "");
	if (cn[0] == '\0' && (size_t)snprintf(cn, sizeof cn, "%s root CA",
	    org) >= sizeof cn) {
		cli_err("--org is too long for the root's name");
		return false;
	}
	if (vigil_pki_ca_root(vigil_pki_key_evp(*key), cn, org, days, &cert,
	        err, sizeof err) != VIGIL_OK) {
		cli_err("root CA: %s", err);
		return false;
	}
	return record(m, cert, VIGIL_CA_ROOT, tid, rlabel, "",
	           ruri != NULL ? ruri : m->keyfile) == VIGIL_OK;
}

/* The issuing CA (m[1]) under root (m[0]) and its OCSP responder
 * (m[2]). */
static bool
issuing_for(const struct cli_args *a, const char *tid, const char *label,
    const char *org, enum vigil_pki_alg alg, const char *dir, struct made *m,
    struct vigil_pki_key *rkey, uint32_t validity_s, int approval, X509 *like)
{
	const char *uri = cli_arg(a, "key-uri");
	const char *mod = cli_arg(a, "pkcs11-module");
	struct vigil_pki_key *ikey = NULL, *okey = NULL;
	char cn[VIGIL_PKI_NAME_MAX + 1], olabel[VIGIL_PKI_LABEL_MAX + 1];
	char err[256];
	uint32_t days;
	EVP_PKEY *ipub = NULL;
	X509 *cert = NULL;
	bool ok = false;

	if (!days_arg(a, "days", 1825, 36500, &days))
		return false;
	if (uri != NULL) {
		if (!load_key(uri, mod, &ikey))
			return false;
	} else if (!new_key(dir, "issuing.key", alg, &m[1], &ikey))
		return false;
	snprintf(cn, sizeof cn, "%s issuing CA %s", org, label);
	if (like != NULL)
		name_part(like, NID_commonName, cn, sizeof cn);
	if ((ipub = pub_only(ikey)) == NULL) {
		cli_err("issuing CA %s: cannot read the public key", label);
		goto out;
	}
	if (vigil_pki_ca_sub(ipub, cn, org, m[0].cert, vigil_pki_key_evp(rkey),
	        days, 0, &cert, err, sizeof err) != VIGIL_OK) {
		cli_err("issuing CA %s: %s", label, err);
		goto out;
	}
	if (like != NULL &&
	    !keep_name(cert, like, vigil_pki_key_evp(rkey), label)) {
		X509_free(cert);
		goto out;
	}
	if (record(&m[1], cert, VIGIL_CA_ISSUING, tid, label,
	        m[0].is_new ? "@prev" : m[0].ca.id,
	        uri != NULL ? uri : m[1].keyfile) != VIGIL_OK)
		goto out;
	m[1].ca.validity_s = validity_s;
	m[1].ca.approval = approval;
	m[1].ca.alg = alg;
	/* The delegated OCSP responder: its key is always a file (it
	 * signs often; a slow token would throttle OCSP). */
	snprintf(olabel, sizeof olabel, "%s-ocsp", label);
	cert = NULL;
	if (!new_key(dir, "ocsp.key", alg, &m[2], &okey))
		goto out;
	if (vigil_pki_responder_cert(vigil_pki_key_evp(okey), m[1].cert,
	        vigil_pki_key_evp(ikey), days < 365 ? days : 365, &cert, err,
	        sizeof err) != VIGIL_OK) {
		cli_err("OCSP responder of %s: %s", label, err);
		goto out;
	}
	if (record(&m[2], cert, VIGIL_CA_RESPONDER, tid, olabel, "@prev",
	        m[2].keyfile) != VIGIL_OK)
		goto out;
	m[2].ca.alg = alg;
	ok = true;
out:
	EVP_PKEY_free(ipub);
	vigil_pki_key_free(ikey);
	vigil_pki_key_free(okey);
	return ok;
}

/* --validity and --approval of init. */
static bool
policy_args(const struct cli_args *a, uint32_t *validity_s, int *approval)
{
	const char *v = cli_arg(a, "validity");
	int64_t s = 0;

	if (v != NULL && (s = pki_duration(v, 397 * DAY)) < 3600) {
		cli_usage(a->cmd,
		    "--validity '%s': expected a duration from "
		    "1h to 397d such as 30d or 12h",
		    v);
		return false;
	}
	*validity_s = (uint32_t)s;
	*approval = cli_flag(a, "approval") ? 1 : 0;
	return true;
}

int
cli_ca_init(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *algs = cli_arg(a, "alg");
	const char *label_opt = cli_arg(a, "label");
	enum vigil_pki_alg alg = VIGIL_PKI_P256;
	struct vigil_pki_key *rkey = NULL;
	struct made m[3];
	char tid[VIGIL_UUID_STRLEN] = "", label[VIGIL_PKI_LABEL_MAX + 1];
	char org[VIGIL_PKI_NAME_MAX + 1], dir[PATH_BYTES];
	uint32_t validity_s;
	int approval, status = CLI_EXIT_FAIL;
	enum vigil_err rc;
	bool failed = true;

	memset(m, 0, sizeof m);
	if (algs != NULL &&
	    (alg = vigil_pki_alg_from_name(algs)) == VIGIL_PKI_ALG_NONE)
		return cli_usage(a->cmd,
		    "--alg '%s': expected p256, p384, "
		    "ed25519 or rsa3072",
		    algs);
	if (!policy_args(a, &validity_s, &approval))
		return CLI_EXIT_USAGE;
	if (cli_arg(a, "root-key") != NULL && cli_arg(a, "root-key-uri"))
		return cli_usage(a->cmd, "--root-key and --root-key-uri "
		                         "exclude each other");
	if (cli_store(ctx) == NULL)
		return CLI_EXIT_FAIL;
	if (ctx->tenant != NULL) {
		if (!cli_tenant(ctx))
			return CLI_EXIT_FAIL;
		memcpy(tid, ctx->tenant_id, sizeof tid);
	}
	snprintf(label, sizeof label, "%s",
	    label_opt != NULL ? label_opt
	    : tid[0]          ? ctx->tenant_name
	                      : "shared");
	/* Room for the "-root" and "-ocsp" labels of its companions. */
	if (!label_ok(label, VIGIL_PKI_LABEL_MAX - 5))
		return cli_usage(a->cmd,
		    "--label '%s': expected 1 to %d "
		    "characters a-z, 0-9 or '-'",
		    label, VIGIL_PKI_LABEL_MAX - 5);
	snprintf(org, sizeof org, "%s",
	    cli_arg(a, "org") != NULL ? cli_arg(a, "org")
	    : tid[0]                  ? ctx->tenant_name
	                              : "vigil");
	if (!key_dir(ctx, label, dir, sizeof dir))
		return CLI_EXIT_FAIL;
	if (!root_for(ctx, a, tid, label, org, alg, dir, &m[0], &rkey) ||
	    !issuing_for(a, tid, label, org, alg, dir, m, rkey, validity_s,
	        approval, NULL))
		goto out;
	if (m[0].is_new)
		m[0].ca.alg = alg_of(m[0].cert);
	if ((rc = store_made(ctx, m, 3, "init")) != VIGIL_OK) {
		status = cli_store_err(ctx, rc);
		goto out;
	}
	failed = false;
	status = print_made(ctx, m, 3);
out:
	vigil_pki_key_free(rkey);
	for (size_t i = 0; i < 3; i++)
		made_free(&m[i], failed);
	if (failed)
		rmdir(dir); /* only when empty: keys of earlier CAs stay */
	return status;
}

/* ------------------------------------------------------------------ */
/* rollover, retire
 *
 * The key update of RFC 4210 §4.4: a new root gets a self-signed
 * certificate (NewWithNew) and two cross-certificates, OldWithNew (the
 * old root's key under the new root, for relying parties that already
 * trust only the new root) and NewWithOld (the new key under the old
 * root, for those still holding only the old one). An issuing CA's
 * successor keeps its subject name and gets NewWithOld from the old
 * issuing key: that cross-certificate is then self-issued, so the old
 * CA's pathlen 0 still holds for a device that pins it (RFC 5280
 * §4.2.1.9 does not count self-issued certificates). Cross-certificates
 * are role CROSS with the signing CA as parent and no key of their own;
 * retiring either side retires them. */

/* The stored certificate of a CA, parsed; NULL when it does not. */
static X509 *
ca_cert(const struct vigil_ca *ca)
{
	const unsigned char *p = ca->cert_der;

	return p != NULL ? d2i_X509(NULL, &p, (long)ca->cert_len) : NULL;
}

/* The label of a successor: "<base>-2", "-3", ..., where base drops a
 * "-<n>" an earlier rollover added (acme-2 rolls over to acme-3), so
 * EST clients following the family (est_auth.c) find it. */
static void
next_label(
    struct cli_ctx *ctx, const char *label, char out[VIGIL_PKI_LABEL_MAX + 1])
{
	char base[VIGIL_PKI_LABEL_MAX + 1];
	const char *dash = strrchr(label, '-');
	struct vigil_ca probe;

	snprintf(base, sizeof base, "%s", label);
	if (dash != NULL && dash[1] != '\0' &&
	    strspn(dash + 1, "0123456789") == strlen(dash + 1)) {
		snprintf(base, sizeof base, "%.*s", (int)(dash - label), label);
		memset(&probe, 0, sizeof probe);
		if (vigil_ca_get(ctx->store, NULL, base, &probe) != VIGIL_OK)
			snprintf(base, sizeof base, "%s", label);
		vigil_ca_clear(&probe);
	}
	for (int i = 2; i < 1000; i++) {
		size_t b = strlen(base);

		snprintf(out, VIGIL_PKI_LABEL_MAX + 1, "%.*s-%d",
		    (int)(b > 50 ? 50 : b), base, i);
		memset(&probe, 0, sizeof probe);
		if (vigil_ca_get(ctx->store, NULL, out, &probe) ==
		    VIGIL_ENOTFOUND)
			break;
		vigil_ca_clear(&probe);
	}
}

/* The label of a cross-certificate: "<label>-<kind>" within bounds. */
static void
cross_label(
    const char *label, const char *kind, char out[VIGIL_PKI_LABEL_MAX + 1])
{
	int room = VIGIL_PKI_LABEL_MAX - 1 - (int)strlen(kind);

	snprintf(out, VIGIL_PKI_LABEL_MAX + 1, "%.*s-%s", room, label, kind);
}

/* A new root's common name: "<old> G2", or the next generation when
 * the old one already ends in " G<n>". */
static void
next_cn(const char *old, char *out, size_t size)
{
	const char *g = strrchr(old, ' ');
	size_t base = strlen(old);
	long gen = 1;

	if (g != NULL && g[1] == 'G' && g[2] != '\0' &&
	    strspn(g + 2, "0123456789") == strlen(g + 2) && strlen(g + 2) < 6) {
		gen = strtol(g + 2, NULL, 10);
		base = (size_t)(g - old);
	}
	if (base > 56)
		base = 56;
	snprintf(out, size, "%.*s G%ld", (int)base, old, gen + 1);
}

/*
 * A cross-certificate in m: subject's name and key certified by issuer
 * (key ikey), pathlen -1 (root) or 0 (issuing CA), valid at most until
 * the certified CA's own certificate ends (and, by vigil_pki_ca_sub,
 * until the issuer's).
 */
static bool
cross(struct made *m, X509 *subject, X509 *issuer, struct vigil_pki_key *ikey,
    int pathlen, const char *tid, const char *label, const char *parent)
{
	char cn[VIGIL_PKI_NAME_MAX + 1], org[VIGIL_PKI_NAME_MAX + 1];
	char err[256];
	int days = 0, secs = 0;
	X509 *x = NULL;

	name_part(subject, NID_commonName, cn, sizeof cn);
	name_part(subject, NID_organizationName, org, sizeof org);
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(subject)) !=
	        1 ||
	    days < 1)
		days = 1;
	if (vigil_pki_ca_sub(X509_get0_pubkey(subject), cn[0] ? cn : "CA",
	        org[0] ? org : NULL, issuer, vigil_pki_key_evp(ikey),
	        (uint32_t)days, pathlen, &x, err, sizeof err) != VIGIL_OK) {
		cli_err("cross-certificate %s: %s", label, err);
		return false;
	}
	if (!keep_name(x, subject, vigil_pki_key_evp(ikey), label)) {
		X509_free(x);
		return false;
	}
	if (record(m, x, VIGIL_CA_CROSS, tid, label, parent, "") != VIGIL_OK)
		return false;
	m->ca.alg = alg_of(x);
	return true;
}

/* Marks old retiring and stores the new CAs with their audit entries,
 * in one transaction. */
static int
commit_rollover(
    struct cli_ctx *ctx, const struct vigil_ca *old, struct made *m, size_t n)
{
	enum vigil_err rc;
	char obj[96];

	if ((rc = vigil_store_begin(ctx->store)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	snprintf(obj, sizeof obj, "ca/%s", old->id);
	if ((rc = vigil_ca_set_status(
	         ctx->store, old->id, VIGIL_CA_RETIRING)) != VIGIL_OK ||
	    (rc = cli_pki_audit(ctx, old->tenant_id, "ca.rollover", obj,
	         m[0].is_new ? m[0].ca.label : m[1].ca.label)) != VIGIL_OK ||
	    (rc = store_made(ctx, m, n, "rollover")) != VIGIL_OK ||
	    (rc = vigil_store_commit(ctx->store)) != VIGIL_OK) {
		vigil_store_rollback(ctx->store);
		return cli_store_err(ctx, rc);
	}
	return CLI_EXIT_OK;
}

/* The root a new issuing CA goes under: the old one's root while it is
 * active, else the newest active root of the same tenant (after a root
 * rollover the old root no longer signs). */
static bool
signing_root(struct cli_ctx *ctx, const struct vigil_ca *old, struct made *r)
{
	struct vigil_ca *cas = NULL;
	enum vigil_err rc;
	size_t n = 0, pick = SIZE_MAX;

	if ((rc = vigil_ca_get(ctx->store, NULL, old->parent_id, &r->ca)) !=
	    VIGIL_OK) {
		cli_store_err(ctx, rc);
		return false;
	}
	if (r->ca.status != VIGIL_CA_ACTIVE) {
		if (vigil_ca_list(ctx->store, NULL, VIGIL_CA_ROOT, &cas, &n) !=
		    VIGIL_OK) {
			cli_store_err(ctx, VIGIL_ESTORE);
			return false;
		}
		for (size_t i = 0; i < n; i++)
			if (cas[i].status == VIGIL_CA_ACTIVE &&
			    strcmp(cas[i].tenant_id, r->ca.tenant_id) == 0)
				pick = i; /* creation order: the newest wins */
		if (pick == SIZE_MAX) {
			cli_err(
			    "root CA %s of %s is %s and there is no active "
			    "root to sign its successor: roll the root over "
			    "first (vigil ca rollover --root)",
			    r->ca.label, old->label,
			    vigil_ca_status_name(r->ca.status));
			vigil_ca_list_free(cas, n);
			return false;
		}
		vigil_ca_clear(&r->ca);
		r->ca = cas[pick];
		cas[pick].cert_der = NULL;
		vigil_ca_list_free(cas, n);
	}
	if ((r->cert = ca_cert(&r->ca)) == NULL) {
		cli_err("root CA %s: the stored certificate does not parse",
		    r->ca.label);
		return false;
	}
	return true;
}

/* A new issuing CA (same name, policy and algorithm) under the active
 * root, its responder and the NewWithOld cross-certificate from the
 * old issuing key; the old one becomes retiring. */
static int
roll_issuing(
    struct cli_ctx *ctx, const struct cli_args *a, const struct vigil_ca *old)
{
	const char *mod = cli_arg(a, "pkcs11-module");
	const char *rref = cli_arg(a, "root-key") != NULL
	                       ? cli_arg(a, "root-key")
	                       : cli_arg(a, "root-key-uri");
	struct vigil_pki_key *rkey = NULL, *okey = NULL;
	struct made m[4];
	char label[VIGIL_PKI_LABEL_MAX + 1], xlabel[VIGIL_PKI_LABEL_MAX + 1];
	char dir[PATH_BYTES], org[VIGIL_PKI_NAME_MAX + 1];
	X509 *oc = NULL;
	int status = CLI_EXIT_FAIL;
	bool failed = true;

	memset(m, 0, sizeof m);
	if (!signing_root(ctx, old, &m[0]))
		goto out;
	if (m[0].ca.key_ref[0] != '\0')
		rref = m[0].ca.key_ref;
	if (rref == NULL) {
		cli_err("root CA %s is offline: give --root-key FILE or "
		        "--root-key-uri URI to sign the new issuing CA",
		    m[0].ca.label);
		goto out;
	}
	if (!load_key(rref, mod, &rkey) ||
	    !key_matches(m[0].cert, rkey, m[0].ca.label))
		goto out;
	if ((oc = ca_cert(old)) == NULL) {
		cli_err("issuing CA %s: the stored certificate does not parse",
		    old->label);
		goto out;
	}
	/* The old key signs the cross-certificate; it is still held (the
	 * signer keeps it for the retiring CA's CRL). */
	if (old->key_ref[0] == '\0') {
		cli_err("issuing CA %s has no key to sign the "
		        "cross-certificate of its successor",
		    old->label);
		goto out;
	}
	if (!load_key(old->key_ref, mod, &okey) ||
	    !key_matches(oc, okey, old->label))
		goto out;
	next_label(ctx, old->label, label);
	/* The successor keeps the old name (and organisation) unless
	 * --org gives a new one. */
	name_part(oc, NID_organizationName, org, sizeof org);
	if (cli_arg(a, "org") != NULL)
		snprintf(org, sizeof org, "%s", cli_arg(a, "org"));
	else if (org[0] == '\0')
		snprintf(org, sizeof org, "vigil");
	if (!key_dir(ctx, label, dir, sizeof dir) ||
	    !issuing_for(a, old->tenant_id, label, org, old->alg, dir, m, rkey,
	        old->validity_s, old->approval,
	        cli_arg(a, "org") != NULL ? NULL : oc))
		goto out;
	m[0].is_new = false;
	cross_label(label, "newwithold", xlabel);
	if (!cross(
	        &m[3], m[1].cert, oc, okey, 0, old->tenant_id, xlabel, old->id))
		goto out;
	if ((status = commit_rollover(ctx, old, m, 4)) != CLI_EXIT_OK)
		goto out;
	failed = false;
	if (!ctx->json)
		printf("CA %s is now retiring (still trusted and in the CRL "
		       "until it is retired)\n",
		    cli_safe(old->label));
	status = print_made(ctx, m, 4);
out:
	X509_free(oc);
	vigil_pki_key_free(rkey);
	vigil_pki_key_free(okey);
	for (size_t i = 0; i < 4; i++)
		made_free(&m[i], failed);
	return status;
}

/* A new root (NewWithNew) with the two cross-certificates; the old
 * root becomes retiring. Issuing CAs stay where they are until they
 * roll over themselves (under the new root). */
static int
roll_root(
    struct cli_ctx *ctx, const struct cli_args *a, const struct vigil_ca *old)
{
	const char *mod = cli_arg(a, "pkcs11-module");
	const char *uri = cli_arg(a, "key-uri");
	const char *oref = old->key_ref[0] != '\0' ? old->key_ref
	                   : cli_arg(a, "old-root-key") != NULL
	                       ? cli_arg(a, "old-root-key")
	                       : cli_arg(a, "old-root-key-uri");
	struct vigil_pki_key *okey = NULL, *nkey = NULL;
	struct made m[3];
	char label[VIGIL_PKI_LABEL_MAX + 1], xlabel[VIGIL_PKI_LABEL_MAX + 1];
	char dir[PATH_BYTES], err[256], ocn[VIGIL_PKI_NAME_MAX + 1];
	char cn[VIGIL_PKI_NAME_MAX + 1], org[VIGIL_PKI_NAME_MAX + 1];
	X509 *oc = NULL, *nc = NULL;
	uint32_t days;
	int status = CLI_EXIT_FAIL;
	bool failed = true;

	memset(m, 0, sizeof m);
	dir[0] = '\0';
	if (!days_arg(a, "days", 3650, 36500, &days))
		return CLI_EXIT_USAGE;
	if ((oc = ca_cert(old)) == NULL) {
		cli_err("root CA %s: the stored certificate does not parse",
		    old->label);
		goto out;
	}
	if (oref == NULL) {
		cli_err("root CA %s is offline: give --old-root-key FILE or "
		        "--old-root-key-uri URI to sign the new root's "
		        "cross-certificate",
		    old->label);
		goto out;
	}
	if (!load_key(oref, mod, &okey) || !key_matches(oc, okey, old->label))
		goto out;
	next_label(ctx, old->label, label);
	if (!key_dir(ctx, label, dir, sizeof dir))
		goto out;
	if (uri != NULL) {
		if (!load_key(uri, mod, &nkey))
			goto out;
	} else if (!new_key(dir, "root.key",
	               old->alg != VIGIL_PKI_ALG_NONE ? old->alg : alg_of(oc),
	               &m[0], &nkey))
		goto out;
	name_part(oc, NID_commonName, ocn, sizeof ocn);
	name_part(oc, NID_organizationName, org, sizeof org);
	next_cn(ocn[0] ? ocn : "vigil root CA", cn, sizeof cn);
	if (vigil_pki_ca_root(vigil_pki_key_evp(nkey), cn, org[0] ? org : NULL,
	        days, &nc, err, sizeof err) != VIGIL_OK) {
		cli_err("root CA %s: %s", label, err);
		goto out;
	}
	if (record(&m[0], nc, VIGIL_CA_ROOT, old->tenant_id, label, "",
	        uri != NULL ? uri : m[0].keyfile) != VIGIL_OK)
		goto out;
	m[0].ca.alg = alg_of(m[0].cert);
	cross_label(label, "oldwithnew", xlabel);
	if (!cross(&m[1], oc, m[0].cert, nkey, -1, old->tenant_id, xlabel,
	        "@prev"))
		goto out;
	cross_label(label, "newwithold", xlabel);
	if (!cross(&m[2], m[0].cert, oc, okey, -1, old->tenant_id, xlabel,
	        old->id))
		goto out;
	if ((status = commit_rollover(ctx, old, m, 3)) != CLI_EXIT_OK)
		goto out;
	failed = false;
	if (!ctx->json)
		printf("root CA %s is now retiring (still trusted and served "
		       "until it is retired); roll its issuing CAs over to "
		       "move them under %s\n",
		    cli_safe(old->label), cli_safe(label));
	status = print_made(ctx, m, 3);
out:
	X509_free(oc);
	vigil_pki_key_free(okey);
	vigil_pki_key_free(nkey);
	for (size_t i = 0; i < 3; i++)
		made_free(&m[i], failed);
	if (failed && dir[0] != '\0')
		rmdir(dir); /* only when empty */
	return status;
}

/* With --root and no label: the active root of --tenant, else the
 * shared one (never a tenant's fallback to the shared root: that one
 * rolls over for everybody, so it is asked for without --tenant). */
static bool
root_by_tenant(struct cli_ctx *ctx, struct vigil_ca *out)
{
	char tid[VIGIL_UUID_STRLEN] = "";
	struct vigil_ca *cas = NULL;
	size_t n = 0, pick = SIZE_MAX;

	if (ctx->tenant != NULL) {
		if (!cli_tenant(ctx))
			return false;
		memcpy(tid, ctx->tenant_id, sizeof tid);
	}
	if (vigil_ca_list(ctx->store, NULL, VIGIL_CA_ROOT, &cas, &n) !=
	    VIGIL_OK) {
		cli_store_err(ctx, VIGIL_ESTORE);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (cas[i].status == VIGIL_CA_ACTIVE &&
		    strcmp(cas[i].tenant_id, tid) == 0)
			pick = i;
	if (pick == SIZE_MAX) {
		vigil_ca_list_free(cas, n);
		if (tid[0] != '\0')
			cli_err("tenant %s has no active root of its own (the "
			        "shared root rolls over without --tenant)",
			    ctx->tenant_name);
		else
			cli_err("there is no active shared root");
		return false;
	}
	*out = cas[pick];
	cas[pick].cert_der = NULL;
	vigil_ca_list_free(cas, n);
	return true;
}

int
cli_ca_rollover(struct cli_ctx *ctx, const struct cli_args *a)
{
	bool root = cli_flag(a, "root");
	struct vigil_ca old;
	enum vigil_err rc;
	int status = CLI_EXIT_FAIL;

	memset(&old, 0, sizeof old);
	if (a->npos == 0 && !root)
		return cli_usage(a->cmd, "give the LABEL of the CA to roll "
		                         "over, or --root");
	if (cli_arg(a, "old-root-key") != NULL &&
	    cli_arg(a, "old-root-key-uri") != NULL)
		return cli_usage(a->cmd,
		    "--old-root-key and "
		    "--old-root-key-uri exclude each other");
	if (cli_store(ctx) == NULL)
		return CLI_EXIT_FAIL;
	if (a->npos > 0) {
		if ((rc = vigil_ca_get(ctx->store, NULL, a->pos[0], &old)) !=
		    VIGIL_OK)
			return cli_store_err(ctx, rc);
	} else if (!root_by_tenant(ctx, &old))
		return CLI_EXIT_FAIL;
	if (old.status != VIGIL_CA_ACTIVE ||
	    (old.role != VIGIL_CA_ISSUING && old.role != VIGIL_CA_ROOT) ||
	    (root && old.role != VIGIL_CA_ROOT)) {
		cli_err("CA %s is a %s CA (%s): only an active %s rolls over",
		    old.label, vigil_ca_role_name(old.role),
		    vigil_ca_status_name(old.status),
		    root ? "root CA" : "issuing CA or root CA");
		goto out;
	}
	status = old.role == VIGIL_CA_ROOT ? roll_root(ctx, a, &old)
	                                   : roll_issuing(ctx, a, &old);
out:
	vigil_ca_clear(&old);
	return status;
}

/* What goes with a retired CA: its OCSP responder and every
 * cross-certificate it signed or that certifies its key. */
static bool
goes_with(const struct vigil_ca *c, const struct vigil_ca *ca)
{
	if (c->status == VIGIL_CA_RETIRED || strcmp(c->id, ca->id) == 0)
		return false;
	if (c->role == VIGIL_CA_RESPONDER)
		return strcmp(c->parent_id, ca->id) == 0;
	if (c->role == VIGIL_CA_CROSS)
		return strcmp(c->parent_id, ca->id) == 0 ||
		       (ca->key_fp[0] != '\0' &&
		           strcmp(c->key_fp, ca->key_fp) == 0);
	return false;
}

int
cli_ca_retire(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_ca ca, *cas = NULL;
	enum vigil_err rc;
	size_t n = 0;
	char obj[96];
	json_t *also = json_array();

	memset(&ca, 0, sizeof ca);
	if (also == NULL || cli_store(ctx) == NULL) {
		json_decref(also);
		return CLI_EXIT_FAIL;
	}
	if ((rc = vigil_store_begin(ctx->store)) != VIGIL_OK) {
		json_decref(also);
		return cli_store_err(ctx, rc);
	}
	if ((rc = vigil_ca_get(ctx->store, NULL, a->pos[0], &ca)) == VIGIL_OK)
		rc = vigil_ca_list(ctx->store, NULL, 0, &cas, &n);
	/* A root goes only after the issuing CAs under it: retiring it
	 * first would cut off every device they certified. */
	for (size_t i = 0; rc == VIGIL_OK && ca.role == VIGIL_CA_ROOT && i < n;
	     i++)
		if (cas[i].role == VIGIL_CA_ISSUING &&
		    cas[i].status != VIGIL_CA_RETIRED &&
		    strcmp(cas[i].parent_id, ca.id) == 0) {
			vigil_store_rollback(ctx->store);
			cli_err(
			    "root CA %s still signs issuing CA %s (%s): "
			    "roll it over (vigil ca rollover %s) and retire "
			    "it first",
			    ca.label, cas[i].label,
			    vigil_ca_status_name(cas[i].status), cas[i].label);
			vigil_ca_list_free(cas, n);
			vigil_ca_clear(&ca);
			json_decref(also);
			return CLI_EXIT_FAIL;
		}
	if (rc == VIGIL_OK)
		rc = vigil_ca_set_status(ctx->store, ca.id, VIGIL_CA_RETIRED);
	for (size_t i = 0; i < n && rc == VIGIL_OK; i++)
		if (goes_with(&cas[i], &ca) &&
		    (rc = vigil_ca_set_status(
		         ctx->store, cas[i].id, VIGIL_CA_RETIRED)) == VIGIL_OK)
			json_array_append_new(also, json_string(cas[i].label));
	snprintf(obj, sizeof obj, "ca/%s", ca.id);
	if (rc == VIGIL_OK)
		rc = cli_pki_audit(
		    ctx, ca.tenant_id, "ca.retire", obj, ca.label);
	if (rc == VIGIL_OK)
		rc = vigil_store_commit(ctx->store);
	else
		vigil_store_rollback(ctx->store);
	vigil_ca_list_free(cas, n);
	if (rc != VIGIL_OK) {
		vigil_ca_clear(&ca);
		json_decref(also);
		return cli_store_err(ctx, rc);
	}
	if (ctx->json)
		cli_json_emit(stdout, json_pack("{ss ss so}", "label", ca.label,
		                          "status", "retired", "also", also));
	else {
		size_t i;
		json_t *v;

		printf("retired CA %s\n", cli_safe(ca.label));
		json_array_foreach(also, i, v)
		{
			printf("retired CA %s with it\n",
			    cli_safe(json_string_value(v)));
		}
		json_decref(also);
	}
	vigil_ca_clear(&ca);
	return cli_finish_stdout(CLI_EXIT_OK);
}

/* ------------------------------------------------------------------ */
/* add-manufacturer, add-claim */

static int
add_trusted(
    struct cli_ctx *ctx, const struct cli_args *a, enum vigil_ca_role role)
{
	const char *label = cli_arg(a, "label");
	STACK_OF(X509) *certs = NULL;
	struct made m[32];
	uint8_t *pem = NULL;
	size_t len, n = 0;
	char err[256], lab[VIGIL_PKI_LABEL_MAX + 1];
	int status = CLI_EXIT_FAIL;
	enum vigil_err rc;

	memset(m, 0, sizeof m);
	if (label == NULL || !label_ok(label, VIGIL_PKI_LABEL_MAX - 4))
		return cli_usage(a->cmd,
		    "--label L is required: 1 to %d "
		    "characters a-z, 0-9 or '-'",
		    VIGIL_PKI_LABEL_MAX - 4);
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if (!cli_pki_read_file(a->pos[0], 1u << 20, &pem, &len))
		return CLI_EXIT_FAIL;
	if (vigil_pki_certs_from_pem(
	        (char *)pem, len, &certs, err, sizeof err) != VIGIL_OK) {
		free(pem);
		return cli_err("%s: %s", a->pos[0], err);
	}
	free(pem);
	n = (size_t)sk_X509_num(certs);
	for (size_t i = 0; i < n && i < 32; i++) {
		X509 *c = sk_X509_value(certs, (int)i);
		struct vigil_pki_cert_info ci;

		if (vigil_pki_cert_info(c, &ci, err, sizeof err) != VIGIL_OK) {
			cli_err(
			    "%s: certificate %zu: %s", a->pos[0], i + 1, err);
			goto out;
		}
		if (!ci.is_ca) {
			cli_err("%s: certificate %zu (%s) is not a CA "
			        "certificate",
			    a->pos[0], i + 1, ci.subject);
			goto out;
		}
		if (i == 0)
			snprintf(lab, sizeof lab, "%s", label);
		else
			snprintf(lab, sizeof lab, "%s-%zu", label, i + 1);
		X509_up_ref(c);
		if (record(&m[i], c, role, ctx->tenant_id, lab, "", "") !=
		    VIGIL_OK)
			goto out;
		m[i].ca.alg = VIGIL_PKI_ALG_NONE;
	}
	if ((rc = store_made(ctx, m, n,
	         role == VIGIL_CA_MANUFACTURER ? "add manufacturer"
	                                       : "add claim")) != VIGIL_OK) {
		status = cli_store_err(ctx, rc);
		goto out;
	}
	status = print_made(ctx, m, n);
out:
	for (size_t i = 0; i < n && i < 32; i++)
		made_free(&m[i], false);
	sk_X509_pop_free(certs, X509_free);
	return status;
}

int
cli_ca_add_manufacturer(struct cli_ctx *ctx, const struct cli_args *a)
{
	return add_trusted(ctx, a, VIGIL_CA_MANUFACTURER);
}

int
cli_ca_add_claim(struct cli_ctx *ctx, const struct cli_args *a)
{
	return add_trusted(ctx, a, VIGIL_CA_CLAIM);
}

/* ------------------------------------------------------------------ */
/* list, show, policy, export (local or remote) */

int
cli_ca_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *cas = NULL, *c;
	enum vigil_err rc;
	size_t i;
	int st;

	(void)a;
	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->ca_list(ctx, &cas)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		bool ok = cli_json_emit(stdout, json_pack("{so}", "cas", cas));

		return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
	}
	printf("%-24s %-12s %-9s %-8s %-20s %s\n", "LABEL", "ROLE", "STATUS",
	    "ALG", "NOT AFTER", "SUBJECT");
	json_array_foreach(cas, i, c)
	{
		printf("%-24s %-12s %-9s %-8s %-20.20s %s\n",
		    cli_pki_js(c, "label"), cli_pki_js(c, "role"),
		    cli_pki_js(c, "status"), cli_pki_js(c, "alg"),
		    cli_pki_js(c, "not_after"), cli_pki_js(c, "subject"));
	}
	json_decref(cas);
	return cli_finish_stdout(CLI_EXIT_OK);
}

static void
print_ca(const json_t *c)
{
	static const char *const keys[] = {"label", "id", "role", "status",
	    "tenant_id", "parent_id", "subject", "alg", "key_storage",
	    "key_fingerprint", "not_before", "not_after", "created"};
	json_t *v;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		printf("%-16s %s\n", keys[i], cli_pki_js(c, keys[i]));
	if ((v = json_object_get(c, "validity_s")) != NULL)
		printf("%-16s %lld s%s\n", "validity",
		    (long long)json_integer_value(v),
		    json_integer_value(v) == 0 ? " (profile default)" : "");
	if ((v = json_object_get(c, "approval")) != NULL)
		printf(
		    "%-16s %s\n", "approval", json_is_true(v) ? "on" : "off");
}

static int
ca_show_or_export(struct cli_ctx *ctx, const struct cli_args *a, bool export)
{
	json_t *c = NULL;
	enum vigil_err rc;
	int st;

	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->ca_get(ctx, a->pos[0], &c)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		bool ok = cli_json_emit(stdout, c);

		return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
	}
	if (export)
		fputs(json_string_value(json_object_get(c, "chain")) != NULL
		          ? json_string_value(json_object_get(c, "chain"))
		          : "",
		    stdout);
	else if (cli_flag(a, "pem"))
		fputs(cli_pki_raw(c, "pem"), stdout);
	else
		print_ca(c);
	json_decref(c);
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_ca_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	return ca_show_or_export(ctx, a, false);
}

int
cli_ca_export(struct cli_ctx *ctx, const struct cli_args *a)
{
	return ca_show_or_export(ctx, a, true);
}

int
cli_ca_policy(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *v = cli_arg(a, "validity"), *ap = cli_arg(a, "approval");
	int64_t validity = -1;
	int approval = -1, st;
	json_t *c = NULL;
	enum vigil_err rc;

	if (v != NULL && (validity = pki_duration(v, 397 * DAY)) < 3600)
		return cli_usage(a->cmd,
		    "--validity '%s': expected a duration "
		    "from 1h to 397d such as 30d or 12h",
		    v);
	if (ap != NULL) {
		if (strcmp(ap, "on") == 0)
			approval = 1;
		else if (strcmp(ap, "off") == 0)
			approval = 0;
		else
			return cli_usage(a->cmd,
			    "--approval '%s': expected "
			    "on or off",
			    ap);
	}
	if (v == NULL && ap == NULL)
		return cli_usage(a->cmd, "nothing to change: give --validity "
		                         "and/or --approval");
	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->ca_policy(
	         ctx, a->pos[0], validity, approval, &c)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		json_object_del(c, "pem");
		json_object_del(c, "chain");
		return cli_finish_stdout(
		    cli_json_emit(stdout, c) ? CLI_EXIT_OK : CLI_EXIT_FAIL);
	}
	print_ca(c);
	json_decref(c);
	return cli_finish_stdout(CLI_EXIT_OK);
}
