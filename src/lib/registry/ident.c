/*
 * Identifiers inside the registry: parsing with vigil/id.h, the
 * uniqueness scope of each type, and the diagnosis that turns a
 * uniqueness failure into "already registered to device X" messages
 * without revealing another tenant's devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry_internal.h"

enum vigil_err
reg_ctx_new(struct vigil_store *st, const char *tenant_id,
    struct reg_ctx **out)
{
	struct reg_ctx *c;
	enum vigil_err rc;
	char q[REG_QUOTE_SIZE];

	*out = NULL;
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if ((c = malloc(sizeof *c)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "registry: out of memory");
	c->st = st;
	c->nidents = 0;
	c->gtin[0] = '\0';
	c->device_id[0] = '\0';
	c->import_id = NULL;
	c->line = 0;
	reg_problems_init(&c->prob);
	rc = store_tenant_get_unscoped(st, tenant_id, &c->tenant);
	/* The scope is an id; a name that happens to resolve is refused so
	 * callers cannot blur the two. */
	if (rc == VIGIL_OK && strcmp(c->tenant.id, tenant_id) != 0)
		rc = VIGIL_ENOTFOUND;
	if (rc != VIGIL_OK) {
		if (rc == VIGIL_ENOTFOUND)
			store_seterr(st, rc, "tenant %s: no such tenant id",
			    reg_quote(tenant_id, q, sizeof q));
		reg_ctx_free(c);
		return rc;
	}
	*out = c;
	return VIGIL_OK;
}

void
reg_ctx_free(struct reg_ctx *c)
{
	if (c == NULL)
		return;
	reg_problems_free(&c->prob);
	free(c);
}

/* Types unique across the whole platform: they name hardware. */
bool
reg_id_is_hardware(enum vigil_id_type t)
{
	switch (t) {
	case VIGIL_ID_IMEI:
	case VIGIL_ID_IMEISV:
	case VIGIL_ID_MEID:
	case VIGIL_ID_ESN:
	case VIGIL_ID_ICCID:
	case VIGIL_ID_IMSI:
	case VIGIL_ID_EID:
	case VIGIL_ID_MAC:
	case VIGIL_ID_EUI64:
	case VIGIL_ID_DEV_URN:
	case VIGIL_ID_EPC:
	case VIGIL_ID_UUID:
		return true;
	default:
		return false;
	}
}

/* A GS1 key naming one physical instance (the AIs behind the EPC
 * schemes: serialised GTIN, SSCC, GLN extension, GRAI, GIAI, GSRN,
 * GDTI). It equals the EPC's key, so it is as unique as the EPC; a
 * product-level key (GTIN, batch) is unique per tenant only. */
static bool
gs1_instance(const char *key)
{
	static const char *const ais[] = { "(21)", "(00)", "(254)", "(8003)",
	    "(8004)", "(8018)", "(253)" };

	for (size_t i = 0; i < sizeof ais / sizeof ais[0]; i++)
		if (strstr(key, ais[i]) != NULL)
			return true;
	return false;
}

void
reg_ident_parse(struct reg_ctx *c, enum vigil_id_type type, const char *given)
{
	struct reg_ident *ri;
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	size_t ncand = 0;
	enum vigil_err rc;

	if (c->nidents >= VIGIL_DEVICE_MAX_IDENTS) {
		if (c->nidents == VIGIL_DEVICE_MAX_IDENTS)
			reg_problem(&c->prob, "identifiers: more than %d on "
			    "one device", VIGIL_DEVICE_MAX_IDENTS);
		c->nidents++; /* counts, never indexes past the array */
		return;
	}
	ri = &c->idents[c->nidents++];
	ri->type = type;
	ri->ok = false;
	ri->nonunique = false;
	ri->given = given;
	ri->scope[0] = '\0';
	if (given == NULL) {
		reg_problem(&c->prob, "%s: missing value",
		    vigil_id_type_title(type));
		return;
	}
	if (type == VIGIL_ID_UNKNOWN)
		rc = vigil_id_detect_ex(given, strlen(given),
		    VIGIL_ID_PARSE_NO_DETAIL, &c->id, cand, &ncand);
	else if ((int)type < 0 || (int)type >= VIGIL_ID_TYPE_COUNT) {
		reg_problem(&c->prob, "identifier: unknown type %d", (int)type);
		return;
	} else
		rc = vigil_id_parse_ex(type, given, strlen(given),
		    VIGIL_ID_PARSE_NO_DETAIL, &c->id);
	if (rc != VIGIL_OK) {
		reg_problem(&c->prob, "%s", c->id.error);
		return;
	}
	if (c->id.type == VIGIL_ID_GTIN) {
		char q[REG_QUOTE_SIZE];

		/* A GTIN names a product, not one device; it also shares the
		 * "gtin" column with the device's model GTIN. */
		reg_problem(&c->prob, "GTIN %s: a GTIN names a product, not a "
		    "device; set it as the device's model GTIN, or give GTIN "
		    "and serial as a GS1 element string (01)...(21)...",
		    reg_quote(given, q, sizeof q));
		return;
	}
	ri->type = c->id.type;
	ri->ok = true;
	memcpy(ri->value, c->id.normalized, sizeof ri->value);
	memcpy(ri->key, c->id.match_key, sizeof ri->key);
	/* A pseudo-ESN is 24 bits of a hash of the MEID: collisions are
	 * expected, so it is never a unique key. */
	ri->nonunique = ri->type == VIGIL_ID_ESN &&
	    strcasestr(c->id.warning, "pseudo") != NULL;
}

void
reg_ident_scopes(struct reg_ctx *c, size_t from, const char *model_key,
    const char *device_id)
{
	size_t n = c->nidents < VIGIL_DEVICE_MAX_IDENTS ? c->nidents :
	    VIGIL_DEVICE_MAX_IDENTS;

	for (size_t i = from; i < n; i++) {
		struct reg_ident *ri = &c->idents[i];

		if (!ri->ok)
			continue;
		if (ri->nonunique)
			snprintf(ri->scope, sizeof ri->scope, "d:%s", device_id);
		else if (reg_id_is_hardware(ri->type) ||
		    ((ri->type == VIGIL_ID_GS1 ||
		    ri->type == VIGIL_ID_DIGITAL_LINK) && gs1_instance(ri->key)))
			ri->scope[0] = '\0';
		else if (ri->type == VIGIL_ID_SERIAL)
			snprintf(ri->scope, sizeof ri->scope, "t:%s|m:%s",
			    c->tenant.id, model_key != NULL ? model_key : "");
		else
			snprintf(ri->scope, sizeof ri->scope, "t:%s",
			    c->tenant.id);
	}
}

bool
reg_gtin(struct reg_ctx *c, const char *given, char out[15])
{
	const char *v;
	size_t n;

	out[0] = '\0';
	if (vigil_id_parse(VIGIL_ID_GTIN, given, strlen(given), &c->id) !=
	    VIGIL_OK) {
		reg_problem(&c->prob, "%s", c->id.error);
		return false;
	}
	v = c->id.normalized;
	n = strlen(v);
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			n = 15; /* not a digit string: refuse below */
	if (n > 14) {
		char q[REG_QUOTE_SIZE];

		reg_problem(&c->prob, "GTIN %s: cannot be stored as GTIN-14",
		    reg_quote(given, q, sizeof q));
		return false;
	}
	/* GTIN-14 by left-padding zeros (GS1 General Specifications). */
	memset(out, '0', 14 - n);
	memcpy(out + 14 - n, v, n);
	out[14] = '\0';
	return true;
}

/* Same identifier (type and normalised value) twice in one device. */
void
reg_ident_repeats(struct reg_ctx *c, size_t from)
{
	size_t n = c->nidents < VIGIL_DEVICE_MAX_IDENTS ? c->nidents :
	    VIGIL_DEVICE_MAX_IDENTS;
	char q[REG_QUOTE_SIZE];

	for (size_t i = from; i < n; i++) {
		const struct reg_ident *a = &c->idents[i];

		if (!a->ok)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct reg_ident *b = &c->idents[j];

			if (b->ok && a->type == b->type &&
			    strcmp(a->value, b->value) == 0) {
				reg_problem(&c->prob, "%s %s: given twice for "
				    "this device", vigil_id_type_title(a->type),
				    reg_quote(a->given, q, sizeof q));
				break;
			}
		}
	}
}

/* " (added from line N of this file)" or " in tenant T". */
static void
origin(struct reg_ctx *c, const char *device_id, char *dst, size_t dstsize)
{
	int64_t line;

	if (c->import_id != NULL && store_history_import_line(c->st,
	    c->tenant.id, device_id, c->import_id, &line) == VIGIL_OK) {
		snprintf(dst, dstsize, " (added from line %lld of this file)",
		    (long long)line);
		return;
	}
	snprintf(dst, dstsize, " in tenant %s", c->tenant.name);
}

enum vigil_err
reg_diagnose_clashes(struct reg_ctx *c, size_t from, const char *name,
    const char *self_id)
{
	size_t n = c->nidents < VIGIL_DEVICE_MAX_IDENTS ? c->nidents :
	    VIGIL_DEVICE_MAX_IDENTS;
	char q[REG_QUOTE_SIZE], q2[REG_QUOTE_SIZE], o[96];
	enum vigil_err rc;

	if (name != NULL) {
		char id[VIGIL_UUID_STRLEN];

		rc = store_device_id_by_name(c->st, c->tenant.id, name, id);
		if (rc == VIGIL_OK && strcmp(id, self_id) != 0) {
			origin(c, id, o, sizeof o);
			reg_problem(&c->prob, "name \"%s\": already used by "
			    "device %s%s", reg_quote(name, q, sizeof q), id,
			    o);
		} else if (rc != VIGIL_OK && rc != VIGIL_ENOTFOUND)
			return rc;
	}
	for (size_t i = from; i < n; i++) {
		const struct reg_ident *ri = &c->idents[i];
		struct store_claim cl;

		if (!ri->ok)
			continue;
		rc = store_claim_owner(c->st, c->tenant.id, ri->scope, ri->key,
		    &cl);
		if (rc != VIGIL_OK)
			return rc;
		if (!cl.found ||
		    (cl.same_tenant && strcmp(cl.device_id, self_id) == 0))
			continue;
		if (!cl.same_tenant) {
			reg_problem(&c->prob, "%s %s: already registered in "
			    "another tenant", vigil_id_type_title(ri->type),
			    reg_quote(ri->given, q, sizeof q));
			continue;
		}
		origin(c, cl.device_id, o, sizeof o);
		reg_problem(&c->prob, "%s %s: already registered to device "
		    "%s%s", vigil_id_type_title(ri->type),
		    reg_quote(ri->given, q, sizeof q),
		    reg_quote(cl.device_name, q2, sizeof q2), o);
	}
	return VIGIL_OK;
}
