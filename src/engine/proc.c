/* proc.c: child processes for the exec and ansible runners.
 *
 * clone and execve, with nothing but system calls in between (the engine
 * is multi-threaded). The child is the leader of a new process group, so a
 * timeout can kill whatever it started as well, and it gets SIGKILL if irk
 * dies while it runs. We wait with a pidfd, so a grandchild that
 * keeps stdout open cannot hold the step after the program itself ended.
 *
 * A descendant that leaves the group (setsid, a daemon) is caught another
 * way: the engine makes irk a child subreaper, so such a process becomes
 * our child when its parent ends, and every program gets IRK_RUN=PID.N in
 * its environment, which its descendants inherit. proc_sweep() kills
 * every child of ours carrying the mark of a run that has ended. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int64_t proc_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *proc_find(const char *name, const char *path, char *buf, size_t n)
{
	struct stat sb;

	if (!name || !*name)
		return NULL;
	if (strchr(name, '/')) {
		if (stat(name, &sb) || !S_ISREG(sb.st_mode) || access(name, X_OK))
			return NULL;
		snprintf(buf, n, "%s", name);
		return buf;
	}
	for (const char *p = path; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		/* Only absolute directories: an empty or relative PATH entry
		 * would make the program depend on the working directory. */
		if (len && p[0] == '/' &&
		    (size_t)snprintf(buf, n, "%.*s/%s", (int)len, p, name) < n &&
		    !stat(buf, &sb) && S_ISREG(sb.st_mode) && !access(buf, X_OK))
			return buf;
		p = colon ? colon + 1 : p + len;
	}
	return NULL;
}

const char *proc_status_text(int status, char *buf, size_t n)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?
			 sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, n, "wait status %d", status);
	return buf;
}

void proc_result_free(struct proc_result *r)
{
	strbuf_free(&r->out);
	strbuf_free(&r->err);
}

/* Read what is available on fd into sb (up to cap, the rest counted and
 * dropped). Returns 0 at end of file, 1 when more may come. */
static int drain(int fd, struct strbuf *sb, size_t *total, size_t cap)
{
	char buf[16384];

	for (;;) {
		ssize_t got = read(fd, buf, sizeof buf);
		if (got > 0) {
			size_t keep = sb->len < cap ? cap - sb->len : 0;
			if (keep > (size_t)got)
				keep = (size_t)got;
			if (keep)
				strbuf_add(sb, buf, keep);
			*total += (size_t)got;
			continue;
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return 1;
		return 0;
	}
}

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- the runs in flight, and what they leave behind ------------------- */

static pthread_mutex_t runs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct run_slot {
	pid_t pid;                /* the leader */
	unsigned long n;          /* its mark: IRK_RUN=<our pid>.<n> */
} *runs;
static size_t nruns, runs_cap;
static unsigned long runs_seq;
static int reaping;               /* proc_reaper() was called */

void proc_reaper(void)
{
	if (!prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L)) {
		pthread_mutex_lock(&runs_lock);
		reaping = 1;
		pthread_mutex_unlock(&runs_lock);
	}
}

static int run_in_flight(pid_t pid, unsigned long n)
{
	for (size_t i = 0; i < nruns; i++)
		if ((pid && runs[i].pid == pid) || (n && runs[i].n == n))
			return 1;
	return 0;
}

/* The run number in the IRK_RUN mark of process pid: 0 when it has none
 * of ours (or is already a zombie, whose environment reads empty). */
static unsigned long run_mark(pid_t pid)
{
	char path[64], buf[16384], want[40];
	size_t wn, got = 0;
	ssize_t r;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
	wn = (size_t)snprintf(want, sizeof want, "IRK_RUN=%d.", (int)getpid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	buf[got] = '\0';
	for (size_t i = 0; i < got; i += strlen(buf + i) + 1)
		if (!strncmp(buf + i, want, wn))
			return strtoul(buf + i + wn, NULL, 10);
	return 0;
}

/* One child found in /proc/self/task/T/children: killed when it carries
 * the mark of a run that ended (1), reaped when it is a zombie of no run.
 * A process in the middle of an execve may read as unmarked: the next
 * sweep gets it. */
static int sweep_child(pid_t pid)
{
	unsigned long n;

	if (run_in_flight(pid, 0))
		return 0;
	n = run_mark(pid);
	if (n && !run_in_flight(0, n)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	if (!n && reaping)
		waitpid(pid, NULL, WNOHANG);
	return 0;
}

/* One pass over our children: how many were killed. */
static int sweep_pass(void)
{
	DIR *d;
	struct dirent *de;
	int killed = 0;

	if ((d = opendir("/proc/self/task"))) {
		while ((de = readdir(d))) {
			char path[64], list[4096], *p, *end;
			ssize_t r;
			int fd;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/proc/self/task/%.20s/children", de->d_name);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			r = read(fd, list, sizeof list - 1);
			close(fd);
			if (r <= 0)
				continue;
			list[r] = '\0';
			for (p = list; *p; p = end) {
				long pid = strtol(p, &end, 10);
				if (end == p)
					break;
				if (pid > 0)
					killed += sweep_child((pid_t)pid);
			}
		}
		closedir(d);
	}
	return killed;
}

void proc_sweep(void)
{
	/* What a killed process had started is ours by the time it is
	 * reaped: another pass finds it. */
	pthread_mutex_lock(&runs_lock);
	for (int pass = 0; pass < 16 && sweep_pass(); pass++)
		;
	pthread_mutex_unlock(&runs_lock);
}

static void run_forget(pid_t pid)
{
	pthread_mutex_lock(&runs_lock);
	for (size_t i = 0; i < nruns; i++)
		if (runs[i].pid == pid) {
			runs[i] = runs[--nruns];
			break;
		}
	pthread_mutex_unlock(&runs_lock);
}

struct child_args {
	const struct proc_spec *spec;
	int out, err;
	pid_t parent;
	int err_no;               /* set by the child when it cannot exec */
	char **envp;              /* spec->envp and IRK_RUN */
};

#define CHILD_STACK (64 * 1024)

/* The child, between clone and exec. It shares our memory (CLONE_VM) and
 * we wait until it has called execve (CLONE_VFORK), so it only makes
 * system calls: no allocation, no locks. It has its own signal handlers
 * and mask. Not instrumented by ASan: it runs on a borrowed stack and
 * never returns. */
__attribute__((no_sanitize_address))
static int child(void *arg)
{
	struct child_args *a = arg;
	const struct proc_spec *spec = a->spec;
	struct sigaction dfl;
	sigset_t none;
	int fd;

	setpgid(0, 0);
	/* When irk dies (kill -9), so does the program: the lease then
	 * decides whether it runs again, not a leftover copy. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != a->parent)
		_exit(127);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0 || dup2(a->out, 1) < 0 ||
	    dup2(a->err, 2) < 0)
		goto fail;
	if (spec->cwd && chdir(spec->cwd))
		goto fail;
	/* Nothing of ours leaks into the child: the database, the UI's
	 * eventfd, sockets of other threads. */
	close_range(3, ~0U, 0);
	execve(spec->argv[0], spec->argv, a->envp);
fail:
	a->err_no = errno;
	_exit(127);
}

/* A vfork-style clone, as glibc's posix_spawn does it (no copy of our
 * page tables, so a big irk starts programs as fast as a small one), but
 * with our own child code: posix_spawn cannot ask for PR_SET_PDEATHSIG.
 * Returns 0 or an errno. */
static int spawn(const struct proc_spec *spec, int out[2], int err[2], pid_t *pid)
{
	struct child_args a = { spec, out[1], err[1], getpid(), 0, NULL };
	char *stack = xmalloc(CHILD_STACK), mark[48];
	size_t n = 0;
	sigset_t all, old;
	int e = 0;

	/* The environment plus the mark, taken and registered under the
	 * lock: a sweep never sees the new child unregistered. */
	while (spec->envp && spec->envp[n])
		n++;
	a.envp = xmalloc((n + 2) * sizeof *a.envp);
	memcpy(a.envp, spec->envp, n * sizeof *a.envp);
	a.envp[n + 1] = NULL;
	pthread_mutex_lock(&runs_lock);
	if (nruns == runs_cap) {
		runs_cap = runs_cap ? 2 * runs_cap : 8;
		runs = xrealloc(runs, runs_cap * sizeof *runs);
	}
	runs[nruns].n = ++runs_seq;
	snprintf(mark, sizeof mark, "IRK_RUN=%d.%lu", (int)a.parent, runs[nruns].n);
	a.envp[n] = mark;

	/* No signal handler of ours may run in the child before it has
	 * reset them: it would run on our memory. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	*pid = clone(child, stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	if (*pid < 0)
		e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (*pid > 0 && !a.err_no)
		runs[nruns++].pid = *pid;
	pthread_mutex_unlock(&runs_lock);
	free(stack);
	free(a.envp);
	if (*pid < 0)
		return e;
	if (a.err_no) {
		waitpid(*pid, NULL, 0);
		return a.err_no;
	}
	return 0;
}

int proc_run(const struct proc_spec *spec, struct proc_result *r)
{
	int out[2], err[2], pidfd, rc, open_out = 1, open_err = 1, reaped = 0;
	int64_t start = proc_mono_ms(), kill_at = 0, next_tick;
	int tick_ms = spec->tick_ms > 0 ? spec->tick_ms : 1000;
	int watch_cancel = spec->cancel_fd >= 0;
	int termed = 0;

	memset(r, 0, sizeof *r);
	if (pipe2(out, O_CLOEXEC))
		return r->spawn_errno = errno, -1;
	if (pipe2(err, O_CLOEXEC)) {
		r->spawn_errno = errno;
		close(out[0]);
		close(out[1]);
		return -1;
	}
	rc = spawn(spec, out, err, &r->pid);
	close(out[1]);
	close(err[1]);
	if (rc) {
		r->spawn_errno = rc;
		close(out[0]);
		close(err[0]);
		return -1;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	pidfd = pidfd_open_(r->pid);
	next_tick = start + tick_ms;
	while (!reaped) {
		struct pollfd pf[4];
		int n = 0, i_out = -1, i_err = -1, i_pid = -1, i_cancel = -1;
		int64_t now = proc_mono_ms(), wait = next_tick - now;

		if (!termed && spec->timeout_ms > 0) {
			int64_t left = start + spec->timeout_ms - now;
			if (left <= 0) {
				r->timed_out = 1;
				goto stop;
			}
			if (left < wait)
				wait = left;
		}
		if (termed && kill_at) {
			if (now >= kill_at) {
				kill(-r->pid, SIGKILL);
				kill_at = 0;
			} else if (kill_at - now < wait) {
				wait = kill_at - now;
			}
		}
		if (now >= next_tick) {
			next_tick = now + tick_ms;
			if (!termed && spec->tick && spec->tick(spec->tick_arg)) {
				r->cancelled = 1;
				goto stop;
			}
			continue;
		}
		if (open_out)
			pf[i_out = n++] = (struct pollfd){ out[0], POLLIN, 0 };
		if (open_err)
			pf[i_err = n++] = (struct pollfd){ err[0], POLLIN, 0 };
		if (pidfd >= 0)
			pf[i_pid = n++] = (struct pollfd){ pidfd, POLLIN, 0 };
		else if (wait > 50)
			wait = 50;   /* no pidfd (old kernel): look with WNOHANG */
		if (watch_cancel && !termed)
			pf[i_cancel = n++] = (struct pollfd){ spec->cancel_fd, POLLIN, 0 };
		if (wait < 0)
			wait = 0;
		if (poll(pf, (nfds_t)n, (int)wait) < 0 && errno != EINTR)
			break;
		if (i_out >= 0 && pf[i_out].revents)
			open_out = drain(out[0], &r->out, &r->out_total, spec->cap);
		if (i_err >= 0 && pf[i_err].revents)
			open_err = drain(err[0], &r->err, &r->err_total, spec->cap);
		if (i_cancel >= 0 && pf[i_cancel].revents) {
			r->cancelled = 1;
			goto stop;
		}
		if ((i_pid >= 0 && pf[i_pid].revents) || pidfd < 0) {
			pid_t w = waitpid(r->pid, &r->status, pidfd >= 0 ? 0 : WNOHANG);
			if (w == r->pid || (w < 0 && errno == ECHILD))
				reaped = 1;
		}
		continue;
stop:
		/* TERM to the group first, so programs can clean up. */
		termed = 1;
		kill(-r->pid, SIGTERM);
		kill_at = proc_mono_ms() + (spec->grace_ms > 0 ? spec->grace_ms : 0);
		if (spec->grace_ms <= 0) {
			kill(-r->pid, SIGKILL);
			kill_at = 0;
		}
	}
	/* What the program wrote before it ended; a descendant still holding
	 * the pipe gets no more time. */
	if (open_out)
		drain(out[0], &r->out, &r->out_total, spec->cap);
	if (open_err)
		drain(err[0], &r->err, &r->err_total, spec->cap);
	r->out_cut = r->out_total > r->out.len;
	r->err_cut = r->err_total > r->err.len;
	/* Nothing the step started outlives it: not its group, not what
	 * left the group and came to us when its parent ended. */
	kill(-r->pid, SIGKILL);
	run_forget(r->pid);
	proc_sweep();
	close(out[0]);
	close(err[0]);
	if (pidfd >= 0)
		close(pidfd);
	r->ms = proc_mono_ms() - start;
	return 0;
}
