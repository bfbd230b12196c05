/*
 * THE table of vigild.conf keys: name, type, default, bounds, whether
 * SIGHUP may change it, and its documentation. Everything else (the
 * parser, `vigild -nv`, `vigild --help-config`, the man-page parity
 * test in tests/unit/vigild_config_test.c) reads it from here.
 *
 * Defaults are the safe choice: loopback only, TLS 1.2 minimum, small
 * bodies and headers, short timeouts, rate limits on.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config_internal.h"

#define F(field) offsetof(struct vigild_config, field), \
	sizeof(((struct vigild_config *)0)->field)

#define KIB 1024ull
#define MIB (1024ull * 1024)
#define HOUR 3600ull
#define DAY (24 * HOUR)

const struct config_key config_keys[] = {
	/* Where things live. */
	{ "data_dir", CONFIG_PATH, F(data_dir), "/var/lib/vigil", NULL, 0, 0,
	    NULL, false,
	    "Directory of the database and of the default key and "
	    "certificate paths below. When vigild starts as root it "
	    "changes the owner of this directory and of the database "
	    "files to user, so that the workers can write them." },
	{ "database", CONFIG_PATH, F(database), NULL, "vigil.db", 0, 0, NULL,
	    false, "SQLite database file (with its -wal and -shm files)." },
	{ "tls_cert", CONFIG_PATH, F(tls_cert), NULL, "tls/server.crt", 0, 0,
	    NULL, false,
	    "PEM certificate chain the HTTPS API presents, server "
	    "certificate first." },
	{ "tls_key", CONFIG_PATH, F(tls_key), NULL, "tls/server.key", 0, 0,
	    NULL, false,
	    "PEM private key of tls_cert. Secret: vigild refuses to start "
	    "when it is readable by group or others. Read by each worker "
	    "before it drops privileges." },
	{ "audit_key", CONFIG_PATH, F(audit_key), NULL, "keys/audit.key", 0,
	    0, NULL, false,
	    "Ed25519 private key (PKCS#8 PEM) that signs audit log "
	    "checkpoints. Secret: refused when readable by group or "
	    "others. Only the signer process ever reads it." },
	{ "audit_pubkey", CONFIG_PATH, F(audit_pubkey), NULL,
	    "keys/audit.pub", 0, 0, NULL, false,
	    "Public key of audit_key, used to verify checkpoint "
	    "signatures." },

	/* Listener and processes. */
	{ "listen", CONFIG_ADDRESS, F(listen), "127.0.0.1:8443", NULL, 0, 0,
	    NULL, false,
	    "Address and TCP port of the HTTPS API: an IPv4 address "
	    "and port (127.0.0.1:8443) or a bracketed IPv6 address and "
	    "port ([::1]:8443). Port 0 picks a free port (for tests; "
	    "the environment variable VIGILD_PORT_FILE names a file that "
	    "receives it)." },
	{ "workers", CONFIG_UINT, F(workers), "0", NULL, 0, 64, NULL, false,
	    "Number of net worker processes, each with its own "
	    "SO_REUSEPORT socket. 0 means one per online CPU (at most "
	    "64)." },
	{ "user", CONFIG_USER, F(user), "nobody", NULL, 0, 0, NULL, false,
	    "User the workers and the signer run as when vigild is "
	    "started as root (its primary group too). Ignored when vigild "
	    "starts as another user. Must not be root." },

	/* TLS. */
	{ "tls_min_version", CONFIG_ENUM, F(tls_min_version), "1.2", NULL, 0,
	    0, "1.2|1.3", false,
	    "Oldest TLS version accepted: 1.2 (modern suites only) or 1.3." },

	/* Device PKI. */
	{ "gateway_listen", CONFIG_ADDRESS, F(gateway_listen),
	    "127.0.0.1:8444", NULL, 0, 0, NULL, false,
	    "Address and port of the device gateway: HTTPS with client "
	    "certificates (mutual TLS) serving EST enrollment "
	    "(/.well-known/est/) and the device API (/device/v1/). Same "
	    "forms as listen; \"off\" disables it. Port 0 picks a free "
	    "port (VIGILD_PORT_FILE then has a line gateway=PORT)." },
	{ "gateway_cert", CONFIG_PATH, F(gateway_cert), NULL,
	    "tls/server.crt", 0, 0, NULL, false,
	    "PEM certificate chain the device gateway presents. Unset: "
	    "tls_cert." },
	{ "gateway_key", CONFIG_PATH, F(gateway_key), NULL,
	    "tls/server.key", 0, 0, NULL, false,
	    "PEM private key of gateway_cert. Secret: refused when "
	    "readable by group or others. Unset: tls_key." },
	{ "gateway_session_cache", CONFIG_UINT, F(gateway_session_cache),
	    "20480", NULL, 0, 1000000, NULL, false,
	    "Number of TLS sessions the device gateway keeps for "
	    "resumption (5 minutes each), in one cache shared by all "
	    "workers so that a device reconnecting to another worker "
	    "resumes too. Each entry takes 2 KiB of shared memory (a "
	    "session whose client certificates do not fit is not "
	    "kept). 0 disables resumption. The cache is emptied "
	    "whenever the revocation set or the trusted CAs change." },
	{ "pki_listen", CONFIG_ADDRESS, F(pki_listen), "127.0.0.1:8080",
	    NULL, 0, 0, NULL, false,
	    "Address and port of the plain-HTTP PKI endpoint that serves "
	    "CRLs (/crl/<ca-label>.crl) and the OCSP responder "
	    "(/ocsp/<ca-label>, RFC 6960 GET and POST): signed objects, "
	    "so no TLS, as relying parties expect. \"off\" disables "
	    "it. Port 0 picks a free port (VIGILD_PORT_FILE then has a "
	    "line pki=PORT)." },
	{ "pki_url", CONFIG_STRING, F(pki_url), "", NULL, 0, 0, NULL, true,
	    "Base URL written into issued certificates' CRL distribution "
	    "point and OCSP access location, e.g. "
	    "http://pki.example.com. Empty: http://<pki_listen>." },
	{ "pkcs11_module", CONFIG_STRING, F(pkcs11_module), "", NULL, 0, 0,
	    NULL, false,
	    "PKCS#11 module (shared library) for CA keys given as "
	    "pkcs11: URIs, e.g. /usr/lib/softhsm/libsofthsm2.so. Empty: "
	    "the libp11 engine's default ($PKCS11_MODULE_PATH or "
	    "p11-kit's proxy)." },
	{ "crl_interval_s", CONFIG_DURATION, F(crl_interval_s), "1h", NULL,
	    60, 7 * DAY, NULL, true,
	    "Each CA's CRL is regenerated when a certificate is revoked, "
	    "held or released, and at least this often; its nextUpdate "
	    "is twice this after its thisUpdate." },
	{ "ocsp_validity_s", CONFIG_DURATION, F(ocsp_validity_s), "1h", NULL,
	    60, 7 * DAY, NULL, true,
	    "How long an OCSP response is valid (nextUpdate - "
	    "thisUpdate)." },
	{ "issue_rate", CONFIG_UINT, F(issue_rate), "2000", NULL, 1, 1000000,
	    NULL, true,
	    "Most certificates the signer issues per second over all "
	    "workers; requests above it are refused with 503 and "
	    "Retry-After." },
	{ "est_retry_after_s", CONFIG_DURATION, F(est_retry_after_s), "1m",
	    NULL, 1, DAY, NULL, true,
	    "Retry-After of an EST enrollment that waits for manual "
	    "approval (HTTP 202)." },
	{ "cert_audit_interval_s", CONFIG_DURATION, F(cert_audit_interval_s),
	    "1h", NULL, 1, 7 * DAY, NULL, false,
	    "How often one net worker runs the certificate audit (the "
	    "findings of `vigil cert audit` for every tenant) and appends "
	    "a cert.finding audit entry and a warning per finding that "
	    "was not in its previous run. The first run is this long "
	    "after start, at most a minute; after a restart every "
	    "finding is reported once more." },

	/* Zero-trust access. */
	{ "pdp_socket", CONFIG_STRING, F(pdp_socket), "pdp.sock", NULL, 0, 0,
	    NULL, false,
	    "UNIX socket where the policy decision point answers "
	    "enforcement points on this host (the Mosquitto plugin "
	    "vigil_mosquitto.so): a path, relative to data_dir unless "
	    "absolute; \"off\" disables it. Whoever can connect can ask "
	    "for decisions about any device, so keep it to the broker's "
	    "group (pdp_socket_mode, pdp_socket_group)." },
	{ "pdp_socket_mode", CONFIG_STRING, F(pdp_socket_mode), "0660", NULL,
	    0, 0, NULL, false,
	    "Permissions of pdp_socket, in octal. Never world-writable "
	    "(0002 is refused)." },
	{ "pdp_socket_group", CONFIG_STRING, F(pdp_socket_group), "", NULL,
	    0, 0, NULL, false,
	    "Group that owns pdp_socket when vigild starts as root (the "
	    "broker's, e.g. mosquitto). Empty: the group of user." },
	{ "pdp_max_clients", CONFIG_UINT, F(pdp_max_clients), "64", NULL, 1,
	    4096, NULL, true,
	    "Most enforcement point connections each worker serves on "
	    "pdp_socket; more are closed at once." },
	{ "pdp_cache_ttl_ms", CONFIG_UINT, F(pdp_cache_ttl_ms), "5000", NULL,
	    0, 600000, NULL, true,
	    "How long an enforcement point may reuse a decision within one "
	    "policy epoch (every change of policy, posture, quarantine, "
	    "revocation or device state starts a new epoch and drops "
	    "every cached decision at once). Bounds how stale time-based "
	    "context (vigil:Time, vigil:LastCheckinSeconds) can be. 0: "
	    "never cache." },
	{ "pdp_allow_sample", CONFIG_UINT, F(pdp_allow_sample), "100", NULL,
	    0, 1000000, NULL, true,
	    "Every denied decision is audited; one allowed decision in "
	    "this many is logged (pdp.allow). 0: none." },
	{ "posture_stale_s", CONFIG_DURATION, F(posture_stale_s), "1h", NULL,
	    60, 30 * DAY, NULL, true,
	    "A device whose last check-in is older than this has a stale "
	    "posture, which raises its risk score (docs/posture.md)." },
	{ "posture_history_max", CONFIG_UINT, F(posture_history_max), "100",
	    NULL, 1, 100000, NULL, true,
	    "Check-ins kept per device (older ones are dropped; the newest "
	    "is always kept as the device's posture)." },

	/* Network monitoring (the collector process). */
	{ "flow_listen", CONFIG_ADDRESS, F(flow_listen), "off", NULL, 0, 0,
	    NULL, false,
	    "UDP address and port where the collector receives NetFlow v5, "
	    "NetFlow v9 and IPFIX export packets (the version is told by "
	    "each packet), e.g. 0.0.0.0:2055. \"off\" disables it. Port 0 "
	    "picks a free port (VIGILD_PORT_FILE then has a line "
	    "flow=PORT)." },
	{ "flow_tcp_listen", CONFIG_ADDRESS, F(flow_tcp_listen), "off", NULL,
	    0, 0, NULL, false,
	    "TCP address and port for IPFIX over TCP (RFC 7011 §10.4). "
	    "\"off\" disables it. Port 0: VIGILD_PORT_FILE line "
	    "flowtcp=PORT." },
	{ "flow_rcvbuf", CONFIG_SIZE, F(flow_rcvbuf), "8M", NULL, 64 * KIB,
	    256 * MIB, NULL, false,
	    "Receive buffer of the flow UDP socket (SO_RCVBUF; the kernel "
	    "may cap it at net.core.rmem_max): bursts of export packets "
	    "wait here while the collector works." },
	{ "radius_listen", CONFIG_ADDRESS, F(radius_listen), "off", NULL, 0,
	    0, NULL, false,
	    "UDP address and port of the RADIUS accounting server (RFC "
	    "2866), e.g. 0.0.0.0:1813: the packet gateway's sessions bind "
	    "cellular addresses to SIMs and devices. Needs radius_secret. "
	    "Port 0: VIGILD_PORT_FILE line radius=PORT." },
	{ "radius_secret", CONFIG_PATH, F(radius_secret), "", NULL, 0, 0,
	    NULL, false,
	    "File holding the RADIUS shared secret (first line). Secret: "
	    "refused when readable by group or others." },
	{ "zeek_log", CONFIG_PATH, F(zeek_log), "", NULL, 0, 0, NULL, false,
	    "A Zeek conn.log (TSV or JSON) the collector follows as it "
	    "grows, as tail -F does (rotation included). Empty: none." },
	{ "detect_config", CONFIG_PATH, F(detect_config), "", NULL, 0, 0,
	    NULL, true,
	    "File of detection settings, \"key = value\" per line "
	    "(docs/detection.md lists every key: local networks, "
	    "thresholds, infrastructure exclusions). Empty: the "
	    "defaults." },
	{ "intel_files", CONFIG_STRING, F(intel_files), "", NULL, 0, 0, NULL,
	    true,
	    "Threat-intelligence lists (one address or CIDR per line), "
	    "comma-separated paths; a flow to or from a listed address "
	    "raises intel.match. Re-read on reload." },
	{ "alert_webhook", CONFIG_STRING, F(alert_webhook), "", NULL, 0, 0,
	    NULL, true,
	    "HTTPS URL that receives each new or escalated alert as a JSON "
	    "POST (retried, never blocking detection). Empty: none." },
	{ "alert_webhook_ca", CONFIG_PATH, F(alert_webhook_ca), "", NULL, 0,
	    0, NULL, true,
	    "PEM file of the CA certificates the webhook's server must "
	    "chain to (a private CA). Empty: the system's CA bundle." },
	{ "alert_syslog", CONFIG_STRING, F(alert_syslog), "", NULL, 0, 0,
	    NULL, true,
	    "host:port of a syslog server that receives each alert as an "
	    "RFC 5424 message over UDP. Empty: none." },
	{ "alert_stdout", CONFIG_ENUM, F(alert_stdout), "off", NULL, 0, 0,
	    "on|off", true,
	    "on: each alert is also written to standard output as one JSON "
	    "line (for a log shipper)." },
	{ "response", CONFIG_STRING, F(response), "", NULL, 0, 0, NULL, true,
	    "Automatic response per detector, \"kind=action\" comma "
	    "separated, action notify, quarantine or revoke (e.g. "
	    "\"scan.horizontal=quarantine,intel.match=quarantine\"). "
	    "Unlisted kinds only notify. Every action is audited with its "
	    "evidence." },
	{ "response_max_per_min", CONFIG_UINT, F(response_max_per_min), "10",
	    NULL, 0, 100000, NULL, true,
	    "Storm guard: at most this many automatic quarantines or "
	    "revocations per minute; beyond it the action is held for an "
	    "operator to confirm (the alert says so). 0: hold every "
	    "automatic action." },


	{ "max_body_bytes", CONFIG_SIZE, F(max_body_bytes), "1M", NULL,
	    1 * KIB, 64 * MIB, NULL, true,
	    "Largest request body; larger requests get 413." },
	{ "max_header_bytes", CONFIG_SIZE, F(max_header_bytes), "16K", NULL,
	    1 * KIB, 1 * MIB, NULL, true,
	    "Largest request header block." },
	{ "request_timeout_s", CONFIG_DURATION, F(request_timeout_s), "10s",
	    NULL, 1, HOUR, NULL, true,
	    "Time a client has to send a whole request (headers and "
	    "body), counted from the connection start for the first "
	    "request and from its first byte for later ones on a "
	    "keep-alive connection (idle_timeout_s bounds the wait in "
	    "between); slower connections are cut. Also bounds the "
	    "drain at shutdown." },
	{ "idle_timeout_s", CONFIG_DURATION, F(idle_timeout_s), "1m", NULL, 1,
	    HOUR, NULL, true,
	    "Time an idle keep-alive connection is kept open." },
	{ "max_connections", CONFIG_UINT, F(max_connections), "4096", NULL, 1,
	    1000000, NULL, true,
	    "Open connections per worker; more are closed at once." },
	{ "max_connections_per_ip", CONFIG_UINT, F(max_connections_per_ip),
	    "64", NULL, 1, 65535, NULL, true,
	    "Open connections per client address and worker." },
	{ "rate_limit_rps", CONFIG_UINT, F(rate_limit_rps), "100", NULL, 1,
	    1000000, NULL, true,
	    "Sustained requests per second per API token and worker." },
	{ "rate_limit_burst", CONFIG_UINT, F(rate_limit_burst), "200", NULL,
	    1, 1000000, NULL, true,
	    "Requests per API token and worker allowed in a burst above "
	    "rate_limit_rps." },

	/* IAM. */
	{ "token_ttl_s", CONFIG_DURATION, F(token_ttl_s), "8h", NULL, 60,
	    365 * DAY, NULL, true,
	    "Lifetime of the token a password login returns. At most "
	    "max_token_ttl_s." },
	{ "max_token_ttl_s", CONFIG_DURATION, F(max_token_ttl_s), "8760h",
	    NULL, 60, 3650 * DAY, NULL, true,
	    "Longest lifetime any API token may be given." },
	{ "reauth_s", CONFIG_DURATION, F(reauth_s), "5m", NULL, 10, DAY, NULL,
	    true,
	    "Privileged actions (role grants, tokens for others, tenant "
	    "deletion) need a password proof at most this old." },

	/* Audit. */
	{ "audit_checkpoint_entries", CONFIG_UINT,
	    F(audit_checkpoint_entries), "1000", NULL, 1, 10000000, NULL,
	    true,
	    "A signed audit checkpoint is requested after this many new "
	    "entries or after audit_checkpoint_s, whichever comes "
	    "first." },
	{ "audit_checkpoint_s", CONFIG_DURATION, F(audit_checkpoint_s), "1m",
	    NULL, 1, DAY, NULL, true,
	    "A signed audit checkpoint is requested after this much time "
	    "when there are new entries." },

	/* Logging. */
	{ "log_level", CONFIG_ENUM, F(log_level), "info", NULL, 0, 0,
	    "error|warn|info|debug", true,
	    "Least severe level that is logged." },
	{ "log_target", CONFIG_ENUM, F(log_target), "stderr", NULL, 0, 0,
	    "stderr|syslog", true,
	    "Where log lines go in the foreground (journald reads both). "
	    "A daemonised vigild has no stderr and always uses syslog." },
	{ "log_format", CONFIG_ENUM, F(log_format), "text", NULL, 0, 0,
	    "text|json", true,
	    "One line per event: key=value text or one JSON object." },
};

const size_t config_nkeys = sizeof config_keys / sizeof config_keys[0];

const struct config_key *
config_key_find(const char *name)
{
	for (size_t i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

const char *
config_type_name(enum config_type t)
{
	switch (t) {
	case CONFIG_PATH:
		return "path";
	case CONFIG_ADDRESS:
		return "address";
	case CONFIG_USER:
		return "user";
	case CONFIG_UINT:
		return "integer";
	case CONFIG_SIZE:
		return "size";
	case CONFIG_DURATION:
		return "duration";
	case CONFIG_ENUM:
		return "choice";
	case CONFIG_STRING:
		return "string";
	}
	return "?";
}

/* Prints "  <doc>" wrapped at 72 columns with the given indent. */
static void
print_wrapped(FILE *f, const char *text, int indent)
{
	const char *p = text;
	int col = indent;

	fprintf(f, "%*s", indent, "");
	while (*p != '\0') {
		size_t w = strcspn(p, " ");

		if (col > indent && col + 1 + (int)w > 72) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += (int)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void
config_print_keys(FILE *f)
{
	struct vigild_config def;

	config_defaults(&def);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		char value[CONFIG_PATH_MAX], range[64];

		if (k->def == NULL) {
			snprintf(value, sizeof value, "<data_dir>/%s",
			    k->under);
		} else if (config_key_value(k, &def, value,
		    sizeof value) < 0) {
			value[0] = '\0';
		}
		config_key_range(k, range, sizeof range);
		fprintf(f, "%s (%s", k->name, config_type_name(k->type));
		if (range[0] != '\0')
			fprintf(f, " %s", range);
		fprintf(f, "; default %s; %s)\n", value,
		    k->reloadable ? "reloadable" : "restart needed");
		print_wrapped(f, k->doc, 4);
	}
}
