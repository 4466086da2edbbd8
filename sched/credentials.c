/*
 * Credentials: setuid() and friends change every OS thread of the process.
 *
 * The kernel keeps user and group ids, and the supplementary groups, per
 * task; POSIX wants them per process. NPTL closes the gap in user space
 * (nptl/nptl_setxid.c): the caller signals every thread in glibc's list of
 * threads with SIGSETXID, each runs the same system call on itself, and the
 * caller goes last. Under goro glibc's list is not the list of OS threads:
 * the initial thread's descriptor belongs to the main G (glibc skips it as
 * "self" when the main G calls from another OS thread, so M0 kept the old
 * ids), and in the child of a fork it holds the forking G's descriptor
 * where the forking OS thread's own one is gone (glibc then never reached
 * that OS thread, or, when the main G forked from another M than M0, went on
 * signalling the descriptor whose tid names it for ever: SIGSETXID's handler
 * clears the mark on the M's own descriptor, not that one).
 *
 * So goro does the broadcast itself, over the OS threads it owns (every M,
 * sysmon), and the caller then makes the call on its own OS thread
 * (shim/setxid.c); each thread makes it exactly once, as under NPTL:
 *
 *   - Each of goro's OS threads is registered (its kernel tid, set by the
 *     creator once the real pthread_create has returned) before anyone can
 *     see it, under the creation lock that a broadcast holds as a writer. A
 *     thread cloned during a broadcast would inherit its creator's ids of
 *     the moment, maybe the old ones; so no thread is created while one
 *     runs, and a thread created after it is cloned from an OS thread that
 *     already has the new ids (all of goro's do by then; the caller's own
 *     creates none while it waits).
 *   - The broadcast signals every registered thread that has not answered
 *     this broadcast's number, with SIGSETXID queued as SI_QUEUE with
 *     CREDENTIALS_SIGNAL_VALUE (glibc's own are SI_TKILL: the two never get
 *     mixed up); the handler finds its thread by kernel tid (it may run
 *     before the new OS thread has set up anything, or with FS on any
 *     TCB), runs the system call, records the result and answers. It asks
 *     again every CREDENTIALS_RESEND_NS those that have not answered: a
 *     signal refused because the queue was full is not lost.
 *   - Goro's OS threads never block SIGSETXID for long: Ms and sysmon are
 *     born with it unblocked (sigmask.c), and their masks never hold it.
 *   - The result must be the same everywhere (NPTL aborts otherwise: the
 *     threads would have different ids); the caller's own comes from glibc.
 *
 * Rejected: fixing up glibc's list so that each of goro's OS threads has
 * exactly one descriptor in it with its tid (ld.so's list heads are private,
 * the main G's descriptor must stay the initial thread's, and a fork child's
 * list would need re-linking by hand); goro's broadcast for the OS threads
 * glibc misses, followed by glibc's own (glibc's then runs the call a
 * second time on the others: setuid(0) from a thread with saved uid 0 sets
 * only the euid, and again, now privileged, all three); leaving the OS
 * threads to catch up lazily before they next run a G (an idle M, sysmon,
 * or an M blocked in a long system call for a G would keep the old ids,
 * and the kernel checks them on that very call).
 *
 * Not reached: OS threads goro did not create (C11 threads, raw clones).
 */
#include "sched/internal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIGSETXID 33
#define WRITER 0x80000000u
#define CREDENTIALS_RESEND_NS 20000000   /* 20 ms */

/* The creation lock: creators hold it shared, a broadcast exclusively. */
static _Atomic uint32_t creation_lock;

static struct {
	_Atomic bool active;
	_Atomic uint64_t number;     /* of the broadcast under way, or of the last one */
	long nr, args[3];            /* written before number, under the lock */
	_Atomic int result;          /* errno of the first answer, 0 for success, -1 none yet */
	_Atomic uint32_t answers;    /* futex word: bumped by each answer */
} command;

static _Atomic pid_t sysmon_tid;
static _Atomic uint64_t sysmon_answered;

static void creation_lock_shared(void)
{
	for (;;) {
		uint32_t v = atomic_load(&creation_lock);
		if (v & WRITER)
			futex_wait(&creation_lock, v, NO_DEADLINE);
		else if (atomic_compare_exchange_weak(&creation_lock, &v, v + 1))
			return;
	}
}

static void creation_unlock_shared(void)
{
	if (atomic_fetch_sub(&creation_lock, 1) - 1 == WRITER)
		futex_wake(&creation_lock, INT32_MAX);   /* the broadcast waits for the last creator */
}

void credentials_lock(void)
{
	for (;;) {
		uint32_t v = atomic_load(&creation_lock);
		if (v & WRITER)
			futex_wait(&creation_lock, v, NO_DEADLINE);   /* another broadcast */
		else if (atomic_compare_exchange_weak(&creation_lock, &v, v | WRITER))
			break;
	}
	for (uint32_t v; (v = atomic_load(&creation_lock)) != WRITER;)
		futex_wait(&creation_lock, v, NO_DEADLINE);   /* threads being created */
}

void credentials_unlock(void)
{
	atomic_fetch_and(&creation_lock, ~WRITER);
	futex_wake(&creation_lock, INT32_MAX);
}

/* Creates one of goro's OS threads (m, or sysmon when m is NULL) and registers it. */
int os_thread_create(int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *),
		     const pthread_attr_t *attr, void *(*fn)(void *), void *arg, struct m *m)
{
	pthread_t t;
	creation_lock_shared();
	int r = thread_create_signals_blocked(create, &t, attr, fn, arg);
	if (r == 0) {
		pid_t tid = tcb_tid((void *)t);   /* CLONE_PARENT_SETTID wrote it before clone returned */
		if (tid <= 0)
			fatal("os_thread_create: glibc's new thread has no kernel tid");
		if (m)
			__atomic_store_n(&m->ktid, tid, __ATOMIC_SEQ_CST);
		else
			atomic_store(&sysmon_tid, tid);
	}
	creation_unlock_shared();
	return r;
}

/* Where the OS thread tid says it answered, or NULL for a thread goro did not create. */
static _Atomic uint64_t *answered_slot(pid_t tid)
{
	if (atomic_load(&sysmon_tid) == tid)
		return &sysmon_answered;
	int count = sched_m_count();
	for (int i = 0; i < count; i++) {
		struct m *m = sched_m_at(i);
		if (__atomic_load_n(&m->ktid, __ATOMIC_SEQ_CST) == tid)
			return &m->credentials_answered;
	}
	return NULL;
}

struct m *credentials_m_of(pid_t tid)
{
	int count = sched_m_count();
	for (int i = 0; i < count; i++) {
		struct m *m = sched_m_at(i);
		if (__atomic_load_n(&m->ktid, __ATOMIC_SEQ_CST) == tid)
			return m;
	}
	return NULL;
}

/* Signals those of goro's OS threads (but the caller's) that have not
 * answered yet, when resend; returns how many have not. */
static int unanswered(uint64_t number, pid_t pid, pid_t self, bool resend)
{
	siginfo_t info;
	memset(&info, 0, sizeof info);
	info.si_signo = SIGSETXID;
	info.si_code = SI_QUEUE;
	info.si_pid = pid;
	info.si_uid = (uid_t)SYS0(SYS_getuid);
	info.si_value.sival_ptr = (void *)CREDENTIALS_SIGNAL_VALUE;
	int pending = 0, count = sched_m_count();
	for (int i = -1; i < count; i++) {
		pid_t tid = i < 0 ? atomic_load(&sysmon_tid) : __atomic_load_n(&sched_m_at(i)->ktid, __ATOMIC_SEQ_CST);
		_Atomic uint64_t *answered = i < 0 ? &sysmon_answered : &sched_m_at(i)->credentials_answered;
		if (tid <= 0 || tid == self || atomic_load(answered) == number)
			continue;
		if (resend && SYS4(SYS_rt_tgsigqueueinfo, pid, tid, SIGSETXID, &info) != 0 && errno == ESRCH)
			continue;   /* gone (the parent's, in a fork child goro did not see) */
		pending++;
	}
	return pending;
}

/* The system call nr on every OS thread goro owns but the caller's; the
 * errno they got (0: success; -1: there was no other). Under credentials_lock. */
int credentials_broadcast(long nr, long a, long b, long c)
{
	int saved_errno = errno;
	command.nr = nr;
	command.args[0] = a;
	command.args[1] = b;
	command.args[2] = c;
	atomic_store(&command.result, -1);
	uint64_t number = atomic_load(&command.number) + 1;
	atomic_store(&command.number, number);   /* after the command: the handler reads it first */
	atomic_store(&command.active, true);
	pid_t pid = (pid_t)SYS0(SYS_getpid), self = (pid_t)SYS0(SYS_gettid);
	for (bool resend = true;;) {
		uint32_t seen = atomic_load(&command.answers);
		if (unanswered(number, pid, self, resend) == 0)
			break;
		resend = futex_wait(&command.answers, seen, nanotime() + CREDENTIALS_RESEND_NS) == ETIMEDOUT;
	}
	atomic_store(&command.active, false);
	int result = atomic_load(&command.result);
	errno = saved_errno;
	return result;
}

/* SIGSETXID's handler, first: true when the signal was goro's broadcast. */
bool credentials_answer(const siginfo_t *info)
{
	if (info->si_code != SI_QUEUE || info->si_value.sival_ptr != (void *)CREDENTIALS_SIGNAL_VALUE)
		return false;
	int saved_errno = errno;
	_Atomic uint64_t *answered = info->si_pid == (pid_t)SYS0(SYS_getpid) ? answered_slot((pid_t)SYS0(SYS_gettid)) : NULL;
	uint64_t number = atomic_load(&command.number);
	if (!answered || !atomic_load(&command.active) || atomic_load(answered) == number) {
		errno = saved_errno;
		return true;   /* a late copy of a signal already answered */
	}
	long r = sys_call(command.nr, command.args[0], command.args[1], command.args[2], 0, 0, 0);
	int error = r < 0 ? errno : 0, expected = -1;
	if (!atomic_compare_exchange_strong(&command.result, &expected, error) && expected != error)
		fatal("setuid and friends: the system call failed on some OS threads and not on others");
	atomic_store(answered, number);
	atomic_fetch_add(&command.answers, 1);
	futex_wake(&command.answers, 1);
	errno = saved_errno;
	return true;
}

/* fork child: only the forking OS thread is left, and no broadcast or creation is under way. */
void credentials_after_fork_child(struct m *self)
{
	atomic_store(&creation_lock, 0);
	atomic_store(&command.active, false);
	atomic_store(&sysmon_tid, 0);   /* sysmon_start registers the child's */
	int count = sched_m_count();
	for (int i = 0; i < count; i++)
		if (sched_m_at(i) != self)
			__atomic_store_n(&sched_m_at(i)->ktid, 0, __ATOMIC_SEQ_CST);
}
