/*
 * Thread cancellation (pthread_cancel) of Gs, done so that glibc's own code
 * does nearly all of it, as it does for its threads.
 *
 * glibc keeps the whole state in the thread's descriptor: the cancelhandling
 * word (disabled, asynchronous, canceling, canceled, exiting bits), the
 * innermost unwind buffer (cleanup_jmp_buf) and the result. pthread_testcancel,
 * pthread_setcancelstate/type, pthread_cleanup_push/pop
 * (__pthread_register_cancel), pthread_exit and every cancellable system
 * call in libc read them on THREAD_SELF, which for a G is its own TCB, and
 * act by a forced unwind (_Unwind_ForcedUnwind): C cleanup handlers and C++
 * destructors run frame by frame, and when the unwind reaches the frame of
 * the outermost buffer it longjmps there. goro gives every G that buffer in
 * its first frame (g_main, proc.c), as NPTL's start_thread does; landing
 * there, the G runs the thread_local and key destructors and exits with the
 * result glibc stored (PTHREAD_CANCELED). The main G's outermost buffer is
 * glibc's own, in __libc_start_call_main, which would end the OS thread: its
 * return address is pointed at main_unwound_entry instead
 * (cancel_main_prepare).
 *
 * What goro adds is what NPTL does with its SIGCANCEL and real threads:
 *  - pthread_cancel sets the bits exactly as glibc does (g_cancel);
 *  - a G that waits at a cancellation point must wake up to act: as for a
 *    signal, a pending bit (SIGCANCEL's, in g->sigpending) and the wait
 *    interrupted with EINTR; the shim's cancellation points then act
 *    (cancel_point in shim.h). The bit closes the race with a G about to
 *    park: every park checks it (wait_on, g_sleep_until, netpoll), and
 *    after_switch checks it once the G is parked (cancel_check_parked);
 *  - a G blocked in the kernel (a system call bracket) gets SIGCANCEL on
 *    its M's OS thread; goro's handler has no SA_RESTART, so the call ends
 *    with EINTR, and it counts as a handler that ran, so the shim does not
 *    make the call again (invariant 5 keeps other EINTRs invisible). A signal
 *    that lands just before the G enters the kernel would be lost: sysmon
 *    repeats it while that G stays in its call (cancel_kick_round);
 *  - asynchronous cancellation of a G running program code uses the
 *    preemption machinery: its M is asked to preempt (m->preempt) and sent
 *    SIGCANCEL, whose handler stops the G at a safe point as the preemption
 *    signal would (preempt_at_signal), and there the trampoline
 *    (preempt/async.S, which has unwind information) calls
 *    g_cancel_async_point, which acts. Never inside the runtime, libc or a
 *    signal handler of the program's (invariant 3). Not the preemption
 *    signal as well: two signals that arrive together are delivered in one
 *    go, and the kernel restarts an interrupted system call by the first
 *    one's SA_RESTART (the preemption signal's), so SIGCANCEL's EINTR would
 *    be lost to a G blocked in a cancellable call inside libc (glibc's own
 *    cancellable system calls run with the asynchronous type set: a futex
 *    wait in aio_suspend, tst-cancel17). sysmon repeats SIGCANCEL while the
 *    G is still running or in its call. A G whose wait or call goro made
 *    was ended by the request acts when the wait is undone: a program's
 *    mutex wait (sched/lock.c), a raw syscall(), any bracketed call
 *    (shim.h), as NPTL acts at any instruction. Without preemption
 *    (GORO_PREEMPT_MS=0) a G running its own code waits for a cancellation
 *    point.
 *
 * Rejected: reimplementing the unwinding and cleanup handler walk (glibc's
 * is the one programs are compiled against, C++ catch(...) and
 * abi::__forced_unwind included); unwinding from inside the SIGCANCEL
 * handler as NPTL does (the G may be inside the runtime, holding a lock or
 * halfway through a switch; the trampoline only runs where preemption may).
 * Not done: a G canceled while blocked in a call goro does not wrap, in a
 * cancellable libc system call, sees EINTR there (NPTL acts in its handler).
 */
#include "sched/internal.h"
#include "preempt/preempt.h"

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIGCANCEL 32
#define SIGSETXID 33
#define SA_RESTORER_FLAG 0x04000000
#define CANCEL_BIT (1ULL << (SIGCANCEL - 1))

struct kernel_sigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static struct kernel_sigaction ours;
static struct kernel_sigaction glibc_cancel;   /* glibc's, once its pthread_cancel installed it */

/* On the OS thread of a G that was canceled (or of any thread: a late repeat). */
static void cancel_signal(int sig, siginfo_t *info, void *ucontext)
{
	struct g *g = g_self;
	if (!g) {
		/* a thread goro did not create: NPTL's own cancellation */
		if (glibc_cancel.handler)
			glibc_cancel.handler(sig, info, ucontext);
		return;
	}
	struct m *m = g->m;
	int v = atomic_load(tcb_cancelhandling(g->tcb));
	/* the shim's retry loops must not make the interrupted call again */
	if (m && cancel_requested_in(v))
		m->handlers_run++;
	if (m && cancel_requested_in(v) && (v & CANCEL_ASYNC))
		preempt_at_signal(ucontext);   /* at a safe point: the trampoline acts (g_cancel_async_point) */
}

/* Start-up, after glibc installed its SIGSETXID handler (its restorer is borrowed). */
void cancel_init(void)
{
	struct kernel_sigaction setxid;
	if (SYS4(SYS_rt_sigaction, SIGSETXID, NULL, &setxid, 8) != 0 || !(setxid.flags & SA_RESTORER_FLAG))
		fatal("cancel_init: cannot read glibc's signal restorer");
	/* no SA_RESTART: a call blocked in the kernel ends with EINTR; SA_NODEFER:
	 * a G that acts never leaves SIGCANCEL blocked on its M */
	ours = (struct kernel_sigaction){.handler = cancel_signal, .restorer = setxid.restorer,
					 .flags = SA_SIGINFO | SA_NODEFER | SA_RESTORER_FLAG};
	if (SYS4(SYS_rt_sigaction, SIGCANCEL, &ours, NULL, 8) != 0)
		fatal("cancel_init: cannot install the SIGCANCEL handler");
}

/* glibc's pthread_cancel of a thread goro did not create installs glibc's
 * handler: keep it for those threads and put ours back. */
void cancel_native_done(void)
{
	struct kernel_sigaction now;
	if (SYS4(SYS_rt_sigaction, SIGCANCEL, NULL, &now, 8) != 0 || now.handler == cancel_signal)
		return;
	glibc_cancel = now;
	SYS4(SYS_rt_sigaction, SIGCANCEL, &ours, NULL, 8);
}

bool g_cancel_requested(struct g *g)
{
	return cancel_requested_in(atomic_load_explicit(tcb_cancelhandling(g->tcb), memory_order_relaxed));
}

/* Acts on the calling G's request: glibc's own check, forced unwind and all. */
void g_cancel_act(void)
{
	pthread_testcancel();
}

/* ---- the main G's landing ---- */

/* glibc's pointer mangling (PTR_MANGLE on x86-64), with the TCB's pointer guard */
static uint64_t pointer_guard(void)
{
	return *(uint64_t *)((char *)tcb_current() + 0x30);
}
static uint64_t mangle(uint64_t p)
{
	p ^= pointer_guard();
	return (p << 17) | (p >> 47);
}
static uint64_t demangle(uint64_t p)
{
	p = (p >> 17) | (p << 47);
	return p ^ pointer_guard();
}

/* glibc's struct pthread_unwind_buf: a jmp_buf, then the link to the previous one */
struct unwind_buf {
	uint64_t jmp_buf[8];     /* rbx rbp r12 r13 r14 r15 rsp pc; the last three mangled */
	int mask_was_saved;
	struct unwind_buf *prev;
	void *cleanup;
	int canceltype;
};
enum { JB_RSP = 6, JB_PC = 7 };

/* What the main TCB's cleanup_jmp_buf holds before main() runs: glibc's
 * __libc_start_call_main stores it as the previous buffer of its own, which
 * is how cancel_main_prepare finds that one. Never jumped to. */
static struct unwind_buf main_marker;
static _Atomic bool main_prepared;
extern void *__libc_stack_end;

void cancel_main_init(void *main_tcb)
{
	if (!*tcb_unwind_buf(main_tcb))
		*tcb_unwind_buf(main_tcb) = &main_marker;
}

/* The main G's unwind ends here, on the main stack where glibc's buffer was
 * taken (everything below it is unwound): on to the G's exit. */
__asm__(".text\n"
	".globl main_unwound_entry\n"
	".hidden main_unwound_entry\n"
	".type main_unwound_entry,@function\n"
	"main_unwound_entry:\n"
	"	andq $-16, %rsp\n"
	"	call g_unwound\n"
	"	ud2\n"
	".size main_unwound_entry, .-main_unwound_entry\n");
extern void main_unwound_entry(void);

/*
 * Points glibc's buffer in __libc_start_call_main at main_unwound_entry, so
 * that an unwind of the main G (pthread_exit, cancellation) does not end
 * the OS thread that runs it; false if there is no such buffer yet. The buffer lives near the top of the main
 * stack; it is the one whose link is main_marker. Only this one word of it
 * changes; nothing reads it until an unwind reaches it.
 */
bool cancel_main_prepare(void)
{
	if (atomic_load(&main_prepared))
		return true;
	uintptr_t top = (uintptr_t)__libc_stack_end & ~(uintptr_t)7;
	for (uintptr_t a = top - 8; a > top - 65536; a -= 8) {
		if (*(void **)a != &main_marker)
			continue;
		struct unwind_buf *b = (struct unwind_buf *)(a - offsetof(struct unwind_buf, prev));
		uint64_t sp = demangle(b->jmp_buf[JB_RSP]);   /* that frame's: just below its buffer */
		if (sp > (uintptr_t)b || sp < (uintptr_t)b - 4096)
			continue;
		bool expected = false;
		if (atomic_compare_exchange_strong(&main_prepared, &expected, true))
			b->jmp_buf[JB_PC] = mangle((uint64_t)(uintptr_t)main_unwound_entry);
		return true;
	}
	return false;   /* main() has not been called yet (a constructor) */
}

/* ---- waking a G to act ---- */


/* after_switch, before the parked G's lock is released: must it be woken? */
bool cancel_check_parked(struct g *g)
{
	return (atomic_load(&g->sigpending) & CANCEL_BIT) && atomic_load(&g->wait_kind) != WAIT_NONE;
}

void cancel_wake_parked(struct g *g)
{
	g_interrupt_wait(g);
}

/* Ms whose G was sent SIGCANCEL; sysmon repeats it while that G stays in its call. */
static _Atomic int kicks;

static void kick_set(struct m *m, struct g *g)
{
	struct g *old = NULL;
	if (atomic_compare_exchange_strong(&m->cancel_kick, &old, g))
		atomic_fetch_add(&kicks, 1);
}

static void signal_m(struct m *m, int sig)
{
	SYS3(SYS_tgkill, SYS0(SYS_getpid), m->ktid, sig);
}

static void wake(struct g *g, bool async)
{
	if (g_self)
		own_p(g_self);   /* the interrupts below ready Gs under runtime locks */
	atomic_fetch_or(&g->sigpending, CANCEL_BIT);
	int status = atomic_load(&g->status);
	struct m *m = g->m;
	if ((status == G_RUNNING || status == G_SYSCALL) && m) {
		kick_set(m, g);
		if (async)
			atomic_store(&m->preempt, true);   /* SIGCANCEL's handler stops it at a safe point */
		signal_m(m, SIGCANCEL);
		return;
	}
	g_interrupt_wait(g);
}

/* sysmon: repeat SIGCANCEL (or the preemption request) while a canceled G is still where it was. */
void cancel_kick_round(void)
{
	if (atomic_load(&kicks) == 0)
		return;
	int count = sched_m_count();
	for (int i = 0; i < count; i++) {
		struct m *m = sched_m_at(i);
		struct g *g = atomic_load(&m->cancel_kick);
		if (!g)
			continue;
		int v = 0, status = G_IDLE;
		if (__atomic_load_n(&m->curg, __ATOMIC_RELAXED) == g) {
			v = atomic_load(tcb_cancelhandling(g->tcb));
			status = atomic_load(&g->status);
		}
		bool async = (v & CANCEL_ASYNC) && (status == G_RUNNING || status == G_SYSCALL);
		if (!cancel_requested_in(v) || (status != G_SYSCALL && !async)) {
			if (atomic_compare_exchange_strong(&m->cancel_kick, &g, NULL))
				atomic_fetch_sub(&kicks, 1);
			continue;
		}
		if (async)
			atomic_store(&m->preempt, true);
		signal_m(m, SIGCANCEL);
	}
}

/*
 * pthread_cancel of a G: glibc's bits, then wake it if it is to act (an
 * enabled request). A G that already exited is not touched (glibc: 0).
 */
int g_cancel(struct g *g)
{
	if (atomic_load(&g->life) & LIFE_EXITED)
		return 0;
	if (g->is_main && !cancel_main_prepare())
		fatal("pthread_cancel: the main thread cannot be cancelled before main() runs");
	_Atomic int *word = tcb_cancelhandling(g->tcb);
	int old = atomic_load(word), new;
	do {
		new = old | CANCEL_CANCELING | CANCEL_CANCELED;
		if (new == old)
			return 0;
	} while (!atomic_compare_exchange_weak(word, &old, new));
	if (!cancel_requested_in(new))
		return 0;   /* disabled (or exiting): acted on once enabled, at a cancellation point */
	if (g == g_self) {
		if (new & CANCEL_ASYNC)
			g_cancel_act();
		return 0;   /* deferred: at the next cancellation point */
	}
	wake(g, (new & CANCEL_ASYNC) != 0);
	return 0;
}

/* preempt/: a G stopped at an asynchronous safe point (program code, no lock
 * held, not in a handler of the program's): act if asynchronous
 * cancellation is enabled and requested. The trampoline's frame has unwind
 * information, so the unwind goes on into the interrupted code. */
void g_cancel_async_point(void)
{
	struct g *g = g_self;
	if (!g)
		return;
	int v = atomic_load(tcb_cancelhandling(g->tcb));
	if (cancel_requested_in(v) && (v & CANCEL_ASYNC) && g->in_handler == 0 && g->nopreempt == 0 &&
	    g->syscall_depth == 0)
		g_cancel_act();
}
