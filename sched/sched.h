/*
 * sched/ — the scheduler: G (user thread), M (OS thread), P (the right to run
 * Gs); run queues, park/ready, timers, the wait table and the sync
 * primitives built on it. This header is the module's whole interface.
 */
#ifndef GORO_SCHED_H
#define GORO_SCHED_H
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "stack/stack.h"

#define MAX_PROCS 1024
#define RUNQ_SIZE 256

_Noreturn void fatal(const char *msg);
void debug_write(const char *s);

enum g_status { G_IDLE, G_RUNNABLE, G_RUNNING, G_WAITING, G_SYSCALL, G_DEAD };

/* interruptible waits (g->wait_kind) */
enum { WAIT_NONE, WAIT_TABLE, WAIT_NETPOLL, WAIT_SLEEP };

/* A G's life word (g->life): one atomic word, so that exactly one of
 * g_dead, pthread_detach and pthread_join sees the combination that lets it
 * release the G. It is also the futex word joiners sleep on. */
enum { LIFE_EXITED = 1, LIFE_DETACHED = 2, LIFE_JOINING = 4 };

struct timer {
	int64_t when;                /* CLOCK_MONOTONIC, ns */
	void (*fire)(struct timer *);
	void *arg;
	int heap_index;              /* -1 when not queued */
	_Atomic int state;           /* TIMER_IDLE, TIMER_QUEUED, TIMER_FIRING */
};
enum { TIMER_IDLE, TIMER_QUEUED, TIMER_FIRING };

#define G_MAGIC 0x676f726f2d472121ULL
#define G_MAGIC_RELEASED 0x676f726f2d474f4eULL   /* a joined or detached-and-exited G */

struct g {
	uint64_t magic;
	struct context ctx;
	_Atomic int status;
	struct m *m;                 /* M running this G, valid while running */
	struct g *schedlink;         /* run queue and free list link */
	uint64_t goid;               /* never reused */
	int tid;                     /* fake kernel tid in the TCB (unique among live Gs) */
	void *tcb;                   /* thread pointer = pthread_t */
	void *(*start)(void *);
	void *arg;
	void *result;
	const char *wait_reason;
	_Atomic uint32_t life;       /* LIFE_*: exited (off its stack), detached, being joined */
	struct stack stack;
	size_t stack_size, guard_size; /* as requested, for pooling */
	bool recycled;               /* TCB reused from the pool */
	bool is_main;
	_Atomic uint64_t sigpending; /* signals sent to this G (bit sig-1), raised when it runs */
	_Atomic uint64_t sigmask;    /* the signal mask the program set, as it reads it back */
	uint64_t os_mask;            /* sigmask as its M's OS thread applies it (signal_os_mask) */
	_Atomic uint64_t sigheld;    /* sent to this G while it blocks them: pending until unblocked */
	_Atomic uint64_t sigbare;    /* an instance of these waits with no siginfo kept (held table full) */
	_Atomic uint64_t sigwait_set;/* what a sigwait family call of this G waits for, else 0 */
	_Atomic int tkill_sig;       /* tkill_info is the real siginfo of this signal, sent with tgkill */
	siginfo_t tkill_info;        /* (the kernel lets only the main thread forge si_code >= 0) */
	uint64_t signals_raised;     /* raised since the current interruptible call began */
	uint64_t signals_no_restart; /* of those, the ones whose handler, when it ran, lacked SA_RESTART */
	_Atomic int wait_kind;       /* what an interrupting signal must undo (WAIT_*) */
	void *wait_obj;              /* the wait table address or poll_desc of that wait */
	int wake_result;             /* EINTR when a signal ended a sleep */
	int syscall_depth;           /* open syscall_enter/exit brackets */
	int syscall_entered_at;      /* the bracket depth that gave up the P */
	struct timer timer;          /* sleeps and timed waits; one at a time */
	struct g *all_next, *all_prev;
	char name[16];
	bool affinity_set;
	cpu_set_t affinity;
	int sched_policy;
	struct sched_param sched_param;
	bool explicit_sched;         /* created with PTHREAD_EXPLICIT_SCHED (pthread_getattr_np reports it) */
	int64_t wait_since;          /* sysmon's coarse clock when it last parked or entered a call */
	uintptr_t created_at;        /* return address of the pthread_create call */
	int in_handler;              /* the program's signal handlers running on this G */
	int nopreempt;               /* inside dlopen or exiting: never stopped, P never handed off */
	uintptr_t sp_low;            /* lowest stack pointer seen at a switch since the stack was last trimmed */
	bool stack_dirty;            /* ran since the scavenger last gave back its cold stack pages */
	_Atomic bool scavenging;     /* the scavenger is trimming its stack: it must not start running */
	unsigned dtv_epoch;          /* tcb_dtv_epoch its DTV is placed for (stack/tcb.c) */
	struct __pthread_internal_list robust_held;   /* robust mutexes it holds (mutex.c) */
	union {                      /* where its forced unwind ends (g_main, cancel.c); here, not in */
		struct __jmp_buf_tag jmp[1];   /* g_main's frame, which must stay small (preempt/handler.c) */
		__pthread_unwind_buf_t buf;    /* glibc's layout: the jmp_buf, then prev, cleanup, type */
	} unwind;
};
_Static_assert(sizeof(struct g) <= STACK_G_SLOT, "struct g must fit its slot under the TLS block");

enum p_status { P_IDLE, P_RUNNING, P_SYSCALL };

struct p {
	int id;
	_Atomic int status;
	_Atomic uint32_t syscalltick;   /* bumped by every system call made on this P */
	_Atomic uint32_t runq_head, runq_tail;
	struct g *_Atomic runq[RUNQ_SIZE];
	struct g *_Atomic runnext;
	struct m *m;
	struct p *link;              /* idle list */
	uint32_t schedtick;
	uint32_t runnext_streak;     /* Gs taken from runnext in a row (owner only) */
	struct g *gfree;             /* dead Gs with the default stack, for reuse */
	int gfree_count;
	_Atomic bool gfree_flush;    /* the scavenger asks for the local pool (gpool.c) */
} __attribute__((aligned(64)));

/* What a G asks its M's scheduler to do once it is off the G's stack. */
enum m_action { ACT_NONE, ACT_PARK, ACT_YIELD, ACT_PREEMPT, ACT_EXIT, ACT_EXITSYSCALL };

struct m {
	int id;
	struct context g0ctx;
	struct g *curg;
	struct p *p, *nextp;
	bool spinning;
	_Atomic uint32_t park;       /* futex word the idle M sleeps on */
	struct m *link;              /* idle list */
	void *host_tcb;
	pid_t ktid;                  /* its OS thread; 0 while being created, and in a fork child for the parent's */
	_Atomic uint64_t credentials_answered;   /* the last setuid() broadcast it answered (credentials.c) */
	struct p *syscall_p;         /* the P held when the current system call began */
	int locks;                   /* runtime spinlocks this M holds (signal handlers wait) */
	bool idle_wait;              /* asleep in stopm or epoll_wait: holds no P and no lock */
	bool raising;                /* g_raise_pending: a safe point inside the runtime */
	_Atomic uint64_t deferred_signals;   /* handlers to run at this M's next safe point */
	_Atomic uint64_t sent_here;  /* signals sent to this OS thread for the G it ran (signal.c) */
	struct g *_Atomic sent_for[65];   /* that G, per signal */
	uint32_t handlers_run;       /* the program's signals delivered to this OS thread */
	struct g *_Atomic cancel_kick;   /* a canceled G sent SIGCANCEL here; sysmon repeats it (cancel.c) */
	uint64_t os_mask;            /* the signal mask its OS thread has now (written by its owner) */
	_Atomic bool asleep_with_mask;   /* asleep keeping its last G's mask (m_block_while_idle) */
	/* Preemption: in the M (never freed), not the G, so sysmon touches no G's memory. */
	_Atomic bool preempt;        /* sysmon asks the G running here to give up its P */
	_Atomic bool libc_call;      /* its G lost its P inside a long libc call (preempt/) */
	enum m_action action;
	void (*unlockf)(void *);
	void *unlock_arg;
	uint64_t rand;
};

extern int sched_procs;
extern bool sched_active;    /* false: goro refused to take over; everything runs natively */

/* Current G (NULL on an M's scheduler stack and in threads goro did not create). */
extern __thread struct g *g_self;
static inline struct g *g_current(void) { return g_self; }

/* start-up (proc.c) */
void sched_init(int procs, int64_t schedtrace_ns);   /* schedtrace_ns 0: no trace lines */
void *sched_setxid_descriptor(void);   /* the descriptor glibc's SIGSETXID handler must see, if FS is elsewhere */
void sched_after_fork_child(void);   /* pthread_atfork child handler */

/* G life cycle (proc.c) */
struct g_spec {
	size_t stack_size, guard_size;
	void *user_stack; size_t user_stack_size;
	bool detached;
	void *(*start)(void *);
	void *arg;
	pthread_t *thread;           /* written before the new G can run */
	uintptr_t created_at;        /* the creator's return address, for dumps */
	int sched_policy;            /* recorded for pthread_getschedparam, checked by the caller */
	struct sched_param sched_param;
	bool explicit_sched;         /* the attribute said PTHREAD_EXPLICIT_SCHED */
	bool affinity_set;           /* recorded for pthread_getaffinity_np */
	cpu_set_t affinity;
	bool sigmask_set;            /* pthread_attr_setsigmask_np: start with sigmask, */
	uint64_t sigmask;            /* not the creator's mask */
};
int g_create(const struct g_spec *spec);                     /* 0, EAGAIN or EINVAL */
int g_join(struct g *g, int64_t deadline, void **result, bool try_only);  /* pthread_join's codes */
int g_detach(struct g *g);
struct g *g_of_thread(pthread_t t);                          /* NULL if t is not a live G */
bool g_handle_released(pthread_t t);                         /* t was a G that is gone */
_Noreturn void g_exit(void *result);
void g_release(struct g *g);                                 /* after join or detach of a dead G */
void g_park(void (*unlockf)(void *), void *arg, const char *reason);
void g_ready(struct g *g);
void g_yield(void);
void g_for_each(void (*fn)(struct g *, void *), void *arg);

/* GORO_MAX_THREADS: pthread_create fails with EAGAIN at this many live threads (0: no cap) */
extern long sched_max_threads;

/* overflow.c: goro's SIGSEGV action, which names a thread that overflowed its stack */
extern _Atomic int dlopen_in_progress;   /* shim's dlopen/dlclose: ld.so's lock may be held */
bool overflow_is_action(const struct sigaction *sa);
void overflow_action(struct sigaction *sa);

/* Preemption (proc.c): a G that sysmon found running for longer than its
 * time slice gives up its P, from the signal trampoline at an asynchronous
 * safe point (preempt/) or cooperatively at the next entry into goro. */
void g_preempt_yield(void);
void g_raise_pending(struct g *g);
/* Signals that hit goro's code in g (kept for its next safe point), or came
 * while it was parked (g_park leaves them to its callers, which call this once
 * the wait is undone), run their handlers here. */
static inline void g_raise_if_pending(struct g *g)
{
	if (__builtin_expect(atomic_load_explicit(&g->sigpending, memory_order_relaxed) != 0, 0))
		g_raise_pending(g);
}
static inline void preempt_point(void)
{
	struct g *g = g_self;
	if (g && __builtin_expect(atomic_load_explicit(&g->m->preempt, memory_order_relaxed), 0))
		g_preempt_yield();
	if (g && g->in_handler == 0)
		g_raise_if_pending(g);
}
extern _Atomic uint64_t sched_preemptions;   /* Gs preempted so far */

/* blocking system calls (syscall.c): bracket a call that may block in the
 * kernel; sysmon hands the P to another M if the call takes long. */
void syscall_enter(const char *reason);
void syscall_exit(void);
/* preempt/: the G has been in libc for a whole time slice; let its P go */
#define SYSCALL_FROM_LIBC (-1)       /* g->syscall_entered_at of such a G */
void syscall_enter_from_signal(struct g *g);

/* netpoller (netpoll.c): park until fd is readable/writable. 0 when it may
 * be; ETIMEDOUT; EINTR (a signal for the G); or an errno when epoll cannot
 * watch fd (block instead). *moved_fd is -1, or, with 0, a private duplicate
 * of fd made because fd was closed during the wait: make the call on it,
 * then netpoll_release_fd it. */
int netpoll_wait_fd(int fd, bool write, int64_t deadline, int *moved_fd);

/* signals to one G (signal.c): raise now if it runs, else mark it pending
 * and end an interruptible wait with EINTR; pending ones are raised on the
 * G's own OS thread when it runs again. */
int g_signal(struct g *g, int sig, const siginfo_t *info);   /* info NULL: pthread_kill's */
bool signal_process_from_g(int sig, const siginfo_t *info);  /* kill of the own process by a G: routed now */
void g_raise_pending(struct g *g);
/* A signal must end the calling G's interruptible wait: one to raise, or one its sigwait wants. */
static inline bool g_signal_for_wait(struct g *g)
{
	return atomic_load(&g->sigpending) || (atomic_load(&g->sigheld) & atomic_load(&g->sigwait_set));
}

/* Per-G signal masks (signal.c). */
uint64_t signal_os_mask(uint64_t program_mask);   /* without the signals goro never blocks */
int g_sigmask(int how, const sigset_t *set, sigset_t *old);   /* pthread_sigmask for the calling G */
uint64_t g_sigpending(void);                      /* sigpending() for the calling G */
void g_mask_inherit(struct g *child, struct g *creator, const uint64_t *explicit_mask);   /* at creation: explicit_mask, else the creator's */
void g_mask_forget(struct g *g);                  /* at exit */
int g_sigwait_take(struct g *g, uint64_t set, siginfo_t *info);   /* a held one in set, or 0 */
void g_release_held(struct g *g, uint64_t set_unblocks);          /* sigsuspend: to the OS thread */
void m_set_os_mask(struct m *m, uint64_t os_mask);
void m_take_stranded(struct m *m);   /* on g0: signals sent here for a G that left: to sysmon */
void m_block_while_idle(struct m *m);             /* an M with no G takes no program signal */
bool signal_restarts(struct g *g, uint64_t signals);   /* every handler that ran for them had SA_RESTART */
bool g_restart_after_signal(void);         /* for the handlers raised since the call began */

/* Cancellation (cancel.c): glibc's own state and unwinder on the G's TCB;
 * goro wakes a G that must act and lands its unwind (g_main). */
void cancel_init(void);                 /* start-up, after glibc's SIGSETXID handler exists */
void cancel_native_done(void);          /* after glibc's pthread_cancel of a thread goro did not create */
int g_cancel(struct g *g);              /* pthread_cancel of a G: 0 */
bool g_cancel_requested(struct g *g);   /* enabled and requested: act at the next cancellation point */
void g_cancel_act(void);                /* the calling G acts on its request, if it has one */
void g_cancel_async_point(void);        /* preempt/: at an asynchronous safe point */
bool cancel_main_prepare(void);         /* before the main G unwinds; false before main() */

/* The program's own signal handlers (signal.c): goro installs a trampoline
 * that runs the handler at once, or, if the signal interrupted the runtime
 * itself (a lock held, run queues half-updated), at the M's next safe point. */
bool signal_wrappable(int sig);
void signal_handler_set(int sig, const struct sigaction *user);   /* NULL: no longer wrapped */
bool signal_handler_get(int sig, struct sigaction *user);
void signal_trampoline(int sig, siginfo_t *info, void *ucontext);
void signal_runtime_text(uintptr_t lo, uintptr_t hi);
/* How many of the program's signals have reached the calling G's OS thread:
 * an EINTR with no new one was caused by goro's own signal (invariant 5). */
static inline uint32_t signal_handlers_run(void) { return g_self ? g_self->m->handlers_run : 0; }

/* Thread dumps (dump.c): SIGQUIT and `goro dump`. A SIGQUIT queued with
 * this value (sigqueue) asks for a dump and nothing else. */
#define DUMP_SIGNAL_VALUE 0x676f726f
void dump_request(bool then_quit);              /* async-signal-safe */
void dump_signal_handler(int sig, siginfo_t *info, void *ucontext);
extern _Atomic bool sigquit_ignored;            /* the program's view of SIGQUIT is SIG_IGN */
void dump_write(int fd, const char *title);
/* GORO_LEAKCHECK (dump.c): lists threads not joined or still blocked at exit; their number */
int leak_report(int fd);

/* Credentials (credentials.c): setuid() and friends reach every OS thread
 * goro owns. The caller holds credentials_lock around the broadcast and
 * glibc's own call; SIGSETXID's handler tries credentials_answer first. */
#define CREDENTIALS_SIGNAL_VALUE 0x676f726f63726564   /* SIGSETXID queued with it: goro's broadcast */
void credentials_lock(void);
void credentials_unlock(void);
int credentials_broadcast(long nr, long a, long b, long c);   /* the errno the others got, 0 for success */
bool credentials_answer(const siginfo_t *info);   /* async-signal-safe */
struct m *credentials_m_of(pid_t tid);           /* the M whose OS thread it is, or NULL */

/* time (timer.c) */
int64_t nanotime(void);
void timer_start(struct timer *t, int64_t when);
void timer_stop(struct timer *t);
bool timers_due(int64_t now);
void timers_run(int64_t now);
int64_t timers_next(void);       /* earliest deadline, or INT64_MAX */
int deadline_from_abstime(clockid_t clock, const struct timespec *abstime, int64_t *deadline);
int g_sleep_until(int64_t deadline);

/* wait table (waittable.c): a futex that parks Gs and blocks other threads */
int wait_on(_Atomic uint32_t *addr, uint32_t val, int64_t deadline, const char *reason);
int wake_on(_Atomic uint32_t *addr, int n);
int wait_on_bitset(_Atomic uint32_t *addr, uint32_t val, int64_t deadline, const char *reason, uint32_t bitset);
int wake_on_bitset(_Atomic uint32_t *addr, int n, uint32_t bitset);
#define NO_DEADLINE INT64_MAX

/* low-level lock on one word, for the sync primitives (lock.c) */
int word_lock(_Atomic uint32_t *w, int64_t deadline, const char *reason);
int word_lock_async_cancel(_Atomic uint32_t *w, int64_t deadline, const char *reason);   /* a program's mutex */
bool word_trylock(_Atomic uint32_t *w);
void word_unlock(_Atomic uint32_t *w);

/* sync primitives on glibc-sized storage (mutex.c, cond.c, rwlock.c, sem.c, barrier.c, once.c, spin.c) */
int mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int mutex_lock(pthread_mutex_t *m, int64_t deadline);   /* the program's call: asynchronous cancellation acts in the wait */
int mutex_relock(pthread_mutex_t *m);                    /* a condition wait's: never acts halfway */
int mutex_trylock(pthread_mutex_t *m);
int mutex_unlock(pthread_mutex_t *m);
int mutex_destroy(pthread_mutex_t *m);
int mutex_consistent(pthread_mutex_t *m);
int mutex_getprioceiling(const pthread_mutex_t *m, int *ceiling);
int mutex_setprioceiling(pthread_mutex_t *m, int ceiling, int *old);
void mutex_owner_died(struct g *g);   /* g exits: its robust mutexes go to the next locker, EOWNERDEAD */
void mutex_forget_held_after_fork(struct g *self);   /* fork child: holds nothing of the parent's */
bool mutex_is_shared(const pthread_mutex_t *m);

int cond_init(pthread_cond_t *c, const pthread_condattr_t *a);
int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime);
int cond_signal(pthread_cond_t *c);
int cond_broadcast(pthread_cond_t *c);
int cond_destroy(pthread_cond_t *c);
clockid_t cond_clock(const pthread_cond_t *c);
bool cond_is_shared(const pthread_cond_t *c);

int rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a);
int rwlock_rdlock(pthread_rwlock_t *l, int64_t deadline);
int rwlock_tryrdlock(pthread_rwlock_t *l);
int rwlock_wrlock(pthread_rwlock_t *l, int64_t deadline);
int rwlock_trywrlock(pthread_rwlock_t *l);
int rwlock_unlock(pthread_rwlock_t *l);
bool rwlock_is_shared(const pthread_rwlock_t *l);

int sem_init_private(void *s, unsigned value);
int sem_wait_until(void *s, int64_t deadline);
int sem_trywait_private(void *s);
int sem_post_private(void *s);
int sem_getvalue_private(void *s, int *value);
bool sem_is_private(const void *s);

int barrier_init(pthread_barrier_t *b, unsigned count);
int barrier_wait(pthread_barrier_t *b);
int barrier_destroy(pthread_barrier_t *b);
bool barrier_is_private(const pthread_barrier_t *b);

int once_run(pthread_once_t *once, void (*init)(void));

int spin_lock(pthread_spinlock_t *l);
int spin_trylock(pthread_spinlock_t *l);
int spin_unlock(pthread_spinlock_t *l);

/* the calling thread's tid as the sync objects record owners (fake for Gs) */
static inline int self_tid(void) { return tcb_tid(tcb_current()); }

/* netpoller, waits on many descriptors (netpoll.c). entry(ctx, i, &fd,
 * &events) gives entry i of n (false: skip it); events are epoll interest
 * bits (the same values as POLLIN, POLLOUT, POLLPRI, ...). Parks until any
 * is ready (0, with *events the epoll bits of the event that woke it, or 0:
 * re-probe), the deadline (ETIMEDOUT), a signal (EINTR), or returns an
 * errno when epoll cannot watch one of them (block instead). */
typedef bool (*netpoll_entry_fn)(void *ctx, int i, int *fd, uint32_t *events);
int netpoll_wait_fds(int n, netpoll_entry_fn entry, void *ctx, int64_t deadline, uint32_t *events);
void netpoll_release_fd(int fd);      /* a private duplicate netpoll_wait_fd handed out */
void netpoll_fd_closing(int fd);      /* before fd is closed: waits on it go on on a duplicate */

#endif
