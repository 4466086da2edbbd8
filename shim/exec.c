/*
 * The exec family: no preemption signal may survive into the new program (a
 * pending real-time signal would kill it; a pending SIGURG would be
 * harmless but is dropped too). goro stops sending, discards what is
 * pending and gives the signal back its program disposition, then execs;
 * if exec fails, preemption resumes. glibc's execv/execl/... call execve
 * internally, so each is wrapped. A vfork child (shim/vfork.c) shares the
 * parent's memory: it changes only its own signal dispositions, and never
 * pauses the parent's preemption.
 */
#include "shim/shim.h"
#include "preempt/preempt.h"

#include <stdarg.h>
#include <unistd.h>

#define EXEC(name, params, args) \
	EXPORT int name params \
	{ \
		REAL(name); \
		if (!sched_active) \
			return real_##name args; \
		if (vfork_child) { \
			preempt_before_exec(true); \
			sigquit_before_exec(); \
			return real_##name args; \
		} \
		preempt_before_exec(false); \
		sigquit_before_exec(); \
		int r = real_##name args; \
		int e = errno; \
		sigquit_after_failed_exec(); \
		preempt_after_failed_exec(); \
		errno = e; \
		return r; \
	}

EXEC(execve, (const char *path, char *const argv[], char *const envp[]), (path, argv, envp))
EXEC(execv, (const char *path, char *const argv[]), (path, argv))
EXEC(execvp, (const char *file, char *const argv[]), (file, argv))
EXEC(execvpe, (const char *file, char *const argv[], char *const envp[]), (file, argv, envp))
EXEC(fexecve, (int fd, char *const argv[], char *const envp[]), (fd, argv, envp))

/* The list forms, collected into an argv on the stack (as glibc does). */
static int count_args(const char *first, va_list ap)
{
	int n = 1;
	for (const char *a = first; a; a = va_arg(ap, const char *))
		n++;
	return n;
}

#define COLLECT(first, argv, envp_out) \
	va_list ap; \
	va_start(ap, first); \
	int n_ = count_args(first, ap); \
	va_end(ap); \
	char *argv[n_]; \
	va_start(ap, first); \
	argv[0] = (char *)first; \
	for (int i_ = 1; i_ < n_; i_++) \
		argv[i_] = va_arg(ap, char *); \
	envp_out; \
	va_end(ap)

EXPORT int execl(const char *path, const char *arg, ...)
{
	COLLECT(arg, argv, (void)0);
	return execv(path, argv);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	COLLECT(arg, argv, (void)0);
	return execvp(file, argv);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char **envp;
	COLLECT(arg, argv, envp = va_arg(ap, char **));
	return execve(path, argv, envp);
}
