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

/* Every program proc_run starts is a run, registered here from before its
 * clone until it was reaped: the sweep kills a child of ours only when
 * the run its mark names is over, and reaps zombies of no run only while
 * no clone is under way (a leader that ended before it was registered
 * must keep its status for proc_run). The lock is never held while
 * waiting for a process. */
static pthread_mutex_t runs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct run_slot {
	pid_t pid;                /* the leader; 0 while its clone is under way */
	unsigned long n;          /* its mark: IRK_RUN=<our pid>.<n> */
} *runs;
static size_t nruns, runs_cap;
static unsigned long runs_seq;
static int starting;              /* runs whose clone is under way */
static int reaping;               /* proc_reaper() was called */

#define SWEEP_PASSES 16           /* what a killed process started: next pass */
#define SWEEP_WAIT_MS 200         /* for the killed to end, per pass */
#define ENVIRON_MAX (8 << 20)     /* bytes of a child's environment read */

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

/* A new run, before its clone: its number. */
static unsigned long run_begin(void)
{
	unsigned long n;

	pthread_mutex_lock(&runs_lock);
	if (nruns == runs_cap) {
		runs_cap = runs_cap ? 2 * runs_cap : 8;
		runs = xrealloc(runs, runs_cap * sizeof *runs);
	}
	n = ++runs_seq;
	runs[nruns++] = (struct run_slot){ 0, n };
	starting++;
	pthread_mutex_unlock(&runs_lock);
	return n;
}

/* Its clone returned: the leader's pid, or 0 when nothing runs (then the
 * run is over). */
static void run_started(unsigned long n, pid_t pid)
{
	pthread_mutex_lock(&runs_lock);
	starting--;
	for (size_t i = 0; i < nruns; i++)
		if (runs[i].n == n) {
			if (pid > 0)
				runs[i].pid = pid;
			else
				runs[i] = runs[--nruns];
			break;
		}
	pthread_mutex_unlock(&runs_lock);
}

/* Its leader was reaped. */
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

static int is_zombie(pid_t pid)
{
	char path[64], buf[512], *rp;
	ssize_t got;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;                   /* gone: nothing to wait for either */
	got = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[got > 0 ? got : 0] = '\0';
	rp = strrchr(buf, ')');
	return !rp || (rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'));
}

/* The mark of child pid: 1 with *n its run, 0 when it has none of ours
 * (a zombie's environment reads empty), -1 when it cannot be told now (a
 * live process whose environment reads empty or cut short is in the
 * middle of an execve). The whole environment is read: a shell passes the
 * variables on in an order of its own. */
static int run_mark(pid_t pid, unsigned long *n)
{
	char path[64], want[40], chunk[16384];
	struct strbuf env = STRBUF_INIT;
	size_t wn;
	ssize_t got;
	int fd, rc = 0;

	snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
	wn = (size_t)snprintf(want, sizeof want, "IRK_RUN=%d.", (int)getpid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while (env.len < ENVIRON_MAX && (got = read(fd, chunk, sizeof chunk)) > 0)
		strbuf_add(&env, chunk, (size_t)got);
	close(fd);
	if (!env.len) {
		strbuf_free(&env);
		return is_zombie(pid) ? 0 : -1;
	}
	/* The environment ends with a NUL: one cut short was read while the
	 * process replaced it (an execve). */
	if (env.buf[env.len - 1] != '\0' && env.len < ENVIRON_MAX) {
		strbuf_free(&env);
		return -1;
	}
	strbuf_addc(&env, '\0');
	for (size_t i = 0; i < env.len; i += strlen(env.buf + i) + 1)
		if (!strncmp(env.buf + i, want, wn)) {
			*n = strtoul(env.buf + i + wn, NULL, 10);
			rc = 1;
			break;
		}
	strbuf_free(&env);
	return rc;
}

struct sweep {
	pid_t victims[64];        /* killed this pass, to be reaped */
	int nvictims;
	int unsure;               /* children whose mark could not be read */
};

/* One child found in /proc/self/task/T/children: killed when it carries
 * the mark of a run that is over, reaped when it is a zombie of no run. */
static void sweep_child(struct sweep *sw, pid_t pid)
{
	unsigned long n = 0;
	int m;

	if (run_in_flight(pid, 0))
		return;
	m = run_mark(pid, &n);
	if (m < 0) {
		sw->unsure++;
	} else if (m > 0 && !run_in_flight(0, n)) {
		if (sw->nvictims < (int)(sizeof sw->victims / sizeof *sw->victims)) {
			kill(pid, SIGKILL);
			sw->victims[sw->nvictims++] = pid;
		} else {
			sw->unsure++;       /* the next pass */
		}
	} else if (m == 0 && reaping && !starting) {
		/* irk starts no other children: a zombie of no run was
		 * left by a step (it ended by itself after it came to us). */
		waitpid(pid, NULL, WNOHANG);
	}
}

/* The children of one of our threads, each to sweep_child; 0 when its
 * list could not be read. */
static int sweep_task(struct sweep *sw, long tid)
{
	char path[64], list[8192], *p, *end;
	ssize_t r;
	int fd;

	snprintf(path, sizeof path, "/proc/self/task/%ld/children", tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	r = read(fd, list, sizeof list - 1);
	close(fd);
	list[r > 0 ? r : 0] = '\0';
	for (p = list; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0)
			sweep_child(sw, (pid_t)pid);
	}
	return 1;
}

/* One pass over our children, under the lock. A process orphaned below
 * us becomes a child of our first thread (the kernel gives it to the
 * subreaper's first live thread), so that one list is enough; the
 * leaders the workers started are in theirs, and are not looked at. Only
 * when the first thread is gone are all the lists read. */
static void sweep_pass(struct sweep *sw)
{
	DIR *d;
	struct dirent *de;

	pthread_mutex_lock(&runs_lock);
	if (!sweep_task(sw, (long)getpid()) && (d = opendir("/proc/self/task"))) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				sweep_task(sw, strtol(de->d_name, NULL, 10));
		closedir(d);
	}
	pthread_mutex_unlock(&runs_lock);
}

/* Reap what a pass killed, each given a moment to end: a process stuck
 * in the kernel is left for a later sweep, which reaps it as a zombie. */
static void reap_victims(const struct sweep *sw)
{
	int64_t until = proc_mono_ms() + SWEEP_WAIT_MS;

	for (int i = 0; i < sw->nvictims; i++) {
		int fd = pidfd_open_(sw->victims[i]);
		int64_t left = until - proc_mono_ms();
		if (fd >= 0) {
			struct pollfd pf = { fd, POLLIN, 0 };
			poll(&pf, 1, left > 0 ? (int)left : 0);
			close(fd);
		}
		waitpid(sw->victims[i], NULL, WNOHANG);
	}
}

void proc_sweep(void)
{
	struct timespec pause = { 0, 2 * 1000 * 1000 };

	/* What a killed process had started is ours once it is reaped:
	 * another pass finds it. A child in the middle of an execve is
	 * looked at again after a pause. */
	for (int pass = 0; pass < SWEEP_PASSES; pass++) {
		struct sweep sw = { .nvictims = 0 };
		sweep_pass(&sw);
		reap_victims(&sw);
		if (!sw.nvictims && !sw.unsure)
			break;
		if (!sw.nvictims)
			nanosleep(&pause, NULL);
	}
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
	unsigned long run;
	sigset_t all, old;
	int e = 0;

	/* The mark first: a sweep looks at the whole environment anyway,
	 * but a reader of the program's own is told first whose it is. */
	while (spec->envp && spec->envp[n])
		n++;
	a.envp = xmalloc((n + 2) * sizeof *a.envp);
	run = run_begin();
	snprintf(mark, sizeof mark, "IRK_RUN=%d.%lu", (int)a.parent, run);
	a.envp[0] = mark;
	memcpy(a.envp + 1, spec->envp, n * sizeof *a.envp);
	a.envp[n + 1] = NULL;

	/* No signal handler of ours may run in the child before it has
	 * reset them: it would run on our memory. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	*pid = clone(child, stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	if (*pid < 0)
		e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(stack);
	free(a.envp);
	/* A child that could not exec is reaped before the run is over, so
	 * no sweep takes it for a zombie of no run. */
	if (*pid > 0 && a.err_no)
		waitpid(*pid, NULL, 0);
	run_started(run, *pid > 0 && !a.err_no ? *pid : 0);
	if (*pid < 0)
		return e;
	return a.err_no;
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
