/*
 * Test helper for audit_tamper.sh: writes an audit log the way vigild
 * will (vigil_audit_append, signed checkpoints), since no CLI command
 * appends entries yet.
 *
 *   audit_fill keygen PRIV PUB
 *   audit_fill append DB N [TENANT_ID...]   N entries; tenants cycle
 *                                           through the ids and ""
 *   audit_fill checkpoint DB PRIV           signs the current head
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/audit.h"
#include "vigil/vigil.h"

static int
usage(void)
{
	fputs("usage: audit_fill keygen PRIV PUB\n"
	    "       audit_fill append DB N [TENANT_ID...]\n"
	    "       audit_fill checkpoint DB PRIV\n", stderr);
	return 2;
}

static struct vigil_store *
open_store(const char *path)
{
	struct vigil_store *st = NULL;
	char err[512];

	if (vigil_store_open(&st, path, NULL, err, sizeof err) != VIGIL_OK) {
		fprintf(stderr, "audit_fill: %s\n", err);
		return NULL;
	}
	/* As vigild: every acknowledged entry is on disk. */
	vigil_store_set_durability(st, 2);
	return st;
}

static int
append(const char *db, long n, int ntenants, char **tenants)
{
	static const char *const actions[] = { "device.update", "auth.login",
	    "tenant.create", "device.create", "token.create" };
	static const char *const outcomes[] = { "ok", "ok", "denied", "ok",
	    "failed" };
	struct vigil_store *st = open_store(db);
	int64_t seq = 0;

	if (st == NULL)
		return 1;
	for (long i = 0; i < n; i++) {
		struct vigil_audit_event ev = { 0 };
		char who[32], obj[48], req[32], detail[64];
		int t = (int)(i % (ntenants + 1));

		snprintf(who, sizeof who, "user:u%ld", i % 3);
		snprintf(obj, sizeof obj, "device/%ld", i);
		snprintf(req, sizeof req, "req-%ld", i);
		snprintf(detail, sizeof detail, "change %ld", i);
		ev.principal = who;
		ev.tenant_id = t < ntenants ? tenants[t] : "";
		ev.source_ip = "127.0.0.1";
		ev.action = actions[i % 5];
		ev.object = obj;
		ev.outcome = outcomes[i % 5];
		ev.request_id = req;
		ev.privileged = i % 5 == 4;
		ev.detail = detail;
		if (vigil_audit_append(st, &ev, &seq, NULL) != VIGIL_OK) {
			fprintf(stderr, "audit_fill: %s\n",
			    vigil_store_errmsg(st));
			vigil_store_close(st);
			return 1;
		}
	}
	printf("%" PRId64 "\n", seq);
	vigil_store_close(st);
	return 0;
}

static int
checkpoint(const char *db, const char *priv)
{
	struct vigil_audit_signer *s = NULL;
	uint8_t head[VIGIL_AUDIT_HASH_LEN], msg[VIGIL_AUDIT_CKPT_MSG_LEN];
	uint8_t sig[VIGIL_AUDIT_SIG_LEN], kid[VIGIL_AUDIT_KEYID_LEN];
	struct vigil_store *st;
	char err[512];
	int64_t seq;
	int rc = 1;

	if (vigil_audit_signer_load(&s, priv, err, sizeof err) != VIGIL_OK) {
		fprintf(stderr, "audit_fill: %s\n", err);
		return 1;
	}
	if ((st = open_store(db)) == NULL) {
		vigil_audit_signer_free(s);
		return 1;
	}
	if (vigil_audit_head(st, &seq, head) == VIGIL_OK && seq > 0) {
		vigil_audit_checkpoint_msg(seq, head, msg);
		if (vigil_audit_signer_sign(s, msg, sig, kid) == VIGIL_OK &&
		    vigil_audit_checkpoint_put(st, seq, head, sig, kid, 0) ==
		    VIGIL_OK) {
			printf("%" PRId64 "\n", seq);
			rc = 0;
		}
	}
	if (rc != 0)
		fprintf(stderr, "audit_fill: checkpoint failed: %s\n",
		    vigil_store_errmsg(st));
	vigil_audit_signer_free(s);
	vigil_store_close(st);
	return rc;
}

int
main(int argc, char **argv)
{
	char err[512];

	if (argc == 4 && strcmp(argv[1], "keygen") == 0) {
		if (vigil_audit_keygen(argv[2], argv[3], err, sizeof err) !=
		    VIGIL_OK) {
			fprintf(stderr, "audit_fill: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "append") == 0) {
		char *end;
		long n = strtol(argv[3], &end, 10);

		if (*end != '\0' || n < 0)
			return usage();
		return append(argv[2], n, argc - 4, argv + 4);
	}
	if (argc == 4 && strcmp(argv[1], "checkpoint") == 0)
		return checkpoint(argv[2], argv[3]);
	return usage();
}
