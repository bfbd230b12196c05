/*
 * The command table: every command, its synopsis, summary and options.
 * Dispatch (main.c), --help and `vigil help --commands` all read this
 * table, and tests/integration/id_cli.sh compares the command list with
 * docs/vigil.1, so the three cannot drift apart.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "device.h"
#include "net_cli.h"
#include "zt_cli.h"

const struct cli_opt cli_global_opts[] = {
	{ "data", 0, "DIR", "data directory (default $VIGIL_DATA, else ./var)",
	    0 },
	{ "tenant", 0, "NAME", "tenant to act on (default $VIGIL_TENANT, "
	    "else the only tenant)", 0 },
	{ "json", 0, NULL, "machine-readable output, one JSON object per "
	    "line", 0 },
	{ "quiet", 'q', NULL, "no notes or progress on stderr", 0 },
	{ "server", 0, "URL", "work on the vigild at https://HOST[:PORT] "
	    "(default $VIGIL_SERVER, else the one of vigil login)", 0 },
	{ "ca", 0, "FILE", "CA certificate that the server's certificate "
	    "must chain to (default $VIGIL_CA, else vigil login's, else the "
	    "system's)", 0 },
	{ "help", 'h', NULL, "show help and exit", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_none[] = {
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_help[] = {
	{ "commands", 0, NULL, "list every command, one \"group command\" per "
	    "line", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_id_check[] = {
	{ "type", 't', "TYPE", "parse as this type instead of auto-detecting",
	    0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_id_convert[] = {
	{ "to", 0, "FORM", "form to print: normalized, urn, match-key or a "
	    "form the value has", 0 },
	{ "type", 't', "TYPE", "parse as this type instead of auto-detecting",
	    0 },
	{ "gcp-length", 0, "N", "encode a GS1 element string or Digital Link "
	    "as an EPC whose GS1 Company Prefix has N digits", 0 },
	{ "filter", 0, "F", "EPC filter value 0-7 (default 0)", 0 },
	{ "epc-size", 0, "SIZE", "EPC binary: auto (96 bits when the serial "
	    "fits, else SGTIN-198), 96 or long", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_id_compare[] = {
	{ "type", 't', "TYPE", "parse both values as this type instead of "
	    "auto-detecting", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_label[] = {
	{ "format", 'f', "FMT", "png, svg or txt (default png)", 0 },
	{ "output", 'o', "FILE", "write the label to FILE instead of stdout",
	    0 },
	{ "size", 0, "N", "module size in pixels, 1-64 (default 8)", 0 },
	{ "type", 't', "TYPE", "read VALUE as this identifier type", 0 },
	{ "invert", 0, NULL, "txt: light modules drawn, for dark terminals",
	    0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_tenant_create[] = {
	{ "display-name", 0, "TEXT", "human name shown in listings", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_device_add[] = {
	{ "name", 0, "NAME", "device name, unique in the tenant (required)",
	    0 },
	{ "model", 0, "MODEL", "model designation", 0 },
	{ "gtin", 0, "GTIN", "GTIN of the model (any GTIN-8/12/13/14 "
	    "spelling)", 0 },
	{ "id", 0, "TYPE=VALUE", "identifier of any type (also --imei, "
	    "--mac, ... per type)", CLI_OPT_REPEAT },
	{ "label", 0, "KEY=VALUE", "label", CLI_OPT_REPEAT },
	{ "region", 0, "REGION", "home region (data residency)", 0 },
	{ "owner", 0, "CONTACT", "owner or security contact", 0 },
	{ "state", 0, "STATE", "initial lifecycle state", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_device_list[] = {
	{ "state", 0, "STATE", "only devices in this state", 0 },
	{ "model", 0, "MODEL", "only devices of this model", 0 },
	{ "label", 0, "KEY[=VALUE]", "only devices with this label (any "
	    "value when VALUE is omitted)", 0 },
	{ "limit", 0, "N", "at most N devices (default 100)", 0 },
	{ "cursor", 0, "CURSOR", "continue after a previous page", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_device_summary[] = {
	{ "top", 0, "N", "list the N largest models and regions, 1-50 "
	    "(default 10); the rest count as other", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_device_update[] = {
	{ "name", 0, "NAME", "rename", 0 },
	{ "model", 0, "MODEL", "set the model", 0 },
	{ "gtin", 0, "GTIN", "set the model GTIN (\"\" clears it)", 0 },
	{ "label", 0, "KEY=VALUE", "set a label", CLI_OPT_REPEAT },
	{ "unlabel", 0, "KEY", "remove a label", CLI_OPT_REPEAT },
	{ "add-id", 0, "TYPE=VALUE", "add an identifier", CLI_OPT_REPEAT },
	{ "remove-id", 0, "TYPE=VALUE", "remove an identifier",
	    CLI_OPT_REPEAT },
	{ "region", 0, "REGION", "set the home region", 0 },
	{ "owner", 0, "CONTACT", "set the owner", 0 },
	{ "if-version", 0, "N", "fail unless the device is at version N", 0 },
	{ "reason", 0, "TEXT", "why (recorded in the history)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_reason[] = {
	{ "reason", 0, "TEXT", "why (recorded in the history; required)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_device_find[] = {
	{ "type", 't', "TYPE", "read VALUE as this identifier type", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_device_import[] = {
	{ "format", 'f', "FMT", "csv or jsonl (default from the file "
	    "extension)", 0 },
	{ "atomic", 0, NULL, "import all rows or none", 0 },
	{ "batch", 0, "N", "rows per transaction, 1-100000 (default 2000)",
	    0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_device_export[] = {
	{ "format", 'f', "FMT", "csv or jsonl (default jsonl, or from -o's "
	    "extension)", 0 },
	{ "output", 'o', "FILE", "write to FILE instead of stdout", 0 },
	{ "state", 0, "STATE", "only devices in this state", 0 },
	{ "redact", 0, NULL, "leave out owner contacts (personal data); the "
	    "file still imports", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_audit_verify[] = {
	{ "pubkey", 0, "FILE", "public key to check checkpoint signatures "
	    "with (default DATA/keys/audit.pub when present)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

#define AUDIT_FILTER_OPTS \
	{ "after", 0, "SEQ", "only entries after sequence number SEQ", 0 }, \
	{ "since", 0, "TIME", "only entries at or after TIME (RFC 3339)", \
	    0 }, \
	{ "until", 0, "TIME", "only entries before TIME (RFC 3339)", 0 }, \
	{ "principal", 0, "P", "only entries of this principal", 0 }, \
	{ "action", 0, "A", "only this action, or actions starting with A "\
	    "when it ends in '.'", 0 }, \
	{ "outcome", 0, "O", "only this outcome (ok, denied, failed, "\
	    "error)", 0 }

static const struct cli_opt opts_audit_list[] = {
	AUDIT_FILTER_OPTS,
	{ "limit", 0, "N", "at most N entries, 1-1000 (default 100)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_audit_export[] = {
	AUDIT_FILTER_OPTS,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_init[] = {
	{ "listen", 0, "ADDR:PORT", "address vigild listens on (default "
	    "127.0.0.1:8443); its host goes into the certificate", 0 },
	{ "admin", 0, "NAME", "name of the platform admin (default admin)",
	    0 },
	{ "force", 0, NULL, "use a directory that is not empty (an existing "
	    "database is kept); never overwrites keys or vigild.conf", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_login[] = {
	{ "name", 0, "NAME", "principal to log in as (default: asked on the "
	    "terminal)", 0 },
	{ "totp", 0, NULL, "ask for a TOTP code up front", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_reauth[] = {
	{ "totp", 0, NULL, "ask for a TOTP code up front", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_user_add[] = {
	{ "role", 0, "ROLE", "platform-admin, tenant-admin, security-analyst, "
	    "device-manager, operator or auditor (required)", 0 },
	{ "service", 0, NULL, "a service account: no password, tokens only",
	    0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_token_create[] = {
	{ "ttl", 0, "DURATION", "lifetime: N followed by s, m, h or d "
	    "(default 30d)", 0 },
	{ "label", 0, "TEXT", "what the token is for", 0 },
	{ "role", 0, "ROLE", "a role below the principal's (default: its "
	    "role)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_token_list[] = {
	{ "principal", 0, "NAME", "only this principal's tokens", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

/* Device PKI (cmd_ca.c, cmd_cert.c, cmd_enroll.c). */
#define PKCS11_OPT \
	{ "pkcs11-module", 0, "FILE", "PKCS#11 module for pkcs11: keys "\
	    "(default $PKCS11_MODULE_PATH, else the engine's)", 0 }

static const struct cli_opt opts_ca_init[] = {
	{ "alg", 0, "ALG", "p256 (default), p384, ed25519 or rsa3072", 0 },
	{ "label", 0, "LABEL", "CA label (default the tenant's name, or "
	    "shared)", 0 },
	{ "root-cn", 0, "CN", "common name of a new root (default "
	    "\"<org> root CA\")", 0 },
	{ "org", 0, "ORG", "organisation in the CA names (default the "
	    "tenant's name, or vigil)", 0 },
	{ "root-days", 0, "N", "validity of a new root in days (default "
	    "3650)", 0 },
	{ "days", 0, "N", "validity of the issuing CA in days (default "
	    "1825)", 0 },
	{ "key-uri", 0, "URI", "issuing key in a PKCS#11 token (RFC 7512 "
	    "pkcs11: URI) instead of a new key file", 0 },
	{ "root-key-uri", 0, "URI", "root key in a PKCS#11 token", 0 },
	{ "root-cert", 0, "FILE", "import an offline root (PEM); its key "
	    "(--root-key or --root-key-uri) signs the issuing CA only now",
	    0 },
	{ "root-key", 0, "FILE", "key file of an imported or offline root",
	    0 },
	{ "validity", 0, "DURATION", "device certificate validity of the "
	    "issuing CA (default the profile's, 30d)", 0 },
	{ "approval", 0, NULL, "EST enrollments wait for an operator's "
	    "approval", 0 },
	PKCS11_OPT,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_ca_show[] = {
	{ "pem", 0, NULL, "print the certificate as PEM", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_ca_rollover[] = {
	{ "root", 0, NULL, "roll the root over (of --tenant, else the "
	    "shared one): new root and two cross-certificates", 0 },
	{ "key-uri", 0, "URI", "new key (issuing CA, or root) in a PKCS#11 "
	    "token", 0 },
	{ "root-key", 0, "FILE", "key file of an offline root", 0 },
	{ "root-key-uri", 0, "URI", "key of an offline root in a token", 0 },
	{ "old-root-key", 0, "FILE", "root rollover: key file of the old, "
	    "offline root (signs the new root's cross-certificate)", 0 },
	{ "old-root-key-uri", 0, "URI", "root rollover: key of the old, "
	    "offline root in a token", 0 },
	{ "days", 0, "N", "validity of the new CA in days (default 1825 "
	    "for an issuing CA, 3650 for a root)", 0 },
	{ "org", 0, "ORG", "organisation (default the old CA's)", 0 },
	PKCS11_OPT,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_ca_policy[] = {
	{ "validity", 0, "DURATION", "device certificate validity, 1h to "
	    "397d", 0 },
	{ "approval", 0, "on|off", "EST enrollments wait for approval", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_ca_trust[] = {
	{ "label", 0, "LABEL", "label of the CA (required; more "
	    "certificates in FILE get -2, -3, ...)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_cert_issue[] = {
	{ "csr", 0, "FILE", "PKCS#10 request, PEM or DER (required; only "
	    "its key is used)", 0 },
	{ "profile", 0, "NAME", "device (default), server or operator", 0 },
	{ "name", 0, "NAME", "server: a DNS name or IP address (repeat; "
	    "CN = the first); operator: the CN", CLI_OPT_REPEAT },
	{ "validity", 0, "DURATION", "validity (default the CA's policy, "
	    "else the profile's)", 0 },
	{ "ca", 0, "LABEL", "issuing CA (default the tenant's active one; "
	    "local only)", 0 },
	{ "pki-url", 0, "URL", "base URL of vigild's PKI listener for the "
	    "CRL and OCSP addresses in the certificate", 0 },
	{ "out", 'o', "FILE", "write the certificate (PEM) to FILE", 0 },
	PKCS11_OPT,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_cert_list[] = {
	{ "device", 0, "DEVICE", "only this device's certificates", 0 },
	{ "status", 0, "STATUS", "good, revoked or hold", 0 },
	{ "expiring", 0, "DURATION", "only current certificates expiring "
	    "within DURATION (e.g. 30d)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_cert_revoke[] = {
	{ "reason", 0, "REASON", "RFC 5280 reason: keyCompromise, "
	    "superseded, cessationOfOperation, ... (default unspecified)",
	    0 },
	{ "device", 0, "DEVICE", "revoke every certificate of DEVICE", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_cert_renew[] = {
	{ "within", 0, "DURATION", "window (default 7d)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_enroll_token[] = {
	{ "ttl", 0, "DURATION", "lifetime, 60s to 30d (default 24h)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_enroll_pending[] = {
	{ "state", 0, "STATE", "pending (default), approved, rejected, done "
	    "or any", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

/* Vulnerability management (cmd_vuln.c). */
static const struct cli_opt opts_vuln_version_compare[] = {
	{ "scheme", 's', "SCHEME", "semver, dpkg, rpm, apk, pep440 or "
	    "generic (also npm, deb, debian, alpine, python, pypi; "
	    "required)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

/* Vulnerability management, SBOMs, products and CRA (cmd_vuln.c,
 * cmd_sbom.c, cmd_product.c, cmd_cra.c). */
static const struct cli_opt opts_sbom_import[] = {
	{ "model", 0, "MODEL", "the device model the firmware is for "
	    "(required)", 0 },
	{ "firmware", 0, "VERSION", "the firmware version (required)", 0 },
	{ "format", 0, "FORMAT", "cyclonedx, spdx-json, spdx-tv or buildroot "
	    "(make show-info JSON; default: detected)", 0 },
	{ "replace", 0, NULL, "replace the build's SBOM when it has one", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_sbom_export[] = {
	{ "vex", 0, NULL, "the build's findings and analyses as CycloneDX "
	    "VEX instead of the SBOM", 0 },
	{ "out", 'o', "FILE", "write the document to FILE", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_sbom_quality[] = {
	{ "format", 0, "FORMAT", "cyclonedx, spdx-json, spdx-tv or buildroot "
	    "(make show-info JSON; default: detected)", 0 },
	{ "strict", 0, NULL, "exit 1 when an NTIA minimum element is "
	    "missing", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_vuln_import[] = {
	{ "kind", 0, "KIND", "osv, nvd, cve5, kev or epss (default: detected "
	    "per file)", 0 },
	{ "source", 0, "LABEL", "provenance label of the records (default "
	    "the kind)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_vuln_build[] = {
	{ "build", 0, "BUILD", "only this build (id or MODEL@FIRMWARE)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_vuln_list[] = {
	{ "build", 0, "BUILD", "only this build (id or MODEL@FIRMWARE)", 0 },
	{ "device", 0, "DEVICE", "only the build this device runs", 0 },
	{ "kev", 0, NULL, "only known exploited vulnerabilities", 0 },
	{ "unknown", 0, NULL, "also list findings vigil cannot decide "
	    "(unknown)", 0 },
	{ "all", 0, NULL, "also list findings VEX says are not_affected, "
	    "fixed or false_positive", 0 },
	{ "min-priority", 0, "N", "only priority N (0-100) and above", 0 },
	{ "limit", 0, "N", "at most N vulnerabilities, 1-10000 (default "
	    "100)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_vuln_exploited[] = {
	{ "clear", 0, NULL, "remove the analyst's mark", 0 },
	{ "note", 0, "TEXT", "why (kept with the mark)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_vuln_vex[] = {
	{ "build", 0, "BUILD", "the statements apply to this build only", 0 },
	{ "format", 0, "FORMAT", "cyclonedx, openvex, csaf, buildroot or "
	    "yocto (default: detected)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_product_set[] = {
	{ "manufacturer", 0, "NAME", "the manufacturer's name", 0 },
	{ "support-until", 0, "YYYY-MM-DD|none", "last day of the support "
	    "period (none clears it)", 0 },
	{ "platform-cpe", 0, "CPE", "CPE 2.3 of the platform the firmware "
	    "runs on (repeat; replaces the list)", CLI_OPT_REPEAT },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_product_list[] = {
	{ "warn-days", 0, "N", "support ending within N days is \"ending\" "
	    "(default 90)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_cra_status[] = {
	{ "all", 0, NULL, "include closed reports", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_cra_open[] = {
	{ "vuln", 0, "ID", "the actively exploited vulnerability", 0 },
	{ "incident", 0, NULL, "a severe incident instead of a "
	    "vulnerability", 0 },
	{ "model", 0, "MODEL", "the affected product (required)", 0 },
	{ "summary", 0, "TEXT", "what happened", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_out[] = {
	{ "out", 'o', "FILE", "write the document to FILE", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

/* Policies, offline (cmd_policy.c). */
static const struct cli_opt opts_policy_test[] = {
	{ "action", 0, "ACTION", "the action asked, e.g. mqtt:Publish "
	    "(required)", 0 },
	{ "resource", 0, "RESOURCE", "the typed resource, e.g. "
	    "topic:dev/a/telemetry (required)", 0 },
	{ "device", 0, "ID", "the device id (${device.id}); without FILE "
	    "a stored device (id or name)", 0 },
	{ "cert", 0, "SERIAL", "without FILE: the device behind this client "
	    "certificate (hex serial), as the broker asks", 0 },
	{ "tenant-id", 0, "T", "the device's tenant (${device.tenant})", 0 },
	{ "model", 0, "M", "the device's model (${device.model})", 0 },
	{ "client-id", 0, "C", "the MQTT client id (${client.id})", 0 },
	{ "cert-urn", 0, "U", "the certificate's URN (${cert.urn})", 0 },
	{ "label", 0, "KEY=VALUE", "a device label (${device.label.KEY})",
	    CLI_OPT_REPEAT },
	{ "context", 0, "KEY=VALUE", "a context value, e.g. "
	    "vigil:RiskScore=42", CLI_OPT_REPEAT },
	{ "source-ip", 0, "IP", "the client's address (without FILE: "
	    "vigil:SourceIp)", 0 },
	{ "country", 0, "CC", "the client's country, ISO 3166-1 alpha-2 "
	    "(without FILE: vigil:Country)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

/* Stored policies (cmd_policy.c, zt_cli.h). */
static const struct cli_opt opts_policy_put[] = {
	{ "description", 0, "TEXT", "what the policy is for", 0 },
	{ "comment", 0, "TEXT", "why this version (kept in the history)", 0 },
	{ "expect-version", 0, "N", "store only if the policy is still at "
	    "version N", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_policy_get[] = {
	{ "version", 0, "N", "an older version (default the current one)",
	    0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_comment[] = {
	{ "comment", 0, "TEXT", "why (kept in the history)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_policy_attach[] = {
	{ "tenant-wide", 0, NULL, "every device of the tenant", 0 },
	{ "model", 0, "MODEL", "every device of a model", 0 },
	{ "label", 0, "KEY=VALUE", "every device with this label", 0 },
	{ "device", 0, "DEVICE", "one device (id or name)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_checkins[] = {
	{ "limit", 0, "N", "show the last N check-ins (default 20)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_baseline_set[] = {
	{ "ports", 0, "LIST", "the ports devices may listen on, e.g. "
	    "tcp/22,udp/5683, or none (required)", 0 },
	{ "firmware-current", 0, "VERSION", "the firmware version declared "
	    "current (\"\" = the newest known build)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

/* Network monitoring (cmd_alert.c, cmd_net.c, cmd_flows.c). */
static const struct cli_opt opts_alert_list[] = {
	{ "state", 0, "STATE", "only open, acked or closed alerts", 0 },
	{ "kind", 0, "KIND", "only this kind (scan.horizontal, beacon, ...)",
	    0 },
	{ "device", 0, "DEVICE", "only this device's alerts (id or name)",
	    0 },
	{ "severity", 0, "LEVEL", "at least low, medium, high or critical",
	    0 },
	{ "since", 0, "TIME", "last seen at or after (RFC 3339)", 0 },
	{ "limit", 0, "N", "at most N alerts, 1-1000 (default 100)", 0 },
	{ "all", 0, NULL, "closed alerts too", 0 },
	{ "all-tenants", 0, NULL, "every tenant's alerts (platform scope)",
	    0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_note[] = {
	{ "note", 0, "TEXT", "why (kept with the alert or finding)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_all[] = {
	{ "all", 0, NULL, "closed, dismissed or adopted ones too", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_shadow_adopt[] = {
	{ "name", 0, "NAME", "the new device's name (required)", 0 },
	{ "model", 0, "MODEL", "the new device's model", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_net_bind[] = {
	{ "device", 0, "DEVICE", "the device at this address (id or name); "
	    "without it the subnet is the tenant's network", 0 },
	{ "site", 0, "SITE", "the site of a tenant subnet", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt opts_flows_analyze[] = {
	{ "format", 0, "FORMAT", "auto (default), pcap, zeek, netflow or "
	    "ipfix", 0 },
	{ "local", 0, "CIDR", "a monitored network (repeatable; default "
	    "RFC 1918, 100.64/10, fc00::/7, 169.254/16)", 0 },
	{ "intel", 0, "FILE", "threat-intelligence list: one address or "
	    "CIDR per line (repeatable)", 0 },
	{ "detect-config", 0, "FILE", "detection settings, \"key = value\" "
	    "lines", 0 },
	{ "devices", 0, "FILE", "device map: CSV address,device[,model]"
	    "[,tenant] (attribution, fleet baselines)", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

#define ANY SIZE_MAX
/* Works on the local store or, with --server, on a vigild. */
#define REMOTE CLI_CMD_REMOTE

const struct cli_cmd cli_commands[] = {
	{ "help", NULL, "[COMMAND...]", "show help for vigil or a command",
	    opts_help, 0, 0, 2, cli_cmd_help },
	{ "version", NULL, "", "print the version", opts_none, 0, 0, 0,
	    cli_cmd_version },

	{ "id", "check", "[VALUE...]", "validate identifiers (stdin when "
	    "no VALUE or VALUE is -)", opts_id_check, 0, 0, ANY,
	    cli_id_check },
	{ "id", "convert", "VALUE...", "print another form of identifiers",
	    opts_id_convert, 0, 1, ANY, cli_id_convert },
	{ "id", "compare", "A B", "tell whether two values name the same "
	    "identifier", opts_id_compare, 0, 2, 2, cli_id_compare },
	{ "id", "explain", "VALUE", "explain an identifier field by field",
	    opts_id_check, 0, 1, 1, cli_id_explain },
	{ "id", "types", "", "list the identifier types", opts_none, 0, 0, 0,
	    cli_id_types },

	{ "label", NULL, "DEVICE|VALUE", "render a QR smart label (GS1 "
	    "Digital Link or URN)", opts_label, REMOTE, 1, 1,
	    cli_label },

	{ "tenant", "create", "NAME", "create a tenant", opts_tenant_create,
	    REMOTE, 1, 1, cli_tenant_create },
	{ "tenant", "list", "", "list tenants", opts_none, REMOTE, 0, 0,
	    cli_tenant_list },
	{ "tenant", "show", "NAME", "show a tenant", opts_none, REMOTE, 1, 1,
	    cli_tenant_show },

	{ "device", "add", "", "register a device", opts_device_add,
	    CLI_CMD_IDOPTS | REMOTE, 0, 0, cli_device_add },
	{ "device", "show", "DEVICE", "show a device (by id, name or any "
	    "identifier)", opts_none, REMOTE, 1, 1, cli_device_show },
	{ "device", "list", "", "list devices", opts_device_list, REMOTE, 0,
	    0, cli_device_list },
	{ "device", "summary", "", "count devices by state, model, region "
	    "and ID type", opts_device_summary, REMOTE, 0, 0,
	    cli_device_summary },
	{ "device", "update", "DEVICE", "change a device", opts_device_update,
	    REMOTE, 1, 1, cli_device_update },
	{ "device", "set-state", "DEVICE STATE", "change a device's "
	    "lifecycle state", opts_reason, REMOTE, 2, 2,
	    cli_device_set_state },
	{ "device", "retire", "DEVICE", "retire a device", opts_reason,
	    REMOTE, 1, 1, cli_device_retire },
	{ "device", "find", "VALUE", "find devices by any identifier in any "
	    "spelling", opts_device_find, REMOTE, 1, 1, cli_device_find },
	{ "device", "history", "DEVICE", "show a device's change history",
	    opts_none, REMOTE, 1, 1, cli_device_history },
	{ "device", "import", "FILE|-", "import devices from CSV or JSON "
	    "lines", opts_device_import, REMOTE, 1, 1, cli_device_import },
	{ "device", "export", "", "export devices as CSV or JSON lines",
	    opts_device_export, REMOTE, 0, 0, cli_device_export },
	/* The firmware a device runs links it to a build (cmd_vuln.c). */
	{ "device", "firmware", "DEVICE VERSION", "record the firmware "
	    "version a device runs", opts_none, REMOTE, 2, 2,
	    cli_device_firmware },
	{ "device", "findings", "DEVICE", "show a device's build, "
	    "vulnerabilities and risk score", opts_none, REMOTE, 1, 1,
	    cli_device_findings },
	/* Zero trust (cmd_device.c, zt_cli.h). */
	{ "device", "quarantine", "DEVICE", "quarantine a device: it may "
	    "only check in and fetch updates", opts_reason, REMOTE, 1, 1,
	    cli_device_quarantine },
	{ "device", "release", "DEVICE", "release a quarantined device "
	    "(back to active)", opts_reason, REMOTE, 1, 1,
	    cli_device_release },
	{ "device", "posture", "DEVICE", "show a device's posture facts and "
	    "risk score", opts_none, REMOTE, 1, 1, cli_device_posture },
	{ "device", "checkins", "DEVICE", "show a device's last check-ins",
	    opts_checkins, REMOTE, 1, 1, cli_device_checkins },

	/* The platform and its people (cmd_init.c, cmd_login.c,
	 * cmd_user.c, cmd_token.c). */
	{ "init", NULL, "", "create a data directory for vigild: database, "
	    "TLS certificate, audit key, platform admin", opts_init,
	    CLI_CMD_LOCAL, 0, 0, cli_init },
	{ "login", NULL, "", "log in to a vigild and save the token in the "
	    "config file", opts_login, CLI_CMD_SERVER, 0, 0, cli_login },
	{ "logout", NULL, "", "revoke the saved token and forget it",
	    opts_none, CLI_CMD_SERVER, 0, 0, cli_logout },
	{ "reauth", NULL, "", "prove the password again, for privileged "
	    "actions", opts_reauth, CLI_CMD_SERVER, 0, 0, cli_reauth },

	{ "user", "list", "", "list the principals of the tenant (or of the "
	    "platform)", opts_none, REMOTE, 0, 0, cli_user_list },
	{ "user", "add", "NAME", "create a principal", opts_user_add, REMOTE,
	    1, 1, cli_user_add },
	{ "user", "show", "NAME", "show a principal", opts_none, REMOTE, 1, 1,
	    cli_user_show },
	{ "user", "set-role", "NAME ROLE", "change a principal's role",
	    opts_none, REMOTE, 2, 2, cli_user_set_role },
	{ "user", "disable", "NAME", "disable a principal (its tokens stop "
	    "working)", opts_none, REMOTE, 1, 1, cli_user_disable },
	{ "user", "enable", "NAME", "enable a disabled principal", opts_none,
	    REMOTE, 1, 1, cli_user_enable },
	{ "user", "passwd", "[NAME]", "change a password (remotely: your own)",
	    opts_reauth, REMOTE, 0, 1, cli_user_passwd },
	{ "user", "remove", "NAME", "delete a principal and revoke its "
	    "tokens", opts_none, REMOTE, 1, 1, cli_user_remove },

	{ "token", "create", "PRINCIPAL", "create an API token (shown once)",
	    opts_token_create, REMOTE, 1, 1, cli_token_create },
	{ "token", "list", "", "list API tokens (never their secrets)",
	    opts_token_list, REMOTE, 0, 0, cli_token_list },
	{ "token", "revoke", "ID", "revoke an API token", opts_none, REMOTE,
	    1, 1, cli_token_revoke },

	{ "audit", "verify", "", "check the audit log's hash chain and signed "
	    "checkpoints", opts_audit_verify, REMOTE, 0, 0,
	    cli_audit_verify },
	{ "audit", "list", "", "list audit log entries", opts_audit_list,
	    REMOTE, 0, 0, cli_audit_list },
	{ "audit", "export", "", "write audit log entries as JSON lines",
	    opts_audit_export, REMOTE, 0, 0, cli_audit_export },
	/* Device PKI (cmd_ca.c, cmd_cert.c, cmd_enroll.c). */
	{ "ca", "init", "", "create a root (or use one), an issuing CA and "
	    "its OCSP responder", opts_ca_init, CLI_CMD_LOCAL, 0, 0,
	    cli_ca_init },
	{ "ca", "list", "", "list certificate authorities", opts_none,
	    REMOTE, 0, 0, cli_ca_list },
	{ "ca", "show", "LABEL", "show a CA", opts_ca_show, REMOTE, 1, 1,
	    cli_ca_show },
	{ "ca", "policy", "LABEL", "set an issuing CA's enrollment policy",
	    opts_ca_policy, REMOTE, 1, 1, cli_ca_policy },
	{ "ca", "export", "LABEL", "print a CA's chain as PEM", opts_none,
	    REMOTE, 1, 1, cli_ca_export },
	{ "ca", "rollover", "[LABEL]", "replace an issuing CA or a root by "
	    "a new key, certificate and cross-certificates; the old one keeps "
	    "being trusted", opts_ca_rollover, CLI_CMD_LOCAL, 0, 1,
	    cli_ca_rollover },
	{ "ca", "retire", "LABEL", "stop trusting and serving a CA",
	    opts_none, CLI_CMD_LOCAL, 1, 1, cli_ca_retire },
	{ "ca", "add-manufacturer", "FILE", "trust a manufacturer CA for "
	    "IDevID enrollment", opts_ca_trust, CLI_CMD_LOCAL, 1, 1,
	    cli_ca_add_manufacturer },
	{ "ca", "add-claim", "FILE", "trust a fleet claim CA for zero-touch "
	    "enrollment", opts_ca_trust, CLI_CMD_LOCAL, 1, 1,
	    cli_ca_add_claim },

	{ "cert", "issue", "[DEVICE]", "issue a certificate from a CSR: "
	    "by vigild's signer with --server, else with the CA key "
	    "(offline bootstrap)", opts_cert_issue, REMOTE, 0, 1,
	    cli_cert_issue },
	{ "cert", "list", "", "list issued certificates", opts_cert_list,
	    REMOTE, 0, 0, cli_cert_list },
	{ "cert", "show", "SERIAL", "show an issued certificate",
	    opts_ca_show, REMOTE, 1, 1, cli_cert_show },
	{ "cert", "revoke", "[SERIAL]", "revoke a certificate, or every "
	    "certificate of a device", opts_cert_revoke, REMOTE, 0, 1,
	    cli_cert_revoke },
	{ "cert", "hold", "SERIAL", "suspend a certificate "
	    "(certificateHold)", opts_none, REMOTE, 1, 1, cli_cert_hold },
	{ "cert", "release", "SERIAL", "lift a certificate's hold",
	    opts_none, REMOTE, 1, 1, cli_cert_release },
	{ "cert", "audit", "", "report expiring, weak and mismatched "
	    "certificates", opts_none, REMOTE, 0, 0, cli_cert_audit },
	{ "cert", "renew-report", "", "devices whose certificate expires "
	    "soon without a newer one", opts_cert_renew, REMOTE, 0, 0,
	    cli_cert_renew_report },

	{ "enroll", "token", "DEVICE", "create a one-time EST enrollment "
	    "token (shown once)", opts_enroll_token, REMOTE, 1, 1,
	    cli_enroll_token },
	{ "enroll", "tokens", "", "list enrollment tokens (never their "
	    "secrets)", opts_none, REMOTE, 0, 0, cli_enroll_tokens },
	{ "enroll", "revoke-token", "ID", "delete an enrollment token",
	    opts_none, REMOTE, 1, 1, cli_enroll_revoke_token },
	{ "enroll", "pending", "", "list enrollments waiting for approval",
	    opts_enroll_pending, REMOTE, 0, 0, cli_enroll_pending },
	{ "enroll", "approve", "ID", "approve a pending enrollment",
	    opts_none, REMOTE, 1, 1, cli_enroll_approve },
	{ "enroll", "reject", "ID", "reject a pending enrollment",
	    opts_none, REMOTE, 1, 1, cli_enroll_reject },
	{ "enroll", "allow", "IDENTIFIER", "let a device with this "
	    "identifier claim itself with a fleet claim certificate",
	    opts_none, REMOTE, 1, 1, cli_enroll_allow },

	/* Vulnerability management (cmd_vuln.c). */
	{ "vuln", "version-compare", "A B", "order two versions under a "
	    "version scheme: prints <, = or >",
	    opts_vuln_version_compare, 0, 2, 2, cli_vuln_version_compare },
	{ "vuln", "import", "PATH...", "import vulnerability feeds (OSV, NVD, "
	    "CVE 5, KEV, EPSS): files, directories, .zip, .gz",
	    opts_vuln_import, REMOTE, 1, ANY, cli_vuln_import },
	{ "vuln", "feeds", "", "list the feed imports", opts_none, REMOTE, 0,
	    0, cli_vuln_feeds },
	{ "vuln", "scan", "", "match builds against the stored "
	    "vulnerabilities again", opts_vuln_build, REMOTE, 0, 0,
	    cli_vuln_scan },
	{ "vuln", "list", "", "list the vulnerabilities affecting the fleet, "
	    "highest priority first", opts_vuln_list, REMOTE, 0, 0,
	    cli_vuln_list },
	{ "vuln", "show", "ID", "show a vulnerability (any alias)", opts_none,
	    REMOTE, 1, 1, cli_vuln_show },
	{ "vuln", "affected", "ID", "count the devices and tenants a "
	    "vulnerability affects, by build", opts_none, REMOTE, 1, 1,
	    cli_vuln_affected },
	{ "vuln", "exploited", "ID", "mark a vulnerability actively "
	    "exploited (or --clear the mark)", opts_vuln_exploited, REMOTE,
	    1, 1, cli_vuln_exploited },
	{ "vuln", "vex", "FILE", "import VEX statements (CycloneDX, OpenVEX, "
	    "CSAF, Buildroot, Yocto)", opts_vuln_vex, REMOTE, 1, 1,
	    cli_vuln_vex },

	{ "sbom", "import", "FILE|-", "bind an SBOM to a build (model + "
	    "firmware) and scan it", opts_sbom_import, REMOTE, 1, 1,
	    cli_sbom_import },
	{ "sbom", "list", "", "list the builds and their findings",
	    opts_none, REMOTE, 0, 0, cli_sbom_list },
	{ "sbom", "show", "BUILD", "show a build (id or MODEL@FIRMWARE)",
	    opts_none, REMOTE, 1, 1, cli_sbom_show },
	{ "sbom", "export", "BUILD", "write a build's SBOM as CycloneDX 1.6 "
	    "(or its VEX)", opts_sbom_export, REMOTE, 1, 1,
	    cli_sbom_export },
	{ "sbom", "delete", "BUILD", "delete a build, its SBOM and findings",
	    opts_none, REMOTE, 1, 1, cli_sbom_delete },
	{ "sbom", "quality", "FILE|-", "check an SBOM file against the NTIA "
	    "minimum elements (offline, nothing stored)", opts_sbom_quality,
	    0, 1, 1, cli_sbom_quality },

	{ "product", "set", "MODEL", "set a product's manufacturer, support "
	    "period and platform CPEs", opts_product_set, REMOTE, 1, 1,
	    cli_product_set },
	{ "product", "list", "", "list products with their support state",
	    opts_product_list, REMOTE, 0, 0, cli_product_list },

	{ "cra", "status", "", "show the Cyber Resilience Act reports, their "
	    "clocks and what is due", opts_cra_status, REMOTE, 0, 0,
	    cli_cra_status },
	{ "cra", "open", "", "open a CRA report for an exploited "
	    "vulnerability or a severe incident", opts_cra_open, REMOTE, 0,
	    0, cli_cra_open },
	{ "cra", "step", "ID STEP", "record a step: early-warning, "
	    "notification, fix, final or close", opts_none, REMOTE, 2, 2,
	    cli_cra_step },
	{ "cra", "export", "ID", "write the draft of a report's next stage "
	    "as JSON", opts_out, REMOTE, 1, 1, cli_cra_export },

	/* Policies, offline (cmd_policy.c). */
	{ "policy", "lint", "FILE...", "check policy documents for errors and "
	    "over-permissive statements (offline)", opts_none, 0, 1, ANY,
	    cli_policy_lint },
	{ "policy", "test", "[FILE...]", "decide one request against policy "
	    "documents, or without FILE against a stored device, and explain "
	    "why", opts_policy_test, REMOTE, 0, ANY, cli_policy_test },
	/* Stored policies (cmd_policy.c). */
	{ "policy", "put", "NAME FILE|-", "store a new version of a policy",
	    opts_policy_put, REMOTE, 2, 2, cli_policy_put },
	{ "policy", "get", "NAME", "print a stored policy document",
	    opts_policy_get, REMOTE, 1, 1, cli_policy_get },
	{ "policy", "list", "", "list the tenant's policies", opts_none,
	    REMOTE, 0, 0, cli_policy_list },
	{ "policy", "history", "NAME", "list a policy's versions", opts_none,
	    REMOTE, 1, 1, cli_policy_history },
	{ "policy", "rollback", "NAME VERSION", "restore an old version as "
	    "the new current one", opts_comment, REMOTE, 2, 2,
	    cli_policy_rollback },
	{ "policy", "delete", "NAME", "delete a policy, its versions and "
	    "attachments", opts_none, REMOTE, 1, 1, cli_policy_delete },
	{ "policy", "attach", "NAME", "apply a policy to the tenant, a "
	    "model, a label or a device", opts_policy_attach, REMOTE, 1, 1,
	    cli_policy_attach },
	{ "policy", "detach", "NAME", "remove an attachment",
	    opts_policy_attach, REMOTE, 1, 1, cli_policy_detach },
	{ "policy", "attachments", "[NAME]", "list attachments (of one "
	    "policy or all)", opts_none, REMOTE, 0, 1,
	    cli_policy_attachments },

	/* Model posture baselines (cmd_baseline.c). */
	{ "baseline", "set", "MODEL", "set the ports a model's devices may "
	    "listen on and its current firmware", opts_baseline_set, REMOTE,
	    1, 1, cli_baseline_set },
	{ "baseline", "list", "", "list the model baselines", opts_none,
	    REMOTE, 0, 0, cli_baseline_list },
	/* Network monitoring (cmd_alert.c, cmd_net.c, cmd_flows.c). */
	{ "alert", "list", "", "list network alerts, newest first",
	    opts_alert_list, REMOTE, 0, 0, cli_alert_list },
	{ "alert", "show", "ID", "show an alert with its evidence", opts_none,
	    REMOTE, 1, 1, cli_alert_show },
	{ "alert", "ack", "ID", "acknowledge an alert (seen, still open)",
	    opts_note, REMOTE, 1, 1, cli_alert_ack },
	{ "alert", "close", "ID", "close an alert (--note says why)",
	    opts_note, REMOTE, 1, 1, cli_alert_close },
	{ "shadow", "list", "", "list addresses no device claims (shadow "
	    "IoT)", opts_all, REMOTE, 0, 0, cli_shadow_list },
	{ "shadow", "adopt", "ID", "register a shadow finding as a device",
	    opts_shadow_adopt, REMOTE, 1, 1, cli_shadow_adopt },
	{ "shadow", "dismiss", "ID", "dismiss a shadow finding", opts_note,
	    REMOTE, 1, 1, cli_shadow_dismiss },
	{ "net", "bind", "CIDR", "bind an address or subnet to a device or "
	    "to the tenant", opts_net_bind, REMOTE, 1, 1, cli_net_bind },
	{ "net", "unbind", "CIDR", "remove an address binding", opts_none,
	    REMOTE, 1, 1, cli_net_unbind },
	{ "net", "bindings", "", "list the address bindings", opts_none,
	    REMOTE, 0, 0, cli_net_bindings },
	{ "net", "sessions", "", "list cellular sessions (RADIUS "
	    "accounting)", opts_all, REMOTE, 0, 0, cli_net_sessions },
	{ "flows", "analyze", "FILE...", "detect threats in recorded traffic "
	    "(pcap, Zeek, NetFlow, IPFIX; offline)", opts_flows_analyze,
	    CLI_CMD_LOCAL, 1, ANY, cli_flows_analyze },
};

const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];

const char *
cli_cmd_fullname(const struct cli_cmd *c, char *buf, size_t size)
{
	if (c->name != NULL)
		snprintf(buf, size, "%s %s", c->group, c->name);
	else
		snprintf(buf, size, "%s", c->group);
	return buf;
}

const struct cli_cmd *
cli_cmd_find(const char *group, const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_cmd *c = &cli_commands[i];

		if (strcmp(c->group, group) != 0)
			continue;
		if (c->name == NULL)
			return c;
		if (name != NULL && strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

bool
cli_group_exists(const char *group)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strcmp(cli_commands[i].group, group) == 0)
			return true;
	return false;
}
