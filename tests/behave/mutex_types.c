// mutex_types: every mutex type (normal, recursive, errorcheck, adaptive),
// made both with pthread_mutexattr_settype and with the static initializers,
// plus an all-zero mutex, returns the NPTL error codes: trylock EBUSY,
// errorcheck relock EDEADLK, unlock by a non-owner EPERM, unlock of an
// unlocked errorcheck/recursive mutex EPERM, and the recursive lock count.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int failures;

static void expect(const char *name, const char *what, int got, int want)
{
	char label[96];
	snprintf(label, sizeof label, "%s: %s", name, what);
	printf("%-52s %s\n", label, en(got));
	if (got != want) {
		printf("  WRONG: expected %s\n", en(want));
		failures++;
	}
}

enum op { TRYLOCK, UNLOCK };
struct req {
	pthread_mutex_t *m;
	enum op op;
	int rc;
};

static void *other_thread(void *p)
{
	struct req *r = p;
	if (r->op == TRYLOCK) {
		r->rc = pthread_mutex_trylock(r->m);
		if (r->rc == 0 && pthread_mutex_unlock(r->m) != 0)
			r->rc = -1;
	} else {
		r->rc = pthread_mutex_unlock(r->m);
	}
	return NULL;
}

/* runs a trylock (then unlock if it succeeded) or an unlock in a new thread */
static int in_other(pthread_mutex_t *m, enum op op)
{
	struct req r = { m, op, -1 };
	pthread_t t;
	int rc = pthread_create(&t, NULL, other_thread, &r);
	if (rc == 0)
		rc = pthread_join(t, NULL);
	if (rc) {
		printf("pthread_create/join: %s\n", en(rc));
		exit(1);
	}
	return r.rc;
}

static void check(const char *name, pthread_mutex_t *m, int type)
{
	expect(name, "lock", pthread_mutex_lock(m), 0);
	expect(name, "trylock by the owner", pthread_mutex_trylock(m),
	       type == PTHREAD_MUTEX_RECURSIVE ? 0 : EBUSY);
	if (type == PTHREAD_MUTEX_RECURSIVE)
		expect(name, "unlock (undo the trylock)", pthread_mutex_unlock(m), 0);
	expect(name, "trylock by another thread", in_other(m, TRYLOCK), EBUSY);
	if (type == PTHREAD_MUTEX_ERRORCHECK)
		expect(name, "lock again by the owner", pthread_mutex_lock(m), EDEADLK);
	if (type == PTHREAD_MUTEX_ERRORCHECK || type == PTHREAD_MUTEX_RECURSIVE)
		expect(name, "unlock by another thread", in_other(m, UNLOCK), EPERM);
	expect(name, "unlock", pthread_mutex_unlock(m), 0);
	if (type == PTHREAD_MUTEX_ERRORCHECK || type == PTHREAD_MUTEX_RECURSIVE)
		expect(name, "unlock while unlocked", pthread_mutex_unlock(m), EPERM);
	expect(name, "trylock by another thread after unlock", in_other(m, TRYLOCK), 0);

	if (type == PTHREAD_MUTEX_RECURSIVE) {
		int rc = 0;
		for (int i = 0; i < 5; i++)
			rc |= pthread_mutex_lock(m);
		expect(name, "lock 5 times", rc, 0);
		expect(name, "trylock by another thread (count 5)", in_other(m, TRYLOCK), EBUSY);
		for (int i = 0; i < 4; i++)
			rc |= pthread_mutex_unlock(m);
		expect(name, "unlock 4 times", rc, 0);
		expect(name, "trylock by another thread (count 1)", in_other(m, TRYLOCK), EBUSY);
		expect(name, "unlock by another thread (count 1)", in_other(m, UNLOCK), EPERM);
		expect(name, "5th unlock", pthread_mutex_unlock(m), 0);
		expect(name, "trylock by another thread (count 0)", in_other(m, TRYLOCK), 0);
		expect(name, "6th unlock", pthread_mutex_unlock(m), EPERM);
	}
	/* the mutex still works after all of that */
	expect(name, "lock + unlock at the end",
	       pthread_mutex_lock(m) | pthread_mutex_unlock(m), 0);
	expect(name, "destroy", pthread_mutex_destroy(m), 0);
}

static void with_attr(const char *name, int type)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	int got = -1;
	expect(name, "mutexattr_init", pthread_mutexattr_init(&a), 0);
	expect(name, "mutexattr_settype", pthread_mutexattr_settype(&a, type), 0);
	expect(name, "mutexattr_gettype", pthread_mutexattr_gettype(&a, &got), 0);
	if (got != type) {
		printf("  WRONG: gettype returned %d\n", got);
		failures++;
	}
	expect(name, "mutex_init", pthread_mutex_init(&m, &a), 0);
	expect(name, "mutexattr_destroy", pthread_mutexattr_destroy(&a), 0);
	check(name, &m, type);
}

static pthread_mutex_t s_normal = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t s_recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t s_errorcheck = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_mutex_t s_adaptive = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	with_attr("normal (attr)", PTHREAD_MUTEX_NORMAL);
	with_attr("default (attr)", PTHREAD_MUTEX_DEFAULT);
	with_attr("recursive (attr)", PTHREAD_MUTEX_RECURSIVE);
	with_attr("errorcheck (attr)", PTHREAD_MUTEX_ERRORCHECK);
	with_attr("adaptive (attr)", PTHREAD_MUTEX_ADAPTIVE_NP);

	pthread_mutex_t plain;
	expect("default (init NULL)", "mutex_init", pthread_mutex_init(&plain, NULL), 0);
	check("default (init NULL)", &plain, PTHREAD_MUTEX_NORMAL);

	check("normal (static)", &s_normal, PTHREAD_MUTEX_NORMAL);
	check("recursive (static)", &s_recursive, PTHREAD_MUTEX_RECURSIVE);
	check("errorcheck (static)", &s_errorcheck, PTHREAD_MUTEX_ERRORCHECK);
	check("adaptive (static)", &s_adaptive, PTHREAD_MUTEX_ADAPTIVE_NP);

	pthread_mutex_t *zero = calloc(1, sizeof *zero);
	if (!zero)
		return 1;
	check("all-zero memory", zero, PTHREAD_MUTEX_NORMAL);
	free(zero);

	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	expect("attr", "settype with an unknown type", pthread_mutexattr_settype(&a, 12345), EINVAL);
	pthread_mutexattr_destroy(&a);

	printf("failures: %d\n", failures);
	return failures != 0;
}
