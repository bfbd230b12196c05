/*
 * Test helper for alert_api.sh: records what the collector would (alerts,
 * shadow-IoT findings, cellular sessions) through alertdb.h into a
 * database before vigild starts, since the API has no route that makes
 * them.
 *
 *   alert_fill DB alert TENANT_ID KIND SEVERITY ADDR COUNT [DEVICE_ID]
 *       records a detection; prints the alert's id
 *   alert_fill DB shadow TENANT_ID ADDR FLOWS BYTES
 *       records a shadow finding ("" tenant: the platform's)
 *   alert_fill DB session IP IMSI IMEISV SESSION_ID
 *       applies an Accounting-Request Start
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/alertdb.h"
#include "vigil/detect.h"
#include "vigil/flow.h"
#include "vigil/vigil.h"

static int
usage(void)
{
	fputs("usage: alert_fill DB alert TENANT_ID KIND SEVERITY ADDR COUNT "
	    "[DEVICE_ID]\n"
	    "       alert_fill DB shadow TENANT_ID ADDR FLOWS BYTES\n"
	    "       alert_fill DB session IP IMSI IMEISV SESSION_ID\n", stderr);
	return 2;
}

static int
fail(const char *what, const char *err)
{
	fprintf(stderr, "alert_fill: %s: %s\n", what, err);
	return 1;
}

static int
alert(struct vigil_store *st, int argc, char **argv, int64_t now)
{
	struct vigil_alert a;
	char err[512] = "";
	json_t *out = NULL, *ev;
	enum vigil_err e;

	if (argc < 5)
		return usage();
	memset(&a, 0, sizeof a);
	a.kind = vigil_alert_kind_from_name(argv[1]);
	a.severity = vigil_alert_sev_from_name(argv[2]);
	if (a.kind == VIGIL_ALERT_NONE || (int)a.severity == 0 ||
	    !vigil_flow_addr_parse(argv[3], &a.family, a.addr))
		return usage();
	snprintf(a.who.tenant, sizeof a.who.tenant, "%s", argv[0]);
	if (argc > 5) {
		a.who.device = true;
		snprintf(a.who.device_id, sizeof a.who.device_id, "%s",
		    argv[5]);
		snprintf(a.who.via, sizeof a.who.via, "binding");
	} else
		snprintf(a.who.via, sizeof a.who.via, "address");
	a.count = strtoull(argv[4], NULL, 10);
	a.first_ms = now - 300000;
	a.last_ms = now - 1000;
	snprintf(a.summary, sizeof a.summary, "%s from %s (test)", argv[1],
	    argv[3]);
	ev = json_pack("{s[{ss si si}] si}", "samples", "dst", "198.51.100.7",
	    "dport", 23, "proto", 6, "hosts", (int)a.count);
	a.evidence = ev;
	e = vigil_alert_record(st, &a, now, &out, err, sizeof err);
	json_decref(ev);
	if (e != VIGIL_OK)
		return fail("alert", err[0] != '\0' ? err :
		    vigil_store_errmsg(st));
	printf("%" JSON_INTEGER_FORMAT "\n",
	    json_integer_value(json_object_get(out, "id")));
	json_decref(out);
	return 0;
}

static int
shadow(struct vigil_store *st, int argc, char **argv, int64_t now)
{
	struct vigil_shadow_obs o;
	char err[512] = "";

	if (argc < 4)
		return usage();
	memset(&o, 0, sizeof o);
	if (!vigil_flow_addr_parse(argv[1], &o.family, o.addr))
		return usage();
	snprintf(o.tenant, sizeof o.tenant, "%s", argv[0]);
	o.first_ms = now - 3600000;
	o.last_ms = now - 1000;
	o.flows = strtoull(argv[2], NULL, 10);
	o.bytes = strtoull(argv[3], NULL, 10);
	o.peers = 3;
	o.top_ports[0] = 1883;
	o.top_protos[0] = 6;
	if (vigil_shadow_record(st, &o, now, err, sizeof err) != VIGIL_OK)
		return fail("shadow", err[0] != '\0' ? err :
		    vigil_store_errmsg(st));
	return 0;
}

static int
session(struct vigil_store *st, int argc, char **argv, int64_t now)
{
	struct vigil_radius_acct r;
	uint8_t fam;
	uint8_t ip[16];
	char err[512] = "";

	if (argc < 4 || !vigil_flow_addr_parse(argv[0], &fam, ip) || fam != 4)
		return usage();
	memset(&r, 0, sizeof r);
	r.code = 4;
	r.status = VIGIL_ACCT_START;
	r.has_framed_ip = true;
	memcpy(r.framed_ip, ip, 4);
	snprintf(r.imsi, sizeof r.imsi, "%s", argv[1]);
	snprintf(r.imeisv, sizeof r.imeisv, "%s", argv[2]);
	snprintf(r.session_id, sizeof r.session_id, "%s", argv[3]);
	snprintf(r.nas_ip, sizeof r.nas_ip, "127.0.0.1");
	snprintf(r.sgsn_mcc_mnc, sizeof r.sgsn_mcc_mnc, "26201");
	if (vigil_netsession_apply(st, &r, now, NULL, err, sizeof err) !=
	    VIGIL_OK)
		return fail("session", err[0] != '\0' ? err :
		    vigil_store_errmsg(st));
	return 0;
}

int
main(int argc, char **argv)
{
	struct vigil_store *st = NULL;
	char err[512];
	int64_t now = vigil_time_now_ms();
	int rc;

	if (argc < 3)
		return usage();
	if (vigil_store_open(&st, argv[1], NULL, err, sizeof err) != VIGIL_OK)
		return fail(argv[1], err);
	if (strcmp(argv[2], "alert") == 0)
		rc = alert(st, argc - 3, argv + 3, now);
	else if (strcmp(argv[2], "shadow") == 0)
		rc = shadow(st, argc - 3, argv + 3, now);
	else if (strcmp(argv[2], "session") == 0)
		rc = session(st, argc - 3, argv + 3, now);
	else
		rc = usage();
	vigil_store_close(st);
	return rc;
}
