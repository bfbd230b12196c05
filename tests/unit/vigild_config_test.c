/*
 * vigild.conf: the strict parser (every kind of error with its line and
 * exact message), defaults, normalisation round trip, reload
 * classification, file checks (config and secret file permissions),
 * and parity of the key table with docs/vigild.conf.5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "config_internal.h"

static char err[1024];

static int
parse(const char *text, struct vigild_config *c)
{
	err[0] = '\0';
	return config_parse(text, strlen(text), "t.conf", "/etc/vigil", c,
	    err, sizeof err);
}

/* Parsing text must fail with exactly this message. */
static void
expect_error(const char *text, const char *msg)
{
	struct vigild_config c;

	printf("# %s\n", msg);
	assert_int_equal(parse(text, &c), -1);
	assert_string_equal(err, msg);
}

static void
defaults_are_safe(void **state)
{
	struct vigild_config c;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8443");
	assert_string_equal(c.data_dir, "/var/lib/vigil");
	assert_string_equal(c.database, "/var/lib/vigil/vigil.db");
	assert_string_equal(c.tls_key, "/var/lib/vigil/tls/server.key");
	assert_string_equal(c.audit_key, "/var/lib/vigil/keys/audit.key");
	assert_string_equal(c.user, "nobody");
	assert_string_equal(c.tls_min_version, "1.2");
	assert_int_equal(c.workers, 0);
	assert_int_equal(c.max_body_bytes, 1024 * 1024);
	assert_int_equal(c.max_header_bytes, 16 * 1024);
	assert_int_equal(c.request_timeout_s, 10);
	assert_int_equal(c.idle_timeout_s, 60);
	assert_int_equal(c.max_connections, 4096);
	assert_int_equal(c.max_connections_per_ip, 64);
	assert_int_equal(c.rate_limit_rps, 100);
	assert_int_equal(c.rate_limit_burst, 200);
	assert_int_equal(c.token_ttl_s, 8 * 3600);
	assert_int_equal(c.max_token_ttl_s, 365 * 24 * 3600);
	assert_int_equal(c.reauth_s, 300);
	assert_int_equal(c.audit_checkpoint_entries, 1000);
	assert_int_equal(c.audit_checkpoint_s, 60);
	assert_string_equal(c.log_level, "info");
	assert_string_equal(c.log_target, "stderr");
	assert_string_equal(c.log_format, "text");
}

static void
empty_text_gives_defaults(void **state)
{
	struct vigild_config c, d;
	char a[CONFIG_TEXT_MAX], b[CONFIG_TEXT_MAX];

	(void)state;
	assert_int_equal(parse("", &c), 0);
	config_defaults(&d);
	assert_true(config_format(&c, a, sizeof a) > 0);
	assert_true(config_format(&d, b, sizeof b) > 0);
	assert_string_equal(a, b);
}

static void
paths_derive_from_data_dir_and_resolve_against_config_dir(void **state)
{
	struct vigild_config c;

	(void)state;
	assert_int_equal(parse("data_dir = /srv/vigil/\n"
	    "tls_cert = certs/api.crt\n"
	    "audit_key = ./k/a.key\n", &c), 0);
	assert_string_equal(c.data_dir, "/srv/vigil/");
	assert_string_equal(c.database, "/srv/vigil/vigil.db");
	assert_string_equal(c.tls_key, "/srv/vigil/tls/server.key");
	assert_string_equal(c.tls_cert, "/etc/vigil/certs/api.crt");
	assert_string_equal(c.audit_key, "/etc/vigil/k/a.key");
	assert_int_equal(parse("data_dir = .\n", &c), 0);
	assert_string_equal(c.data_dir, "/etc/vigil");
	assert_string_equal(c.database, "/etc/vigil/vigil.db");
	assert_int_equal(parse("data_dir = var\n", &c), 0);
	assert_string_equal(c.data_dir, "/etc/vigil/var");
	assert_string_equal(c.audit_pubkey, "/etc/vigil/var/keys/audit.pub");
}

static void
sizes_and_durations_take_suffixes(void **state)
{
	struct vigild_config c;

	(void)state;
	assert_int_equal(parse("max_body_bytes = 2M\n"
	    "max_header_bytes = 4096\n"
	    "request_timeout_s = 2m\n"
	    "idle_timeout_s = 1h\n"
	    "reauth_s = 90\n"
	    "token_ttl_s = 30s\n"
	    "max_token_ttl_s=100h\n", &c), -1);
	/* 30s is under token_ttl_s's minimum of 1m. */
	assert_string_equal(err, "t.conf:6: token_ttl_s: 30s is out of "
	    "range 1m..8760h");
	assert_int_equal(parse("max_body_bytes = 2M\n"
	    "max_header_bytes = 4096\n"
	    "request_timeout_s = 2m\n"
	    "idle_timeout_s = 1h\n"
	    "reauth_s = 90\n"
	    "max_token_ttl_s=100h\n", &c), 0);
	assert_int_equal(c.max_body_bytes, 2 * 1024 * 1024);
	assert_int_equal(c.max_header_bytes, 4096);
	assert_int_equal(c.request_timeout_s, 120);
	assert_int_equal(c.idle_timeout_s, 3600);
	assert_int_equal(c.reauth_s, 90);
	assert_int_equal(c.max_token_ttl_s, 360000);
}

static void
listen_accepts_ipv4_and_bracketed_ipv6(void **state)
{
	struct vigild_config c;

	(void)state;
	assert_int_equal(parse("listen = [::1]:0\n", &c), 0);
	assert_string_equal(c.listen, "[::1]:0");
	assert_int_equal(parse("listen = 0.0.0.0:65535\n", &c), 0);
	expect_error("listen = localhost:8443\n", "t.conf:1: listen: "
	    "'localhost:8443' is not an IPv4 address:port or [IPv6 "
	    "address]:port (host names are not accepted)");
	expect_error("listen = 127.0.0.1:65536\n", "t.conf:1: listen: port "
	    "'65536' is not a number 0..65535");
	expect_error("listen = ::1:80\n", "t.conf:1: listen: '::1:80' is "
	    "not an IPv4 address:port or [IPv6 address]:port (host names "
	    "are not accepted)");
	expect_error("listen = 127.0.0.1\n",
	    "t.conf:1: listen: '127.0.0.1' has no :port");
	expect_error("listen = [::1]8443\n",
	    "t.conf:1: listen: '[::1]8443' is not [IPv6]:port");
}

/* The decision point's socket answers about any device: never
 * world-writable, and the mode is octal. */
static void
pdp_socket_mode_is_octal_and_not_world_writable(void **state)
{
	struct vigild_config c;

	(void)state;
	assert_int_equal(parse("pdp_socket_mode = 0640\n", &c), 0);
	assert_string_equal(c.pdp_socket_mode, "0640");
	assert_int_equal(parse("", &c), 0);
	assert_string_equal(c.pdp_socket_mode, "0660");
	assert_int_equal(parse("pdp_socket_mode = 0666\n", &c), -1);
	printf("# %s\n", err);
	assert_non_null(strstr(err, "t.conf:1: pdp_socket_mode: "));
	assert_non_null(strstr(err, "world-writable"));
	assert_int_equal(parse("pdp_socket_mode = 0888\n", &c), -1);
	printf("# %s\n", err);
	assert_non_null(strstr(err, "not an octal mode"));
	assert_int_equal(parse("pdp_socket_mode = abc\n", &c), -1);
	assert_non_null(strstr(err, "not an octal mode"));
}

static void
unknown_key_suggests_the_closest(void **state)
{
	(void)state;
	expect_error("# c\nlisten = 127.0.0.1:1\nlistn = 1\n",
	    "t.conf:3: unknown key 'listn' (did you mean 'listen'?)");
	expect_error("Max-Body-Bytes = 1M\n", "t.conf:1: unknown key "
	    "'Max-Body-Bytes' (did you mean 'max_body_bytes'?)");
	expect_error("colour = blue\n", "t.conf:1: unknown key 'colour' "
	    "(vigild --help-config lists the keys)");
}

static void
duplicate_key_names_the_first_line(void **state)
{
	(void)state;
	expect_error("workers = 1\n\n  workers = 2\n", "t.conf:3: duplicate "
	    "key 'workers' (first set on line 1)");
}

static void
bad_values_name_the_expected_range(void **state)
{
	(void)state;
	expect_error("workers = 65\n",
	    "t.conf:1: workers: 65 is out of range 0..64");
	expect_error("workers = -1\n",
	    "t.conf:1: workers: '-1' is not a decimal number");
	expect_error("workers = 99999999999999999999999\n", "t.conf:1: "
	    "workers: 99999999999999999999999 is out of range 0..64");
	expect_error("max_body_bytes = 128M\n",
	    "t.conf:1: max_body_bytes: 128M is out of range 1K..64M");
	expect_error("max_body_bytes = 12Q\n", "t.conf:1: max_body_bytes: "
	    "'12Q' is not a size (a number with an optional K, M or G "
	    "suffix)");
	expect_error("request_timeout_s = 5d\n", "t.conf:1: "
	    "request_timeout_s: '5d' is not a duration (a number with an "
	    "optional s, m or h suffix)");
	expect_error("log_level = verbose\n", "t.conf:1: log_level: "
	    "'verbose' is not one of error|warn|info|debug");
	expect_error("tls_min_version = 1.1\n", "t.conf:1: tls_min_version: "
	    "'1.1' is not one of 1.2|1.3");
	expect_error("user = root\n", "t.conf:1: user: 'root' would defeat "
	    "privilege separation; use an unprivileged user");
	expect_error("user = \"a b\"\n", "t.conf:1: user: 'a b' is not a "
	    "user name (letters, digits, '_', '.', '-')");
	expect_error("user = ..\n", "t.conf:1: user: '..' is not a user "
	    "name (it must start with a letter or '_')");
	expect_error("data_dir = \"\"\n", "t.conf:1: data_dir: empty path");
	expect_error("token_ttl_s = 10h\nmax_token_ttl_s = 9h\n",
	    "t.conf:2: token_ttl_s 10h exceeds max_token_ttl_s 9h");
}

static void
syntax_errors_are_precise(void **state)
{
	(void)state;
	expect_error("listen\n", "t.conf:1: expected 'key = value'");
	expect_error("= 1\n", "t.conf:1: expected 'key = value'");
	expect_error("workers =\n", "t.conf:1: workers: missing value "
	    "(write \"\" for an empty one)");
	expect_error("workers = 2 # two\n", "t.conf:1: workers: unquoted "
	    "value contains ' '; quote the value (comments go on their "
	    "own line)");
	expect_error("data_dir = \"/x\n",
	    "t.conf:1: data_dir: missing closing quote");
	expect_error("data_dir = \"/x\" y\n",
	    "t.conf:1: data_dir: text after the closing quote");
	expect_error("data_dir = \"/x\\n\"\n", "t.conf:1: data_dir: only "
	    "\\\" and \\\\ are escapes in quoted values");
	expect_error("workers = 1\nuser = no\x01" "body\n",
	    "t.conf:2: control character 0x01 at column 10");
}

static void
nul_byte_is_an_error_with_its_line(void **state)
{
	static const char text[] = "workers = 1\nuser = a\0b\n";
	struct vigild_config c;

	(void)state;
	assert_int_equal(config_parse(text, sizeof text - 1, "t.conf", "/",
	    &c, err, sizeof err), -1);
	assert_string_equal(err, "t.conf:2: NUL byte");
}

static void
comments_blank_lines_crlf_and_quotes_are_accepted(void **state)
{
	struct vigild_config c;

	(void)state;
	assert_int_equal(parse("# vigild.conf\r\n\r\n\t# indented comment\n"
	    "workers = 3\r\n"
	    "data_dir = \"/srv/with space/\\\"q\\\\\"\n"
	    "  log_format=json  \n", &c), 0);
	assert_int_equal(c.workers, 3);
	assert_string_equal(c.data_dir, "/srv/with space/\"q\\");
	assert_string_equal(c.log_format, "json");
}

static void
failed_parse_leaves_output_untouched(void **state)
{
	struct vigild_config c;

	(void)state;
	memset(&c, 0x5a, sizeof c);
	assert_int_equal(parse("workers = 2\nworkers = 3\n", &c), -1);
	for (size_t i = 0; i < sizeof c; i++)
		assert_int_equal(((unsigned char *)&c)[i], 0x5a);
}

static void
normalised_text_round_trips(void **state)
{
	struct vigild_config c, d;
	char a[CONFIG_TEXT_MAX], b[CONFIG_TEXT_MAX];
	int n;

	(void)state;
	assert_int_equal(parse("data_dir = \"/srv/a b#\\\"\"\n"
	    "workers = 4\nmax_body_bytes = 3072\nidle_timeout_s = 1800\n"
	    "log_level = debug\n", &c), 0);
	n = config_format(&c, a, sizeof a);
	assert_true(n > 0);
	printf("# normalised:\n%s", a);
	assert_non_null(strstr(a, "data_dir = \"/srv/a b#\\\"\"\n"));
	assert_non_null(strstr(a, "database = \"/srv/a b#\\\"/vigil.db\"\n"));
	assert_non_null(strstr(a, "max_body_bytes = 3K\n"));
	assert_non_null(strstr(a, "idle_timeout_s = 30m\n"));
	assert_non_null(strstr(a, "listen = 127.0.0.1:8443\n"));
	assert_int_equal(config_parse(a, (size_t)n, "norm", NULL, &d, err,
	    sizeof err), 0);
	assert_int_equal(config_format(&d, b, sizeof b), n);
	assert_string_equal(a, b);
	/* Every key, in table order, one per line. */
	for (size_t i = 0; i < config_nkeys; i++) {
		char k[80];

		snprintf(k, sizeof k, "%s%s = ", i ? "\n" : "",
		    config_keys[i].name);
		assert_non_null(i ? strstr(a, k) : (strncmp(a, k,
		    strlen(k)) == 0 ? a : NULL));
	}
	assert_int_equal(config_format(&c, a, 40), -1);
}

static void
restart_needed_lists_only_changed_non_reloadable_keys(void **state)
{
	struct vigild_config a, b;
	char buf[256];

	(void)state;
	assert_int_equal(parse("workers = 2\n", &a), 0);
	assert_int_equal(parse("workers = 3\nlisten = 127.0.0.1:9\n"
	    "max_body_bytes = 2M\nlog_level = debug\n", &b), 0);
	config_restart_needed(&a, &b, buf, sizeof buf);
	assert_string_equal(buf, "listen, workers");
	config_restart_needed(&a, &a, buf, sizeof buf);
	assert_string_equal(buf, "");
}

static char tmpdir[64];

static int
mkfile(const char *name, const char *text, mode_t mode, char *path,
    size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/vigild-cfg.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	/* Test files only: the directory is ours. */
	snprintf(cmd, sizeof cmd, "%s/vigild.conf", tmpdir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/k.key", tmpdir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/a.key", tmpdir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/c.crt", tmpdir);
	unlink(cmd);
	return rmdir(tmpdir);
}

static void
load_refuses_group_writable_config(void **state)
{
	struct vigild_config c;
	char path[256], want[512];

	(void)state;
	assert_int_equal(mkfile("vigild.conf", "tls_key = k.key\n", 0664,
	    path, sizeof path), 0);
	assert_int_equal(config_load(path, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: writable by group or others (mode "
	    "0664); run chmod go-w on it", path);
	assert_string_equal(err, want);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(config_load(path, &c, err, sizeof err), 0);
	snprintf(want, sizeof want, "%s/k.key", tmpdir);
	assert_string_equal(c.tls_key, want);
	snprintf(path, sizeof path, "%s/missing.conf", tmpdir);
	assert_int_equal(config_load(path, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	assert_string_equal(err, want);
}

static void
secret_files_readable_by_others_are_refused(void **state)
{
	struct vigild_config c;
	char path[256], text[512], want[512];

	(void)state;
	snprintf(text, sizeof text, "tls_key = k.key\naudit_key = a.key\n"
	    "tls_cert = c.crt\n");
	assert_int_equal(mkfile("vigild.conf", text, 0600, path,
	    sizeof path), 0);
	assert_int_equal(config_load(path, &c, err, sizeof err), 0);
	assert_int_equal(config_check_files(&c, err, sizeof err), -1);
	snprintf(want, sizeof want, "tls_key: %s/k.key: No such file or "
	    "directory", tmpdir);
	assert_string_equal(err, want);
	assert_int_equal(mkfile("k.key", "x", 0640, path, sizeof path), 0);
	assert_int_equal(mkfile("a.key", "x", 0600, path, sizeof path), 0);
	assert_int_equal(mkfile("c.crt", "x", 0644, path, sizeof path), 0);
	assert_int_equal(config_check_files(&c, err, sizeof err), -1);
	snprintf(want, sizeof want, "tls_key: %s/k.key: readable or writable "
	    "by group or others (mode 0640); run chmod 600 on it", tmpdir);
	assert_string_equal(err, want);
	snprintf(path, sizeof path, "%s/k.key", tmpdir);
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(path, sizeof path, "%s/a.key", tmpdir);
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(config_check_files(&c, err, sizeof err), -1);
	snprintf(want, sizeof want, "audit_key: %s/a.key: readable or "
	    "writable by group or others (mode 0604); run chmod 600 on it",
	    tmpdir);
	assert_string_equal(err, want);
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(config_check_files(&c, err, sizeof err), 0);
	if (geteuid() == 0) {
		/* A key the workers' user could have planted. */
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(config_check_files(&c, err, sizeof err), -1);
		snprintf(want, sizeof want, "audit_key: %s/a.key: owned by "
		    "uid 65534, not by uid 0 that vigild runs as", tmpdir);
		assert_string_equal(err, want);
	}
}

/* Every key config_print_keys lists (the table) must be documented in
 * docs/vigild.conf.5 as ".TP" then ".B <key>", with its default; and
 * every key documented there must exist. */
static void
man_page_documents_every_key(void **state)
{
	char *keys = NULL, *man;
	size_t klen = 0, mlen;
	FILE *f = open_memstream(&keys, &klen);
	FILE *m;
	size_t found = 0;

	(void)state;
	assert_non_null(f);
	config_print_keys(f);
	fclose(f);
	m = fopen(SRCDIR "/docs/vigild.conf.5", "r");
	assert_non_null(m);
	man = malloc(1 << 20);
	assert_non_null(man);
	mlen = fread(man, 1, (1 << 20) - 1, m);
	man[mlen] = '\0';
	fclose(m);
	for (char *line = keys; *line != '\0';) {
		char *nl = strchr(line, '\n'), name[64], want[96];
		size_t n = strcspn(line, " ");

		if (line[0] != ' ' && n < sizeof name) {
			const struct config_key *k;
			struct vigild_config d;
			char def[CONFIG_PATH_MAX], *at;

			memcpy(name, line, n);
			name[n] = '\0';
			k = config_key_find(name);
			assert_non_null(k);
			snprintf(want, sizeof want, "\n.TP\n.B %s\n", name);
			at = strstr(man, want);
			if (at == NULL)
				fail_msg("docs/vigild.conf.5 does not document "
				    "key '%s'", name);
			config_defaults(&d);
			if (k->def != NULL) {
				config_key_value(k, &d, def, sizeof def);
				at = strstr(at, "Default:");
				assert_non_null(at);
				if (strncmp(at + 8, " \\fB", 4) != 0 ||
				    strncmp(at + 12, def, strlen(def)) != 0)
					fail_msg("docs/vigild.conf.5: key '%s' "
					    "default is not %s", name, def);
			}
			found++;
		}
		line = nl ? nl + 1 : line + strlen(line);
	}
	assert_int_equal(found, config_nkeys);
	/* The reverse: nothing documented that does not exist. */
	for (char *p = strstr(man, "\n.TP\n.B "); p != NULL;
	    p = strstr(p + 1, "\n.TP\n.B ")) {
		char name[64];
		size_t n = strcspn(p + 8, "\n");

		if (n >= sizeof name)
			continue;
		memcpy(name, p + 8, n);
		name[n] = '\0';
		if (strchr(name, ' ') == NULL && config_key_find(name) == NULL)
			fail_msg("docs/vigild.conf.5 documents unknown key "
			    "'%s'", name);
	}
	printf("# %zu keys documented\n", found);
	free(keys);
	free(man);
}

static void
help_config_lists_type_default_and_reload_class(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	config_print_keys(f);
	fclose(f);
	assert_non_null(strstr(out, "workers (integer 0..64; default 0; "
	    "restart needed)\n"));
	assert_non_null(strstr(out, "max_body_bytes (size 1K..64M; default "
	    "1M; reloadable)\n"));
	assert_non_null(strstr(out, "database (path; default "
	    "<data_dir>/vigil.db; restart needed)\n"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_safe),
		cmocka_unit_test(empty_text_gives_defaults),
		cmocka_unit_test(
		    paths_derive_from_data_dir_and_resolve_against_config_dir),
		cmocka_unit_test(sizes_and_durations_take_suffixes),
		cmocka_unit_test(listen_accepts_ipv4_and_bracketed_ipv6),
		cmocka_unit_test(
		    pdp_socket_mode_is_octal_and_not_world_writable),
		cmocka_unit_test(unknown_key_suggests_the_closest),
		cmocka_unit_test(duplicate_key_names_the_first_line),
		cmocka_unit_test(bad_values_name_the_expected_range),
		cmocka_unit_test(syntax_errors_are_precise),
		cmocka_unit_test(nul_byte_is_an_error_with_its_line),
		cmocka_unit_test(
		    comments_blank_lines_crlf_and_quotes_are_accepted),
		cmocka_unit_test(failed_parse_leaves_output_untouched),
		cmocka_unit_test(normalised_text_round_trips),
		cmocka_unit_test(
		    restart_needed_lists_only_changed_non_reloadable_keys),
		cmocka_unit_test_setup_teardown(
		    load_refuses_group_writable_config, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    secret_files_readable_by_others_are_refused, setup_dir,
		    teardown_dir),
		cmocka_unit_test(man_page_documents_every_key),
		cmocka_unit_test(
		    help_config_lists_type_default_and_reload_class),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
