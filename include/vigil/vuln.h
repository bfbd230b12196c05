/*
 * vigil/vuln.h — vulnerability management (issue 7). This first part:
 * version schemes, implemented to their ecosystems' specifications, so
 * that "is version X inside this affected range" has exactly the
 * answer the ecosystem's own tools give.
 *
 *   SemVer 2.0.0 (semver.org; npm/Go/Cargo... purls)
 *   Debian dpkg (deb-version(7): epoch, upstream, revision, '~')
 *   RPM (rpmvercmp: epoch:version-release, '~' and '^')
 *   Alpine apk (apk-tools version.c: digits, letters, suffixes _alpha
 *     _beta _pre _rc < none < _cvs _svn _git _hg _p, -rN)
 *   PEP 440 (Python: epochs, pre/post/dev releases, local versions,
 *     normalisation)
 *   generic (dotted numeric and alphanumeric segments, as OSV's
 *     "generic" ordering and NVD version strings need)
 *
 * Errors say what and where: "SemVer 1.2: expected MAJOR.MINOR.PATCH",
 * "PEP 440 1.0.dev-x: invalid local version label at offset 7".
 */
#ifndef VIGIL_VULN_H
#define VIGIL_VULN_H

#include <stddef.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_VERSION_MAX 256 /* longest version string accepted */

/* Never renumber. */
enum vigil_vscheme {
	VIGIL_VS_NONE = 0,
	VIGIL_VS_SEMVER = 1,
	VIGIL_VS_DPKG = 2,
	VIGIL_VS_RPM = 3,
	VIGIL_VS_APK = 4,
	VIGIL_VS_PEP440 = 5,
	VIGIL_VS_GENERIC = 6,
};

/* "semver", "dpkg", "rpm", "apk", "pep440", "generic"; "none". */
const char *vigil_vscheme_name(enum vigil_vscheme s);
/* The names above (case-insensitive; also "deb", "debian", "alpine",
 * "python", "pypi", "npm"); VIGIL_VS_NONE when unknown. */
enum vigil_vscheme vigil_vscheme_from_name(const char *name);

/* VIGIL_OK when v is a valid version of scheme s, else VIGIL_EINVAL
 * (VIGIL_ERANGE beyond VIGIL_VERSION_MAX) with the reason in err. */
enum vigil_err vigil_version_check(enum vigil_vscheme s, const char *v,
    char *err, size_t errsize);

/*
 * Compares a and b under scheme s: *cmp < 0, 0 or > 0 (normalised to
 * -1, 0, 1). Equal means equal precedence (SemVer build metadata, PEP
 * 440 normalisation, dpkg's "1.0" = "0:1.0"). VIGIL_EINVAL when either
 * is not valid for the scheme (err names which and why).
 */
enum vigil_err vigil_version_cmp(enum vigil_vscheme s, const char *a,
    const char *b, int *cmp /* OUT */, char *err, size_t errsize);

#ifdef __cplusplus
}
#endif
#endif
