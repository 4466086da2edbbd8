/*
 * sysmon: an OS thread that holds no P and watches the others, as in Go.
 * It takes the P of an M that has been in a system call for longer than a
 * short grace period (Go's 20 µs) and hands it to another M when there is
 * work for it, so no P is ever stuck behind an M blocked in the kernel
 * (invariant 4).
 *
 * It also asks a G that has run for longer than its time slice without
 * passing through the scheduler to give up its P (preempt/: a signal to its
 * M, acted on at the next safe point); the request is repeated every round
 * until the G moves, as in Go's retake.
 *
 * It polls every 20 µs after it took a P, backing off (Go's rule: after 50
 * rounds with nothing to take) to 1 ms while some P is in a system call and
 * to 10 ms otherwise (or half the time slice, if shorter, while a G runs), so an
 * idle program costs about a hundred wake-ups a second and a busy one with
 * short system calls little more.
 */
#include "sched/internal.h"
#include "preempt/preempt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GRACE_NS 20000
#define RETAKE_IDLE_NS 10000000
#define MIN_SLEEP_NS 20000
#define MAX_SLEEP_NS 10000000
#define SYSCALL_SLEEP_NS 1000000
#define NETPOLL_STALE_NS 10000000

static _Atomic uint32_t wake_word;   /* sysmon sleeps on it */

void sysmon_wake(void)
{
	atomic_store(&wake_word, 1);
	futex_wake(&wake_word, 1);
}

struct p_watch {
	uint32_t syscalltick;
	int64_t since;
	uint32_t schedtick;          /* the G running when sysmon last looked */
	int64_t running_since;
};
static struct p_watch watch[MAX_PROCS];

/* Something a P could do: run Gs, fire timers, or poll for Gs parked on descriptors. */
static bool work_waiting(struct p *p)
{
	return !runq_empty(p) || atomic_load(&sched.runq_size) > 0 || timers_next() != INT64_MAX ||
	       netpoll_has_waiters();
}

/* Gives a P taken from a system call to an M if there is work, else to the idle list. */
static void handoffp(struct p *p)
{
	if (work_waiting(p)) {
		startm(p, false);
		return;
	}
	spin_acquire(&sched.lock);
	pidle_put(p);
	spin_release(&sched.lock);
}

/*
 * Gs that lost their P inside a long libc call (preempt/handler.c) run on
 * without one once back in program code; they take a P back at their next
 * call into goro. Until then sysmon keeps signalling their Ms, so one that
 * only computes is stopped at its next safe point and queued for a P like
 * any other. One blocked in the kernel is left alone: the signal could
 * only cost it an EINTR in a call goro does not wrap.
 */
static bool thread_running(pid_t tid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	int fd = (int)SYS4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return false;
	long n = SYS3(SYS_read, fd, buf, sizeof buf - 1);
	SYS1(SYS_close, fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	const char *paren = strrchr(buf, ')');   /* "tid (comm) S ..." */
	return paren && paren[1] == ' ' && paren[2] == 'R';
}

static void signal_libc_callers(void)
{
	if (atomic_load(&sched_libc_calls) == 0)
		return;
	int count = sched_m_count();
	for (int i = 0; i < count; i++) {
		struct m *m = sched_m_at(i);
		if (atomic_load(&m->libc_call) && thread_running(m->ktid)) {
			atomic_store(&m->preempt, true);
			preempt_signal_m(m->ktid);
		}
	}
}

/* A G that has had its P for a whole time slice is asked to let it go,
 * also while it is in a system call (one that does not block: a G making
 * fast calls in a loop is mostly seen there); it yields at its next entry
 * into goro, or, running program code, at the signal. */
static void preempt_long_running(int i, struct p *p, int64_t now, int64_t slice)
{
	uint32_t tick = __atomic_load_n(&p->schedtick, __ATOMIC_RELAXED);
	if (tick != watch[i].schedtick) {
		watch[i].schedtick = tick;
		watch[i].running_since = now;
		return;
	}
	if (now - watch[i].running_since < slice)
		return;
	struct m *m = __atomic_load_n(&p->m, __ATOMIC_RELAXED);
	if (!m || !__atomic_load_n(&m->curg, __ATOMIC_RELAXED))
		return;
	atomic_store(&m->preempt, true);
	if (atomic_load(&p->status) == P_RUNNING)
		preempt_signal_m(m->ktid);
}

/* Returns how many Ps it took; *in_syscall says whether any P is in a system
 * call, *running whether a G holds one. */
static int retake(int64_t now, bool *in_syscall, bool *running)
{
	int taken = 0;
	int64_t slice = preempt_slice_ns();
	*in_syscall = false;
	*running = false;
	for (int i = 0; i < sched_procs; i++) {
		struct p *p = allp[i];
		int status = atomic_load(&p->status);
		if (status == P_RUNNING || status == P_SYSCALL) {
			*running = true;
			if (slice)
				preempt_long_running(i, p, now, slice);
		}
		if (status != P_SYSCALL)
			continue;
		*in_syscall = true;
		uint32_t tick = atomic_load(&p->syscalltick);
		if (tick != watch[i].syscalltick) {
			watch[i].syscalltick = tick;
			watch[i].since = now;
			continue;
		}
		int64_t in_call = now - watch[i].since;
		if (in_call < GRACE_NS)
			continue;
		/* Nothing to run and others are looking: leave it unless the call is long. */
		if (!work_waiting(p) && atomic_load(&sched.npidle) + atomic_load(&sched.nmspinning) > 0 &&
		    in_call < RETAKE_IDLE_NS)
			continue;
		int expected = P_SYSCALL;
		if (!atomic_compare_exchange_strong(&p->status, &expected, P_IDLE))
			continue;
		p->m = NULL;
		handoffp(p);
		taken++;
		atomic_fetch_add_explicit(&sched_handoffs, 1, memory_order_relaxed);
	}
	return taken;
}

static void *sysmon_main(void *arg)
{
	/* sysmon runs no program code; it catches the process signals that only
	 * parked Gs accept and routes them (sched/sigmask.c) */
	signals_sysmon_thread();
	int64_t delay = MIN_SLEEP_NS;
	int quiet = 0;
	/* What each P is doing now counts from now (after fork the child's sysmon
	 * must not take the forking G's earlier run for a whole slice). */
	for (int i = 0; i < sched_procs; i++)
		watch[i] = (struct p_watch){.syscalltick = atomic_load(&allp[i]->syscalltick), .since = nanotime(),
					    .schedtick = __atomic_load_n(&allp[i]->schedtick, __ATOMIC_RELAXED),
					    .running_since = nanotime()};
	int64_t started = nanotime(), next_trace = started + schedtrace_interval_ns;
	for (;;) {
		int64_t wake_at = nanotime() + delay;
		if (schedtrace_interval_ns && next_trace < wake_at)
			wake_at = next_trace;
		futex_wait(&wake_word, 0, wake_at);
		atomic_store(&wake_word, 0);
		atomic_store_explicit(&sched_coarse_now, nanotime(), memory_order_relaxed);
		signals_route_pending();
		dump_if_requested();
		deadlock_check(atomic_load_explicit(&sched_coarse_now, memory_order_relaxed));
		if (schedtrace_interval_ns && nanotime() >= next_trace) {
			schedtrace_print(next_trace - started);
			next_trace += schedtrace_interval_ns;
		}
		bool in_syscall, running;
		int64_t now = nanotime();
		/* Every P busy with Gs that never leave the run queues: nobody polls, so sysmon does (Go: 10 ms). */
		if (netpoll_has_waiters() && now - netpoll_last_poll() > NETPOLL_STALE_NS) {
			struct g *ready = netpoll(0);
			if (ready)
				sched_inject_global(ready);
		}
		if (preempt_slice_ns())
			signal_libc_callers();
		gpool_scavenge(now);
		cancel_kick_round();
		if (retake(now, &in_syscall, &running)) {
			quiet = 0;
			delay = MIN_SLEEP_NS;
		} else if (++quiet > 50) {
			/* Go's back-off; capped lower while a call might be blocking, so it is handed off soon */
			int64_t cap = in_syscall ? SYSCALL_SLEEP_NS : MAX_SLEEP_NS;
			/* half a slice while Gs run: a slice then ends after 1 to 1.5 of its length */
			int64_t half_slice = preempt_slice_ns() / 2;
			if (running && half_slice && half_slice < cap)
				cap = half_slice < MIN_SLEEP_NS ? MIN_SLEEP_NS : half_slice;
			delay = delay * 2 > cap ? cap : delay * 2;
		}
	}
	return NULL;
}

void sysmon_start(int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 2 << 20);   /* the dump (libdw) needs deep stacks; untouched pages cost nothing */
	if (os_thread_create(create, &attr, sysmon_main, NULL, NULL) != 0)
		fatal("sysmon_start: cannot create the sysmon thread");
	pthread_attr_destroy(&attr);
}
