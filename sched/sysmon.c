/*
 * sysmon: an OS thread that holds no P and watches the others, as in Go.
 * It takes the P of an M that has been in a system call for longer than a
 * short grace period (Go's 20 µs) and hands it to another M when there is
 * work for it, so no P is ever stuck behind an M blocked in the kernel
 * (invariant 4).
 *
 * It polls every 20 µs after it took a P, backing off (Go's rule: after 50
 * rounds with nothing to take) to 1 ms while some P is in a system call and
 * to 10 ms otherwise, so an idle program costs about a hundred wake-ups a
 * second and a busy one with short system calls little more.
 */
#include "sched/internal.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GRACE_NS 20000
#define RETAKE_IDLE_NS 10000000
#define MIN_SLEEP_NS 20000
#define MAX_SLEEP_NS 10000000
#define SYSCALL_SLEEP_NS 1000000

struct p_watch {
	uint32_t syscalltick;
	int64_t since;
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

/* Returns how many Ps it took; *in_syscall says whether any P is in a system call. */
static int retake(int64_t now, bool *in_syscall)
{
	int taken = 0;
	*in_syscall = false;
	for (int i = 0; i < sched_procs; i++) {
		struct p *p = allp[i];
		if (atomic_load(&p->status) != P_SYSCALL)
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
	}
	return taken;
}

static void *sysmon_main(void *arg)
{
	/* sysmon runs no program code: a program's handler must never interrupt it */
	uint64_t all = ~0ULL;
	SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 8);
	int64_t delay = MIN_SLEEP_NS;
	int quiet = 0;
	for (;;) {
		struct timespec ts = {0, delay};
		SYS2(SYS_nanosleep, &ts, NULL);
		bool in_syscall;
		if (retake(nanotime(), &in_syscall)) {
			quiet = 0;
			delay = MIN_SLEEP_NS;
		} else if (++quiet > 50) {
			/* Go's back-off; capped lower while a call might be blocking, so it is handed off soon */
			int64_t cap = in_syscall ? SYSCALL_SLEEP_NS : MAX_SLEEP_NS;
			delay = delay * 2 > cap ? cap : delay * 2;
		}
	}
	return NULL;
}

void sysmon_start(int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))
{
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (create(&t, &attr, sysmon_main, NULL) != 0)
		fatal("sysmon_start: cannot create the sysmon thread");
	pthread_attr_destroy(&attr);
}
