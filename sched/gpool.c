/*
 * Dead Gs, and the scavenger that makes memory follow use.
 *
 * A G that exited and was joined (or detached) keeps its slot, TCB and
 * struct g and goes to a pool: its P's own (no lock, up to GFREE_LOCAL_MAX)
 * or the global one (up to GFREE_GLOBAL_MAX); pthread_create takes from the
 * pools first, so reuse is the fast path. A G beyond both caps goes to the
 * graveyard.
 *
 * The scavenger runs on sysmon, never on the create/exit fast path, and does
 * the slow work in bounded batches:
 *  - graveyard Gs are freed: TCB (DTV, dynamic TLS) released, slot pages
 *    given back, slot returned to its arena;
 *  - pooled Gs that ran since they were last scavenged give back their stack
 *    pages but the top one (a burst of deep-stack threads does not pin its
 *    peak); Ps hand their local pools over to the global one when asked
 *    (gfree_flush), as sysmon cannot touch a P's pool;
 *  - a G parked for over PARKED_COLD_NS that once ran at least two pages
 *    deeper than where it parked (its lowest stack pointer seen at switches
 *    says so, or one mincore of the page two below finds it resident) gives
 *    back the pages below its stack pointer, once per park. While that runs the G must not start: the scavenger
 *    sets g->scavenging, then checks that the G is still waiting; execute()
 *    waits for the flag to clear (see there why one of the two sees the other).
 *
 * A create that cannot map a stack (out of memory or address space) collects
 * the Ps' pools and takes a dead G with a bigger stack (gpool_collect,
 * pool_take_larger): arenas are never unmapped, so that is the only way the
 * address space of dead Gs of another size comes back.
 *
 * Rejected: freeing or trimming in g_create/g_exit (a syscall per thread
 * on the fast path); mincore to find dirty pages (a syscall per G per round
 * on every page of a million parked Gs; one page, once per long park, is enough
 * because a stack is touched contiguously downwards).
 */
#include "sched/internal.h"

#include <stdatomic.h>
#include <sys/syscall.h>

#define GFREE_LOCAL_MAX 64
#define GFREE_GLOBAL_MAX 4096
#define SCAVENGE_PERIOD_NS 100000000   /* 100 ms */
#define SCAVENGE_BATCH 256             /* madvise calls per round, at most */
#define PARKED_COLD_NS 1000000000      /* 1 s */
#define SCAN_PER_ROUND 1024           /* Gs looked at per round (allg's lock held) */
#define PAGE 4096UL

static _Atomic bool parked_since_pass;   /* some G parked since the last pass over allg began */
static bool scan_active;                 /* a pass over allg is under way (sysmon only) */

void gpool_note_park(void)
{
	if (!atomic_load_explicit(&parked_since_pass, memory_order_relaxed))
		atomic_store_explicit(&parked_since_pass, true, memory_order_relaxed);
}

/* The page two below sp's is resident: the G once ran at least that deep. */
static bool deeper_page_resident(uintptr_t sp)
{
	uintptr_t page = (sp & ~(PAGE - 1)) - 2 * PAGE;
	unsigned char vec = 0;
	return SYS3(SYS_mincore, page, PAGE, &vec) == 0 && (vec & 1);
}

static spinlock_t gfree_lock;
static struct g *gfree_global;
static int gfree_global_count;
static struct g *graveyard;
static _Atomic int graveyard_count;

void gpool_reset_after_fork(void)
{
	gfree_lock.v = 0;
	scan_active = false;
}

/* Unlinks the first of the first `limit` Gs on *head whose stack fits. */
static struct g *list_take_fitting(struct g **head, int limit, size_t stack_size, size_t guard)
{
	for (struct g **pp = head; *pp && limit-- > 0; pp = &(*pp)->schedlink) {
		struct g *g = *pp;
		if (g->stack_size == stack_size && g->guard_size == guard) {
			*pp = g->schedlink;
			return g;
		}
	}
	return NULL;
}

struct g *pool_take(size_t stack_size, size_t guard)
{
	struct p *p = current_p();
	struct g *g = p ? list_take_fitting(&p->gfree, 8, stack_size, guard) : NULL;
	if (g) {
		p->gfree_count--;
		return g;
	}
	spin_acquire(&gfree_lock);
	g = list_take_fitting(&gfree_global, 64, stack_size, guard);
	if (g)
		gfree_global_count--;
	spin_release(&gfree_lock);
	return g;
}

/* Unlinks the G on *head with the smallest stack of at least stack_size (and this guard). */
static struct g *list_take_smallest_fitting(struct g **head, size_t stack_size, size_t guard)
{
	struct g **best = NULL;
	for (struct g **pp = head; *pp; pp = &(*pp)->schedlink) {
		struct g *g = *pp;
		size_t room = (size_t)((char *)g->stack.hi - (char *)g->stack.lo);
		if (g->guard_size == guard && room >= stack_size &&
		    (!best || room < (size_t)((char *)(*best)->stack.hi - (char *)(*best)->stack.lo)))
			best = pp;
	}
	if (!best)
		return NULL;
	struct g *g = *best;
	*best = g->schedlink;
	return g;
}

/*
 * For a create that could not map a stack of its size: a pooled G whose stack
 * is bigger. Arenas are never unmapped (stack/arena.c), so the address space
 * that dead Gs of other sizes hold comes back only this way (NPTL frees its
 * cached stacks instead). Walks whole pools: a slow path, taken only when
 * memory or address space ran out.
 */
struct g *pool_take_larger(size_t stack_size, size_t guard)
{
	struct p *p = current_p();
	struct g *g = p ? list_take_smallest_fitting(&p->gfree, stack_size, guard) : NULL;
	if (g) {
		p->gfree_count--;
		return g;
	}
	spin_acquire(&gfree_lock);
	g = list_take_smallest_fitting(&gfree_global, stack_size, guard);
	if (g)
		gfree_global_count--;
	spin_release(&gfree_lock);
	return g;
}

/*
 * For a create out of memory, before pool_take_larger: the other Ps' local pools
 * go to the global one. Each P hands its own over (gfree_flush, seen between Gs
 * and while looking for work; an idle P has none), so the caller, a G, yields
 * until the running ones have, for at most COLLECT_WAIT_NS (a P running one long
 * G sees the request only at its next switch).
 */
#define COLLECT_WAIT_NS 10000000   /* 10 ms: a time slice */
void gpool_collect(void)
{
	struct p *own = current_p();
	for (int i = 0; i < sched_procs; i++)
		if (allp[i] != own)
			atomic_store_explicit(&allp[i]->gfree_flush, true, memory_order_relaxed);
	int64_t give_up = nanotime() + COLLECT_WAIT_NS;
	for (;;) {
		bool waiting = false;
		for (int i = 0; i < sched_procs; i++)
			if (allp[i] != own && atomic_load_explicit(&allp[i]->gfree_flush, memory_order_relaxed) &&
			    atomic_load(&allp[i]->status) == P_RUNNING)
				waiting = true;
		if (!waiting || nanotime() > give_up)
			return;
		g_yield();
		own = current_p();   /* it may go on on another P */
	}
}

/* sched.lock-free; gfree_lock held */
static void global_put_locked(struct g *g)
{
	if (gfree_global_count < GFREE_GLOBAL_MAX) {
		g->schedlink = gfree_global;
		gfree_global = g;
		gfree_global_count++;
	} else {
		g->schedlink = graveyard;
		graveyard = g;
		atomic_fetch_add_explicit(&graveyard_count, 1, memory_order_relaxed);
	}
}

void pool_put(struct g *g)
{
	if (g->stack.user)
		return;   /* its memory is the program's: released at its exit (proc.c g_exit) */
	struct p *p = current_p();
	if (p && p->gfree_count < GFREE_LOCAL_MAX) {
		g->schedlink = p->gfree;
		p->gfree = g;
		p->gfree_count++;
		return;
	}
	spin_acquire(&gfree_lock);
	global_put_locked(g);
	spin_release(&gfree_lock);
}

/* On the P's own M, between Gs: hands the local pool to the global one. */
void gpool_flush_local(struct p *p)
{
	atomic_store_explicit(&p->gfree_flush, false, memory_order_relaxed);
	struct g *list = p->gfree;
	if (!list)
		return;
	p->gfree = NULL;
	p->gfree_count = 0;
	spin_acquire(&gfree_lock);
	while (list) {
		struct g *next = list->schedlink;
		global_put_locked(list);
		list = next;
	}
	spin_release(&gfree_lock);
}

/* ---- the scavenger (sysmon) ---- */

static int free_graveyard(int budget)
{
	int done = 0;
	while (done < budget) {
		spin_acquire(&gfree_lock);
		struct g *g = graveyard;
		if (g) {
			graveyard = g->schedlink;
			atomic_fetch_sub_explicit(&graveyard_count, 1, memory_order_relaxed);
		}
		spin_release(&gfree_lock);
		if (!g)
			break;
		struct stack s = g->stack;
		tcb_release(g->tcb);
		stack_free(&s);
		done++;
	}
	return done;
}

/* Trims pooled Gs that ran since their last trim: all but the top stack page. */
static int trim_pooled(int budget)
{
	/* The list is taken whole, its count left as it was: pool_put meanwhile
	 * sees the pool as full as it is, so the cap holds. */
	spin_acquire(&gfree_lock);
	struct g *list = gfree_global;
	gfree_global = NULL;
	spin_release(&gfree_lock);
	if (!list)
		return 0;
	int done = 0;
	struct g *tail = NULL;
	for (struct g *g = list; g; tail = g, g = g->schedlink) {
		if (!g->stack_dirty || done >= budget)
			continue;
		stack_release_cold(&g->stack, (uintptr_t)g->stack.hi - PAGE);
		g->stack_dirty = false;
		g->sp_low = (uintptr_t)g->stack.hi;
		done++;
	}
	spin_acquire(&gfree_lock);
	tail->schedlink = gfree_global;   /* creators may have pooled more meanwhile */
	gfree_global = list;
	spin_release(&gfree_lock);
	return done;
}

struct cold_search {
	int64_t now;
	int found;
	struct g *batch[SCAVENGE_BATCH];
	bool probe[SCAVENGE_BATCH];   /* known cold, or to be looked at with mincore */
};

/* allg's lock held: claims a G parked long that may have cold pages below its stack pointer. */
static void find_cold_parked(struct g *g, void *arg)
{
	struct cold_search *c = arg;
	if (c->found >= SCAVENGE_BATCH || g->is_main || g->stack.user || !g->stack_dirty)
		return;
	if (atomic_load_explicit(&g->status, memory_order_relaxed) != G_WAITING)
		return;
	if (c->now - g->wait_since < PARKED_COLD_NS) {
		gpool_note_park();   /* not yet: the next pass looks again */
		return;
	}
	uintptr_t sp = g->ctx.rsp;
	if (sp < (uintptr_t)g->stack.lo + 3 * PAGE || sp > (uintptr_t)g->stack.hi)
		return;   /* near its end, or parked on another stack (a coroutine's) */
	atomic_store(&g->scavenging, true);
	if (atomic_load(&g->status) != G_WAITING) {
		atomic_store(&g->scavenging, false);
		return;
	}
	c->probe[c->found] = !stack_cold_below(g->sp_low, sp);
	c->batch[c->found++] = g;
}

/* Gives back the pages below the stack pointer of Gs parked long after
 * running deeper: seen at a switch (sp_low), or (a quick deep call between
 * switches) the page two below found resident, one mincore once per park,
 * outside allg's lock. */
static int trim_parked(int64_t now)
{
	static struct cold_search c;   /* sysmon only */
	if (!scan_active && !atomic_exchange_explicit(&parked_since_pass, false, memory_order_relaxed))
		return 0;   /* no G parked since the last pass */
	c.now = now;
	c.found = 0;
	scan_active = !g_scan(SCAN_PER_ROUND, find_cold_parked, &c);
	int trimmed = 0;
	for (int i = 0; i < c.found; i++) {
		struct g *g = c.batch[i];
		uintptr_t sp = g->ctx.rsp;
		if (!c.probe[i] || deeper_page_resident(sp)) {
			stack_release_cold(&g->stack, sp);
			trimmed++;
		}
		g->sp_low = sp;
		g->stack_dirty = false;
		atomic_store(&g->scavenging, false);
	}
	return trimmed;
}

void gpool_scavenge(int64_t now)
{
	static int64_t last;
	if (now - last < SCAVENGE_PERIOD_NS && atomic_load_explicit(&graveyard_count, memory_order_relaxed) < 1024)
		return;
	last = now;
	int budget = SCAVENGE_BATCH;
	budget -= free_graveyard(budget);
	if (budget > 0)
		budget -= trim_pooled(budget);
	for (int i = 0; i < sched_procs; i++)
		if (allp[i]->gfree)
			atomic_store_explicit(&allp[i]->gfree_flush, true, memory_order_relaxed);
	if (budget > 0)
		trim_parked(now);
}
