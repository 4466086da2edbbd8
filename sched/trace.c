/*
 * GORO_SCHEDTRACE=ms: sysmon writes one line to stderr per interval saying
 * what the scheduler is doing, as Go's GODEBUG=schedtrace does:
 *
 *   goro: SCHED 1000ms: procs=2 idleprocs=0 syscallprocs=0 threads=4 spinning=0 idlethreads=1
 *         runqueue=3 [1 0] gs=12 running=2 runnable=4 waiting=5 syscall=1 created=40
 *         preemptions=7 steals=3 handoffs=2
 *
 * (one line). Ps and Ms are counted without locks (a snapshot that may be a
 * little off); Gs are counted under the list lock, which costs a few
 * milliseconds at a million threads: acceptable for a diagnostic.
 */
#include "sched/internal.h"

#include <stdio.h>

int64_t schedtrace_interval_ns;
_Atomic uint64_t sched_steals, sched_handoffs;

struct g_counts {
	int running, runnable, waiting, syscall;
};

static void count_g(struct g *g, void *arg)
{
	struct g_counts *c = arg;
	switch (atomic_load_explicit(&g->status, memory_order_relaxed)) {
	case G_RUNNING: c->running++; break;
	case G_RUNNABLE: c->runnable++; break;
	case G_WAITING: c->waiting++; break;
	case G_SYSCALL: c->syscall++; break;
	}
}

void schedtrace_print(int64_t since_start_ns)
{
	char line[1024];
	int n = 0, syscallprocs = 0;
	for (int i = 0; i < sched_procs; i++)
		syscallprocs += atomic_load_explicit(&allp[i]->status, memory_order_relaxed) == P_SYSCALL;
	struct g_counts c = {0};
	g_for_each(count_g, &c);
	n += snprintf(line + n, sizeof line - n,
		      "goro: SCHED %lldms: procs=%d idleprocs=%d syscallprocs=%d threads=%d spinning=%d "
		      "idlethreads=%d runqueue=%d [",
		      (long long)(since_start_ns / 1000000), sched_procs, atomic_load(&sched.npidle), syscallprocs,
		      sched_m_count(), atomic_load(&sched.nmspinning), sched_idle_m_count(),
		      atomic_load(&sched.runq_size));
	for (int i = 0; i < sched_procs && n < (int)sizeof line - 64; i++)
		n += snprintf(line + n, sizeof line - n, i ? " %u" : "%u", runq_length(allp[i]));
	snprintf(line + n, sizeof line - n,
		 "] gs=%d running=%d runnable=%d waiting=%d syscall=%d created=%llu preemptions=%llu steals=%llu "
		 "handoffs=%llu\n",
		 atomic_load(&sched.live_gs), c.running, c.runnable, c.waiting, c.syscall,
		 (unsigned long long)sched_gs_created(), (unsigned long long)atomic_load(&sched_preemptions),
		 (unsigned long long)atomic_load(&sched_steals), (unsigned long long)atomic_load(&sched_handoffs));
	debug_write(line);
}
