/*
 * Per-P run queues: Go's bounded lock-free ring (one owner puts and gets at
 * the tail/head, thieves take half from the head with a CAS), a runnext slot
 * that makes a woken G run next on the waker's P, and a global queue under
 * sched.lock for overflow and for Gs readied by threads that hold no P.
 */
#include "sched/internal.h"

#define ACQ memory_order_acquire
#define REL memory_order_release
#define RLX memory_order_relaxed

static bool runq_put_slow(struct p *p, struct g *g, uint32_t head, uint32_t tail)
{
	struct g *batch[RUNQ_SIZE / 2 + 1];
	uint32_t n = (tail - head) / 2;
	if (n != RUNQ_SIZE / 2)
		fatal("runq_put_slow: run queue is not full");
	for (uint32_t i = 0; i < n; i++)
		batch[i] = atomic_load_explicit(&p->runq[(head + i) % RUNQ_SIZE], RLX);
	if (!atomic_compare_exchange_strong_explicit(&p->runq_head, &head, head + n, REL, RLX))
		return false;
	batch[n] = g;
	spin_acquire(&sched.lock);
	for (uint32_t i = 0; i <= n; i++)
		globrunq_put(batch[i]);
	spin_release(&sched.lock);
	return true;
}

void runq_put(struct p *p, struct g *g, bool next)
{
	if (next) {
		struct g *old = atomic_exchange(&p->runnext, g);
		if (!old)
			return;
		g = old;   /* the previous runnext goes to the tail */
	}
	for (;;) {
		uint32_t head = atomic_load_explicit(&p->runq_head, ACQ);
		uint32_t tail = atomic_load_explicit(&p->runq_tail, RLX);
		if (tail - head < RUNQ_SIZE) {
			atomic_store_explicit(&p->runq[tail % RUNQ_SIZE], g, RLX);
			atomic_store_explicit(&p->runq_tail, tail + 1, REL);
			return;
		}
		if (runq_put_slow(p, g, head, tail))
			return;
	}
}

/* Two Gs handing off to each other through runnext would keep the rest of
 * the queue waiting forever (there is no preemption to end their slice):
 * after RUNNEXT_STREAK_MAX runnext picks in a row the queue's head goes first. */
#define RUNNEXT_STREAK_MAX 61

static struct g *runq_take_head(struct p *p)
{
	for (;;) {
		uint32_t head = atomic_load_explicit(&p->runq_head, ACQ);
		uint32_t tail = atomic_load_explicit(&p->runq_tail, RLX);
		if (tail == head)
			return NULL;
		struct g *g = atomic_load_explicit(&p->runq[head % RUNQ_SIZE], RLX);
		if (atomic_compare_exchange_strong_explicit(&p->runq_head, &head, head + 1, REL, RLX))
			return g;
	}
}

struct g *runq_get(struct p *p)
{
	if (p->runnext_streak >= RUNNEXT_STREAK_MAX) {
		p->runnext_streak = 0;
		struct g *g = runq_take_head(p);
		if (g)
			return g;
	}
	struct g *next = atomic_load_explicit(&p->runnext, RLX);
	if (next && atomic_compare_exchange_strong(&p->runnext, &next, NULL)) {
		p->runnext_streak++;
		return next;
	}
	p->runnext_streak = 0;
	return runq_take_head(p);
}

/* Gs queued on p, runnext included (a snapshot, for schedtrace). */
unsigned runq_length(struct p *p)
{
	uint32_t head = atomic_load(&p->runq_head), tail = atomic_load(&p->runq_tail);
	return (tail - head) % (RUNQ_SIZE + 1) + (atomic_load(&p->runnext) != NULL);
}

bool runq_empty(struct p *p)
{
	for (;;) {
		uint32_t head = atomic_load(&p->runq_head);
		uint32_t tail = atomic_load(&p->runq_tail);
		struct g *next = atomic_load(&p->runnext);
		if (tail == atomic_load(&p->runq_tail))
			return head == tail && !next;
	}
}

/* Takes half of victim's queue into batch (a ring starting at batch_head). */
static uint32_t runq_grab(struct p *victim, struct g *_Atomic *batch, uint32_t batch_head, bool steal_runnext)
{
	for (;;) {
		uint32_t head = atomic_load_explicit(&victim->runq_head, ACQ);
		uint32_t tail = atomic_load_explicit(&victim->runq_tail, ACQ);
		uint32_t n = tail - head;
		n = n - n / 2;
		if (n == 0) {
			if (!steal_runnext)
				return 0;
			struct g *next = atomic_load(&victim->runnext);
			if (!next)
				return 0;
			/* Give the victim's M a moment to run its runnext itself (Go sleeps 3 µs). */
			int64_t until = nanotime() + 3000;
			while (nanotime() < until)
				cpu_relax();
			if (!atomic_compare_exchange_strong(&victim->runnext, &next, NULL))
				continue;
			atomic_store_explicit(&batch[batch_head % RUNQ_SIZE], next, RLX);
			return 1;
		}
		if (n > RUNQ_SIZE / 2)
			continue;   /* read an inconsistent head/tail pair */
		for (uint32_t i = 0; i < n; i++)
			atomic_store_explicit(&batch[(batch_head + i) % RUNQ_SIZE],
					      atomic_load_explicit(&victim->runq[(head + i) % RUNQ_SIZE], RLX), RLX);
		if (atomic_compare_exchange_strong_explicit(&victim->runq_head, &head, head + n, REL, RLX))
			return n;
	}
}

struct g *runq_steal(struct p *p, struct p *victim, bool steal_runnext)
{
	uint32_t tail = atomic_load_explicit(&p->runq_tail, RLX);
	uint32_t n = runq_grab(victim, p->runq, tail, steal_runnext);
	if (n == 0)
		return NULL;
	n--;
	struct g *g = atomic_load_explicit(&p->runq[(tail + n) % RUNQ_SIZE], RLX);
	if (n == 0)
		return g;
	uint32_t head = atomic_load_explicit(&p->runq_head, ACQ);
	if (tail - head + n >= RUNQ_SIZE)
		fatal("runq_steal: run queue overflow");
	atomic_store_explicit(&p->runq_tail, tail + n, REL);
	return g;
}

void globrunq_put(struct g *g)
{
	g->schedlink = NULL;
	if (sched.runq_tail)
		sched.runq_tail->schedlink = g;
	else
		sched.runq_head = g;
	sched.runq_tail = g;
	atomic_fetch_add(&sched.runq_size, 1);
}

/* With max != 1 the caller must know p's local queue is empty: moving the batch
 * there must never overflow into the global queue, whose lock is held. */
struct g *globrunq_get(struct p *p, int max)
{
	int size = atomic_load(&sched.runq_size);
	if (size == 0)
		return NULL;
	int n = size / sched_procs + 1;
	if (n > size)
		n = size;
	if (max > 0 && n > max)
		n = max;
	if (n > RUNQ_SIZE / 2)
		n = RUNQ_SIZE / 2;
	atomic_fetch_sub(&sched.runq_size, n);
	struct g *g = sched.runq_head;
	sched.runq_head = g->schedlink;
	for (int i = 1; i < n; i++) {
		struct g *g1 = sched.runq_head;
		sched.runq_head = g1->schedlink;
		runq_put(p, g1, false);
	}
	if (!sched.runq_head)
		sched.runq_tail = NULL;
	return g;
}
