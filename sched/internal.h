/* sched/ internals shared by its files; not part of the module's interface. */
#ifndef GORO_SCHED_INTERNAL_H
#define GORO_SCHED_INTERNAL_H
#include "sched/sched.h"

#include <stddef.h>

#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

static inline void cpu_relax(void) { __builtin_ia32_pause(); }

/* A raw spinlock: never parks, so it may be held across a switch to g0. */
typedef struct { _Atomic int v; } spinlock_t;
extern __thread struct m *m_self;
static inline struct m *m_current(void) { return g_self ? g_self->m : m_self; }
void spin_acquire(spinlock_t *l);
void signals_run_deferred(struct m *m);
static inline void spin_release(spinlock_t *l)
{
	atomic_store_explicit(&l->v, 0, memory_order_release);
	struct m *m = m_current();
	if (m)
		m->locks--;
}

/* futex syscalls on this process's private words */
int futex_wait(_Atomic uint32_t *addr, uint32_t val, int64_t deadline);   /* deadline: CLOCK_MONOTONIC ns */
void futex_wake(_Atomic uint32_t *addr, int n);

/* global scheduler state */
struct sched {
	spinlock_t lock;
	struct g *runq_head, *runq_tail;
	_Atomic int runq_size;
	struct p *pidle;
	_Atomic int npidle;
	struct m *midle;
	_Atomic int nmspinning;
	int mcount;
	_Atomic int live_gs;      /* Gs not yet exited, main included */
};
extern struct sched sched;
extern struct p *allp[MAX_PROCS];

/* run queues (runq.c) */
void runq_put(struct p *p, struct g *g, bool next);
struct g *runq_get(struct p *p);
struct g *runq_steal(struct p *p, struct p *victim, bool steal_runnext);
bool runq_empty(struct p *p);
unsigned runq_length(struct p *p);
void globrunq_put(struct g *g);                    /* sched.lock held */
struct g *globrunq_get(struct p *p, int max);      /* sched.lock held */

/* Ps and Ms (proc.c); sched.lock held for pidle_* */
void pidle_put(struct p *p);
struct p *pidle_get(void);
void acquirep(struct m *m, struct p *p);
void startm(struct p *p, bool spinning);
void stopm(struct m *m);
void newm(struct p *p, bool spinning);

/* after fork, in the child (waittable.c, timer.c) */
void waittable_reset(void);
void timers_reset(void);

/* netpoll.c */
int netpoll_init(void);
bool netpoll_has_waiters(void);
struct g *netpoll(int64_t until);     /* readied Gs, linked by schedlink, status RUNNABLE */
bool netpoll_try_block(void);
void netpoll_unblock(void);
void netpoll_break(void);
void netpoll_reset_after_fork(void);
int64_t netpoll_last_poll(void);      /* when netpoll() last ran (CLOCK_MONOTONIC ns) */
void sched_inject_global(struct g *list);   /* proc.c: queue readied Gs, wake Ms */

/* proc.c: a G inside a syscall bracket takes its P back; call before taking any runtime lock */
void own_p(struct g *g);

/* syscall.c: Ms whose G lost its P in a long libc call (m->libc_call) */
extern _Atomic int sched_libc_calls;
struct m *sched_m_at(int i);   /* proc.c: M number i, i < sched_m_count() */

/* syscall.c: take the P back (or queue and wait for one) */
void syscall_leave(struct g *g);

/* undo one G's interruptible wait (waittable.c, netpoll.c, timer.c); true if it was waiting */
bool waittable_interrupt(struct g *g, void *addr);
bool netpoll_interrupt(struct g *g, void *pd);
bool sleep_interrupt(struct g *g);
void g_interrupt_wait(struct g *g);   /* signal.c: whichever of the three it is in */


/* trace.c: GORO_SCHEDTRACE */
extern int64_t schedtrace_interval_ns;   /* 0: off */
extern _Atomic uint64_t sched_steals, sched_handoffs;
void schedtrace_print(int64_t since_start_ns);
int sched_m_count(void);          /* proc.c */
int sched_idle_m_count(void);     /* proc.c */
uint64_t sched_gs_created(void);  /* proc.c */

/* netpoll.c, for dumps */
bool netpoll_waited_fds(void *wait_obj, int *first_fd, int *count);

/* dump.c */
extern _Atomic int64_t sched_coarse_now;
void dump_if_requested(void);

/* signal.c: process-directed signals routed to the main G */
void signals_route_pending(void);
void signals_reset_after_fork(void);
void signals_sysmon_thread(void);        /* sysmon's OS thread, at its start */
void signals_sync_with_sysmon(void);     /* a G: wait for a sysmon round that routes what it caught */

/* sigmask.c: sysmon's OS mask leaves unblocked what some live G accepts */
void signals_sysmon_start(void);
void signals_sysmon_mask(uint64_t also_block);
uint64_t g_exit_signals_settle(struct g *g);    /* g_exit: see sigmask.c; pass the result to */
void g_exit_signals_release(uint64_t settled);  /* ...this after g_mask_forget */
void sigmask_reset_after_fork(struct g *self);
int thread_create_signals_blocked(int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *),
				  pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
/* credentials.c: one of goro's OS threads (an M, or sysmon when m is NULL),
 * created and registered for setuid()'s broadcast, never during one */
int os_thread_create(int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *),
		     const pthread_attr_t *attr, void *(*fn)(void *), void *arg, struct m *m);
void credentials_after_fork_child(struct m *self);
void signal_drop_held(struct g *g);      /* signal.c: a G's held and pending signals are gone */
void signal_runtime_range(uintptr_t *lo, uintptr_t *hi);
bool signal_any_handler(void);           /* the program has a handler installed */
bool signal_has_handler(int sig);        /* the program's handler for sig goes through the trampoline */
uint64_t signal_handled_set(void);       /* the signals that have one */

/* deadlock.c (sysmon) */
void deadlock_check(int64_t now);
struct g *sched_g_waited_for(struct g *g);   /* proc.c; the list lock held */
_Noreturn void signal_die_of(int sig);   /* the default action, from sysmon */
struct g *sched_main_g(void);   /* proc.c */

/* cancel.c */
void cancel_kick_round(void);                  /* sysmon */
bool cancel_check_parked(struct g *g);         /* after_switch, before the unlock */
void cancel_wake_parked(struct g *g);          /* after_switch, after the unlock */
void cancel_main_init(void *main_tcb);
_Noreturn void g_unwound(void);                /* proc.c: where a G's forced unwind ends */

/* sysmon.c */
void sysmon_wake(void);         /* async-signal-safe */
void sysmon_start(int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *));

/* gpool.c: dead Gs and the scavenger */
struct p *current_p(void);   /* proc.c */
struct g *pool_take(size_t stack_size, size_t guard);
struct g *pool_take_larger(size_t stack_size, size_t guard);   /* any stack that big: out of memory */
void gpool_collect(void);   /* a G out of memory: the Ps' local pools to the global one */
void pool_put(struct g *g);
void gpool_flush_local(struct p *p);
void gpool_scavenge(int64_t now);   /* sysmon */
void gpool_reset_after_fork(void);
bool g_scan(int max, void (*fn)(struct g *, void *), void *arg);   /* proc.c: allg, resumable */
void gpool_note_park(void);   /* a G with an arena stack parks: the scavenger may look at it */

/* overflow.c */
_Noreturn void stack_overflow_report(struct g *g, uintptr_t fault);
void overflow_altstack_setup(void);   /* on each M's OS thread */

/* wake an idle M when a timer became the earliest (proc.c) */
void sched_timers_changed(void);

#endif
