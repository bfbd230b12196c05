/*
 * Version schemes: names, and the entry points of include/vigil/vuln.h
 * that bound the input (NULL, empty, longer than VIGIL_VERSION_MAX)
 * and dispatch to each scheme's check/cmp pair (version_internal.h).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "vigil/vuln.h"
#include "version_internal.h"

struct scheme {
	enum vigil_vscheme id;
	const char *name;
	int (*check)(const char *v, char *err, size_t errsize);
	int (*cmp)(const char *a, const char *b);
};

/* Indexed by enum vigil_vscheme (never renumbered). */
static const struct scheme schemes[] = {
	{ VIGIL_VS_NONE, "none", NULL, NULL },
	{ VIGIL_VS_SEMVER, "semver", version_semver_check,
	    version_semver_cmp },
	{ VIGIL_VS_DPKG, "dpkg", version_dpkg_check, version_dpkg_cmp },
	{ VIGIL_VS_RPM, "rpm", version_rpm_check, version_rpm_cmp },
	{ VIGIL_VS_APK, "apk", version_apk_check, version_apk_cmp },
	{ VIGIL_VS_PEP440, "pep440", version_pep440_check,
	    version_pep440_cmp },
	{ VIGIL_VS_GENERIC, "generic", version_generic_check,
	    version_generic_cmp },
};
#define NSCHEMES (sizeof schemes / sizeof schemes[0])

/* Other spellings: the ecosystems' and distributions' own names. */
static const struct {
	const char *alias;
	enum vigil_vscheme id;
} aliases[] = {
	{ "npm", VIGIL_VS_SEMVER },
	{ "deb", VIGIL_VS_DPKG },
	{ "debian", VIGIL_VS_DPKG },
	{ "alpine", VIGIL_VS_APK },
	{ "python", VIGIL_VS_PEP440 },
	{ "pypi", VIGIL_VS_PEP440 },
};

const char *
vigil_vscheme_name(enum vigil_vscheme s)
{
	if ((unsigned)s >= NSCHEMES)
		return "none";
	return schemes[s].name;
}

enum vigil_vscheme
vigil_vscheme_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_VS_NONE;
	/* From 1: "none" is not a scheme one can ask for. */
	for (size_t i = 1; i < NSCHEMES; i++)
		if (strcasecmp(name, schemes[i].name) == 0)
			return schemes[i].id;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcasecmp(name, aliases[i].alias) == 0)
			return aliases[i].id;
	return VIGIL_VS_NONE;
}

/*
 * The schemes echo the version in their messages; the version comes
 * from outside (SBOMs, feeds), so bytes that are not printable ASCII
 * become '?' before the text reaches a log or a terminal.
 */
static void
err_sanitise(char *err, size_t errsize)
{
	if (err == NULL || errsize == 0)
		return;
	for (char *p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

/* Common checks, then the scheme's own. which is "" or "a: "/"b: ". */
static enum vigil_err
check_one(const struct scheme *sc, const char *v, const char *which,
    char *err, size_t errsize)
{
	char why[VIGIL_VERSION_MAX + 128];

	if (v == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s%s: no version", which, sc->name);
	if (v[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s%s: empty version", which, sc->name);
	if (strnlen(v, VIGIL_VERSION_MAX + 1) > VIGIL_VERSION_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "%s%s: version longer than %d characters", which,
		    sc->name, VIGIL_VERSION_MAX);
	why[0] = '\0';
	if (sc->check(v, why, sizeof why) != 0) {
		vigil_seterr(err, errsize, VIGIL_EINVAL, "%s%s", which,
		    why[0] != '\0' ? why : "invalid version");
		err_sanitise(err, errsize);
		return VIGIL_EINVAL;
	}
	return VIGIL_OK;
}

static const struct scheme *
scheme_get(enum vigil_vscheme s, char *err, size_t errsize)
{
	if ((unsigned)s == VIGIL_VS_NONE || (unsigned)s >= NSCHEMES) {
		vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "unknown version scheme %d", (int)s);
		return NULL;
	}
	return &schemes[s];
}

enum vigil_err
vigil_version_check(enum vigil_vscheme s, const char *v, char *err,
    size_t errsize)
{
	const struct scheme *sc = scheme_get(s, err, errsize);

	if (sc == NULL)
		return VIGIL_EINVAL;
	return check_one(sc, v, "", err, errsize);
}

enum vigil_err
vigil_version_cmp(enum vigil_vscheme s, const char *a, const char *b,
    int *cmp, char *err, size_t errsize)
{
	const struct scheme *sc = scheme_get(s, err, errsize);
	enum vigil_err rc;
	int c;

	if (cmp != NULL)
		*cmp = 0;
	if (sc == NULL)
		return VIGIL_EINVAL;
	if (cmp == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: no result pointer", sc->name);
	if ((rc = check_one(sc, a, "a: ", err, errsize)) != VIGIL_OK ||
	    (rc = check_one(sc, b, "b: ", err, errsize)) != VIGIL_OK)
		return rc;
	c = sc->cmp(a, b);
	*cmp = c < 0 ? -1 : c > 0 ? 1 : 0;
	return VIGIL_OK;
}
