/*
 * The decision point's socket protocol (include/vigil/pdp_wire.h):
 * one strict encoder and decoder shared by vigild and the broker
 * plugin. libc only on purpose: src/mosquitto/ compiles this file into
 * vigil_mosquitto.so, which links nothing of libvigil.
 *
 * The decoder is the trust boundary of both ends (anyone in the socket's
 * group can talk to vigild; vigild's answers steer the broker), so every
 * byte is accounted for: the length must agree with the body, strings
 * are bounded per field, NUL-free and valid UTF-8, and nothing may
 * trail the body.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vigil/pdp_wire.h"

const char *
vigil_pdpw_action_name(int action)
{
	switch (action) {
	case VIGIL_PDPW_CONNECT:
		return "mqtt:Connect";
	case VIGIL_PDPW_PUBLISH:
		return "mqtt:Publish";
	case VIGIL_PDPW_SUBSCRIBE:
		return "mqtt:Subscribe";
	case VIGIL_PDPW_RECEIVE:
		return "mqtt:Receive";
	default:
		return NULL;
	}
}

static const char *
type_name(int type)
{
	static const char *const names[] = { NULL, "HELLO", "WELCOME",
	    "DECIDE", "DECISION", "EPOCH", "ERROR" };

	if (type < VIGIL_PDPW_HELLO || type > VIGIL_PDPW_ERROR)
		return NULL;
	return names[type];
}

static void
say(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsize == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
}

/*
 * Offset of the first byte that breaks strict UTF-8 (overlong forms,
 * surrogates and code points above U+10FFFF included), or -1 when s is
 * valid.
 */
static long
utf8_bad(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return (long)i;
		}
		if (n - i <= k)
			return (long)i;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return (long)i;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += k + 1;
	}
	return -1;
}

/* ---- encoding ---- */

struct wbuf {
	uint8_t *p;
	size_t size, len;
	int fail;               /* the buffer was too small */
};

static void
put(struct wbuf *b, const void *v, size_t n)
{
	if (b->fail || b->size - b->len < n) {
		b->fail = 1;
		return;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void
put_u8(struct wbuf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put_u16(struct wbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(b, x, sizeof x);
}

static void
put_u32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		(uint8_t)(v >> 8), (uint8_t)v };

	put(b, x, sizeof x);
}

static void
put_u64(struct wbuf *b, uint64_t v)
{
	put_u32(b, (uint32_t)(v >> 32));
	put_u32(b, (uint32_t)v);
}

/* A string field: checked against its bound (the array holding it is
 * max + 1 bytes, so an unterminated one is refused too) and UTF-8. */
static int
put_str(struct wbuf *b, const char *tname, const char *field, const char *s,
    size_t max, char *err, size_t errsize)
{
	const char *z = memchr(s, '\0', max + 1);
	size_t n = z != NULL ? (size_t)(z - s) : max + 1;
	long bad;

	if (z == NULL) {
		say(err, errsize, "%s: %s: longer than %zu bytes", tname,
		    field, max);
		return -1;
	}
	if ((bad = utf8_bad((const uint8_t *)s, n)) >= 0) {
		say(err, errsize, "%s: %s: invalid UTF-8 at byte %ld", tname,
		    field, bad);
		return -1;
	}
	put_u16(b, (uint16_t)n);
	put(b, s, n);
	return 0;
}

static int
encode_body(const struct vigil_pdpw_msg *m, struct wbuf *b,
    const char *tname, char *err, size_t errsize)
{
	switch (m->type) {
	case VIGIL_PDPW_HELLO:
		return put_str(b, tname, "agent", m->text, VIGIL_PDPW_TEXT_MAX,
		    err, errsize);
	case VIGIL_PDPW_WELCOME:
		put_u64(b, m->epoch);
		put_u32(b, m->cache_ttl_ms);
		return put_str(b, tname, "server", m->text,
		    VIGIL_PDPW_TEXT_MAX, err, errsize);
	case VIGIL_PDPW_DECIDE:
		if (vigil_pdpw_action_name(m->action) == NULL) {
			say(err, errsize, "%s: unknown action %u", tname,
			    (unsigned)m->action);
			return -1;
		}
		put_u8(b, m->action);
		if (put_str(b, tname, "client_id", m->client_id,
		    VIGIL_PDPW_CLIENT_ID_MAX, err, errsize) != 0 ||
		    put_str(b, tname, "cert_serial", m->cert_serial,
		    VIGIL_PDPW_SERIAL_MAX, err, errsize) != 0 ||
		    put_str(b, tname, "source_ip", m->source_ip,
		    VIGIL_PDPW_IP_MAX, err, errsize) != 0)
			return -1;
		return put_str(b, tname, "resource", m->resource,
		    VIGIL_PDPW_RESOURCE_MAX, err, errsize);
	case VIGIL_PDPW_DECISION:
		if (m->effect > 1 || (m->dflags & ~VIGIL_PDPW_CACHEABLE) != 0) {
			say(err, errsize, "%s: effect %u / flags 0x%02x out of "
			    "range", tname, (unsigned)m->effect,
			    (unsigned)m->dflags);
			return -1;
		}
		put_u8(b, m->effect);
		put_u8(b, m->dflags);
		put_u64(b, m->epoch);
		if (put_str(b, tname, "device_id", m->device_id,
		    VIGIL_PDPW_DEVICE_MAX, err, errsize) != 0)
			return -1;
		return put_str(b, tname, "reason", m->text,
		    VIGIL_PDPW_TEXT_MAX, err, errsize);
	case VIGIL_PDPW_EPOCH:
		put_u64(b, m->epoch);
		return 0;
	case VIGIL_PDPW_ERROR:
		return put_str(b, tname, "message", m->text,
		    VIGIL_PDPW_TEXT_MAX, err, errsize);
	}
	return -1; /* not reached: the type was checked */
}

long
vigil_pdpw_encode(const struct vigil_pdpw_msg *m, uint8_t *buf, size_t size,
    char *err, size_t errsize)
{
	struct wbuf b = { buf, size, 0, 0 };
	const char *tname = type_name((int)m->type);
	size_t body;

	if (tname == NULL) {
		say(err, errsize, "unknown type %d", (int)m->type);
		return -1;
	}
	put_u32(&b, 0); /* the length, patched below */
	put_u8(&b, VIGIL_PDPW_VERSION);
	put_u8(&b, (uint8_t)m->type);
	put_u16(&b, 0);
	put_u32(&b, m->id);
	if (encode_body(m, &b, tname, err, errsize) != 0)
		return -1;
	if (b.fail) {
		say(err, errsize, "%s: buffer of %zu bytes too small", tname,
		    size);
		return -1;
	}
	body = b.len - 4;
	if (body > VIGIL_PDPW_FRAME_MAX) {
		say(err, errsize, "%s: frame of %zu bytes, at most %u", tname,
		    body, VIGIL_PDPW_FRAME_MAX);
		return -1;
	}
	buf[0] = (uint8_t)(body >> 24);
	buf[1] = (uint8_t)(body >> 16);
	buf[2] = (uint8_t)(body >> 8);
	buf[3] = (uint8_t)body;
	return (long)b.len;
}

/* ---- decoding ---- */

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	const char *tname;
	char *err;
	size_t errsize;
};

static int
need(struct rbuf *r, size_t n, const char *field)
{
	if (r->len - r->off >= n)
		return 0;
	say(r->err, r->errsize, "%s: %s: truncated (%zu bytes needed, %zu "
	    "left)", r->tname, field, n, r->len - r->off);
	return -1;
}

static int
get_u8(struct rbuf *r, const char *field, uint8_t *v)
{
	if (need(r, 1, field) != 0)
		return -1;
	*v = r->p[r->off++];
	return 0;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
get_u32(struct rbuf *r, const char *field, uint32_t *v)
{
	if (need(r, 4, field) != 0)
		return -1;
	*v = be32(r->p + r->off);
	r->off += 4;
	return 0;
}

static int
get_u64(struct rbuf *r, const char *field, uint64_t *v)
{
	if (need(r, 8, field) != 0)
		return -1;
	*v = (uint64_t)be32(r->p + r->off) << 32 | be32(r->p + r->off + 4);
	r->off += 8;
	return 0;
}

/* A string field into out (max + 1 bytes). */
static int
get_str(struct rbuf *r, const char *field, char *out, size_t max)
{
	const uint8_t *s;
	size_t n;
	long bad;

	if (need(r, 2, field) != 0)
		return -1;
	n = (size_t)r->p[r->off] << 8 | r->p[r->off + 1];
	r->off += 2;
	if (n > max) {
		say(r->err, r->errsize, "%s: %s: %zu bytes, at most %zu",
		    r->tname, field, n, max);
		return -1;
	}
	if (need(r, n, field) != 0)
		return -1;
	s = r->p + r->off;
	if (memchr(s, '\0', n) != NULL) {
		say(r->err, r->errsize, "%s: %s: NUL byte at %zu", r->tname,
		    field, (size_t)((const uint8_t *)memchr(s, '\0', n) - s));
		return -1;
	}
	if ((bad = utf8_bad(s, n)) >= 0) {
		say(r->err, r->errsize, "%s: %s: invalid UTF-8 at byte %ld",
		    r->tname, field, bad);
		return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	r->off += n;
	return 0;
}

static int
decode_body(struct rbuf *r, struct vigil_pdpw_msg *m)
{
	switch (m->type) {
	case VIGIL_PDPW_HELLO:
		return get_str(r, "agent", m->text, VIGIL_PDPW_TEXT_MAX);
	case VIGIL_PDPW_WELCOME:
		if (get_u64(r, "epoch", &m->epoch) != 0 ||
		    get_u32(r, "cache_ttl_ms", &m->cache_ttl_ms) != 0)
			return -1;
		return get_str(r, "server", m->text, VIGIL_PDPW_TEXT_MAX);
	case VIGIL_PDPW_DECIDE:
		if (get_u8(r, "action", &m->action) != 0)
			return -1;
		if (vigil_pdpw_action_name(m->action) == NULL) {
			say(r->err, r->errsize, "%s: unknown action %u",
			    r->tname, (unsigned)m->action);
			return -1;
		}
		if (get_str(r, "client_id", m->client_id,
		    VIGIL_PDPW_CLIENT_ID_MAX) != 0 ||
		    get_str(r, "cert_serial", m->cert_serial,
		    VIGIL_PDPW_SERIAL_MAX) != 0 ||
		    get_str(r, "source_ip", m->source_ip,
		    VIGIL_PDPW_IP_MAX) != 0)
			return -1;
		return get_str(r, "resource", m->resource,
		    VIGIL_PDPW_RESOURCE_MAX);
	case VIGIL_PDPW_DECISION:
		if (get_u8(r, "effect", &m->effect) != 0 ||
		    get_u8(r, "flags", &m->dflags) != 0)
			return -1;
		if (m->effect > 1) {
			say(r->err, r->errsize, "%s: effect %u, must be 0 or 1",
			    r->tname, (unsigned)m->effect);
			return -1;
		}
		if ((m->dflags & ~VIGIL_PDPW_CACHEABLE) != 0) {
			say(r->err, r->errsize, "%s: flags 0x%02x, only bit 0 "
			    "is defined", r->tname, (unsigned)m->dflags);
			return -1;
		}
		if (get_u64(r, "epoch", &m->epoch) != 0 ||
		    get_str(r, "device_id", m->device_id,
		    VIGIL_PDPW_DEVICE_MAX) != 0)
			return -1;
		return get_str(r, "reason", m->text, VIGIL_PDPW_TEXT_MAX);
	case VIGIL_PDPW_EPOCH:
		return get_u64(r, "epoch", &m->epoch);
	case VIGIL_PDPW_ERROR:
		return get_str(r, "message", m->text, VIGIL_PDPW_TEXT_MAX);
	}
	return -1; /* not reached: the type was checked */
}

int
vigil_pdpw_decode(const uint8_t *buf, size_t len, struct vigil_pdpw_msg *m,
    size_t *used, char *err, size_t errsize)
{
	struct rbuf r;
	uint32_t flen;
	unsigned flags;

	*used = 0;
	if (len < 4)
		return 0;
	flen = be32(buf);
	if (flen < VIGIL_PDPW_HDR - 4) {
		say(err, errsize, "frame length %u, at least %u", flen,
		    VIGIL_PDPW_HDR - 4);
		return -1;
	}
	if (flen > VIGIL_PDPW_FRAME_MAX) {
		say(err, errsize, "frame length %u, at most %u", flen,
		    VIGIL_PDPW_FRAME_MAX);
		return -1;
	}
	if (len - 4 < flen)
		return 0;
	if (buf[4] != VIGIL_PDPW_VERSION) {
		say(err, errsize, "protocol version %u, expected %u",
		    (unsigned)buf[4], VIGIL_PDPW_VERSION);
		return -1;
	}
	memset(m, 0, sizeof *m);
	if ((r.tname = type_name(buf[5])) == NULL) {
		say(err, errsize, "unknown message type %u", (unsigned)buf[5]);
		return -1;
	}
	m->type = (enum vigil_pdpw_type)buf[5];
	flags = (unsigned)buf[6] << 8 | buf[7];
	if (flags != 0) {
		say(err, errsize, "%s: header flags 0x%04x, must be 0",
		    r.tname, flags);
		return -1;
	}
	m->id = be32(buf + 8);
	r.p = buf;
	r.len = 4 + (size_t)flen;
	r.off = VIGIL_PDPW_HDR;
	r.err = err;
	r.errsize = errsize;
	if (decode_body(&r, m) != 0)
		return -1;
	if (r.off != r.len) {
		say(err, errsize, "%s: %zu trailing bytes after the body",
		    r.tname, r.len - r.off);
		return -1;
	}
	*used = r.len;
	return 1;
}
