/*
 * Stack arenas (stack/arena.c): slots of one size come from one mapping, a
 * released slot is reused with its pages given back, a slot's top word is a
 * canary that the overflow check reads from the slot above, cold stack pages
 * go back to the kernel on request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "stack/stack.h"
#include "tests/unit/unit_helpers.h"

static int layout(void **state)
{
	char why[256] = "";
	return tls_layout_init(why, sizeof why);
}

static bool resident(void *addr)
{
	unsigned char vec = 0;
	mincore((void *)((uintptr_t)addr & ~4095UL), 4096, &vec);
	return vec & 1;
}

static void test_slots_of_one_size_are_neighbours_in_one_arena(void **state)
{
	struct stack a, b;
	assert_non_null(stack_alloc(&a, 48 * 1024, 4096));
	assert_non_null(stack_alloc(&b, 48 * 1024, 4096));
	assert_ptr_equal(a.arena, b.arena);
	assert_int_equal(a.map_size, b.map_size);
	assert_ptr_equal(b.map, a.map + a.map_size);   /* cut one after the other */
	/* the canary sits in the slot's top word, above the TCB */
	assert_int_equal(*((uint64_t *)(a.map + a.map_size) - 1), STACK_CANARY);
	stack_free(&b);
	stack_free(&a);
}

static void test_a_released_slot_is_reused_with_its_pages_given_back(void **state)
{
	struct stack a, b;
	assert_non_null(stack_alloc(&a, 40 * 1024, 4096));
	char *slot = a.map;
	bool guarded = a.guarded;
	memset(a.lo, 0x77, 16 * 1024);
	assert_true(resident(a.lo));
	stack_free(&a);
	assert_null(a.arena);
	assert_false(resident(slot + 4096));
	char *tp = stack_alloc(&b, 40 * 1024, 4096);
	assert_non_null(tp);
	assert_ptr_equal(b.map, slot);
	assert_int_equal(b.guarded, guarded);
	assert_int_equal(b.lo[0], 0);   /* fresh pages */
	stack_free(&b);
}

static void test_overflow_past_the_end_is_seen_at_a_switch(void **state)
{
	struct stack below, s;
	assert_non_null(stack_alloc(&below, 24 * 1024, 4096));
	assert_non_null(stack_alloc(&s, 24 * 1024, 4096));
	assert_ptr_equal(s.map, below.map + below.map_size);
	uintptr_t sp = (uintptr_t)s.hi - 256;
	assert_false(stack_overflowed(&s, sp));
	assert_true(stack_overflowed(&s, (uintptr_t)s.lo - 8));   /* a stack pointer below the end */
	/* without a guard page the canary of the slot below is what tells */
	s.guarded = false;
	uint64_t *canary = (uint64_t *)s.map - 1;
	assert_int_equal(*canary, STACK_CANARY);
	assert_false(stack_overflowed(&s, sp));
	*canary = 0x1234;   /* what a runaway recursion writes there */
	assert_true(stack_overflowed(&s, sp));
	*canary = 0;        /* the slot below gave its pages back */
	assert_false(stack_overflowed(&s, sp));
	*canary = STACK_CANARY;
	/* a guard hit is a fault address in the guard area */
	assert_true(stack_guard_hit(&s, (uintptr_t)s.map + 100));
	assert_false(stack_guard_hit(&s, (uintptr_t)s.lo + 100));
	stack_free(&s);
	stack_free(&below);
}

static void test_cold_pages_below_a_stack_pointer_go_back(void **state)
{
	struct stack s;
	assert_non_null(stack_alloc(&s, 256 * 1024, 4096));
	memset(s.lo, 1, (size_t)(s.hi - s.lo));
	uintptr_t sp = (uintptr_t)s.hi - 10000;
	size_t given = stack_release_cold(&s, sp);
	assert_true(given >= 200 * 1024);
	assert_false(resident(s.lo + 8192));
	assert_false(resident((void *)((sp & ~4095UL) - 4096)));
	assert_true(resident((void *)sp));                  /* the page holding sp stays */
	assert_int_equal(*(char *)sp, 1);
	assert_true(stack_cold_below((uintptr_t)s.lo, sp));
	assert_false(stack_cold_below(sp - 4096, sp));
	stack_free(&s);
}

int main(void)
{
	unit_watchdog(20);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_of_one_size_are_neighbours_in_one_arena),
		cmocka_unit_test(test_a_released_slot_is_reused_with_its_pages_given_back),
		cmocka_unit_test(test_overflow_past_the_end_is_seen_at_a_switch),
		cmocka_unit_test(test_cold_pages_below_a_stack_pointer_go_back),
	};
	return cmocka_run_group_tests_name("arena", tests, layout, NULL);
}
