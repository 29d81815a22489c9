/* runstat: run a command and print "SECONDS MAXRSS_KIB EXIT CPU_SECONDS THREADS"
 * on stderr's last line (to fd 3 when open, so the command's own output is
 * left alone). The benchmarks use it instead of GNU time, which a fresh
 * machine lacks.
 *
 * THREADS is the CPU seconds of each thread, busiest first, comma-separated
 * ("8.41,3.90"): on a shared machine the busiest thread's CPU says what the
 * wall clock of a quiet machine would be. Threads are sampled from
 * /proc/PID/task every 10 ms while the command runs; the main thread's
 * figure is the exact total minus the others' last samples. The wait
 * between samples is a poll on a pidfd, so the end is seen at once: the
 * wall time is not rounded up to the next 10 ms (it was, and every short
 * command read 10.0 or 20.0 ms). */
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

struct thr {
	long tid;
	double cpu;
};

static struct thr thr[MAX_THREADS];
static int nthr;

/* utime + stime of one task, in seconds; -1 when it is gone. */
static double task_cpu(pid_t pid, long tid)
{
	char path[96], buf[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%ld/task/%ld/stat", (long)pid, tid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name (field 2) may hold spaces: count fields after its ')'. */
	char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void sample(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		long tid = atol(e->d_name);
		double cpu;
		int i;

		if (tid <= 0 || (cpu = task_cpu(pid, tid)) < 0)
			continue;
		for (i = 0; i < nthr && thr[i].tid != tid; i++)
			;
		if (i == nthr) {
			if (nthr == MAX_THREADS)
				continue;
			thr[nthr++].tid = tid;
		}
		thr[i].cpu = cpu;
	}
	closedir(d);
}

static int by_cpu(const void *a, const void *b)
{
	double x = ((const struct thr *)a)->cpu, y = ((const struct thr *)b)->cpu;

	return (x < y) - (x > y);
}

int main(int argc, char **argv)
{
	struct timespec a, b, tick = { 0, 10000000L };
	struct rusage ru;
	int status = 0, pfd;
	pid_t pid, got;
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
	if (pid < 0) {
		perror("runstat");
		return 1;
	}
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	while ((got = wait4(pid, &status, WNOHANG, &ru)) == 0) {
		struct pollfd pf = { pfd, POLLIN, 0 };
		sample(pid);
		if (pfd < 0 || poll(&pf, 1, 10) < 0)
			nanosleep(&tick, NULL);
	}
	if (got < 0) {
		perror("runstat");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	out = fdopen(3, "w");
	if (!out)
		out = stderr;
	/* The CPU seconds (user + system) come after the exit status: on a
	 * shared machine they say more about the program than the wall
	 * clock does. */
	double total = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	double others = 0;
	for (int i = 0; i < nthr; i++)
		if (thr[i].tid != (long)pid)
			others += thr[i].cpu;
	for (int i = 0; i < nthr; i++)
		if (thr[i].tid == (long)pid)
			thr[i].cpu = total > others ? total - others : 0;
	if (!nthr) {
		thr[0].tid = pid;
		thr[0].cpu = total;
		nthr = 1;
	}
	qsort(thr, (size_t)nthr, sizeof *thr, by_cpu);
	fprintf(out, "%.3f %ld %d %.3f ", (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
		ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), total);
	for (int i = 0; i < nthr; i++)
		fprintf(out, "%s%.2f", i ? "," : "", thr[i].cpu);
	fputc('\n', out);
	return 0;
}
