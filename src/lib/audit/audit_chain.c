/*
 * The audit chain's arithmetic: the canonical encoding of an entry, its
 * SHA-256 chain hash, the checkpoint message and the field checks. The
 * byte layout is written out in docs/audit.md; changing anything here
 * breaks every existing log, so it is versioned by the hash tag.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit_internal.h"

static int
put_field(EVP_MD_CTX *md, const void *p, size_t n)
{
	uint8_t len[4];

	len[0] = (uint8_t)(n >> 24);
	len[1] = (uint8_t)(n >> 16);
	len[2] = (uint8_t)(n >> 8);
	len[3] = (uint8_t)n;
	if (EVP_DigestUpdate(md, len, sizeof len) != 1)
		return -1;
	return n == 0 ? 0 : (EVP_DigestUpdate(md, p, n) == 1 ? 0 : -1);
}

static int
put_str(EVP_MD_CTX *md, const char *s)
{
	return put_field(md, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* Integers as decimal ASCII, '-' for negatives, no leading zeros. */
static int
put_int(EVP_MD_CTX *md, int64_t v)
{
	char d[24];
	int n = snprintf(d, sizeof d, "%" PRId64, v);

	return n > 0 && (size_t)n < sizeof d ? put_field(md, d, (size_t)n) : -1;
}

int
audit_hash(const uint8_t prev[VIGIL_AUDIT_HASH_LEN], int64_t seq,
    const struct vigil_audit_event *ev, uint8_t hash[VIGIL_AUDIT_HASH_LEN])
{
	EVP_MD_CTX *md;
	unsigned int n = 0;
	int rc = -1;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, AUDIT_HASH_TAG, strlen(AUDIT_HASH_TAG)) != 1 ||
	    EVP_DigestUpdate(md, prev, VIGIL_AUDIT_HASH_LEN) != 1)
		goto out;
	/* The field order is the contract (audit.h, docs/audit.md). */
	if (put_int(md, seq) != 0 || put_int(md, ev->at_ms) != 0 ||
	    put_str(md, ev->principal) != 0 ||
	    put_str(md, ev->tenant_id) != 0 ||
	    put_str(md, ev->source_ip) != 0 ||
	    put_str(md, ev->action) != 0 || put_str(md, ev->object) != 0 ||
	    put_str(md, ev->outcome) != 0 ||
	    put_str(md, ev->request_id) != 0 ||
	    put_int(md, ev->privileged ? 1 : 0) != 0 ||
	    put_str(md, ev->detail) != 0)
		goto out;
	if (EVP_DigestFinal_ex(md, hash, &n) == 1 && n == VIGIL_AUDIT_HASH_LEN)
		rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

enum vigil_err
vigil_audit_entry_hash(const uint8_t prev[VIGIL_AUDIT_HASH_LEN], int64_t seq,
    const struct vigil_audit_event *ev, uint8_t hash[VIGIL_AUDIT_HASH_LEN])
{
	return audit_hash(prev, seq, ev, hash) == 0 ? VIGIL_OK : VIGIL_ENOMEM;
}

void
vigil_audit_checkpoint_msg(int64_t seq,
    const uint8_t head[VIGIL_AUDIT_HASH_LEN],
    uint8_t msg[VIGIL_AUDIT_CKPT_MSG_LEN])
{
	uint64_t u = (uint64_t)seq;

	/* The tag with its NUL, then zeros to 24 bytes. */
	memset(msg, 0, AUDIT_CKPT_TAG_LEN);
	memcpy(msg, AUDIT_CKPT_TAG, sizeof AUDIT_CKPT_TAG);
	for (int i = 0; i < 8; i++)
		msg[AUDIT_CKPT_TAG_LEN + i] = (uint8_t)(u >> (56 - 8 * i));
	memcpy(msg + AUDIT_CKPT_TAG_LEN + 8, head, VIGIL_AUDIT_HASH_LEN);
}

_Static_assert(sizeof AUDIT_CKPT_TAG <= AUDIT_CKPT_TAG_LEN,
    "checkpoint tag and its NUL fit the padded prefix");
_Static_assert(AUDIT_CKPT_TAG_LEN + 8 + VIGIL_AUDIT_HASH_LEN ==
    VIGIL_AUDIT_CKPT_MSG_LEN, "checkpoint message layout");

static enum vigil_err
check_len(struct vigil_store *st, const char *name, const char *v,
    size_t max)
{
	size_t n = v != NULL ? strlen(v) : 0;

	if (n > max)
		return store_seterr(st, VIGIL_ERANGE, "audit: %s is %zu bytes "
		    "long, the limit is %zu", name, n, max);
	return VIGIL_OK;
}

enum vigil_err
audit_check_event(struct vigil_store *st, const struct vigil_audit_event *ev)
{
	static const char *const name[] = { "principal", "tenant_id",
	    "source_ip", "action", "object", "outcome", "request_id" };
	enum vigil_err rc;

	if (ev == NULL)
		return store_seterr(st, VIGIL_EINVAL, "audit: no event given");
	{
		const char *const v[] = { ev->principal, ev->tenant_id,
		    ev->source_ip, ev->action, ev->object, ev->outcome,
		    ev->request_id };

		_Static_assert(sizeof v / sizeof v[0] ==
		    sizeof name / sizeof name[0], "one name per field");
		for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
			if ((rc = check_len(st, name[i], v[i],
			    VIGIL_AUDIT_FIELD_MAX)) != VIGIL_OK)
				return rc;
	}
	if ((rc = check_len(st, "detail", ev->detail,
	    VIGIL_AUDIT_DETAIL_MAX)) != VIGIL_OK)
		return rc;
	if (ev->action == NULL || ev->action[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "audit: an entry needs "
		    "an action");
	if (ev->at_ms < 0)
		return store_seterr(st, VIGIL_EINVAL, "audit: time %lld is "
		    "before 1970", (long long)ev->at_ms);
	return VIGIL_OK;
}
