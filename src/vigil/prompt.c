/*
 * Reading secrets and answers: from the terminal (without echo for a
 * secret) when standard input is one, else one line of standard input,
 * so that scripts can pipe a password in. Never from the command line,
 * where other users can read it in the process list. Lines are read a
 * byte at a time, so that nothing past the line is buffered (a second
 * prompt reads the next line) and no copy of a secret lingers in a
 * stdio buffer.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

static struct termios saved_tio;
static volatile sig_atomic_t echo_off;
static struct sigaction saved_sa[3];
static const int caught[3] = { SIGINT, SIGTERM, SIGQUIT };

/* A signal while echo is off: put the terminal back, then die of it. */
static void
on_signal(int sig)
{
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool
echo_disable(void)
{
	struct termios t;
	struct sigaction sa;

	if (tcgetattr(STDIN_FILENO, &saved_tio) != 0)
		return false;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(caught[i], &sa, &saved_sa[i]);
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	t.c_lflag |= ICANON;
	echo_off = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0) {
		echo_off = 0;
		return false;
	}
	return true;
}

static void
echo_restore(void)
{
	if (!echo_off)
		return;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	echo_off = 0;
	for (int i = 0; i < 3; i++)
		sigaction(caught[i], &saved_sa[i], NULL);
	fputc('\n', stderr);
}

/* One line of fd 0 without its end; -1 on error or end of input
 * before anything was read, -2 when longer than size - 1. */
static int
read_line(char *buf, size_t size)
{
	size_t n = 0;
	bool any = false, toolong = false;

	for (;;) {
		char c;
		ssize_t r = read(STDIN_FILENO, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		any = true;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
		else
			toolong = true;
		c = 0;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (toolong) {
		OPENSSL_cleanse(buf, size);
		return -2;
	}
	return any ? (int)n : -1;
}

int
cli_prompt(const char *prompt, bool secret, char *buf, size_t size)
{
	bool tty = isatty(STDIN_FILENO) == 1;
	int n;

	buf[0] = '\0';
	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (secret && !echo_disable()) {
			cli_err("cannot turn off the terminal's echo for the "
			    "password: %s", strerror(errno));
			return -1;
		}
	}
	n = read_line(buf, size);
	if (tty && secret)
		echo_restore();
	if (n == -2) {
		cli_err("%s longer than %zu bytes", secret ? "secret" :
		    "answer", size - 1);
		return -1;
	}
	if (n < 0) {
		cli_err("no input for '%.*s': standard input ended",
		    (int)strcspn(prompt, ":"), prompt);
		return -1;
	}
	return n;
}
