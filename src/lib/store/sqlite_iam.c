/* SQLite backend of the IAM area: schema migration 4, statements, ops. */
#include "sqlite_internal.h"
#include "store_iam.h"

const char *const store_sq_m4_iam[] = {
	"CREATE TABLE iam_placeholder (id INTEGER PRIMARY KEY)",
	NULL
};

const struct store_iam_ops store_sq_iam_ops = { 0 };
