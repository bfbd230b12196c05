/*
 * Credential checks: login by name, re-authentication and password
 * change of an authenticated principal. All three go through one
 * function that applies the brute-force rules (docs/iam.md):
 *
 *   1. a short write transaction checks the IP's and the principal's
 *      lock and back-off, and charges one failure to both BEFORE the
 *      password is checked, so guesses sent in parallel to several
 *      worker processes are all counted;
 *   2. argon2id (and TOTP) verification, outside any lock;
 *   3. on success a second short transaction resets the principal's
 *      counter and refunds the IP's charge.
 *
 * An unknown name runs a dummy argon2id verification of the same cost
 * and counts against the IP, so it looks and costs like a wrong
 * password.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "iam_internal.h"

#define CHECK_RECORD_LOGIN 0x1u /* set last_login_ms */
#define CHECK_NO_TOTP 0x2u      /* password only (password change) */

/* The one text for a wrong name, password or code. */
#define BAD_CREDENTIALS "invalid credentials"

/* Phase 1: lock check and charge. *sec gets the principal's
 * credentials (when p is not NULL), *ipc the IP's counter as it was
 * before the charge. */
static enum vigil_err
charge(struct vigil_store *st, const struct vigil_principal *p,
    const char *ipkey, int64_t now_ms, struct store_iam_secrets *sec,
    struct store_iam_counter *ipprev, int64_t *retry_after_s)
{
	const struct store_iam_ops *ops = iam_ops(st);
	struct store_iam_counter ipc;
	int64_t wait;
	enum vigil_err rc;

	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	if (ipkey != NULL) {
		if ((rc = ops->ip_counter_get(st, ipkey, &ipc)) != VIGIL_OK)
			goto end;
		if ((wait = iam_retry_after(&iam_ip_limits, &ipc, now_ms)) >
		    0) {
			*retry_after_s = wait;
			rc = store_seterr(st, VIGIL_ELOCKED, "login: too many "
			    "failed attempts from this address; retry in "
			    "%lld s", (long long)wait);
			goto end;
		}
		*ipprev = ipc;
	}
	if (p != NULL) {
		if ((rc = ops->secrets_get(st, p->id, sec)) != VIGIL_OK)
			goto end;
		if ((wait = iam_retry_after(&iam_principal_limits,
		    &sec->counter, now_ms)) > 0) {
			*retry_after_s = wait;
			rc = store_seterr(st, VIGIL_ELOCKED, "login: too many "
			    "failed attempts for this account; retry in "
			    "%lld s", (long long)wait);
			goto end;
		}
		iam_counter_fail(&iam_principal_limits, &sec->counter, now_ms);
		if ((rc = ops->principal_counter_set(st, p->id,
		    &sec->counter)) != VIGIL_OK)
			goto end;
	}
	if (ipkey != NULL) {
		iam_counter_fail(&iam_ip_limits, &ipc, now_ms);
		if ((rc = ops->ip_counter_set(st, ipkey, &ipc)) == VIGIL_OK)
			rc = ops->ip_counter_purge(st,
			    now_ms - (int64_t)VIGIL_IAM_LOCKOUT_S * 1000,
			    now_ms);
	}
end:
	return store_tx_end(st, rc);
}

/* Phase 3: success resets the principal and refunds the IP. */
static enum vigil_err
settle(struct vigil_store *st, const struct vigil_principal *p,
    const char *ipkey, const struct store_iam_counter *ipprev,
    int64_t now_ms, unsigned flags)
{
	const struct store_iam_ops *ops = iam_ops(st);
	struct store_iam_counter ipc;
	enum vigil_err rc;

	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	if ((rc = ops->principal_login_ok(st, p->id,
	    (flags & CHECK_RECORD_LOGIN) ? now_ms : 0)) != VIGIL_OK)
		goto end;
	/* The IP keeps its other failures: a success with one account
	 * must not wipe the guesses made at other accounts. Only this
	 * attempt's charge goes back: the counter as it was, unless
	 * another attempt was charged meanwhile (then one less). */
	if (ipkey != NULL) {
		if ((rc = ops->ip_counter_get(st, ipkey, &ipc)) != VIGIL_OK)
			goto end;
		if (ipc.last_failure_ms == now_ms &&
		    ipc.failures == ipprev->failures + 1) {
			ipc = *ipprev;
		} else {
			if (ipc.failures > 0)
				ipc.failures--;
			if (ipc.failures < iam_ip_limits.lockout_failures)
				ipc.locked_until_ms = 0;
		}
		rc = ops->ip_counter_set(st, ipkey, &ipc);
	}
end:
	return store_tx_end(st, rc);
}

/* Password, then TOTP (consuming its step so it cannot be replayed).
 * *totp_missing: the password was right but no code came, so the
 * client may ask its user for one (only a holder of the password
 * learns that the account has TOTP). */
static enum vigil_err
verify(struct vigil_store *st, const struct vigil_principal *p,
    const struct store_iam_secrets *sec, const char *password,
    const char *totp_code, int64_t now_ms, unsigned flags, int *ok,
    int *totp_missing)
{
	int64_t step;
	int accepted = 0;

	*totp_missing = 0;
	*ok = iam_password_verify(p != NULL &&
	    p->kind == VIGIL_PRINCIPAL_HUMAN ? sec->password_hash : NULL,
	    password);
	if (!*ok || sec->totp_len == 0 || (flags & CHECK_NO_TOTP))
		return VIGIL_OK;
	if (totp_code == NULL || totp_code[0] == '\0') {
		*ok = 0;
		*totp_missing = 1;
		return VIGIL_OK;
	}
	step = iam_totp_match(sec->totp_secret, sec->totp_len, totp_code,
	    now_ms, sec->totp_last_step);
	if (step < 0) {
		*ok = 0;
		return VIGIL_OK;
	}
	/* Atomic: of two checks with the same code, only one wins. */
	if (iam_ops(st)->totp_use_step(st, p->id, step, &accepted) !=
	    VIGIL_OK) {
		*ok = 0;
		return VIGIL_ESTORE;
	}
	*ok = accepted;
	return VIGIL_OK;
}

static enum vigil_err
check(struct vigil_store *st, const struct vigil_principal *p,
    const char *password, const char *totp_code, const char *ip,
    int64_t now_ms, unsigned flags, int64_t *retry_after_s)
{
	struct store_iam_secrets sec;
	struct store_iam_counter ipprev = { 0, 0, 0 };
	char key[STORE_IAM_IPKEY_MAX];
	const char *ipkey = NULL;
	int64_t retry = 0;
	int ok = 0, totp_missing = 0;
	enum vigil_err rc;

	if (retry_after_s != NULL)
		*retry_after_s = 0;
	memset(&sec, 0, sizeof sec);
	if (vigil_store_tx_depth(st) > 0)
		return store_seterr(st, VIGIL_ESTATE, "login: credential "
		    "checks must run outside a transaction (rolling it back "
		    "would erase the failures they count)");
	if (ip != NULL && ip[0] != '\0') {
		if (iam_ip_key(ip, key) != VIGIL_OK)
			return store_seterr(st, VIGIL_EINVAL, "login: source "
			    "address is not an IP address");
		ipkey = key;
	}
	rc = charge(st, p, ipkey, now_ms, &sec, &ipprev, &retry);
	if (retry_after_s != NULL)
		*retry_after_s = retry;
	if (rc != VIGIL_OK)
		goto out;
	rc = verify(st, p, &sec, password, totp_code, now_ms, flags, &ok,
	    &totp_missing);
	if (rc != VIGIL_OK)
		goto out;
	if (!ok || p == NULL) {
		rc = store_seterr(st, VIGIL_EAUTH, "%s%s", BAD_CREDENTIALS,
		    totp_missing ? ": TOTP code required" : "");
		goto out;
	}
	/* A disabled principal's refused login is not its last login. */
	if (p->disabled)
		flags &= ~CHECK_RECORD_LOGIN;
	if ((rc = settle(st, p, ipkey, &ipprev, now_ms, flags)) != VIGIL_OK)
		goto out;
	/* Only a holder of the right password learns that the account is
	 * disabled; anyone else sees "invalid credentials". */
	if (p->disabled)
		rc = store_seterr(st, VIGIL_EDENIED, "principal %s is disabled",
		    p->name);
out:
	OPENSSL_cleanse(&sec, sizeof sec);
	return rc;
}

static enum vigil_err
check_password_arg(struct vigil_store *st, const char *password,
    const char *what)
{
	if (password == NULL || password[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "%s: password missing",
		    what);
	if (strnlen(password, VIGIL_PASSWORD_MAX + 1) > VIGIL_PASSWORD_MAX)
		return store_seterr(st, VIGIL_EINVAL, "%s: password longer "
		    "than %d bytes", what, VIGIL_PASSWORD_MAX);
	return VIGIL_OK;
}

enum vigil_err
vigil_iam_login(struct vigil_store *st, const char *scope, const char *name,
    const char *password, const char *totp_code, const char *ip,
    int64_t now_ms, struct vigil_principal *out, int64_t *retry_after_s)
{
	struct vigil_principal p;
	const struct vigil_principal *pp = NULL;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	memset(&p, 0, sizeof p);
	if (retry_after_s != NULL)
		*retry_after_s = 0;
	store_clearerr(st);
	if (name == NULL || name[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "login: name missing");
	if ((rc = check_password_arg(st, password, "login")) != VIGIL_OK)
		return rc;
	/* Names only: an id-shaped or malformed name is simply unknown. */
	if (iam_name_valid(name)) {
		rc = iam_ops(st)->principal_get_name(st,
		    scope != NULL ? scope : "", name, &p);
		if (rc == VIGIL_OK)
			pp = &p;
		else if (rc != VIGIL_ENOTFOUND)
			return rc;
	}
	if ((rc = check(st, pp, password, totp_code, ip, now_ms,
	    CHECK_RECORD_LOGIN, retry_after_s)) != VIGIL_OK)
		return rc;
	/* The row as it is now (last login, cleared counters). */
	return iam_ops(st)->principal_get_id(st, NULL, p.id, out);
}

enum vigil_err
vigil_iam_reauth(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *password, const char *totp_code,
    const char *ip, int64_t now_ms, int64_t *retry_after_s)
{
	struct vigil_principal p;
	enum vigil_err rc;

	if (retry_after_s != NULL)
		*retry_after_s = 0;
	store_clearerr(st);
	if ((rc = check_password_arg(st, password, "reauth")) != VIGIL_OK)
		return rc;
	if ((rc = iam_principal_resolve(st, scope, principal_id, &p)) !=
	    VIGIL_OK)
		return rc;
	return check(st, &p, password, totp_code, ip, now_ms, 0,
	    retry_after_s);
}

enum vigil_err
vigil_iam_password_change(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *old_password,
    const char *new_password, const char *ip, int64_t now_ms,
    int64_t *retry_after_s)
{
	struct vigil_principal p;
	enum vigil_err rc;

	if (retry_after_s != NULL)
		*retry_after_s = 0;
	store_clearerr(st);
	if ((rc = check_password_arg(st, old_password, "password change")) !=
	    VIGIL_OK)
		return rc;
	/* Reject a bad new password before spending an attempt. */
	if ((rc = iam_password_target(st, scope, principal_id, new_password,
	    &p)) != VIGIL_OK)
		return rc;
	if ((rc = check(st, &p, old_password, NULL, ip, now_ms,
	    CHECK_NO_TOTP, retry_after_s)) != VIGIL_OK)
		return rc;
	return vigil_iam_password_set(st, scope, p.id, new_password);
}
