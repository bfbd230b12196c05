/*
 * vigil_mosquitto.so: Mosquitto 2.0 plugin (API v5) that makes the
 * broker an enforcement point of vigil's decision point (issue 5 §4).
 * Identity is the TLS client certificate (its serial, as vigil prints
 * it); every connect, publish, subscribe and delivery is asked of vigild
 * over the PDP socket (vmq_pdp.c), with a small per-client cache keyed on
 * the policy epoch (vmq_cache.c). A new epoch re-decides CONNECT for
 * every live session (vmq_clients.c) and kicks those now denied. Fail
 * closed: no answer is a deny. No SQL, TLS or policy logic here.
 *
 * Options (plugin_opt_<name>): pdp_socket (required), timeout_ms (250,
 * 10..5000), cache_entries (256 per client, 0..65536); any other is an
 * error so a typo cannot silently weaken the setup.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "vmq.h"

struct vmq {
	mosquitto_plugin_id_t *pid;
	struct vmq_pdp *pdp;
	struct vmq_clients *clients;
	bool fail_logged; /* a deny for want of an answer was logged */
	int64_t polled_ms; /* when the ACL path last drained pushes */
};

void
vmq_log(enum vmq_level level, const char *fmt, ...)
{
	static const int map[] = {
		[VMQ_DEBUG] = MOSQ_LOG_DEBUG, [VMQ_INFO] = MOSQ_LOG_INFO,
		[VMQ_NOTICE] = MOSQ_LOG_NOTICE,
		[VMQ_WARN] = MOSQ_LOG_WARNING, [VMQ_ERR] = MOSQ_LOG_ERR,
	};
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mosquitto_log_printf(map[level], "%s", buf);
}

/* The certificate serial as vigil stores it: BN_bn2hex, lowercase (see
 * pki_serial_hex); 0 or -1. */
static int
cert_serial(const struct mosquitto *client, char *out, size_t size)
{
	X509 *x = mosquitto_client_certificate(client);
	BIGNUM *bn = NULL;
	char *hex = NULL;
	int rc = -1;

	out[0] = '\0';
	if (x == NULL)
		return -1;
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (bn != NULL && !BN_is_negative(bn) &&
	    (hex = BN_bn2hex(bn)) != NULL && strlen(hex) < size) {
		size_t i;

		for (i = 0; hex[i] != '\0'; i++)
			out[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ?
			    hex[i] - 'A' + 'a' : hex[i]);
		out[i] = '\0';
		rc = 0;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/* A deny because there was no answer: logged once per outage (the pdp
 * connection logs why). */
static void
no_answer(struct vmq *v, const char *what, const char *client_id)
{
	if (!v->fail_logged) {
		vmq_log(VMQ_WARN, "vigil: %s of client %s denied: no answer "
		    "from the decision point (failing closed)", what,
		    client_id);
		v->fail_logged = true;
	}
}

static void
answered(struct vmq *v)
{
	v->fail_logged = false;
}

/*
 * A new epoch (or a new connection to vigild): every cached decision is
 * stale, and every live session is re-decided; those now denied
 * (quarantine, revocation, retirement) are kicked. A session that
 * cannot be re-decided (vigild went away meanwhile) stays: its traffic
 * is denied until vigild answers, and the reconnect re-checks it.
 */
static void
recheck(struct vmq *v)
{
	struct vmq_decision *d = NULL;
	struct vmq_ask *asks = NULL;
	struct vmq_client **cs = NULL;
	const void **keys;
	char **kick = NULL;
	size_t n, m = 0, nk = 0;

	vmq_clients_clear_caches(v->clients);
	keys = vmq_clients_keys(v->clients, &n);
	if (keys == NULL)
		return;
	if ((asks = calloc(n, sizeof(*asks))) == NULL ||
	    (cs = calloc(n, sizeof(struct vmq_client *))) == NULL ||
	    (d = calloc(n, sizeof(*d))) == NULL ||
	    (kick = calloc(n, sizeof(*kick))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct vmq_client *c = vmq_clients_find(v->clients, keys[i]);

		if (c == NULL)
			continue;
		cs[m] = c;
		asks[m].action = VIGIL_PDPW_CONNECT;
		asks[m].client_id = c->id;
		asks[m].serial = c->serial;
		asks[m].source_ip = c->ip;
		asks[m].resource = "";
		m++;
	}
	/* One pipelined batch: vigild answers unchanged devices from its
	 * cache, so this costs little more than the changed ones. */
	if (m == 0 || vmq_pdp_decide_batch(v->pdp, asks, m, d) != 0)
		goto out; /* the reconnect will ask again */
	for (size_t i = 0; i < m; i++) {
		if (d[i].allow)
			continue;
		vmq_log(VMQ_NOTICE, "vigil: disconnecting client %s "
		    "(certificate %s): %s", cs[i]->id, cs[i]->serial,
		    d[i].reason[0] != '\0' ? d[i].reason : "not asked");
		/* Out of the table now: its traffic is denied until the
		 * broker has closed the connection. */
		kick[nk] = strdup(cs[i]->id);
		if (kick[nk] != NULL)
			nk++;
		vmq_clients_remove(v->clients, cs[i]->key);
	}
	/* Kicking runs the DISCONNECT callback, which edits the table:
	 * only after the walk. */
	for (size_t i = 0; i < nk; i++) {
		mosquitto_kick_client_by_clientid(kick[i], false);
		free(kick[i]);
	}
out:
	free(kick);
	free(d);
	free(cs);
	free(asks);
	free(keys);
}

/* Drains pushes; re-checks sessions when told to and allowed to. */
static void
sync_epoch(struct vmq *v, bool may_kick)
{
	vmq_pdp_poll(v->pdp);
	if (!may_kick)
		return;
	if (vmq_pdp_take_recheck(v->pdp))
		recheck(v);
}

static int
on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *ed = event_data;
	struct vmq *v = userdata;
	const char *id = mosquitto_client_id(ed->client);
	const char *ip = mosquitto_client_address(ed->client);
	char serial[VIGIL_PDPW_SERIAL_MAX + 1];
	struct vmq_decision d;

	(void)event;
	if (id == NULL)
		id = "";
	if (ip == NULL)
		ip = "";
	sync_epoch(v, false);
	if (cert_serial(ed->client, serial, sizeof(serial)) != 0) {
		vmq_log(VMQ_NOTICE, "vigil: client %s from %s refused: no "
		    "usable client certificate", id, ip);
		return MOSQ_ERR_AUTH;
	}
	if (vmq_pdp_decide(v->pdp, VIGIL_PDPW_CONNECT, id, serial, ip, "",
	    &d) != 0) {
		no_answer(v, "connect", id);
		return MOSQ_ERR_AUTH;
	}
	answered(v);
	if (!d.allow) {
		vmq_log(VMQ_NOTICE, "vigil: client %s (certificate %s) "
		    "refused: %s", id, serial, d.reason);
		return MOSQ_ERR_AUTH;
	}
	if (vmq_clients_add(v->clients, ed->client, id, serial, ip) ==
	    NULL) {
		vmq_log(VMQ_ERR, "vigil: client %s refused: out of memory",
		    id);
		return MOSQ_ERR_AUTH;
	}
	return MOSQ_ERR_SUCCESS;
}

static int
on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *ed = event_data;
	struct vmq *v = userdata;
	struct vmq_client *c;
	struct vmq_decision d;
	enum vigil_pdpw_action action;
	const char *what;
	int64_t now;
	int hit;

	(void)event;
	switch (ed->access) {
	case MOSQ_ACL_UNSUBSCRIBE:
		return MOSQ_ERR_SUCCESS;
	case MOSQ_ACL_SUBSCRIBE:
		action = VIGIL_PDPW_SUBSCRIBE;
		what = "subscribe";
		break;
	case MOSQ_ACL_WRITE:
		action = VIGIL_PDPW_PUBLISH;
		what = "publish";
		break;
	case MOSQ_ACL_READ:
		action = VIGIL_PDPW_RECEIVE;
		what = "receive";
		break;
	default:
		return MOSQ_ERR_ACL_DENIED;
	}
	/* Pushes (a new epoch) are drained at most once a millisecond on
	 * this path: one recv() per message would cost more than the
	 * cached decision, and a cached answer is at most 1 ms late to
	 * notice an epoch (the tick drains them too). */
	now = vmq_now_ms();
	if (now != v->polled_ms) {
		v->polled_ms = now;
		sync_epoch(v, false);
	}
	/* Not let in by us (or being kicked): nothing is allowed. */
	if ((c = vmq_clients_find(v->clients, ed->client)) == NULL ||
	    ed->topic == NULL)
		return MOSQ_ERR_ACL_DENIED;
	if (!vmq_pdp_up(v->pdp)) {
		no_answer(v, what, c->id);
		return MOSQ_ERR_ACL_DENIED;
	}
	hit = vmq_cache_get(c->cache, action, ed->topic,
	    vmq_pdp_epoch(v->pdp), vmq_pdp_conn(v->pdp), now);
	if (hit >= 0)
		return hit ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
	if (vmq_pdp_decide(v->pdp, action, c->id, c->serial, c->ip,
	    ed->topic, &d) != 0) {
		no_answer(v, what, c->id);
		return MOSQ_ERR_ACL_DENIED;
	}
	answered(v);
	if (d.cacheable && vmq_pdp_ttl_ms(v->pdp) > 0)
		vmq_cache_put(c->cache, action, ed->topic, d.allow,
		    vmq_pdp_epoch(v->pdp), vmq_pdp_conn(v->pdp),
		    now + vmq_pdp_ttl_ms(v->pdp));
	if (!d.allow)
		vmq_log(VMQ_DEBUG, "vigil: %s by client %s on %s denied: %s",
		    what, c->id, ed->topic, d.reason);
	return d.allow ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
}

static int
on_tick(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)event_data;
	sync_epoch(userdata, true);
	return MOSQ_ERR_SUCCESS;
}

static int
on_disconnect(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_disconnect *ed = event_data;
	struct vmq *v = userdata;

	(void)event;
	vmq_clients_remove(v->clients, ed->client);
	return MOSQ_ERR_SUCCESS;
}

static const struct {
	int event;
	MOSQ_FUNC_generic_callback cb;
} callbacks[] = {
	{ MOSQ_EVT_BASIC_AUTH, on_basic_auth },
	{ MOSQ_EVT_ACL_CHECK, on_acl_check },
	{ MOSQ_EVT_TICK, on_tick },
	{ MOSQ_EVT_DISCONNECT, on_disconnect },
};

int
mosquitto_plugin_version(int supported_version_count,
    const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

/* A whole decimal number in [lo, hi]; -1 otherwise. */
static long
opt_number(const char *s, long lo, long hi)
{
	char *end;
	long n;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	return n;
}

static void
vmq_free(struct vmq *v)
{
	if (v == NULL)
		return;
	vmq_pdp_free(v->pdp);
	vmq_clients_free(v->clients);
	free(v);
}

int
mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
    struct mosquitto_opt *options, int option_count)
{
	const char *sock = NULL;
	long timeout_ms = 250, cache_entries = 256;
	struct vmq *v;
	size_t i;

	for (int k = 0; k < option_count; k++) {
		const char *key = options[k].key, *val = options[k].value;

		if (strcmp(key, "pdp_socket") == 0) {
			sock = val;
		} else if (strcmp(key, "timeout_ms") == 0) {
			if ((timeout_ms = opt_number(val, 10, 5000)) < 0) {
				vmq_log(VMQ_ERR, "vigil: plugin_opt_timeout_ms "
				    "\"%s\": a number of milliseconds from 10 "
				    "to 5000 expected", val);
				return MOSQ_ERR_INVAL;
			}
		} else if (strcmp(key, "cache_entries") == 0) {
			if ((cache_entries = opt_number(val, 0, 65536)) < 0) {
				vmq_log(VMQ_ERR, "vigil: plugin_opt_"
				    "cache_entries \"%s\": a number from 0 to "
				    "65536 expected", val);
				return MOSQ_ERR_INVAL;
			}
		} else {
			vmq_log(VMQ_ERR, "vigil: unknown option plugin_opt_%s "
			    "(known: pdp_socket, timeout_ms, cache_entries)",
			    key);
			return MOSQ_ERR_INVAL;
		}
	}
	if (sock == NULL || *sock == '\0') {
		vmq_log(VMQ_ERR, "vigil: plugin_opt_pdp_socket is required "
		    "(the path of vigild's decision point socket)");
		return MOSQ_ERR_INVAL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return MOSQ_ERR_NOMEM;
	v->pid = identifier;
	v->clients = vmq_clients_new((size_t)cache_entries);
	v->pdp = vmq_pdp_new(sock, (int)timeout_ms);
	if (v->clients == NULL || v->pdp == NULL) {
		vmq_log(VMQ_ERR, "vigil: plugin_opt_pdp_socket \"%s\": path "
		    "too long, or out of memory", sock);
		vmq_free(v);
		return MOSQ_ERR_INVAL;
	}
	for (i = 0; i < sizeof(callbacks) / sizeof(callbacks[0]); i++) {
		if (mosquitto_callback_register(identifier,
		    callbacks[i].event, callbacks[i].cb, NULL, v) !=
		    MOSQ_ERR_SUCCESS) {
			vmq_log(VMQ_ERR, "vigil: cannot register for broker "
			    "event %d", callbacks[i].event);
			while (i-- > 0)
				mosquitto_callback_unregister(identifier,
				    callbacks[i].event, callbacks[i].cb,
				    NULL);
			vmq_free(v);
			return MOSQ_ERR_INVAL;
		}
	}
	vmq_log(VMQ_NOTICE, "vigil: authorizing with the decision point "
	    "at %s (timeout %ld ms, %ld cached decisions per client)", sock,
	    timeout_ms, cache_entries);
	/* Connect now so the log tells at start-up whether vigild is
	 * there; the broker starts either way (and denies until it is). */
	vmq_pdp_poll(v->pdp);
	*userdata = v;
	return MOSQ_ERR_SUCCESS;
}

int
mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options,
    int option_count)
{
	struct vmq *v = userdata;

	(void)options;
	(void)option_count;
	if (v == NULL)
		return MOSQ_ERR_SUCCESS;
	for (size_t i = 0; i < sizeof(callbacks) / sizeof(callbacks[0]); i++)
		mosquitto_callback_unregister(v->pid, callbacks[i].event,
		    callbacks[i].cb, NULL);
	vmq_free(v);
	return MOSQ_ERR_SUCCESS;
}
