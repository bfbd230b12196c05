/*
 * GS1 element string or Digital Link URI -> RFID EPC: the reverse of
 * the GS1 correspondence that id_epc.c renders (GS1 EPC Tag Data
 * Standard §7). The GS1 parsers read the value into its elements; the
 * caller supplies what the value does not carry (the length of the GS1
 * Company Prefix, which GS1 allocates, the filter, the binary size);
 * the key is split into struct epc_value, and the EPC decoder's own
 * id_epc_result() renders it, so an encoded EPC is indistinguishable
 * from a parsed one.
 */
#include <stdio.h>
#include <string.h>

#include "id_epc.h"
#include "id_gs1.h"

/* The GS1 keys with an EPC scheme and the AI of their serial ("" when
 * the serial is part of the key's value, NULL when there is none). */
static const struct {
	const char *ai;
	const char *kind;
	const char *ser_ai;
} epc_keys[] = {
	{ "01", "sgtin", "21" },
	{ "00", "sscc", NULL },
	{ "414", "sgln", "254" },
	{ "8003", "grai", "" },
	{ "8004", "giai", "" },
};

#define NKEYS (sizeof epc_keys / sizeof epc_keys[0])

static int
find(const struct gs1_elems *es, const char *ai)
{
	for (size_t i = 0; i < es->n; i++)
		if (strcmp(es->e[i].ai->ai, ai) == 0)
			return (int)i;
	return -1;
}

/* Copies s[0..n) into dst[size] (the tables keep every field within
 * its buffer; checking turns a mistake into an error, not an overrun). */
static bool
copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* The single element of es that is a key with an EPC scheme, its index
 * in epc_keys into *ki. */
static enum vigil_err
find_key(const struct gs1_elems *es, size_t *ki, int *ei,
    struct vigil_id *out)
{
	int first = -1;

	for (size_t i = 0; i < es->n; i++) {
		for (size_t k = 0; k < NKEYS; k++) {
			if (strcmp(es->e[i].ai->ai, epc_keys[k].ai) != 0)
				continue;
			if (first >= 0)
				return id_fail(out, "%s: AI (%s) and AI (%s) "
				    "are both keys with an EPC scheme; encode "
				    "one at a time", es->prefix,
				    es->e[first].ai->ai, es->e[i].ai->ai);
			first = (int)i;
			*ki = k;
		}
	}
	if (first < 0)
		return id_fail(out, "%s: no key with an EPC scheme; an EPC "
		    "encodes (01) with (21), (00), (414), (8003) or (8004)",
		    es->prefix);
	*ei = first;
	return VIGIL_OK;
}

static enum vigil_err
check_gcp(const struct gs1_elems *es, const struct epc_kind_desc *k,
    unsigned gcp_digits, struct vigil_id *out)
{
	unsigned lo = EPC_GCP_MAX, hi = 0;

	if (id_epc_partition_for_gcp(k, gcp_digits) >= 0)
		return VIGIL_OK;
	for (int p = 0; p < EPC_NPARTITIONS; p++) {
		unsigned d = k->partitions[p].gcp_digits;

		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	return id_fail(out, "%s: company prefix length %u is not one %s "
	    "allows (%u-%u)", es->prefix, gcp_digits, k->title, lo, hi);
}

/*
 * Splits the key e (and its serial ser, NULL when absent) into v: the
 * company prefix of g digits and the reference as TDS §7 arranges them
 * (the indicator or extension digit leads the reference; the check
 * digit is dropped).
 */
static enum vigil_err
split_key(const struct gs1_elems *es, const struct gs1_elem *e,
    const struct gs1_elem *ser, unsigned g, struct epc_value *v,
    struct vigil_id *out)
{
	const struct epc_kind_desc *k = v->kind;
	const char *x = e->val;
	char q[ID_QUOTE_SIZE];
	bool ok = true;

	switch (k->kind) {
	case EPC_SGTIN:
	case EPC_SSCC:
		/* (01) I + GCP + item reference + CD (14 digits);
		 * (00) E + GCP + serial reference + CD (18 digits). */
		ok = e->len == k->gcp_ref_digits + 1 &&
		    copy(v->gcp, sizeof v->gcp, x + 1, g) &&
		    copy(v->ref + 1, sizeof v->ref - 1, x + 1 + g,
		    e->len - 2 - g);
		v->ref[0] = x[0];
		if (ser != NULL)
			ok = ok && copy(v->ser, sizeof v->ser, ser->val,
			    ser->len);
		break;
	case EPC_SGLN:
		/* GCP + location reference + CD (13 digits); extension "0"
		 * is how an SGLN says "no extension" (TDS §7.4). */
		if (ser != NULL && ser->len == 1 && ser->val[0] == '0')
			return id_fail(out, "%s: extension (254) '0' cannot be "
			    "encoded: in an SGLN, extension 0 means a GLN "
			    "without (254)", es->prefix);
		ok = e->len == k->gcp_ref_digits + 1 &&
		    copy(v->gcp, sizeof v->gcp, x, g) &&
		    copy(v->ref, sizeof v->ref, x + g, e->len - 1 - g) &&
		    (ser != NULL ? copy(v->ser, sizeof v->ser, ser->val,
		    ser->len) : copy(v->ser, sizeof v->ser, "0", 1));
		break;
	case EPC_GRAI:
		/* 0 + GCP + asset type + CD (14 digits), then the serial. */
		if (e->len <= k->gcp_ref_digits + 2)
			return id_fail(out, "%s: GRAI (8003) '%s' has no "
			    "serial; only a serialised GRAI has an EPC",
			    es->prefix, id_quote(x, e->len, q, sizeof q));
		ok = copy(v->gcp, sizeof v->gcp, x + 1, g) &&
		    copy(v->ref, sizeof v->ref, x + 1 + g,
		    k->gcp_ref_digits - g) &&
		    copy(v->ser, sizeof v->ser, x + k->gcp_ref_digits + 2,
		    e->len - k->gcp_ref_digits - 2);
		break;
	case EPC_GIAI:
	default:
		/* GCP + individual asset reference, X..30 in all. */
		id_quote(x, e->len, q, sizeof q);
		if (e->len <= g)
			return id_fail(out, "%s: GIAI (8004) '%s' has %zu "
			    "character%s, so nothing is left for the asset "
			    "reference after a %u-digit company prefix",
			    es->prefix, q, e->len, id_plural(e->len), g);
		for (size_t i = 0; i < g; i++)
			if (!id_is_digit(x[i]))
				return id_fail(out, "%s: GIAI (8004) '%s' "
				    "cannot start with a %u-digit company "
				    "prefix: character %zu is '%c', not a "
				    "digit", es->prefix, q, g, i + 1, x[i]);
		ok = copy(v->gcp, sizeof v->gcp, x, g) &&
		    copy(v->ser, sizeof v->ser, x + g, e->len - g);
		break;
	}
	if (!ok || strlen(v->ser) > id_epc_ser_limit(k, g))
		return id_fail(out, "%s: internal error: %s (%s) does not fit "
		    "the EPC fields", es->prefix, k->title, e->ai->ai);
	return VIGIL_OK;
}

/* The binary scheme size asks for, or the reason there is none. */
static enum vigil_err
pick_scheme(const struct gs1_elems *es, enum vigil_epc_size size,
    struct epc_value *v, struct vigil_id *out)
{
	const struct epc_kind_desc *k = v->kind;
	const struct epc_scheme *s96 = id_epc_scheme_96(k);
	const struct epc_scheme *sl = id_epc_scheme_long(k);
	char why[160], q[ID_QUOTE_SIZE];

	id_quote(v->ser, strlen(v->ser), q, sizeof q);
	switch (size) {
	case VIGIL_EPC_SIZE_AUTO:
		/* As for the pure-identity URI of the same EPC. */
		id_epc_choose_scheme(v, out);
		return VIGIL_OK;
	case VIGIL_EPC_SIZE_96:
		if (id_epc_ser_fits(s96, v, why, sizeof why)) {
			v->scheme = s96;
			return VIGIL_OK;
		}
		if (sl != NULL)
			return id_fail(out, "%s: %s '%s' %s, and %s was not "
			    "allowed", es->prefix, k->ser_name, q, why,
			    sl->title);
		return id_fail(out, "%s: %s '%s' %s, and %s is not "
		    "implemented", es->prefix, k->ser_name, q, why,
		    k->long_title);
	case VIGIL_EPC_SIZE_LONG:
		if (k->long_title == NULL)
			return id_fail(out, "%s: %s has no long EPC scheme; "
			    "%s holds every %s", es->prefix, k->title,
			    s96->title, k->title);
		if (sl == NULL)
			return id_fail(out, "%s: %s is not implemented",
			    es->prefix, k->long_title);
		if (!id_epc_ser_fits(sl, v, why, sizeof why))
			return id_fail(out, "%s: %s '%s' %s", es->prefix,
			    k->ser_name, q, why);
		v->scheme = sl;
		return VIGIL_OK;
	default:
		return id_fail(out, "%s: unknown EPC size %d", es->prefix,
		    (int)size);
	}
}

/* "AI (10), (17) are not part of the EPC and are left out". */
static void
warn_dropped(const struct gs1_elems *es, int key, int ser,
    struct vigil_id *out)
{
	char list[GS1_MAX_ELEMS * 8] = "";
	size_t o = 0, n = 0;

	for (size_t i = 0; i < es->n; i++) {
		int w;

		if ((int)i == key || (int)i == ser)
			continue;
		w = snprintf(list + o, sizeof list - o, "%s(%s)",
		    n > 0 ? ", " : "", es->e[i].ai->ai);
		if (w > 0 && (size_t)w < sizeof list - o)
			o += (size_t)w;
		n++;
	}
	if (n > 0)
		id_add_warning(out, "AI%s %s %s not part of the EPC and %s "
		    "left out", n > 1 ? "s" : "", list, n > 1 ? "are" : "is",
		    n > 1 ? "are" : "is");
}

enum vigil_err
vigil_epc_encode(const char *in, size_t len, unsigned gcp_digits,
    int filter, enum vigil_epc_size size, struct vigil_id *out)
{
	struct gs1_elems es;
	struct epc_value v;
	enum vigil_id_type t = VIGIL_ID_GS1;
	enum vigil_err rc;
	size_t ki = 0, i = 0;
	int ei = -1, si = -1;

	/* A Digital Link is a URI; every other value is read as an
	 * element string, whose parser says what is wrong with it. */
	while (in != NULL && i < len && in[i] != '\0' &&
	    strchr(" \t\r\n\v\f", in[i]) != NULL)
		i++;
	if (in != NULL && (id_has_prefix(in + i, len - i, "http://") ||
	    id_has_prefix(in + i, len - i, "https://")))
		t = VIGIL_ID_DIGITAL_LINK;
	if ((rc = id_prepare(t, &in, &len, out)) != VIGIL_OK)
		return rc;
	rc = t == VIGIL_ID_DIGITAL_LINK ?
	    gs1_dl_parse_elements(in, len, &es, out) :
	    gs1_parse_elements(in, len, &es, out);
	if (rc != VIGIL_OK)
		return rc;
	/* Remarks on the spelling read (a legacy GTIN-13 in a link) are
	 * not remarks on the EPC. */
	out->warning[0] = '\0';

	if ((rc = find_key(&es, &ki, &ei, out)) != VIGIL_OK)
		return rc;
	memset(&v, 0, sizeof v);
	v.kind = id_epc_kind_by_name(epc_keys[ki].kind,
	    strlen(epc_keys[ki].kind));
	if (v.kind == NULL)
		return id_fail(out, "%s: internal error: no EPC scheme %s",
		    es.prefix, epc_keys[ki].kind);
	if (epc_keys[ki].ser_ai != NULL && epc_keys[ki].ser_ai[0] != '\0')
		si = find(&es, epc_keys[ki].ser_ai);
	if (v.kind->kind == EPC_SGTIN && si < 0) {
		if (find(&es, "235") >= 0)
			return id_fail(out, "%s: a GTIN with a third-party "
			    "controlled serial (235) has no EPC scheme here; "
			    "SGTIN needs the serial (21)", es.prefix);
		return id_fail(out, "%s: SGTIN needs the serial (21) with the "
		    "GTIN (01); a GTIN alone has no EPC", es.prefix);
	}
	if ((rc = check_gcp(&es, v.kind, gcp_digits, out)) != VIGIL_OK)
		return rc;
	if (filter > VIGIL_EPC_FILTER_MAX)
		return id_fail(out, "%s: filter %d is not one of 0-%d",
		    es.prefix, filter, VIGIL_EPC_FILTER_MAX);
	v.partition = (unsigned)id_epc_partition_for_gcp(v.kind, gcp_digits);
	rc = split_key(&es, &es.e[ei], si >= 0 ? &es.e[si] : NULL,
	    gcp_digits, &v, out);
	if (rc != VIGIL_OK)
		return rc;
	if ((rc = pick_scheme(&es, size, &v, out)) != VIGIL_OK)
		return rc;
	v.filter = filter < 0 ? 0 : (unsigned)filter;
	warn_dropped(&es, ei, si, out);
	if ((rc = id_epc_result(in, len, &v, out)) != VIGIL_OK)
		return rc;
	out->type = VIGIL_ID_EPC;
	return VIGIL_OK;
}
