/*
 * Migration 8: vulnerability management (vulndb.h). One schema that the
 * feed/build/scan statements (sqlite_vuln.c) and the query/CRA
 * statements (sqlite_vulnq.c) share.
 *
 * Vulnerability data, builds, products and CRA reports are platform
 * rows (no tenant); device_firmware is a tenant's row like its device.
 * Records keep their source's own JSON (raw) so a re-parse with a better
 * matcher needs no re-download, and every record names the feed import
 * it came from (provenance).
 */
#include "sqlite_internal.h"

const char *const store_sq_m8_vuln[] = {
	/* One row per file imported: where the data came from. */
	"CREATE TABLE vuln_feeds ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('osv', 'nvd', 'cve5', 'kev',"
	"    'epss')),"
	"  source TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  meta TEXT NOT NULL DEFAULT '',"   /* KEV version, EPSS date */
	"  sha256 TEXT NOT NULL,"
	"  fetched_ms INTEGER NOT NULL,"
	"  imported_ms INTEGER NOT NULL,"
	"  records INTEGER NOT NULL DEFAULT 0,"
	"  actor TEXT NOT NULL DEFAULT ''"
	")",

	"CREATE TABLE vuln_records ("
	"  rid INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL CHECK (source IN ('osv', 'nvd', 'cve5')),"
	"  id TEXT NOT NULL CHECK (length(id) BETWEEN 1 AND 128),"
	"  canonical TEXT NOT NULL,"          /* vigil_vuln_canonical_id */
	"  modified_ms INTEGER NOT NULL,"
	"  withdrawn_ms INTEGER NOT NULL DEFAULT 0,"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  cvss REAL NOT NULL DEFAULT -1,"    /* best base score, -1 none */
	"  cvss_vector TEXT NOT NULL DEFAULT '',"
	"  feed_id INTEGER REFERENCES vuln_feeds (id),"
	"  raw TEXT NOT NULL,"                /* the source's JSON */
	"  UNIQUE (source, id)"
	")",
	"CREATE INDEX vuln_records_canonical ON vuln_records (canonical)",
	/* Every id a record is known by (its own included), upper case. */
	"CREATE TABLE vuln_aliases ("
	"  alias TEXT NOT NULL,"
	"  rid INTEGER NOT NULL REFERENCES vuln_records (rid)"
	"    ON DELETE CASCADE,"
	"  PRIMARY KEY (alias, rid)"
	") WITHOUT ROWID",
	"CREATE INDEX vuln_aliases_rid ON vuln_aliases (rid)",
	/* vigil_vuln_keys: "p:<eco>/<name>", "c:<vendor>:<product>". */
	"CREATE TABLE vuln_keys ("
	"  key TEXT NOT NULL,"
	"  rid INTEGER NOT NULL REFERENCES vuln_records (rid)"
	"    ON DELETE CASCADE,"
	"  PRIMARY KEY (key, rid)"
	") WITHOUT ROWID",
	"CREATE INDEX vuln_keys_rid ON vuln_keys (rid)",

	"CREATE TABLE vuln_kev ("
	"  cve TEXT NOT NULL PRIMARY KEY,"
	"  vendor TEXT NOT NULL DEFAULT '',"
	"  product TEXT NOT NULL DEFAULT '',"
	"  name TEXT NOT NULL DEFAULT '',"
	"  description TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL DEFAULT '',"
	"  notes TEXT NOT NULL DEFAULT '',"
	"  added_ms INTEGER NOT NULL DEFAULT 0,"
	"  due_ms INTEGER NOT NULL DEFAULT 0,"
	"  ransomware INTEGER NOT NULL DEFAULT 0 CHECK (ransomware IN (0, 1)),"
	"  feed_id INTEGER REFERENCES vuln_feeds (id)"
	") WITHOUT ROWID",
	"CREATE TABLE vuln_epss ("
	"  cve TEXT NOT NULL PRIMARY KEY,"
	"  epss REAL NOT NULL CHECK (epss BETWEEN 0 AND 1),"
	"  percentile REAL NOT NULL CHECK (percentile BETWEEN 0 AND 1),"
	"  score_date TEXT NOT NULL DEFAULT '',"
	"  feed_id INTEGER REFERENCES vuln_feeds (id)"
	") WITHOUT ROWID",
	/* Analysts' "actively exploited" marks (KEV-equivalent). */
	"CREATE TABLE vuln_exploited ("
	"  vuln TEXT NOT NULL PRIMARY KEY,"
	"  marked_ms INTEGER NOT NULL,"
	"  actor TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID",

	/* Device models as products: support period (CRA Art. 13), the
	 * manufacturer, the platform CPEs (hardware/OS) NVD's
	 * vulnerable:false entries are matched against (one per line). */
	"CREATE TABLE vuln_products ("
	"  model TEXT NOT NULL PRIMARY KEY CHECK (length(model) >= 1),"
	"  manufacturer TEXT NOT NULL DEFAULT '',"
	"  support_until_ms INTEGER NOT NULL DEFAULT 0,"
	"  platform_cpes TEXT NOT NULL DEFAULT '',"
	"  updated_ms INTEGER NOT NULL"
	") WITHOUT ROWID",

	/* Firmware builds and their SBOMs (the document as imported). */
	"CREATE TABLE fw_builds ("
	"  id TEXT NOT NULL PRIMARY KEY,"     /* UUIDv7 */
	"  model TEXT NOT NULL CHECK (length(model) >= 1),"
	"  version TEXT NOT NULL CHECK (length(version) >= 1),"
	"  format TEXT NOT NULL,"
	"  spec_version TEXT NOT NULL DEFAULT '',"
	"  serial TEXT NOT NULL DEFAULT '',"
	"  sha256 TEXT NOT NULL,"
	"  sbom BLOB NOT NULL,"
	"  quality TEXT NOT NULL DEFAULT '{}',"  /* quality JSON */
	"  imported_ms INTEGER NOT NULL,"
	"  actor TEXT NOT NULL DEFAULT '',"
	"  scanned_ms INTEGER NOT NULL DEFAULT 0,"
	"  affected INTEGER NOT NULL DEFAULT 0,"
	"  unknown INTEGER NOT NULL DEFAULT 0,"
	"  unmatchable INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (model, version)"
	") WITHOUT ROWID",
	"CREATE TABLE fw_components ("
	"  build_id TEXT NOT NULL REFERENCES fw_builds (id) ON DELETE CASCADE,"
	"  ref TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  version TEXT NOT NULL DEFAULT '',"
	"  supplier TEXT NOT NULL DEFAULT '',"
	"  purl TEXT NOT NULL DEFAULT '',"
	"  cpe TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (build_id, ref)"
	") WITHOUT ROWID",
	/* vigil_mcomp_keys of each component: which builds a changed
	 * record can touch. */
	"CREATE TABLE fw_component_keys ("
	"  key TEXT NOT NULL,"
	"  build_id TEXT NOT NULL,"
	"  ref TEXT NOT NULL,"
	"  PRIMARY KEY (key, build_id, ref),"
	"  FOREIGN KEY (build_id, ref) REFERENCES fw_components (build_id, ref)"
	"    ON DELETE CASCADE"
	") WITHOUT ROWID",
	/* By component: a partial re-scan's candidates, and the cascade
	 * when a component row goes. */
	"CREATE INDEX fw_component_keys_comp ON fw_component_keys (build_id,"
	"  ref)",

	/* VEX statements with provenance; build_id NULL = every build whose
	 * components the product matches. */
	"CREATE TABLE vex_statements ("
	"  id INTEGER PRIMARY KEY,"
	"  build_id TEXT REFERENCES fw_builds (id) ON DELETE CASCADE,"
	"  vuln TEXT NOT NULL,"               /* upper case */
	"  product TEXT NOT NULL DEFAULT '',"
	"  serial TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL CHECK (state IN ('affected', 'not_affected',"
	"    'fixed', 'under_investigation', 'false_positive')),"
	"  justification TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL DEFAULT '',"
	"  time_ms INTEGER NOT NULL,"
	"  format TEXT NOT NULL,"
	"  document TEXT NOT NULL DEFAULT '',"
	"  imported_ms INTEGER NOT NULL,"
	"  actor TEXT NOT NULL DEFAULT '',"
	/* An exact version or a purl "vers:" range; '' every version. */
	"  versions TEXT NOT NULL DEFAULT '',"
	"  CHECK (state <> 'not_affected' OR justification <> '')"
	")",
	"CREATE INDEX vex_statements_vuln ON vex_statements (vuln)",

	/* Findings per build and component, merged by canonical id; only
	 * affected and unknown outcomes are rows (not-affected ones are
	 * counted in the scan result). */
	"CREATE TABLE fw_findings ("
	"  build_id TEXT NOT NULL REFERENCES fw_builds (id) ON DELETE CASCADE,"
	"  ref TEXT NOT NULL,"
	"  vuln TEXT NOT NULL,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('affected', 'unknown')),"
	"  sources TEXT NOT NULL,"            /* "nvd,osv" */
	"  reason TEXT NOT NULL DEFAULT '',"
	"  fixed TEXT NOT NULL DEFAULT '',"
	"  vex_state TEXT NOT NULL DEFAULT '',"
	"  vex_justification TEXT NOT NULL DEFAULT '',"
	"  vex_detail TEXT NOT NULL DEFAULT '',"
	"  cvss REAL NOT NULL DEFAULT -1,"
	"  priority REAL NOT NULL DEFAULT 0,"
	"  scanned_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (build_id, ref, vuln)"
	") WITHOUT ROWID",
	/* Covering for the per-vulnerability listing (one index pass, no
	 * row lookups) and for reaching the findings of one id. */
	"CREATE INDEX fw_findings_vuln ON fw_findings (vuln, build_id,"
	"  outcome, vex_state, priority, cvss)",

	/* The firmware version each device runs (registry, check-in). */
	"CREATE TABLE device_firmware ("
	"  tenant_id TEXT NOT NULL,"
	"  device_id TEXT NOT NULL,"
	"  version TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 256),"
	"  source TEXT NOT NULL CHECK (source IN ('registry', 'checkin',"
	"    'import')),"
	"  updated_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, device_id),"
	"  FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id)"
	"    ON DELETE CASCADE"
	") WITHOUT ROWID",
	"CREATE INDEX device_firmware_version ON device_firmware (version)",
	"CREATE INDEX devices_model ON devices (model)",

	/* CRA Art. 14 report records and their clocks. */
	"CREATE TABLE cra_reports ("
	"  id TEXT NOT NULL PRIMARY KEY,"     /* UUIDv7 */
	"  kind TEXT NOT NULL CHECK (kind IN ('vulnerability', 'incident')),"
	"  vuln TEXT NOT NULL DEFAULT '',"
	"  model TEXT NOT NULL DEFAULT '',"
	"  trigger TEXT NOT NULL CHECK (trigger IN ('kev', 'analyst',"
	"    'manual')),"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL CHECK (state IN ('open', 'early_warning_sent',"
	"    'notification_sent', 'final_sent', 'closed')),"
	"  aware_ms INTEGER NOT NULL,"
	"  fix_ms INTEGER NOT NULL DEFAULT 0,"
	"  early_warning_ms INTEGER NOT NULL DEFAULT 0,"  /* submitted at */
	"  notification_ms INTEGER NOT NULL DEFAULT 0,"
	"  final_ms INTEGER NOT NULL DEFAULT 0,"
	"  closed_ms INTEGER NOT NULL DEFAULT 0,"
	"  updated_ms INTEGER NOT NULL"
	") WITHOUT ROWID",
	/* One automatic report per (vulnerability, model). */
	"CREATE UNIQUE INDEX cra_reports_vuln_model ON cra_reports (vuln, model)"
	"  WHERE kind = 'vulnerability'",
	NULL
};
