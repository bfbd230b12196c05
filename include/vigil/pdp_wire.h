/*
 * vigil/pdp_wire.h — the decision point's socket protocol (issue 5 §3):
 * how an enforcement point on the same host (the Mosquitto plugin)
 * asks vigild for decisions over a UNIX stream socket. Compact,
 * length-framed, strict: one decoder (tests/fuzz/fuzz_pdp_wire.c) used
 * by both ends. Self-contained (libc only), so the broker plugin
 * compiles this one file instead of linking libvigil.
 *
 * Frame (all integers big-endian):
 *   u32 len      bytes after this field, 8..VIGIL_PDPW_FRAME_MAX
 *   u8  version  VIGIL_PDPW_VERSION
 *   u8  type     enum vigil_pdpw_type
 *   u16 flags    0
 *   u32 id       request id, echoed by the answer (0 for pushes)
 *   body         by type; strings are u16 length + bytes (no NUL,
 *                bounded per field, valid UTF-8)
 *
 * Bodies:
 *   HELLO    (client → server) str agent       "vigil_mosquitto/1 mosquitto/2.0.11"
 *   WELCOME  (server → client) u64 epoch, u32 cache_ttl_ms, str server
 *   DECIDE   (client → server) u8 action (enum vigil_pdpw_action), str
 *            client_id, str cert_serial (hex), str source_ip, str
 *            resource (the topic or filter; "" for CONNECT)
 *   DECISION (server → client) u8 effect (1 allow, 0 deny), u8 flags
 *            (bit 0: cacheable), u64 epoch, str device_id, str reason
 *   EPOCH    (server → client, unsolicited) u64 epoch: drop every cached
 *            decision older; re-check live sessions
 *   ERROR    (either way) str message; the sender closes afterwards
 * A message with trailing bytes, an unknown type or action, non-zero
 * flags, an over-long field or a length field that disagrees is
 * malformed: the receiver says why and closes the connection.
 */
#ifndef VIGIL_PDP_WIRE_H
#define VIGIL_PDP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_PDPW_VERSION 1
#define VIGIL_PDPW_FRAME_MAX 8192u  /* bytes after the length field */
#define VIGIL_PDPW_HDR 12u          /* len + version + type + flags + id */
#define VIGIL_PDPW_CLIENT_ID_MAX 256
#define VIGIL_PDPW_SERIAL_MAX 64
#define VIGIL_PDPW_IP_MAX 45
#define VIGIL_PDPW_RESOURCE_MAX 4096 /* topic names/filters */
#define VIGIL_PDPW_DEVICE_MAX 36
#define VIGIL_PDPW_TEXT_MAX 255      /* reason, agent, server, message */

enum vigil_pdpw_type {
	VIGIL_PDPW_HELLO = 1,
	VIGIL_PDPW_WELCOME = 2,
	VIGIL_PDPW_DECIDE = 3,
	VIGIL_PDPW_DECISION = 4,
	VIGIL_PDPW_EPOCH = 5,
	VIGIL_PDPW_ERROR = 6,
};

enum vigil_pdpw_action {
	VIGIL_PDPW_CONNECT = 1,   /* mqtt:Connect, resource client:<id> */
	VIGIL_PDPW_PUBLISH = 2,   /* mqtt:Publish, topic:<topic> */
	VIGIL_PDPW_SUBSCRIBE = 3, /* mqtt:Subscribe, topicfilter:<filter> */
	VIGIL_PDPW_RECEIVE = 4,   /* mqtt:Receive, topic:<topic> */
};
/* "mqtt:Connect", ...; NULL for an unknown value. */
const char *vigil_pdpw_action_name(int action);

#define VIGIL_PDPW_CACHEABLE 0x01

/* A decoded message: fields by type, strings NUL-terminated copies. */
struct vigil_pdpw_msg {
	enum vigil_pdpw_type type;
	uint32_t id;
	uint8_t action;                 /* DECIDE */
	uint8_t effect, dflags;         /* DECISION */
	uint64_t epoch;                 /* WELCOME, DECISION, EPOCH */
	uint32_t cache_ttl_ms;          /* WELCOME */
	char client_id[VIGIL_PDPW_CLIENT_ID_MAX + 1];
	char cert_serial[VIGIL_PDPW_SERIAL_MAX + 1];
	char source_ip[VIGIL_PDPW_IP_MAX + 1];
	char resource[VIGIL_PDPW_RESOURCE_MAX + 1];
	char device_id[VIGIL_PDPW_DEVICE_MAX + 1];
	char text[VIGIL_PDPW_TEXT_MAX + 1]; /* HELLO agent, WELCOME server,
					     * DECISION reason, ERROR */
};

/*
 * Encodes m (fields of its type) into buf. Returns the frame length
 * (≤ 4 + VIGIL_PDPW_FRAME_MAX), or -1 when a field is too long or
 * contains a NUL/invalid UTF-8, or buf is too small (err says which).
 */
long vigil_pdpw_encode(const struct vigil_pdpw_msg *m, uint8_t *buf,
    size_t size, char *err, size_t errsize);

/*
 * Decodes the first frame of buf[0..len). Returns 1 with *m filled and
 * *used = the frame's bytes; 0 when more bytes are needed (*used 0; a
 * length field over the maximum is an error at once, not a wait); -1
 * when malformed, with err saying what and where ("DECIDE: resource:
 * 5000 bytes, at most 4096").
 */
int vigil_pdpw_decode(const uint8_t *buf, size_t len,
    struct vigil_pdpw_msg *m /* OUT */, size_t *used /* OUT */, char *err,
    size_t errsize);

#ifdef __cplusplus
}
#endif
#endif
