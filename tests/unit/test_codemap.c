/*
 * The map of code where a thread may be preempted (preempt/codemap.c) and
 * the parsing of GORO_PREEMPT_SIGNAL: libc, libm, ld.so, libelf and the vDSO
 * are not safe, another library is, the runtime (here: this executable, into
 * which the runtime's objects are linked) is recognised as such; a dlopen'ed
 * library is not safe until the map is refreshed, then is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <math.h>
#include <sys/auxv.h>

#include "preempt/internal.h"

static uintptr_t symbol(const char *name)
{
	void *p = dlsym(RTLD_DEFAULT, name);
	assert_non_null(p);
	return (uintptr_t)p;
}

static int setup(void **state)
{
	return codemap_build();
}

static void system_libraries_are_not_safe(void **state)
{
	assert_false(codemap_is_safe(symbol("qsort")));       /* libc */
	double (*volatile cosine)(double) = cos;   /* a real reference keeps libm linked */
	assert_false(codemap_is_safe((uintptr_t)cosine));     /* libm */
	assert_false(codemap_is_safe(symbol("_dl_allocate_tls")));   /* ld.so */
	assert_false(codemap_is_safe(symbol("elf_begin")));   /* libelf */
	assert_false(codemap_is_safe(getauxval(AT_SYSINFO_EHDR) + 0x100));   /* the vDSO */
	assert_false(codemap_is_runtime(symbol("qsort")));
}

static void other_libraries_are_safe(void **state)
{
	assert_true(codemap_is_safe(symbol("_cmocka_run_group_tests")));   /* libcmocka */
}

static void the_runtime_is_recognised(void **state)
{
	assert_true(codemap_is_runtime((uintptr_t)codemap_build));
	assert_false(codemap_is_safe((uintptr_t)codemap_build));
}

static void dlopen_then_refresh(void **state)
{
	void *h = dlopen("libcrypt.so.1", RTLD_NOW);   /* essential on Debian; not loaded by this test */
	assert_non_null(h);
	uintptr_t f = (uintptr_t)dlsym(h, "crypt");
	assert_true(f != 0);
	assert_false(codemap_is_safe(f));   /* unknown code is never taken for safe */
	preempt_codemap_refresh();
	assert_true(codemap_is_safe(f));
	void *m = dlopen("libstdc++.so.6", RTLD_NOW);   /* g++ is a build dependency */
	assert_non_null(m);
	uintptr_t terminate = (uintptr_t)dlsym(m, "_ZSt9terminatev");
	assert_true(terminate != 0);
	preempt_codemap_refresh();
	assert_false(codemap_is_safe(terminate));
}

static void signal_names(void **state)
{
	assert_int_equal(preempt_parse_signal("SIGURG"), SIGURG);
	assert_int_equal(preempt_parse_signal("URG"), SIGURG);
	assert_int_equal(preempt_parse_signal("23"), 23);
	assert_int_equal(preempt_parse_signal("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(preempt_parse_signal("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(preempt_parse_signal("SIGRTMAX"), SIGRTMAX);
	/* not usable, or not signals */
	const char *bad[] = {"SIGKILL", "SIGSEGV", "SIGSTOP", "SIGABRT", "SIGTSTP", "32", "33", "0", "65",
			     "RTMAX+1", "RTMIN-1", "RTMIN+", "SIGFOO", "", "12x", "-5"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (preempt_parse_signal(bad[i]) != 0)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(system_libraries_are_not_safe),
		cmocka_unit_test(other_libraries_are_safe),
		cmocka_unit_test(the_runtime_is_recognised),
		cmocka_unit_test(dlopen_then_refresh),
		cmocka_unit_test(signal_names),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
