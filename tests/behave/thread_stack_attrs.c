// thread_stack_attrs: pthread_attr_setstacksize is honoured (pthread_getattr_np
// inside the thread reports at least the requested size, the thread's stack
// variables lie inside the reported bounds, and most of the stack is usable);
// pthread_attr_setstack runs the thread on the caller's memory (reported
// bounds are exactly that buffer), twice in a row; sizes below
// PTHREAD_STACK_MIN are EINVAL.
#define _GNU_SOURCE
#include <alloca.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct report {
	size_t want_size;      /* requested size (0: default) */
	void *want_addr;       /* user stack: lowest address, else NULL */
	size_t touch;          /* bytes of stack to use */
	int getattr_rc, size_ok, local_inside, addr_exact, touched;
};

__attribute__((noinline)) static int use_stack(size_t n)
{
	volatile char *p = alloca(n);
	memset((char *)p, 0x5a, n);
	int ok = 1;
	for (size_t i = 0; i < n; i += 4096)
		ok &= p[i] == 0x5a;
	return ok && p[n - 1] == 0x5a;
}

static void *worker(void *arg)
{
	struct report *r = arg;
	pthread_attr_t a;
	void *addr = NULL;
	size_t size = 0, size2 = 0;
	int local;

	r->getattr_rc = pthread_getattr_np(pthread_self(), &a);
	if (r->getattr_rc)
		return NULL;
	if (pthread_attr_getstack(&a, &addr, &size) || pthread_attr_getstacksize(&a, &size2) || size != size2)
		r->getattr_rc = -1;
	pthread_attr_destroy(&a);
	r->size_ok = size >= r->want_size && size > 0;
	r->local_inside = (char *)&local >= (char *)addr && (char *)&local < (char *)addr + size;
	if (r->want_addr)
		r->addr_exact = addr == r->want_addr && size == r->want_size;
	r->touched = r->touch ? use_stack(r->touch) : 1;
	return NULL;
}

static const char *yesno(int v)
{
	return v ? "yes" : "NO";
}

static int run(const char *name, pthread_attr_t *a, struct report *r)
{
	pthread_t t;
	int rc = pthread_create(&t, a, worker, r);
	if (rc == 0)
		rc = pthread_join(t, NULL);
	if (rc) {
		printf("%s: create/join failed: %s\n", name, strerrorname_np(rc));
		return 0;
	}
	printf("%s: getattr_np %s, size >= requested %s, local inside bounds %s", name,
	       r->getattr_rc ? "FAILED" : "ok", yesno(r->size_ok), yesno(r->local_inside));
	if (r->want_addr)
		printf(", bounds are the supplied buffer %s", yesno(r->addr_exact));
	if (r->touch)
		printf(", used %zu KiB of it %s", r->touch / 1024, yesno(r->touched));
	printf("\n");
	return !r->getattr_rc && r->size_ok && r->local_inside && r->touched && (!r->want_addr || r->addr_exact);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_attr_t a;
	int ok = 1, rc;
	size_t got;

	/* default attributes */
	struct report r0 = { 0, NULL, 256 * 1024 };
	ok &= run("default stack", NULL, &r0);

	const size_t sizes[] = { 64 * 1024, 1024 * 1024, 16 * 1024 * 1024 };
	for (int i = 0; i < 3; i++) {
		char name[64];
		if (pthread_attr_init(&a) || pthread_attr_setstacksize(&a, sizes[i]) ||
		    pthread_attr_getstacksize(&a, &got) || got != sizes[i]) {
			printf("attr setstacksize round trip failed\n");
			return 1;
		}
		struct report r = { sizes[i], NULL, sizes[i] / 2 };
		snprintf(name, sizeof name, "stacksize %zu KiB", sizes[i] / 1024);
		ok &= run(name, &a, &r);
		pthread_attr_destroy(&a);
	}

	/* a stack the program owns, used twice */
	size_t ustack = 1024 * 1024;
	void *buf = NULL;
	if ((rc = posix_memalign(&buf, (size_t)sysconf(_SC_PAGESIZE), ustack))) {
		printf("posix_memalign: %d\n", rc);
		return 1;
	}
	for (int round = 1; round <= 2; round++) {
		void *ga = NULL;
		size_t gs = 0;
		if (pthread_attr_init(&a) || pthread_attr_setstack(&a, buf, ustack) ||
		    pthread_attr_getstack(&a, &ga, &gs) || ga != buf || gs != ustack) {
			printf("attr setstack round trip failed\n");
			return 1;
		}
		struct report r = { ustack, buf, 256 * 1024 };
		ok &= run(round == 1 ? "setstack 1 MiB buffer" : "setstack same buffer again", &a, &r);
		pthread_attr_destroy(&a);
	}
	free(buf);

	pthread_attr_init(&a);
	rc = pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN - 1);
	printf("setstacksize PTHREAD_STACK_MIN - 1: %s\n", rc ? strerrorname_np(rc) : "0");
	ok &= rc == EINVAL;
	pthread_attr_destroy(&a);
	return !ok;
}
