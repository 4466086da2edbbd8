/*
 * The netpoller: Gs waiting for a descriptor to become readable or writable
 * park here instead of blocking their M, as in Go's netpoll_epoll.go.
 *
 * One epoll instance for the process. Each descriptor number has a poll_desc
 * (a table indexed by fd) holding the Gs that wait to read and to write; it
 * is registered EPOLLONESHOT with exactly the interests of its current
 * waiters and re-armed after each event. Registration happens on g0 after
 * the G is parked, so an event can never ready a G that is still running.
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
 * internally, e.g. fclose).
 */
#include "sched/internal.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_FDS (1 << 20)

struct poll_waiter {
	struct g *g;
	struct poll_waiter *next, *prev;
	struct poll_desc *pd;
	bool write;
	bool queued;
	int result;
};

struct poll_desc {
	spinlock_t lock;
	int fd;
	struct poll_waiter *readers, *writers;
};

static int epfd = -1;
static int breakfd = -1;
static struct poll_desc *descs;
static size_t ndescs;
static _Atomic int waiters;         /* Gs parked on descriptors */
static _Atomic int blocked_poller;  /* an M is inside a blocking epoll_wait */
static _Atomic int max_fd_used = -1;
static _Atomic int64_t last_poll;

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

static void list_add(struct poll_waiter **head, struct poll_waiter *w)
{
	w->prev = NULL;
	w->next = *head;
	if (*head)
		(*head)->prev = w;
	*head = w;
	w->queued = true;
}

static void list_remove(struct poll_waiter **head, struct poll_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		*head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->queued = false;
}

/* pd->lock held. Arms epoll for the interests of the current waiters. */
static int arm(struct poll_desc *pd)
{
	uint32_t events = EPOLLONESHOT;
	if (pd->readers)
		events |= EPOLLIN | EPOLLRDHUP;
	if (pd->writers)
		events |= EPOLLOUT;
	if (events == EPOLLONESHOT)
		return 0;
	struct epoll_event ev = {.events = events, .data.ptr = pd};
	if (SYS4(SYS_epoll_ctl, epfd, EPOLL_CTL_MOD, pd->fd, &ev) == 0)
		return 0;
	if (errno == ENOENT && SYS4(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD, pd->fd, &ev) == 0)
		return 0;
	return errno;
}

/* pd->lock held. */
static void wake_list(struct poll_desc *pd, struct poll_waiter **head, int result, struct g **ready)
{
	while (*head) {
		struct poll_waiter *w = *head;
		list_remove(head, w);
		w->result = result;
		atomic_store(&w->g->status, G_RUNNABLE);
		w->g->schedlink = *ready;
		*ready = w->g;
	}
}

static void arm_after_park(void *arg)
{
	struct poll_waiter *w = arg;
	struct poll_desc *pd = w->pd;
	int err = arm(pd);
	if (err) {
		/* epoll cannot watch this descriptor (a regular file, say): let the caller block instead */
		list_remove(w->write ? &pd->writers : &pd->readers, w);
		w->result = err;
		spin_release(&pd->lock);
		g_ready(w->g);
		return;
	}
	spin_release(&pd->lock);
}

static void poll_timeout_fire(struct timer *t)
{
	struct poll_waiter *w = t->arg;
	struct poll_desc *pd = w->pd;
	spin_acquire(&pd->lock);
	bool timed_out = false;
	if (w->queued) {
		list_remove(w->write ? &pd->writers : &pd->readers, w);
		w->result = ETIMEDOUT;
		timed_out = true;
	}
	atomic_store(&t->state, TIMER_IDLE);
	spin_release(&pd->lock);
	if (timed_out)
		g_ready(w->g);
}

int netpoll_wait_fd(int fd, bool write, int64_t deadline)
{
	if (fd < 0 || (size_t)fd >= ndescs || epfd < 0)
		return EBADF;
	struct g *g = g_self;
	own_p(g);   /* never with pd->lock held: it may switch */
	struct poll_desc *pd = &descs[fd];
	struct poll_waiter w = {.g = g, .pd = pd, .write = write, .result = 0};
	if (atomic_load(&g->sigpending)) {
		g_raise_pending(g);
		return EINTR;
	}
	int seen = atomic_load(&max_fd_used);
	while (fd > seen && !atomic_compare_exchange_weak(&max_fd_used, &seen, fd))
		;
	spin_acquire(&pd->lock);
	pd->fd = fd;
	if (write)
		list_add(&pd->writers, &w);
	else
		list_add(&pd->readers, &w);
	atomic_fetch_add(&waiters, 1);
	if (deadline != NO_DEADLINE) {
		g->timer.fire = poll_timeout_fire;
		g->timer.arg = &w;
		timer_start(&g->timer, deadline);
	}
	g->wait_obj = pd;
	atomic_store(&g->wait_kind, WAIT_NETPOLL);
	g_park(arm_after_park, &w, write ? "netpoll write" : "netpoll read");
	atomic_store(&g->wait_kind, WAIT_NONE);
	if (deadline != NO_DEADLINE)
		timer_stop(&g->timer);
	atomic_fetch_sub(&waiters, 1);
	return w.result;
}

/* Collects the Gs whose descriptors are ready; blocks up to until (NO_DEADLINE: forever, 0: not at all). */
bool netpoll_interrupt(struct g *g, void *arg)
{
	struct poll_desc *pd = arg;
	bool found = false;
	spin_acquire(&pd->lock);
	struct poll_waiter **lists[2] = {&pd->readers, &pd->writers};
	for (int i = 0; i < 2 && !found; i++) {
		for (struct poll_waiter *w = *lists[i]; w; w = w->next) {
			if (w->g == g) {
				list_remove(lists[i], w);
				w->result = EINTR;
				found = true;
				break;
			}
		}
	}
	spin_release(&pd->lock);
	if (found)
		g_ready(g);
	return found;
}

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
		if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			wake_list(pd, &pd->readers, 0, &ready);
		if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			wake_list(pd, &pd->writers, 0, &ready);
		arm(pd);   /* oneshot: re-arm for whoever still waits */
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
	for (int i = 0; i <= atomic_load(&max_fd_used); i++)
		descs[i] = (struct poll_desc){0};
	/* the epoll instance is shared with the parent: the child needs its own */
	SYS1(SYS_close, epfd);
	SYS1(SYS_close, breakfd);
	netpoll_open_epoll();
}
