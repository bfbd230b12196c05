/*
 * Store operations of the audit area (hash-chained entries and signed
 * checkpoints). Implemented per backend (sqlite_audit.c); reached only
 * through src/lib/audit.
 */
#ifndef VIGIL_STORE_AUDIT_H
#define VIGIL_STORE_AUDIT_H

#include "store_internal.h"
#include "vigil/audit.h"

struct store_audit_ops {
	/* Filled in by the audit area. */
	int placeholder;
};

extern const struct store_audit_ops store_sq_audit_ops;

#endif
