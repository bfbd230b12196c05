/*
 * Fuzz target for the check-in reader (src/lib/posture/checkin.c): a
 * device's self-description, outside data from the mTLS gateway.
 *
 * Checks: no crash, leak or overread (ASan); a refusal has a reason;
 * an accepted document holds its promises (ports sorted, unique and
 * spelled PROTO/PORT, at most 64; known states only; metrics compact
 * JSON) and scores within 0..100.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vigil/posture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
known(const char *s, const char *const *set)
{
	if (s[0] == '\0')
		return 1;
	for (size_t i = 0; set[i] != NULL; i++)
		if (strcmp(s, set[i]) == 0)
			return 1;
	return 0;
}

static void
check(const struct vigil_checkin *c)
{
	static const char *const boot[] = { "verified", "unverified",
		"failed", "unknown", NULL };
	static const char *const integ[] = { "ok", "tampered", "unknown",
		NULL };
	struct vigil_posture p;
	char again[VIGIL_PORT_STRLEN], err[128];

	if (c->nports > VIGIL_CHECKIN_PORTS_MAX || !known(c->boot_state,
	    boot) || !known(c->integrity, integ))
		abort();
	for (size_t i = 0; i < c->nports; i++) {
		const char *slash = strchr(c->ports[i], '/');
		char proto[8];
		size_t n;

		/* Each port is its own canonical spelling. */
		if (slash == NULL || (n = (size_t)(slash - c->ports[i])) >=
		    sizeof proto)
			abort();
		memcpy(proto, c->ports[i], n);
		proto[n] = '\0';
		if (vigil_port_format(proto, strtol(slash + 1, NULL, 10),
		    again, err, sizeof err) != VIGIL_OK ||
		    strcmp(again, c->ports[i]) != 0)
			abort();
		if (i > 0 && strcmp(c->ports[i - 1], c->ports[i]) == 0)
			abort();
	}
	if (c->metrics != NULL) {
		json_t *m = json_loads(c->metrics, 0, NULL);

		if (!json_is_object(m))
			abort();
		json_decref(m);
	}
	memset(&p, 0, sizeof p);
	memcpy(p.ports, c->ports, sizeof p.ports);
	memcpy(p.unexpected, c->ports, sizeof p.unexpected);
	p.nports = p.nunexpected = c->nports;
	memcpy(p.boot_state, c->boot_state, sizeof p.boot_state);
	memcpy(p.integrity, c->integrity, sizeof p.integrity);
	p.firmware_current = -1;
	vigil_posture_score(&p, 1, 60);
	if (p.risk < 0 || p.risk > 100 || p.nparts > VIGIL_RISK_PARTS_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_checkin c;
	char err[512];

	err[0] = '\0';
	if (vigil_checkin_parse((const char *)data, size, &c, err,
	    sizeof err) != VIGIL_OK) {
		if (err[0] == '\0')
			abort();
	} else {
		check(&c);
	}
	vigil_checkin_clear(&c);
	return 0;
}
