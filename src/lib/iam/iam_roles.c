/*
 * Roles and permissions: THE permission table. Every route of the API
 * names one permission (src/vigild/routes_table.c); whether a role
 * holds it is decided here and nowhere else. docs/iam.md prints the
 * same table for people.
 */
#include <string.h>

#include "iam_internal.h"

#define P(x) (1u << (x))

/* Permissions that only platform-scope routes (ROUTE_PLATFORM) use. A
 * tenant principal never reaches them, whatever its role holds. */
#define PLATFORM_ONLY \
	(P(VIGIL_PERM_TENANT_MANAGE) | P(VIGIL_PERM_AUDIT_VERIFY) | \
	P(VIGIL_PERM_VULN_MANAGE))

#define READ_ONLY \
	(P(VIGIL_PERM_TENANT_READ) | P(VIGIL_PERM_DEVICE_READ) | \
	P(VIGIL_PERM_SELF) | P(VIGIL_PERM_PKI_READ) | \
	P(VIGIL_PERM_VULN_READ) | P(VIGIL_PERM_POLICY_READ) | \
	P(VIGIL_PERM_ALERT_READ))

static const struct {
	const char *name;
	unsigned perms;
} role_table[VIGIL_ROLE_COUNT] = {
	[VIGIL_ROLE_NONE] = { "none", 0 },
	/* Everything, in every tenant. */
	[VIGIL_ROLE_PLATFORM_ADMIN] = { "platform-admin",
	    (1u << VIGIL_PERM_COUNT) - 2u },
	/* Everything inside its tenant; tenants themselves and the whole
	 * chain's verification are the platform's. */
	[VIGIL_ROLE_TENANT_ADMIN] = { "tenant-admin",
	    ((1u << VIGIL_PERM_COUNT) - 2u) & ~PLATFORM_ONLY },
	/* Investigates and contains: may quarantine (device:state), reads
	 * the audit log; cannot change inventory data or accounts. A
	 * platform analyst also runs vulnerability management (vuln:manage
	 * is platform-only, so a tenant analyst never reaches it). Access
	 * policy is a containment tool like quarantine, so analysts write
	 * it (policy:manage) in their tenant, and they triage network
	 * alerts and shadow IoT findings (alert:manage). */
	[VIGIL_ROLE_SECURITY_ANALYST] = { "security-analyst",
	    READ_ONLY | P(VIGIL_PERM_DEVICE_STATE) | P(VIGIL_PERM_AUDIT_READ) |
	    P(VIGIL_PERM_VULN_MANAGE) | P(VIGIL_PERM_POLICY_MANAGE) |
	    P(VIGIL_PERM_ALERT_MANAGE) },
	/* Runs the inventory: adds, edits, imports and moves devices, and
	 * their certificates (enrollment tokens, approvals, revocation). */
	[VIGIL_ROLE_DEVICE_MANAGER] = { "device-manager",
	    READ_ONLY | P(VIGIL_PERM_DEVICE_WRITE) |
	    P(VIGIL_PERM_DEVICE_STATE) | P(VIGIL_PERM_PKI_MANAGE) },
	/* Looks, never touches. */
	[VIGIL_ROLE_OPERATOR] = { "operator", READ_ONLY },
	/* Reads everything including accounts and the audit log; verifies
	 * the whole chain when it is a platform auditor (audit:verify is
	 * platform-only, so a tenant auditor cannot reach it). */
	[VIGIL_ROLE_AUDITOR] = { "auditor",
	    READ_ONLY | P(VIGIL_PERM_IAM_READ) | P(VIGIL_PERM_AUDIT_READ) |
	    P(VIGIL_PERM_AUDIT_VERIFY) },
};

static const char *const perm_names[VIGIL_PERM_COUNT] = {
	[VIGIL_PERM_NONE] = "none",
	[VIGIL_PERM_TENANT_READ] = "tenant:read",
	[VIGIL_PERM_TENANT_MANAGE] = "tenant:manage",
	[VIGIL_PERM_DEVICE_READ] = "device:read",
	[VIGIL_PERM_DEVICE_WRITE] = "device:write",
	[VIGIL_PERM_DEVICE_STATE] = "device:state",
	[VIGIL_PERM_IAM_READ] = "iam:read",
	[VIGIL_PERM_IAM_MANAGE] = "iam:manage",
	[VIGIL_PERM_AUDIT_READ] = "audit:read",
	[VIGIL_PERM_AUDIT_VERIFY] = "audit:verify",
	[VIGIL_PERM_SELF] = "self",
	[VIGIL_PERM_PKI_READ] = "pki:read",
	[VIGIL_PERM_PKI_MANAGE] = "pki:manage",
	[VIGIL_PERM_VULN_READ] = "vuln:read",
	[VIGIL_PERM_VULN_MANAGE] = "vuln:manage",
	[VIGIL_PERM_POLICY_READ] = "policy:read",
	[VIGIL_PERM_POLICY_MANAGE] = "policy:manage",
	[VIGIL_PERM_ALERT_READ] = "alert:read",
	[VIGIL_PERM_ALERT_MANAGE] = "alert:manage",
};

_Static_assert(VIGIL_PERM_COUNT < 32, "permissions fit the bit set");

static bool
role_ok(enum vigil_role role)
{
	return (int)role > (int)VIGIL_ROLE_NONE &&
	    (int)role < (int)VIGIL_ROLE_COUNT;
}

int
vigil_role_has(enum vigil_role role, enum vigil_perm perm)
{
	if (!role_ok(role) || (int)perm <= (int)VIGIL_PERM_NONE ||
	    (int)perm >= (int)VIGIL_PERM_COUNT)
		return 0;
	return (role_table[role].perms & P(perm)) != 0;
}

const char *
vigil_role_name(enum vigil_role role)
{
	return role_ok(role) ? role_table[role].name : "none";
}

enum vigil_role
vigil_role_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_ROLE_NONE;
	for (int r = VIGIL_ROLE_NONE + 1; r < VIGIL_ROLE_COUNT; r++)
		if (strcmp(role_table[r].name, name) == 0)
			return (enum vigil_role)r;
	return VIGIL_ROLE_NONE;
}

const char *
vigil_perm_name(enum vigil_perm perm)
{
	if ((int)perm < 0 || (int)perm >= (int)VIGIL_PERM_COUNT)
		return "none";
	return perm_names[perm];
}

int
vigil_role_may_grant(enum vigil_role granter, enum vigil_role role)
{
	if (!role_ok(role))
		return 0;
	if (granter == VIGIL_ROLE_PLATFORM_ADMIN)
		return 1;
	if (granter == VIGIL_ROLE_TENANT_ADMIN)
		return iam_role_valid_in(role, false);
	return 0;
}

bool
iam_perm_platform_only(enum vigil_perm perm)
{
	return (int)perm > 0 && (int)perm < (int)VIGIL_PERM_COUNT &&
	    (PLATFORM_ONLY & P(perm)) != 0;
}

bool
iam_role_valid_in(enum vigil_role role, bool platform)
{
	if (!role_ok(role))
		return false;
	if (platform)
		return role == VIGIL_ROLE_PLATFORM_ADMIN ||
		    role == VIGIL_ROLE_AUDITOR;
	return role != VIGIL_ROLE_PLATFORM_ADMIN;
}

bool
iam_role_within(enum vigil_role holder, enum vigil_role sub, bool platform)
{
	unsigned mask = platform ? ~0u : ~PLATFORM_ONLY;

	if (!role_ok(holder) || !iam_role_valid_in(sub, platform))
		return false;
	return (role_table[sub].perms & mask & ~role_table[holder].perms) ==
	    0;
}
