/*
 * setuid() and friends. The kernel keeps credentials per OS thread; glibc
 * makes them per process by signalling every thread in its list of threads
 * with SIGSETXID, each running the same system call (nptl/nptl_setxid.c).
 * Under goro that list is not the list of OS threads (sched/credentials.c
 * says how it goes wrong), so each call here has every other OS thread goro
 * owns make the system call (credentials_broadcast), then makes it on the
 * caller's; the credentials lock around both keeps two calls from
 * interleaving and OS threads from being created meanwhile. The system call
 * is the one glibc's function makes (sysdeps/unix/sysv/linux/setuid.c and
 * the others; seteuid and setegid are setresuid and setresgid with -1s).
 * initgroups runs glibc's (its setgroups inside libc goro cannot see), then
 * passes the groups the caller ended with to every OS thread goro owns.
 *
 * glibc's SIGSETXID handler (initgroups, and calls made before goro took
 * over) clears a mark on THREAD_SELF, which on an M running a G is the G's
 * TCB; so goro wraps it: goro's own broadcast is answered first
 * (credentials_answer), and for glibc's, FS points, around glibc's handler,
 * at the descriptor glibc marked for this OS thread (sched_setxid_descriptor).
 * Every other signal is blocked meanwhile: a handler that ran with FS there
 * would take that descriptor's TLS for its own. glibc's sigaction refuses
 * signal 33, so the raw rt_sigaction is used.
 */
#include "shim/shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIGSETXID 33
#define BIT(sig) (1ULL << ((sig) - 1))
#define FAULTS (BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGFPE) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGSYS))

struct kernel_sigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static struct kernel_sigaction glibc_setxid;

static void setxid_wrapper(int sig, siginfo_t *info, void *ucontext)
{
	if (credentials_answer(info))
		return;
	int saved_errno = errno;
	void *descriptor = sched_setxid_descriptor();
	errno = saved_errno;
	if (!descriptor) {
		glibc_setxid.handler(sig, info, ucontext);
		return;
	}
	void *own = tcb_current();
	context_load_fs(descriptor);
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
	wrapped.mask = ~FAULTS;
	if (SYS4(SYS_rt_sigaction, SIGSETXID, &wrapped, NULL, 8) != 0)
		fatal("setxid_wrap_install: cannot install the SIGSETXID wrapper");
}

/*
 * A G waits here with its P free to move on (sysmon hands it off). The
 * program's signals wait too, goro's preemption signal with them: a handler
 * that posted a semaphore could start an M, whose creation waits for the
 * lock this thread holds.
 */
static void credentials_begin(uint64_t *saved_mask)
{
	if (g_current())
		syscall_enter("syscall setuid");
	uint64_t block = ~(BIT(SIGSETXID) | FAULTS);
	SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &block, saved_mask, 8);
	credentials_lock();
}

static int credentials_end(int result, const uint64_t *saved_mask)
{
	int saved_errno = errno;
	credentials_unlock();
	SYS4(SYS_rt_sigprocmask, SIG_SETMASK, saved_mask, NULL, 8);
	if (g_current())
		syscall_exit();
	errno = saved_errno;
	return result;
}

/*
 * The others first, then the caller's own OS thread, each exactly once:
 * setuid(0) from a thread whose saved uid is 0 gives it euid 0, and run
 * again there it would then set all three (glibc's tst-setuid1). So glibc's
 * own call is not made (its broadcast would apply it a second time to the
 * OS threads goro's reached); threads goro did not create (C11 threads, raw
 * clones) keep their ids. The results must agree, or the threads' ids now
 * differ: NPTL aborts then.
 */
static int set_ids(long nr, long a, long b, long c)
{
	uint64_t mask;
	credentials_begin(&mask);
	int others = credentials_broadcast(nr, a, b, c);
	long r = sys_call(nr, a, b, c, 0, 0, 0);
	int own = r < 0 ? errno : 0;
	if (others >= 0 && others != own)
		fatal("setuid and friends: the system call failed on some OS threads and not on others");
	return credentials_end((int)r, &mask);
}

#define SET_IDS(name, params, args, nr, a, b, c) \
	EXPORT int name params \
	{ \
		REAL(name); \
		if (!sched_active) \
			return real_##name args; \
		return set_ids(nr, (long)(a), (long)(b), (long)(c)); \
	}

SET_IDS(setuid, (uid_t uid), (uid), SYS_setuid, uid, 0, 0)
SET_IDS(setgid, (gid_t gid), (gid), SYS_setgid, gid, 0, 0)
SET_IDS(setreuid, (uid_t ruid, uid_t euid), (ruid, euid), SYS_setreuid, (int)ruid, (int)euid, 0)
SET_IDS(setregid, (gid_t rgid, gid_t egid), (rgid, egid), SYS_setregid, (int)rgid, (int)egid, 0)
SET_IDS(setresuid, (uid_t ruid, uid_t euid, uid_t suid), (ruid, euid, suid), SYS_setresuid, (int)ruid, (int)euid, (int)suid)
SET_IDS(setresgid, (gid_t rgid, gid_t egid, gid_t sgid), (rgid, egid, sgid), SYS_setresgid, (int)rgid, (int)egid, (int)sgid)
SET_IDS(setgroups, (size_t size, const gid_t *list), (size, list), SYS_setgroups, size, list, 0)

/* glibc: seteuid(-1) is EINVAL, else setresuid(-1, uid, -1); the same for setegid */
#define SET_EFFECTIVE(name, type, nr) \
	EXPORT int name(type id) \
	{ \
		REAL(name); \
		if (!sched_active) \
			return real_##name(id); \
		if (id == (type)-1) { \
			errno = EINVAL; \
			return -1; \
		} \
		return set_ids(nr, -1, (int)id, -1); \
	}

SET_EFFECTIVE(seteuid, uid_t, SYS_setresuid)
SET_EFFECTIVE(setegid, gid_t, SYS_setresgid)

/* glibc's first, unlocked (NSS may take the program's locks or start threads);
 * then the groups this OS thread has, read under the lock: the newest, should
 * another call have come in between. */
EXPORT int initgroups(const char *user, gid_t group)
{
	REAL(initgroups);
	int result = real_initgroups(user, group);
	if (!sched_active || result != 0)
		return result;
	int n = getgroups(0, NULL);
	gid_t *list = malloc((size_t)(n > 0 ? n : 1) * sizeof *list);
	if (!list)
		fatal("initgroups: no memory to pass the new groups to every OS thread");
	uint64_t mask;
	credentials_begin(&mask);
	n = getgroups(n, list);
	if (n >= 0)
		credentials_broadcast(SYS_setgroups, n, (long)list, 0);   /* again where glibc's reached: the same groups */
	credentials_end(0, &mask);
	free(list);
	return 0;
}
