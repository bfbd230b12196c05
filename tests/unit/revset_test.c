/*
 * Unit tests of the gateway's revocation set (src/vigild/revset.c)
 * against a real store in a temporary directory: what it loads, when
 * it reloads (only when the PKI generation moved), how it spells
 * serials, and that it holds thousands of entries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "revset.h"
#include "vigil/pki.h"
#include "vigil/registry.h"
#include "vigil/store.h"

struct fx {
	char dir[64];
	struct vigil_store *st;
	struct vigil_tenant t;
	char ca_id[VIGIL_UUID_STRLEN];
	struct revset *rs;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct vigil_ca ca;
	char path[128], err[256];

	assert_non_null(fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/revset_test.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof path, "%s/vigil.db", fx->dir);
	assert_int_equal(vigil_store_open(&fx->st, path, NULL, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(fx->st, "acme", NULL,
	    &fx->t), VIGIL_OK);
	memset(&ca, 0, sizeof ca);
	snprintf(ca.label, sizeof ca.label, "issuing");
	ca.role = VIGIL_CA_ISSUING;
	ca.status = VIGIL_CA_ACTIVE;
	assert_int_equal(vigil_ca_add(fx->st, &ca), VIGIL_OK);
	snprintf(fx->ca_id, sizeof fx->ca_id, "%s", ca.id);
	assert_non_null(fx->rs = revset_new());
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char path[128];

	revset_free(fx->rs);
	vigil_store_close(fx->st);
	snprintf(path, sizeof path, "%s/vigil.db", fx->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/vigil.db-wal", fx->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/vigil.db-shm", fx->dir);
	unlink(path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Records a good certificate with serial and a key fingerprint made
 * from n (unique per certificate). */
static void
record(struct fx *fx, const char *serial, const char *device_id, unsigned n)
{
	struct vigil_cert c;
	int64_t now = vigil_time_now_ms() / 1000;

	memset(&c, 0, sizeof c);
	snprintf(c.serial, sizeof c.serial, "%s", serial);
	snprintf(c.ca_id, sizeof c.ca_id, "%s", fx->ca_id);
	snprintf(c.tenant_id, sizeof c.tenant_id, "%s", fx->t.id);
	snprintf(c.device_id, sizeof c.device_id, "%s", device_id);
	c.profile = device_id[0] != '\0' ? VIGIL_PROFILE_DEVICE :
	    VIGIL_PROFILE_SERVER;
	snprintf(c.key_fp, sizeof c.key_fp, "%064x", n);
	snprintf(c.via, sizeof c.via, "cli");
	c.not_before = now - 60;
	c.not_after = now + 86400;
	c.issued_ms = now * 1000;
	c.status = VIGIL_CERT_GOOD;
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_OK);
}

static void
revoke_cert(struct fx *fx, const char *serial, int reason)
{
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, serial, reason,
	    vigil_time_now_ms()), VIGIL_OK);
}

static void
an_empty_store_loads_an_empty_set_once(void **state)
{
	struct fx *fx = *state;

	printf("# first refresh loads; a second one without a change does "
	    "nothing\n");
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 1);
	assert_int_equal(revset_count(fx->rs), 0);
	assert_false(revset_serial_blocked(fx->rs, "01"));
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 0);
	assert_int_equal(revset_refresh(fx->rs, fx->st, true), 1);
}

static void
a_revoked_serial_is_blocked_in_any_spelling_only(
    void **state)
{
	struct fx *fx = *state;

	printf("# revoked 'ab12' is blocked as ab12, AB12 and 00ab12; good "
	    "'ab13' is not\n");
	record(fx, "ab12", "", 1);
	record(fx, "ab13", "", 2);
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 1);
	assert_false(revset_serial_blocked(fx->rs, "ab12"));
	revoke_cert(fx, "ab12", VIGIL_REASON_KEY_COMPROMISE);
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 1);
	assert_true(revset_serial_blocked(fx->rs, "ab12"));
	assert_true(revset_serial_blocked(fx->rs, "AB12"));
	assert_true(revset_serial_blocked(fx->rs, "00ab12"));
	assert_false(revset_serial_blocked(fx->rs, "ab13"));
	assert_false(revset_serial_blocked(fx->rs, "ab1"));
	assert_false(revset_serial_blocked(fx->rs, ""));
	assert_int_equal(revset_count(fx->rs), 1);
	/* Nothing moved since: no reload. */
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 0);
}

static void
a_held_certificate_is_blocked_until_released(void **state)
{
	struct fx *fx = *state;

	printf("# certificateHold blocks; release unblocks at the next "
	    "refresh\n");
	record(fx, "c0ffee", "", 3);
	revoke_cert(fx, "c0ffee", VIGIL_REASON_HOLD);
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 1);
	assert_true(revset_serial_blocked(fx->rs, "c0ffee"));
	assert_int_equal(vigil_cert_release(fx->st, NULL, "c0ffee"),
	    VIGIL_OK);
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 1);
	assert_false(revset_serial_blocked(fx->rs, "c0ffee"));
}

static void
a_quarantined_device_is_blocked_and_generation_moves(void **state)
{
	struct fx *fx = *state;
	struct vigil_device_spec spec;
	struct vigil_device *d = NULL, *q = NULL;
	int64_t g0;

	printf("# quarantining a device bumps the generation and blocks "
	    "its id\n");
	memset(&spec, 0, sizeof spec);
	spec.name = "cam-1";
	spec.state = VIGIL_DEV_ACTIVE; /* quarantine is from active */
	assert_int_equal(vigil_device_add(fx->st, fx->t.id, &spec,
	    "local:test", &d), VIGIL_OK);
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 1);
	g0 = revset_generation(fx->rs);
	assert_false(revset_device_blocked(fx->rs, d->id));
	assert_int_equal(vigil_device_set_state(fx->st, fx->t.id, d->id,
	    VIGIL_DEV_QUARANTINED, 0, "local:test", "test", &q), VIGIL_OK);
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 1);
	assert_true(revset_generation(fx->rs) > g0);
	assert_true(revset_device_blocked(fx->rs, d->id));
	assert_false(revset_device_blocked(fx->rs, fx->t.id));
	vigil_device_free(d);
	vigil_device_free(q);
}

static void
thousands_of_revoked_serials_are_all_found(void **state)
{
	struct fx *fx = *state;
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	unsigned i, n = 3000;

	printf("# %u revoked serials: every one blocked, none of %u others\n",
	    n, n);
	assert_int_equal(vigil_store_begin(fx->st), VIGIL_OK);
	for (i = 0; i < n; i++) {
		snprintf(serial, sizeof serial, "%x", 0x100000u + i * 2);
		record(fx, serial, "", 1000 + i);
		revoke_cert(fx, serial, VIGIL_REASON_SUPERSEDED);
	}
	assert_int_equal(vigil_store_commit(fx->st), VIGIL_OK);
	assert_int_equal(revset_refresh(fx->rs, fx->st, false), 1);
	assert_int_equal(revset_count(fx->rs), n);
	for (i = 0; i < n; i++) {
		snprintf(serial, sizeof serial, "%X", 0x100000u + i * 2);
		assert_true(revset_serial_blocked(fx->rs, serial));
		snprintf(serial, sizeof serial, "%x", 0x100000u + i * 2 + 1);
		assert_false(revset_serial_blocked(fx->rs, serial));
	}
}

static void
a_null_set_blocks_nothing(void **state)
{
	(void)state;
	printf("# a gateway without a set (no store yet) blocks nothing and "
	    "does not crash\n");
	assert_false(revset_serial_blocked(NULL, "01"));
	assert_false(revset_device_blocked(NULL, "x"));
	assert_int_equal(revset_count(NULL), 0);
	revset_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    an_empty_store_loads_an_empty_set_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_revoked_serial_is_blocked_in_any_spelling_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_held_certificate_is_blocked_until_released, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_quarantined_device_is_blocked_and_generation_moves,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    thousands_of_revoked_serials_are_all_found, setup,
		    teardown),
		cmocka_unit_test(a_null_set_blocks_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
