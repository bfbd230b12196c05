/*
 * vigild.conf: the strict parser, the normaliser and the checks of
 * secret files. The keys themselves are in config_keys.c.
 *
 * Strict because a typo in a security setting must stop the daemon at
 * start (or keep the old config on reload) rather than silently fall
 * back to a default: unknown and duplicate keys, values out of range,
 * stray text and control characters are all errors with a line number.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "vigil/detect.h"

#define CONFIG_FILE_MAX 1048576 /* 1 MiB, written out: no int product */
#define CONFIG_VALUE_MAX 4096

/* ---- Value formatting --------------------------------------------- */

/* Sizes and durations are written in the largest unit that divides the
 * value exactly, so the normalised text stays readable ("1M", "8h"). */
static void
fmt_scaled(uint64_t v, const uint64_t *units, const char *suffixes,
    const char *bare, char *buf, size_t size)
{
	for (size_t i = 0; suffixes[i] != '\0'; i++) {
		if (v != 0 && v % units[i] == 0) {
			snprintf(buf, size, "%llu%c",
			    (unsigned long long)(v / units[i]), suffixes[i]);
			return;
		}
	}
	snprintf(buf, size, "%llu%s", (unsigned long long)v, bare);
}

static void
fmt_size(uint64_t v, char *buf, size_t size)
{
	static const uint64_t units[] = { 1024ull * 1024 * 1024,
		1024ull * 1024, 1024ull };

	fmt_scaled(v, units, "GMK", "", buf, size);
}

static void
fmt_duration(uint64_t v, char *buf, size_t size)
{
	static const uint64_t units[] = { 3600, 60 };

	fmt_scaled(v, units, "hm", "s", buf, size);
}

static uint64_t
get_num(const struct config_key *k, const struct vigild_config *c)
{
	const char *p = (const char *)c + k->offset;

	if (k->size == sizeof(size_t) && k->type == CONFIG_SIZE) {
		size_t v;

		memcpy(&v, p, sizeof v);
		return v;
	} else {
		unsigned v;

		memcpy(&v, p, sizeof v);
		return v;
	}
}

static void
set_num(const struct config_key *k, struct vigild_config *c, uint64_t v)
{
	char *p = (char *)c + k->offset;

	if (k->size == sizeof(size_t) && k->type == CONFIG_SIZE) {
		size_t s = (size_t)v;

		memcpy(p, &s, sizeof s);
	} else {
		unsigned u = (unsigned)v;

		memcpy(p, &u, sizeof u);
	}
}

int
config_key_value(const struct config_key *k, const struct vigild_config *c,
    char *buf, size_t size)
{
	char num[32];
	const char *s;
	int n;

	switch (k->type) {
	case CONFIG_UINT:
		snprintf(num, sizeof num, "%llu",
		    (unsigned long long)get_num(k, c));
		s = num;
		break;
	case CONFIG_SIZE:
		fmt_size(get_num(k, c), num, sizeof num);
		s = num;
		break;
	case CONFIG_DURATION:
		fmt_duration(get_num(k, c), num, sizeof num);
		s = num;
		break;
	default:
		s = (const char *)c + k->offset;
		break;
	}
	n = snprintf(buf, size, "%s", s);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

void
config_key_range(const struct config_key *k, char *buf, size_t size)
{
	char lo[32], hi[32];

	switch (k->type) {
	case CONFIG_UINT:
		snprintf(buf, size, "%llu..%llu", (unsigned long long)k->min,
		    (unsigned long long)k->max);
		break;
	case CONFIG_SIZE:
		fmt_size(k->min, lo, sizeof lo);
		fmt_size(k->max, hi, sizeof hi);
		snprintf(buf, size, "%s..%s", lo, hi);
		break;
	case CONFIG_DURATION:
		fmt_duration(k->min, lo, sizeof lo);
		fmt_duration(k->max, hi, sizeof hi);
		snprintf(buf, size, "%s..%s", lo, hi);
		break;
	case CONFIG_ENUM:
		snprintf(buf, size, "%s", k->choices);
		break;
	default:
		if (size > 0)
			buf[0] = '\0';
		break;
	}
}

/* ---- Value parsing ------------------------------------------------ */

/* Decimal digits then an optional unit letter; the unit's factor comes
 * from units ("K" 1024 ...). -1 on syntax, -2 on overflow. */
static int
parse_scaled(const char *s, const char *letters, const uint64_t *factors,
    uint64_t *out)
{
	uint64_t v = 0, f = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -2;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0') {
		const char *u = strchr(letters, *p);

		if (u == NULL || p[1] != '\0')
			return -1;
		f = factors[u - letters];
	}
	if (v != 0 && f > UINT64_MAX / v)
		return -2;
	*out = v * f;
	return 0;
}

int
config_parse_listen(const char *s, struct sockaddr_storage *ss,
    socklen_t *sslen, char *err, size_t errsize)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port_s;
	size_t hl;
	uint64_t port;
	static const uint64_t none[] = { 1 };

	memset(ss, 0, sizeof *ss);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':') {
			snprintf(err, errsize, "'%s' is not [IPv6]:port", s);
			return -1;
		}
		hl = (size_t)(close - s - 1);
		port_s = close + 2;
		if (hl == 0 || hl >= sizeof host)
			goto bad_host;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
	} else {
		if ((colon = strrchr(s, ':')) == NULL) {
			snprintf(err, errsize, "'%s' has no :port", s);
			return -1;
		}
		hl = (size_t)(colon - s);
		port_s = colon + 1;
		if (hl == 0 || hl >= sizeof host || memchr(s, ':', hl))
			goto bad_host;
		memcpy(host, s, hl);
		host[hl] = '\0';
	}
	if (parse_scaled(port_s, "", none, &port) != 0 || port > 65535) {
		snprintf(err, errsize, "port '%s' is not a number 0..65535",
		    port_s);
		return -1;
	}
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad_host;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*sslen = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad_host;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*sslen = sizeof *a;
	}
	return 0;
bad_host:
	snprintf(err, errsize,
	    "'%s' is not an IPv4 address:port or [IPv6 address]:port "
	    "(host names are not accepted)", s);
	return -1;
}

static int
check_user(const char *v, char *err, size_t errsize)
{
	size_t n = strlen(v);

	if (n == 0 || n > 32) {
		snprintf(err, errsize, "'%s' is not a user name (1 to 32 "
		    "characters)", v);
		return -1;
	}
	/* Like Debian's adduser: a name starts with a letter or '_' (so
	 * ".", ".." or "$" are never taken for one). */
	if (!((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z') ||
	    v[0] == '_')) {
		snprintf(err, errsize, "'%s' is not a user name (it must "
		    "start with a letter or '_')", v);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (!(isalnum(ch) || ch == '_' || ch == '.' ||
		    (ch == '-' && i > 0) || (ch == '$' && i == n - 1))) {
			snprintf(err, errsize, "'%s' is not a user name "
			    "(letters, digits, '_', '.', '-')", v);
			return -1;
		}
	}
	if (strcmp(v, "root") == 0) {
		snprintf(err, errsize, "'root' would defeat privilege "
		    "separation; use an unprivileged user");
		return -1;
	}
	return 0;
}

static int
check_enum(const struct config_key *k, const char *v, char *err,
    size_t errsize)
{
	const char *p = k->choices;
	size_t n = strlen(v);

	while (*p != '\0') {
		size_t w = strcspn(p, "|");

		if (w == n && strncmp(p, v, n) == 0)
			return 0;
		p += w;
		if (*p == '|')
			p++;
	}
	snprintf(err, errsize, "'%s' is not one of %s", v, k->choices);
	return -1;
}

/* Sets key k from the text v; err gets the reason on failure. */
static int
set_value(const struct config_key *k, const char *v, struct vigild_config *c,
    char *err, size_t errsize)
{
	static const uint64_t size_f[] = { 1024ull, 1024ull * 1024,
		1024ull * 1024 * 1024, 1024ull, 1024ull * 1024,
		1024ull * 1024 * 1024 };
	static const uint64_t dur_f[] = { 1, 60, 3600 };
	static const uint64_t none[] = { 1 };
	char *dst = (char *)c + k->offset;
	uint64_t n;
	char range[64];
	int rc;

	switch (k->type) {
	case CONFIG_UINT:
	case CONFIG_SIZE:
	case CONFIG_DURATION:
		if (k->type == CONFIG_UINT)
			rc = parse_scaled(v, "", none, &n);
		else if (k->type == CONFIG_SIZE)
			rc = parse_scaled(v, "KMGkmg", size_f, &n);
		else
			rc = parse_scaled(v, "smh", dur_f, &n);
		config_key_range(k, range, sizeof range);
		if (rc == -1) {
			snprintf(err, errsize, "'%s' is not %s", v,
			    k->type == CONFIG_UINT ? "a decimal number" :
			    k->type == CONFIG_SIZE ? "a size (a number with "
			    "an optional K, M or G suffix)" : "a duration "
			    "(a number with an optional s, m or h suffix)");
			return -1;
		}
		if (rc == -2 || n < k->min || n > k->max) {
			snprintf(err, errsize, "%s is out of range %s", v,
			    range);
			return -1;
		}
		set_num(k, c, n);
		return 0;
	case CONFIG_ENUM:
		if (check_enum(k, v, err, errsize) != 0)
			return -1;
		break;
	case CONFIG_USER:
		if (check_user(v, err, errsize) != 0)
			return -1;
		break;
	case CONFIG_STRING:
		for (const char *q = v; *q != '\0'; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f) {
				snprintf(err, errsize, "control character in "
				    "value");
				return -1;
			}
		break;
	case CONFIG_ADDRESS: {
		struct sockaddr_storage ss;
		socklen_t len;

		/* The API listener is mandatory; the others may be off. */
		if (strcmp(v, "off") == 0 && strcmp(k->name, "listen") != 0)
			break;
		if (config_parse_listen(v, &ss, &len, err, errsize) != 0)
			return -1;
		break;
	}
	case CONFIG_PATH:
		/* Optional files (default "": none) may be set back to
		 * none; the normalised text spells them that way. */
		if (v[0] == '\0' && (k->def == NULL || k->def[0] != '\0')) {
			snprintf(err, errsize, "empty path");
			return -1;
		}
		break;
	}
	if (strlen(v) >= k->size) {
		snprintf(err, errsize, "value is longer than %zu bytes",
		    k->size - 1);
		return -1;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* ---- Paths -------------------------------------------------------- */

/* dir + "/" + rel into out (without doubled slashes or leading "./"). */
static int
join_path(const char *dir, const char *rel, char *out, size_t size)
{
	size_t dl = strlen(dir);
	int n;

	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (strcmp(rel, ".") == 0 || rel[0] == '\0') {
		n = snprintf(out, size, "%.*s", (int)dl, dir);
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	n = snprintf(out, size, "%.*s%s%s", (int)dl, dir,
	    dir[dl - 1] == '/' ? "" : "/", rel);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Makes a configured path absolute: relative to base (the config
 * file's directory, or the working directory). */
static int
resolve_path(char *path, size_t size, const char *base)
{
	char tmp[CONFIG_PATH_MAX];

	/* "" is "no file" (radius_secret, zeek_log, detect_config), not
	 * the base directory. */
	if (path[0] == '/' || path[0] == '\0')
		return 0;
	if (join_path(base, path, tmp, sizeof tmp) != 0 ||
	    strlen(tmp) >= size)
		return -1;
	memcpy(path, tmp, strlen(tmp) + 1);
	return 0;
}

/* ---- Defaults ----------------------------------------------------- */

void
config_defaults(struct vigild_config *c)
{
	char err[128];

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->def != NULL)
			(void)set_value(k, k->def, c, err, sizeof err);
	}
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->def == NULL)
			(void)join_path(c->data_dir, k->under,
			    (char *)c + k->offset, k->size);
	}
}

/* ---- The parser --------------------------------------------------- */

static int
perr(char *err, size_t errsize, const char *name, unsigned line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
perr(char *err, size_t errsize, const char *name, unsigned line,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errsize == 0)
		return -1;
	n = line > 0 ? snprintf(err, errsize, "%s:%u: ", name, line) :
	    snprintf(err, errsize, "%s: ", name);
	if (n < 0 || (size_t)n >= errsize)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) :
			    (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
	}
	return prev[lb];
}

/* The known key closest to an unknown one, when it is close enough to
 * be a plausible typo; NULL otherwise. */
static const char *
suggest(const char *key)
{
	char low[64] = ""; /* zeroed: lets the analyzer tie n to strlen(low) */
	size_t n = strlen(key), best = SIZE_MAX;
	const char *name = NULL;

	if (n >= sizeof low)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = key[i] == '-' ? '_' :
		    (char)tolower((unsigned char)key[i]);
	for (size_t i = 0; i < config_nkeys; i++) {
		size_t d = edit_distance(low, config_keys[i].name);

		if (d < best) {
			best = d;
			name = config_keys[i].name;
		}
	}
	return best <= 2 || (best <= 4 && best * 3 <= n) ? name : NULL;
}

/* Splits "key = value" (line without its newline). The value is
 * unquoted into val. Returns 0, 1 for a blank/comment line, -1 with
 * why set. */
static int
split_line(const char *s, size_t len, char *key, size_t keysize, char *val,
    size_t valsize, char *why, size_t whysize)
{
	size_t i = 0, k = 0, v = 0;

	for (size_t j = 0; j < len; j++) {
		unsigned char ch = (unsigned char)s[j];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			snprintf(why, whysize, "control character 0x%02x "
			    "at column %zu", ch, j + 1);
			return -1;
		}
	}
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len || s[i] == '#')
		return 1;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
	    s[i] == '-' || s[i] == '.')) {
		if (k + 1 >= keysize) {
			snprintf(why, whysize, "key is too long");
			return -1;
		}
		key[k++] = s[i++];
	}
	key[k] = '\0';
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (k == 0 || i == len || s[i] != '=') {
		snprintf(why, whysize, "expected 'key = value'");
		return -1;
	}
	i++;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (i == len) {
		snprintf(why, whysize, "%s: missing value (write \"\" for "
		    "an empty one)", key);
		return -1;
	}
	if (s[i] == '"') {
		for (i++; i < len && s[i] != '"'; i++) {
			if (s[i] == '\\') {
				if (i + 1 >= len || (s[i + 1] != '"' &&
				    s[i + 1] != '\\')) {
					snprintf(why, whysize, "%s: only \\\" "
					    "and \\\\ are escapes in quoted "
					    "values", key);
					return -1;
				}
				i++;
			}
			if (v + 1 >= valsize)
				goto too_long;
			val[v++] = s[i];
		}
		if (i >= len) {
			snprintf(why, whysize, "%s: missing closing quote",
			    key);
			return -1;
		}
		if (i + 1 != len) {
			snprintf(why, whysize, "%s: text after the closing "
			    "quote", key);
			return -1;
		}
	} else {
		for (; i < len; i++) {
			if (s[i] == ' ' || s[i] == '\t' || s[i] == '#' ||
			    s[i] == '"') {
				snprintf(why, whysize, "%s: unquoted value "
				    "contains '%s'; quote the value (comments "
				    "go on their own line)", key,
				    s[i] == '\t' ? "\\t" : s[i] == ' ' ? " " :
				    s[i] == '#' ? "#" : "\"");
				return -1;
			}
			if (v + 1 >= valsize)
				goto too_long;
			val[v++] = s[i];
		}
	}
	val[v] = '\0';
	return 0;
too_long:
	snprintf(why, whysize, "%s: value is too long", key);
	return -1;
}

/* pdp_socket_mode: octal, at most 0777, without the world-write bit.
 * 0, or -1 with why. */
static int
check_pdp_mode(const char *s, char *why, size_t whysize)
{
	unsigned long m = 0;
	size_t i;

	for (i = 0; i < 5 && s[i] >= '0' && s[i] <= '7'; i++)
		m = m * 8 + (unsigned long)(s[i] - '0');
	if (i == 0 || s[i] != '\0' || m > 0777) {
		snprintf(why, whysize, "'%s' is not an octal mode (0000 to "
		    "0777, e.g. 0660)", s);
		return -1;
	}
	if ((m & 0002) != 0) {
		snprintf(why, whysize, "%s is world-writable: anyone on the "
		    "host could ask for decisions; use 0660 and "
		    "pdp_socket_group", s);
		return -1;
	}
	return 0;
}

int
config_parse(const char *text, size_t len, const char *name,
    const char *base_dir, struct vigild_config *out, char *err,
    size_t errsize)
{
	struct vigild_config c;
	unsigned seen[64] = { 0 }, line = 0;
	char cwd[CONFIG_PATH_MAX], key[64], why[512];
	char *val;
	size_t pos = 0;
	int rc = -1;

	if (config_nkeys > sizeof seen / sizeof seen[0])
		return perr(err, errsize, name, 0, "key table too large");
	if (base_dir == NULL) {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return perr(err, errsize, name, 0,
			    "cannot get the working directory: %s",
			    strerror(errno));
		base_dir = cwd;
	}
	if (memchr(text, '\0', len) != NULL) {
		const char *z = memchr(text, '\0', len);

		for (const char *p = text; p < z; p++)
			line += *p == '\n';
		return perr(err, errsize, name, line + 1, "NUL byte");
	}
	if ((val = malloc(CONFIG_VALUE_MAX)) == NULL)
		return perr(err, errsize, name, 0, "out of memory");
	config_defaults(&c);
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - s) : len - pos;
		const struct config_key *k;
		size_t idx;
		int r;

		pos += ll + (nl != NULL);
		line++;
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		r = split_line(s, ll, key, sizeof key, val, CONFIG_VALUE_MAX,
		    why, sizeof why);
		if (r == 1)
			continue;
		if (r < 0) {
			perr(err, errsize, name, line, "%s", why);
			goto out;
		}
		if ((k = config_key_find(key)) == NULL) {
			const char *s2 = suggest(key);

			if (s2 != NULL)
				perr(err, errsize, name, line, "unknown key "
				    "'%s' (did you mean '%s'?)", key, s2);
			else
				perr(err, errsize, name, line, "unknown key "
				    "'%s' (vigild --help-config lists the keys)",
				    key);
			goto out;
		}
		idx = (size_t)(k - config_keys);
		if (seen[idx] != 0) {
			perr(err, errsize, name, line, "duplicate key '%s' "
			    "(first set on line %u)", key, seen[idx]);
			goto out;
		}
		seen[idx] = line;
		if (set_value(k, val, &c, why, sizeof why) != 0) {
			perr(err, errsize, name, line, "%s: %s", key, why);
			goto out;
		}
	}

	/* Paths: data_dir first (relative to the config file's
	 * directory), then the others: set ones relative to the same
	 * directory, unset ones under data_dir. */
	{
		size_t dd = (size_t)(config_key_find("data_dir") -
		    config_keys);

		if (resolve_path(c.data_dir, sizeof c.data_dir,
		    base_dir) != 0) {
			perr(err, errsize, name, seen[dd], "data_dir: path "
			    "is too long");
			goto out;
		}
		for (size_t j = 0; j < config_nkeys; j++) {
			const struct config_key *kj = &config_keys[j];
			char *pj = (char *)&c + kj->offset;
			int bad;

			if (kj->type != CONFIG_PATH || j == dd)
				continue;
			if (seen[j] == 0 && kj->under != NULL)
				bad = join_path(c.data_dir, kj->under, pj,
				    kj->size);
			else
				bad = resolve_path(pj, kj->size, base_dir);
			if (bad != 0) {
				perr(err, errsize, name, seen[j] ? seen[j] :
				    seen[dd], "%s: path is too long",
				    kj->name);
				goto out;
			}
		}
	}
	/* The gateway presents the API's certificate unless told
	 * otherwise. */
	if (seen[config_key_find("gateway_cert") - config_keys] == 0)
		memcpy(c.gateway_cert, c.tls_cert, sizeof c.gateway_cert);
	if (seen[config_key_find("gateway_key") - config_keys] == 0)
		memcpy(c.gateway_key, c.tls_key, sizeof c.gateway_key);
	if (c.token_ttl_s > c.max_token_ttl_s) {
		const struct config_key *kt = config_key_find("token_ttl_s");
		const struct config_key *km =
		    config_key_find("max_token_ttl_s");
		char a[32], b[32];
		unsigned l1 = seen[kt - config_keys];
		unsigned l2 = seen[km - config_keys];

		fmt_duration(c.token_ttl_s, a, sizeof a);
		fmt_duration(c.max_token_ttl_s, b, sizeof b);
		perr(err, errsize, name, l1 > l2 ? l1 : l2, "token_ttl_s %s "
		    "exceeds max_token_ttl_s %s", a, b);
		goto out;
	}
	/* Whoever can connect to the decision point may ask about any
	 * device: the socket is never open to everyone. */
	if (check_pdp_mode(c.pdp_socket_mode, why, sizeof why) != 0) {
		perr(err, errsize, name, seen[config_key_find(
		    "pdp_socket_mode") - config_keys], "pdp_socket_mode: %s",
		    why);
		goto out;
	}
	*out = c;
	rc = 0;
out:
	free(val);
	return rc;
}

int
config_load(const char *path, struct vigild_config *out, char *err,
    size_t errsize)
{
	char base[CONFIG_PATH_MAX], *text = NULL, *slash;
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return perr(err, errsize, path, 0, "%s", strerror(errno));
	if (fstat(fd, &st) != 0) {
		perr(err, errsize, path, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		perr(err, errsize, path, 0, "not a regular file");
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		perr(err, errsize, path, 0, "writable by group or others "
		    "(mode %04o); run chmod go-w on it",
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		perr(err, errsize, path, 0, "larger than %d bytes",
		    CONFIG_FILE_MAX);
		goto out;
	}
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		perr(err, errsize, path, 0, "out of memory");
		goto out;
	}
	while ((n = read(fd, text + len, CONFIG_FILE_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perr(err, errsize, path, 0, "%s", strerror(errno));
			goto out;
		}
		len += (size_t)n;
		if (len > CONFIG_FILE_MAX) {
			perr(err, errsize, path, 0, "larger than %d bytes",
			    CONFIG_FILE_MAX);
			goto out;
		}
	}
	/* Relative paths in the file are relative to the file. */
	if (path[0] == '/') {
		snprintf(base, sizeof base, "%s", path);
	} else {
		char cwd[CONFIG_PATH_MAX];

		if (getcwd(cwd, sizeof cwd) == NULL ||
		    join_path(cwd, path, base, sizeof base) != 0) {
			perr(err, errsize, path, 0, "path is too long");
			goto out;
		}
	}
	slash = strrchr(base, '/');
	if (slash == base)
		slash[1] = '\0';
	else
		*slash = '\0';
	rc = config_parse(text, len, path, base, out, err, errsize);
out:
	free(text);
	close(fd);
	return rc;
}

/* A secret file must exist, be a regular file owned by the user vigild
 * runs as, and give group and others no access at all. */
static int
check_secret(const char *key, const char *path, char *err, size_t errsize)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return perr(err, errsize, key, 0, "%s: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return perr(err, errsize, key, 0, "%s: not a regular file",
		    path);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return perr(err, errsize, key, 0, "%s: readable or writable "
		    "by group or others (mode %04o); run chmod 600 on it",
		    path, (unsigned)(st.st_mode & 07777));
	/* The workers' user owns the data directory; a key it planted
	 * there would be owned by it, not by the user vigild starts as. */
	if (st.st_uid != geteuid())
		return perr(err, errsize, key, 0, "%s: owned by uid %u, not "
		    "by uid %u that vigild runs as", path,
		    (unsigned)st.st_uid, (unsigned)geteuid());
	return 0;
}

/* The detection settings the collector will load: a wrong file is an
 * error at `vigild -n` rather than a collector that cannot start. */
static int
check_detect_config(const char *path, char *err, size_t errsize)
{
	struct vigil_detect_config dc;
	char *text, why[512];
	size_t len = 0;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return perr(err, errsize, "detect_config", 0, "%s: %s", path,
		    strerror(errno));
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		close(fd);
		return perr(err, errsize, "detect_config", 0, "out of "
		    "memory");
	}
	while (len <= CONFIG_FILE_MAX && (n = read(fd, text + len,
	    CONFIG_FILE_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perr(err, errsize, "detect_config", 0, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len > CONFIG_FILE_MAX) {
		perr(err, errsize, "detect_config", 0, "%s: larger than %d "
		    "bytes", path, CONFIG_FILE_MAX);
		goto out;
	}
	vigil_detect_config_defaults(&dc);
	if (vigil_detect_config_load(&dc, text, len, why,
	    sizeof why) != VIGIL_OK) {
		perr(err, errsize, "detect_config", 0, "%s: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	free(text);
	close(fd);
	return rc;
}

int
config_check_files(const struct vigild_config *c, char *err, size_t errsize)
{
	struct stat st;

	if (check_secret("tls_key", c->tls_key, err, errsize) != 0 ||
	    check_secret("audit_key", c->audit_key, err, errsize) != 0)
		return -1;
	if (strcmp(c->gateway_listen, "off") != 0 &&
	    check_secret("gateway_key", c->gateway_key, err, errsize) != 0)
		return -1;
	/* The collector answers RADIUS accounting only with a shared
	 * secret, which is a secret like the keys. */
	if (strcmp(c->radius_listen, "off") != 0 &&
	    c->radius_secret[0] == '\0')
		return perr(err, errsize, "radius_listen", 0, "is set but "
		    "radius_secret is not: accounting requests cannot be "
		    "verified without the shared secret");
	if (c->radius_secret[0] != '\0' &&
	    check_secret("radius_secret", c->radius_secret, err,
	    errsize) != 0)
		return -1;
	if (c->detect_config[0] != '\0' &&
	    check_detect_config(c->detect_config, err, errsize) != 0)
		return -1;
	if (stat(c->tls_cert, &st) != 0)
		return perr(err, errsize, "tls_cert", 0, "%s: %s",
		    c->tls_cert, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return perr(err, errsize, "tls_cert", 0,
		    "%s: not a regular file", c->tls_cert);
	return 0;
}

/* ---- Normalised text ---------------------------------------------- */

static bool
needs_quotes(const char *v)
{
	if (v[0] == '\0')
		return true;
	for (; *v != '\0'; v++)
		if (*v == ' ' || *v == '\t' || *v == '#' || *v == '"' ||
		    *v == '\\')
			return true;
	return false;
}

int
config_format(const struct vigild_config *c, char *buf, size_t size)
{
	char v[CONFIG_PATH_MAX];
	size_t len = 0;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		bool q;
		int n;

		if (config_key_value(k, c, v, sizeof v) < 0)
			return -1;
		q = needs_quotes(v);
		n = snprintf(buf + len, size - len, "%s = %s", k->name,
		    q ? "\"" : "");
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
		for (const char *p = v; *p != '\0'; p++) {
			if (len + 3 >= size)
				return -1;
			if (q && (*p == '"' || *p == '\\'))
				buf[len++] = '\\';
			buf[len++] = *p;
		}
		n = snprintf(buf + len, size - len, "%s\n", q ? "\"" : "");
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	return (int)len;
}

void
config_restart_needed(const struct vigild_config *old,
    const struct vigild_config *new_, char *buf, size_t size)
{
	char a[CONFIG_PATH_MAX], b[CONFIG_PATH_MAX];
	size_t len = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		int n;

		if (k->reloadable)
			continue;
		if (config_key_value(k, old, a, sizeof a) < 0 ||
		    config_key_value(k, new_, b, sizeof b) < 0 ||
		    strcmp(a, b) == 0)
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
		    k->name);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += (size_t)n;
	}
}
