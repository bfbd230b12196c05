/*
 * Detection settings (detect.h): the defaults, one table of keys with
 * their bounds and docs, setting a key from text, reading a "key =
 * value" file, and the JSON rendering used by --help and the docs.
 * Every refusal names the key (and the line) and the accepted range.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect_internal.h"

enum ktype { K_UINT, K_U64, K_SIZE, K_DOUBLE, K_NETS, K_PORTS };

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	double min, max;
	const char *doc;
};

#define F(m) offsetof(struct vigil_detect_config, m)

static const struct key keys[] = {
	{ "local_nets", K_NETS, F(nlocal), 0, 0,
	    "Monitored address space, comma-separated CIDRs (replacing the "
	    "default RFC 1918, 100.64.0.0/10, 169.254.0.0/16, fc00::/7). "
	    "Flows with no local endpoint are ignored." },
	{ "infra_nets", K_NETS, F(ninfra), 0, 0,
	    "Infrastructure peers (resolvers, NTP, brokers) that beacon and "
	    "new-destination never report, comma-separated CIDRs." },
	{ "infra_ports", K_PORTS, F(infra_ports), 0, 0,
	    "Destination ports of infrastructure services (\"udp/53\" or "
	    "\"53\"; the protocol is accepted and ignored) excluded from "
	    "beacon and new-destination." },
	{ "scan.hosts", K_UINT, F(scan_hosts), 2, 65535,
	    "Horizontal scan: distinct hosts on one port within "
	    "scan.window_s (Zeek's 25)." },
	{ "scan.ports", K_UINT, F(scan_ports), 2, 65535,
	    "Vertical scan: distinct ports on one host within the window." },
	{ "scan.window_s", K_UINT, F(scan_window_s), 10, 86400,
	    "Scan window in seconds of flow time." },
	{ "beacon.min", K_UINT, F(beacon_min), 3, 60000,
	    "Connections to one destination before periodicity counts." },
	{ "beacon.max_cv", K_DOUBLE, F(beacon_max_cv), 0.001, 2,
	    "Coefficient of variation of the gaps at or below which the "
	    "connections are regular." },
	{ "beacon.max_bytes", K_U64, F(beacon_max_bytes), 1, 1e12,
	    "Mean bytes per connection (both ways) at most for a beacon." },
	{ "beacon.min_gap_s", K_UINT, F(beacon_min_gap_s), 0, 3600,
	    "Connections closer than this are one burst, not beacons." },
	{ "beacon.local_peers", K_UINT, F(beacon_local_peers), 0, 1,
	    "1: regular connections to local hosts count as beacons too "
	    "(an internal relay); 0: only to outside hosts, since local "
	    "polling (SCADA masters, hubs, monitoring) is regular by "
	    "design." },
	{ "ddos.pps", K_UINT, F(ddos_pps), 1, 1e9,
	    "Packets per second (over a minute) to one external target." },
	{ "ddos.flows", K_UINT, F(ddos_flows), 1, 1e9,
	    "Flows in a minute to one external target." },
	{ "spike.factor", K_DOUBLE, F(spike_factor), 1.5, 1e6,
	    "Bytes in an interval above this many times the entity's EWMA "
	    "baseline is a spike." },
	{ "spike.min_bytes", K_U64, F(spike_min_bytes), 0, 4e18,
	    "And above this many bytes." },
	{ "interval_s", K_UINT, F(interval_s), 10, 86400,
	    "Baseline interval in seconds." },
	{ "fleet", K_UINT, F(fleet), 0, 1,
	    "1: devices of one model in one tenant share a profile: once "
	    "the model's fleet has been learning for learning_s, a new "
	    "device is judged against the fleet's destinations and volume "
	    "from its first flow; 0: every device learns alone." },
	{ "attr_refresh_s", K_UINT, F(attr_refresh_s), 10, 86400,
	    "An entity asks who it is again at least this often; changes "
	    "the collector sees (sessions, bindings, devices) are asked "
	    "at once." },
	{ "learning_s", K_UINT, F(learning_s), 0, 31536000,
	    "An entity's learning period: its destinations are learned, "
	    "and new.destination stays quiet, until it has been seen this "
	    "long." },
	{ "new_dest.max", K_UINT, F(new_dest_max), 0, 255,
	    "New-destination alerts per entity and hour at most." },
	{ "exposure_ports", K_PORTS, F(exposure_ports), 0, 0,
	    "Risky services that must not answer from outside (telnet ...)." },
	{ "lateral_ports", K_PORTS, F(lateral_ports), 0, 0,
	    "Admin and file-sharing ports (SMB, RDP, SSH, WinRM, RPC) for "
	    "lateral movement." },
	{ "lateral.hosts", K_UINT, F(lateral_hosts), 1, 8,
	    "Distinct local hosts reached on lateral ports before it fires." },
	{ "shadow.report_s", K_UINT, F(shadow_report_s), 60, 604800,
	    "Shadow endpoints are reported when first seen, then at most "
	    "this often with totals." },
	{ "max_entities", K_SIZE, F(max_entities), 1, 100000000,
	    "Entities tracked at once; about the least recently seen is "
	    "evicted (CLOCK)." },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static const char *const def_local[] = { "10.0.0.0/8", "172.16.0.0/12",
	"192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7" };
static const uint16_t def_infra_ports[] = { 53, 123, 67, 5353, 1900 };
static const uint16_t def_exposure[] = { 23, 2323, 21, 5900, 3389 };
static const uint16_t def_lateral[] = { 445, 139, 3389, 22, 5985, 5986,
	135 };

void
vigil_detect_config_defaults(struct vigil_detect_config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof def_local / sizeof def_local[0]; i++)
		if (vigil_cidr_parse(def_local[i], &c->local[c->nlocal]))
			c->nlocal++;
	memcpy(c->infra_ports, def_infra_ports, sizeof def_infra_ports);
	memcpy(c->exposure_ports, def_exposure, sizeof def_exposure);
	memcpy(c->lateral_ports, def_lateral, sizeof def_lateral);
	c->scan_hosts = 25;
	c->scan_ports = 50;
	c->scan_window_s = 300;
	c->beacon_min = 8;
	c->beacon_max_cv = 0.25;
	c->beacon_max_bytes = 4096;
	c->beacon_min_gap_s = 1;
	c->ddos_pps = 1000;
	c->ddos_flows = 500;
	c->spike_factor = 10;
	c->spike_min_bytes = 10ULL << 20;
	c->interval_s = 300;
	c->attr_refresh_s = 3600;
	c->fleet = 1;
	c->learning_s = 86400;
	c->new_dest_max = 5;
	c->lateral_hosts = 3;
	c->shadow_report_s = 3600;
	c->max_entities = 1000000;
}

static const struct key *
find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* The next comma-separated item of *p, trimmed, into buf. */
static bool
next_item(const char **p, char *buf, size_t size, bool *toolong)
{
	const char *s = *p, *e;
	size_t n;

	*toolong = false;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return false;
	e = strchr(s, ',');
	if (e == NULL)
		e = s + strlen(s);
	*p = *e == ',' ? e + 1 : e;
	n = (size_t)(e - s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= size) {
		*toolong = true;
		n = size - 1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static enum vigil_err
set_nets(struct vigil_detect_config *c, const struct key *k,
    const char *value, char *err, size_t errsize)
{
	struct vigil_cidr tmp[VIGIL_DETECT_NETS_MAX] = { { 0 } };
	size_t n = 0, *count = (size_t *)((char *)c + k->off);
	struct vigil_cidr *dst = k->off == F(nlocal) ? c->local : c->infra;
	const char *p = value;
	char item[64];
	bool toolong;

	while (next_item(&p, item, sizeof item, &toolong)) {
		if (item[0] == '\0')
			continue;
		if (n == VIGIL_DETECT_NETS_MAX)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: more than %d networks", k->name,
			    VIGIL_DETECT_NETS_MAX);
		if (toolong || !vigil_cidr_parse(item, &tmp[n]))
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: '%.48s' is not an address or CIDR with "
			    "zero host bits (\"10.0.0.0/8\", \"fd00::/8\")",
			    k->name, item);
		n++;
	}
	memcpy(dst, tmp, n * sizeof tmp[0]);
	*count = n;
	return VIGIL_OK;
}

static enum vigil_err
set_ports(struct vigil_detect_config *c, const struct key *k,
    const char *value, char *err, size_t errsize)
{
	uint16_t tmp[16] = { 0 }, *dst = (uint16_t *)((char *)c + k->off);
	const char *p = value;
	char item[32];
	size_t n = 0;
	bool toolong;

	while (next_item(&p, item, sizeof item, &toolong)) {
		const char *num = item, *slash = strchr(item, '/');
		char *end;
		unsigned long v;

		if (item[0] == '\0')
			continue;
		if (slash != NULL) {
			size_t pl = (size_t)(slash - item);

			if (!((pl == 3 && (strncasecmp(item, "tcp", 3) == 0 ||
			    strncasecmp(item, "udp", 3) == 0)) ||
			    (pl == 4 && strncasecmp(item, "sctp", 4) == 0)))
				goto bad;
			num = slash + 1;
		}
		if (toolong || !isdigit((unsigned char)num[0]))
			goto bad;
		errno = 0;
		v = strtoul(num, &end, 10);
		if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
			goto bad;
		if (n == 15)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: more than 15 ports", k->name);
		tmp[n++] = (uint16_t)v;
		continue;
bad:
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: '%.32s' is not a port (\"tcp/23\" or \"23\", "
		    "1..65535)", k->name, item);
	}
	memcpy(dst, tmp, sizeof tmp);
	return VIGIL_OK;
}

enum vigil_err
vigil_detect_config_set(struct vigil_detect_config *c, const char *key,
    const char *value, char *err, size_t errsize)
{
	const struct key *k;
	char *end;
	double v;

	if (key == NULL || value == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "missing key or value");
	k = find_key(key);
	if (k == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "unknown key '%.64s' (docs/detection.md lists them)", key);
	if (k->type == K_NETS)
		return set_nets(c, k, value, err, errsize);
	if (k->type == K_PORTS)
		return set_ports(c, k, value, err, errsize);
	while (*value == ' ' || *value == '\t')
		value++;
	errno = 0;
	if (k->type != K_DOUBLE && !isdigit((unsigned char)value[0]))
		goto bad;
	if (k->type == K_DOUBLE && !isdigit((unsigned char)value[0]) &&
	    value[0] != '.')
		goto bad;
	v = strtod(value, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < k->min ||
	    v > k->max)
		goto bad;
	if (k->type != K_DOUBLE && v != floor(v))
		goto bad;
	switch (k->type) {
	case K_UINT:
		*(unsigned *)((char *)c + k->off) = (unsigned)v;
		break;
	case K_U64:
		*(uint64_t *)((char *)c + k->off) = (uint64_t)v;
		break;
	case K_SIZE:
		*(size_t *)((char *)c + k->off) = (size_t)v;
		break;
	default:
		/* memcpy: the field is a double at an offset into c. */
		memcpy((char *)c + k->off, &v, sizeof v);
		break;
	}
	return VIGIL_OK;
bad:
	if (k->type == K_DOUBLE)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: '%.32s' is not a number in %g..%g", k->name, value,
		    k->min, k->max);
	return vigil_seterr(err, errsize, VIGIL_EINVAL,
	    "%s: '%.32s' is not a whole number in %.0f..%.0f", k->name, value,
	    k->min, k->max);
}

#define LINE_MAX_LEN 4096

enum vigil_err
vigil_detect_config_load(struct vigil_detect_config *c, const char *text,
    size_t len, char *err, size_t errsize)
{
	char line[LINE_MAX_LEN + 1], sub[256];
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
		char *k, *eq, *v, *e;
		enum vigil_err rc;

		pos += n + (nl != NULL);
		lineno++;
		if (n > LINE_MAX_LEN)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "line %zu: longer than %d bytes", lineno,
			    LINE_MAX_LEN);
		if (memchr(s, '\0', n) != NULL)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "line %zu: contains a NUL byte", lineno);
		memcpy(line, s, n);
		line[n] = '\0';
		if ((e = strchr(line, '#')) != NULL)
			*e = '\0';
		k = line;
		while (*k == ' ' || *k == '\t' || *k == '\r')
			k++;
		e = k + strlen(k);
		while (e > k && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\r'))
			*--e = '\0';
		if (*k == '\0')
			continue;
		eq = strchr(k, '=');
		if (eq == NULL)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "line %zu: expected \"key = value\"", lineno);
		v = eq + 1;
		while (eq > k && (eq[-1] == ' ' || eq[-1] == '\t'))
			eq--;
		*eq = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (*k == '\0')
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "line %zu: missing key before '='", lineno);
		rc = vigil_detect_config_set(c, k, v, sub, sizeof sub);
		if (rc != VIGIL_OK)
			return vigil_seterr(err, errsize, rc, "line %zu: %s",
			    lineno, sub);
	}
	return VIGIL_OK;
}

static json_t *
render_value(const struct vigil_detect_config *c, const struct key *k)
{
	const char *base = (const char *)c + k->off;
	char buf[VIGIL_DETECT_NETS_MAX * 48];
	size_t len = 0;

	buf[0] = '\0';
	switch (k->type) {
	case K_UINT:
		return json_integer(*(const unsigned *)base);
	case K_U64:
		return json_integer((json_int_t)*(const uint64_t *)base);
	case K_SIZE:
		return json_integer((json_int_t)*(const size_t *)base);
	case K_DOUBLE: {
		double d;

		memcpy(&d, base, sizeof d);
		return json_real(d);
	}
	case K_NETS: {
		const struct vigil_cidr *n = k->off == F(nlocal) ? c->local :
		    c->infra;
		size_t cnt = *(const size_t *)base;
		char a[64];

		for (size_t i = 0; i < cnt && i < VIGIL_DETECT_NETS_MAX; i++) {
			det_addr_str(n[i].family, n[i].addr, a, sizeof a);
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "%s%s/%u", i ? "," : "", a, n[i].prefix);
			if (len >= sizeof buf)
				break;
		}
		return json_string(buf);
	}
	case K_PORTS: {
		const uint16_t *p = (const uint16_t *)base;

		for (size_t i = 0; i < 16 && p[i] != 0; i++)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "%s%u", i ? "," : "", p[i]);
		return json_string(buf);
	}
	}
	return json_null();
}

json_t *
vigil_detect_config_to_json(const struct vigil_detect_config *c)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < NKEYS; i++) {
		json_t *v = render_value(c, &keys[i]);
		json_t *e = v == NULL ? NULL : json_pack("{s:o,s:s}",
		    "value", v, "doc", keys[i].doc);

		if (e == NULL || json_object_set_new(o, keys[i].name, e) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}
