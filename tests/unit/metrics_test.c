/*
 * Shared metrics (src/vigild/metrics.c): what workers record in their
 * own slots is summed in the exposition, histograms are cumulative with
 * +Inf equal to the count, requests without a route are labelled
 * "unmatched", every rejection reason is listed even at zero, a
 * worker restart zeroes its connection gauge only, and the slots
 * survive fork (the mapping is shared).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"
#include "metrics_rec.h"
#include "routes.h"

static char *
render(struct metrics_shm *m, const struct metrics_extra *x,
    struct vigil_buf *b)
{
	vigil_buf_init(b, 1 << 20);
	assert_int_equal(metrics_render(m, x, b), VIGIL_OK);
	assert_non_null(b->data);
	return b->data;
}

/* The sample line for NAME (with labels) must have value VALUE. */
static void
has(const char *text, const char *name, const char *value)
{
	char line[256];

	snprintf(line, sizeof line, "\n%s %s\n", name, value);
	if (strstr(text, line) == NULL)
		fail_msg("missing line: %s %s", name, value);
}

static void
requests_are_summed_over_workers_by_class(void **state)
{
	struct metrics_shm *m = metrics_create(2);
	struct vigil_buf b;
	const char *t;

	(void)state;
	assert_non_null(m);
	metrics_request(m, 0, 0, 200, 1000);
	metrics_request(m, 1, 0, 204, 1000);
	metrics_request(m, 1, 0, 404, 1000);
	metrics_request(m, 0, (size_t)-1, 404, 1000);
	metrics_request(m, 0, 1, 503, 1000);
	t = render(m, NULL, &b);
	has(t, "vigil_http_requests_total{route=\"healthz\","
	    "code_class=\"2xx\"}", "2");
	has(t, "vigil_http_requests_total{route=\"healthz\","
	    "code_class=\"4xx\"}", "1");
	has(t, "vigil_http_requests_total{route=\"unmatched\","
	    "code_class=\"4xx\"}", "1");
	has(t, "vigil_http_requests_total{route=\"readyz\","
	    "code_class=\"5xx\"}", "1");
	has(t, "vigil_net_workers", "2");
	/* Series never seen are not listed. */
	assert_null(strstr(t, "code_class=\"3xx\""));
	vigil_buf_free(&b);
	metrics_destroy(m);
}

static void
latency_histogram_is_cumulative(void **state)
{
	struct metrics_shm *m = metrics_create(1);
	struct vigil_buf b;
	const char *t;

	(void)state;
	metrics_request(m, 0, 0, 200, 100000);      /* 0.1 ms */
	metrics_request(m, 0, 0, 200, 3000000);     /* 3 ms */
	metrics_request(m, 0, 0, 200, 9000000000);  /* 9 s */
	t = render(m, NULL, &b);
	has(t, "vigil_http_request_duration_seconds_bucket{route=\"healthz\","
	    "le=\"0.0005\"}", "1");
	has(t, "vigil_http_request_duration_seconds_bucket{route=\"healthz\","
	    "le=\"0.0025\"}", "1");
	has(t, "vigil_http_request_duration_seconds_bucket{route=\"healthz\","
	    "le=\"0.005\"}", "2");
	has(t, "vigil_http_request_duration_seconds_bucket{route=\"healthz\","
	    "le=\"2.5\"}", "2");
	has(t, "vigil_http_request_duration_seconds_bucket{route=\"healthz\","
	    "le=\"+Inf\"}", "3");
	has(t, "vigil_http_request_duration_seconds_count{route=\"healthz\"}",
	    "3");
	has(t, "vigil_http_request_duration_seconds_sum{route=\"healthz\"}",
	    "9.003100000");
	vigil_buf_free(&b);
	metrics_destroy(m);
}

static void
connections_and_rejections(void **state)
{
	struct metrics_shm *m = metrics_create(2);
	struct vigil_buf b;
	const char *t;

	(void)state;
	metrics_conn_delta(m, 0, 1);
	metrics_conn_delta(m, 0, 1);
	metrics_conn_delta(m, 1, 1);
	metrics_conn_delta(m, 0, -1);
	metrics_conn_rejected(m, 1, MREJ_REQUEST_TIMEOUT);
	metrics_conn_rejected(m, 0, MREJ_REQUEST_TIMEOUT);
	metrics_conn_rejected(m, 0, MREJ_MAX_PER_IP);
	t = render(m, NULL, &b);
	has(t, "vigil_http_connections_open", "2");
	has(t, "vigil_http_connections_rejected_total{reason="
	    "\"request_timeout\"}", "2");
	has(t, "vigil_http_connections_rejected_total{reason="
	    "\"max_connections_per_ip\"}", "1");
	has(t, "vigil_http_connections_rejected_total{reason="
	    "\"max_connections\"}", "0");
	has(t, "vigil_http_connections_rejected_total{reason="
	    "\"idle_timeout\"}", "0");
	vigil_buf_free(&b);
	/* A restarted worker 0 starts with no connections of its own;
	 * counters stay. */
	metrics_worker_start(m, 0);
	t = render(m, NULL, &b);
	has(t, "vigil_http_connections_open", "1");
	has(t, "vigil_http_connections_rejected_total{reason="
	    "\"request_timeout\"}", "2");
	vigil_buf_free(&b);
	metrics_destroy(m);
}

static void
store_time_and_audit_gauges(void **state)
{
	struct metrics_shm *m = metrics_create(1);
	struct metrics_extra x = { .have_audit = true,
		.audit_chain_length = 42, .audit_checkpoint_seq = 40 };
	struct vigil_buf b;
	const char *t;

	(void)state;
	metrics_store_time(m, 0, 2000000);
	t = render(m, &x, &b);
	has(t, "vigil_store_seconds_bucket{le=\"0.001\"}", "0");
	has(t, "vigil_store_seconds_bucket{le=\"0.0025\"}", "1");
	has(t, "vigil_store_seconds_count", "1");
	has(t, "vigil_audit_chain_length", "42");
	has(t, "vigil_audit_checkpoint_seq", "40");
	assert_non_null(strstr(t, "# TYPE vigil_store_seconds histogram\n"));
	vigil_buf_free(&b);
	metrics_destroy(m);
}

static void
out_of_range_worker_is_ignored(void **state)
{
	struct metrics_shm *m = metrics_create(1);
	struct vigil_buf b;
	const char *t;

	(void)state;
	metrics_request(m, 5, 0, 200, 1);
	metrics_conn_delta(m, 5, 1);
	metrics_request(NULL, 0, 0, 200, 1);
	t = render(m, NULL, &b);
	assert_null(strstr(t, "vigil_http_requests_total{"));
	has(t, "vigil_http_connections_open", "0");
	vigil_buf_free(&b);
	metrics_destroy(m);
}

static void
child_records_are_seen_by_the_parent(void **state)
{
	struct metrics_shm *m = metrics_create(2);
	struct vigil_buf b;
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		metrics_request(m, 1, 0, 200, 1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	has(render(m, NULL, &b), "vigil_http_requests_total{route="
	    "\"healthz\",code_class=\"2xx\"}", "1");
	vigil_buf_free(&b);
	metrics_destroy(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requests_are_summed_over_workers_by_class),
		cmocka_unit_test(latency_histogram_is_cumulative),
		cmocka_unit_test(connections_and_rejections),
		cmocka_unit_test(store_time_and_audit_gauges),
		cmocka_unit_test(out_of_range_worker_is_ignored),
		cmocka_unit_test(child_records_are_seen_by_the_parent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
