/*
 * The wait table: a futex in user space. Waiters are kept in buckets hashed
 * by the address they wait on; wait_on(addr, val) blocks only if *addr still
 * equals val under the bucket lock, and wake_on(addr, n) wakes n of them, so
 * a wake-up between the check and the block is never lost.
 *
 * Gs park (the bucket lock is released on g0, after the G's registers are
 * saved, so a waker can never run a half-parked G). Threads goro did not
 * create block in the kernel on a word inside their own wait record, which
 * the waker sets and wakes while it still holds the bucket lock: after the
 * lock is dropped the record may be gone.
 *
 * Every sync primitive is built on this, the way glibc builds them on futex.
 */
#include "sched/internal.h"

#include <errno.h>

#define BUCKETS 4096

struct waiter {
	_Atomic uint32_t *addr;
	struct waiter *next, *prev;
	uint32_t bitset;            /* FUTEX_WAIT_BITSET's mask; all ones otherwise */
	struct g *g;                /* NULL: a thread goro did not create */
	_Atomic uint32_t woken;     /* futex word of such a thread */
	int result;
	bool queued;
};

struct bucket {
	spinlock_t lock;
	struct waiter *head, *tail;
} __attribute__((aligned(64)));

static struct bucket table[BUCKETS];

static struct bucket *bucket_of(void *addr)
{
	uint64_t h = ((uintptr_t)addr >> 2) * 0x9e3779b97f4a7c15ULL;
	return &table[h >> (64 - 12)];
}

static void enqueue(struct bucket *b, struct waiter *w)
{
	w->next = NULL;
	w->prev = b->tail;
	if (b->tail)
		b->tail->next = w;
	else
		b->head = w;
	b->tail = w;
	w->queued = true;
}

static void dequeue(struct bucket *b, struct waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		b->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		b->tail = w->prev;
	w->queued = false;
}

static void bucket_unlock(void *arg)
{
	spin_release(&((struct bucket *)arg)->lock);
}

static void wait_timeout_fire(struct timer *t)
{
	struct waiter *w = t->arg;
	struct bucket *b = bucket_of((void *)w->addr);
	spin_acquire(&b->lock);
	if (w->queued) {
		dequeue(b, w);
		w->result = ETIMEDOUT;
		atomic_store(&t->state, TIMER_IDLE);
		g_ready(w->g);
	} else {
		atomic_store(&t->state, TIMER_IDLE);
	}
	spin_release(&b->lock);
}

static int wait_foreign(struct bucket *b, struct waiter *w, int64_t deadline)
{
	for (;;) {
		int r = futex_wait(&w->woken, 0, deadline);
		spin_acquire(&b->lock);
		if (atomic_load(&w->woken)) {
			spin_release(&b->lock);
			return w->result;
		}
		if (r == ETIMEDOUT) {
			dequeue(b, w);
			spin_release(&b->lock);
			return ETIMEDOUT;
		}
		spin_release(&b->lock);
	}
}

int wait_on(_Atomic uint32_t *addr, uint32_t val, int64_t deadline, const char *reason)
{
	return wait_on_bitset(addr, val, deadline, reason, ~0u);
}

int wait_on_bitset(_Atomic uint32_t *addr, uint32_t val, int64_t deadline, const char *reason, uint32_t bitset)
{
	if (deadline != NO_DEADLINE && deadline <= nanotime())
		return atomic_load(addr) == val ? ETIMEDOUT : EAGAIN;
	if (g_self)
		own_p(g_self);   /* never with the bucket lock held: it may switch */
	struct bucket *b = bucket_of((void *)addr);
	struct waiter w = {.addr = addr, .g = g_self, .bitset = bitset};
	spin_acquire(&b->lock);
	if (atomic_load(addr) != val) {
		spin_release(&b->lock);
		return EAGAIN;
	}
	if (w.g && g_signal_for_wait(w.g)) {
		spin_release(&b->lock);
		g_raise_pending(w.g);
		return EINTR;
	}
	enqueue(b, &w);
	if (!w.g) {
		spin_release(&b->lock);
		return wait_foreign(b, &w, deadline);
	}
	struct g *g = w.g;
	if (deadline != NO_DEADLINE) {
		g->timer.fire = wait_timeout_fire;
		g->timer.arg = &w;
		timer_start(&g->timer, deadline);
	}
	g->wait_obj = (void *)addr;
	atomic_store(&g->wait_kind, WAIT_TABLE);
	g_park(bucket_unlock, b, reason);
	atomic_store(&g->wait_kind, WAIT_NONE);
	if (deadline != NO_DEADLINE)
		timer_stop(&g->timer);
	g_raise_if_pending(g);   /* the wait is undone */
	return w.result;
}

int wake_on(_Atomic uint32_t *addr, int n)
{
	return wake_on_bitset(addr, n, ~0u);
}

int wake_on_bitset(_Atomic uint32_t *addr, int n, uint32_t bitset)
{
	if (g_self)
		own_p(g_self);   /* g_ready below needs the P, and runs under the bucket lock */
	struct bucket *b = bucket_of((void *)addr);
	int woken = 0;
	spin_acquire(&b->lock);
	struct waiter *w = b->head;
	while (w && woken < n) {
		struct waiter *next = w->next;
		if (w->addr == addr && (w->bitset & bitset)) {
			dequeue(b, w);
			w->result = 0;
			woken++;
			if (w->g) {
				g_ready(w->g);
			} else {
				atomic_store(&w->woken, 1);
				futex_wake(&w->woken, 1);
			}
		}
		w = next;
	}
	spin_release(&b->lock);
	return woken;
}

/* A signal for g: if g still waits on addr, end its wait with EINTR. */
bool waittable_interrupt(struct g *g, void *addr)
{
	struct bucket *b = bucket_of(addr);
	bool found = false;
	spin_acquire(&b->lock);
	for (struct waiter *w = b->head; w; w = w->next) {
		if (w->g == g) {
			dequeue(b, w);
			w->result = EINTR;
			found = true;
			g_ready(g);
			break;
		}
	}
	spin_release(&b->lock);
	return found;
}

void waittable_reset(void)
{
	for (int i = 0; i < BUCKETS; i++) {
		table[i].lock.v = 0;
		table[i].head = table[i].tail = NULL;
	}
}
