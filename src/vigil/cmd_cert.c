/*
 * `vigil cert issue | list | show | revoke | hold | release | audit |
 * renew-report`: issued certificates. `cert issue` with --server asks
 * the vigild, whose signer holds the CA key; locally it signs with the
 * CA's key directly (file or PKCS#11 token): offline bootstrap and
 * tests.
 * The others work locally or remotely (pki_cli.h). The identity in an
 * issued certificate comes from the registry, never from the CSR.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "vigil/registry.h"

#include "../vigild/api_pki_json.h"
#include "backend.h"
#include "pki_cli.h"

#define DAY INT64_C(86400)

/* Prints one certificate (json) or its PEM, and releases it. */
static int
emit_cert(struct cli_ctx *ctx, json_t *c, bool pem, const char *verb)
{
	bool ok = true;

	if (ctx->json)
		ok = cli_json_emit(stdout, c);
	else {
		if (pem)
			fputs(cli_pki_raw(c, "pem"), stdout);
		else if (verb != NULL)
			printf("%s certificate %s (%s%s%s)\n", verb,
			    cli_pki_js(c, "serial"), cli_pki_js(c, "status"),
			    json_object_get(c, "reason") ? ", " : "",
			    json_object_get(c, "reason")
			        ? cli_pki_js(c, "reason")
			        : "");
		else {
			static const char *const keys[] = {"serial", "status",
			    "reason", "revoked", "profile", "device_id",
			    "tenant_id", "ca_id", "subject", "urn",
			    "key_fingerprint", "via", "not_before", "not_after",
			    "issued"};

			for (size_t i = 0; i < sizeof keys / sizeof keys[0];
			     i++)
				if (json_object_get(c, keys[i]) != NULL)
					printf("%-16s %s\n", keys[i],
					    cli_pki_js(c, keys[i]));
		}
		json_decref(c);
	}
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

/* ------------------------------------------------------------------ */
/* issue (local, or through a vigild) */

/* The CSR file (PEM or DER) as DER. */
static bool
read_csr(const char *path, uint8_t **der, size_t *len)
{
	uint8_t *data;
	size_t n;

	if (!cli_pki_read_file(path, 65536, &data, &n))
		return false;
	if (n > 10 && memcmp(data, "-----BEGIN", 10) == 0) {
		BIO *b = BIO_new_mem_buf(data, (int)n);
		X509_REQ *req = b != NULL
		                    ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL)
		                    : NULL;
		unsigned char *out = NULL;
		int l = req != NULL ? i2d_X509_REQ(req, &out) : -1;

		BIO_free(b);
		X509_REQ_free(req);
		free(data);
		if (l <= 0) {
			cli_err("%s: not a PEM certificate request", path);
			return false;
		}
		*der = malloc((size_t)l);
		if (*der != NULL)
			memcpy(*der, out, (size_t)l);
		OPENSSL_free(out);
		*len = (size_t)l;
		return *der != NULL || cli_err("out of memory") == 0;
	}
	*der = data;
	*len = n;
	return true;
}

/* The --name values in order, else DEVICE/NAME the positional
 * argument; at most max. Returns how many. */
static size_t
issue_names(const struct cli_args *a, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nopts && n < max; i++)
		if (!a->opts[i].idopt && a->opts[i].name != NULL &&
		    strcmp(a->opts[i].name, "name") == 0)
			names[n++] = a->opts[i].value;
	if (n == 0 && a->npos > 0)
		names[n++] = a->pos[0];
	return n;
}

/* A server or operator identity from the names (offline bootstrap;
 * through a vigild the signer checks the names strictly). */
static bool
names_identity(struct cli_ctx *ctx, const struct cli_args *a,
    enum vigil_pki_profile prof, struct vigil_pki_identity *id)
{
	const char *names[17];
	size_t n = issue_names(a, names, 17);
	unsigned char bin[16];

	if (n == 0 || (prof == VIGIL_PROFILE_OPERATOR && n != 1) || n > 16) {
		cli_err("cert issue: the %s profile needs %s", prof ==
		    VIGIL_PROFILE_OPERATOR ? "operator" : "server", prof ==
		    VIGIL_PROFILE_OPERATOR ? "one --name (the CN)" :
		    "1 to 16 --name (DNS names, IP addresses)");
		return false;
	}
	snprintf(id->cn, sizeof id->cn, "%s", names[0]);
	snprintf(id->org, sizeof id->org, "%s", ctx->tenant_name);
	for (size_t i = 0; prof == VIGIL_PROFILE_SERVER && i < n; i++) {
		int af = strchr(names[i], ':') != NULL ? AF_INET6 : AF_INET;

		if (inet_pton(af, names[i], bin) == 1 && id->nip < 8)
			snprintf(id->ip[id->nip++], sizeof id->ip[0], "%s",
			    names[i]);
		else if (inet_pton(af, names[i], bin) != 1 && id->ndns < 8)
			snprintf(id->dns[id->ndns++], sizeof id->dns[0], "%s",
			    names[i]);
		else {
			cli_err("cert issue: at most 8 DNS names and 8 IP "
			    "addresses");
			return false;
		}
	}
	return true;
}

/* The subject of a certificate for DEVICE (device profile: from the
 * registry) or for names (server/operator profiles). */
static bool
identity(struct cli_ctx *ctx, const struct cli_args *a,
    enum vigil_pki_profile prof, struct vigil_pki_identity *id,
    char device_id[VIGIL_UUID_STRLEN])
{
	struct vigil_device *d = NULL;
	enum vigil_err rc;
	char err[256];

	memset(id, 0, sizeof *id);
	device_id[0] = '\0';
	if (prof != VIGIL_PROFILE_DEVICE)
		return names_identity(ctx, a, prof, id);
	if (a->npos == 0) {
		cli_err("cert issue: name the DEVICE");
		return false;
	}
	if ((rc = vigil_device_get(
	         ctx->store, ctx->tenant_id, a->pos[0], &d)) != VIGIL_OK) {
		cli_store_err(ctx, rc);
		return false;
	}
	rc = vigil_pki_identity_from_device(d, id, err, sizeof err);
	memcpy(device_id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
	if (rc != VIGIL_OK) {
		cli_err("device %s: %s", a->pos[0], err);
		return false;
	}
	return true;
}

/* Writes the certificate's PEM to --out (and says so), or prints it. */
static int
issued_out(struct cli_ctx *ctx, const struct cli_args *a, json_t *out,
    const char *serial)
{
	const char *path = cli_arg(a, "out");
	FILE *f;

	if (path == NULL)
		return emit_cert(ctx, out, true, NULL);
	if ((f = fopen(path, "w")) == NULL ||
	    fputs(cli_pki_raw(out, "pem"), f) < 0 || fclose(f) != 0) {
		cli_err("cannot write %s", path);
		json_decref(out);
		return CLI_EXIT_FAIL;
	}
	if (ctx->json)
		return emit_cert(ctx, out, true, NULL);
	printf("issued certificate %s to %s\n", cli_safe(serial),
	    a->npos > 0 ? cli_safe(a->pos[0]) : cli_pki_js(out, "subject"));
	json_decref(out);
	return cli_finish_stdout(CLI_EXIT_OK);
}

/* Through a vigild: its signer issues (the CA key never reaches the
 * CLI). */
static int
issue_remote(struct cli_ctx *ctx, const struct cli_args *a,
    const struct vigil_pki_profile_info *pi, const char *csrf)
{
	const char *names[17], *v = cli_arg(a, "validity");
	size_t n = 0, b64len;
	char *b64 = NULL, serial[VIGIL_PKI_SERIAL_STRLEN];
	json_t *body, *arr, *out = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	enum vigil_err rc;

	if (cli_arg(a, "ca") != NULL || cli_arg(a, "pki-url") != NULL ||
	    cli_arg(a, "pkcs11-module") != NULL)
		return cli_usage(a->cmd, "--ca, --pki-url and --pkcs11-module "
		    "are for local issuance; a vigild uses its own CA and "
		    "URLs");
	if (pi->id == VIGIL_PROFILE_DEVICE && a->npos == 0)
		return cli_usage(a->cmd, "name the DEVICE");
	if (!cli_tenant(ctx) || !read_csr(csrf, &der, &len))
		return CLI_EXIT_FAIL;
	b64len = (len + 2) / 3 * 4 + 1;
	if ((b64 = malloc(b64len)) == NULL ||
	    vigil_base64_encode(der, len, b64, b64len) != VIGIL_OK ||
	    (body = json_object()) == NULL) {
		free(der);
		free(b64);
		cli_err("out of memory");
		return CLI_EXIT_FAIL;
	}
	free(der);
	json_object_set_new(body, "csr", json_string(b64));
	free(b64);
	if (v != NULL)
		json_object_set_new(body, "validity", json_string(v));
	if (pi->id != VIGIL_PROFILE_DEVICE) {
		n = issue_names(a, names, 17);
		arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, json_string(names[i]));
		json_object_set_new(body, "profile", json_string(pi->name));
		json_object_set_new(body, "names", arr);
	}
	rc = cli_pki_remote_issue(ctx, pi->id == VIGIL_PROFILE_DEVICE ?
	    a->pos[0] : NULL, body, &out);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	/* The same shape as `cert show`: "pem" is the certificate. */
	json_object_set(out, "pem", json_object_get(out, "certificate"));
	json_object_del(out, "certificate");
	snprintf(serial, sizeof serial, "%s", cli_pki_js(out, "serial"));
	return issued_out(ctx, a, out, serial);
}

/* Records the certificate with its audit entry. */
static enum vigil_err
record_cert(struct cli_ctx *ctx, X509 *x, const char *serial,
    const struct vigil_ca *ca, const char *device_id,
    enum vigil_pki_profile prof, const struct vigil_csr *csr)
{
	struct vigil_pki_cert_info ci;
	struct vigil_cert c;
	unsigned char *der = NULL;
	char err[256], obj[80], det[200];
	enum vigil_err rc;
	int len;

	memset(&c, 0, sizeof c);
	if (vigil_pki_cert_info(x, &ci, err, sizeof err) != VIGIL_OK ||
	    (len = i2d_X509(x, &der)) <= 0) {
		cli_err("issued certificate: %s", err);
		return VIGIL_EINVAL;
	}
	snprintf(c.serial, sizeof c.serial, "%s", serial);
	snprintf(c.ca_id, sizeof c.ca_id, "%s", ca->id);
	snprintf(c.tenant_id, sizeof c.tenant_id, "%s", ctx->tenant_id);
	snprintf(c.device_id, sizeof c.device_id, "%s", device_id);
	snprintf(c.subject, sizeof c.subject, "%s", ci.subject);
	snprintf(c.urn, sizeof c.urn, "%s", ci.urn);
	snprintf(c.key_fp, sizeof c.key_fp, "%s", csr->key_fp);
	snprintf(c.via, sizeof c.via, "cli");
	c.profile = prof;
	c.not_before = ci.not_before;
	c.not_after = ci.not_after;
	c.issued_ms = vigil_time_now_ms();
	c.status = VIGIL_CERT_GOOD;
	c.der = der;
	c.der_len = (size_t)len;
	if ((rc = vigil_store_begin(ctx->store)) == VIGIL_OK) {
		rc = vigil_cert_record(ctx->store, &c);
		snprintf(obj, sizeof obj, "cert/%s", serial);
		snprintf(det, sizeof det,
		    "profile %s, device %s, CA %s, via "
		    "cli",
		    vigil_pki_profile_get(prof)->name,
		    device_id[0] ? device_id : "-", ca->label);
		if (rc == VIGIL_OK)
			rc = cli_pki_audit(
			    ctx, ctx->tenant_id, "cert.issue", obj, det);
		if (rc == VIGIL_OK)
			rc = vigil_store_commit(ctx->store);
		else
			vigil_store_rollback(ctx->store);
	}
	OPENSSL_free(der);
	return rc;
}

int
cli_cert_issue(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *pname = cli_arg(a, "profile"), *v = cli_arg(a, "validity");
	const char *url = cli_arg(a, "pki-url"), *csrf = cli_arg(a, "csr");
	const struct vigil_pki_profile_info *pi;
	struct vigil_pki_issue_params p;
	struct vigil_pki_identity id;
	struct vigil_pki_key *key = NULL;
	struct vigil_csr csr;
	struct vigil_ca ca;
	char dev[VIGIL_UUID_STRLEN], serial[VIGIL_PKI_SERIAL_STRLEN];
	char err[512], crl[1100], ocsp[1100];
	const unsigned char *q;
	uint8_t *der = NULL;
	size_t len = 0;
	int64_t validity = 0;
	int status = CLI_EXIT_FAIL;
	enum vigil_err rc;
	X509 *issuer = NULL, *x = NULL;
	json_t *out;

	memset(&csr, 0, sizeof csr);
	memset(&ca, 0, sizeof ca);
	if ((pi = vigil_pki_profile_find(pname != NULL ? pname : "device")) ==
	    NULL)
		return cli_usage(a->cmd,
		    "--profile '%s': expected device, "
		    "server or operator",
		    pname);
	if (csrf == NULL)
		return cli_usage(a->cmd, "--csr FILE is required");
	if (v != NULL && (validity = pki_duration(v, pi->max_validity_s)) <
	                     (int64_t)pi->min_validity_s)
		return cli_usage(a->cmd,
		    "--validity '%s': the %s profile "
		    "allows %u h to %u days",
		    v, pi->name, pi->min_validity_s / 3600,
		    (unsigned)(pi->max_validity_s / DAY));
	if (ctx->be == &cli_backend_remote)
		return issue_remote(ctx, a, pi, csrf);
	if (cli_store(ctx) == NULL || !cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if (!read_csr(csrf, &der, &len))
		return CLI_EXIT_FAIL;
	if (vigil_csr_parse(der, len, &csr, err, sizeof err) != VIGIL_OK) {
		cli_err("%s: %s", csrf, err);
		goto out;
	}
	if (!identity(ctx, a, pi->id, &id, dev))
		goto out;
	if ((rc = cli_pki_issuing_ca(ctx->store, ctx->tenant_id,
	         cli_arg(a, "ca"), &ca)) != VIGIL_OK) {
		if (rc == VIGIL_ENOTFOUND && cli_arg(a, "ca") == NULL) {
			cli_err("tenant %s has no active issuing CA (nor is "
			    "there a shared one): create one with 'vigil ca "
			    "init'", ctx->tenant_name);
			goto out;
		}
		status = cli_store_err(ctx, rc);
		goto out;
	}
	if (ca.role != VIGIL_CA_ISSUING || ca.status != VIGIL_CA_ACTIVE) {
		cli_err("CA %s is a %s CA (%s): certificates come from an "
		        "active issuing CA",
		    ca.label, vigil_ca_role_name(ca.role),
		    vigil_ca_status_name(ca.status));
		goto out;
	}
	if (ca.key_ref[0] == '\0') {
		cli_err("CA %s: its key is not held by vigil", ca.label);
		goto out;
	}
	if (vigil_pki_key_load(&key, ca.key_ref, cli_arg(a, "pkcs11-module"),
	        err, sizeof err) != VIGIL_OK) {
		cli_err("CA %s: %s", ca.label, err);
		goto out;
	}
	q = ca.cert_der;
	if ((issuer = d2i_X509(NULL, &q, (long)ca.cert_len)) == NULL) {
		cli_err("CA %s: stored certificate does not parse", ca.label);
		goto out;
	}
	memset(&p, 0, sizeof p);
	p.profile = pi->id;
	p.id = &id;
	p.subject_pub = csr.pub;
	p.issuer = issuer;
	p.issuer_key = vigil_pki_key_evp(key);
	p.now = vigil_time_now_ms() / 1000;
	p.validity_s = validity > 0 ? (uint32_t)validity : ca.validity_s;
	if (url != NULL) {
		snprintf(crl, sizeof crl, "%s/crl/%s.crl", url, ca.label);
		snprintf(ocsp, sizeof ocsp, "%s/ocsp/%s", url, ca.label);
		p.crl_url = crl;
		p.ocsp_url = ocsp;
	}
	if (vigil_pki_issue(&p, &x, serial, err, sizeof err) != VIGIL_OK) {
		cli_err("issue: %s", err);
		goto out;
	}
	if ((rc = record_cert(ctx, x, serial, &ca, dev, pi->id, &csr)) !=
	    VIGIL_OK) {
		status = cli_store_err(ctx, rc);
		goto out;
	}
	if ((rc = cli_pki_local.cert_get(ctx, serial, &out)) != VIGIL_OK) {
		status = cli_store_err(ctx, rc);
		goto out;
	}
	status = issued_out(ctx, a, out, serial);
out:
	free(der);
	X509_free(x);
	X509_free(issuer);
	vigil_pki_key_free(key);
	vigil_csr_clear(&csr);
	vigil_ca_clear(&ca);
	return status;
}

/* ------------------------------------------------------------------ */
/* list, show */

int
cli_cert_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *s = cli_arg(a, "status"), *e = cli_arg(a, "expiring");
	struct cli_cert_query q;
	json_t *certs = NULL, *c;
	enum vigil_err rc;
	size_t i;
	int st;

	memset(&q, 0, sizeof q);
	if (s != NULL && strcmp(s, "good") != 0 && strcmp(s, "revoked") != 0 &&
	    strcmp(s, "hold") != 0)
		return cli_usage(a->cmd,
		    "--status '%s': expected good, "
		    "revoked or hold",
		    s);
	if (e != NULL && (q.expiring_s = pki_duration(e, 3650 * DAY)) < 0)
		return cli_usage(a->cmd,
		    "--expiring '%s': expected a "
		    "duration such as 30d or 12h",
		    e);
	q.status = s;
	q.device = cli_arg(a, "device");
	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->cert_list(ctx, &q, &certs)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		return cli_finish_stdout(
		    cli_json_emit(stdout, json_pack("{so}", "certs", certs))
		        ? CLI_EXIT_OK
		        : CLI_EXIT_FAIL);
	printf("%-40s %-8s %-9s %-36s %-20s %s\n", "SERIAL", "STATUS",
	    "PROFILE", "DEVICE", "NOT AFTER", "SUBJECT");
	json_array_foreach(certs, i, c)
	{
		printf("%-40s %-8s %-9s %-36s %-20.20s %s\n",
		    cli_pki_js(c, "serial"), cli_pki_js(c, "status"),
		    cli_pki_js(c, "profile"), cli_pki_js(c, "device_id"),
		    cli_pki_js(c, "not_after"), cli_pki_js(c, "subject"));
	}
	json_decref(certs);
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_cert_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *c = NULL;
	enum vigil_err rc;
	int st;

	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->cert_get(ctx, a->pos[0], &c)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	return emit_cert(ctx, c, cli_flag(a, "pem"), NULL);
}

/* ------------------------------------------------------------------ */
/* revoke, hold, release */

int
cli_cert_revoke(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *rs = cli_arg(a, "reason"), *dev = cli_arg(a, "device");
	int reason = VIGIL_REASON_UNSPECIFIED, st;
	json_t *c = NULL;
	enum vigil_err rc;

	if (rs != NULL && (reason = vigil_crl_reason_from_name(rs)) < 0)
		return cli_usage(a->cmd,
		    "--reason '%s': expected unspecified, "
		    "keyCompromise, caCompromise, affiliationChanged, "
		    "superseded, cessationOfOperation or privilegeWithdrawn",
		    rs);
	if (reason == VIGIL_REASON_HOLD)
		return cli_usage(a->cmd, "certificateHold is a suspension: "
		                         "use 'vigil cert hold SERIAL'");
	if ((dev == NULL) == (a->npos == 0))
		return cli_usage(a->cmd, "give either SERIAL or --device "
		                         "DEVICE");
	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if (dev != NULL) {
		if ((rc = cli_pki(ctx)->cert_revoke_device(
		         ctx, dev, reason, &c)) != VIGIL_OK)
			return cli_store_err(ctx, rc);
		if (ctx->json)
			return cli_finish_stdout(cli_json_emit(stdout, c)
			                             ? CLI_EXIT_OK
			                             : CLI_EXIT_FAIL);
		printf("revoked %lld certificate(s) of %s\n",
		    (long long)json_integer_value(
		        json_object_get(c, "revoked")),
		    cli_safe(dev));
		json_decref(c);
		return cli_finish_stdout(CLI_EXIT_OK);
	}
	if ((rc = cli_pki(ctx)->cert_revoke(ctx, a->pos[0], reason, &c)) !=
	    VIGIL_OK)
		return cli_store_err(ctx, rc);
	json_object_del(c, "pem");
	return emit_cert(ctx, c, false, "revoked");
}

int
cli_cert_hold(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *c = NULL;
	enum vigil_err rc;
	int st;

	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->cert_revoke(
	         ctx, a->pos[0], VIGIL_REASON_HOLD, &c)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	json_object_del(c, "pem");
	return emit_cert(ctx, c, false, "held");
}

int
cli_cert_release(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *c = NULL;
	enum vigil_err rc;
	int st;

	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->cert_release(ctx, a->pos[0], &c)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	json_object_del(c, "pem");
	return emit_cert(ctx, c, false, "released");
}

/* ------------------------------------------------------------------ */
/* audit, renew-report */

int
cli_cert_audit(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *r = NULL, *f;
	enum vigil_err rc;
	size_t i;
	int st;

	(void)a;
	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->cert_audit(ctx, &r)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		return cli_finish_stdout(
		    cli_json_emit(stdout, r) ? CLI_EXIT_OK : CLI_EXIT_FAIL);
	json_array_foreach(json_object_get(r, "findings"), i, f)
	{
		printf("%-6s %-17s %-45s %s\n", cli_pki_js(f, "severity"),
		    cli_pki_js(f, "kind"), cli_pki_js(f, "object"),
		    cli_pki_js(f, "detail"));
	}
	printf("%lld certificate(s) checked, %zu finding(s)\n",
	    (long long)json_integer_value(json_object_get(r, "checked")),
	    json_array_size(json_object_get(r, "findings")));
	json_decref(r);
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_cert_renew_report(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *w = cli_arg(a, "within");
	int64_t within = 7 * DAY;
	json_t *r = NULL, *d;
	enum vigil_err rc;
	size_t i;
	int st;

	if (w != NULL && (within = pki_duration(w, 3650 * DAY)) < 0)
		return cli_usage(a->cmd,
		    "--within '%s': expected a duration "
		    "such as 7d or 12h",
		    w);
	if ((st = cli_pki_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->renew_report(ctx, within, &r)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		return cli_finish_stdout(
		    cli_json_emit(stdout, r) ? CLI_EXIT_OK : CLI_EXIT_FAIL);
	json_array_foreach(json_object_get(r, "devices"), i, d)
	{
		printf("%-36s %-40s %s\n", cli_pki_js(d, "device_id"),
		    cli_pki_js(d, "serial"), cli_pki_js(d, "not_after"));
	}
	printf("%zu device(s) to renew within %lld s\n",
	    json_array_size(json_object_get(r, "devices")), (long long)within);
	json_decref(r);
	return cli_finish_stdout(CLI_EXIT_OK);
}
