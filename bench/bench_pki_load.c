/*
 * bench_pki_load — the load generator of the PKI benchmarks
 * (bench_pki.sh): T threads, each with one blocking TLS connection to
 * HOST:PORT at a time, for a fixed duration; prints one line of counts
 * and the rate.
 *
 * Modes:
 *   enroll             keep-alive HTTPS connections POSTing
 *                      pre-generated CSRs (application/pkcs10, base64)
 *                      to PATH (/.well-known/est/<label>/simpleenroll);
 *                      counts 200s. Credentials per job line (-j FILE):
 *                        csr=FILE.der [cert=IDEVID.pem key=KEY.pem]
 *                        [bearer=TOKEN | basic=USER:TOKEN]
 *                      Lines with a client certificate are identities:
 *                      thread t keeps line t % n and re-enrolls with it
 *                      on its own connection. Lines without one carry
 *                      one-time tokens: each is used once, globally;
 *                      when they run out the run ends early.
 *                      -g N: N fresh P-256 CSRs made before the clock
 *                      starts replace the csr= bodies (csr= may then
 *                      be omitted), each sent once while they last.
 *   handshake-full     a new TCP + TLS connection per operation with
 *                      the client certificate (-c/-k), no session
 *                      reuse, SSL_OP_NO_TICKET; one GET PATH with
 *                      Connection: close, read to the end.
 *   handshake-resumed  the same, resuming the thread's last session
 *                      (the server's session cache: no tickets are
 *                      asked for); only resumed handshakes count.
 * Each operation includes one small HTTP exchange because a TLS 1.3
 * client receives the session to resume only after the handshake, with
 * the server's first flight of application data; the same request is
 * sent to vigil and to the peer.
 *
 * Why a hand-rolled client and not wrk or curl: wrk cannot present a
 * client certificate nor open one connection per request, and curl's
 * own per-request cost would blur the servers' difference. The HTTP
 * reply reader below reads a status line, Content-Length and the body,
 * nothing more: it measures, it does not interpret.
 *
 * Output (one line, stdout):
 *   mode=M threads=T secs=S ops=N rate=R http_2xx=.. http_other=..
 *   connect_err=.. tls_err=.. io_err=.. not_resumed=..
 * The first few failures are described on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#define MAX_THREADS 256
#define MAX_JOBS 1000000
#define RESP_MAX 65536
#define REQ_MAX 16384
#define ERR_SHOWN 5

enum mode { MODE_ENROLL, MODE_FULL, MODE_RESUMED };

/* One enrollment job: the request body and its credentials. */
struct job {
	char *body;       /* base64 of the DER CSR */
	size_t body_len;
	char *auth;       /* "Authorization: ...\r\n" or NULL */
	char *cert, *key; /* client certificate files or NULL */
};

struct opts {
	enum mode mode;
	const char *host;
	int port;
	unsigned threads;
	unsigned secs;
	const char *cafile;
	const char *cert, *key;
	const char *path;
	const char *jobs;
	const char *save_first;
	unsigned long gen; /* -g: fresh CSRs to make before the run */
};

static struct opts o;
static struct sockaddr_in peer_addr;
static SSL_CTX *shared_ctx;
static struct job *jobs;
static size_t njobs;
static int jobs_are_identities;

static atomic_bool stop_now;
static atomic_size_t next_job;
static atomic_uint_fast64_t n_ops, n_2xx, n_other, n_connect, n_tls, n_io,
    n_not_resumed;
static atomic_int n_shown;
static atomic_bool first_saved;

/* -g: a pool of fresh P-256 CSRs (base64 DER), each sent once while it
 * lasts, so that no two enrollments certify the same key. */
static char **pool;
static size_t *pool_len;
static atomic_size_t next_csr;

static void __attribute__((noreturn))
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "bench_pki_load: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Describes the first few failures; the counters carry the rest. */
static void
report(const char *what, const char *detail)
{
	unsigned long e;
	char buf[256];

	if (atomic_fetch_add(&n_shown, 1) >= ERR_SHOWN)
		return;
	/* The first line of a reply body, at most 160 bytes. */
	if (detail != NULL) {
		int n = (int)strcspn(detail, "\r\n");

		fprintf(stderr, "bench_pki_load: %s: %.*s\n", what,
		    n > 160 ? 160 : n, detail);
		return;
	}
	e = ERR_peek_last_error();
	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof buf);
		fprintf(stderr, "bench_pki_load: %s: %s\n", what, buf);
	} else {
		fprintf(stderr, "bench_pki_load: %s: %s\n", what,
		    strerror(errno));
	}
}

static unsigned long
num(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max)
		die("bad %s", what);
	return v;
}

/* ------------------------------------------------------------------ */
/* Job file */

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n = 0;

	if (f == NULL)
		die("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > 1 << 20 || fseek(f, 0, SEEK_SET) != 0)
		die("cannot size %s", path);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read %s", path);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The CSR file (DER, or PEM converted to DER) as one base64 line. */
static char *
csr_body(const char *path, size_t *len)
{
	size_t n;
	char *raw = read_file(path, &n), *b64;
	unsigned char *der = NULL;
	const unsigned char *src = (const unsigned char *)raw;
	int dlen = (int)n;

	if (n > 0 && raw[0] == '-') {
		BIO *bio = BIO_new_mem_buf(raw, (int)n);
		X509_REQ *req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);

		BIO_free(bio);
		if (req == NULL || (dlen = i2d_X509_REQ(req, &der)) <= 0)
			die("%s: not a PEM CSR", path);
		X509_REQ_free(req);
		src = der;
	}
	b64 = malloc(4 * (((size_t)dlen + 2) / 3) + 1);
	if (b64 == NULL)
		die("%s", "out of memory");
	*len = (size_t)EVP_EncodeBlock((unsigned char *)b64, src, dlen);
	OPENSSL_free(der);
	free(raw);
	return b64;
}

static char *
auth_header(const char *scheme, const char *cred)
{
	size_t cap = strlen(cred) * 2 + 64;
	char *h = malloc(cap);

	if (h == NULL)
		die("%s", "out of memory");
	if (strcmp(scheme, "Bearer") == 0) {
		snprintf(h, cap, "Authorization: Bearer %s\r\n", cred);
	} else {
		size_t off = (size_t)snprintf(h, cap,
		    "Authorization: Basic ");
		off += (size_t)EVP_EncodeBlock((unsigned char *)h + off,
		    (const unsigned char *)cred, (int)strlen(cred));
		snprintf(h + off, cap - off, "\r\n");
	}
	return h;
}

static char *
dup_str(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		die("%s", "out of memory");
	return d;
}

static void
load_jobs(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t cap = 0;

	if (f == NULL)
		die("cannot open job file %s", path);
	while (fgets(line, sizeof line, f) != NULL) {
		struct job j = { 0 };
		char *save = NULL, *tok;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		/* Fields are "k=v" separated by spaces (no strtok). */
		for (tok = line; tok != NULL && *tok != '\0'; tok = save) {
			char *sp = strchr(tok, ' ');

			save = NULL;
			if (sp != NULL) {
				*sp = '\0';
				save = sp + 1;
			}
			if (strncmp(tok, "csr=", 4) == 0)
				j.body = csr_body(tok + 4, &j.body_len);
			else if (strncmp(tok, "cert=", 5) == 0)
				j.cert = dup_str(tok + 5);
			else if (strncmp(tok, "key=", 4) == 0)
				j.key = dup_str(tok + 4);
			else if (strncmp(tok, "bearer=", 7) == 0)
				j.auth = auth_header("Bearer", tok + 7);
			else if (strncmp(tok, "basic=", 6) == 0)
				j.auth = auth_header("Basic", tok + 6);
			else if (*tok != '\0')
				die("unknown job field %s", tok);
		}
		if (j.body == NULL && o.gen == 0)
			die("job line without csr= (and no -g) in %s", path);
		if ((j.cert == NULL) != (j.key == NULL))
			die("job line with cert= but no key= in %s", path);
		if (njobs == MAX_JOBS)
			die("more than a million jobs in %s", path);
		if (njobs == cap) {
			cap = cap ? cap * 2 : 64;
			jobs = realloc(jobs, cap * sizeof *jobs);
			if (jobs == NULL)
				die("%s", "out of memory");
		}
		jobs[njobs++] = j;
	}
	fclose(f);
	if (njobs == 0)
		die("no jobs in %s", path);
	jobs_are_identities = jobs[0].cert != NULL;
}

/* One P-256 key and its CSR (CN only: the identity comes from the
 * registry), as base64 DER. */
static char *
make_csr(size_t *len)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;
	char *b64;
	int dlen = 0;

	if (k == NULL || req == NULL || n == NULL ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"bench", -1, -1, 0) != 1 ||
	    X509_REQ_set_subject_name(req, n) != 1 ||
	    X509_REQ_set_pubkey(req, k) != 1 ||
	    X509_REQ_sign(req, k, EVP_sha256()) <= 0 ||
	    (dlen = i2d_X509_REQ(req, &der)) <= 0)
		die("%s", "cannot make a CSR");
	b64 = malloc(4 * (((size_t)dlen + 2) / 3) + 1);
	if (b64 == NULL)
		die("%s", "out of memory");
	*len = (size_t)EVP_EncodeBlock((unsigned char *)b64, der, dlen);
	OPENSSL_free(der);
	X509_NAME_free(n);
	X509_REQ_free(req);
	EVP_PKEY_free(k);
	return b64;
}

/* Fills every n-th slot of the pool from slot (uintptr_t)arg. */
static void *
pool_fill(void *arg)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	for (size_t i = (uintptr_t)arg; i < o.gen; i += (size_t)n)
		pool[i] = make_csr(&pool_len[i]);
	OPENSSL_thread_stop();
	return NULL;
}

/* On every core: 15,000 CSRs take seconds on one. */
static void
make_pool(void)
{
	pthread_t th[MAX_THREADS];
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1 || n > MAX_THREADS)
		die("%s", "cannot count the CPUs");
	pool = calloc(o.gen, sizeof *pool);
	pool_len = calloc(o.gen, sizeof *pool_len);
	if (pool == NULL || pool_len == NULL)
		die("%s", "out of memory");
	for (long i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, pool_fill,
		    (void *)(uintptr_t)i) != 0)
			die("%s", "cannot start a thread");
	for (long i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

/* ------------------------------------------------------------------ */
/* Connections */

static SSL_CTX *
client_ctx(const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		die("%s", "SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Resumption comes from the server's cache, never tickets. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (o.cafile != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, o.cafile, NULL) != 1)
			die("cannot load CA file %s", o.cafile);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	if (cert != NULL &&
	    (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1))
		die("cannot load client certificate/key %s", cert);
	return ctx;
}

static int
tcp_connect(void)
{
	struct timeval tv = { 5, 0 };
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&peer_addr, sizeof peer_addr) !=
	    0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A TLS connection or NULL (counted). sess: resume it when not NULL. */
static SSL *
tls_open(SSL_CTX *ctx, SSL_SESSION *sess)
{
	SSL *ssl;
	int fd = tcp_connect();

	if (fd < 0) {
		atomic_fetch_add(&n_connect, 1);
		report("connect", NULL);
		return NULL;
	}
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		close(fd);
		SSL_free(ssl);
		atomic_fetch_add(&n_tls, 1);
		return NULL;
	}
	SSL_set_tlsext_host_name(ssl, o.host);
	if (sess != NULL)
		SSL_set_session(ssl, sess);
	if (SSL_connect(ssl) != 1) {
		atomic_fetch_add(&n_tls, 1);
		report("TLS handshake", NULL);
		ERR_clear_error();
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	return ssl;
}

static void
tls_close(SSL *ssl, int clean)
{
	int fd;

	if (ssl == NULL)
		return;
	fd = SSL_get_fd(ssl);
	/* A session stays resumable only after an orderly close. */
	if (clean)
		SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN |
		    SSL_RECEIVED_SHUTDOWN);
	SSL_free(ssl);
	close(fd);
	ERR_clear_error();
}

static int
write_all(SSL *ssl, const char *buf, size_t len)
{
	while (len > 0) {
		int n = SSL_write(ssl, buf, (int)len);

		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads one reply: status line, headers, Content-Length bytes of body
 * (or up to the end of the stream without one). Returns the status,
 * -1 on an I/O error; *closed when the server ended the stream. The
 * body (first RESP_MAX bytes) stays in buf, *body at its start.
 */
static int
read_reply(SSL *ssl, char *buf, size_t *blen, char **body, int *closed)
{
	size_t have = 0, hdr_end = 0, want = (size_t)-1;
	int status = -1;

	*closed = 0;
	for (;;) {
		int n;

		if (hdr_end == 0) {
			char *e;

			buf[have] = '\0';
			e = strstr(buf, "\r\n\r\n");
			if (e != NULL) {
				char *cl, *p;

				hdr_end = (size_t)(e - buf) + 4;
				if (strncmp(buf, "HTTP/1.", 7) != 0)
					return -1;
				status = (int)strtol(buf + 9, NULL, 10);
				for (p = buf; p < e; p++)
					*p = (char)((*p >= 'A' && *p <= 'Z') ?
					    *p + 32 : *p);
				cl = strstr(buf, "\r\ncontent-length:");
				if (cl != NULL && cl < e)
					want = hdr_end + (size_t)strtoul(
					    cl + 17, NULL, 10);
				cl = strstr(buf, "\r\nconnection: close");
				if (cl != NULL && cl < e)
					*closed = 1;
			}
		}
		if (hdr_end != 0 && have >= want)
			break;
		if (have >= RESP_MAX - 1)
			return -1;
		n = SSL_read(ssl, buf + have, (int)(RESP_MAX - 1 - have));
		if (n <= 0) {
			int e = SSL_get_error(ssl, n);

			*closed = 1;
			if (e == SSL_ERROR_ZERO_RETURN ||
			    (e == SSL_ERROR_SYSCALL && hdr_end != 0 &&
			    want == (size_t)-1))
				break;
			return -1;
		}
		have += (size_t)n;
	}
	if (hdr_end == 0)
		return -1;
	buf[have] = '\0';
	*blen = have - hdr_end;
	*body = buf + hdr_end;
	return status;
}

static void
count_status(int status, const char *body)
{
	if (status >= 200 && status < 300) {
		atomic_fetch_add(&n_2xx, 1);
		return;
	}
	atomic_fetch_add(&n_other, 1);
	if (atomic_load(&n_shown) < ERR_SHOWN) {
		char what[32];

		snprintf(what, sizeof what, "HTTP %d", status);
		report(what, body);
	}
}

/* ------------------------------------------------------------------ */
/* Modes */

static void
save_first(const char *body, size_t len)
{
	FILE *f;

	if (o.save_first == NULL || atomic_exchange(&first_saved, true))
		return;
	f = fopen(o.save_first, "wb");
	if (f != NULL) {
		fwrite(body, 1, len, f);
		fclose(f);
	}
}

static void
enroll_loop(unsigned t)
{
	char *buf = malloc(RESP_MAX), *req = malloc(REQ_MAX);
	SSL_CTX *ctx = shared_ctx;
	struct job *fixed = NULL;
	SSL *ssl = NULL;

	if (buf == NULL || req == NULL)
		die("%s", "out of memory");
	if (jobs_are_identities) {
		fixed = &jobs[t % njobs];
		ctx = client_ctx(fixed->cert, fixed->key);
	}
	while (!atomic_load(&stop_now)) {
		struct job *j = fixed;
		const char *csr;
		char *body;
		size_t blen, csr_len;
		int status, closed, n;

		if (j == NULL) {
			size_t i = atomic_fetch_add(&next_job, 1);

			if (i >= njobs) {
				atomic_store(&stop_now, true);
				break;
			}
			j = &jobs[i];
		}
		if (ssl == NULL && (ssl = tls_open(ctx, NULL)) == NULL) {
			usleep(10000);
			continue;
		}
		if (o.gen > 0) {
			/* Wraps around when the pool runs out. */
			size_t i = atomic_fetch_add(&next_csr, 1) % o.gen;

			csr = pool[i];
			csr_len = pool_len[i];
		} else {
			csr = j->body;
			csr_len = j->body_len;
		}
		n = snprintf(req, REQ_MAX,
		    "POST %s HTTP/1.1\r\nHost: %s:%d\r\n"
		    "Content-Type: application/pkcs10\r\n"
		    "Content-Length: %zu\r\n%s\r\n",
		    o.path, o.host, o.port, csr_len,
		    j->auth != NULL ? j->auth : "");
		if (n < 0 || n >= REQ_MAX || write_all(ssl, req,
		    (size_t)n) != 0 ||
		    write_all(ssl, csr, csr_len) != 0) {
			atomic_fetch_add(&n_io, 1);
			report("write", "request not sent");
			tls_close(ssl, 0);
			ssl = NULL;
			continue;
		}
		status = read_reply(ssl, buf, &blen, &body, &closed);
		if (status < 0) {
			atomic_fetch_add(&n_io, 1);
			report("read", "no complete reply");
			tls_close(ssl, 0);
			ssl = NULL;
			continue;
		}
		count_status(status, body);
		if (status == 200) {
			atomic_fetch_add(&n_ops, 1);
			save_first(body, blen);
		}
		if (closed) {
			tls_close(ssl, 1);
			ssl = NULL;
		}
	}
	tls_close(ssl, 1);
	if (ctx != shared_ctx)
		SSL_CTX_free(ctx);
	free(buf);
	free(req);
}

static void
handshake_loop(void)
{
	char *buf = malloc(RESP_MAX), req[512];
	SSL_SESSION *sess = NULL;
	int n;

	if (buf == NULL)
		die("%s", "out of memory");
	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
	    "Connection: close\r\n\r\n", o.path, o.host, o.port);
	while (!atomic_load(&stop_now)) {
		SSL *ssl = tls_open(shared_ctx,
		    o.mode == MODE_RESUMED ? sess : NULL);
		char *body;
		size_t blen;
		int status, closed, reused;

		if (ssl == NULL) {
			/* The saved session may be the cause: start over. */
			SSL_SESSION_free(sess);
			sess = NULL;
			usleep(10000);
			continue;
		}
		reused = SSL_session_reused(ssl);
		if (write_all(ssl, req, (size_t)n) != 0 ||
		    (status = read_reply(ssl, buf, &blen, &body,
		    &closed)) < 0) {
			atomic_fetch_add(&n_io, 1);
			report("HTTP exchange", "failed after the handshake");
			tls_close(ssl, 0);
			continue;
		}
		count_status(status, body);
		if (o.mode == MODE_RESUMED) {
			/* The newest session (TLS 1.3: from the ticket
			 * that came with the reply) for the next round. */
			SSL_SESSION_free(sess);
			sess = SSL_get1_session(ssl);
			if (reused)
				atomic_fetch_add(&n_ops, 1);
			else
				atomic_fetch_add(&n_not_resumed, 1);
		} else {
			atomic_fetch_add(&n_ops, 1);
		}
		tls_close(ssl, 1);
	}
	SSL_SESSION_free(sess);
	free(buf);
}

static void *
worker(void *arg)
{
	unsigned t = (unsigned)(uintptr_t)arg;

	if (o.mode == MODE_ENROLL)
		enroll_loop(t);
	else
		handshake_loop();
	OPENSSL_thread_stop();
	return NULL;
}

/* ------------------------------------------------------------------ */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_pki_load -m enroll|handshake-full|"
	    "handshake-resumed\n"
	    "    -p PORT [-h HOST] [-t THREADS] [-d SECONDS] [-C CAFILE]\n"
	    "    [-c CERT -k KEY] [-P PATH] [-j JOBFILE] [-s SAVE_FIRST]\n"
	    "    [-g FRESH_CSRS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	double t0, secs;
	unsigned i;
	int c;

	o.host = "127.0.0.1";
	o.threads = 16;
	o.secs = 5;
	o.path = NULL;
	o.mode = MODE_FULL;
	while ((c = getopt(argc, argv, "m:h:p:t:d:C:c:k:P:j:s:g:")) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "enroll") == 0)
				o.mode = MODE_ENROLL;
			else if (strcmp(optarg, "handshake-full") == 0)
				o.mode = MODE_FULL;
			else if (strcmp(optarg, "handshake-resumed") == 0)
				o.mode = MODE_RESUMED;
			else
				usage();
			break;
		case 'h':
			o.host = optarg;
			break;
		case 'p':
			o.port = (int)num(optarg, "port", 65535);
			break;
		case 't':
			o.threads = (unsigned)num(optarg, "thread count",
			    MAX_THREADS);
			break;
		case 'd':
			o.secs = (unsigned)num(optarg, "duration", 3600);
			break;
		case 'C':
			o.cafile = optarg;
			break;
		case 'c':
			o.cert = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'P':
			o.path = optarg;
			break;
		case 'j':
			o.jobs = optarg;
			break;
		case 's':
			o.save_first = optarg;
			break;
		case 'g':
			o.gen = num(optarg, "CSR count", MAX_JOBS);
			break;
		default:
			usage();
		}
	}
	if (o.port == 0 || optind != argc || (o.cert == NULL) !=
	    (o.key == NULL) || (o.mode == MODE_ENROLL && o.jobs == NULL))
		usage();
	if (o.path == NULL)
		o.path = o.mode == MODE_ENROLL ?
		    "/.well-known/est/simpleenroll" : "/";
	memset(&peer_addr, 0, sizeof peer_addr);
	peer_addr.sin_family = AF_INET;
	peer_addr.sin_port = htons((uint16_t)o.port);
	if (inet_pton(AF_INET, o.host, &peer_addr.sin_addr) != 1)
		die("host %s is not an IPv4 address", o.host);
	signal(SIGPIPE, SIG_IGN);
	if (o.mode == MODE_ENROLL) {
		load_jobs(o.jobs);
		if (o.gen > 0)
			make_pool();
	}
	shared_ctx = client_ctx(o.cert, o.key);

	t0 = now_s();
	for (i = 0; i < o.threads; i++)
		if (pthread_create(&th[i], NULL, worker,
		    (void *)(uintptr_t)i) != 0)
			die("%s", "cannot start a thread");
	while (!atomic_load(&stop_now) && now_s() - t0 < o.secs)
		usleep(20000);
	atomic_store(&stop_now, true);
	secs = now_s() - t0;
	for (i = 0; i < o.threads; i++)
		pthread_join(th[i], NULL);
	printf("mode=%s threads=%u secs=%.2f ops=%" PRIuFAST64
	    " rate=%.1f http_2xx=%" PRIuFAST64 " http_other=%" PRIuFAST64
	    " connect_err=%" PRIuFAST64 " tls_err=%" PRIuFAST64
	    " io_err=%" PRIuFAST64 " not_resumed=%" PRIuFAST64 "\n",
	    o.mode == MODE_ENROLL ? "enroll" : o.mode == MODE_FULL ?
	    "handshake-full" : "handshake-resumed", o.threads, secs,
	    atomic_load(&n_ops), (double)atomic_load(&n_ops) / secs,
	    atomic_load(&n_2xx), atomic_load(&n_other),
	    atomic_load(&n_connect), atomic_load(&n_tls), atomic_load(&n_io),
	    atomic_load(&n_not_resumed));
	SSL_CTX_free(shared_ctx);
	return 0;
}
