/* SQLite backend of the audit area: schema migration 5, statements, ops. */
#include "sqlite_internal.h"
#include "store_audit.h"

const char *const store_sq_m5_audit[] = {
	"CREATE TABLE audit_placeholder (id INTEGER PRIMARY KEY)",
	NULL
};

const struct store_audit_ops store_sq_audit_ops = { 0 };
