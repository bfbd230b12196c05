/*
 * vigild configuration: one table of keys (config_keys.c) with type,
 * default, bounds, reloadable flag and doc; parsed once, in the parent.
 * Children get the parsed struct at fork and later reloads as the
 * normalised text (IPC_CONFIG), parsed with the same strict parser.
 *
 * File format (docs/vigild.conf.5): UTF-8 text, one `key = value` per
 * line, `#` starts a comment line, blank lines ignored, values may be
 * double-quoted (then \" and \\ escapes), unknown keys and duplicate
 * keys are errors ("vigild.conf:12: unknown key 'listn' (did you mean
 * 'listen'?)"). Sizes accept K/M/G suffixes, durations s/m/h.
 */
#ifndef VIGILD_CONFIG_H
#define VIGILD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_PATH_MAX 1024
#define CONFIG_STR_MAX 256
#define CONFIG_TEXT_MAX 16384 /* normalised config must fit one IPC frame */

struct vigild_config {
	/* Where things live. Paths relative to the config file's directory
	 * are resolved at load; defaults are under data_dir. */
	char data_dir[CONFIG_PATH_MAX];     /* default /var/lib/vigil */
	char database[CONFIG_PATH_MAX];     /* default <data_dir>/vigil.db */
	char tls_cert[CONFIG_PATH_MAX];     /* default <data_dir>/tls/server.crt */
	char tls_key[CONFIG_PATH_MAX];      /* default <data_dir>/tls/server.key */
	char audit_key[CONFIG_PATH_MAX];    /* default <data_dir>/keys/audit.key */
	char audit_pubkey[CONFIG_PATH_MAX]; /* default <data_dir>/keys/audit.pub */

	/* Listener and processes (restart needed to change). */
	char listen[CONFIG_STR_MAX]; /* "127.0.0.1:8443", "[::1]:8443" */
	unsigned workers;            /* 0 = one per online CPU; max 64 */
	char user[CONFIG_STR_MAX];   /* user the workers run as when vigild
				      * starts as root; default "nobody" */

	/* TLS. */
	char tls_min_version[8];     /* "1.2" (default) or "1.3" */

	/* Device PKI (issue 4). Listeners need a restart; the rest
	 * reload. */
	char gateway_listen[CONFIG_STR_MAX]; /* mTLS device gateway + EST;
					      * "off" = none */
	char gateway_cert[CONFIG_PATH_MAX];  /* default tls_cert */
	char gateway_key[CONFIG_PATH_MAX];   /* default tls_key */
	unsigned gateway_session_cache; /* TLS sessions shared by all
					 * workers; 0 = no resumption;
					 * 20480; restart needed */
	char pki_listen[CONFIG_STR_MAX];     /* plain HTTP CRL + OCSP;
					      * "off" = none */
	char pki_url[CONFIG_STR_MAX];        /* base URL written into
					      * certificates' CDP/AIA; ""
					      * = http://<pki_listen> */
	char pkcs11_module[CONFIG_PATH_MAX]; /* "" = engine default */
	unsigned crl_interval_s;     /* CRL regenerated at least this
				      * often; nextUpdate = 2x; 1h */
	unsigned ocsp_validity_s;    /* OCSP nextUpdate - thisUpdate; 1h */
	unsigned issue_rate;         /* certificates per second the signer
				      * issues at most; 2000 */
	unsigned est_retry_after_s;  /* Retry-After of a 202 (approval); 60 */
	unsigned cert_audit_interval_s; /* periodic certificate audit on
					 * net worker 0 (H9); 1h */

	/* Zero-trust access (issue 5). */
	char pdp_socket[CONFIG_STR_MAX]; /* UNIX socket of the decision
					  * point; relative = under
					  * data_dir; "off" = none;
					  * "pdp.sock"; restart needed */
	char pdp_socket_mode[8];     /* octal, "0660"; restart needed */
	char pdp_socket_group[CONFIG_STR_MAX]; /* group of the socket when
						* started as root; "" */
	unsigned pdp_max_clients;    /* connections per worker; 64 */
	unsigned pdp_cache_ttl_ms;   /* how long an enforcement point may
				      * keep a decision within an epoch;
				      * 5000 */
	unsigned pdp_allow_sample;   /* log one allow in N; 0 = none; 100 */
	unsigned posture_stale_s;    /* check-in age that degrades posture;
				      * 1h */
	unsigned posture_history_max; /* check-ins kept per device; 100 */

	/* Network monitoring (issue 6): the collector process. Listeners
	 * need a restart; outputs and responses reload. */
	char flow_listen[CONFIG_STR_MAX];     /* UDP NetFlow v5/v9 + IPFIX;
					       * "off" */
	char flow_tcp_listen[CONFIG_STR_MAX]; /* IPFIX over TCP; "off" */
	size_t flow_rcvbuf;          /* SO_RCVBUF of the UDP socket; 8M */
	char radius_listen[CONFIG_STR_MAX];   /* RADIUS accounting (UDP);
					       * "off" */
	char radius_secret[CONFIG_PATH_MAX];  /* file with the shared
					       * secret; "" */
	char zeek_log[CONFIG_PATH_MAX];       /* conn.log to follow; "" */
	char detect_config[CONFIG_PATH_MAX];  /* detection thresholds file;
					       * "" = defaults */
	char intel_files[CONFIG_STR_MAX];     /* threat-intel lists, comma
					       * separated paths; "" */
	char alert_webhook[CONFIG_STR_MAX];   /* https URL; "" */
	char alert_webhook_ca[CONFIG_PATH_MAX]; /* PEM CAs the webhook's
						 * server must chain to;
						 * "" = the system's */
	char alert_syslog[CONFIG_STR_MAX];    /* host:port (UDP, RFC 5424);
					       * "" */
	char alert_stdout[8];        /* "on" | "off" (JSON lines) */
	char response[CONFIG_STR_MAX]; /* "kind=action,...": notify,
					* quarantine, revoke; "" = notify */
	unsigned response_max_per_min; /* storm guard; 10 */

	/* HTTP limits (reloadable). */
	size_t max_body_bytes;       /* default 1M, 1K..64M */
	size_t max_header_bytes;     /* default 16K, 1K..1M */
	unsigned request_timeout_s;  /* whole request incl. headers; 10 */
	unsigned idle_timeout_s;     /* keep-alive idle; 60 */
	unsigned max_connections;    /* per worker; 4096 */
	unsigned max_connections_per_ip; /* per worker; 64 */
	unsigned rate_limit_rps;     /* per token, requests/s; 100 */
	unsigned rate_limit_burst;   /* per token; 200 */

	/* IAM (reloadable). */
	unsigned token_ttl_s;        /* login tokens; default 8h */
	unsigned max_token_ttl_s;    /* any token; default 365 days */
	unsigned reauth_s;           /* privileged actions need a password
				      * proof this recent; default 300 */

	/* Audit. */
	unsigned audit_checkpoint_entries; /* default 1000 */
	unsigned audit_checkpoint_s;       /* default 60 */

	/* Logging (reloadable). */
	char log_level[8];           /* error|warn|info|debug; info */
	char log_target[8];          /* stderr|syslog; stderr */
	char log_format[8];          /* text|json; text */
};

/* Default values (for `vigil init` and tests). */
void config_defaults(struct vigild_config *c);

/* Parses config text (name is used in messages: "vigild.conf"); base_dir
 * resolves relative paths (NULL = cwd). On error returns -1 with a
 * message "<name>:<line>: <what>" in err and leaves *out untouched. */
int config_parse(const char *text, size_t len, const char *name,
    const char *base_dir, struct vigild_config *out, char *err,
    size_t errsize);

/* Reads and parses a file (≤ 1 MiB). Refuses a config file writable by
 * group or others. */
int config_load(const char *path, struct vigild_config *out, char *err,
    size_t errsize);

/* Checks that referenced secret files exist and are not readable by
 * group/others (tls_key, audit_key). -1 with a message otherwise. */
int config_check_files(const struct vigild_config *c, char *err,
    size_t errsize);

/* Normalised text: every key, in table order, `key = value` (quoted
 * when needed), parseable by config_parse. Returns length, or -1 when
 * it does not fit. */
int config_format(const struct vigild_config *c, char *buf, size_t size);

/* Names of keys whose values differ and that are not reloadable
 * (comma-separated into buf, "" when none). */
void config_restart_needed(const struct vigild_config *old,
    const struct vigild_config *new_, char *buf, size_t size);

/* Writes the key table as a man-page fragment / plain text list
 * (for docs/vigild.conf.5 parity test and `vigild --help-config`). */
void config_print_keys(FILE *f);

#endif
