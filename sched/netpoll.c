/*
 * The netpoller: Gs waiting for descriptors to become readable or writable
 * park here instead of blocking their M, as in Go's netpoll_epoll.go.
 *
 * One epoll instance for the process. Each descriptor number has a poll_desc
 * (a table indexed by fd) holding the waiters on it, each with its own epoll
 * interest mask (read: EPOLLIN|EPOLLRDHUP, write: EPOLLOUT, poll/select: the
 * bits the program asked for, which have the same values as POLL*). The
 * descriptor is registered EPOLLONESHOT with the union of its waiters'
 * interests and re-armed after each event for those still waiting.
 *
 * A wait (struct poll_wait, on the waiting G's stack) covers one or several
 * descriptors and one deadline: read/write/accept wait on one, poll, select
 * and epoll_wait on many. Its state word decides who ends it, exactly once:
 *
 *   ARMING --(g0 registered every descriptor)--> PARKED
 *   ARMING or PARKED --(first claim)--> DONE + result
 *
 * Claimants: an event on any of its descriptors (result 0, with the
 * event's epoll bits, which let poll on one descriptor skip a second
 * probe), its timer (ETIMEDOUT), a signal for the G (EINTR,
 * netpoll_interrupt), an epoll_ctl failure while arming or re-arming (that
 * errno), close() failing to keep a descriptor alive (EBADF). Several
 * claimants may race (two descriptors firing on two Ms, the timer, a
 * signal); the state word's CAS picks one. A claim from PARKED readies
 * the G; a claim from ARMING leaves that to the g0 code still arming, which
 * sees its ARMING->PARKED step fail. Whoever readies the G first stops its
 * timer, so when the G runs again its timer is idle (a signal handler
 * raised on wake-up may start a timed wait of its own). Registration
 * happens on g0 after the G parked, so nothing can ready a G that is still
 * running.
 *
 * Waiters stay on their descriptors' lists until removed by an event that
 * matches them or by their G once the wait is over (it takes each list's
 * lock in turn, unless the waiter is already off), so a waiter found on a
 * list under that list's lock is alive, and whoever removes it touches
 * neither it nor its wait afterwards (it claims first). netpoll_interrupt does not go through the lists: it claims the wait
 * under a small lock (hashed by G) that the G also takes to clear
 * g->wait_kind when it leaves the wait, so it never touches a finished
 * wait's memory.
 *
 * close(fd) (and dup2/dup3 onto fd) while Gs wait on fd: natively the call
 * blocked in the kernel holds the open file and completes when it becomes
 * ready through another reference (the writer of a pipe writes or closes);
 * the close does not wake it. Here the G only has an epoll registration,
 * which the kernel drops with the last reference. So netpoll_fd_closing,
 * called by the shim before the real close, gives each open wait on fd a
 * private duplicate (F_DUPFD_CLOEXEC, high numbers) and moves its
 * registration there: the wait goes on on the same open file. A read-like
 * caller then makes its call on the duplicate and releases it
 * (netpoll_release_fd); poll/select/epoll_wait re-probe with the program's
 * numbers (a closed one reports POLLNVAL/EBADF then, as natively once the
 * file wakes the call) and the netpoller releases their duplicates itself.
 * If no duplicate can be made (no descriptor left), the wait ends with
 * EBADF. A G already woken but not yet back in its call sees the close as
 * if it had come before its call (EBADF), as a native close racing with the
 * start of a call can. glibc's own closes (fclose and friends use the close
 * system call directly) and close_range/closefrom are not seen.
 *
 * Who calls epoll_wait: an M looking for work polls without blocking; the
 * M that finds nothing at all blocks in epoll_wait until the next timer
 * instead of sleeping on its futex (one wake-up from the kernel straight to
 * the M that will run the G). An eventfd in the set lets the runtime wake it
 * when a timer becomes earlier.
 *
 * Rejected: a dedicated poller thread (two cross-CPU wake-ups per event);
 * edge-triggered permanent registration (it needs every fd-creating and
 * fd-closing call interposed to stay correct, and glibc closes fds
 * internally, e.g. fclose); holding every descriptor's lock across the park
 * for multi-descriptor waits (thousands of locks, ordering problems).
 */
#include "sched/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS (1 << 20)

/* state: ARMING, PARKED, or PW_DONE + (result | the event's epoll bits << 16) */
enum { PW_ARMING = 0, PW_PARKED = 1, PW_DONE = 2 };

struct poll_wait;

struct poll_waiter {
	struct poll_wait *pw;
	struct poll_waiter *next, *prev;
	struct poll_desc *_Atomic pd;  /* changes only when close() moves the waiter */
	int fd;                        /* the private duplicate once moved */
	uint32_t events;               /* epoll interest */
	_Atomic bool queued;
	bool moved;                    /* fd is a private duplicate to release */
};

struct poll_wait {
	struct g *g;
	_Atomic uint32_t state;
	int n;
	struct poll_waiter *w;
	int64_t deadline;
};

struct poll_desc {
	spinlock_t lock;
	int fd;
	uint32_t events;               /* interests armed: a superset of the waiters' */
	struct poll_waiter *waiters;
};

static int epfd = -1;
static int breakfd = -1;
static struct poll_desc *descs;
static size_t ndescs;
static _Atomic uint64_t *dups;      /* bit per descriptor: a private duplicate close() made */
static _Atomic int waiters;         /* Gs parked on descriptors */
static _Atomic int blocked_poller;  /* an M is inside a blocking epoll_wait */
static _Atomic int max_fd_used = -1;
static _Atomic int64_t last_poll;
static spinlock_t intr_locks[64];   /* see netpoll_interrupt */

int64_t netpoll_last_poll(void)
{
	return atomic_load_explicit(&last_poll, memory_order_relaxed);
}

static int netpoll_open_epoll(void);

int netpoll_init(void)
{
	struct rlimit rl;
	size_t n = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY ? rl.rlim_max : MAX_FDS;
	if (n > MAX_FDS)
		n = MAX_FDS;
	descs = mmap(NULL, n * sizeof *descs, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (descs == MAP_FAILED)
		return -1;
	dups = mmap(NULL, n / 8 + 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (dups == MAP_FAILED)
		return -1;
	ndescs = n;
	return netpoll_open_epoll();
}

static int netpoll_open_epoll(void)
{
	epfd = (int)SYS1(SYS_epoll_create1, EPOLL_CLOEXEC);
	breakfd = (int)SYS2(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (epfd < 0 || breakfd < 0)
		return -1;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	return (int)SYS4(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD, breakfd, &ev);
}

bool netpoll_has_waiters(void)
{
	return atomic_load_explicit(&waiters, memory_order_relaxed) > 0;
}

/* pd->lock held for both */
static void list_add(struct poll_desc *pd, struct poll_waiter *w)
{
	w->prev = NULL;
	w->next = pd->waiters;
	if (pd->waiters)
		pd->waiters->prev = w;
	pd->waiters = w;
	pd->events |= w->events;
	atomic_store_explicit(&w->queued, true, memory_order_relaxed);
}

/* Off pd's list, still queued: only for a move to another list (close()),
 * so that its G never sees it unqueued in between. */
static void list_unlink(struct poll_desc *pd, struct poll_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		pd->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
}

static void list_remove(struct poll_desc *pd, struct poll_waiter *w)
{
	list_unlink(pd, w);
	atomic_store_explicit(&w->queued, false, memory_order_release);
}

/* pd->lock held. Arms epoll for the interests of the current waiters (HUP
 * and ERR are always reported, so even a waiter with no interest bits
 * hears those). */
static int arm(struct poll_desc *pd)
{
	if (!pd->waiters)
		return 0;
	struct epoll_event ev = {.events = EPOLLONESHOT | pd->events, .data.ptr = pd};
	if (SYS4(SYS_epoll_ctl, epfd, EPOLL_CTL_MOD, pd->fd, &ev) == 0)
		return 0;
	if (errno == ENOENT && SYS4(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD, pd->fd, &ev) == 0)
		return 0;
	return errno;
}

/* Ends pw's wait with result (an errno, or 0 with the event's bits << 16)
 * if nobody has. Returns the G when the caller must ready it (the wait was
 * PARKED); NULL when the wait was already over, or when the g0 code still
 * arming it will ready the G. */
static struct g *claim(struct poll_wait *pw, uint32_t result)
{
	struct g *g = pw->g;
	uint32_t s = atomic_load(&pw->state);
	while (s < PW_DONE) {
		if (atomic_compare_exchange_weak(&pw->state, &s, PW_DONE + (uint32_t)result))
			return s == PW_PARKED ? g : NULL;
	}
	return NULL;
}

/* Before readying a G whose wait we ended: its timer must be idle when it runs. */
static void stop_timer_of(struct poll_wait *pw)
{
	if (pw->deadline != NO_DEADLINE)
		timer_stop(&pw->g->timer);
}

static void note_fd(int fd)
{
	int seen = atomic_load_explicit(&max_fd_used, memory_order_relaxed);
	while (fd > seen && !atomic_compare_exchange_weak(&max_fd_used, &seen, fd))
		;
}

/* On g0 once the G is parked (unlockf of g_park): register every descriptor. */
static void arm_wait(void *arg)
{
	struct poll_wait *pw = arg;
	struct g *g = pw->g;
	for (int i = 0; i < pw->n; i++) {
		if (atomic_load_explicit(&pw->state, memory_order_relaxed) >= PW_DONE)
			break;   /* already over: the rest need not be registered */
		struct poll_waiter *w = &pw->w[i];
		struct poll_desc *pd = atomic_load_explicit(&w->pd, memory_order_relaxed);
		note_fd(w->fd);
		spin_acquire(&pd->lock);
		pd->fd = w->fd;
		list_add(pd, w);
		int err = arm(pd);
		if (err)
			list_remove(pd, w);
		spin_release(&pd->lock);
		if (err) {
			/* epoll cannot watch it (a regular file, say): the caller decides */
			claim(pw, err);
			break;
		}
	}
	uint32_t s = PW_ARMING;
	if (!atomic_compare_exchange_strong(&pw->state, &s, PW_PARKED)) {
		stop_timer_of(pw);
		g_ready(g);
	}
	/* PARKED: from here on the wait may end, and its memory go, at any time */
}

static void poll_timeout_fire(struct timer *t)
{
	struct poll_wait *pw = t->arg;
	struct g *g = claim(pw, ETIMEDOUT);
	atomic_store(&t->state, TIMER_IDLE);
	if (g)
		g_ready(g);
}

static spinlock_t *intr_lock(struct g *g)
{
	return &intr_locks[((uintptr_t)g * 0x9e3779b97f4a7c15ULL) >> 58];
}

/* The G, after its wait: takes its waiters off the lists they are still on. */
static void unqueue(struct poll_waiter *w)
{
	if (!atomic_load_explicit(&w->queued, memory_order_acquire))
		return;   /* removed by an event (only the arming code and close() add, and both are done) */
	for (;;) {
		struct poll_desc *pd = atomic_load(&w->pd);
		spin_acquire(&pd->lock);
		if (atomic_load(&w->pd) == pd) {
			if (atomic_load_explicit(&w->queued, memory_order_relaxed))
				list_remove(pd, w);
			spin_release(&pd->lock);
			return;
		}
		spin_release(&pd->lock);   /* close() moved it meanwhile */
	}
}

void netpoll_release_fd(int fd)
{
	SYS4(SYS_epoll_ctl, epfd, EPOLL_CTL_DEL, fd, NULL);
	atomic_fetch_and(&dups[fd / 64], ~(1ULL << (fd % 64)));
	SYS1(SYS_close, fd);
}

/* For dumps, from sysmon: the descriptors a parked G waits on (the first and
 * how many). Its wait lives on its stack and may end meanwhile: read with
 * process_vm_readv, so a stale one gives odd numbers, never a crash. */
static bool read_safely(void *dst, const void *src, size_t n)
{
	struct iovec local = {dst, n}, remote = {(void *)src, n};
	return SYS6(SYS_process_vm_readv, SYS0(SYS_getpid), &local, 1, &remote, 1, 0) == (long)n;
}

bool netpoll_waited_fds(void *obj, int *first_fd, int *count)
{
	struct poll_wait pw;
	struct poll_waiter w;
	if (!obj || !read_safely(&pw, obj, sizeof pw) || pw.n < 1 || !read_safely(&w, pw.w, sizeof w))
		return false;
	*first_fd = w.fd;
	*count = pw.n;
	return true;
}

static void waiter_init(struct poll_waiter *w, struct poll_wait *pw, int fd, uint32_t events)
{
	w->pw = pw;
	w->next = w->prev = NULL;
	atomic_store_explicit(&w->pd, &descs[fd], memory_order_relaxed);
	w->fd = fd;
	w->events = events;
	atomic_store_explicit(&w->queued, false, memory_order_relaxed);
	w->moved = false;
}

/* Parks the G until pw ends; returns its result: an errno in the low 16
 * bits, and for an event the epoll bits that woke it in the high ones. */
static uint32_t wait_common(struct poll_wait *pw, const char *reason)
{
	struct g *g = pw->g;
	own_p(g);   /* before any runtime lock */
	if (g_signal_for_wait(g)) {
		g_raise_pending(g);
		return EINTR;
	}
	if (pw->deadline != NO_DEADLINE && pw->deadline <= nanotime())
		return ETIMEDOUT;
	atomic_store_explicit(&pw->state, PW_ARMING, memory_order_relaxed);
	atomic_fetch_add(&waiters, 1);
	if (pw->deadline != NO_DEADLINE) {
		g->timer.fire = poll_timeout_fire;
		g->timer.arg = pw;
		timer_start(&g->timer, pw->deadline);
	}
	g->wait_obj = pw;
	atomic_store(&g->wait_kind, WAIT_NETPOLL);
	g_park(arm_wait, pw, reason);
	spinlock_t *l = intr_lock(g);
	spin_acquire(l);
	atomic_store(&g->wait_kind, WAIT_NONE);
	spin_release(l);
	/* the timer was stopped by whoever readied us */
	for (int i = 0; i < pw->n; i++)
		unqueue(&pw->w[i]);
	atomic_fetch_sub(&waiters, 1);
	uint32_t result = atomic_load(&pw->state) - PW_DONE;
	g_raise_if_pending(g);   /* the wait is undone */
	return result;
}

int netpoll_wait_fd(int fd, bool write, int64_t deadline, int *moved_fd)
{
	*moved_fd = -1;
	if (fd < 0 || (size_t)fd >= ndescs || epfd < 0)
		return EBADF;
	struct poll_waiter w;
	struct poll_wait pw = {.g = g_self, .n = 1, .w = &w, .deadline = deadline};
	waiter_init(&w, &pw, fd, write ? EPOLLOUT : EPOLLIN | EPOLLRDHUP);
	int r = (int)(wait_common(&pw, write ? "netpoll write" : "netpoll read") & 0xffff);
	if (__builtin_expect(w.moved, 0)) {
		if (r == 0)
			*moved_fd = w.fd;
		else
			netpoll_release_fd(w.fd);
	}
	return r;
}

/* ---- waiter arrays for waits on many descriptors ---- */

#define STACK_WAITERS 8
#define MIN_CLASS 4
#define MAX_CLASS 21
static struct {
	spinlock_t lock;
	void *free[MAX_CLASS + 1];   /* buffers of 1 << class waiters, linked through their first word */
} wcache;

static struct poll_waiter *waiters_get(int n, int *cls)
{
	int k = MIN_CLASS;
	while ((1 << k) < n)
		k++;
	if (k > MAX_CLASS)
		return NULL;
	*cls = k;
	spin_acquire(&wcache.lock);
	void *p = wcache.free[k];
	if (p)
		wcache.free[k] = *(void **)p;
	spin_release(&wcache.lock);
	if (!p) {
		p = mmap(NULL, ((size_t)1 << k) * sizeof(struct poll_waiter), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
	}
	return p;
}

static void waiters_put(struct poll_waiter *w, int cls)
{
	spin_acquire(&wcache.lock);
	*(void **)w = wcache.free[cls];
	wcache.free[cls] = w;
	spin_release(&wcache.lock);
}

int netpoll_wait_fds(int n, netpoll_entry_fn entry, void *ctx, int64_t deadline, uint32_t *woke_by)
{
	*woke_by = 0;
	if (epfd < 0)
		return EBADF;
	int count = 0, fd;
	uint32_t events;
	for (int i = 0; i < n; i++) {
		if (entry(ctx, i, &fd, &events)) {
			if (fd < 0 || (size_t)fd >= ndescs)
				return EBADF;
			count++;
		}
	}
	struct poll_waiter stack_ws[STACK_WAITERS], *ws = stack_ws;
	int cls = 0;
	if (count > STACK_WAITERS && !(ws = waiters_get(count, &cls)))
		return ENOMEM;
	struct poll_wait pw = {.g = g_self, .n = count, .w = ws, .deadline = deadline};
	for (int i = 0, k = 0; i < n && k < count; i++)
		if (entry(ctx, i, &fd, &events))
			waiter_init(&ws[k++], &pw, fd, events);
	uint32_t res = wait_common(&pw, "netpoll poll");
	int r = (int)(res & 0xffff);
	*woke_by = r == 0 ? res >> 16 : 0;
	for (int i = 0; i < count; i++)
		if (ws[i].moved) {
			netpoll_release_fd(ws[i].fd);
			*woke_by = 0;   /* its number is closed: let the caller ask the kernel */
		}
	if (ws != stack_ws)
		waiters_put(ws, cls);
	return r;
}

/* ---- signals and close ---- */

/* g_signal: a signal for g, parked in wait obj, ends that wait with EINTR. */
bool netpoll_interrupt(struct g *g, void *obj)
{
	spinlock_t *l = intr_lock(g);
	struct g *ready = NULL;
	bool found = false;
	spin_acquire(l);
	if (atomic_load(&g->wait_kind) == WAIT_NETPOLL && g->wait_obj == obj) {
		/* the G clears wait_kind under this lock before leaving: obj is alive */
		struct poll_wait *pw = obj;
		found = true;
		ready = claim(pw, EINTR);
		if (ready)
			stop_timer_of(pw);
	}
	spin_release(l);
	if (ready)
		g_ready(ready);
	return found;
}

static int private_dup(int fd)
{
	struct rlimit rl;
	long base = 0;
	if (SYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		base = (long)(rl.rlim_cur / 2);
	/* high numbers: the program's next open() still gets the lowest free one */
	long d = SYS3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, base);
	if (d < 0 && base > 0)
		d = SYS3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0);
	if (d >= 0 && (size_t)d >= ndescs) {
		SYS1(SYS_close, d);
		d = -1;
	}
	if (d >= 0)
		atomic_fetch_or(&dups[d / 64], 1ULL << (d % 64));
	return (int)d;
}

void netpoll_fd_closing(int fd)
{
	if (fd < 0 || (size_t)fd >= ndescs || !descs)
		return;
	struct poll_desc *pd = &descs[fd];
	if (!__atomic_load_n(&pd->waiters, __ATOMIC_RELAXED))
		return;   /* the common case: a table lookup */
	int saved_errno = errno;
	if (g_self)
		own_p(g_self);   /* g_ready below needs a P, and no runtime lock is held yet */
	/* a duplicate of ours closed again (a close-everything loop): its waiters move on below */
	atomic_fetch_and(&dups[fd / 64], ~(1ULL << (fd % 64)));
	struct g *ready[16];
	int nready;
	do {
		nready = 0;
		spin_acquire(&pd->lock);
		struct poll_waiter *w = pd->waiters, *next;
		for (; w && nready < 16; w = next) {
			next = w->next;
			struct poll_wait *pw = w->pw;
			if (atomic_load(&pw->state) >= PW_DONE)
				continue;   /* over: its G removes it, and does not use fd again */
			int d = private_dup(fd);
			struct g *g = NULL;
			if (d >= 0) {
				struct poll_desc *npd = &descs[d];
				list_unlink(pd, w);
				note_fd(d);
				spin_acquire(&npd->lock);
				npd->fd = d;
				w->fd = d;
				w->moved = true;
				atomic_store(&w->pd, npd);
				list_add(npd, w);
				int err = arm(npd);
				if (err)
					g = claim(pw, err);   /* before the unlock: then its G may unqueue w and go */
				spin_release(&npd->lock);
			} else {
				g = claim(pw, EBADF);
			}
			if (g) {
				stop_timer_of(pw);
				ready[nready++] = g;
			}
		}
		bool more = w != NULL;
		if (!more)
			SYS4(SYS_epoll_ctl, epfd, EPOLL_CTL_DEL, fd, NULL);   /* no stale (file, fd) entry */
		spin_release(&pd->lock);
		for (int i = 0; i < nready; i++)
			g_ready(ready[i]);
		if (!more)
			break;
	} while (1);
	errno = saved_errno;
}

/* ---- the poller ---- */

/* pd->lock held: ends w's wait with result and takes w off pd; a G to
 * ready goes on *ready (linked by schedlink, status RUNNABLE). The claim
 * comes first: once w is off the list its G, woken by someone else, may
 * return without taking pd->lock, and w and its wait are gone. */
static void end_wait(struct poll_desc *pd, struct poll_waiter *w, uint32_t result, struct g **ready)
{
	struct poll_wait *pw = w->pw;
	struct g *g = claim(pw, result);
	if (g)
		stop_timer_of(pw);
	list_remove(pd, w);   /* the last touch of w (and, unless g, of pw) */
	if (g) {
		atomic_store(&g->status, G_RUNNABLE);
		g->schedlink = *ready;
		*ready = g;
	}
}

/* Collects the Gs whose descriptors are ready; blocks up to until (NO_DEADLINE: forever, 0: not at all). */
struct g *netpoll(int64_t until)
{
	struct epoll_event events[128];
	struct timespec ts, *tsp = NULL;
	if (until != NO_DEADLINE) {
		int64_t d = until == 0 ? 0 : until - nanotime();
		if (d < 0)
			d = 0;
		ts.tv_sec = d / 1000000000;
		ts.tv_nsec = d % 1000000000;
		tsp = &ts;
	}
	long n = SYS6(SYS_epoll_pwait2, epfd, events, 128, tsp, NULL, 8);
	atomic_store_explicit(&last_poll, nanotime(), memory_order_relaxed);
	struct g *ready = NULL;
	for (long i = 0; i < n; i++) {
		struct poll_desc *pd = events[i].data.ptr;
		if (!pd) {
			uint64_t v;
			(void)!SYS3(SYS_read, breakfd, &v, sizeof v);
			continue;
		}
		uint32_t ev = events[i].events;
		spin_acquire(&pd->lock);
		uint32_t still = 0;
		struct poll_waiter *w = pd->waiters, *next;
		for (; w; w = next) {
			next = w->next;
			if (!(ev & (w->events | EPOLLHUP | EPOLLERR))) {
				still |= w->events;
				continue;
			}
			end_wait(pd, w, (ev & 0xffff) << 16, &ready);
		}
		pd->events = still;
		if (arm(pd) != 0) {
			/* oneshot: re-arm for whoever still waits; if the number no longer names
			 * something epoll can watch (closed behind our back, by fclose say),
			 * end their waits so their calls ask the kernel instead of waiting forever */
			int err = errno;
			while (pd->waiters)
				end_wait(pd, pd->waiters, (uint32_t)err, &ready);
		}
		spin_release(&pd->lock);
	}
	return ready;
}

bool netpoll_try_block(void)
{
	int zero = 0;
	return atomic_compare_exchange_strong(&blocked_poller, &zero, 1);
}

void netpoll_unblock(void)
{
	atomic_store(&blocked_poller, 0);
}

void netpoll_break(void)
{
	if (atomic_load(&blocked_poller)) {
		uint64_t one = 1;
		(void)!SYS3(SYS_write, breakfd, &one, sizeof one);
	}
}

void netpoll_reset_after_fork(void)
{
	atomic_store(&waiters, 0);
	atomic_store(&blocked_poller, 0);
	for (int i = 0; i <= atomic_load(&max_fd_used); i++) {
		descs[i] = (struct poll_desc){0};
		/* private duplicates made for waits of Gs that do not exist in the child */
		if (atomic_load(&dups[i / 64]) & (1ULL << (i % 64))) {
			SYS1(SYS_close, i);
			atomic_fetch_and(&dups[i / 64], ~(1ULL << (i % 64)));
		}
	}
	for (size_t i = 0; i < sizeof intr_locks / sizeof intr_locks[0]; i++)
		intr_locks[i].v = 0;
	wcache.lock.v = 0;
	/* the epoll instance is shared with the parent: the child needs its own */
	SYS1(SYS_close, epfd);
	SYS1(SYS_close, breakfd);
	netpoll_open_epoll();
}
