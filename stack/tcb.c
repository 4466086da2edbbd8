/*
 * Each G gets its own glibc TLS block and TCB, laid out the way NPTL lays
 * out its own threads (../shared/glibc-tls.md is the source of every offset
 * and rule here). Facts that glibc publishes (thread_db descriptors,
 * __rseq_offset, _dl_get_tls_static_info) are read at start-up and checked;
 * the rest are fixed for glibc 2.36 and refused elsewhere.
 *
 * Rejected: sharing the M's TCB between its Gs and swapping errno & co. on
 * every switch (compilers cache TLS addresses across calls; see invariant 1).
 */
#include "stack/stack.h"

#include <dlfcn.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <locale.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tls_layout tls_layout;

extern void *_dl_allocate_tls(void *mem);
extern void *_dl_allocate_tls_init(void *mem, bool init_tls);
extern void _dl_deallocate_tls(void *tcb, bool dealloc_tcb);
extern void _dl_get_tls_static_info(size_t *size, size_t *align);
extern void *__tls_get_addr(void *ti);

typedef union {
	size_t counter;
	struct { void *val; void *to_free; } pointer;
} dtv_t;

struct key_data { uintptr_t seq; void *data; };
struct key_slot { uintptr_t seq; void (*destr)(void *); };
#define KEYS_MAX 1024
#define KEY_2ND_LEVEL 32
#define DESTRUCTOR_ITERATIONS 4

static struct key_slot *pthread_keys;    /* glibc's __pthread_keys */
static void (*ctype_init)(void);
static struct {
	uint64_t sysinfo, stack_guard, pointer_guard, feature_1;
	long robust_futex_offset;
	int schedparam, schedpolicy;
} host;
static size_t off_errno, off_h_errno, off_resp;  /* tp - address, of libc TLS vars */

static int field_check(const char *name, size_t want, char *why, size_t n)
{
	const uint32_t *d = dlsym(RTLD_DEFAULT, name);
	if (d && d[2] == want)
		return 0;
	snprintf(why, n, "%s is %s, expected offset %zu", name, d ? "different" : "missing", want);
	return -1;
}

struct libc_tls_search { size_t modid, size; };
static int find_libc_tls(struct dl_phdr_info *info, size_t sz, void *arg)
{
	struct libc_tls_search *s = arg;
	if (!strstr(info->dlpi_name, "/libc.so.6") || !info->dlpi_tls_modid)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_TLS)
			s->size = info->dlpi_phdr[i].p_memsz;
	s->modid = info->dlpi_tls_modid;
	return 1;
}

static size_t tls_var_offset(const char *name)
{
	char *addr = dlsym(RTLD_DEFAULT, name);   /* dlsym of a TLS symbol: this thread's copy */
	return addr ? (size_t)((char *)tcb_current() - addr) : 0;
}

int tls_layout_init(char *why, size_t n)
{
	struct tls_layout *l = &tls_layout;
	if (strcmp(gnu_get_libc_version(), "2.36") != 0) {
		snprintf(why, n, "glibc %s is not the glibc 2.36 whose thread layout goro knows", gnu_get_libc_version());
		return -1;
	}
	const uint32_t *sizeof_pthread = dlsym(RTLD_DEFAULT, "_thread_db_sizeof_pthread");
	const long *rseq_offset = dlsym(RTLD_DEFAULT, "__rseq_offset");
	if (!sizeof_pthread || *sizeof_pthread != 2368 || !rseq_offset || *rseq_offset != 2336) {
		snprintf(why, n, "struct pthread or its rseq area is not laid out as in glibc 2.36");
		return -1;
	}
	if (field_check("_thread_db_pthread_tid", 720, why, n) ||
	    field_check("_thread_db_pthread_list", 704, why, n) ||
	    field_check("_thread_db_pthread_specific", 1296, why, n) ||
	    field_check("_thread_db_pthread_schedpolicy", 1588, why, n) ||
	    field_check("_thread_db_pthread_dtvp", 8, why, n) ||
	    field_check("_thread_db_pthread_cancelhandling", 776, why, n) ||
	    field_check("_thread_db_pthread_schedparam_sched_priority", 1584, why, n))   /* result is just before */
		return -1;
	l->tcb_size = 2368;
	l->off_list = 704; l->off_tid = 720; l->off_robust_prev = 728; l->off_robust_head = 736;
	l->off_specific_1stblock = 784; l->off_specific = 1296; l->off_specific_used = 1552;
	l->off_user_stack = 1554; l->off_schedparam = 1584; l->off_schedpolicy = 1588;
	l->off_stackblock = 1680; l->off_stackblock_size = 1688; l->off_guardsize = 1696;
	l->off_reported_guardsize = 1704; l->off_res = 1720;
	l->off_cleanup_jmp_buf = 768; l->off_cancelhandling = 776; l->off_result = 1576;
	l->rseq_offset = *rseq_offset; l->off_rseq_cpu_id = *rseq_offset + 4;

	_dl_get_tls_static_info(&l->static_size, &l->static_align);
	if (l->static_align < 64)
		l->static_align = 64;
	l->block_size = (l->static_size + l->static_align - 1) & ~(l->static_align - 1);

	struct libc_tls_search s = {0, 0};
	dl_iterate_phdr(find_libc_tls, &s);
	if (!s.modid || s.size > 512) {
		snprintf(why, n, "cannot find libc's own TLS block");
		return -1;
	}
	size_t ti[2] = {s.modid, 0};
	l->libc_tls_offset = (size_t)((char *)tcb_current() - (char *)__tls_get_addr(ti));
	l->libc_tls_size = s.size;

	pthread_keys = dlsym(RTLD_DEFAULT, "__pthread_keys");
	ctype_init = (void (*)(void))dlsym(RTLD_DEFAULT, "__ctype_init");
	off_errno = tls_var_offset("errno");
	off_h_errno = tls_var_offset("__h_errno");
	off_resp = tls_var_offset("__resp");
	if (!pthread_keys || !ctype_init || !off_errno || !off_h_errno || !off_resp) {
		snprintf(why, n, "glibc's private thread symbols (__pthread_keys, __ctype_init, errno, __resp) are missing");
		return -1;
	}

	char *self = tcb_current();
	host.sysinfo = *(uint64_t *)(self + 0x20);
	host.stack_guard = *(uint64_t *)(self + 0x28);
	host.pointer_guard = *(uint64_t *)(self + 0x30);
	host.feature_1 = *(uint64_t *)(self + 0x48);
	host.robust_futex_offset = TCB_FIELD(self, l->off_robust_head + 8, long);
	host.schedparam = TCB_FIELD(self, l->off_schedparam, int);
	host.schedpolicy = TCB_FIELD(self, l->off_schedpolicy, int);
	return 0;
}

/* The field table of glibc-tls.md §9. */
static void tcb_fill(char *tp, struct stack *s, int tid)
{
	const struct tls_layout *l = &tls_layout;
	*(void **)(tp + 0x00) = tp;
	*(void **)(tp + 0x10) = tp;
	*(int *)(tp + 0x18) = 1;                     /* multiple_threads */
	*(uint64_t *)(tp + 0x20) = host.sysinfo;
	*(uint64_t *)(tp + 0x28) = host.stack_guard;
	*(uint64_t *)(tp + 0x30) = host.pointer_guard;
	*(uint64_t *)(tp + 0x48) = host.feature_1;
	void **list = (void **)(tp + l->off_list);
	list[0] = list[1] = list;
	TCB_FIELD(tp, l->off_tid, int) = tid;
	TCB_FIELD(tp, l->off_robust_prev, void *) = tp + l->off_robust_head;
	TCB_FIELD(tp, l->off_robust_head, void *) = tp + l->off_robust_head;
	TCB_FIELD(tp, l->off_robust_head + 8, long) = host.robust_futex_offset;
	TCB_FIELD(tp, l->off_specific, void *) = tp + l->off_specific_1stblock;
	TCB_FIELD(tp, l->off_user_stack, bool) = true;
	TCB_FIELD(tp, l->off_schedparam, int) = host.schedparam;
	TCB_FIELD(tp, l->off_schedpolicy, int) = host.schedpolicy;
	char *block = s->user ? s->lo : s->map;
	TCB_FIELD(tp, l->off_stackblock, void *) = block;
	TCB_FIELD(tp, l->off_stackblock_size, size_t) = (size_t)(s->hi - block);
	TCB_FIELD(tp, l->off_guardsize, size_t) = s->guard;
	TCB_FIELD(tp, l->off_reported_guardsize, size_t) = s->guard;
	TCB_FIELD(tp, l->off_rseq_cpu_id, int) = -2;
}

/*
 * The DTV in the slot. glibc mallocs a DTV per thread (its module count +
 * 14 entries, 336 bytes with malloc's header here), and a blocked G touches
 * two pages anyway: the DTV below struct g costs nothing. glibc only ever
 * resizes a thread's DTV (with realloc, which must not see slot memory)
 * when a module id exceeds its capacity, which it reads from dtv[-1]: so
 * slot DTVs are used while module ids stay within half of their capacity;
 * past that, new TCBs get glibc's malloc'd DTV, tcb_dtv_epoch moves on, and
 * every G moves its DTV out before it next runs (sched/proc.c execute) or is
 * reused from the pool (tcb_recycle). Only a G that stays running while more
 * than STACK_DTV_ENTRIES / 2 further TLS modules are loaded could be caught.
 */
_Atomic unsigned tcb_dtv_epoch;
static _Atomic bool dtv_in_slots = true;

static bool dtv_is_in_slot(void *tp)
{
	return *(dtv_t **)((char *)tp + 8) - 1 == (dtv_t *)stack_dtv_area_of_tcb(tp);
}

void tcb_dtv_note_module(size_t modid)
{
	if (modid <= STACK_DTV_ENTRIES / 2 || !atomic_exchange(&dtv_in_slots, false))
		return;
	atomic_fetch_add(&tcb_dtv_epoch, 1);
	tcb_dtv_move_out(tcb_current());
}

void tcb_dtv_move_out(void *tp)
{
	if (!dtv_is_in_slot(tp))
		return;
	dtv_t *area = stack_dtv_area_of_tcb(tp);
	size_t bytes = (area[0].counter + 2) * sizeof(dtv_t);
	dtv_t *heap = malloc(bytes);
	if (!heap)
		fatal("tcb_dtv_move_out: out of memory moving a thread's TLS module table");
	memcpy(heap, area, bytes);
	*(dtv_t **)((char *)tp + 8) = heap + 1;
}

int tcb_setup(void *tp, struct stack *s, int tid, bool dtv_in_slot)
{
	memset(tp, 0, tls_layout.tcb_size);
	if (dtv_in_slot && atomic_load(&dtv_in_slots)) {
		dtv_t *area = stack_dtv_area_of_tcb(tp);
		memset(area, 0, STACK_DTV_AREA);
		area[0].counter = STACK_DTV_ENTRIES;
		*(dtv_t **)((char *)tp + 8) = area + 1;
		if (!_dl_allocate_tls_init(tp, true))
			return ENOMEM;
	} else if (!_dl_allocate_tls(tp)) {
		return ENOMEM;
	}
	tcb_fill(tp, s, tid);
	return 0;
}

/*
 * A pooled TCB is reset like NPTL's get_cached_stack does, except that
 * libc's own TLS block (tcache, malloc arena) is carried over: glibc frees it
 * only from NPTL's thread exit, which Gs never reach (glibc-tls.md §6.1).
 */
int tcb_recycle(void *tp, struct stack *s, int tid)
{
	const struct tls_layout *l = &tls_layout;
	char saved[512];
	char *libc_block = (char *)tp - l->libc_tls_offset;
	memcpy(saved, libc_block, l->libc_tls_size);
	if (!atomic_load(&dtv_in_slots))
		tcb_dtv_move_out(tp);
	dtv_t *dtv = *(dtv_t **)((char *)tp + 8);
	size_t entries = dtv[-1].counter;
	for (size_t i = 1; i <= entries; i++)
		free(dtv[i].pointer.to_free);
	memset(dtv, 0, (entries + 1) * sizeof(dtv_t));
	memset(tp, 0, l->tcb_size);
	*(dtv_t **)((char *)tp + 8) = dtv;
	if (!_dl_allocate_tls_init(tp, true))
		return ENOMEM;
	memcpy(libc_block, saved, l->libc_tls_size);
	tcb_fill(tp, s, tid);
	return 0;
}

/* Runs on the new TCB itself, before the start routine (pthread_create.c does the same). */
void tcb_enter(void *tp, bool recycled)
{
	char *t = tp;
	*(int *)(t - off_errno) = 0;
	*(int *)(t - off_h_errno) = 0;
	*(void **)(t - off_resp) = t + tls_layout.off_res;
	ctype_init();
	if (recycled)
		uselocale(LC_GLOBAL_LOCALE);
}

/* glibc's __nptl_deallocate_tsd, which is not exported: destructor rounds over the TCB's key data. */
void tcb_exit_keys(void *tp)
{
	const struct tls_layout *l = &tls_layout;
	char *t = tp;
	struct key_data **level1 = (struct key_data **)(t + l->off_specific);
	bool *used = (bool *)(t + l->off_specific_used);
	if (!*used)
		return;
	for (int round = 0; *used && round < DESTRUCTOR_ITERATIONS; round++) {
		*used = false;
		for (size_t idx = 0; idx < KEYS_MAX / KEY_2ND_LEVEL; idx++) {
			struct key_data *level2 = level1[idx];
			if (!level2)
				continue;
			for (size_t i = 0; i < KEY_2ND_LEVEL; i++) {
				void *data = level2[i].data;
				if (!data)
					continue;
				level2[i].data = NULL;
				struct key_slot *k = &pthread_keys[idx * KEY_2ND_LEVEL + i];
				if (level2[i].seq == k->seq && k->destr)
					k->destr(data);
			}
		}
	}
	memset(t + l->off_specific_1stblock, 0, KEY_2ND_LEVEL * sizeof(struct key_data));
	for (size_t idx = 1; idx < KEYS_MAX / KEY_2ND_LEVEL; idx++) {
		free(level1[idx]);
		level1[idx] = NULL;
	}
	*used = false;
}

void tcb_release(void *tp)
{
	if (!dtv_is_in_slot(tp)) {
		_dl_deallocate_tls(tp, false);
		return;
	}
	dtv_t *dtv = *(dtv_t **)((char *)tp + 8);
	for (size_t i = 1; i <= dtv[-1].counter; i++)
		free(dtv[i].pointer.to_free);   /* dynamic TLS blocks; the table stays with the slot */
}

/*
 * The robust list glibc keeps in the TCB holds the process-shared robust
 * mutexes the thread owns (goro's private ones are on the G's own list,
 * sched/mutex.c). For an NPTL thread the kernel walks it when the thread
 * dies; it does not know a G's TCB, so a G that exits walks its own, doing
 * what the kernel does (kernel/futex/core.c, handle_futex_death): each lock
 * word still owned by tid becomes "owner died", keeping the waiters bit, and
 * one waiter is woken. The pending entry (a lock or unlock half done) is
 * handled the same way. Process death is still the kernel's business, and
 * it knows only the lists of real threads (see sched/mutex.c).
 */
#define ROBUST_LIST_LIMIT 2048   /* the kernel's bound on a list (a loop in corrupt memory) */
#define FUTEX_WAITERS_BIT 0x80000000u
#define FUTEX_OWNER_DIED_BIT 0x40000000u
#define FUTEX_TID_BITS 0x3fffffffu

static void robust_word_owner_died(_Atomic uint32_t *word, int tid)
{
	uint32_t old = atomic_load(word);
	do {
		if ((old & FUTEX_TID_BITS) != (uint32_t)tid)
			return;
	} while (!atomic_compare_exchange_weak(word, &old, (old & FUTEX_WAITERS_BIT) | FUTEX_OWNER_DIED_BIT));
	if (old & FUTEX_WAITERS_BIT)
		SYS3(SYS_futex, word, FUTEX_WAKE, 1);   /* process-shared: not a private futex */
}

void tcb_robust_owner_died(void *tp)
{
	const struct tls_layout *l = &tls_layout;
	char *head = (char *)tp + l->off_robust_head;
	long futex_offset = TCB_FIELD(tp, l->off_robust_head + 8, long);
	uintptr_t pending = (uintptr_t)TCB_FIELD(tp, l->off_robust_head + 16, void *) & ~(uintptr_t)1;
	int tid = tcb_tid(tp);
	uintptr_t entry = (uintptr_t)TCB_FIELD(tp, l->off_robust_head, void *) & ~(uintptr_t)1;
	for (int n = 0; entry && entry != (uintptr_t)head && n < ROBUST_LIST_LIMIT; n++) {
		uintptr_t next = (uintptr_t)*(void **)entry & ~(uintptr_t)1;
		if (entry != pending)
			robust_word_owner_died((_Atomic uint32_t *)(entry + futex_offset), tid);
		entry = next;
	}
	if (pending)
		robust_word_owner_died((_Atomic uint32_t *)(pending + futex_offset), tid);
	TCB_FIELD(tp, l->off_robust_head, void *) = head;
	TCB_FIELD(tp, l->off_robust_head + 16, void *) = NULL;
}
