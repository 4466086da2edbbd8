/*
 * Stack overflow: which thread, how big its stack was, then death by SIGSEGV
 * as under NPTL.
 *
 * A G that runs into its guard page faults. While the program has no SIGSEGV
 * action of its own, goro's stands in (the program reads back SIG_DFL, and
 * an action it sets replaces goro's): on its M's alternate signal stack (the
 * G's own stack is used up) it names the thread if the fault is in the
 * running G's guard area, restores the default action and returns, so the
 * instruction faults again and the kernel kills the process with SIGSEGV,
 * core dump included. Any other fault takes the same way out unnamed.
 *
 * A G whose slot got no guard page (the mapping budget ran out, stack/arena.c)
 * is caught later, at its next switch, by the canary at the top of the slot
 * below it; the same message, then the same death.
 *
 * Program handlers never run on the M's alternate stack (shim/sigaction.c
 * strips SA_ONSTACK): every G on the M would share it, and a handler that
 * parks its G would be overwritten by the next G's signal.
 */
#include "sched/internal.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

_Atomic int dlopen_in_progress;

#define ALTSTACK_SIZE (64 * 1024)   /* MAP_NORESERVE: costs the pages a handler touches */

struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

void overflow_altstack_setup(void)
{
	void *mem = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return;   /* an overflow then dies of SIGSEGV without the message */
	stack_t ss = {.ss_sp = mem, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
	SYS2(SYS_sigaltstack, &ss, NULL);
}

static void report(struct g *g, const char *how)
{
	/* dladdr only: no malloc, which the overflowing G may have been inside;
	 * and not while a dlopen may hold ld.so's lock (a G parked in a constructor) */
	char start[300];
	Dl_info info;
	memset(&info, 0, sizeof info);
	if (g->is_main)
		snprintf(start, sizeof start, "main");
	else if (atomic_load(&dlopen_in_progress) || !dladdr((void *)g->start, &info))
		snprintf(start, sizeof start, "%p", (void *)g->start);
	else if (info.dli_sname)
		snprintf(start, sizeof start, "%s", info.dli_sname);
	else {
		const char *slash = info.dli_fname ? strrchr(info.dli_fname, '/') : NULL;
		snprintf(start, sizeof start, "%s+0x%lx", slash ? slash + 1 : info.dli_fname ? info.dli_fname : "?",
			 (unsigned long)((uintptr_t)g->start - (uintptr_t)info.dli_fbase));
	}
	size_t size = g->stack.user ? g->stack.map_size : g->stack_size;
	char line[512];
	snprintf(line, sizeof line,
		 "goro: stack overflow: thread %llu \"%s\" (start routine %s) ran past the end of its %zu-byte stack%s\n",
		 (unsigned long long)g->goid, g->name, start, size, how);
	debug_write(line);
}

_Noreturn void stack_overflow_report(struct g *g, uintptr_t fault)
{
	(void)fault;
	report(g, " (it has no guard page: caught by the canary of the stack below it)");
	signal_die_of(SIGSEGV);
}

static void overflow_handler(int sig, siginfo_t *si, void *ucontext)
{
	struct g *g = g_self;
	uintptr_t sp = (uintptr_t)((ucontext_t *)ucontext)->uc_mcontext.gregs[REG_RSP];
	if (si->si_code > 0 && g && !g->is_main && g->stack.arena) {
		if (stack_guard_hit(&g->stack, (uintptr_t)si->si_addr))
			report(g, " (it hit the guard page)");
		else if (sp < (uintptr_t)g->stack.lo && sp + (1 << 20) > (uintptr_t)g->stack.lo)
			report(g, " (it has no guard page: its stack pointer is below the end)");
	}
	if (si->si_code <= 0)
		signal_die_of(SIGSEGV);   /* sent, not a fault: nothing would repeat it */
	struct kernel_sigaction dfl = {.handler = SIG_DFL};
	SYS4(SYS_rt_sigaction, SIGSEGV, &dfl, NULL, 8);   /* the fault repeats and kills, as natively */
}

bool overflow_is_action(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == overflow_handler;
}

void overflow_action(struct sigaction *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sa_sigaction = overflow_handler;
	sa->sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa->sa_mask);
}
