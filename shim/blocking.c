/*
 * Blocking calls a G makes: each is bracketed by syscall_enter/exit so that,
 * if it blocks in the kernel, sysmon hands the G's P to another M after a
 * short grace period and the rest of the program keeps running (DESIGN.md,
 * "Blocking", invariant 4). Calls from threads goro did not create go
 * straight to glibc.
 *
 * The wrapper keeps errno as the call left it: syscall_exit may sleep and
 * run scheduler code in between.
 *
 * connect stays here, deliberately. On a blocking socket it waits for the
 * handshake, and the only ways to start it without waiting are to set
 * O_NONBLOCK (the open file description's flag, shared with every process
 * and thread holding it: a read or fcntl elsewhere would see it) or a
 * short SO_SNDTIMEO (a socket option, just as shared, and it costs a
 * jiffy): both change state the program can observe. So the real connect
 * runs in the bracket and sysmon hands the P on if it waits (loopback and
 * refused connects finish at once; a remote or backlogged listener costs
 * an OS thread per connect in flight, not per connection). io_uring's
 * IORING_OP_CONNECT would start it without touching the flags; not used
 * (it may be disabled, and it is a second I/O path). A non-blocking socket
 * keeps returning EINPROGRESS from the real call, and its completion is
 * then awaited with poll/select/epoll, which park.
 */
#include "shim/shim.h"

#include <aio.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRAP(type, name, reason, params, args) \
	EXPORT type name params { BLOCKING(type, name, reason, args); }

WRAP(ssize_t, pread, "syscall pread", (int fd, void *buf, size_t n, off_t off), (fd, buf, n, off))
WRAP(ssize_t, pwrite, "syscall pwrite", (int fd, const void *buf, size_t n, off_t off), (fd, buf, n, off))
WRAP(ssize_t, pread64, "syscall pread", (int fd, void *buf, size_t n, off64_t off), (fd, buf, n, off))
WRAP(ssize_t, pwrite64, "syscall pwrite", (int fd, const void *buf, size_t n, off64_t off), (fd, buf, n, off))
/* aio_suspend waits on a futex inside libc, where goro cannot see it: in the
 * bracket its P goes on at once, not after a time slice (with one P the
 * thread that completes the request could not run), and it is a
 * cancellation point (POSIX's list; glibc's tst-cancel17): a cancellation
 * ends the wait with EINTR and acts. */
WRAP(int, aio_suspend, "syscall aio_suspend", (const struct aiocb *const list[], int n, const struct timespec *timeout),
     (list, n, timeout))
WRAP(int, aio_suspend64, "syscall aio_suspend", (const struct aiocb64 *const list[], int n, const struct timespec *timeout),
     (list, n, timeout))
WRAP(ssize_t, preadv, "syscall preadv", (int fd, const struct iovec *iov, int n, off_t off), (fd, iov, n, off))
WRAP(ssize_t, pwritev, "syscall pwritev", (int fd, const struct iovec *iov, int n, off_t off), (fd, iov, n, off))

WRAP(int, recvmmsg, "syscall recvmmsg",
     (int fd, struct mmsghdr *v, unsigned n, int flags, struct timespec *t), (fd, v, n, flags, t))
WRAP(int, sendmmsg, "syscall sendmmsg", (int fd, struct mmsghdr *v, unsigned n, int flags), (fd, v, n, flags))
WRAP(int, connect, "syscall connect", (int fd, const struct sockaddr *addr, socklen_t len), (fd, addr, len))


WRAP(pid_t, waitpid, "syscall waitpid", (pid_t pid, int *status, int options), (pid, status, options))
WRAP(pid_t, wait, "syscall wait", (int *status), (status))
WRAP(pid_t, wait3, "syscall wait3", (int *status, int options, struct rusage *ru), (status, options, ru))
WRAP(pid_t, wait4, "syscall wait4", (pid_t pid, int *status, int options, struct rusage *ru), (pid, status, options, ru))
WRAP(int, waitid, "syscall waitid", (idtype_t type, id_t id, siginfo_t *info, int options), (type, id, info, options))
WRAP(int, system, "syscall system", (const char *command), (command))
/* The caller waits in clone(CLONE_VFORK) until the child has exec'd. Not
 * cancellation points: glibc's spawn (popen's too) disables cancellation,
 * and its pclose waits for the child with the non-cancellable waitpid. */
EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
		       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	BLOCKING_NOT_A_POINT(int, posix_spawn, "syscall posix_spawn", (pid, path, actions, attr, argv, envp), false);
}
EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
			const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	BLOCKING_NOT_A_POINT(int, posix_spawnp, "syscall posix_spawnp", (pid, file, actions, attr, argv, envp), false);
}
EXPORT FILE *popen(const char *command, const char *mode)
{
	BLOCKING_NOT_A_POINT(FILE *, popen, "syscall popen", (command, mode), false);
}
EXPORT int pclose(FILE *stream) { BLOCKING_NOT_A_POINT(int, pclose, "syscall pclose", (stream), false); }

/* glibc's flock and syncfs are plain system calls, not cancellation points. */
EXPORT int flock(int fd, int op) { BLOCKING_NOT_A_POINT(int, flock, "syscall flock", (fd, op), true); }
EXPORT int syncfs(int fd) { BLOCKING_NOT_A_POINT(int, syncfs, "syscall syncfs", (fd), true); }
WRAP(int, lockf, "syscall lockf", (int fd, int cmd, off_t len), (fd, cmd, len))
WRAP(int, fsync, "syscall fsync", (int fd), (fd))
WRAP(int, fdatasync, "syscall fdatasync", (int fd), (fd))

/* sigsuspend: signals held for the G that the mask unblocks are handed to its
 * OS thread first, so the kernel's sigsuspend delivers them at once. */
static int sigsuspend_in_syscall(const sigset_t *set)
{
	BLOCKING(int, sigsuspend, "syscall sigsuspend", (set));
}

EXPORT int sigsuspend(const sigset_t *set)
{
	struct g *g = g_current();
	if (g) {
		uint64_t mask;
		memcpy(&mask, set, sizeof mask);
		if (atomic_load(&g->sigheld) & ~mask)
			g_release_held(g, atomic_load(&g->sigheld) & ~mask);
	}
	return sigsuspend_in_syscall(set);
}
WRAP(int, pause, "syscall pause", (void), ())

WRAP(ssize_t, msgrcv, "syscall msgrcv", (int id, void *msg, size_t n, long type, int flags), (id, msg, n, type, flags))
WRAP(int, msgsnd, "syscall msgsnd", (int id, const void *msg, size_t n, int flags), (id, msg, n, flags))
WRAP(int, semop, "syscall semop", (int id, struct sembuf *ops, size_t n), (id, ops, n))
WRAP(int, semtimedop, "syscall semtimedop", (int id, struct sembuf *ops, size_t n, const struct timespec *t),
     (id, ops, n, t))
WRAP(ssize_t, mq_receive, "syscall mq_receive", (mqd_t q, char *msg, size_t n, unsigned *prio), (q, msg, n, prio))
WRAP(int, mq_send, "syscall mq_send", (mqd_t q, const char *msg, size_t n, unsigned prio), (q, msg, n, prio))
WRAP(ssize_t, mq_timedreceive, "syscall mq_timedreceive",
     (mqd_t q, char *msg, size_t n, unsigned *prio, const struct timespec *t), (q, msg, n, prio, t))
WRAP(int, mq_timedsend, "syscall mq_timedsend",
     (mqd_t q, const char *msg, size_t n, unsigned prio, const struct timespec *t), (q, msg, n, prio, t))

WRAP(int, getaddrinfo, "syscall getaddrinfo",
     (const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res),
     (node, service, hints, res))

/* open may block on a FIFO; its mode argument exists only with O_CREAT or O_TMPFILE. */
static mode_t open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

#define WRAP_OPEN(name) \
	EXPORT int name(const char *path, int flags, ...) \
	{ \
		va_list ap; \
		va_start(ap, flags); \
		mode_t mode = open_mode(flags, ap); \
		va_end(ap); \
		BLOCKING(int, name, "syscall open", (path, flags, mode)); \
	}
WRAP_OPEN(open)
WRAP_OPEN(open64)

#define WRAP_OPENAT(name) \
	EXPORT int name(int dir, const char *path, int flags, ...) \
	{ \
		va_list ap; \
		va_start(ap, flags); \
		mode_t mode = open_mode(flags, ap); \
		va_end(ap); \
		BLOCKING(int, name, "syscall open", (dir, path, flags, mode)); \
	}
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)

/* fcntl blocks only for F_SETLKW and F_OFD_SETLKW; its third argument is an int or a pointer. */
#define WRAP_FCNTL(name) \
	EXPORT int name(int fd, int cmd, ...) \
	{ \
		va_list ap; \
		va_start(ap, cmd); \
		void *arg = va_arg(ap, void *); \
		va_end(ap); \
		if (!g_current() || (cmd != F_SETLKW && cmd != F_OFD_SETLKW)) { \
			REAL(name); \
			return real_##name(fd, cmd, arg); \
		} \
		BLOCKING(int, name, "syscall fcntl lock", (fd, cmd, arg)); \
	}
extern int fcntl64(int fd, int cmd, ...);
WRAP_FCNTL(fcntl)
WRAP_FCNTL(fcntl64)
