/*
 * The preemption signal's handler, on the interrupted G's own stack. If the
 * G was asked to stop (m->preempt, set by sysmon) and it is at a safe point,
 * the handler rewrites the signal context so that, on return from the
 * handler, the thread calls preempt_async_entry (async.S) instead of
 * resuming: as if the interrupted instruction had been a call. The
 * trampoline saves everything, gives up the P, and when the G runs again
 * (on any M) restores everything and jumps back to the interrupted PC.
 *
 * A safe point (invariant 3): the PC is in code that holds none of libc's
 * internal locks (codemap.c), the G is running program code (not inside the
 * runtime, not in a syscall bracket, not inside one of the program's signal
 * handlers, not on a signal stack, not with a fault signal blocked), and the
 * M holds no runtime lock. Anywhere else the request stays set: sysmon
 * repeats the signal on its next round, and the G's next entry into goro
 * yields cooperatively (preempt_point).
 *
 * A G found in libc itself (a long memcpy, or blocked on one of libc's
 * internal locks, which are raw futexes) cannot be stopped, but need not
 * hold its P: if the runtime did not call that code, the G is marked as in
 * a system call and sysmon hands the P to another M (invariant 4); the G
 * takes a P back at its next entry into goro, or at a later signal that
 * finds it back in program code.
 *
 * The interrupted code's 128-byte red zone is left alone: the trampoline
 * starts 128 bytes below the interrupted stack pointer and returns with
 * `ret $128`. The interrupted PC travels in a __thread variable of
 * libgoro's, which is per G since every G has its own TLS block.
 */
#include "preempt/internal.h"

#include <cpuid.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>

_Atomic int preempt_sig;
__thread uintptr_t preempt_resume_pc;
static uintptr_t main_stack_limit = 8u << 20;   /* RLIMIT_STACK, read in fpstate_init */
uint32_t preempt_fpstate_size = 576;   /* FXSAVE area plus the zeroed header async.S writes */
bool preempt_use_xsave;

void fpstate_init(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1ul << 40))
		main_stack_limit = rl.rlim_cur;
	else
		main_stack_limit = 1ul << 30;
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_XSAVE) || !(c & bit_OSXSAVE))
		return;   /* FXSAVE: x87 and SSE state */
	__cpuid_count(0xd, 0, a, b, c, d);
	if (b < 576)
		return;
	preempt_fpstate_size = b;   /* legacy area, header and every feature XCR0 enables */
	preempt_use_xsave = true;
}

/* A fault signal blocked means the G is inside a fault handler (the kernel
 * blocks the signal while its handler runs): its M's mask must not leak. */
static bool fault_handler_running(const sigset_t *mask)
{
	static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
		if (sigismember(mask, faults[i]) == 1)
			return true;
	return false;
}

/* Nothing of the runtime's or of a signal handler's is in the way. */
static bool ordinary_state(struct g *g, ucontext_t *uc)
{
	struct m *m = g->m;
	if (!m || m->curg != g || m->locks > 0 || m->raising || g->in_handler > 0 || g->nopreempt > 0 ||
	    g->syscall_depth > 0)
		return false;
	return !(uc->uc_stack.ss_flags & SS_ONSTACK) && !fault_handler_running(&uc->uc_sigmask);
}

/*
 * Did the runtime call the library the G is in (memcpy from g_create, the
 * clock from a timed wait)? Then its P must stay: the runtime may be using
 * it. Looks for a return address into libgoro in the top 16 KiB of the
 * stack, leaving out the G's first frame (g_main, which called the start
 * routine). A false alarm only means the P is not handed off this time.
 */
extern void *__libc_stack_end;

static bool runtime_on_stack(struct g *g, ucontext_t *uc)
{
	uintptr_t lo, hi;
	codemap_runtime_region(&lo, &hi);
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP] & ~(uintptr_t)7;
	uintptr_t top = g->is_main ? (uintptr_t)__libc_stack_end : (uintptr_t)g->stack.hi;
	uintptr_t bottom = g->is_main ? top - main_stack_limit : (uintptr_t)g->stack.lo;
	if (sp < bottom || sp >= top)
		return true;   /* not on its own stack (a coroutine's?): nothing known about the frames, keep the P */
	if (!g->is_main)
		top -= 256;    /* g_main's frame (g_exit's destructors are covered by g->nopreempt) */
	uintptr_t end = sp + 16384 < top ? sp + 16384 : top;
	for (uintptr_t a = sp; a < end; a += 8) {
		uintptr_t word = *(const uintptr_t *)a;
		if (word >= lo && word < hi)
			return true;
	}
	return false;
}

static void inject_call(ucontext_t *uc, uintptr_t pc)
{
	preempt_resume_pc = pc;
	uc->uc_mcontext.gregs[REG_RSP] -= 128;   /* the interrupted code's red zone */
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)preempt_async_entry;
}

/* g has been asked to stop and runs on this OS thread. */
static void preempt_running(struct g *g, ucontext_t *uc, uintptr_t pc)
{
	if (!ordinary_state(g, uc))
		return;
	int status = atomic_load_explicit(&g->status, memory_order_relaxed);
	bool running = status == G_RUNNING;
	bool left_libc = status == G_SYSCALL && g->syscall_entered_at == SYSCALL_FROM_LIBC;
	if (!running && !left_libc)
		return;
	if (codemap_is_safe(pc))
		inject_call(uc, pc);   /* a G back from a long libc call takes a P back in g_preempt_yield */
	else if (running && !runtime_on_stack(g, uc))
		syscall_enter_from_signal(g);   /* stays in libc: its P goes to another M */
}

static bool sent_by_goro(siginfo_t *info)
{
	return preempt_signal_is_stamped(info);
}

void preempt_foreign_signal(int sig);

void preempt_handler(int sig, siginfo_t *info, void *ucontext)
{
	int saved_errno = errno;
	if (!sent_by_goro(info)) {
		preempt_foreign_signal(sig);
		errno = saved_errno;
		return;
	}
	preempt_at_signal(ucontext);
	errno = saved_errno;
}

/* In a handler of goro's on the interrupted G's OS thread (this one's, or
 * SIGCANCEL's: sched/cancel.c): stop the G if it was asked to and is at a
 * safe point. */
void preempt_at_signal(void *ucontext)
{
	if (preempt_slice_ns() == 0)
		return;   /* preemption off: no safe-code map */
	ucontext_t *uc = ucontext;
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	/* In the runtime the FS base may be halfway through a switch: not even g_self is to be trusted. */
	if (!codemap_is_runtime(pc)) {
		struct g *g = g_self;
		if (g && g->m && atomic_load_explicit(&g->m->preempt, memory_order_relaxed))
			preempt_running(g, uc, pc);
	}
}

/* Called by async.S on the G's stack, every register already saved. A G
 * with asynchronous cancellation enabled and requested acts here, at the
 * safe point, once it runs again (sched/cancel.c): the unwind goes through
 * async.S's frame into the interrupted code. */
void preempt_async_yield(void)
{
	int saved_errno = errno;
	g_preempt_yield();
	g_cancel_async_point();
	errno = saved_errno;
}
