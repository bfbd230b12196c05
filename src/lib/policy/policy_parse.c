/*
 * vigil_policy_parse: reads and validates one policy document
 * (include/vigil/policy.h), refusing anything it does not understand
 * with the JSON path of the offending value.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"
#include "vigil/json.h"

#define PATH_MAX_LEN 192

struct pctx {
	char *err;
	size_t errsize;
};

static const char *const cond_keys[] = {
	VIGIL_KEY_QUARANTINED, VIGIL_KEY_FIRMWARE_CURRENT,
	VIGIL_KEY_RISK_SCORE, VIGIL_KEY_CERT_AGE_DAYS,
	VIGIL_KEY_LAST_CHECKIN_S, VIGIL_KEY_SOURCE_IP, VIGIL_KEY_COUNTRY,
	VIGIL_KEY_TIME,
};

static const char *const mqtt_names[] = {
	"Connect", "Publish", "Subscribe", "Receive", "*",
};

static const char *const plain_vars[] = {
	"device.id", "device.tenant", "device.model", "cert.urn",
	"client.id",
};

static void path_fmt(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A JSON path into buf; a path too long for it is cut short. */
static void
path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(buf, size, fmt, ap) < 0)
		buf[0] = '\0';
	va_end(ap);
}

/* Copies a JSON string, refusing embedded NULs. */
static enum vigil_err
dup_json_str(const json_t *v, const char *path, struct pctx *c, char **out)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	*out = NULL;
	if (strlen(s) != n)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: contains a NUL character", path);
	*out = strdup(s);
	if (*out == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_ENOMEM,
		    "%s: out of memory", path);
	return VIGIL_OK;
}

/* ---- actions ------------------------------------------------------ */

static enum vigil_err
check_action(const char *a, const char *path, struct pctx *c)
{
	const char *colon, *name;
	size_t slen;

	if (a == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: missing", path);
	colon = strchr(a, ':');
	if (strcmp(a, "*") == 0)
		return VIGIL_OK;
	if (colon == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: '%s' is not service:Name", path, a);
	slen = (size_t)(colon - a);
	name = colon + 1;
	if (!((slen == 4 && strncmp(a, "mqtt", 4) == 0) ||
	    (slen == 6 && strncmp(a, "device", 6) == 0) ||
	    (slen == 3 && strncmp(a, "api", 3) == 0)))
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: '%s': service must be mqtt, device or api", path, a);
	if (name[0] == '\0')
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: '%s' has no action name", path, a);
	for (const char *p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '*'))
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: '%s': action names are letters, digits "
			    "or '*'", path, a);
	}
	if (slen == 4) {
		for (size_t i = 0; i < sizeof mqtt_names /
		    sizeof mqtt_names[0]; i++)
			if (strcmp(name, mqtt_names[i]) == 0)
				return VIGIL_OK;
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: '%s': MQTT actions are Connect, Publish, Subscribe, "
		    "Receive or *", path, a);
	}
	return VIGIL_OK;
}

/* ---- resources ---------------------------------------------------- */

static int
known_var(const char *v, size_t n)
{
	static const char label[] = "device.label.";
	size_t ll = sizeof label - 1;

	for (size_t i = 0; i < sizeof plain_vars / sizeof plain_vars[0]; i++)
		if (strlen(plain_vars[i]) == n &&
		    strncmp(v, plain_vars[i], n) == 0)
			return 1;
	if (n <= ll || strncmp(v, label, ll) != 0)
		return 0;
	for (size_t i = ll; i < n; i++) {
		char ch = v[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		    ch == '.'))
			return 0;
	}
	return 1;
}

/* Checks the variables of body and writes it to out with each variable
 * replaced by "v" (one topic level's worth of text). */
static enum vigil_err
check_vars(const char *body, char *out, size_t outsize, const char *path,
    struct pctx *c)
{
	size_t o = 0;

	for (const char *p = body; *p != '\0';) {
		if (p[0] == '$' && p[1] == '{') {
			const char *end = strchr(p + 2, '}');

			if (end == NULL)
				return vigil_seterr(c->err, c->errsize,
				    VIGIL_EINVAL, "%s: unterminated variable "
				    "in '%s'", path, body);
			if (!known_var(p + 2, (size_t)(end - p - 2)))
				return vigil_seterr(c->err, c->errsize,
				    VIGIL_EINVAL, "%s: unknown variable "
				    "'%.*s' in '%s'", path,
				    (int)(end - p + 1), p, body);
			if (o + 1 < outsize)
				out[o++] = 'v';
			p = end + 1;
			continue;
		}
		if (o + 1 < outsize)
			out[o++] = *p;
		p++;
	}
	out[o] = '\0';
	return VIGIL_OK;
}

static enum vigil_err
check_resource(const char *r, const char *path, struct pctx *c)
{
	static const char *const prefixes[] = {
		"topic:", "topicfilter:", "client:", "api:", "device:",
	};
	char sub[1024];
	enum vigil_err rc;
	size_t i, n = sizeof prefixes / sizeof prefixes[0];
	const char *body = NULL;

	if (r == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: missing", path);
	if (strcmp(r, "*") == 0)
		return VIGIL_OK;
	for (i = 0; i < n; i++)
		if (strncmp(r, prefixes[i], strlen(prefixes[i])) == 0) {
			body = r + strlen(prefixes[i]);
			break;
		}
	if (body == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: '%s' is not \"*\" nor prefixed with topic:, "
		    "topicfilter:, client:, api: or device:", path, r);
	if (body[0] == '\0')
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: '%s' has an empty pattern", path, r);
	if (strlen(body) >= sizeof sub)
		return vigil_seterr(c->err, c->errsize, VIGIL_ERANGE,
		    "%s: pattern longer than %zu bytes", path,
		    sizeof sub - 1);
	rc = check_vars(body, sub, sizeof sub, path, c);
	if (rc != VIGIL_OK)
		return rc;
	/* With each variable as one plain level (mqtt_topic.c). */
	if (i <= 1 && vigil_mqtt_check(sub, 1, NULL, 0) != VIGIL_OK)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: '%s' is not a valid MQTT topic filter", path, r);
	return VIGIL_OK;
}

/* ---- string lists (Action, Resource) ------------------------------ */

typedef enum vigil_err (*item_check)(const char *, const char *,
    struct pctx *);

static enum vigil_err
parse_list(const json_t *v, const char *path, item_check chk,
    struct pctx *c, char ***out, size_t *nout)
{
	char ip[PATH_MAX_LEN];
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	enum vigil_err rc;

	if (!json_is_string(v) && !json_is_array(v))
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: must be a string or an array of strings", path);
	if (n == 0)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: must not be empty", path);
	if (n > VIGIL_POLICY_VALUES_MAX)
		return vigil_seterr(c->err, c->errsize, VIGIL_ERANGE,
		    "%s: %zu entries, at most %d", path, n,
		    VIGIL_POLICY_VALUES_MAX);
	*out = calloc(n, sizeof **out);
	if (*out == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_ENOMEM,
		    "%s: out of memory", path);
	*nout = n;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;

		if (json_is_array(v))
			path_fmt(ip, sizeof ip, "%s[%zu]", path, i);
		else
			path_fmt(ip, sizeof ip, "%s", path);
		if (!json_is_string(e))
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: must be a string", ip);
		rc = dup_json_str(e, ip, c, &(*out)[i]);
		if (rc != VIGIL_OK)
			return rc;
		rc = chk((*out)[i], ip, c);
		if (rc != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

/* ---- conditions --------------------------------------------------- */

static enum vigil_err
check_value(enum vigil_cond_op op, const char *v, const char *path,
    struct pctx *c)
{
	struct policy_ipnet net;
	double num;
	int64_t ms;

	switch (op) {
	case VIGIL_COND_NUMERIC_EQUALS:
	case VIGIL_COND_NUMERIC_NOT_EQUALS:
	case VIGIL_COND_NUMERIC_LESS_THAN:
	case VIGIL_COND_NUMERIC_LESS_THAN_EQUALS:
	case VIGIL_COND_NUMERIC_GREATER_THAN:
	case VIGIL_COND_NUMERIC_GREATER_THAN_EQUALS:
		if (!policy_read_number(v, &num))
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: '%s' is not a number", path, v);
		break;
	case VIGIL_COND_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: '%s' is not true or false", path, v);
		break;
	case VIGIL_COND_IP_ADDRESS:
	case VIGIL_COND_NOT_IP_ADDRESS:
		if (!policy_read_ip(v, &net, 1))
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: '%s' is not an IP address or CIDR", path, v);
		break;
	case VIGIL_COND_DATE_EQUALS:
	case VIGIL_COND_DATE_NOT_EQUALS:
	case VIGIL_COND_DATE_LESS_THAN:
	case VIGIL_COND_DATE_LESS_THAN_EQUALS:
	case VIGIL_COND_DATE_GREATER_THAN:
	case VIGIL_COND_DATE_GREATER_THAN_EQUALS:
		if (!policy_read_date(v, &ms))
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: '%s' is not an RFC 3339 time or epoch "
			    "seconds", path, v);
		break;
	default:
		break;
	}
	return VIGIL_OK;
}

/* One scalar of a condition as text (numbers and bools stringified). */
static enum vigil_err
scalar_text(const json_t *e, const char *path, struct pctx *c, char **out)
{
	char num[64];

	*out = NULL;
	if (json_is_string(e))
		return dup_json_str(e, path, c, out);
	if (json_is_integer(e))
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(e));
	else if (json_is_real(e)) {
		/* The shortest form that reads back as the same double. */
		double d = json_real_value(e);

		if (snprintf(num, sizeof num, "%.15g", d) < 0 ||
		    strtod(num, NULL) != d)
			snprintf(num, sizeof num, "%.17g", d);
	}
	else if (json_is_boolean(e))
		snprintf(num, sizeof num, "%s",
		    json_is_true(e) ? "true" : "false");
	else
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: must be a string, number or boolean", path);
	*out = strdup(num);
	if (*out == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_ENOMEM,
		    "%s: out of memory", path);
	return VIGIL_OK;
}

static enum vigil_err
parse_cond(enum vigil_cond_op op, const char *key, const json_t *v,
    const char *path, struct pctx *c, struct vigil_cond *out)
{
	char ip[PATH_MAX_LEN];
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	enum vigil_err rc;
	size_t k;

	out->op = op;
	out->key = strdup(key);
	if (out->key == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_ENOMEM,
		    "%s: out of memory", path);
	for (k = 0; k < sizeof cond_keys / sizeof cond_keys[0]; k++)
		if (strcmp(key, cond_keys[k]) == 0)
			break;
	if (k == sizeof cond_keys / sizeof cond_keys[0])
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: unknown condition key", path);
	if (n > VIGIL_POLICY_VALUES_MAX)
		return vigil_seterr(c->err, c->errsize, VIGIL_ERANGE,
		    "%s: %zu values, at most %d", path, n,
		    VIGIL_POLICY_VALUES_MAX);
	if (n > 0) {
		out->values = calloc(n, sizeof *out->values);
		if (out->values == NULL)
			return vigil_seterr(c->err, c->errsize, VIGIL_ENOMEM,
			    "%s: out of memory", path);
	}
	out->nvalues = n;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;

		if (json_is_array(v))
			path_fmt(ip, sizeof ip, "%s[%zu]", path, i);
		else
			path_fmt(ip, sizeof ip, "%s", path);
		rc = scalar_text(e, ip, c, &out->values[i]);
		if (rc != VIGIL_OK)
			return rc;
		rc = check_value(op, out->values[i], ip, c);
		if (rc != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

static int
op_from_name(const char *name)
{
	for (int i = 1; i <= POLICY_OP_MAX; i++)
		if (strcmp(name, policy_op_names[i]) == 0)
			return i;
	return 0;
}

static enum vigil_err
parse_conditions(const json_t *v, const char *path, struct pctx *c,
    struct vigil_statement *s)
{
	char op_path[PATH_MAX_LEN], key_path[PATH_MAX_LEN];
	const char *opname, *key;
	const json_t *ov, *kv;
	size_t total = 0;
	enum vigil_err rc;

	if (!json_is_object(v))
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: must be an object of operators", path);
	json_object_foreach((json_t *)v, opname, ov) {
		size_t ol = strlen(opname);

		path_fmt(op_path, sizeof op_path, "%s.%s", path, opname);
		if (op_from_name(opname) == 0 && ol > 8 &&
		    strcmp(opname + ol - 8, "IfExists") == 0)
			return vigil_seterr(c->err, c->errsize,
			    VIGIL_EUNSUPPORTED, "%s: *IfExists operators "
			    "are not supported", op_path);
		if (op_from_name(opname) == 0)
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: unknown condition operator", op_path);
		if (!json_is_object(ov))
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: must be an object of keys", op_path);
		total += json_object_size(ov);
	}
	if (total == 0)
		return VIGIL_OK;
	s->conds = calloc(total, sizeof *s->conds);
	if (s->conds == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_ENOMEM,
		    "%s: out of memory", path);
	json_object_foreach((json_t *)v, opname, ov) {
		int op = op_from_name(opname);

		path_fmt(op_path, sizeof op_path, "%s.%s", path, opname);
		json_object_foreach((json_t *)ov, key, kv) {
			path_fmt(key_path, sizeof key_path, "%s.%s", op_path,
			    key);
			rc = parse_cond((enum vigil_cond_op)op, key, kv,
			    key_path, c, &s->conds[s->nconds++]);
			if (rc != VIGIL_OK)
				return rc;
		}
	}
	return VIGIL_OK;
}

/* ---- statements and document -------------------------------------- */

static enum vigil_err
parse_statement(const json_t *o, const char *path, struct pctx *c,
    struct vigil_statement *s)
{
	char kp[PATH_MAX_LEN];
	const char *key;
	const json_t *v;
	enum vigil_err rc;

	if (!json_is_object(o))
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	json_object_foreach((json_t *)o, key, v) {
		if (strcmp(key, "NotAction") == 0 ||
		    strcmp(key, "NotResource") == 0 ||
		    strcmp(key, "Principal") == 0 ||
		    strcmp(key, "NotPrincipal") == 0)
			return vigil_seterr(c->err, c->errsize,
			    VIGIL_EUNSUPPORTED, "%s.%s: not supported", path,
			    key);
		if (strcmp(key, "Sid") != 0 && strcmp(key, "Effect") != 0 &&
		    strcmp(key, "Action") != 0 &&
		    strcmp(key, "Resource") != 0 &&
		    strcmp(key, "Condition") != 0)
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s.%s: unknown key", path, key);
	}
	v = json_object_get(o, "Sid");
	path_fmt(kp, sizeof kp, "%s.Sid", path);
	if (v != NULL && !json_is_string(v))
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: must be a string", kp);
	if (v != NULL) {
		rc = dup_json_str(v, kp, c, &s->sid);
	} else {
		s->sid = strdup("");
		rc = s->sid == NULL ? vigil_seterr(c->err, c->errsize,
		    VIGIL_ENOMEM, "%s: out of memory", kp) : VIGIL_OK;
	}
	if (rc != VIGIL_OK)
		return rc;
	v = json_object_get(o, "Effect");
	if (v == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s.Effect: missing", path);
	if (json_is_string(v) && strcmp(json_string_value(v), "Allow") == 0)
		s->effect = VIGIL_EFFECT_ALLOW;
	else if (json_is_string(v) &&
	    strcmp(json_string_value(v), "Deny") == 0)
		s->effect = VIGIL_EFFECT_DENY;
	else
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s.Effect: must be \"Allow\" or \"Deny\"", path);
	v = json_object_get(o, "Action");
	path_fmt(kp, sizeof kp, "%s.Action", path);
	if (v == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: missing", kp);
	rc = parse_list(v, kp, check_action, c, &s->actions, &s->nactions);
	if (rc != VIGIL_OK)
		return rc;
	v = json_object_get(o, "Resource");
	path_fmt(kp, sizeof kp, "%s.Resource", path);
	if (v == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "%s: missing", kp);
	rc = parse_list(v, kp, check_resource, c, &s->resources,
	    &s->nresources);
	if (rc != VIGIL_OK)
		return rc;
	v = json_object_get(o, "Condition");
	if (v == NULL)
		return VIGIL_OK;
	path_fmt(kp, sizeof kp, "%s.Condition", path);
	return parse_conditions(v, kp, c, s);
}

static enum vigil_err
parse_doc(const json_t *root, struct pctx *c, struct vigil_policy *p)
{
	char sp[PATH_MAX_LEN];
	const json_t *st, *v;
	const char *key;
	size_t n;
	enum vigil_err rc;

	if (!json_is_object(root))
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "policy: must be a JSON object");
	json_object_foreach((json_t *)root, key, v) {
		if (strcmp(key, "Version") != 0 &&
		    strcmp(key, "Statement") != 0)
			return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
			    "%s: unknown key", key);
	}
	v = json_object_get(root, "Version");
	if (v != NULL && !json_is_string(v))
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "Version: must be a string");
	if (v != NULL) {
		rc = dup_json_str(v, "Version", c, &p->version);
		if (rc != VIGIL_OK)
			return rc;
	} else {
		p->version = strdup("");
		if (p->version == NULL)
			return vigil_seterr(c->err, c->errsize, VIGIL_ENOMEM,
			    "Version: out of memory");
	}
	st = json_object_get(root, "Statement");
	if (st == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "Statement: missing");
	if (!json_is_object(st) && !json_is_array(st))
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "Statement: must be an object or an array");
	n = json_is_array(st) ? json_array_size(st) : 1;
	if (n == 0)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "Statement: must not be empty");
	if (n > VIGIL_POLICY_STATEMENTS_MAX)
		return vigil_seterr(c->err, c->errsize, VIGIL_ERANGE,
		    "Statement: %zu statements, at most %d", n,
		    VIGIL_POLICY_STATEMENTS_MAX);
	p->statements = calloc(n, sizeof *p->statements);
	if (p->statements == NULL)
		return vigil_seterr(c->err, c->errsize, VIGIL_ENOMEM,
		    "Statement: out of memory");
	for (size_t i = 0; i < n; i++) {
		p->nstatements = i + 1;
		path_fmt(sp, sizeof sp, "Statement[%zu]", i);
		rc = parse_statement(json_is_array(st) ?
		    json_array_get(st, i) : st, sp, c, &p->statements[i]);
		if (rc != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

enum vigil_err
vigil_policy_parse(const char *json, size_t len, struct vigil_policy **out,
    char *err, size_t errsize)
{
	struct pctx c = { err, errsize };
	struct vigil_policy *p;
	json_t *root = NULL;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (out == NULL || (json == NULL && len > 0))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "policy: no document");
	if (len > VIGIL_POLICY_DOC_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "policy: %zu bytes, at most %u", len,
		    VIGIL_POLICY_DOC_MAX);
	rc = vigil_json_loadb(json != NULL ? json : "", len, &root, err,
	    errsize);
	if (rc != VIGIL_OK)
		return rc;
	p = calloc(1, sizeof *p);
	if (p == NULL) {
		json_decref(root);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "policy: out of memory");
	}
	rc = parse_doc(root, &c, p);
	json_decref(root);
	if (rc != VIGIL_OK) {
		vigil_policy_free(p);
		return rc;
	}
	*out = p;
	return VIGIL_OK;
}
