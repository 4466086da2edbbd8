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
#include <errno.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <locale.h>
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

int tcb_setup(void *tp, struct stack *s, int tid)
{
	memset(tp, 0, tls_layout.tcb_size);
	if (!_dl_allocate_tls(tp))
		return ENOMEM;
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
	_dl_deallocate_tls(tp, false);
}
