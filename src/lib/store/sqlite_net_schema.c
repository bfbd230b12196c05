/*
 * Migration 10: network monitoring (alertdb.h). Alerts deduplicated by
 * the schema itself (one alert not closed per tenant, entity and kind),
 * their bounded evidence samples and response actions; shadow-IoT
 * findings; cellular sessions from RADIUS accounting; address bindings.
 *
 * tenant_id is '' for what belongs to the platform (a shadow address in
 * no tenant's subnet), so it references no tenant row. Addresses of
 * bindings are kept as fixed-width lower-case hex (32 digits, IPv4 in
 * the first 8) of the first and last address: text compares as bytes,
 * so "net <= addr AND last >= addr" is the containment test in SQL.
 */
#include "sqlite_internal.h"

const char *const store_sq_m10_net[] = {
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 255),"
	"  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
	"  state TEXT NOT NULL CHECK (state IN ('open', 'acked', 'closed')),"
	"  entity TEXT NOT NULL,"                  /* device id or addr:<ip> */
	"  device_id TEXT,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  first_ms INTEGER NOT NULL,"
	"  last_ms INTEGER NOT NULL,"
	"  count INTEGER NOT NULL CHECK (count >= 0),"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  techniques TEXT NOT NULL DEFAULT '',"   /* comma separated */
	"  created_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  closed_ms INTEGER,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  actor TEXT NOT NULL DEFAULT ''"
	")",
	/* The deduplication rule: a second open alert cannot exist. */
	"CREATE UNIQUE INDEX alerts_open ON alerts (tenant_id, entity, kind)"
	"  WHERE state != 'closed'",
	"CREATE INDEX alerts_last ON alerts (tenant_id, last_ms)",
	"CREATE INDEX alerts_device ON alerts (device_id, last_ms)"
	"  WHERE device_id IS NOT NULL",

	"CREATE TABLE alert_samples ("
	"  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  evidence TEXT NOT NULL,"                /* JSON */
	"  PRIMARY KEY (alert_id, seq)"
	") WITHOUT ROWID",

	"CREATE TABLE alert_responses ("
	"  id INTEGER PRIMARY KEY,"
	"  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,"
	"  ts_ms INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT ''"
	")",
	"CREATE INDEX alert_responses_alert ON alert_responses (alert_id, id)",

	"CREATE TABLE shadow_devices ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('new', 'adopted',"
	"    'dismissed')),"
	"  first_ms INTEGER NOT NULL,"
	"  last_ms INTEGER NOT NULL,"
	"  flows INTEGER NOT NULL DEFAULT 0,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  peers INTEGER NOT NULL DEFAULT 0,"
	"  ports TEXT NOT NULL DEFAULT '[]',"      /* JSON */
	"  protos TEXT NOT NULL DEFAULT '[]',"     /* JSON */
	"  device_id TEXT,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  actor TEXT NOT NULL DEFAULT '',"
	"  updated_ms INTEGER NOT NULL,"
	"  UNIQUE (tenant_id, address)"
	")",
	"CREATE INDEX shadow_devices_last ON shadow_devices (tenant_id,"
	"  last_ms)",

	"CREATE TABLE net_sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id TEXT NOT NULL,"
	"  nas TEXT NOT NULL DEFAULT '',"
	"  ip TEXT NOT NULL DEFAULT '',"
	"  imsi TEXT NOT NULL DEFAULT '',"
	"  imei TEXT NOT NULL DEFAULT '',"
	"  imeisv TEXT NOT NULL DEFAULT '',"
	"  mcc_mnc TEXT NOT NULL DEFAULT '',"
	"  sgsn_mcc_mnc TEXT NOT NULL DEFAULT '',"
	"  device_id TEXT,"
	"  tenant_id TEXT NOT NULL DEFAULT '',"
	"  start_ms INTEGER NOT NULL,"
	"  last_ms INTEGER NOT NULL,"
	"  stop_ms INTEGER,"
	"  in_octets INTEGER NOT NULL DEFAULT 0,"
	"  out_octets INTEGER NOT NULL DEFAULT 0"
	")",
	"CREATE INDEX net_sessions_open_ip ON net_sessions (ip)"
	"  WHERE stop_ms IS NULL",
	"CREATE INDEX net_sessions_ip ON net_sessions (ip, start_ms)",
	"CREATE INDEX net_sessions_sid ON net_sessions (nas, session_id)"
	"  WHERE stop_ms IS NULL",
	"CREATE INDEX net_sessions_last ON net_sessions (tenant_id, last_ms)",

	"CREATE TABLE net_bindings ("
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  cidr TEXT NOT NULL,"                    /* canonical */
	"  family INTEGER NOT NULL CHECK (family IN (4, 6)),"
	"  prefix INTEGER NOT NULL CHECK (prefix BETWEEN 0 AND 128),"
	"  net TEXT NOT NULL CHECK (length(net) = 32),"   /* first, hex */
	"  last TEXT NOT NULL CHECK (length(last) = 32)," /* last, hex */
	"  device_id TEXT,"
	"  site TEXT NOT NULL DEFAULT '',"
	"  created_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, cidr)"
	") WITHOUT ROWID",
	"CREATE INDEX net_bindings_net ON net_bindings (family, net)",
	"CREATE INDEX net_bindings_device ON net_bindings (device_id)"
	"  WHERE device_id IS NOT NULL",
	NULL
};

/*
 * Migration 11: the attribution generation. What vigil_attribute
 * answers for an address depends on the net bindings and on the
 * devices they name (a retired device owns nothing); sessions are the
 * collector's own input. These triggers count every change to those in
 * the changing transaction, so the collector notices one with a single
 * one-row read per second (vigil_attribution_generation) and has its
 * detection engine ask again, instead of every entity asking the store
 * every few minutes in case something changed.
 */
#define ATTR_BUMP " UPDATE net_attr_gen SET gen = gen + 1 WHERE id = 1; "

const char *const store_sq_m11_attr[] = {
	"CREATE TABLE net_attr_gen ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  gen INTEGER NOT NULL"
	")",
	"INSERT INTO net_attr_gen (id, gen) VALUES (1, 1)",
	"CREATE TRIGGER net_attr_bind_ins AFTER INSERT ON net_bindings BEGIN"
	ATTR_BUMP "END",
	"CREATE TRIGGER net_attr_bind_upd AFTER UPDATE ON net_bindings BEGIN"
	ATTR_BUMP "END",
	"CREATE TRIGGER net_attr_bind_del AFTER DELETE ON net_bindings BEGIN"
	ATTR_BUMP "END",
	"CREATE TRIGGER net_attr_dev_upd AFTER UPDATE OF state, model, tenant_id"
	" ON devices BEGIN" ATTR_BUMP "END",
	"CREATE TRIGGER net_attr_dev_del AFTER DELETE ON devices BEGIN"
	ATTR_BUMP "END",
	NULL
};
