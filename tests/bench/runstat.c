/* runstat: run a command and print "SECONDS MAXRSS_KIB EXIT CPU_SECONDS" on stderr's
 * last line (to fd 3 when open, so the command's own output is left alone).
 * The benchmarks use it instead of GNU time, which a fresh machine lacks. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status = 0;
	pid_t pid;
	FILE *out;

	if (argc < 2) {
		fprintf(stderr, "usage: runstat CMD [ARG]...\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
		perror("runstat");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	out = fdopen(3, "w");
	if (!out)
		out = stderr;
	/* The CPU seconds (user + system) come last: on a shared machine
	 * they say more about the program than the wall clock does. */
	fprintf(out, "%.3f %ld %d %.3f\n", (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
		ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return 0;
}
