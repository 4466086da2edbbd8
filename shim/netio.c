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
 *
 * poll, ppoll, select, pselect and the epoll_wait family park the same way,
 * on all their descriptors at once (sections below). close, dup2 and dup3
 * keep a descriptor alive for the Gs parked on it: they go on waiting on a
 * private duplicate, as the blocked call natively keeps the open file (not
 * woken with EBADF: natively the close does not wake them either).
 */
#include "shim/shim.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* A system call made for a G, made again when it failed with EINTR that no
 * handler of the program's caused: goro's own preemption signal hit it
 * (poll and select are not restarted even under SA_RESTART; invariant 5).
 * expr is evaluated again each time (a timeout recomputed, say). */
#define G_SYSCALL(expr) \
	({ \
		uint32_t handlers_before_ = signal_handlers_run(); \
		long r_; \
		do \
			r_ = (expr); \
		while (r_ == -1 && errno == EINTR && signal_handlers_run() == handlers_before_); \
		r_; \
	})

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
			if (deadline != NO_DEADLINE || !signal_restarts(g, raised)) {
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
		type result = (type)G_SYSCALL(real_##name args); \
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
			cancel_point(); \
			if (await_fd(fd, write, &moved) != 0) { \
				cancel_point_after(errno == EINTR); \
				return -1; \
			} \
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

/* _FORTIFY_SOURCE builds call these for reads into buffers of known size;
 * glibc's versions call its internal read and recvfrom, which goro does not see */
extern void __chk_fail(void) __attribute__((noreturn));
EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return read(fd, buf, n);
}

EXPORT ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
	if (n > buflen)
		__chk_fail();
	return recv(fd, buf, n, flags);
}

EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags, struct sockaddr *addr,
			      socklen_t *len)
{
	if (n > buflen)
		__chk_fail();
	return recvfrom(fd, buf, n, flags, addr, len);
}

/* ---- poll, ppoll, select, pselect ----
 *
 * Each round asks the kernel with a zero timeout (so every result, POLLHUP,
 * POLLNVAL, POLLPRI, EBADF, EINVAL for too many descriptors, comes out as
 * natively), and if nothing is ready parks in the netpoller on all the
 * descriptors until one may be, the deadline or a signal, then asks again.
 * A signal handler run during the wait ends the call with EINTR whatever
 * its SA_RESTART (Linux never restarts poll and select). A descriptor epoll
 * cannot watch is always ready to poll (regular files), so the probe
 * returns before parking; if epoll still refuses one (nesting limits, no
 * watches left) the rest of the call blocks in the kernel inside a system
 * call bracket. ppoll and pselect apply their signal mask to the probes
 * only: while parked the G's own mask decides (sched/sigmask.c).
 */

/* poll, select and epoll_wait are cancellation points: on the way in, and
 * when pthread_cancel ended the wait (EINTR). */
static int waited(int r)
{
	cancel_point_after(r < 0 && errno == EINTR);
	return r;
}

/* poll events that name an interest; the bits are the same in epoll */
#define POLL_INTEREST (POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | POLLWRNORM | POLLWRBAND | POLLRDHUP)

static int64_t deadline_after(int64_t ns)
{
	int64_t now = nanotime();
	return ns >= NO_DEADLINE - now ? NO_DEADLINE - 1 : now + ns;
}

static bool timespec_ok(const struct timespec *t)
{
	return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < 1000000000;
}

static int64_t timespec_ns(const struct timespec *t)
{
	if (t->tv_sec >= INT64_MAX / 1000000000 - 1)
		return INT64_MAX;
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* what is left until deadline, for the kernel */
static struct timespec *remaining(int64_t deadline, struct timespec *ts)
{
	if (deadline == NO_DEADLINE)
		return NULL;
	int64_t d = deadline - nanotime();
	if (d < 0)
		d = 0;
	ts->tv_sec = d / 1000000000;
	ts->tv_nsec = d % 1000000000;
	return ts;
}

static bool pollfd_entry(void *ctx, int i, int *fd, uint32_t *events)
{
	const struct pollfd *p = (const struct pollfd *)ctx + i;
	if (p->fd < 0)
		return false;   /* ignored, as the kernel does */
	*fd = p->fd;
	*events = (uint16_t)p->events & POLL_INTEREST;
	return true;
}

static int poll_probe(struct pollfd *fds, nfds_t n, const sigset_t *mask)
{
	struct timespec zero = {0, 0};
	return (int)G_SYSCALL(SYS5(SYS_ppoll, fds, n, &zero, mask, 8));
}

/* poll and ppoll for a G; deadline NO_DEADLINE waits forever. */
static int poll_wait(struct pollfd *fds, nfds_t n, int64_t deadline, const sigset_t *mask)
{
	int saved_errno = errno;
	for (;;) {
		int r = poll_probe(fds, n, mask);
		if (r != 0)
			return r;
		if (deadline != NO_DEADLINE && nanotime() >= deadline) {
			errno = saved_errno;
			return 0;
		}
		uint32_t ev;
		int e = netpoll_wait_fds((int)n, pollfd_entry, fds, deadline, &ev);
		if (e == EINTR) {
			errno = EINTR;
			return -1;
		}
		if (e == 0 && ev && n == 1 && !mask) {
			/* one descriptor: the event that woke us is the kernel's answer, as a
			 * probe would give it (same poll mask, filtered the same way) */
			fds[0].revents = (short)(ev & ((uint16_t)fds[0].events | POLLERR | POLLHUP));
			errno = saved_errno;
			return 1;
		}
		if (e == 0 || e == ETIMEDOUT)
			continue;   /* ask the kernel again (at the deadline: its last word) */
		/* epoll cannot watch one of them: block in the kernel for the rest */
		struct timespec ts;
		syscall_enter("syscall poll");
		r = (int)G_SYSCALL(SYS5(SYS_ppoll, fds, n, remaining(deadline, &ts), mask, 8));
		int err = errno;
		syscall_exit();
		errno = r < 0 ? err : saved_errno;
		return r;
	}
}

EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (!g_current()) {
		REAL(poll);
		return real_poll(fds, n, timeout);
	}
	preempt_point();   /* every entry into goro is a cooperative preemption point */
	cancel_point();
	if (timeout == 0)
		return (int)G_SYSCALL(SYS3(SYS_poll, fds, n, 0));
	return waited(poll_wait(fds, n, timeout < 0 ? NO_DEADLINE : deadline_after((int64_t)timeout * 1000000), NULL));
}

EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask)
{
	if (!g_current()) {
		REAL(ppoll);
		return real_ppoll(fds, n, t, mask);
	}
	preempt_point();   /* every entry into goro is a cooperative preemption point */
	cancel_point();
	if (t && (!timespec_ok(t) || (t->tv_sec == 0 && t->tv_nsec == 0))) {
		struct timespec copy;   /* glibc's ppoll does not let the kernel update *t */
		if (t) {
			copy = *t;
			t = &copy;
		}
		return (int)G_SYSCALL(SYS5(SYS_ppoll, fds, n, t, mask, 8));
	}
	return waited(poll_wait(fds, n, t ? deadline_after(timespec_ns(t)) : NO_DEADLINE, mask));
}

/* _FORTIFY_SOURCE builds call these, which call glibc's internal poll */
EXPORT int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (fdslen / sizeof *fds < n)
		__chk_fail();
	return poll(fds, n, timeout);
}

EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask, size_t fdslen)
{
	if (fdslen / sizeof *fds < n)
		__chk_fail();
	return ppoll(fds, n, t, mask);
}

/* select's sets as the kernel reads them: whole longs up to n bits */
struct select_sets {
	int n;
	unsigned long *set[3];   /* read, write, except (NULL if not given) */
};

static bool fd_in(const unsigned long *set, int fd)
{
	return set && (set[fd / (8 * sizeof(long))] >> (fd % (8 * sizeof(long))) & 1);
}

static bool select_entry(void *ctx, int i, int *fd, uint32_t *events)
{
	const struct select_sets *s = ctx;
	uint32_t ev = 0;
	/* the kernel's POLLIN_SET, POLLOUT_SET and POLLEX_SET (HUP and ERR come anyway) */
	if (fd_in(s->set[0], i))
		ev |= EPOLLIN | EPOLLRDNORM | EPOLLRDBAND;
	if (fd_in(s->set[1], i))
		ev |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	if (fd_in(s->set[2], i))
		ev |= EPOLLPRI;
	*fd = i;
	*events = ev;
	return ev != 0;
}

/* pselect6 with a zero timeout on the user's sets (the kernel rewrites them) */
static int select_probe(int n, unsigned long **sets, const sigset_t *mask)
{
	struct timespec zero = {0, 0};
	struct { const sigset_t *ss; size_t len; } sig = {mask, 8};
	return (int)G_SYSCALL(SYS6(SYS_pselect6, n, sets[0], sets[1], sets[2], &zero, mask ? &sig : NULL));
}

/* select and pselect for a G (n >= 0). */
static int select_wait(int n, fd_set **user, int64_t deadline, const sigset_t *mask)
{
	int saved_errno = errno;
	/* the probe rewrites the sets it is given: probe copies, keep the user's for the wait */
	int bits = n;
	if (bits > FD_SETSIZE) {
		/* as the kernel, read no more than the descriptors that can exist */
		struct rlimit rl;
		if (SYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.rlim_cur < (rlim_t)bits)
			bits = rl.rlim_cur < FD_SETSIZE ? FD_SETSIZE : (int)rl.rlim_cur;
	}
	size_t longs = ((size_t)bits + 8 * sizeof(long) - 1) / (8 * sizeof(long));
	size_t bytes = longs * sizeof(long);
	unsigned long stack_copy[3][FD_SETSIZE / (8 * sizeof(long))], *copy[3];
	unsigned long *big = NULL;
	size_t big_len = 3 * bytes;
	if (bytes > sizeof stack_copy[0]) {
		big = mmap(NULL, big_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (big == MAP_FAILED) {
			errno = ENOMEM;
			return -1;
		}
	}
	struct select_sets sets = {.n = bits};
	for (int i = 0; i < 3; i++) {
		sets.set[i] = (unsigned long *)user[i];
		copy[i] = big ? big + i * longs : stack_copy[i];
	}
	int r;
	for (;;) {
		bool over = deadline != NO_DEADLINE && nanotime() >= deadline;
		if (over) {
			/* the kernel's last word, written into the user's sets as a timeout would */
			r = select_probe(bits, sets.set, mask);
			if (r == 0)
				errno = saved_errno;
			break;
		}
		unsigned long *probe[3];
		for (int i = 0; i < 3; i++) {
			probe[i] = sets.set[i] ? copy[i] : NULL;
			if (probe[i])
				memcpy(probe[i], sets.set[i], bytes);
		}
		r = select_probe(bits, probe, mask);
		if (r != 0) {
			for (int i = 0; i < 3 && r > 0; i++)
				if (probe[i])
					memcpy(sets.set[i], probe[i], bytes);
			break;
		}
		uint32_t ev;
		int e = netpoll_wait_fds(bits, select_entry, &sets, deadline, &ev);
		if (e == EINTR) {
			errno = EINTR;
			r = -1;
			break;
		}
		if (e == 0 || e == ETIMEDOUT)
			continue;
		/* epoll cannot watch one of them: block in the kernel for the rest */
		struct timespec ts;
		struct { const sigset_t *ss; size_t len; } sig = {mask, 8};
		syscall_enter("syscall select");
		r = (int)G_SYSCALL(SYS6(SYS_pselect6, bits, sets.set[0], sets.set[1], sets.set[2],
					remaining(deadline, &ts), mask ? &sig : NULL));
		int err = errno;
		syscall_exit();
		errno = r < 0 ? err : saved_errno;
		break;
	}
	if (big) {
		int err = errno;
		munmap(big, big_len);
		errno = err;
	}
	return r;
}

EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	if (!g_current()) {
		REAL(select);
		return real_select(n, r, w, e, tv);
	}
	preempt_point();   /* every entry into goro is a cooperative preemption point */
	cancel_point();
	if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0)) {
		errno = EINVAL;
		return -1;
	}
	int64_t ns = -1;
	if (tv) {
		if (tv->tv_sec >= INT64_MAX / 1000000000 - 1 - tv->tv_usec / 1000000)
			ns = INT64_MAX;
		else
			ns = (int64_t)tv->tv_sec * 1000000000 + (int64_t)tv->tv_usec * 1000;
	}
	if (ns == 0 || n < 0) {
		/* as glibc: the kernel's pselect6 on a copy of the timeout, which it updates */
		struct timespec ts, *tsp = NULL;
		if (tv) {
			ts.tv_sec = ns == INT64_MAX ? INT64_MAX : ns / 1000000000;
			ts.tv_nsec = ns == INT64_MAX ? 999999999 : ns % 1000000000;
			tsp = &ts;
		}
		int res = (int)G_SYSCALL(SYS6(SYS_pselect6, n, r, w, e, tsp, NULL));
		if (tv) {
			tv->tv_sec = ts.tv_sec;
			tv->tv_usec = ts.tv_nsec / 1000;
		}
		return res;
	}
	int64_t deadline = tv ? deadline_after(ns) : NO_DEADLINE;
	fd_set *user[3] = {r, w, e};
	int res = waited(select_wait(n, user, deadline, NULL));
	if (tv) {
		/* Linux writes the time left back */
		int64_t left = deadline - nanotime();
		if (left < 0)
			left = 0;
		tv->tv_sec = left / 1000000000;
		tv->tv_usec = left % 1000000000 / 1000;
	}
	return res;
}

EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t, const sigset_t *mask)
{
	if (!g_current()) {
		REAL(pselect);
		return real_pselect(n, r, w, e, t, mask);
	}
	preempt_point();   /* every entry into goro is a cooperative preemption point */
	cancel_point();
	if (n < 0 || (t && (!timespec_ok(t) || (t->tv_sec == 0 && t->tv_nsec == 0)))) {
		struct timespec copy;   /* glibc's pselect does not let the kernel update *t */
		if (t) {
			copy = *t;
			t = &copy;
		}
		struct { const sigset_t *ss; size_t len; } sig = {mask, 8};
		return (int)G_SYSCALL(SYS6(SYS_pselect6, n, r, w, e, t, mask ? &sig : NULL));
	}
	fd_set *user[3] = {r, w, e};
	return waited(select_wait(n, user, t ? deadline_after(timespec_ns(t)) : NO_DEADLINE, mask));
}

/* ---- epoll_wait, epoll_pwait, epoll_pwait2 on the program's own epoll set ----
 *
 * An epoll descriptor is readable while it has events to report, so a G
 * asks it with a zero timeout, and if it has nothing parks in the netpoller
 * until it is readable, the deadline or a signal, then asks again. As with
 * poll, a signal handler ends the call with EINTR (epoll_wait is never
 * restarted), and the signal mask of epoll_pwait applies to the probes
 * only. Several Gs waiting on one set are all woken by an event; the ones
 * that find nothing park again (natively the kernel wakes one).
 */
static int epoll_wait_g(int ep, struct epoll_event *ev, int max, int64_t deadline, const sigset_t *mask)
{
	int saved_errno = errno, fd = ep, moved = -1, r;
	for (;;) {
		r = (int)SYS6(SYS_epoll_pwait, fd, ev, max, 0, mask, 8);
		if (r != 0)
			break;
		if (deadline != NO_DEADLINE && nanotime() >= deadline) {
			errno = saved_errno;
			break;
		}
		int e = netpoll_wait_fd(fd, false, deadline, &moved);
		if (e == EINTR) {
			errno = EINTR;
			r = -1;
			break;
		}
		if (moved >= 0) {
			/* the program closed ep: go on with the set through our duplicate, as the kernel does */
			if (fd != ep)
				netpoll_release_fd(fd);
			fd = moved;
			moved = -1;
		}
		if (e == 0 || e == ETIMEDOUT)
			continue;
		/* epoll cannot watch this set (nesting too deep): block in the kernel */
		struct timespec ts;
		syscall_enter("syscall epoll_wait");
		r = (int)G_SYSCALL(SYS6(SYS_epoll_pwait2, fd, ev, max, remaining(deadline, &ts), mask, 8));
		int err = errno;
		syscall_exit();
		errno = r < 0 ? err : saved_errno;
		break;
	}
	if (fd != ep) {
		int err = errno;
		netpoll_release_fd(fd);
		errno = err;
	}
	return r;
}

EXPORT int epoll_wait(int ep, struct epoll_event *ev, int max, int timeout)
{
	if (!g_current()) {
		REAL(epoll_wait);
		return real_epoll_wait(ep, ev, max, timeout);
	}
	preempt_point();   /* every entry into goro is a cooperative preemption point */
	cancel_point();
	if (timeout == 0)
		return (int)SYS6(SYS_epoll_pwait, ep, ev, max, 0, NULL, 8);
	return waited(epoll_wait_g(ep, ev, max, timeout < 0 ? NO_DEADLINE : deadline_after((int64_t)timeout * 1000000), NULL));
}

EXPORT int epoll_pwait(int ep, struct epoll_event *ev, int max, int timeout, const sigset_t *mask)
{
	if (!g_current()) {
		REAL(epoll_pwait);
		return real_epoll_pwait(ep, ev, max, timeout, mask);
	}
	preempt_point();   /* every entry into goro is a cooperative preemption point */
	cancel_point();
	if (timeout == 0)
		return (int)SYS6(SYS_epoll_pwait, ep, ev, max, 0, mask, 8);
	return waited(epoll_wait_g(ep, ev, max, timeout < 0 ? NO_DEADLINE : deadline_after((int64_t)timeout * 1000000), mask));
}

EXPORT int epoll_pwait2(int ep, struct epoll_event *ev, int max, const struct timespec *t, const sigset_t *mask)
{
	if (!g_current()) {
		REAL(epoll_pwait2);
		return real_epoll_pwait2(ep, ev, max, t, mask);
	}
	preempt_point();   /* every entry into goro is a cooperative preemption point */
	cancel_point();
	if (t && (!timespec_ok(t) || (t->tv_sec == 0 && t->tv_nsec == 0)))
		return (int)SYS6(SYS_epoll_pwait2, ep, ev, max, t, mask, 8);
	return waited(epoll_wait_g(ep, ev, max, t ? deadline_after(timespec_ns(t)) : NO_DEADLINE, mask));
}

/* ---- close, dup2, dup3 ----
 *
 * A descriptor a G is parked on (read, poll, ...) must not vanish under it:
 * natively the blocked call holds the open file and completes when it
 * becomes ready through another reference. Before the real call, waits on
 * the descriptor move to a private duplicate (sched/netpoll.c). Costs a
 * table lookup when nobody waits on the descriptor. glibc's own closes
 * (fclose, ...) use the system call directly and are not seen; neither are
 * close_range and closefrom.
 */
/* A vfork child closes its own descriptors; the netpoller's are its parent's. */
EXPORT int close(int fd)
{
	if (!vfork_child)
		netpoll_fd_closing(fd);
	REAL(close);
	return real_close(fd);
}

EXPORT int dup2(int old, int fd)
{
	if (old != fd && !vfork_child)
		netpoll_fd_closing(fd);
	REAL(dup2);
	return real_dup2(old, fd);
}

EXPORT int dup3(int old, int fd, int flags)
{
	if (old != fd && !vfork_child)
		netpoll_fd_closing(fd);
	REAL(dup3);
	return real_dup3(old, fd, flags);
}
