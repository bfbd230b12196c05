/*
 * Device lifecycle: state names and the transition table.
 *
 *   registered → provisioned → active ⇄ quarantined
 *   every state → retired; nothing leaves retired.
 */
#include <stdio.h>
#include <string.h>

#include "registry_internal.h"

static const char *const state_names[] = {
	[VIGIL_DEV_NONE] = "none",
	[VIGIL_DEV_REGISTERED] = "registered",
	[VIGIL_DEV_PROVISIONED] = "provisioned",
	[VIGIL_DEV_ACTIVE] = "active",
	[VIGIL_DEV_QUARANTINED] = "quarantined",
	[VIGIL_DEV_RETIRED] = "retired",
};

#define N_STATES (sizeof state_names / sizeof state_names[0])

const char *
vigil_device_state_name(enum vigil_device_state s)
{
	if ((size_t)s >= N_STATES)
		return "none";
	return state_names[s];
}

enum vigil_device_state
vigil_device_state_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_DEV_NONE;
	for (size_t i = 1; i < N_STATES; i++)
		if (strcmp(state_names[i], name) == 0)
			return (enum vigil_device_state)i;
	return VIGIL_DEV_NONE;
}

/* Why from → to is illegal, or NULL when it is legal. */
static const char *
illegal_because(enum vigil_device_state from, enum vigil_device_state to)
{
	if (from == to)
		return NULL; /* handled by the caller: "already" */
	if (from == VIGIL_DEV_RETIRED)
		return "retired is final; register a new device instead";
	if (to == VIGIL_DEV_RETIRED)
		return NULL;
	switch (to) {
	case VIGIL_DEV_REGISTERED:
		return "no state leads back to registered";
	case VIGIL_DEV_PROVISIONED:
		return from == VIGIL_DEV_REGISTERED ? NULL :
		    "provisioning follows registration only; quarantine or "
		    "retire it instead";
	case VIGIL_DEV_ACTIVE:
		if (from == VIGIL_DEV_PROVISIONED ||
		    from == VIGIL_DEV_QUARANTINED)
			return NULL;
		return "provision it first (registered → provisioned → "
		    "active)";
	case VIGIL_DEV_QUARANTINED:
		return from == VIGIL_DEV_ACTIVE ? NULL :
		    "only an active device can be quarantined";
	default:
		return "unknown state";
	}
}

enum vigil_err
vigil_device_transition_check(enum vigil_device_state from,
    enum vigil_device_state to, char *why, size_t whysize)
{
	const char *b;

	if (why != NULL && whysize > 0)
		why[0] = '\0';
	if (from < VIGIL_DEV_REGISTERED || from > VIGIL_DEV_RETIRED ||
	    to < VIGIL_DEV_REGISTERED || to > VIGIL_DEV_RETIRED)
		return vigil_seterr(why, whysize, VIGIL_EINVAL,
		    "unknown state (%d → %d)", (int)from, (int)to);
	if (from == to)
		return vigil_seterr(why, whysize, VIGIL_ESTATE,
		    "cannot go from %s to %s: it is already %s",
		    state_names[from], state_names[to], state_names[to]);
	if ((b = illegal_because(from, to)) != NULL)
		return vigil_seterr(why, whysize, VIGIL_ESTATE,
		    "cannot go from %s to %s: %s", state_names[from],
		    state_names[to], b);
	return VIGIL_OK;
}
