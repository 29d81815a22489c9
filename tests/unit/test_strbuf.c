/* test_strbuf.c: the growable string buffer (src/core/strbuf.c). */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "irk/err.h"
#include "irk/strbuf.h"

Test(strbuf, grown_but_empty_buffer_is_an_empty_string)
{
	struct strbuf sb = STRBUF_INIT;
	char *p;

	/* room reserved, nothing added: still "" (was uninitialised memory) */
	strbuf_grow(&sb, 100);
	cr_assert_str_eq(strbuf_str(&sb), "");
	p = strbuf_detach(&sb);
	cr_assert_str_eq(p, "");
	free(p);
	cr_assert_null(sb.buf);
}

Test(strbuf, add_printf_reset)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_str_eq(strbuf_str(&sb), "");
	strbuf_puts(&sb, "ab");
	strbuf_addc(&sb, 'c');
	strbuf_add(&sb, "d\0e", 3);
	cr_assert_eq(sb.len, 6);
	cr_assert(!memcmp(sb.buf, "abcd\0e", 7));
	strbuf_reset(&sb);
	cr_assert_str_eq(strbuf_str(&sb), "");
	/* longer than the first guess of 64 bytes */
	strbuf_printf(&sb, "%s-%0100d", "n", 7);
	cr_assert_eq(sb.len, 102);
	cr_assert_eq(sb.buf[101], '7');
	cr_assert_eq(sb.buf[102], '\0');
	strbuf_free(&sb);
	cr_assert_null(sb.buf);
}

Test(strbuf, strlcpy_always_terminates)
{
	char buf[4];

	cr_assert_str_eq(irk_strlcpy(buf, "abcdef", sizeof buf), "abc");
	cr_assert_str_eq(irk_strlcpy(buf, "", sizeof buf), "");
}

/* ---- the fatal path ------------------------------------------------------- */

/* Stands for the board's hook that puts the terminal back: it must run
 * before the message is printed, or the message is lost on the alternate
 * screen and the shell is left in raw mode. */
static void mark_restored(void)
{
	fputs("[terminal restored]", stderr);
}

/* Runs fn in a child whose stderr is a pipe; returns what it printed and
 * the signal that ended it (0 when it exited). */
static char *run_fatal(void (*fn)(void), int *sig)
{
	static char out[512];
	int fd[2], st;
	ssize_t n, len = 0;
	pid_t pid;

	cr_assert_eq(pipe(fd), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], STDERR_FILENO);
		setvbuf(stderr, NULL, _IONBF, 0);
		irk_on_fatal(mark_restored);
		fn();
		_exit(0);
	}
	close(fd[1]);
	while (len < (ssize_t)sizeof out - 1 && (n = read(fd[0], out + len, sizeof out - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(fd[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	*sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	return out;
}

static void fatal_message(void)
{
	irk_fatal("cannot go on (%d)", 42);
}

Test(fatal, restores_the_terminal_before_the_message_then_aborts)
{
	int sig;
	char *out = run_fatal(fatal_message, &sig);

	cr_assert_str_eq(out, "[terminal restored]irk: cannot go on (42)\n");
	cr_assert_eq(sig, SIGABRT);
}

/* AddressSanitizer ends a huge allocation itself instead of returning
 * NULL, so this one runs in the plain build only. */
#ifndef __SANITIZE_ADDRESS__
static void allocate_everything(void)
{
	volatile size_t n = SIZE_MAX / 2;

	free(xmalloc(n));
}

Test(fatal, out_of_memory_restores_the_terminal_first)
{
	int sig;
	char *out = run_fatal(allocate_everything, &sig);

	cr_assert(strncmp(out, "[terminal restored]irk: out of memory (", 39) == 0,
		  "got '%s'", out);
	cr_assert_eq(sig, SIGABRT);
}
#endif
