/*
 * Reads, writes, sends, receives and accepts on descriptors: a G whose
 * descriptor is not ready parks in the netpoller instead of blocking its M.
 *
 * The descriptor's file-status flags are never changed (another process may
 * share the open file description). Readiness is asked with poll(…, 0); the
 * call itself is then made as the program made it, inside syscall
 * enter/exit, so if another thread took the data in between, the P is
 * handed off while it blocks. A descriptor the program made non-blocking
 * returns EAGAIN exactly as before; SO_RCVTIMEO and SO_SNDTIMEO are honoured
 * (EAGAIN when they expire, as Linux does). Descriptors epoll cannot watch
 * (regular files are always "ready" anyway) simply block in the call.
 */
#include "shim/shim.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static bool ready_now(int fd, bool write)
{
	struct pollfd p = {.fd = fd, .events = write ? POLLOUT : POLLIN};
	return SYS3(SYS_poll, &p, 1, 0) != 0;   /* ready, error, hang-up, bad fd: let the call answer */
}

static bool nonblocking(int fd)
{
	long flags = SYS2(SYS_fcntl, fd, F_GETFL);
	return flags >= 0 && (flags & O_NONBLOCK);
}

static int64_t socket_deadline(int fd, bool write)
{
	struct timeval tv;
	socklen_t len = sizeof tv;
	if (SYS5(SYS_getsockopt, fd, SOL_SOCKET, write ? SO_SNDTIMEO : SO_RCVTIMEO, &tv, &len) != 0 ||
	    (tv.tv_sec == 0 && tv.tv_usec == 0))
		return NO_DEADLINE;
	return nanotime() + (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

static int await_fd_probe(int fd, bool write, int *moved);

/*
 * Waits until fd is worth calling. -1 with errno EAGAIN when a socket
 * timeout expired, or EINTR when a signal handler without SA_RESTART ran
 * (a socket with a timeout is never restarted, as on Linux). *moved >= 0:
 * fd was closed during the wait, make the call on this duplicate of it and
 * release it (see sched/netpoll.c).
 */
static int await_fd(int fd, bool write, int *moved)
{
	int saved_errno = errno;   /* the probes below must not leak their errno */
	int r = await_fd_probe(fd, write, moved);
	if (r == 0)
		errno = saved_errno;
	return r;
}

static int await_fd_probe(int fd, bool write, int *moved)
{
	*moved = -1;
	if (ready_now(fd, write) || nonblocking(fd))
		return 0;
	int64_t deadline = socket_deadline(fd, write);
	struct g *g = g_current();
	g->signals_raised = 0;
	for (;;) {
		int r = netpoll_wait_fd(fd, write, deadline, moved);
		if (r == ETIMEDOUT) {
			errno = EAGAIN;
			return -1;
		}
		if (r == EINTR) {
			uint64_t raised = g->signals_raised;
			g->signals_raised = 0;
			if (deadline != NO_DEADLINE || !signal_restarts(raised)) {
				errno = EINTR;
				return -1;
			}
			continue;
		}
		return 0;   /* ready (the call may still block if another thread took the data: hand-off covers it) */
	}
}

/* The call on fd, which close() replaced during the wait by the duplicate moved. */
#define IO_MOVED(type, name, reason, args) \
	do { \
		REAL(name); \
		syscall_enter(reason); \
		type result = real_##name args; \
		int saved_errno = errno; \
		syscall_exit(); \
		netpoll_release_fd(fd); \
		errno = saved_errno; \
		return result; \
	} while (0)

#define IO(type, name, fd, write, dontwait, reason, params, args) \
	EXPORT type name params \
	{ \
		int moved; \
		if (g_current() && !(dontwait)) { \
			if (await_fd(fd, write, &moved) != 0) \
				return -1; \
			if (__builtin_expect(moved >= 0, 0)) { \
				fd = moved; \
				IO_MOVED(type, name, reason, args); \
			} \
		} \
		BLOCKING(type, name, reason, args); \
	}

IO(ssize_t, read, fd, false, false, "syscall read", (int fd, void *buf, size_t n), (fd, buf, n))
IO(ssize_t, readv, fd, false, false, "syscall readv", (int fd, const struct iovec *iov, int n), (fd, iov, n))
IO(ssize_t, write, fd, true, false, "syscall write", (int fd, const void *buf, size_t n), (fd, buf, n))
IO(ssize_t, writev, fd, true, false, "syscall writev", (int fd, const struct iovec *iov, int n), (fd, iov, n))
IO(ssize_t, recv, fd, false, flags & MSG_DONTWAIT, "syscall recv", (int fd, void *buf, size_t n, int flags),
   (fd, buf, n, flags))
IO(ssize_t, recvfrom, fd, false, flags & MSG_DONTWAIT, "syscall recvfrom",
   (int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *len), (fd, buf, n, flags, addr, len))
IO(ssize_t, recvmsg, fd, false, flags & MSG_DONTWAIT, "syscall recvmsg", (int fd, struct msghdr *msg, int flags),
   (fd, msg, flags))
IO(ssize_t, send, fd, true, flags & MSG_DONTWAIT, "syscall send", (int fd, const void *buf, size_t n, int flags),
   (fd, buf, n, flags))
IO(ssize_t, sendto, fd, true, flags & MSG_DONTWAIT, "syscall sendto",
   (int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len),
   (fd, buf, n, flags, addr, len))
IO(ssize_t, sendmsg, fd, true, flags & MSG_DONTWAIT, "syscall sendmsg",
   (int fd, const struct msghdr *msg, int flags), (fd, msg, flags))
IO(int, accept, fd, false, false, "syscall accept", (int fd, struct sockaddr *addr, socklen_t *len), (fd, addr, len))
IO(int, accept4, fd, false, false, "syscall accept4", (int fd, struct sockaddr *addr, socklen_t *len, int flags),
   (fd, addr, len, flags))
