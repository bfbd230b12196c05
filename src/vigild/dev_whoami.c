/*
 * GET /device/v1/whoami on the device gateway: tells a device what
 * vigil knows it as, from its client certificate. The first device
 * endpoint, and the simplest proof that certificate → device mapping,
 * revocation and quarantine work: a device whose certificate is
 * unknown, revoked, on hold, or whose record is quarantined or retired
 * gets 403 with the reason (gw_device_check), one without a
 * certificate 401.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "gw.h"
#include "vigil/pki.h"
#include "vigil/registry.h"

/* RFC 3339, UTC. */
static void
fmt_time(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%lld", (long long)t);
}

void
dev_whoami(struct gw_req *r)
{
	const struct vigil_pki_profile_info *pi;
	struct vigil_device *dev;
	struct vigil_cert cert;
	char na[32], *text;
	json_t *doc;

	if (gw_device_check(r, "device.whoami", &cert, &dev) != 0)
		return;
	pi = vigil_pki_profile_get(cert.profile);
	fmt_time(cert.not_after, na);
	doc = json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, "
	    "s:{s:s, s:s, s:s, s:s}, s:s}",
	    "device",
	    "id", dev->id,
	    "name", dev->name,
	    "tenant", dev->tenant_id,
	    "state", vigil_device_state_name(dev->state),
	    "model", dev->model != NULL ? dev->model : "",
	    "certificate",
	    "serial", cert.serial,
	    "not_after", na,
	    "urn", cert.urn,
	    "profile", pi != NULL ? pi->name : "device",
	    "tenant", cert.tenant_id);
	text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	vigil_device_free(dev);
	vigil_cert_clear(&cert);
	if (text == NULL) {
		gw_error(r, 500, "out of memory");
		return;
	}
	gw_reply(r, 200, "application/json", text, strlen(text));
	free(text);
}
