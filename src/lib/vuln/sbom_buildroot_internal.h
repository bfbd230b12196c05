/*
 * The Buildroot `make show-info` SBOM reader (sbom_buildroot.c), for
 * the dispatch in sbom.c. Kept apart from sbom_internal.h, which
 * another task owns; it may move there.
 */
#ifndef VIGIL_SBOM_BUILDROOT_INTERNAL_H
#define VIGIL_SBOM_BUILDROOT_INTERNAL_H

#include <stddef.h>

#include "vigil/sbom.h"

enum vigil_err sbom_buildroot_parse(const char *buf, size_t len,
    struct vigil_sbom **out, char *err, size_t errsize);

#endif
