/*
 * System calls that may block. syscall_enter marks the G as in a system call
 * and its P as P_SYSCALL: from then on sysmon may take the P away and give it
 * to another M, so the rest of the program keeps running while this M sleeps
 * in the kernel (invariant 4). syscall_exit takes the P back if it is still
 * there (the common, cheap case: one CAS), else any idle P, else queues the G
 * and puts the M to sleep.
 *
 * Between enter and exit the M must not touch its P: it may belong to
 * another M by then. Brackets nest (a wrapped libc call such as printf may
 * reach another wrapped call): only the outermost one that found the G
 * running gives the P up, and the runtime takes it back early (own_p in
 * proc.c) if the G needs it inside the bracket.
 */
#include "sched/internal.h"

#include <errno.h>

void syscall_enter(const char *reason)
{
	preempt_point();   /* every blocking call is also a cooperative preemption point */
	struct g *g = g_self;
	g->syscall_depth++;
	if (atomic_load_explicit(&g->status, memory_order_relaxed) == G_SYSCALL) {
		if (g->syscall_entered_at == SYSCALL_FROM_LIBC)
			g->syscall_entered_at = g->syscall_depth;   /* this bracket ends it */
		return;
	}
	g->syscall_entered_at = g->syscall_depth;
	struct m *m = g->m;
	struct p *p = m->p;
	g->wait_reason = reason;
	g->wait_since = atomic_load_explicit(&sched_coarse_now, memory_order_relaxed);
	atomic_store_explicit(&g->status, G_SYSCALL, memory_order_relaxed);
	m->syscall_p = p;
	atomic_fetch_add_explicit(&p->syscalltick, 1, memory_order_relaxed);
	atomic_store_explicit(&p->status, P_SYSCALL, memory_order_release);
}

/*
 * The preemption handler found the G inside libc (where it may not be
 * stopped) for a whole time slice: computing (a long memcpy) or blocked on
 * one of libc's internal locks. It is treated as if it had entered a system
 * call there, so sysmon hands its P to another M; the G takes a P back at
 * its next entry into goro (own_p). Runs in the signal handler, on the G's
 * own OS thread, which is not inside the runtime (preempt/handler.c checked).
 */
void syscall_enter_from_signal(struct g *g)
{
	struct m *m = g->m;
	struct p *p = m->p;
	g->syscall_entered_at = SYSCALL_FROM_LIBC;
	g->wait_reason = "running in libc";
	atomic_store_explicit(&g->status, G_SYSCALL, memory_order_relaxed);
	m->syscall_p = p;
	atomic_fetch_add_explicit(&p->syscalltick, 1, memory_order_relaxed);
	atomic_store_explicit(&p->status, P_SYSCALL, memory_order_release);
	atomic_store(&m->libc_call, true);
	atomic_fetch_add(&sched_libc_calls, 1);
}

void syscall_exit(void)
{
	struct g *g = g_self;
	if (atomic_load_explicit(&g->status, memory_order_relaxed) == G_SYSCALL &&
	    g->syscall_entered_at == g->syscall_depth)
		syscall_leave(g);
	g->syscall_depth--;
}

_Atomic int sched_libc_calls;

void syscall_leave(struct g *g)
{
	struct m *m = g->m;
	if (atomic_exchange(&m->libc_call, false))
		atomic_fetch_sub(&sched_libc_calls, 1);
	struct p *p = m->syscall_p;
	m->syscall_p = NULL;
	int expected = P_SYSCALL;
	if (atomic_compare_exchange_strong(&p->status, &expected, P_RUNNING)) {
		/* Usually still ours; but sysmon may have handed it off and its new M's G
		 * entered a system call in turn (P_SYSCALL again): whichever M comes back
		 * first takes it, as in Go, and the other one finds it gone. */
		p->m = m;
		m->p = p;
		atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
		return;
	}
	/* sysmon handed our P to another M */
	int saved_errno = errno;
	m->p = NULL;
	spin_acquire(&sched.lock);
	struct p *idle = pidle_get();
	spin_release(&sched.lock);
	if (idle) {
		acquirep(m, idle);
		atomic_store(&g->status, G_RUNNING);
	} else {
		m->action = ACT_EXITSYSCALL;
		context_switch(&g->ctx, &m->g0ctx);
	}
	errno = saved_errno;
}
