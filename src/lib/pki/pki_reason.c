/*
 * CRL reason codes (RFC 5280 §5.3.1): their RFC names and the spellings
 * an operator may type (kebab-case, "hold").
 */
#include <stddef.h>
#include <strings.h>

#include "vigil/pki.h"

struct reason_name {
	int code;
	const char *rfc;   /* RFC 5280 ASN.1 spelling */
	const char *kebab; /* what the CLI shows and accepts */
};

/* Code 7 is unused in RFC 5280 and has no name. */
static const struct reason_name reasons[] = {
	{ VIGIL_REASON_UNSPECIFIED, "unspecified", "unspecified" },
	{ VIGIL_REASON_KEY_COMPROMISE, "keyCompromise", "key-compromise" },
	{ VIGIL_REASON_CA_COMPROMISE, "cACompromise", "ca-compromise" },
	{ VIGIL_REASON_AFFILIATION_CHANGED, "affiliationChanged",
	    "affiliation-changed" },
	{ VIGIL_REASON_SUPERSEDED, "superseded", "superseded" },
	{ VIGIL_REASON_CESSATION, "cessationOfOperation",
	    "cessation-of-operation" },
	{ VIGIL_REASON_HOLD, "certificateHold", "certificate-hold" },
	{ VIGIL_REASON_REMOVE, "removeFromCRL", "remove-from-crl" },
	{ VIGIL_REASON_PRIVILEGE_WITHDRAWN, "privilegeWithdrawn",
	    "privilege-withdrawn" },
	{ VIGIL_REASON_AA_COMPROMISE, "aACompromise", "aa-compromise" },
};

#define NREASONS (sizeof reasons / sizeof reasons[0])

const char *
vigil_crl_reason_name(int reason)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (reasons[i].code == reason)
			return reasons[i].rfc;
	return NULL;
}

int
vigil_crl_reason_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	/* "hold" is what an operator says; certificateHold is the code. */
	if (strcasecmp(name, "hold") == 0)
		return VIGIL_REASON_HOLD;
	for (size_t i = 0; i < NREASONS; i++) {
		if (strcasecmp(name, reasons[i].rfc) != 0 &&
		    strcasecmp(name, reasons[i].kebab) != 0)
			continue;
		/* removeFromCRL only exists in delta CRLs, which vigil does
		 * not issue: nobody revokes "for" it. */
		if (reasons[i].code == VIGIL_REASON_REMOVE)
			return -1;
		return reasons[i].code;
	}
	return -1;
}
