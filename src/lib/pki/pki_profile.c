/*
 * Certificate profiles: what each kind of certificate vigil issues is
 * for, and the bounds of its validity.
 */
#include <string.h>

#include "vigil/pki.h"

#define DAY (24u * 3600u)

static const struct vigil_pki_profile_info profiles[] = {
	{ VIGIL_PROFILE_DEVICE, "device", 30 * DAY, 3600, 397 * DAY,
	    "device identity (LDevID): TLS client authentication only" },
	{ VIGIL_PROFILE_SERVER, "server", 90 * DAY, 3600, 397 * DAY,
	    "TLS server (vigild, MQTT brokers): DNS names and IP addresses" },
	{ VIGIL_PROFILE_OPERATOR, "operator", 30 * DAY, 3600, 397 * DAY,
	    "people and tools: TLS client authentication" },
};

const struct vigil_pki_profile_info *
vigil_pki_profile_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (strcmp(name, profiles[i].name) == 0)
			return &profiles[i];
	return NULL;
}

const struct vigil_pki_profile_info *
vigil_pki_profile_get(enum vigil_pki_profile p)
{
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (profiles[i].id == p)
			return &profiles[i];
	return NULL;
}
