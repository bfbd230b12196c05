/*
 * Store operations of the IAM area (principals, credentials, tokens,
 * failure counters). Implemented per backend (sqlite_iam.c); reached
 * only through src/lib/iam. Scoped operations take the tenant scope;
 * NULL scope = platform (unscoped), used by platform-admin paths only.
 */
#ifndef VIGIL_STORE_IAM_H
#define VIGIL_STORE_IAM_H

#include "store_internal.h"
#include "vigil/iam.h"

struct store_iam_ops {
	/* Filled in by the IAM area. */
	int placeholder;
};

extern const struct store_iam_ops store_sq_iam_ops;

#endif
