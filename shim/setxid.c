/*
 * setuid() and friends from a G. glibc's __nptl_setxid marks every thread
 * descriptor it knows and signals each with SIGSETXID; the handler clears the
 * mark on THREAD_SELF. On an M that is running a G, THREAD_SELF is the G's TCB,
 * so the mark is never cleared and the caller spins forever
 * (../shared/glibc-tls.md §6.4). goro wraps glibc's handler: around the call,
 * FS points at the descriptor glibc knows for this OS thread.
 *
 * glibc's sigaction refuses signal 33, so the raw rt_sigaction is used.
 */
#include "shim/shim.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIGSETXID 33

struct kernel_sigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static struct kernel_sigaction glibc_setxid;

static void setxid_wrapper(int sig, siginfo_t *info, void *ucontext)
{
	void *native = sched_native_tcb();
	if (!native) {
		glibc_setxid.handler(sig, info, ucontext);
		return;
	}
	void *own = tcb_current();
	context_load_fs(native);
	glibc_setxid.handler(sig, info, ucontext);
	context_load_fs(own);
}

/* Called once glibc has installed its handler (its first real pthread_create). */
void setxid_wrap_install(void)
{
	struct kernel_sigaction wrapped;
	if (SYS4(SYS_rt_sigaction, SIGSETXID, NULL, &glibc_setxid, 8) != 0 || !glibc_setxid.handler ||
	    (void *)glibc_setxid.handler == (void *)SIG_DFL || (void *)glibc_setxid.handler == (void *)SIG_IGN)
		fatal("setxid_wrap_install: glibc's SIGSETXID handler is not installed");
	wrapped = glibc_setxid;
	wrapped.handler = setxid_wrapper;
	if (SYS4(SYS_rt_sigaction, SIGSETXID, &wrapped, NULL, 8) != 0)
		fatal("setxid_wrap_install: cannot install the SIGSETXID wrapper");
}
