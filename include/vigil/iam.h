/*
 * vigil/iam.h — identity and access management: principals (human
 * operators and service accounts), roles and the one permission table,
 * passwords (argon2id), TOTP (RFC 6238), API tokens, brute-force
 * protection and re-authentication for privileged actions.
 *
 * Principals belong to one tenant, or to the platform (tenant_id "")
 * for platform admins and platform auditors. A principal of tenant A
 * never sees tenant B's principals or tokens: every scoped function
 * takes the tenant scope (NULL = platform scope, which sees all).
 *
 * Tokens: "vgl_" + 43 characters of base64url without padding (32
 * random bytes from the OS CSPRNG, 256 bits). The prefix lets secret
 * scanners recognise a leaked token. A token is shown once; the store
 * keeps only SHA-256(secret). Lookups compare hashes in constant time.
 * Each token carries a scope (tenant, role no higher than its
 * principal's), an expiry, a label, last-used time and source IP, and
 * an auth time (when its holder last proved a password, for
 * privileged actions).
 *
 * Brute force: every failed password/TOTP check counts against the
 * principal and against the source IP (IPv6 per /64); after
 * VIGIL_IAM_FREE_FAILURES failures (n), each further attempt must wait
 * 2^(n-free) seconds after the last failure (capped at
 * VIGIL_IAM_MAX_BACKOFF_S); the VIGIL_IAM_LOCKOUT_FAILURES-th failure
 * locks the principal for VIGIL_IAM_LOCKOUT_S. The IP counter follows
 * the same rules with the VIGIL_IAM_IP_* thresholds (one address may
 * be a whole office behind NAT). A locked or backing-off principal or
 * IP gets VIGIL_ELOCKED without the password being checked, so a
 * lockout cannot be used as an oracle. Each attempt is counted before
 * the password is checked (parallel guesses in several processes all
 * count); success resets the principal's counter and takes back only
 * that attempt's charge from the IP (a success with one account must
 * not clear guesses made at others). A counter without a failure for
 * VIGIL_IAM_LOCKOUT_S is forgotten. Counters live in the store, so
 * every worker process shares them.
 *
 * Scope arguments: NULL = platform (every tenant); "" = the platform's
 * own principals only; otherwise a tenant id (never a tenant name).
 *
 * Errors: enum vigil_err; text in vigil_store_errmsg(st). Texts never
 * contain a password, TOTP secret or token secret.
 */
#ifndef VIGIL_IAM_H
#define VIGIL_IAM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_PRINCIPAL_NAME_MAX 64 /* [a-z0-9][a-z0-9._@-]{0,63} */
#define VIGIL_PASSWORD_MIN 12
#define VIGIL_PASSWORD_MAX 1024
#define VIGIL_TOKEN_LABEL_MAX 128
#define VIGIL_TOKEN_STRLEN 48   /* "vgl_" + 43 base64url chars + NUL */
#define VIGIL_TOTP_SECRET_LEN 20 /* bytes (160 bits, RFC 4226 §4) */
#define VIGIL_IAM_FREE_FAILURES 3
#define VIGIL_IAM_LOCKOUT_FAILURES 10
#define VIGIL_IAM_LOCKOUT_S 900
#define VIGIL_IAM_MAX_BACKOFF_S 300
#define VIGIL_IAM_IP_FREE_FAILURES 20
#define VIGIL_IAM_IP_LOCKOUT_FAILURES 100
/* Hard ceiling of a token's lifetime; vigild's max_token_ttl_s is lower. */
#define VIGIL_TOKEN_TTL_MAX_S ((int64_t)10 * 366 * 86400)
#define VIGIL_IP_STRLEN 46 /* INET6_ADDRSTRLEN */

/* ------------------------------------------------------------------ */
/* Roles and permissions: the one table (iam_roles.c). Never renumber. */

enum vigil_role {
	VIGIL_ROLE_NONE = 0,
	VIGIL_ROLE_PLATFORM_ADMIN = 1, /* platform scope only */
	VIGIL_ROLE_TENANT_ADMIN = 2,
	VIGIL_ROLE_SECURITY_ANALYST = 3,
	VIGIL_ROLE_DEVICE_MANAGER = 4,
	VIGIL_ROLE_OPERATOR = 5,       /* read only */
	VIGIL_ROLE_AUDITOR = 6,        /* read + audit log */
	VIGIL_ROLE_COUNT
};

enum vigil_perm {
	VIGIL_PERM_NONE = 0,
	VIGIL_PERM_TENANT_READ,    /* own tenant record */
	VIGIL_PERM_TENANT_MANAGE,  /* create/rename/delete tenants (platform) */
	VIGIL_PERM_DEVICE_READ,
	VIGIL_PERM_DEVICE_WRITE,   /* add, update, import */
	VIGIL_PERM_DEVICE_STATE,   /* lifecycle moves, quarantine, retire */
	VIGIL_PERM_IAM_READ,       /* principals and tokens of the tenant */
	VIGIL_PERM_IAM_MANAGE,     /* create principals, grant roles, tokens */
	VIGIL_PERM_AUDIT_READ,     /* the tenant's audit entries */
	VIGIL_PERM_AUDIT_VERIFY,   /* whole-chain verify (platform) */
	VIGIL_PERM_SELF,           /* own profile, password, TOTP, tokens */
	VIGIL_PERM_PKI_READ,       /* CAs, issued certificates, enrollment
				    * tokens and requests (never keys or
				    * token secrets) */
	VIGIL_PERM_PKI_MANAGE,     /* revoke/hold/release, CA policy,
				    * enrollment tokens, approvals, claims */
	VIGIL_PERM_VULN_READ,      /* firmware builds, findings, fleet
				    * exposure, products, CRA reports */
	VIGIL_PERM_VULN_MANAGE,    /* feeds, SBOMs, VEX, scans, products,
				    * exploited marks, CRA steps (platform) */
	VIGIL_PERM_POLICY_READ,    /* zero-trust policies, attachments,
				    * decisions explained, lint, baselines */
	VIGIL_PERM_POLICY_MANAGE,  /* put/delete/rollback policies, attach,
				    * model baselines */
	VIGIL_PERM_ALERT_READ,     /* network alerts, shadow IoT findings,
				    * address bindings, cellular sessions */
	VIGIL_PERM_ALERT_MANAGE,   /* ack/close alerts, adopt/dismiss
				    * shadow findings, address bindings */
	VIGIL_PERM_COUNT
};

/* True when role holds perm. The single permission table (docs/iam.md).
 * tenant:manage and audit:verify are platform-only permissions: only
 * ROUTE_PLATFORM routes use them, so a tenant principal never reaches
 * them whatever its role holds (a platform auditor may verify the
 * chain, a tenant auditor cannot). */
int vigil_role_has(enum vigil_role role, enum vigil_perm perm);
/* "platform-admin", "tenant-admin", "security-analyst",
 * "device-manager", "operator", "auditor"; "none". Static. */
const char *vigil_role_name(enum vigil_role role);
/* VIGIL_ROLE_NONE when unknown. */
enum vigil_role vigil_role_from_name(const char *name);
/* "device:read", ... Static. */
const char *vigil_perm_name(enum vigil_perm perm);
/* True when `granter` may hand out `role` (never more than it holds:
 * platform-admin any; tenant-admin any tenant role; others none). */
int vigil_role_may_grant(enum vigil_role granter, enum vigil_role role);

/* ------------------------------------------------------------------ */
/* Principals */

enum vigil_principal_kind {
	VIGIL_PRINCIPAL_HUMAN = 1,
	VIGIL_PRINCIPAL_SERVICE = 2, /* no password, tokens only */
};

struct vigil_principal {
	char id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN]; /* "" = platform */
	char name[VIGIL_PRINCIPAL_NAME_MAX + 1];
	enum vigil_principal_kind kind;
	enum vigil_role role;
	int disabled;
	int has_password;
	int totp_enabled;
	uint32_t failures;       /* consecutive failed logins */
	int64_t locked_until_ms; /* 0 = not locked */
	int64_t created_ms;
	int64_t last_login_ms;   /* 0 = never */
};

/* Creates a principal. tenant_id NULL/"" = platform (then role must be
 * platform-admin or auditor; a tenant principal any other role). The
 * tenant must exist (VIGIL_ENOTFOUND). Names are unique per tenant
 * scope. VIGIL_EEXIST, VIGIL_EINVAL (bad name, role not valid for
 * scope). A new human has no password yet (vigil_iam_password_set). */
enum vigil_err vigil_iam_principal_create(struct vigil_store *st,
    const char *tenant_id, const char *name, enum vigil_principal_kind kind,
    enum vigil_role role, struct vigil_principal *out /* OUT, may be NULL */);

/* Scoped get by id or name. scope NULL = platform (sees every tenant;
 * a name is then looked up in the platform scope only). A principal of
 * another tenant is VIGIL_ENOTFOUND. */
enum vigil_err vigil_iam_principal_get(struct vigil_store *st,
    const char *scope, const char *id_or_name,
    struct vigil_principal *out /* OUT */);

/* Scoped list ordered by id, after id `after` (NULL = start), at most
 * limit (0 = 100, max 1000). Caller frees *out with vigil_free(). */
enum vigil_err vigil_iam_principal_list(struct vigil_store *st,
    const char *scope, const char *after, size_t limit,
    struct vigil_principal **out /* OUT */, size_t *n /* OUT */);

/* Scoped role change / enable-disable / delete, by id or name.
 * Deleting removes the principal's tokens with it; disabling makes
 * them fail authentication. The last enabled platform-admin cannot be
 * demoted, disabled or deleted (VIGIL_ESTATE). A token whose role is
 * no longer within its principal's role stops authenticating. */
enum vigil_err vigil_iam_principal_set_role(struct vigil_store *st,
    const char *scope, const char *id, enum vigil_role role);
enum vigil_err vigil_iam_principal_set_disabled(struct vigil_store *st,
    const char *scope, const char *id, int disabled);
enum vigil_err vigil_iam_principal_delete(struct vigil_store *st,
    const char *scope, const char *id);

/* ------------------------------------------------------------------ */
/* Passwords and TOTP */

/* Sets the password (argon2id, t=3, m=64 MiB, p=1, 16-byte salt,
 * 32-byte hash, PHC string). VIGIL_EINVAL when shorter than
 * VIGIL_PASSWORD_MIN or longer than VIGIL_PASSWORD_MAX, or for a
 * service account. */
enum vigil_err vigil_iam_password_set(struct vigil_store *st,
    const char *scope, const char *principal_id, const char *password);

/*
 * Checks a login: tenant scope + name, password and (when the principal
 * has TOTP) a 6-digit code. Applies the brute-force rules above, per
 * principal and per source IP (ip may be NULL: not counted). On success
 * *out is the principal and its counters are reset. VIGIL_EAUTH for a
 * wrong name, password or code (one message for all: "invalid
 * credentials"), VIGIL_ELOCKED with *retry_after_s set while locked or
 * backing off, VIGIL_EDENIED for a disabled principal (only after the
 * right password: others see "invalid credentials"). A principal with
 * TOTP needs the code on every login; a code is accepted once.
 * scope NULL or "" = a platform principal; otherwise the tenant id.
 * An unknown name costs a dummy argon2id verification and counts
 * against the IP. Must be called OUTSIDE a transaction (VIGIL_ESTATE):
 * rolling one back would erase the failures it counted.
 */
enum vigil_err vigil_iam_login(struct vigil_store *st, const char *scope,
    const char *name, const char *password, const char *totp_code,
    const char *ip, int64_t now_ms, struct vigil_principal *out /* OUT */,
    int64_t *retry_after_s /* OUT, may be NULL */);

/*
 * Re-authentication of an authenticated principal (by id or name in
 * scope): its password, and its TOTP code when it has TOTP. Same
 * brute-force rules and errors as vigil_iam_login; does not change
 * last_login. The caller then stamps the token with
 * vigil_iam_token_touch_auth. Outside a transaction.
 */
enum vigil_err vigil_iam_reauth(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *password, const char *totp_code,
    const char *ip, int64_t now_ms,
    int64_t *retry_after_s /* OUT, may be NULL */);

/*
 * Password change by its owner: checks old_password (brute-force rules
 * apply; no TOTP: the caller holds a token that needed it) and the new
 * one's length (before spending an attempt), then stores the new hash.
 * Outside a transaction.
 */
enum vigil_err vigil_iam_password_change(struct vigil_store *st,
    const char *scope, const char *principal_id, const char *old_password,
    const char *new_password, const char *ip, int64_t now_ms,
    int64_t *retry_after_s /* OUT, may be NULL */);

/* RFC 6238 TOTP (HMAC-SHA1) code of `digits` digits at unix time t
 * with step seconds. Pure; for tests against the RFC's vectors, whose
 * secrets are longer than VIGIL_TOTP_SECRET_LEN (any length allowed). */
uint32_t vigil_totp_code(const uint8_t *secret, size_t len, int64_t t,
    unsigned step, unsigned digits);

/* Starts TOTP enrollment: a new random secret, kept pending until
 * confirmed (an active TOTP stays active meanwhile). secret_b32 gets
 * the RFC 4648 base32 secret (no padding; 33 bytes), uri an
 * otpauth://totp/vigil:<name>?secret=...&issuer=vigil URI (at least
 * 75 + name length bytes); VIGIL_ERANGE when a buffer is too small.
 * Both are secrets: show them once, never log them. */
enum vigil_err vigil_iam_totp_begin(struct vigil_store *st,
    const char *scope, const char *principal_id, char *secret_b32,
    size_t b32size, char *uri, size_t urisize);
/* Confirms enrollment with a current code (±1 step); enables TOTP.
 * VIGIL_EINVAL for a code that is not 6 digits, VIGIL_EAUTH for a
 * wrong one, VIGIL_ESTATE when nothing is pending. */
enum vigil_err vigil_iam_totp_confirm(struct vigil_store *st,
    const char *scope, const char *principal_id, const char *code,
    int64_t now_ms);
/* Disables TOTP. */
enum vigil_err vigil_iam_totp_disable(struct vigil_store *st,
    const char *scope, const char *principal_id);

/* ------------------------------------------------------------------ */
/* Tokens */

struct vigil_token_info {
	char id[VIGIL_UUID_STRLEN];
	char principal_id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN]; /* "" = platform */
	enum vigil_role role;
	char label[VIGIL_TOKEN_LABEL_MAX + 1];
	int64_t created_ms;
	int64_t expires_ms;     /* always set: every token expires */
	int64_t last_used_ms;   /* 0 = never */
	char last_ip[VIGIL_IP_STRLEN];
	int64_t auth_ms;        /* last password proof (0 = none) */
	int revoked;
};

/*
 * Creates a token for principal_id (scope-checked), with role (must be
 * ≤ the principal's: it may not hold a permission the principal lacks
 * in its scope, else VIGIL_EDENIED; VIGIL_ROLE_NONE = the principal's
 * role), ttl_s seconds (≤ 0 = VIGIL_EINVAL: every token expires; at
 * most VIGIL_TOKEN_TTL_MAX_S), label (may be NULL; UTF-8, no control
 * characters), auth_ms (when the caller just proved a password, so
 * the token starts "fresh"; 0 otherwise). secret receives the token
 * text, shown once; info (may be NULL) the stored record. A disabled
 * principal gets no new token (VIGIL_ESTATE).
 */
enum vigil_err vigil_iam_token_create(struct vigil_store *st,
    const char *scope, const char *principal_id, enum vigil_role role,
    int64_t ttl_s, const char *label, int64_t now_ms, int64_t auth_ms,
    char secret[VIGIL_TOKEN_STRLEN] /* OUT */,
    struct vigil_token_info *info /* OUT, may be NULL */);

/* The result of authenticating a request's bearer token. */
struct vigil_auth {
	struct vigil_principal principal;
	struct vigil_token_info token;
};

/*
 * Authenticates a token text: well-formed, known (by hash), not
 * revoked, not expired, principal enabled. Updates last-used time and
 * IP (at most once per second per token, to spare the disk).
 * VIGIL_EAUTH with a precise text ("token expired", "token revoked",
 * "malformed token", "unknown token", "token's principal is disabled",
 * "token role exceeds its principal's current role") otherwise; the
 * text never contains the token. ip may be NULL.
 */
enum vigil_err vigil_iam_authenticate(struct vigil_store *st,
    const char *token_text, const char *ip, int64_t now_ms,
    struct vigil_auth *out /* OUT */);

/* Marks the token's auth time (after a re-authentication). Unscoped:
 * token_id is the caller's own authenticated token. */
enum vigil_err vigil_iam_token_touch_auth(struct vigil_store *st,
    const char *token_id, int64_t now_ms);

/* Scoped get of one token record by id (never the secret). */
enum vigil_err vigil_iam_token_get(struct vigil_store *st,
    const char *scope, const char *token_id,
    struct vigil_token_info *out /* OUT */);

/* Scoped list of tokens (principal_id NULL = all in scope), never the
 * secrets. Caller frees *out with vigil_free(). */
enum vigil_err vigil_iam_token_list(struct vigil_store *st,
    const char *scope, const char *principal_id, const char *after,
    size_t limit, struct vigil_token_info **out /* OUT */, size_t *n /* OUT */);

/* Scoped revoke by token id. */
enum vigil_err vigil_iam_token_revoke(struct vigil_store *st,
    const char *scope, const char *token_id);

/* ------------------------------------------------------------------ */
/* JSON renderings for the API and the CLI (new references; NULL when
 * out of memory). Times RFC 3339 or null; "tenant" is null for the
 * platform scope. Token info also carries "auth_time". */
json_t *vigil_principal_to_json(const struct vigil_principal *p);
json_t *vigil_token_info_to_json(const struct vigil_token_info *t);

#ifdef __cplusplus
}
#endif
#endif
