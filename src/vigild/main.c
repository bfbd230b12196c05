/*
 * vigild — the vigil daemon: start-up, options and the parent process.
 *
 * SECURITY: the parent reads and checks the configuration (once; the
 * children get it from the parent), refuses secret files that group or
 * others can read, opens the listening sockets and, when started as
 * root, hands the data directory and database files to the configured
 * unprivileged user. It then forks (no exec) the signer, which holds
 * the audit checkpoint key, and one net worker per core, which face
 * the network; each child closes every descriptor it does not need,
 * switches to the unprivileged user and enters its seccomp sandbox
 * before it reads a byte from the network or a peer. The parent keeps
 * its privileges to restart children, but never parses network input:
 * it only reads its children's IPC messages through the strict
 * decoders (ipc.c) and kills a child that sends a malformed one. It
 * never holds the TLS or audit keys in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "parent.h"
#include "privdrop.h"
#include "routes.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

#define DEFAULT_CONFIG "/etc/vigil/vigild.conf"
#define EXIT_USAGE 2

static void
usage(FILE *f)
{
	fputs("usage: vigild [-c FILE | --data DIR] [-f] [-n] [-v]\n"
	    "       vigild --routes | --help-config | --version | --help\n"
	    "\n"
	    "  -c, --config FILE  configuration file (default "
	    DEFAULT_CONFIG ")\n"
	    "      --data DIR     use DIR/vigild.conf\n"
	    "  -f, --foreground   do not daemonise; log to the configured "
	    "target\n"
	    "  -n, --check        check the configuration and secret files, "
	    "then exit\n"
	    "  -v, --verbose      with -n: print the normalised "
	    "configuration\n"
	    "      --routes       print every API route as METHOD PATTERN\n"
	    "      --help-config  describe every configuration key\n"
	    "      --version      print the version\n"
	    "      --help         print this help\n"
	    "\n"
	    "Signals: SIGHUP reloads the configuration, SIGTERM stops "
	    "gracefully.\nSee vigild(8) and vigild.conf(5).\n", f);
}

static int
usage_error(const char *msg)
{
	fprintf(stderr, "vigild: %s\nTry 'vigild --help' for more "
	    "information.\n", msg);
	return EXIT_USAGE;
}

static void
print_routes(void)
{
	for (size_t i = 0; i < nroutes; i++)
		printf("%s %s\n", routes[i].method, routes[i].pattern);
}

/* Classic daemon: fork (the shell gets its prompt back), new session,
 * fork again (never reacquire a terminal), stdio to /dev/null, cwd /.
 * Every configured path is absolute by now. */
static int
daemonise(void)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

struct opts {
	const char *config;
	const char *data;
	bool foreground, check, verbose;
};

static int
check_and_print(const char *path, const struct vigild_config *cfg,
    bool verbose)
{
	char *text;
	int n;

	if (verbose) {
		if ((text = malloc(CONFIG_TEXT_MAX)) == NULL) {
			fputs("vigild: out of memory\n", stderr);
			return 1;
		}
		if ((n = config_format(cfg, text, CONFIG_TEXT_MAX)) < 0) {
			fprintf(stderr, "vigild: %s: the normalised "
			    "configuration is longer than %d bytes\n", path,
			    CONFIG_TEXT_MAX);
			free(text);
			return 1;
		}
		fwrite(text, 1, (size_t)n, stdout);
		free(text);
	}
	fprintf(stderr, "vigild: configuration %s is valid\n", path);
	return 0;
}

static int
run(const struct opts *op, const char *path, struct vigild_config *cfg)
{
	struct parent_opts po;
	int fds[METRICS_MAX_WORKERS];
	char err[1024], url[CONFIG_STR_MAX + 16];
	const char *port_file = getenv("VIGILD_PORT_FILE");
	unsigned n = listen_worker_count(cfg), port = 0;
	int rc;

	if (listen_open(cfg, n, fds, &port, err, sizeof err) != 0) {
		fprintf(stderr, "vigild: %s\n", err);
		return 1;
	}
	if (privdrop_chown_data(cfg, err, sizeof err) != 0) {
		fprintf(stderr, "vigild: %s\n", err);
		rc = 1;
		goto out;
	}
	if (port_file != NULL && port_file[0] != '\0' &&
	    listen_write_port_file(port_file, port, err, sizeof err) != 0) {
		fprintf(stderr, "vigild: %s\n", err);
		rc = 1;
		goto out;
	}
	if (!op->foreground && daemonise() != 0) {
		fprintf(stderr, "vigild: cannot daemonise: %s\n",
		    strerror(errno));
		rc = 1;
		goto out;
	}
	vlog_init("parent", op->foreground ? cfg->log_target : "syslog",
	    cfg->log_format, cfg->log_level);
	listen_url(cfg, port, url, sizeof url);
	vlog(VLOG_INFO, "vigild.start", "vigild %s (pid %d) listening on "
	    "%s with %u net workers", VIGIL_VERSION, (int)getpid(), url, n);
	memset(&po, 0, sizeof po);
	po.config_path = path;
	po.cfg = cfg;
	po.listen_fds = fds;
	po.nworkers = n;
	po.port = port;
	po.daemonised = !op->foreground;
	rc = parent_run(&po);
out:
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { OPT_DATA = 256, OPT_ROUTES, OPT_HELP_CONFIG, OPT_VERSION,
		OPT_HELP };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "data", required_argument, NULL, OPT_DATA },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "routes", no_argument, NULL, OPT_ROUTES },
		{ "help-config", no_argument, NULL, OPT_HELP_CONFIG },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	static struct vigild_config cfg;
	char path[CONFIG_PATH_MAX], err[1024];
	struct opts op;
	int c;

	memset(&op, 0, sizeof op);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:fnv", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			op.config = optarg;
			break;
		case OPT_DATA:
			op.data = optarg;
			break;
		case 'f':
			op.foreground = true;
			break;
		case 'n':
			op.check = true;
			break;
		case 'v':
			op.verbose = true;
			break;
		case OPT_ROUTES:
			print_routes();
			return 0;
		case OPT_HELP_CONFIG:
			config_print_keys(stdout);
			return 0;
		case OPT_VERSION:
			printf("vigild %s\n", VIGIL_VERSION);
			return 0;
		case OPT_HELP:
			usage(stdout);
			return 0;
		case ':':
			if (optopt != 0)
				snprintf(err, sizeof err, "option '-%c' needs "
				    "a value", optopt);
			else
				snprintf(err, sizeof err, "option '%s' needs "
				    "a value", argv[optind - 1]);
			return usage_error(err);
		default:
			if (optopt != 0)
				snprintf(err, sizeof err, "unknown option "
				    "'-%c'", optopt);
			else
				snprintf(err, sizeof err, "unknown option "
				    "'%s'", argv[optind - 1]);
			return usage_error(err);
		}
	}
	if (optind < argc) {
		snprintf(err, sizeof err, "unexpected argument '%s'",
		    argv[optind]);
		return usage_error(err);
	}
	if (op.config != NULL && op.data != NULL)
		return usage_error("-c and --data are alternatives");
	if (op.verbose && !op.check)
		return usage_error("-v goes with -n");
	if (op.data != NULL) {
		if (snprintf(path, sizeof path, "%s/vigild.conf", op.data) >=
		    (int)sizeof path)
			return usage_error("--data path is too long");
	} else {
		snprintf(path, sizeof path, "%s",
		    op.config ? op.config : DEFAULT_CONFIG);
	}

	/* Absolute, so that SIGHUP finds the file after daemonise()
	 * changed to /. */
	if (path[0] != '/') {
		char cwd[CONFIG_PATH_MAX], rel[CONFIG_PATH_MAX];

		memcpy(rel, path, sizeof rel);
		if (getcwd(cwd, sizeof cwd) == NULL ||
		    snprintf(path, sizeof path, "%s/%s", cwd, rel) >=
		    (int)sizeof path) {
			fputs("vigild: configuration path is too long\n",
			    stderr);
			return 1;
		}
	}
	vlog_init("parent", "stderr", "text", "info");
	if (config_load(path, &cfg, err, sizeof err) != 0 ||
	    config_check_files(&cfg, err, sizeof err) != 0) {
		fprintf(stderr, "vigild: %s\n", err);
		return 1;
	}
	if (geteuid() == 0) {
		uid_t uid;
		gid_t gid;
		char why[512];

		if (privdrop_lookup(cfg.user, &uid, &gid, why,
		    sizeof why) != 0) {
			fprintf(stderr, "vigild: %s: user: %s\n", path, why);
			return 1;
		}
	}
	if (op.check)
		return check_and_print(path, &cfg, op.verbose);
	return run(&op, path, &cfg);
}
