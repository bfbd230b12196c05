/*
 * Identifier dispatch: the one table of identifier types (name, title,
 * parser, shape test) and auto-detection over it.
 */
#include <stdio.h>
#include <string.h>

#include "id_internal.h"

/* Pointers first, so that no padding sits between the members. */
struct id_type_desc {
	const char *name;
	const char *title;
	id_parse_fn parse;
	id_shape_fn shape;
	enum vigil_id_type type;
	bool detect; /* tried by auto-detection */
};

/* Order matters for auto-detection: when nothing parses, the error of
 * the first type whose shape matched is reported, so the tightest shapes
 * come first (an 89... ICCID or EID before the MEID that 18-19 digits
 * could also be). The title is also the first word(s) of every message
 * of the type's parser ("MAC 00:1a:...: ..."), so that "<title>: empty
 * value" reads the same. */
static const struct id_type_desc id_types[] = {
	{ "imei", "IMEI", id_parse_imei, id_shape_imei, VIGIL_ID_IMEI, true },
	{ "imeisv", "IMEISV", id_parse_imeisv, id_shape_imeisv,
	    VIGIL_ID_IMEISV, true },
	{ "iccid", "ICCID", id_parse_iccid, id_shape_iccid,
	    VIGIL_ID_ICCID, true },
	{ "eid", "EID", id_parse_eid, id_shape_eid, VIGIL_ID_EID, true },
	{ "meid", "MEID", id_parse_meid, id_shape_meid, VIGIL_ID_MEID, true },
	{ "esn", "ESN", id_parse_esn, id_shape_esn, VIGIL_ID_ESN, true },
	{ "imsi", "IMSI", id_parse_imsi, id_shape_imsi, VIGIL_ID_IMSI, true },
	{ "mac", "MAC", id_parse_mac, id_shape_mac,
	    VIGIL_ID_MAC, true },
	{ "eui64", "EUI-64", id_parse_eui64, id_shape_eui64,
	    VIGIL_ID_EUI64, true },
	{ "dev-urn", "device URN", id_parse_dev_urn, id_shape_dev_urn,
	    VIGIL_ID_DEV_URN, true },
	{ "gtin", "GTIN", id_parse_gtin, id_shape_gtin, VIGIL_ID_GTIN, true },
	{ "gs1", "GS1 element string", id_parse_gs1, id_shape_gs1,
	    VIGIL_ID_GS1, true },
	{ "digital-link", "GS1 Digital Link URI", id_parse_digital_link,
	    id_shape_digital_link, VIGIL_ID_DIGITAL_LINK, true },
	{ "epc", "EPC", id_parse_epc, id_shape_epc, VIGIL_ID_EPC, true },
	{ "uuid", "UUID", id_parse_uuid, id_shape_uuid, VIGIL_ID_UUID, true },
	{ "uri", "URI", id_parse_uri, id_shape_uri, VIGIL_ID_URI, true },
	{ "serial", "serial", id_parse_serial, id_shape_serial,
	    VIGIL_ID_SERIAL, false },
};

#define N_TYPES (sizeof id_types / sizeof id_types[0])

static const struct id_type_desc *
desc_of(enum vigil_id_type t)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (id_types[i].type == t)
			return &id_types[i];
	return NULL;
}

const char *
vigil_id_type_name(enum vigil_id_type t)
{
	const struct id_type_desc *d = desc_of(t);

	return d ? d->name : "unknown";
}

const char *
vigil_id_type_title(enum vigil_id_type t)
{
	const struct id_type_desc *d = desc_of(t);

	return d ? d->title : "identifier";
}

enum vigil_id_type
vigil_id_type_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_ID_UNKNOWN;
	for (size_t i = 0; i < N_TYPES; i++)
		if (strcmp(id_types[i].name, name) == 0)
			return id_types[i].type;
	/* Accepted aliases, spelled as people write them. */
	if (strcmp(name, "eui48") == 0 || strcmp(name, "eui-48") == 0)
		return VIGIL_ID_MAC;
	if (strcmp(name, "eui-64") == 0)
		return VIGIL_ID_EUI64;
	if (strcmp(name, "dl") == 0)
		return VIGIL_ID_DIGITAL_LINK;
	if (strcmp(name, "urn-dev") == 0 || strcmp(name, "devurn") == 0)
		return VIGIL_ID_DEV_URN;
	return VIGIL_ID_UNKNOWN;
}

static void
clear(struct vigil_id *out, enum vigil_id_type t, unsigned flags)
{
	/* Clear only what readers look at: the struct is 12 KiB and parse
	 * is on the import hot path. */
	out->type = t;
	out->flags = flags;
	out->normalized[0] = '\0';
	out->urn[0] = '\0';
	out->match_key[0] = '\0';
	out->nfields = 0;
	out->nforms = 0;
	out->warning[0] = '\0';
	out->error[0] = '\0';
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

static void
trim(const char **in, size_t *len)
{
	while (*len > 0 && is_space((*in)[0])) {
		(*in)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*in)[*len - 1]))
		(*len)--;
}

/* Common input checks; returns VIGIL_OK when the parser may run. */
static enum vigil_err
precheck(const struct id_type_desc *d, const char *in, size_t len,
    struct vigil_id *out)
{
	if (len == 0)
		return id_fail(out, "%s: empty value",
		    d ? d->title : "identifier");
	if (len > VIGIL_ID_MAX_INPUT) {
		id_fail(out, "%s: value is %zu bytes long, the limit is %d",
		    d ? d->title : "identifier", len, VIGIL_ID_MAX_INPUT);
		return VIGIL_ERANGE;
	}
	if (memchr(in, '\0', len) != NULL)
		return id_fail(out, "%s: value contains a NUL byte at "
		    "position %zu", d ? d->title : "identifier",
		    (size_t)((const char *)memchr(in, '\0', len) - in) + 1);
	return VIGIL_OK;
}

enum vigil_err
id_prepare(enum vigil_id_type t, const char **in, size_t *len,
    struct vigil_id *out)
{
	const struct id_type_desc *d = desc_of(t);

	clear(out, t, 0);
	if (d == NULL || *in == NULL)
		return id_fail(out, "identifier: unknown type %d", (int)t);
	trim(in, len);
	return precheck(d, *in, *len, out);
}

enum vigil_err
vigil_id_parse(enum vigil_id_type t, const char *in, size_t len,
    struct vigil_id *out)
{
	return vigil_id_parse_ex(t, in, len, 0, out);
}

enum vigil_err
vigil_id_parse_ex(enum vigil_id_type t, const char *in, size_t len,
    unsigned flags, struct vigil_id *out)
{
	const struct id_type_desc *d = desc_of(t);
	enum vigil_err rc;

	if (t == VIGIL_ID_UNKNOWN)
		return vigil_id_detect_ex(in, len, flags, out, NULL, NULL);
	if ((rc = id_prepare(t, &in, &len, out)) != VIGIL_OK)
		return rc;
	out->flags = flags;
	rc = d->parse(in, len, out);
	out->type = t;
	if (rc != VIGIL_OK && out->error[0] == '\0')
		id_fail(out, "%s: invalid value", d->title);
	return rc;
}

enum vigil_err
vigil_id_detect(const char *in, size_t len, struct vigil_id *out,
    enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES], size_t *ncand)
{
	return vigil_id_detect_ex(in, len, 0, out, cand, ncand);
}

enum vigil_err
vigil_id_detect_ex(const char *in, size_t len, unsigned flags,
    struct vigil_id *out, enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES],
    size_t *ncand)
{
	struct vigil_id tmp;
	enum vigil_id_type found[N_TYPES];
	size_t nfound = 0;
	const struct id_type_desc *first_shape = NULL;
	char first_err[VIGIL_ID_MAX_ERR] = "";
	enum vigil_err rc;
	char q[ID_QUOTE_SIZE];

	if (ncand != NULL)
		*ncand = 0;
	clear(out, VIGIL_ID_UNKNOWN, 0);
	if (in == NULL)
		return id_fail(out, "identifier: no value");
	trim(&in, &len);
	if ((rc = precheck(NULL, in, len, out)) != VIGIL_OK)
		return rc;

	for (size_t i = 0; i < N_TYPES; i++) {
		const struct id_type_desc *d = &id_types[i];

		if (!d->detect || !d->shape(in, len))
			continue;
		clear(&tmp, d->type, flags);
		if (d->parse(in, len, &tmp) == VIGIL_OK) {
			if (nfound == 0)
				*out = tmp;
			found[nfound++] = d->type;
		} else if (first_shape == NULL) {
			first_shape = d;
			memcpy(first_err, tmp.error, sizeof first_err);
		}
	}
	/* A specific type beats the generic URI reading of the same text,
	 * whether it parsed or not: a bad EPC URN is a bad EPC, not a fine
	 * generic URI. */
	if (nfound > 0 && found[nfound - 1] == VIGIL_ID_URI &&
	    (nfound > 1 || first_shape != NULL))
		nfound--;

	if (nfound == 1)
		return VIGIL_OK;
	if (nfound == 0) {
		clear(out, first_shape ? first_shape->type : VIGIL_ID_UNKNOWN, 0);
		if (first_shape != NULL)
			memcpy(out->error, first_err, sizeof out->error);
		else
			id_fail(out, "identifier %s: not recognised as any "
			    "supported identifier type",
			    id_quote(in, len, q, sizeof q));
		return VIGIL_EINVAL;
	}

	/* Ambiguous: list the candidates and say why. */
	{
		char names[200] = "";
		size_t o = 0;

		for (size_t i = 0; i < nfound; i++) {
			if (cand != NULL && ncand != NULL &&
			    *ncand < VIGIL_ID_MAX_CANDIDATES)
				cand[(*ncand)++] = found[i];
			int n = snprintf(names + o, sizeof names - o, "%s%s",
			    i ? ", " : "", vigil_id_type_name(found[i]));
			if (n > 0 && (size_t)n < sizeof names - o)
				o += (size_t)n;
		}
		clear(out, VIGIL_ID_UNKNOWN, 0);
		id_fail(out, "identifier %s: ambiguous, valid as %s; "
		    "name the type (--type) to choose",
		    id_quote(in, len, q, sizeof q), names);
	}
	return VIGIL_EAMBIGUOUS;
}

static const char *
attr_lookup(const struct vigil_id_attr *arr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arr[i].name, name) == 0)
			return arr[i].value;
	return NULL;
}

const char *
vigil_id_field(const struct vigil_id *id, const char *name)
{
	return attr_lookup(id->fields, id->nfields, name);
}

const char *
vigil_id_form(const struct vigil_id *id, const char *name)
{
	return attr_lookup(id->forms, id->nforms, name);
}
