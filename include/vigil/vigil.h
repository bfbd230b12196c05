/*
 * vigil/vigil.h — libvigil, the whole public API in one include.
 *
 * Modules: core (errors, buffers, encodings, time, logging), json
 * (jansson helpers), id (device and product identifiers), store (the
 * database behind an API), registry (tenants and the device inventory).
 */
#ifndef VIGIL_H
#define VIGIL_H

#include "core.h"
#include "id.h"
#include "json.h"
#include "store.h"
#include "registry.h"
#include "iam.h"
#include "audit.h"
#include "pki.h"
#include "vuln.h"
#include "sbom.h"
#include "vulndb.h"
#include "policy.h"
#include "policydb.h"
#include "posture.h"
#include "zt.h"
#include "flow.h"
#include "detect.h"
#include "devmap.h"
#include "alertdb.h"

#define VIGIL_VERSION "0.1.0"

#endif
