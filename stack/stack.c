/*
 * Stack mappings for Gs. One mmap per G holds its guard, stack, struct g, TLS
 * and TCB (MAP_NORESERVE: the kernel commits pages as they are touched).
 *
 * The number of memory mappings is capped by vm.max_map_count. A guard page
 * splits a mapping in two, so guards are placed only while the budget allows;
 * past it, stacks go without guards (adjacent ones then merge into one
 * mapping) and a one-time warning names the sysctl to raise.
 */
#include "stack/stack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#define MIN_USER_STACK (16 * 1024)

static _Atomic long guarded_stacks;
static long guard_budget = -1;
static atomic_flag guard_warned = ATOMIC_FLAG_INIT;

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
		guard_budget = read_max_map_count() / 3;
	if (atomic_fetch_add(&guarded_stacks, 1) < guard_budget)
		return true;
	atomic_fetch_sub(&guarded_stacks, 1);
	if (!atomic_flag_test_and_set(&guard_warned)) {
		static const char msg[] = "goro: warning: vm.max_map_count is nearly used up; new thread stacks "
			"get no guard page (raise it with: sysctl vm.max_map_count=N)\n";
		SYS3(SYS_write, 2, msg, sizeof msg - 1);
	}
	return false;
}

static char *tcb_place(char *top)
{
	const struct tls_layout *l = &tls_layout;
	return (char *)(((uintptr_t)top - l->tcb_size) & ~(uintptr_t)(l->static_align - 1));
}

void *stack_map(struct stack *s, size_t stack_size, size_t guard)
{
	const struct tls_layout *l = &tls_layout;
	guard = (guard + PAGE - 1) & ~(PAGE - 1);
	stack_size = (stack_size + 15) & ~15UL;
	size_t top_part = STACK_G_SLOT + l->block_size + l->static_align;
	size_t size = (guard + stack_size + top_part + PAGE - 1) & ~(PAGE - 1);
	char *map = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (map == MAP_FAILED) {
		errno = EAGAIN;
		return NULL;
	}
	if (guard && guard_allowed()) {
		if (mprotect(map, guard, PROT_NONE) != 0) {
			atomic_fetch_sub(&guarded_stacks, 1);
			munmap(map, size);
			errno = EAGAIN;
			return NULL;
		}
	} else {
		guard = 0;
	}
	char *tp = tcb_place(map + size);
	s->map = map;
	s->map_size = size;
	s->guard = guard;
	s->hi = stack_g_of_tcb(tp);
	s->lo = map + guard;
	s->user = false;
	return tp;
}

void *stack_carve_user(struct stack *s, void *addr, size_t size)
{
	char *tp = tcb_place((char *)addr + size);
	char *g = stack_g_of_tcb(tp);
	if (g < (char *)addr + MIN_USER_STACK)
		return NULL;
	s->map = NULL;
	s->map_size = size;   /* the whole user buffer, as pthread_getattr_np reports it */
	s->guard = 0;
	s->lo = addr;
	s->hi = g;
	s->user = true;
	return tp;
}

void stack_unmap(struct stack *s)
{
	if (!s->map)
		return;
	if (s->guard)
		atomic_fetch_sub(&guarded_stacks, 1);
	munmap(s->map, s->map_size);
	s->map = NULL;
}

void context_init(struct context *c, void *stack_top, void (*fn)(void *), void *arg, void *fs)
{
	extern void context_start(void);
	uint64_t *top = (uint64_t *)(((uintptr_t)stack_top - 16) & ~15UL);
	uint64_t *sp = top - 8;
	sp[0] = 0x1f80 | (0x37fULL << 32);   /* MXCSR, x87 control word */
	sp[1] = 0;                            /* r15 */
	sp[2] = 0;                            /* r14 */
	sp[3] = (uint64_t)fn;                 /* r13 */
	sp[4] = (uint64_t)arg;                /* r12 */
	sp[5] = 0;                            /* rbx */
	sp[6] = 0;                            /* rbp */
	sp[7] = (uint64_t)context_start;      /* return address */
	c->rsp = (uint64_t)sp;
	c->fs = (uint64_t)fs;
}

bool context_use_wrfsbase;

void context_load_fs(void *fs)
{
	if (context_use_wrfsbase)
		__asm__ volatile("wrfsbase %0" ::"r"(fs) : "memory");
	else
		SYS2(158 /* SYS_arch_prctl */, 0x1002 /* ARCH_SET_FS */, fs);
}
