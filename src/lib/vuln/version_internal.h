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
#include <stdio.h>

/* Character classes in the C locale (versions are ASCII). */
static inline int
version_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline int
version_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* "<scheme> <version>: <why>" into err (version cut at 80 bytes); -1. */
static inline int
version_fail(char *err, size_t errsize, const char *scheme, const char *v,
    const char *why)
{
	if (err != NULL && errsize > 0)
		snprintf(err, errsize, "%s %.80s: %s", scheme, v, why);
	return -1;
}

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
