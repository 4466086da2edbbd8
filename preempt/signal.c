/*
 * Which signal preempts, and keeping it out of the program's way
 * (invariant 5). At start-up goro takes SIGURG (Go's choice: nothing sends
 * it by default and its default action is to ignore it) unless the program
 * already has a handler for it, else the highest real-time signal nobody
 * uses; GORO_PREEMPT_SIGNAL overrides. The handler has SA_RESTART, so a
 * preemption signal never turns into EINTR.
 *
 * The program never sees the signal is taken: sigaction reports the
 * disposition the program would see natively, and when the program installs
 * its own action for the signal, goro moves to another free signal first and
 * the program's action goes in for real. A signal of that number that goro
 * did not send (another process's kill, say) gets the action the program
 * would natively: ignored, or the default action.
 */
#include "preempt/internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

static int64_t slice_ns;
_Atomic bool preempt_paused;   /* exec in progress: no more signals */
static struct sigaction program_view;   /* of the current preempt_sig */
static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);

int64_t preempt_slice_ns(void)
{
	return atomic_load_explicit(&preempt_sig, memory_order_relaxed) ? slice_ns : 0;
}

int preempt_signal_number(void)
{
	return atomic_load(&preempt_sig);
}

/* Queued with a stamp (SI_QUEUE from this process, PREEMPT_STAMP), so a late
 * one arriving after the signal was handed to the program is recognised and
 * dropped (sched/signal.c) instead of reaching the program's handler. */
void preempt_signal_m(pid_t ktid)
{
	int sig = atomic_load_explicit(&preempt_sig, memory_order_relaxed);
	if (!sig || atomic_load_explicit(&preempt_paused, memory_order_relaxed))
		return;
	siginfo_t info;
	memset(&info, 0, sizeof info);
	info.si_signo = sig;
	info.si_code = SI_QUEUE;
	info.si_pid = (pid_t)SYS0(SYS_getpid);
	info.si_uid = (uid_t)SYS0(SYS_getuid);
	info.si_value.sival_int = PREEMPT_STAMP;
	SYS4(SYS_rt_tgsigqueueinfo, info.si_pid, ktid, sig, &info);
}

bool preempt_signal_is_stamped(const siginfo_t *info)
{
	return info && info->si_code == SI_QUEUE && info->si_value.sival_int == PREEMPT_STAMP &&
	       info->si_pid == (pid_t)SYS0(SYS_getpid);
}

/* Signals goro may take: ones whose handler the runtime can own without
 * breaking faults, job control, abort or glibc's own (32, 33). */
static bool usable(int sig)
{
	switch (sig) {
	case SIGABRT: case SIGCONT: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return false;
	}
	return signal_wrappable(sig);
}

/* Signals the program has ever set an action for: goro never takes one of
 * them again, so a late preemption signal cannot meet the program's SIG_DFL. */
static _Atomic uint64_t touched;

void preempt_note_program_signal(int sig)
{
	if (sig >= 1 && sig <= 64)
		atomic_fetch_or(&touched, 1ULL << (sig - 1));
}

/* Nobody handles it: default action (or, for SIGURG only, ignored from the parent). */
static bool is_free(int sig)
{
	struct sigaction sa, wrapped;
	if (!usable(sig) || (atomic_load(&touched) & (1ULL << (sig - 1))) || signal_handler_get(sig, &wrapped) ||
	    real_sigaction(sig, NULL, &sa) != 0)
		return false;
	if (sa.sa_flags & SA_SIGINFO)
		return false;
	return sa.sa_handler == SIG_DFL || (sig == SIGURG && sa.sa_handler == SIG_IGN);
}

static int choose(int avoid)
{
	if (avoid != SIGURG && is_free(SIGURG))
		return SIGURG;
	for (int sig = SIGRTMAX; sig >= SIGRTMIN; sig--)
		if (sig != avoid && is_free(sig))
			return sig;
	return 0;
}

static int install(int sig)
{
	struct sigaction view, sa;
	if (real_sigaction(sig, NULL, &view) != 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = preempt_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (real_sigaction(sig, &sa, NULL) != 0)
		return -1;
	program_view = view;
	atomic_store(&preempt_sig, sig);
	return 0;
}

int preempt_init(int64_t slice, int sig, char *why, size_t why_size)
{
	real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
	slice_ns = slice;
	if (slice == 0)
		return 0;
	fpstate_init();
	if (!real_sigaction || codemap_build() != 0) {
		snprintf(why, why_size, "cannot build the map of loaded code");
		return -1;
	}
	if (sig && !is_free(sig)) {
		snprintf(why, why_size, "GORO_PREEMPT_SIGNAL=%d: the program already uses that signal", sig);
		return -1;
	}
	if (!sig)
		sig = choose(0);
	if (!sig) {
		snprintf(why, why_size, "no free signal for preemption (SIGURG and every real-time signal are taken)");
		return -1;
	}
	if (install(sig) != 0) {
		snprintf(why, why_size, "cannot install the preemption handler for signal %d", sig);
		return -1;
	}
	return 0;
}

bool preempt_owns_signal(int sig)
{
	return sig != 0 && sig == atomic_load(&preempt_sig);
}

void preempt_program_view(int sig, struct sigaction *old)
{
	*old = program_view;
}

/* The program wants sig for itself: preempt with another one from now on. */
void preempt_give_up_signal(int sig)
{
	static _Atomic bool warned;
	struct sigaction view = program_view;
	int next = choose(sig);
	if (!next || install(next) != 0) {
		atomic_store(&preempt_sig, 0);
		if (!atomic_exchange(&warned, true))
			debug_write("goro: no free signal left for preemption; threads that never block are "
				    "no longer preempted\n");
	}
	(void)view;   /* the caller installs the program's own action next; until then goro's handler drops late ones */
}

/* A signal of goro's number that goro did not send: what would it do natively? */
void preempt_foreign_signal(int sig)
{
	struct sigaction view = program_view;
	if (sig != atomic_load(&preempt_sig) || view.sa_handler == SIG_IGN)
		return;
	if (sig == SIGURG || sig == SIGWINCH || sig == SIGCHLD)
		return;   /* default action: ignore */
	/* default action: terminate, as natively */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	real_sigaction(sig, &dfl, NULL);
	uint64_t set = 1ULL << (sig - 1);
	SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
	SYS3(SYS_tgkill, SYS0(SYS_getpid), SYS0(SYS_gettid), sig);
}

int preempt_parse_signal(const char *text)
{
	const char *s = strncmp(text, "SIG", 3) == 0 ? text + 3 : text;
	char *end;
	int sig = 0;
	if (s[0] >= '0' && s[0] <= '9') {
		long n = strtol(s, &end, 10);
		sig = *end || n < 1 || n > 64 ? 0 : (int)n;
	} else if (strncmp(s, "RTMIN", 5) == 0 || strncmp(s, "RTMAX", 5) == 0) {
		long off = 0;
		if (s[5] && ((s[5] != '+' && s[5] != '-') || (off = strtol(s + 5, &end, 10), *end)))
			return 0;
		sig = (s[4] == 'N' ? SIGRTMIN : SIGRTMAX) + (int)off;
		if (sig < SIGRTMIN || sig > SIGRTMAX)
			return 0;
	} else {
		for (int i = 1; i < 32; i++) {
			const char *abbrev = sigabbrev_np(i);
			if (abbrev && strcmp(abbrev, s) == 0)
				sig = i;
		}
	}
	return sig && usable(sig) ? sig : 0;
}

void preempt_before_exec(bool vfork_child)
{
	int sig = atomic_load(&preempt_sig);
	if (!vfork_child)   /* a vfork child's memory is its parent's, which goes on preempting */
		atomic_store(&preempt_paused, true);
	if (!sig)
		return;
	struct sigaction ignore;
	memset(&ignore, 0, sizeof ignore);
	ignore.sa_handler = SIG_IGN;
	real_sigaction(sig, &ignore, NULL);        /* discards any pending on every thread */
	real_sigaction(sig, &program_view, NULL);  /* what the new program inherits: the program's own */
}

void preempt_after_failed_exec(void)
{
	int sig = atomic_load(&preempt_sig);
	if (sig)
		install(sig);
	atomic_store(&preempt_paused, false);
}
