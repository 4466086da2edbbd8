/* A G's memory: the stack mapping and the TCB laid out as glibc-tls.md says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>

#include "stack/stack.h"

static int layout(void **state)
{
	char why[256];
	return tls_layout_init(why, sizeof why);
}

static void test_layout_of_this_glibc(void **state)
{
	assert_int_equal(tls_layout.tcb_size, 2368);
	assert_int_equal(tls_layout.off_tid, 720);
	assert_true(tls_layout.static_size >= tls_layout.tcb_size);
	assert_true(tls_layout.block_size % tls_layout.static_align == 0);
	assert_true(tls_layout.libc_tls_size > 0 && tls_layout.libc_tls_size <= 512);
}

static void test_fresh_tcb_fields(void **state)
{
	struct stack s;
	char *tp = stack_map(&s, 64 * 1024, 4096);
	assert_non_null(tp);
	assert_int_equal(tcb_setup(tp, &s, 0x20000042), 0);
	const struct tls_layout *l = &tls_layout;
	assert_ptr_equal(*(void **)(tp + 0), tp);
	assert_ptr_equal(*(void **)(tp + 0x10), tp);
	assert_int_equal(*(int *)(tp + 0x18), 1);
	assert_int_equal(tcb_tid(tp), 0x20000042);
	void **list = (void **)(tp + l->off_list);
	assert_ptr_equal(list[0], list);
	assert_ptr_equal(list[1], list);
	assert_ptr_equal(TCB_FIELD(tp, l->off_specific, void *), tp + l->off_specific_1stblock);
	assert_int_equal(TCB_FIELD(tp, l->off_rseq_cpu_id, int), -2);
	assert_ptr_equal(TCB_FIELD(tp, 0x30, uint64_t), *(uint64_t *)((char *)tcb_current() + 0x30));
	/* the stack lies inside the mapping, above the guard and below the G slot and TLS */
	assert_true(s.lo == s.map + s.guard);
	assert_true(s.hi - s.lo >= 64 * 1024);
	char *g = stack_g_of_tcb(tp);
	assert_ptr_equal(g, s.hi);
	assert_true(g + STACK_G_SLOT <= tp - (l->static_size - l->tcb_size));
	assert_true(tp + l->tcb_size <= s.map + s.map_size);
	assert_int_equal(tcb_recycle(tp, &s, 0x20000043), 0);
	assert_int_equal(tcb_tid(tp), 0x20000043);
	assert_ptr_equal(*(void **)(tp + 0x10), tp);
	tcb_release(tp);
	stack_unmap(&s);
}

static void test_user_stack_too_small(void **state)
{
	struct stack s;
	static char small[8192] __attribute__((aligned(64)));
	assert_null(stack_carve_user(&s, small, sizeof small));
	char *big = aligned_alloc(64, 1 << 20);
	char *tp = stack_carve_user(&s, big, 1 << 20);
	assert_non_null(tp);
	assert_true(s.user);
	assert_ptr_equal(s.lo, big);
	assert_int_equal(s.map_size, 1 << 20);
	assert_true(tp + tls_layout.tcb_size <= big + (1 << 20));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_of_this_glibc),
		cmocka_unit_test(test_fresh_tcb_fields),
		cmocka_unit_test(test_user_stack_too_small),
	};
	return cmocka_run_group_tests_name("tcb", tests, layout, NULL);
}
