/*
 * Deadlock detection, as Go's "all goroutines are asleep": when every live
 * G is parked on a goro-owned object (mutex, condvar, semaphore, join,
 * futex word...) and nothing could ever wake one — no G runs or is queued,
 * none is in a system call, no timer is set, no descriptor is watched, no
 * handler of the program's could run on a signal, and no OS thread goro does
 * not know about exists — sysmon prints "all threads are asleep - deadlock!",
 * who waits for whom (the owner of each mutex waited on, the target of each
 * join), the thread dump, and exits with status 2, as Go does.
 *
 * The verdict must hold on two looks at least 100 ms apart with nothing
 * scheduled in between, so a G caught between two states is never taken for
 * a deadlock. Signals are the one outside waker goro cannot rule out once a
 * handler exists, so a program with handlers is never declared deadlocked
 * (a false verdict would kill a correct program; a missed one only leaves
 * it hanging, as it would natively).
 */
#include "sched/internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CONFIRM_NS 100000000

struct census {
	int live, waiting_on_objects, other;
};

static void count(struct g *g, void *arg)
{
	struct census *c = arg;
	int status = atomic_load(&g->status);
	if (status == G_DEAD || status == G_IDLE)
		return;
	c->live++;
	if (status == G_WAITING && atomic_load(&g->wait_kind) == WAIT_TABLE)
		c->waiting_on_objects++;
	else
		c->other++;
}

/* OS threads in this process: the Ms and sysmon are all goro's, anything else may wake a G. */
static int os_threads(void)
{
	int fd = (int)SYS4(SYS_openat, AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	char buf[4096];
	int n = 0;
	long got;
	while ((got = SYS3(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			if (d->d_name[0] != '.')
				n++;
			off += d->d_reclen;
		}
	}
	SYS1(SYS_close, fd);
	return n;
}

static bool quiet_now(void)
{
	if (atomic_load(&sched.npidle) != sched_procs || atomic_load(&sched.runq_size) != 0 ||
	    timers_next() != INT64_MAX || netpoll_has_waiters() || signal_any_handler() ||
	    atomic_load(&sched.live_gs) == 0)
		return false;
	struct census c = {0};
	g_for_each(count, &c);
	return c.live > 0 && c.other == 0 && os_threads() == sched_m_count() + 1;
}

/* Something that changes whenever anything is scheduled or makes a system call. */
static uint64_t activity(void)
{
	uint64_t sum = atomic_load(&sched_preemptions) + sched_gs_created();
	for (int i = 0; i < sched_procs; i++)
		sum += __atomic_load_n(&allp[i]->schedtick, __ATOMIC_RELAXED) + atomic_load(&allp[i]->syscalltick);
	return sum;
}

static void who_waits_for_whom(struct g *g, void *arg)
{
	if (atomic_load(&g->status) != G_WAITING)
		return;
	char line[256];
	const char *reason = g->wait_reason ? g->wait_reason : "?";
	int n = snprintf(line, sizeof line, "  goroutine %llu: %s %p", (unsigned long long)g->goid, reason, g->wait_obj);
	struct g *target = sched_g_waited_for(g);
	if (target)
		n += snprintf(line + n, sizeof line - n, "%s goroutine %llu",
			      g->wait_reason && g->wait_reason[0] == 'j' ? ", joining" : ", held by",
			      (unsigned long long)target->goid);
	/* a cycle through g: follow who it waits for (at most as many steps as there are Gs) */
	struct g *h = target;
	for (int steps = 0; h && h != g && steps < 1 << 20; steps++)
		h = sched_g_waited_for(h);
	if (h == g && target)
		n += snprintf(line + n, sizeof line - n, " (in a wait-for cycle)");
	snprintf(line + n, sizeof line - n, "\n");
	debug_write(line);
}

/* sysmon, every round: a second quiet look at least 100 ms after the first ends the program. */
void deadlock_check(int64_t now)
{
	static int64_t first_seen;
	static uint64_t first_activity;
	if (!quiet_now()) {
		first_seen = 0;
		return;
	}
	if (!first_seen || activity() != first_activity) {
		first_seen = now;
		first_activity = activity();
		return;
	}
	if (now - first_seen < CONFIRM_NS)
		return;
	debug_write("goro: all threads are asleep - deadlock!\n\nwho waits for whom:\n");
	g_for_each(who_waits_for_whom, NULL);
	dump_write(2, "\n");
	SYS1(SYS_exit_group, 2);
}
