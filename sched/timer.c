/*
 * Timers: one min-heap for the process, ordered by CLOCK_MONOTONIC deadline.
 * Ms run due timers when they look for work; idle Ms sleep until the
 * earliest deadline. A timer lives inside its G (one sleep or timed wait at a
 * time), so the heap holds pointers only and never allocates on a hot path;
 * its array grows with mmap.
 *
 * A timer's fire function runs on g0 with the heap unlocked and the timer in
 * state FIRING; it must set TIMER_IDLE itself as the last thing it does to the
 * timer, and timer_stop waits for that, so a G never leaves a wait while its
 * timer still points into its stack.
 *
 * Rejected for now: Go's per-P heaps (less contention); one heap keeps the
 * idle-sleep logic simple and timers are not on the switch path.
 */
#include "sched/internal.h"

#include <errno.h>
#include <sys/mman.h>

static struct {
	spinlock_t lock;
	struct timer **heap;
	size_t n, cap;
	_Atomic int64_t earliest;
} timers = {.earliest = INT64_MAX};

int64_t nanotime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void heap_set(size_t i, struct timer *t)
{
	timers.heap[i] = t;
	t->heap_index = (int)i;
}

static void sift_up(size_t i)
{
	struct timer *t = timers.heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (timers.heap[parent]->when <= t->when)
			break;
		heap_set(i, timers.heap[parent]);
		i = parent;
	}
	heap_set(i, t);
}

static void sift_down(size_t i)
{
	struct timer *t = timers.heap[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= timers.n)
			break;
		if (child + 1 < timers.n && timers.heap[child + 1]->when < timers.heap[child]->when)
			child++;
		if (timers.heap[child]->when >= t->when)
			break;
		heap_set(i, timers.heap[child]);
		i = child;
	}
	heap_set(i, t);
}

static void heap_grow(void)
{
	size_t cap = timers.cap ? timers.cap * 2 : 4096;
	struct timer **h = mmap(NULL, cap * sizeof *h, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		fatal("timer heap: out of memory");
	if (timers.heap) {
		for (size_t i = 0; i < timers.n; i++)
			h[i] = timers.heap[i];
		munmap(timers.heap, timers.cap * sizeof *h);
	}
	timers.heap = h;
	timers.cap = cap;
}

static void heap_remove(size_t i)
{
	struct timer *last = timers.heap[--timers.n];
	if (i < timers.n) {
		heap_set(i, last);
		sift_down(i);
		sift_up(last->heap_index);
	}
}

static void update_earliest(void)
{
	atomic_store(&timers.earliest, timers.n ? timers.heap[0]->when : INT64_MAX);
}

void timer_start(struct timer *t, int64_t when)
{
	spin_acquire(&timers.lock);
	if (timers.n == timers.cap)
		heap_grow();
	t->when = when;
	atomic_store(&t->state, TIMER_QUEUED);
	heap_set(timers.n++, t);
	sift_up(timers.n - 1);
	bool earliest = timers.heap[0] == t;
	update_earliest();
	spin_release(&timers.lock);
	if (earliest)
		sched_timers_changed();
}

void timer_stop(struct timer *t)
{
	spin_acquire(&timers.lock);
	if (atomic_load(&t->state) == TIMER_QUEUED) {
		heap_remove((size_t)t->heap_index);
		t->heap_index = -1;
		atomic_store(&t->state, TIMER_IDLE);
		update_earliest();
	}
	spin_release(&timers.lock);
	while (atomic_load(&t->state) == TIMER_FIRING)
		cpu_relax();
}

int64_t timers_next(void)
{
	return atomic_load_explicit(&timers.earliest, memory_order_relaxed);
}

bool timers_due(int64_t now)
{
	return timers_next() <= now;
}

void timers_run(int64_t now)
{
	for (;;) {
		spin_acquire(&timers.lock);
		if (timers.n == 0 || timers.heap[0]->when > now) {
			spin_release(&timers.lock);
			return;
		}
		struct timer *t = timers.heap[0];
		heap_remove(0);
		t->heap_index = -1;
		atomic_store(&t->state, TIMER_FIRING);
		update_earliest();
		spin_release(&timers.lock);
		t->fire(t);
	}
}

/* NPTL's rules: a bad tv_nsec is EINVAL; a time already past expires at once. */
int deadline_from_abstime(clockid_t clock, const struct timespec *abstime, int64_t *deadline)
{
	if (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000)
		return EINVAL;
	struct timespec now;
	if (clock_gettime(clock, &now) != 0)
		return EINVAL;
	int64_t mono = nanotime();
	if (abstime->tv_sec < 0) {
		*deadline = mono;
		return 0;
	}
	__int128 delta = ((__int128)abstime->tv_sec - now.tv_sec) * 1000000000 + (abstime->tv_nsec - now.tv_nsec);
	if (delta < 0)
		delta = 0;
	__int128 d = (__int128)mono + delta;
	*deadline = d >= (__int128)INT64_MAX ? INT64_MAX - 1 : (int64_t)d;
	return 0;
}

void timers_reset(void)
{
	timers.lock.v = 0;
	timers.n = 0;
	atomic_store(&timers.earliest, INT64_MAX);
}

static void sleep_fire(struct timer *t)
{
	struct g *g = container_of(t, struct g, timer);
	atomic_store(&t->state, TIMER_IDLE);
	g_ready(g);
}

static void sleep_arm(void *arg)
{
	struct g *g = arg;
	/* Once armed, the timer may fire and the G run and even exit on another
	 * M: nothing here may touch g after timer_start. */
	if (g_signal_for_wait(g)) {
		g->wake_result = EINTR;   /* a signal came while the G was parking */
		g_ready(g);
		return;
	}
	timer_start(&g->timer, g->timer.when);
}

bool sleep_interrupt(struct g *g)
{
	struct timer *t = &g->timer;
	bool found = false;
	spin_acquire(&timers.lock);
	if (atomic_load(&g->wait_kind) == WAIT_SLEEP && atomic_load(&t->state) == TIMER_QUEUED &&
	    t->fire == sleep_fire) {
		heap_remove((size_t)t->heap_index);
		t->heap_index = -1;
		atomic_store(&t->state, TIMER_IDLE);
		update_earliest();
		g->wake_result = EINTR;
		found = true;
	}
	spin_release(&timers.lock);
	if (found)
		g_ready(g);
	return found;
}

/* 0 when the deadline passed, EINTR when a signal for this G came first. */
int g_sleep_until(int64_t deadline)
{
	struct g *g = g_self;
	own_p(g);
	if (deadline <= nanotime()) {
		g_yield();
		return 0;
	}
	g->timer.fire = sleep_fire;
	g->timer.when = deadline;
	g->wake_result = 0;
	if (g_signal_for_wait(g)) {
		g_raise_pending(g);
		return EINTR;
	}
	atomic_store(&g->wait_kind, WAIT_SLEEP);
	g_park(sleep_arm, g, "sleep");
	atomic_store(&g->wait_kind, WAIT_NONE);
	int result = g->wake_result;
	g_raise_if_pending(g);   /* the wait is undone */
	return result;
}
