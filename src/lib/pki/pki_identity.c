/*
 * The identity vigil certifies for a registry device: URN, subject
 * serialNumber and CN, and the IEEE 802.1AR HardwareModuleName. It
 * comes from the registry only, never from what the device asks for.
 */
#include <stdio.h>
#include <string.h>

#include "vigil/id.h"
#include "vigil/pki.h"
#include "vigil/registry.h"

#define HWTYPE_LABEL "hwtype"

static const struct vigil_device_ident *
ident_of(const struct vigil_device *d, enum vigil_id_type t)
{
	for (size_t i = 0; i < d->nidents; i++)
		if (d->idents[i].type == t && d->idents[i].value != NULL)
			return &d->idents[i];
	return NULL;
}

static const char *
label_of(const struct vigil_device *d, const char *key)
{
	for (size_t i = 0; i < d->nlabels; i++)
		if (d->labels[i].key != NULL &&
		    strcmp(d->labels[i].key, key) == 0)
			return d->labels[i].value;
	return NULL;
}

/* The URN rendering of a stored identifier (vigil_id_parse). */
static int
urn_of(const struct vigil_device_ident *di, char *out, size_t size)
{
	struct vigil_id id;

	if (vigil_id_parse_ex(di->type, di->value, strlen(di->value),
	    VIGIL_ID_PARSE_NO_DETAIL, &id) != VIGIL_OK || id.urn[0] == '\0' ||
	    strlen(id.urn) >= size)
		return -1;
	memcpy(out, id.urn, strlen(id.urn) + 1);
	return 0;
}

/* A dotted OID of at least two arcs (the encoder checks the rest). */
static int
is_dotted_oid(const char *s)
{
	int dots = 0;

	if (s == NULL || *s == '\0' || strlen(s) >= 64)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '.')
			dots++;
		else if (*s < '0' || *s > '9')
			return 0;
	}
	return dots >= 1;
}

enum vigil_err
vigil_pki_identity_from_device(const struct vigil_device *d,
    struct vigil_pki_identity *out, char *err, size_t errsize)
{
	static const enum vigil_id_type urn_types[] = { VIGIL_ID_DEV_URN,
		VIGIL_ID_IMEI, VIGIL_ID_UUID };
	const struct vigil_device_ident *di, *sn;
	const char *hw;
	uint8_t hmn[160];
	size_t n;

	memset(out, 0, sizeof *out);
	if (d == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "no device");
	if (d->state == VIGIL_DEV_RETIRED || d->state == VIGIL_DEV_QUARANTINED)
		return vigil_seterr(err, errsize, VIGIL_ESTATE,
		    "device %s is %s: no certificate for it", d->id,
		    vigil_device_state_name(d->state));
	for (size_t i = 0; i < sizeof urn_types / sizeof urn_types[0]; i++)
		if ((di = ident_of(d, urn_types[i])) != NULL &&
		    urn_of(di, out->urn, sizeof out->urn) == 0)
			break;
	if (out->urn[0] == '\0')
		snprintf(out->urn, sizeof out->urn, "urn:uuid:%s", d->id);
	sn = ident_of(d, VIGIL_ID_SERIAL);
	if (sn != NULL && strlen(sn->value) < sizeof out->serial_number)
		memcpy(out->serial_number, sn->value, strlen(sn->value) + 1);
	else
		snprintf(out->serial_number, sizeof out->serial_number, "%s",
		    d->id);
	snprintf(out->cn, sizeof out->cn, "%s", d->id);
	/* The HardwareModuleName is an extra: a label that does not make
	 * one leaves it out (with a warning) rather than refusing the
	 * device its certificate. */
	hw = label_of(d, HWTYPE_LABEL);
	if (hw != NULL && sn != NULL) {
		n = strlen(sn->value);
		if (!is_dotted_oid(hw) || n == 0 ||
		    n > VIGIL_PKI_HMN_SERIAL_MAX ||
		    vigil_pki_hmn_encode(hw, (const uint8_t *)sn->value, n,
		    hmn, sizeof hmn) < 0) {
			vigil_log(VIGIL_LOG_WARN, "device %s: label %s is not "
			    "a dotted OID, or its serial number is not 1 to "
			    "%d bytes: no HardwareModuleName", d->id,
			    HWTYPE_LABEL, VIGIL_PKI_HMN_SERIAL_MAX);
			return VIGIL_OK;
		}
		snprintf(out->hw_type, sizeof out->hw_type, "%s", hw);
		memcpy(out->hw_serial, sn->value, n);
		out->hw_serial_len = n;
	}
	return VIGIL_OK;
}
