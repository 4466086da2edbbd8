/*
 * Library start-up: find glibc's own functions, read the GORO_* settings,
 * check that this glibc is one whose thread layout goro knows (else say so in
 * one line and let the program run natively), and turn the initial thread
 * into the main G on M0.
 */
#include "shim/shim.h"
#include "preempt/preempt.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

struct real_functions real;

#define RESOLVE(name) real.name = (__typeof__(real.name))dlsym(RTLD_NEXT, #name)

static void resolve_real(void)
{
	RESOLVE(pthread_create); RESOLVE(pthread_join); RESOLVE(pthread_tryjoin_np);
	RESOLVE(pthread_timedjoin_np); RESOLVE(pthread_clockjoin_np); RESOLVE(pthread_detach);
	RESOLVE(pthread_exit); RESOLVE(pthread_getattr_np); RESOLVE(pthread_setname_np);
	RESOLVE(pthread_getname_np); RESOLVE(pthread_setaffinity_np); RESOLVE(pthread_getaffinity_np);
	RESOLVE(pthread_setschedparam); RESOLVE(pthread_getschedparam); RESOLVE(pthread_setschedprio);
	RESOLVE(pthread_kill);
	RESOLVE(pthread_cancel);
	RESOLVE(pthread_mutex_init); RESOLVE(pthread_mutex_lock); RESOLVE(pthread_mutex_trylock);
	RESOLVE(pthread_mutex_timedlock); RESOLVE(pthread_mutex_clocklock); RESOLVE(pthread_mutex_unlock);
	RESOLVE(pthread_mutex_destroy); RESOLVE(pthread_mutex_consistent); RESOLVE(pthread_mutex_getprioceiling);
	RESOLVE(pthread_mutex_setprioceiling);
	RESOLVE(pthread_cond_init); RESOLVE(pthread_cond_wait); RESOLVE(pthread_cond_timedwait);
	RESOLVE(pthread_cond_clockwait); RESOLVE(pthread_cond_signal); RESOLVE(pthread_cond_broadcast);
	RESOLVE(pthread_cond_destroy);
	RESOLVE(pthread_rwlock_init); RESOLVE(pthread_rwlock_destroy); RESOLVE(pthread_rwlock_rdlock);
	RESOLVE(pthread_rwlock_tryrdlock); RESOLVE(pthread_rwlock_timedrdlock); RESOLVE(pthread_rwlock_clockrdlock);
	RESOLVE(pthread_rwlock_wrlock); RESOLVE(pthread_rwlock_trywrlock); RESOLVE(pthread_rwlock_timedwrlock);
	RESOLVE(pthread_rwlock_clockwrlock); RESOLVE(pthread_rwlock_unlock);
	RESOLVE(pthread_barrier_init); RESOLVE(pthread_barrier_wait); RESOLVE(pthread_barrier_destroy);
	RESOLVE(sem_init); RESOLVE(sem_destroy); RESOLVE(sem_wait); RESOLVE(sem_trywait);
	RESOLVE(sem_timedwait); RESOLVE(sem_clockwait); RESOLVE(sem_post); RESOLVE(sem_getvalue);
	RESOLVE(nanosleep); RESOLVE(clock_nanosleep); RESOLVE(usleep); RESOLVE(sleep);
	RESOLVE(sched_yield);
	/* and every wrapper's (REAL in shim.h) */
	extern struct real_symbol __start_goro_real_symbols[], __stop_goro_real_symbols[];
	for (struct real_symbol *r = __start_goro_real_symbols; r < __stop_goro_real_symbols; r++)
		if (!*r->slot)
			*r->slot = dlsym(RTLD_NEXT, r->name);
}

_Noreturn static void bad_setting(const char *name, const char *value, const char *accepts)
{
	char line[512];
	snprintf(line, sizeof line, "goro: %s=%s is not valid: %s\n", name, value, accepts);
	debug_write(line);
	_exit(2);
}

static const char *const known_settings[] = {"GORO_PROCS", "GORO_LIB", "GORO_PREEMPT_MS", "GORO_PREEMPT_SIGNAL",
						    "GORO_SCHEDTRACE", "GORO_LEAKCHECK", "GORO_MAX_THREADS", NULL};

static void check_settings(void)
{
	extern char **environ;
	for (char **e = environ; e && *e; e++) {
		if (strncmp(*e, "GORO_", 5) != 0)
			continue;
		size_t len = strcspn(*e, "=");
		bool known = false;
		for (const char *const *k = known_settings; *k; k++)
			if (strlen(*k) == len && strncmp(*e, *k, len) == 0)
				known = true;
		if (!known) {
			char name[128];
			snprintf(name, sizeof name, "%.*s", (int)len, *e);
			bad_setting(name, (*e)[len] ? *e + len + 1 : "",
				    "unknown setting (known: GORO_PROCS, GORO_PREEMPT_MS, GORO_PREEMPT_SIGNAL, "
				    "GORO_SCHEDTRACE, GORO_LEAKCHECK, GORO_MAX_THREADS)");
		}
	}
}

static int procs_setting(void)
{
	const char *v = getenv("GORO_PROCS");
	if (!v) {
		cpu_set_t set;
		int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
		return n < 1 ? 1 : n > MAX_PROCS ? MAX_PROCS : n;
	}
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > MAX_PROCS)
		bad_setting("GORO_PROCS", v, "expected a whole number from 1 to 1024");
	return (int)n;
}

/* Milliseconds, with up to three decimals (microseconds): "10", "0.5"; 0 turns preemption off. */
static int64_t preempt_setting(void)
{
	const char *v = getenv("GORO_PREEMPT_MS");
	if (!v)
		return PREEMPT_DEFAULT_SLICE_NS;
	const char *accepts = "expected milliseconds from 0 (off) to 60000, with at most three decimals (e.g. 10 or 0.5)";
	int64_t us = 0;
	int decimals = -1;
	const char *c = v;
	for (; *c; c++) {
		if (*c == '.' && decimals < 0 && c != v) {
			decimals = 0;
			continue;
		}
		if (*c < '0' || *c > '9' || decimals >= 3 || us > 60000000)
			bad_setting("GORO_PREEMPT_MS", v, accepts);
		us = us * 10 + (*c - '0');
		if (decimals >= 0)
			decimals++;
	}
	if (c == v || decimals == 0)
		bad_setting("GORO_PREEMPT_MS", v, accepts);
	for (int d = decimals < 0 ? 0 : decimals; d < 3; d++)
		us *= 10;
	if (us > 60000000)
		bad_setting("GORO_PREEMPT_MS", v, accepts);
	return us * 1000;
}

static int preempt_signal_setting(void)
{
	const char *v = getenv("GORO_PREEMPT_SIGNAL");
	if (!v)
		return 0;
	int sig = preempt_parse_signal(v);
	if (!sig)
		bad_setting("GORO_PREEMPT_SIGNAL", v,
			    "expected a signal goro can use, by name or number (e.g. SIGURG, SIGRTMAX-1, 23); "
			    "not SIGKILL, SIGSTOP, faults, job control, SIGABRT or glibc's 32 and 33");
	return sig;
}

/* GORO_SCHEDTRACE: a whole number of milliseconds between scheduler trace lines. */
static int64_t schedtrace_setting(void)
{
	const char *v = getenv("GORO_SCHEDTRACE");
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long ms = strtol(v, &end, 10);
	if (errno || end == v || *end || ms < 1 || ms > 3600000)
		bad_setting("GORO_SCHEDTRACE", v, "expected milliseconds between trace lines, a whole number from 1 to 3600000");
	return (int64_t)ms * 1000000;
}

/* GORO_MAX_THREADS: pthread_create fails with EAGAIN once this many threads
 * (the main thread included) are alive, as NPTL does at RLIMIT_NPROC. */
static long max_threads_setting(void)
{
	const char *v = getenv("GORO_MAX_THREADS");
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > 1000000000)
		bad_setting("GORO_MAX_THREADS", v, "expected a whole number of threads from 1 to 1000000000");
	return n;
}

/* GORO_LEAKCHECK=1: at exit, threads not joined or still blocked are reported
 * and the exit status becomes LEAK_EXIT_STATUS (goleak for C programs' CI). */
#define LEAK_EXIT_STATUS 66
static bool leakcheck;

static bool leakcheck_setting(void)
{
	const char *v = getenv("GORO_LEAKCHECK");
	if (!v || strcmp(v, "0") == 0)
		return false;
	if (strcmp(v, "1") != 0)
		bad_setting("GORO_LEAKCHECK", v, "expected 1 (report leaked threads at exit) or 0");
	return true;
}

static bool started;

void goro_init(void)
{
	if (started)
		return;
	started = true;
	resolve_real();
	check_settings();
	int procs = procs_setting();
	int64_t preempt_slice = preempt_setting();
	int preempt_sig = preempt_signal_setting();
	int64_t trace_ns = schedtrace_setting();
	leakcheck = leakcheck_setting();
	sched_max_threads = max_threads_setting();
	char why[256];
	if (tls_layout_init(why, sizeof why) != 0) {
		char line[400];
		snprintf(line, sizeof line, "goro: not taking over (%s); the program runs on native threads\n", why);
		debug_write(line);
		return;
	}
	context_use_wrfsbase = (getauxval(AT_HWCAP2) & 2) != 0;
	sched_init(procs, trace_ns);
	setxid_wrap_install();
	cancel_init();
	sigaction_init();
	if (preempt_init(preempt_slice, preempt_sig, why, sizeof why) != 0) {
		char line[400];
		if (preempt_sig)   /* the setting named a signal the program already uses */
			bad_setting("GORO_PREEMPT_SIGNAL", getenv("GORO_PREEMPT_SIGNAL"), why);
		snprintf(line, sizeof line, "goro: threads are not preempted (%s)\n", why);
		debug_write(line);
	}
	dlopen_note_startup_modules();
	pthread_atfork(NULL, NULL, sched_after_fork_child);
	pthread_atfork(NULL, NULL, thread_after_fork_child);
	sched_active = true;
}

__attribute__((constructor)) static void goro_constructor(void)
{
	goro_init();
}

/* libgoro was loaded first, so this runs after the program's own destructors and atexit handlers. */
__attribute__((destructor)) static void goro_destructor(void)
{
	if (!leakcheck || !sched_active || !g_current())
		return;
	if (leak_report(2) > 0) {
		fflush(NULL);
		_exit(LEAK_EXIT_STATUS);
	}
}
