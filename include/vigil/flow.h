/*
 * vigil/flow.h — network flows and the readers of outside flow data
 * (issue 6 §1): NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011)
 * export packets, Zeek conn.log (TSV and JSON), pcap files (flows built
 * with libpcap), and RADIUS accounting (RFC 2866 with the 3GPP
 * attributes of TS 29.061). Every reader is bounded, never trusts a
 * length it read, counts what it refused, and has a fuzz target
 * (tests/fuzz/fuzz_{netflow,zeek,radius}.c). Pure code: no sockets, no
 * store; the collector (vigild) and `vigil flows analyze` feed it.
 */
#ifndef VIGIL_FLOW_H
#define VIGIL_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One flow, normalised. Addresses are 16 bytes: IPv4 as the first 4
 * bytes with family 4. "orig" is who started the flow (the exporter's
 * source for uni-directional records). */
struct vigil_flow {
	int64_t start_ms, end_ms;   /* unix ms; end >= start */
	uint8_t family;             /* 4 or 6 */
	uint8_t proto;              /* IP protocol: 6 tcp, 17 udp, 1 icmp */
	uint8_t tcp_flags;          /* OR of the flags seen (orig side) */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;      /* ICMP: type << 8 | code in dport */
	uint64_t packets, bytes;    /* orig -> resp */
	uint64_t rpackets, rbytes;  /* resp -> orig; 0 when not known */
	char state[8];              /* Zeek conn_state ("S0", "REJ", "SF",
				     * ...), or derived from the TCP flags by
				     * the pcap builder; "" when unknown */
	uint32_t exporter;          /* collector's id of the exporter and
				     * observation domain; 0 offline */
};

/* "192.0.2.7" / "2001:db8::1"; buf of VIGIL_IP_STRLEN (46). */
#define VIGIL_FLOW_IP_STRLEN 46
void vigil_flow_addr_str(uint8_t family, const uint8_t addr[16],
    char buf[VIGIL_FLOW_IP_STRLEN]);
/* Parses an IPv4/IPv6 address; false when it is neither. */
bool vigil_flow_addr_parse(const char *s, uint8_t *family,
    uint8_t addr[16]);

/* Called for each decoded flow; a non-zero return stops the reader. */
typedef int (*vigil_flow_cb)(void *ctx, const struct vigil_flow *f);

/* What a reader saw, for /metrics and reports. Counters only grow. */
struct vigil_flow_stats {
	uint64_t packets;          /* export packets / lines / pcap packets */
	uint64_t records;          /* flows delivered */
	uint64_t malformed;        /* packets or lines refused */
	uint64_t skipped;          /* records skipped safely (options data,
				    * unknown IEs, non-IP, comments) */
	uint64_t no_template;      /* IPFIX/v9 data sets whose template is
				    * not (yet) known */
	uint64_t templates;        /* templates learned or replaced */
	uint64_t withdrawn;        /* templates withdrawn or expired */
	uint64_t seq_gaps;         /* export sequence numbers missed */
};

/* ---- NetFlow v5 / v9 and IPFIX ------------------------------------- */

#define VIGIL_FLOWPKT_MAX 65535u /* one UDP datagram / IPFIX message */

/*
 * Template state of IPFIX and NetFlow v9 exporters: templates and
 * options templates per (exporter, observation domain / source id,
 * template id), bounded in number (max_templates, the oldest dropped)
 * and in age (a UDP template not refreshed within ttl_ms expires, RFC
 * 7011 §8.4); IPFIX template withdrawals (field count 0) honoured.
 * Variable-length fields and enterprise-specific IEs are skipped safely.
 */
struct vigil_flow_templates;
enum vigil_err vigil_flow_templates_new(size_t max_templates, int64_t ttl_ms,
    struct vigil_flow_templates **out /* OUT */);
void vigil_flow_templates_free(struct vigil_flow_templates *t);
size_t vigil_flow_templates_count(const struct vigil_flow_templates *t);

/*
 * Decodes one export packet (version 5, 9 or 10, told by its first two
 * bytes) from exporter `exporter` (the collector's id of the sending
 * address; part of the template key) received at now_ms. Calls cb per
 * flow record. tmpl may be NULL for v5. Returns VIGIL_OK, or
 * VIGIL_EINVAL with err saying what and where ("IPFIX set 2 at offset
 * 36: length 3 is shorter than its header") after delivering the
 * records before the fault; stats counts either way.
 */
enum vigil_err vigil_flowpkt_decode(struct vigil_flow_templates *tmpl,
    uint32_t exporter, const uint8_t *pkt, size_t len, int64_t now_ms,
    vigil_flow_cb cb, void *ctx, struct vigil_flow_stats *stats,
    char *err, size_t errsize);

/* IPFIX over TCP (RFC 7011 §10.4) and files of concatenated messages:
 * the length of the message at the start of buf (its header's length
 * field), 0 when fewer than 4 bytes are there, or -1 when the header is
 * not IPFIX version 10 or the length is out of 16..65535. */
long vigil_ipfix_msg_len(const uint8_t *buf, size_t len);

/* ---- Zeek conn.log --------------------------------------------------- */

/*
 * Reads Zeek conn.log lines, TSV (with its #separator/#fields header;
 * "-" and "(empty)" unset) or JSON (one object per line, detected by
 * '{'). Fields used: ts, id.orig_h, id.orig_p, id.resp_h, id.resp_p,
 * proto, duration, orig_bytes, resp_bytes, conn_state, orig_pkts,
 * resp_pkts (missing ones are 0/""). A line longer than
 * VIGIL_ZEEK_LINE_MAX is refused. IoT-23 "labeled" logs (a last column
 * "tunnel_parents   label   detailed-label") read as conn.log.
 */
#define VIGIL_ZEEK_LINE_MAX 8192u
struct vigil_zeek_reader;
enum vigil_err vigil_zeek_reader_new(struct vigil_zeek_reader **out /* OUT */);
void vigil_zeek_reader_free(struct vigil_zeek_reader *r);
/* One line (without its newline). 1 with *f filled, 0 for a header or
 * comment line (consumed), -1 when refused (err: "line 12: field
 * id.resp_p: '70000' is not a port"). */
int vigil_zeek_line(struct vigil_zeek_reader *r, const char *line,
    size_t len, struct vigil_flow *f /* OUT */, char *err, size_t errsize);

/* ---- pcap ------------------------------------------------------------ */

/*
 * Builds flows from a pcap file (libpcap offline: Ethernet, Linux SLL,
 * raw IP): bidirectional 5-tuple flows with packets, bytes and TCP
 * flags each way, ended by FIN/RST, idle_timeout_ms of silence
 * (default 60000 when 0) or the end of the file, then delivered in end
 * order. state is derived Zeek-style (S0 no answer, REJ answered by
 * RST, SF normal close, S1 established, OTH otherwise). Truncated last
 * records are tolerated (counted as malformed). At most max_flows live
 * at once (0 = 1,000,000; the oldest flushed early). VIGIL_EIO with err
 * when the file cannot be opened or is not pcap.
 */
enum vigil_err vigil_pcap_flows(const char *path, int64_t idle_timeout_ms,
    size_t max_flows, vigil_flow_cb cb, void *ctx,
    struct vigil_flow_stats *stats, char *err, size_t errsize);

/* ---- RADIUS accounting ----------------------------------------------- */

#define VIGIL_RADIUS_MAX 4096u   /* RFC 2865 §3: packets ≤ 4096 bytes */

enum vigil_acct_status {
	VIGIL_ACCT_NONE = 0,
	VIGIL_ACCT_START = 1,
	VIGIL_ACCT_STOP = 2,
	VIGIL_ACCT_INTERIM = 3,
	VIGIL_ACCT_ON = 7,
	VIGIL_ACCT_OFF = 8,
};

struct vigil_radius_acct {
	uint8_t code;            /* 4 Accounting-Request */
	uint8_t id;
	uint8_t authenticator[16];
	enum vigil_acct_status status; /* Acct-Status-Type (40) */
	char session_id[65];     /* Acct-Session-Id (44) */
	char user_name[129];     /* User-Name (1) */
	char calling_station[65]; /* Calling-Station-Id (31): MSISDN/MAC */
	bool has_framed_ip;
	uint8_t framed_ip[4];    /* Framed-IP-Address (8) */
	char imsi[16];           /* 3GPP-IMSI (vendor 10415, type 1) */
	char imeisv[17];         /* 3GPP-IMEISV (20): 14-16 digits */
	char sgsn_mcc_mnc[7];    /* 3GPP-SGSN-MCC-MNC (18): 5-6 digits */
	char mcc_mnc[7];         /* 3GPP-IMSI-MCC-MNC (8), if present */
	uint8_t uli[64];         /* 3GPP-User-Location-Info (22), raw */
	size_t uli_len;
	uint64_t in_octets, out_octets; /* with the Gigawords (52/53) */
	uint32_t session_time;   /* Acct-Session-Time (46), seconds */
	char nas_ip[VIGIL_FLOW_IP_STRLEN]; /* NAS-IP-Address (4) */
};

/*
 * Parses an Accounting-Request and verifies its Request Authenticator
 * with the shared secret (RFC 2866 §3: MD5(Code+Identifier+Length+16
 * zero octets+Attributes+Secret)). Refuses a wrong code, a length field
 * that disagrees, attributes that overrun, malformed 3GPP values, and a
 * bad authenticator (VIGIL_EAUTH "Request Authenticator does not verify
 * (wrong shared secret?)"), with err saying what and where.
 */
enum vigil_err vigil_radius_acct_parse(const uint8_t *pkt, size_t len,
    const uint8_t *secret, size_t secret_len,
    struct vigil_radius_acct *out /* OUT */, char *err, size_t errsize);
/* The Accounting-Response (code 5) for req, authenticated with the
 * secret (RFC 2866 §3). Returns its length (20), or -1 when size < 20. */
long vigil_radius_acct_response(const struct vigil_radius_acct *req,
    const uint8_t *secret, size_t secret_len, uint8_t *out, size_t size);

/* The IMEI (14 digits + Luhn check digit, as the registry stores it)
 * from a 3GPP-IMEISV value (IMEI without its check digit + SVN):
 * false when it is not 15-16 digits. */
bool vigil_imeisv_to_imei(const char *imeisv, char imei[16]);

#ifdef __cplusplus
}
#endif
#endif
