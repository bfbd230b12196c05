/*
 * Migration 9: zero-trust access (policydb.h, posture.h, zt.h). Stored
 * policies with every version kept (rollback restores an old version as
 * a new one, so history only grows), their attachments (tenant, device
 * model, label selector, one device), device posture from check-ins,
 * per-model baselines, and the zero-trust generation: one counter that
 * triggers bump in the same transaction as any change that can alter
 * an access decision (a policy, an attachment, a device's state, model
 * or labels, a revocation, a material posture change, a baseline).
 * Caches key on it (DESIGN.md §2: the epoch), whichever process or node
 * made the change.
 *
 * Policies and baselines are a tenant's configuration: deleting the
 * (empty: no devices) tenant deletes them too.
 */
#include "sqlite_internal.h"

/* One bump, shared by every trigger body: a change every cache must
 * drop (zt_gen_global records it as such). */
#define ZT_BUMP " UPDATE zt_gen SET gen = gen + 1 WHERE id = 1; "
/* A bump that concerns one device only (its state, labels, posture,
 * firmware): recorded with the device first, so decision services drop
 * that device's facts and keep the rest. */
#define ZT_BUMP_DEV(id) \
	" INSERT INTO zt_changes (gen, device_id)" \
	" SELECT gen + 1, " id " FROM zt_gen WHERE id = 1;" ZT_BUMP

const char *const store_sq_m9_zt[] = {
	"CREATE TABLE zt_gen ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  gen INTEGER NOT NULL"
	")",
	"INSERT INTO zt_gen (id, gen) VALUES (1, 1)",
	/* What each generation changed: a device id, or NULL for a change
	 * that concerns every device (a policy, an attachment, a
	 * revocation, a baseline, an explicit bump). Caches that find only
	 * device rows since their generation drop those devices alone
	 * (vigil_zt_changes). The last 10,000 are kept. */
	"CREATE TABLE zt_changes ("
	"  gen INTEGER PRIMARY KEY,"
	"  device_id TEXT"
	")",
	"CREATE TRIGGER zt_gen_global AFTER UPDATE OF gen ON zt_gen"
	"  WHEN NOT EXISTS (SELECT 1 FROM zt_changes WHERE gen = NEW.gen)"
	"  BEGIN INSERT INTO zt_changes (gen, device_id) VALUES (NEW.gen,"
	"  NULL); END",
	"CREATE TRIGGER zt_changes_prune AFTER INSERT ON zt_changes BEGIN"
	"  DELETE FROM zt_changes WHERE gen <= NEW.gen - 10000; END",

	/* version is the current one; every version is in
	 * policy_versions. */
	"CREATE TABLE policies ("
	"  id TEXT NOT NULL PRIMARY KEY,"          /* UUIDv7 */
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 63),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  description TEXT NOT NULL DEFAULT '',"
	"  created_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  UNIQUE (tenant_id, name)"
	") WITHOUT ROWID",

	"CREATE TABLE policy_versions ("
	"  policy_id TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  document TEXT NOT NULL,"                /* canonical JSON */
	"  sha256 TEXT NOT NULL,"                  /* of document */
	"  author TEXT NOT NULL,"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  rollback_of INTEGER,"                   /* the version restored */
	"  created_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (policy_id, version)"
	") WITHOUT ROWID",
	"CREATE TRIGGER policy_versions_kept BEFORE UPDATE ON policy_versions"
	"  BEGIN SELECT RAISE(ABORT, 'policy versions are kept as written');"
	"  END",

	/* target: '' (tenant), a model name, "key=value" (label), a device
	 * id. */
	"CREATE TABLE policy_attachments ("
	"  policy_id TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,"
	"  tenant_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('tenant', 'model', 'label',"
	"    'device')),"
	"  target TEXT NOT NULL CHECK (length(target) <= 320),"
	"  author TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (policy_id, kind, target)"
	") WITHOUT ROWID",
	"CREATE INDEX policy_attachments_tenant"
	"  ON policy_attachments (tenant_id, kind, target)",

	/* The newest check-in of each device (posture.h): the facts policy
	 * reads. ports is a JSON array of "tcp/23"-style strings, metrics a
	 * JSON object. */
	"CREATE TABLE device_posture ("
	"  device_id TEXT NOT NULL PRIMARY KEY"
	"    REFERENCES devices (id) ON DELETE CASCADE,"
	"  tenant_id TEXT NOT NULL,"
	"  checkin_ms INTEGER NOT NULL,"
	"  checkins INTEGER NOT NULL DEFAULT 1,"
	"  firmware TEXT NOT NULL DEFAULT '',"
	"  boot_state TEXT NOT NULL DEFAULT '',"
	"  integrity TEXT NOT NULL DEFAULT '',"
	"  config_hash TEXT NOT NULL DEFAULT '',"
	"  uptime_s INTEGER NOT NULL DEFAULT -1,"
	"  ports TEXT NOT NULL DEFAULT '[]',"
	"  metrics TEXT NOT NULL DEFAULT '{}',"
	"  source_ip TEXT NOT NULL DEFAULT '',"
	"  cert_serial TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID",
	/* The last check-ins of each device as received (bounded by the
	 * writer: posture_history_max per device). */
	"CREATE TABLE device_checkins ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,"
	"  tenant_id TEXT NOT NULL,"
	"  checkin_ms INTEGER NOT NULL,"
	"  body TEXT NOT NULL"
	")",
	"CREATE INDEX device_checkins_dev ON device_checkins (device_id, id)",

	/* What a model is expected to look like: the ports it may listen
	 * on, and the firmware version operators declare current (else the
	 * newest known build of the model is current). */
	"CREATE TABLE model_baselines ("
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  model TEXT NOT NULL,"
	"  ports TEXT NOT NULL DEFAULT '[]',"
	"  firmware_current TEXT NOT NULL DEFAULT '',"
	"  updated_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, model)"
	") WITHOUT ROWID",

	/* ---- the generation ---- */
	"CREATE TRIGGER zt_policies_ins AFTER INSERT ON policies BEGIN"
	ZT_BUMP "END",
	"CREATE TRIGGER zt_policies_upd AFTER UPDATE ON policies BEGIN"
	ZT_BUMP "END",
	"CREATE TRIGGER zt_policies_del AFTER DELETE ON policies BEGIN"
	ZT_BUMP "END",
	"CREATE TRIGGER zt_attach_ins AFTER INSERT ON policy_attachments BEGIN"
	ZT_BUMP "END",
	"CREATE TRIGGER zt_attach_del AFTER DELETE ON policy_attachments BEGIN"
	ZT_BUMP "END",
	"CREATE TRIGGER zt_devices_upd AFTER UPDATE OF state, model ON devices"
	"  WHEN OLD.state IS NOT NEW.state OR OLD.model IS NOT NEW.model BEGIN"
	ZT_BUMP_DEV("NEW.id") "END",
	"CREATE TRIGGER zt_devices_del AFTER DELETE ON devices BEGIN"
	ZT_BUMP_DEV("OLD.id") "END",
	"CREATE TRIGGER zt_labels_ins AFTER INSERT ON device_labels BEGIN"
	ZT_BUMP_DEV("NEW.device_id") "END",
	"CREATE TRIGGER zt_labels_upd AFTER UPDATE ON device_labels BEGIN"
	ZT_BUMP_DEV("NEW.device_id") "END",
	"CREATE TRIGGER zt_labels_del AFTER DELETE ON device_labels BEGIN"
	ZT_BUMP_DEV("OLD.device_id") "END",
	/* Revocations, holds, releases, blocked devices (migration 6). */
	"CREATE TRIGGER zt_pki_gen AFTER UPDATE ON pki_gen BEGIN"
	ZT_BUMP "END",
	"CREATE TRIGGER zt_posture_ins AFTER INSERT ON device_posture BEGIN"
	ZT_BUMP_DEV("NEW.device_id") "END",
	/* A check-in that only moves the clock (uptime, time, counters)
	 * does not invalidate decisions; a changed fact does. */
	"CREATE TRIGGER zt_posture_upd AFTER UPDATE ON device_posture"
	"  WHEN OLD.firmware IS NOT NEW.firmware"
	"  OR OLD.boot_state IS NOT NEW.boot_state"
	"  OR OLD.integrity IS NOT NEW.integrity"
	"  OR OLD.config_hash IS NOT NEW.config_hash"
	"  OR OLD.ports IS NOT NEW.ports BEGIN"
	ZT_BUMP_DEV("NEW.device_id") "END",
	"CREATE TRIGGER zt_baseline_ins AFTER INSERT ON model_baselines BEGIN"
	ZT_BUMP "END",
	"CREATE TRIGGER zt_baseline_upd AFTER UPDATE ON model_baselines BEGIN"
	ZT_BUMP "END",
	"CREATE TRIGGER zt_baseline_del AFTER DELETE ON model_baselines BEGIN"
	ZT_BUMP "END",
	/* Firmware reported through the inventory or an import (issue 7's
	 * device_firmware) changes FirmwareCurrent and the risk score. */
	"CREATE TRIGGER zt_fw_ins AFTER INSERT ON device_firmware BEGIN"
	ZT_BUMP_DEV("NEW.device_id") "END",
	"CREATE TRIGGER zt_fw_upd AFTER UPDATE OF version ON device_firmware"
	"  WHEN OLD.version IS NOT NEW.version BEGIN"
	ZT_BUMP_DEV("NEW.device_id") "END",
	NULL
};
