/*
 * Stack arenas: where a G's memory comes from.
 *
 * A G's memory is one slot (guard, stack, DTV, struct g, static TLS, TCB: see
 * stack.h) carved from an arena, a MAP_NORESERVE mapping that holds many
 * slots of one size (4 at first, then twice as many each time, up to 1 GiB). The kernel commits a slot's pages as they are
 * touched, so a slot costs what its G uses, and a million Gs cost thousands
 * of mmap calls, not a million.
 *
 * Guard pages. A guard is an mprotect'ed page at the bottom of a slot; it
 * splits the arena's mapping, so each guarded slot costs two entries of the
 * vm.max_map_count budget. Guards are placed while at most a third of that
 * budget goes to them (the program keeps the rest); past it a slot gets no
 * guard, a one-time warning names the sysctl to raise, and overflow is still
 * detected, late: the top word of every slot is a canary that the slot above
 * it overwrites first when its stack runs past its end (stack_overflowed, at
 * every switch). The canary sits in the page that holds the TCB, which every
 * live G touches anyway; a slot whose pages were given back reads 0 there.
 *
 * Released slots (their G was freed, not pooled) give their pages back with
 * MADV_DONTNEED and go on their arena's free list; arenas are never unmapped
 * (address space is plentiful, mappings are not), so a slot's address, and
 * the guard it got, stay valid for the life of the process.
 *
 * Rejected: one mmap per G (a million mappings: past vm.max_map_count, and
 * 19 s to create a million Gs); a canary at the bottom of the stack (it
 * would make the bottom page of every stack resident: 4 KiB per G).
 */
#include "stack/stack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#define ARENA_MAX_BYTES (1UL << 30)
#define ARENA_FIRST_SLOTS 4   /* then twice as many each time, up to ARENA_MAX_BYTES */
#define ARENA_MAX_SLOTS 1024
/* stack left below a user stack's G, TLS and TCB: NPTL asks for 4 KiB; goro
 * also needs room for a preemption (the kernel's signal frame and the
 * trampoline's XSAVE area, ~6 KiB with AVX-512), so PTHREAD_STACK_MIN works */
#define MIN_USER_STACK (8 * 1024)

struct arena {
	char *base;               /* first slot; the page below it is a cap no slot uses */
	size_t slot_size;
	uint32_t nslots, next;    /* slots [0, next) were handed out at least once */
	uint32_t nfree;
	struct arena *next_with_free;   /* its class's arenas holding released slots */
	uint32_t free[];          /* released slots: index << 1 | guard placed */
};

/* Arenas of one slot size and guard; a program has a few of these. */
struct size_class {
	size_t slot_size, guard;
	struct arena *current;    /* the arena new slots are cut from */
	size_t next_slots;        /* how many slots the next arena gets */
	struct arena *with_free;
	struct size_class *next;
};

static struct {
	_Atomic uint32_t lock;
	struct size_class *classes;
} arenas;

static _Atomic long guarded_slots;
static long guard_budget = -1;
static atomic_flag guard_warned = ATOMIC_FLAG_INIT;

/* A tiny spin lock of its own: stack/ sits below sched/'s locks. */
static void arenas_lock(void)
{
	while (atomic_exchange_explicit(&arenas.lock, 1, memory_order_acquire))
		while (atomic_load_explicit(&arenas.lock, memory_order_relaxed))
			__builtin_ia32_pause();
}
static void arenas_unlock(void) { atomic_store_explicit(&arenas.lock, 0, memory_order_release); }

void stack_reset_after_fork(void)
{
	atomic_store(&arenas.lock, 0);
}

static long read_max_map_count(void)
{
	char buf[32] = {0};
	int fd = (int)SYS3(SYS_openat, AT_FDCWD, "/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 65530;
	ssize_t n = SYS3(SYS_read, fd, buf, sizeof buf - 1);
	SYS1(SYS_close, fd);
	long v = n > 0 ? atol(buf) : 0;
	return v > 0 ? v : 65530;
}

static bool guard_allowed(void)
{
	if (guard_budget < 0)
		guard_budget = read_max_map_count() / 6;   /* two mappings per guard: a third of the budget */
	if (atomic_fetch_add(&guarded_slots, 1) < guard_budget)
		return true;
	atomic_fetch_sub(&guarded_slots, 1);
	if (!atomic_flag_test_and_set(&guard_warned)) {
		static const char msg[] = "goro: warning: vm.max_map_count is nearly used up; new thread stacks "
			"get no guard page, overflow is caught late by a canary (raise it with: sysctl vm.max_map_count=N)\n";
		SYS3(SYS_write, 2, msg, sizeof msg - 1);
	}
	return false;
}

/* Arena bookkeeping, carved from 1 MiB chunks (arenas' lock held): a page
 * per arena would be 32 bytes of every G. Never freed, like the arenas. */
static void *meta_alloc(size_t size)
{
	static char *chunk;
	static size_t left;
	size = (size + 15) & ~15UL;
	if (size > left) {
		size_t chunk_size = size > (1UL << 20) ? size : 1UL << 20;
		void *p = mmap(NULL, chunk_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		chunk = p;
		left = chunk_size;
	}
	void *r = chunk;
	chunk += size;
	left -= size;
	return r;
}

/* The largest arena: ARENA_MAX_BYTES, or a sixteenth of RLIMIT_AS if that is
 * less, so a program with a small address-space limit is not charged for a
 * gigabyte it never uses (nor, with vm.overcommit_memory=2, its commit limit:
 * arenas grow geometrically from ARENA_FIRST_SLOTS slots). */
static size_t arena_max_bytes(void)
{
	struct rlimit lim;   /* read each time: the program may lower it as it goes */
	size_t max = ARENA_MAX_BYTES;
	if (getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur / 16 < max)
		max = lim.rlim_cur / 16;
	return max;
}

/* Maps a new arena of the class's next size (halving until one slot fits the
 * address space left). */
static struct arena *arena_new(struct size_class *c)
{
	size_t slot_size = c->slot_size;
	size_t cap = arena_max_bytes() / slot_size;
	if (cap > ARENA_MAX_SLOTS)
		cap = ARENA_MAX_SLOTS;
	if (c->next_slots == 0)
		c->next_slots = ARENA_FIRST_SLOTS;
	size_t n = c->next_slots < cap ? c->next_slots : cap;
	if (n == 0)
		n = 1;
	if (c->next_slots < cap)
		c->next_slots *= 2;
	for (; n >= 1; n /= 2) {
		char *map = mmap(NULL, PAGE + n * slot_size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (map == MAP_FAILED)
			continue;
		/* where transparent huge pages are "always", a touched stack page would cost 2 MiB */
		madvise(map, PAGE + n * slot_size, MADV_NOHUGEPAGE);
		struct arena *a = meta_alloc(sizeof *a + n * sizeof a->free[0]);
		if (!a) {
			munmap(map, PAGE + n * slot_size);
			return NULL;
		}
		memset(a, 0, sizeof *a);
		a->base = map + PAGE;
		a->slot_size = slot_size;
		a->nslots = (uint32_t)n;
		return a;
	}
	return NULL;
}

static char *tcb_place(char *top)
{
	const struct tls_layout *l = &tls_layout;
	return (char *)(((uintptr_t)top - l->tcb_size) & ~(uintptr_t)(l->static_align - 1));
}

static uint64_t *slot_canary(char *slot, size_t slot_size)
{
	return (uint64_t *)(slot + slot_size) - 1;
}

static struct size_class *class_of(size_t slot_size, size_t guard)
{
	struct size_class *c;
	for (c = arenas.classes; c; c = c->next)
		if (c->slot_size == slot_size && c->guard == guard)
			return c;
	c = meta_alloc(sizeof *c);
	if (!c)
		return NULL;
	c->slot_size = slot_size;
	c->guard = guard;
	c->next = arenas.classes;
	arenas.classes = c;
	return c;
}

/* Takes a slot: a released one first, else a never-used one (guarded now if the budget allows). */
static char *slot_take(size_t slot_size, size_t guard, struct arena **arena, bool *guarded)
{
	arenas_lock();
	struct size_class *c = class_of(slot_size, guard);
	struct arena *a = c ? c->with_free : NULL;
	if (a) {
		uint32_t v = a->free[--a->nfree];
		if (a->nfree == 0)
			c->with_free = a->next_with_free;
		arenas_unlock();
		*arena = a;
		*guarded = v & 1;
		return a->base + (size_t)(v >> 1) * slot_size;
	}
	if (c && (!c->current || c->current->next == c->current->nslots))
		c->current = arena_new(c);
	a = c ? c->current : NULL;
	if (!a) {
		arenas_unlock();
		return NULL;
	}
	char *slot = a->base + (size_t)a->next++ * slot_size;
	arenas_unlock();
	*arena = a;
	*guarded = guard && guard_allowed();
	if (*guarded && mprotect(slot, guard, PROT_NONE) != 0) {
		atomic_fetch_sub(&guarded_slots, 1);
		*guarded = false;
	}
	return slot;
}

void *stack_alloc(struct stack *s, size_t stack_size, size_t guard)
{
	const struct tls_layout *l = &tls_layout;
	guard = (guard + PAGE - 1) & ~(PAGE - 1);
	stack_size = (stack_size + 15) & ~15UL;
	size_t top_part = STACK_DTV_AREA + STACK_G_SLOT + l->block_size + l->static_align + sizeof(uint64_t);
	size_t slot_size = (guard + stack_size + top_part + PAGE - 1) & ~(PAGE - 1);
	struct arena *a;
	bool guarded;
	char *slot = slot_take(slot_size, guard, &a, &guarded);
	if (!slot) {
		errno = EAGAIN;
		return NULL;
	}
	uint64_t *canary = slot_canary(slot, slot_size);
	*canary = STACK_CANARY;
	char *tp = tcb_place((char *)canary);
	s->map = slot;
	s->map_size = slot_size;
	s->arena = a;
	s->guard = guard;
	s->guarded = guarded;
	s->hi = stack_dtv_area_of_tcb(tp);
	s->lo = slot + guard;
	s->user = false;
	return tp;
}

void *stack_carve_user(struct stack *s, void *addr, size_t size)
{
	char *tp = tcb_place((char *)addr + size);
	char *g = stack_g_of_tcb(tp);
	if (g < (char *)addr + MIN_USER_STACK)
		return NULL;
	memset(s, 0, sizeof *s);
	s->map_size = size;   /* the whole user buffer, as pthread_getattr_np reports it */
	s->lo = addr;
	s->hi = g;
	s->user = true;
	return tp;
}

void stack_free(struct stack *s)
{
	struct arena *a = s->arena;
	if (!a)
		return;
	madvise(s->map, s->map_size, MADV_DONTNEED);
	uint32_t index = (uint32_t)((size_t)(s->map - a->base) / a->slot_size);
	arenas_lock();
	if (a->nfree >= a->next)
		fatal("stack_free: a slot was released twice");
	if (a->nfree++ == 0) {
		struct size_class *c = class_of(a->slot_size, s->guard);
		a->next_with_free = c->with_free;
		c->with_free = a;
	}
	a->free[a->nfree - 1] = index << 1 | s->guarded;
	arenas_unlock();
	s->arena = NULL;
}

size_t stack_release_cold(const struct stack *s, uintptr_t keep_from)
{
	if (!s->arena)
		return 0;
	if (keep_from > (uintptr_t)s->hi)
		keep_from = (uintptr_t)s->hi;   /* never past its own stack */
	uintptr_t lo = ((uintptr_t)s->lo + PAGE - 1) & ~(PAGE - 1);
	uintptr_t hi = keep_from & ~(PAGE - 1);
	if (hi <= lo)
		return 0;
	madvise((void *)lo, hi - lo, MADV_DONTNEED);
	return hi - lo;
}

bool stack_overflowed(const struct stack *s, uintptr_t sp)
{
	if (s->user || !s->map)
		return false;
	/* a stack pointer in the guard area or the slot below; one further off is
	 * another stack the program switched to (makecontext, a coroutine library) */
	if (sp < (uintptr_t)s->lo && sp + s->guard + (64 << 10) >= (uintptr_t)s->lo)
		return true;
	if (s->guarded)
		return false;
	/* The word just below this slot: the canary at the top of the slot under it
	 * (or the arena's cap page). 0: that slot's pages were given back. */
	uint64_t below = *((uint64_t *)s->map - 1);
	return below != STACK_CANARY && below != 0;
}

bool stack_guard_hit(const struct stack *s, uintptr_t addr)
{
	if (!s->map)
		return false;
	return addr >= (uintptr_t)s->map && addr < (uintptr_t)s->lo;
}
