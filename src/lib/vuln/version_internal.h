/*
 * One comparator per version scheme (version_<scheme>.c); version.c
 * dispatches by enum vigil_vscheme. Each check function validates one
 * version (0, or -1 with the reason in err, naming the scheme and the
 * version); each cmp function returns <0, 0, >0 for two versions that
 * passed the check.
 */
#ifndef VIGIL_VERSION_INTERNAL_H
#define VIGIL_VERSION_INTERNAL_H

#include <stddef.h>

int version_semver_check(const char *v, char *err, size_t errsize);
int version_semver_cmp(const char *a, const char *b);
int version_generic_check(const char *v, char *err, size_t errsize);
int version_generic_cmp(const char *a, const char *b);
int version_dpkg_check(const char *v, char *err, size_t errsize);
int version_dpkg_cmp(const char *a, const char *b);
int version_rpm_check(const char *v, char *err, size_t errsize);
int version_rpm_cmp(const char *a, const char *b);
int version_apk_check(const char *v, char *err, size_t errsize);
int version_apk_cmp(const char *a, const char *b);
int version_pep440_check(const char *v, char *err, size_t errsize);
int version_pep440_cmp(const char *a, const char *b);

#endif
