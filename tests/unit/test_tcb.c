/*
 * A G's memory (stack/tcb.c, stack/arena.c): the glibc 2.36 layout check,
 * a fresh mapping with its TCB laid out as ../../../shared/glibc-tls.md says,
 * recycling a TCB, and carving a user-supplied stack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stack/stack.h"
#include "tests/unit/unit_helpers.h"

#define FAKE_TID 0x20000042
static __thread int tls_probe = 0x5eed;   /* in the executable's static TLS */

static int layout(void **state)
{
	char why[256] = "";
	return tls_layout_init(why, sizeof why);
}

/* Where a static TLS variable of this thread sits in another TCB's block. */
static void *tls_in(char *tp, void *mine) { return tp - ((char *)tcb_current() - (char *)mine); }

/* The permissions /proc/self/maps gives the mapping holding addr, and its end. */
static void maps_entry(void *addr, char perms[5], uintptr_t *end)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	perms[0] = 0;
	*end = 0;
	while (f && fgets(line, sizeof line, f)) {
		uintptr_t lo, hi;
		char p[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && lo <= (uintptr_t)addr && (uintptr_t)addr < hi) {
			memcpy(perms, p, 5);
			*end = hi;
			break;
		}
	}
	if (f)
		fclose(f);
}

static void test_tls_layout_init_accepts_glibc_2_36(void **state)
{
	char why[256] = "";
	assert_int_equal(tls_layout_init(why, sizeof why), 0);
	assert_string_equal(why, "");
	const struct tls_layout *l = &tls_layout;
	assert_int_equal(l->tcb_size, 2368);
	assert_int_equal(l->off_tid, 720);
	assert_int_equal(l->rseq_offset, 2336);
	assert_true(l->static_align >= 64);
	assert_int_equal(l->block_size % l->static_align, 0);
	assert_true(l->block_size >= l->static_size);
	assert_true(l->static_size >= l->tcb_size + l->libc_tls_size);
	/* libc's own TLS block, as found, holds this thread's errno */
	char *libc_block = (char *)tcb_current() - l->libc_tls_offset;
	char *err = (char *)&errno;
	assert_true(err >= libc_block && err + sizeof(int) <= libc_block + l->libc_tls_size);
	/* the thread pointer glibc gave this thread is what tcb_current reads */
	assert_ptr_equal(tcb_current(), (void *)pthread_self());
	assert_int_equal(tcb_tid(tcb_current()), getpid());
}

static void test_stack_alloc_and_tcb_setup(void **state)
{
	const struct tls_layout *l = &tls_layout;
	struct stack s;
	memset(&s, 0xa5, sizeof s);
	char *tp = stack_alloc(&s, 64 * 1024 + 3, 1);   /* both get rounded up */
	assert_non_null(tp);
	assert_int_equal(tcb_setup(tp, &s, FAKE_TID, true), 0);

	/* header */
	assert_ptr_equal(*(void **)(tp + 0x00), tp);
	assert_ptr_equal(*(void **)(tp + 0x10), tp);
	assert_non_null(*(void **)(tp + 0x08));                              /* dtv */
	assert_int_equal(*(int *)(tp + 0x18), 1);                              /* multiple_threads */
	char *host = tcb_current();
	assert_memory_equal(tp + 0x28, host + 0x28, 16);                       /* stack + pointer guard */
	/* struct pthread */
	assert_int_equal(tcb_tid(tp), FAKE_TID);
	void **list = (void **)(tp + l->off_list);
	assert_ptr_equal(list[0], list);
	assert_ptr_equal(list[1], list);
	assert_ptr_equal(TCB_FIELD(tp, l->off_specific, void *), tp + l->off_specific_1stblock);
	assert_ptr_equal(TCB_FIELD(tp, l->off_robust_head, void *), tp + l->off_robust_head);
	assert_int_equal(TCB_FIELD(tp, l->off_rseq_cpu_id, int), -2);
	/* what pthread_getattr_np would derive: stack top and size without the guard */
	char *block = TCB_FIELD(tp, l->off_stackblock, char *);
	size_t block_size = TCB_FIELD(tp, l->off_stackblock_size, size_t);
	assert_ptr_equal(block + block_size, s.hi);
	assert_int_equal(block_size - TCB_FIELD(tp, l->off_guardsize, size_t), (size_t)(s.hi - s.lo));
	/* the static TLS block got this program's initial image */
	assert_int_equal(*(int *)tls_in(tp, &tls_probe), 0x5eed);

	/* geometry: [guard][stack][struct g][static TLS][TCB], all inside the mapping */
	assert_false(s.user);
	assert_int_equal(s.guard, 4096);
	assert_int_equal((uintptr_t)tp % l->static_align, 0);
	char *tls_lo = tp + l->tcb_size - l->static_size;
	char *g = stack_g_of_tcb(tp);
	assert_ptr_equal(s.lo, s.map + s.guard);
	assert_true(s.hi - s.lo >= 64 * 1024 + 3);
	assert_true(s.hi <= g);
	assert_true(g >= s.map && g + STACK_G_SLOT <= tls_lo);
	assert_true(tp + l->tcb_size <= s.map + s.map_size);
	assert_int_equal(s.map_size % 4096, 0);
	/* the guard is inaccessible, the stack above it writable */
	char perms[5];
	uintptr_t end;
	maps_entry(s.map, perms, &end);
	assert_string_equal(perms, "---p");
	assert_int_equal(end, (uintptr_t)s.map + s.guard);
	maps_entry(s.lo, perms, &end);
	assert_memory_equal(perms, "rw", 2);
	assert_true(end >= (uintptr_t)(tp + l->tcb_size));
	s.lo[0] = 1;
	s.hi[-1] = 1;

	tcb_release(tp);
	stack_free(&s);
	assert_null(s.arena);
}

static void test_stack_alloc_gives_at_least_the_requested_stack(void **state)
{
	const struct tls_layout *l = &tls_layout;
	/* sizes around every page-rounding boundary of the mapping */
	for (size_t size = 16 * 1024; size < 16 * 1024 + 8192; size += 48) {
		struct stack s;
		char *tp = stack_alloc(&s, size, 4096);
		assert_non_null(tp);
		if ((size_t)(s.hi - s.lo) < size)
			fail_msg("asked for %zu bytes of stack, got %zu", size, (size_t)(s.hi - s.lo));
		assert_true((char *)stack_g_of_tcb(tp) + STACK_G_SLOT <= tp + l->tcb_size - l->static_size);
		assert_true(tp + l->tcb_size <= s.map + s.map_size);
		stack_free(&s);
	}
}

static void test_tcb_recycle_resets_like_new(void **state)
{
	const struct tls_layout *l = &tls_layout;
	struct stack s;
	char *tp = stack_alloc(&s, 32 * 1024, 4096);
	assert_non_null(tp);
	assert_int_equal(tcb_setup(tp, &s, FAKE_TID, true), 0);
	void *dtv = *(void **)(tp + 0x08);
	int *probe = tls_in(tp, &tls_probe);
	int *err = tls_in(tp, &errno);   /* inside libc's block, which recycling keeps */

	/* the previous user scribbled over its TCB and TLS */
	*probe = 1;
	*err = 4242;
	TCB_FIELD(tp, l->off_tid, int) = 99;
	TCB_FIELD(tp, l->off_rseq_cpu_id, int) = 1;
	memset(tp + l->off_list, 0x11, 16);
	TCB_FIELD(tp, l->off_specific, void *) = NULL;
	*(void **)(tp + 0x10) = NULL;

	assert_int_equal(tcb_recycle(tp, &s, FAKE_TID + 1), 0);
	assert_ptr_equal(*(void **)(tp + 0x00), tp);
	assert_ptr_equal(*(void **)(tp + 0x10), tp);
	assert_ptr_equal(*(void **)(tp + 0x08), dtv);   /* the DTV is reused */
	assert_int_equal(tcb_tid(tp), FAKE_TID + 1);
	assert_int_equal(TCB_FIELD(tp, l->off_rseq_cpu_id, int), -2);
	void **list = (void **)(tp + l->off_list);
	assert_ptr_equal(list[0], list);
	assert_ptr_equal(list[1], list);
	assert_ptr_equal(TCB_FIELD(tp, l->off_specific, void *), tp + l->off_specific_1stblock);
	assert_int_equal(*probe, 0x5eed);   /* TLS re-initialised from the image */
	assert_int_equal(*err, 4242);       /* libc's block carried over */

	tcb_release(tp);
	stack_free(&s);
}

static void test_stack_carve_user_rejects_too_small(void **state)
{
	const struct tls_layout *l = &tls_layout;
	struct stack s;
	memset(&s, 0, sizeof s);
	static char tiny[8192] __attribute__((aligned(4096)));
	assert_null(stack_carve_user(&s, tiny, sizeof tiny));
	/* room for G, TLS and TCB but less than the 8 KiB minimum of stack */
	size_t top = STACK_G_SLOT + l->block_size + l->static_align;
	size_t almost = top + 4096;
	char *buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	assert_null(stack_carve_user(&s, buf, almost));
	assert_null(s.lo);   /* a rejected carve leaves s alone */
	assert_null(stack_carve_user(&s, buf, 0));
	munmap(buf, 1 << 20);
}

static void test_stack_carve_user_lays_out_a_big_enough_stack(void **state)
{
	const struct tls_layout *l = &tls_layout;
	struct stack s;
	memset(&s, 0xa5, sizeof s);
	size_t size = 256 * 1024;
	char *buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	size_t user_size = size - 40;   /* an end that is not aligned */
	char *tp = stack_carve_user(&s, buf, user_size);
	assert_non_null(tp);
	assert_int_equal((uintptr_t)tp % l->static_align, 0);
	assert_true(s.user);
	assert_null(s.arena);
	assert_int_equal(s.map_size, user_size);
	assert_int_equal(s.guard, 0);
	assert_ptr_equal(s.lo, buf);
	assert_ptr_equal(s.hi, stack_g_of_tcb(tp));
	assert_true(s.hi - s.lo >= 16 * 1024);
	assert_true(s.hi + STACK_G_SLOT <= tp + l->tcb_size - l->static_size);
	assert_true(tp + l->tcb_size <= buf + user_size);
	assert_int_equal(tcb_setup(tp, &s, FAKE_TID, true), 0);
	assert_ptr_equal(TCB_FIELD(tp, l->off_stackblock, char *), buf);
	assert_ptr_equal(*(void **)(tp + 0x10), tp);
	tcb_release(tp);
	stack_free(&s);   /* the user's memory is not ours to unmap */
	buf[0] = 1;
	buf[size - 1] = 1;
	munmap(buf, size);
}

int main(void)
{
	unit_watchdog(20);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_layout_init_accepts_glibc_2_36),
		cmocka_unit_test(test_stack_alloc_and_tcb_setup),
		cmocka_unit_test(test_stack_alloc_gives_at_least_the_requested_stack),
		cmocka_unit_test(test_tcb_recycle_resets_like_new),
		cmocka_unit_test(test_stack_carve_user_rejects_too_small),
		cmocka_unit_test(test_stack_carve_user_lays_out_a_big_enough_stack),
	};
	/* the group set-up runs tls_layout_init too, so a failing first test does not cascade into crashes */
	return cmocka_run_group_tests_name("tcb", tests, layout, NULL);
}
