/*
 * bench_mqtt_load HOST PORT CAFILE CLIENTS.TXT QOS MESSAGES [WINDOW] —
 * the MQTT load generator of bench_mqtt.sh (libmosquitto).
 *
 * CLIENTS.TXT has one line per client: "CLIENT_ID CERT.pem KEY.pem".
 * Every client connects over TLS with its certificate, subscribes to
 * dev/<client id>/t at QOS, and then publishes MESSAGES / clients
 * messages of 64 bytes to that topic, keeping at most WINDOW (default
 * 10) published but not yet received: each message is both a publish
 * and a delivery through the broker's authorization. The clock runs
 * from the first publish (all clients subscribed) to the last
 * delivery. Prints one line:
 *   clients N qos Q messages M received R seconds S rate X
 * and exits 1 when a client could not connect or subscribe, or the
 * messages stopped arriving for 10 s (a broker that denies them).
 * The clients run in libmosquitto's threads (mosquitto_loop_start).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#define CLIENTS_MAX 1000
#define PAYLOAD 64
#define STALL_S 10.0
#define SETUP_S 30.0

struct client {
	struct mosquitto *m;
	char id[128], cert[512], key[512], topic[160];
	unsigned quota;
	_Atomic unsigned received;
};

static struct client *clients;
static unsigned nclients, window = 10;
static int qos;
static _Atomic unsigned nsubscribed, ndone, nfailed;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static char payload[PAYLOAD];

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
wake(void)
{
	pthread_mutex_lock(&mu);
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void
fail(struct client *c, const char *what, int rc)
{
	fprintf(stderr, "bench_mqtt_load: client %s: %s (%d: %s)\n", c->id,
	    what, rc, rc > 0 ? mosquitto_connack_string(rc) :
	    mosquitto_strerror(-rc));
	atomic_fetch_add(&nfailed, 1);
	wake();
}

static void
on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct client *c = arg;
	int e;

	if (rc != 0) {
		fail(c, "connection refused", rc);
		return;
	}
	if ((e = mosquitto_subscribe(m, NULL, c->topic, qos)) !=
	    MOSQ_ERR_SUCCESS)
		fail(c, "subscribe", -e);
}

static void
on_subscribe(struct mosquitto *m, void *arg, int mid, int n,
    const int *granted)
{
	struct client *c = arg;

	(void)m;
	(void)mid;
	if (n < 1 || granted[0] > 2) {
		fail(c, "subscription refused", n < 1 ? 0 : granted[0]);
		return;
	}
	atomic_fetch_add(&nsubscribed, 1);
	wake();
}

static void
publish_one(struct client *c)
{
	int e = mosquitto_publish(c->m, NULL, c->topic, PAYLOAD, payload, qos,
	    false);

	if (e != MOSQ_ERR_SUCCESS)
		fail(c, "publish", -e);
}

/* A delivery frees a place in the window: the next message goes. */
static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct client *c = arg;
	unsigned got = atomic_fetch_add(&c->received, 1) + 1;

	(void)m;
	(void)msg;
	if (got + window <= c->quota)
		publish_one(c);
	if (got == c->quota) {
		atomic_fetch_add(&ndone, 1);
		wake();
	}
}

static unsigned
read_clients(const char *path)
{
	char line[1200];
	unsigned n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	clients = calloc(CLIENTS_MAX, sizeof *clients);
	if (clients == NULL) {
		fprintf(stderr, "bench_mqtt_load: out of memory\n");
		exit(2);
	}
	while (n < CLIENTS_MAX && fgets(line, sizeof line, f) != NULL) {
		struct client *c = &clients[n];

		if (sscanf(line, "%127s %511s %511s", c->id, c->cert,
		    c->key) != 3)
			continue;
		snprintf(c->topic, sizeof c->topic, "dev/%s/t", c->id);
		n++;
	}
	fclose(f);
	return n;
}

/* Waits until *counter reaches goal, a client failed, or (stall_s
 * without progress in *progress). false on failure or stall. */
static bool
wait_for(_Atomic unsigned *counter, unsigned goal, double stall_s,
    unsigned (*progress)(void))
{
	unsigned last = progress != NULL ? progress() : 0;
	double since = now_s();

	pthread_mutex_lock(&mu);
	while (atomic_load(counter) < goal && atomic_load(&nfailed) == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&cv, &mu, &ts);
		if (progress != NULL && progress() != last) {
			last = progress();
			since = now_s();
		}
		if (now_s() - since > stall_s)
			break;
	}
	pthread_mutex_unlock(&mu);
	return atomic_load(counter) >= goal && atomic_load(&nfailed) == 0;
}

static unsigned
total_received(void)
{
	unsigned t = 0;

	for (unsigned i = 0; i < nclients; i++)
		t += atomic_load(&clients[i].received);
	return t;
}

int
main(int argc, char **argv)
{
	unsigned messages, got;
	const char *host, *cafile;
	double t0, dt;
	bool ok;
	int port, e;

	if (argc < 7) {
		fprintf(stderr, "usage: bench_mqtt_load HOST PORT CAFILE "
		    "CLIENTS.TXT QOS MESSAGES [WINDOW]\n");
		return 2;
	}
	host = argv[1];
	port = (int)strtol(argv[2], NULL, 10);
	cafile = argv[3];
	qos = (int)strtol(argv[5], NULL, 10);
	messages = (unsigned)strtoul(argv[6], NULL, 10);
	if (argc > 7)
		window = (unsigned)strtoul(argv[7], NULL, 10);
	if ((nclients = read_clients(argv[4])) == 0 || qos < 0 || qos > 1 ||
	    window == 0 || messages < nclients) {
		fprintf(stderr, "bench_mqtt_load: need clients, QOS 0 or 1, "
		    "MESSAGES >= clients, WINDOW > 0\n");
		return 2;
	}
	memset(payload, 'x', sizeof payload);
	mosquitto_lib_init();
	for (unsigned i = 0; i < nclients; i++) {
		struct client *c = &clients[i];

		c->quota = messages / nclients + (i < messages % nclients);
		c->m = mosquitto_new(c->id, true, c);
		if (c->m == NULL) {
			fprintf(stderr, "bench_mqtt_load: mosquitto_new\n");
			return 2;
		}
		mosquitto_int_option(c->m, MOSQ_OPT_PROTOCOL_VERSION,
		    MQTT_PROTOCOL_V311);
		mosquitto_max_inflight_messages_set(c->m, window);
		mosquitto_connect_callback_set(c->m, on_connect);
		mosquitto_subscribe_callback_set(c->m, on_subscribe);
		mosquitto_message_callback_set(c->m, on_message);
		if ((e = mosquitto_tls_set(c->m, cafile, NULL, c->cert, c->key,
		    NULL)) != MOSQ_ERR_SUCCESS ||
		    (e = mosquitto_connect_async(c->m, host, port, 60)) !=
		    MOSQ_ERR_SUCCESS ||
		    (e = mosquitto_loop_start(c->m)) != MOSQ_ERR_SUCCESS) {
			fail(c, "connect", -e);
			break;
		}
	}
	if (!wait_for(&nsubscribed, nclients, SETUP_S, NULL)) {
		fprintf(stderr, "bench_mqtt_load: %u of %u clients "
		    "subscribed\n", atomic_load(&nsubscribed), nclients);
		return 1;
	}
	t0 = now_s();
	for (unsigned i = 0; i < nclients; i++)
		for (unsigned k = 0; k < window && k < clients[i].quota; k++)
			publish_one(&clients[i]);
	ok = wait_for(&ndone, nclients, STALL_S, total_received);
	dt = now_s() - t0;
	got = total_received();
	printf("clients %u qos %d messages %u received %u seconds %.3f "
	    "rate %.0f\n", nclients, qos, messages, got, dt,
	    dt > 0 ? got / dt : 0.0);
	for (unsigned i = 0; i < nclients; i++) {
		mosquitto_disconnect(clients[i].m);
		mosquitto_loop_stop(clients[i].m, false);
		mosquitto_destroy(clients[i].m);
	}
	mosquitto_lib_cleanup();
	free(clients);
	if (!ok)
		fprintf(stderr, "bench_mqtt_load: %u of %u messages arrived "
		    "(stalled or a client failed)\n", got, messages);
	return ok ? 0 : 1;
}
