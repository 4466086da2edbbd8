// thread_sched_attrs: pthread_create honours the scheduling and CPU-mask parts of its
// attribute as NPTL does: an explicit policy with a priority out of its range is EINVAL
// (glibc's tst-bad-schedattr), an explicit valid one (SCHED_FIFO, where permitted) is
// what the thread then reports; without PTHREAD_EXPLICIT_SCHED the thread inherits its
// creator's; a CPU mask with no
// CPU the process may use is EINVAL, a usable one is the thread's mask. And
// pthread_getattr_np always reports the thread's CPU mask, equal to
// pthread_getaffinity_np's (glibc's tst-attr3), whether or not one was ever set.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include "check.h"

struct seen {
	int policy, priority;
	int getattr_mask_matches;
	cpu_set_t mask;
	pthread_attr_t *child_attr;   /* create a grandchild with it, if set */
	struct seen *child;
};

static void *report(void *arg)
{
	struct seen *s = arg;
	struct sched_param param;
	pthread_getschedparam(pthread_self(), &s->policy, &param);
	s->priority = param.sched_priority;
	pthread_getaffinity_np(pthread_self(), sizeof s->mask, &s->mask);
	pthread_attr_t a;
	cpu_set_t from_attr;
	CPU_ZERO(&from_attr);
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		pthread_attr_getaffinity_np(&a, sizeof from_attr, &from_attr);
		pthread_attr_destroy(&a);
	}
	s->getattr_mask_matches = CPU_EQUAL(&from_attr, &s->mask);
	if (s->child) {
		pthread_t t;
		if (pthread_create(&t, s->child_attr, report, s->child) == 0)
			pthread_join(t, NULL);
	}
	return NULL;
}

static int run(pthread_attr_t *attr, struct seen *s)
{
	pthread_t t;
	int r = pthread_create(&t, attr, report, s);
	if (r == 0)
		pthread_join(t, NULL);
	return r;
}

int main(void)
{
	cpu_set_t process;
	sched_getaffinity(0, sizeof process, &process);

	struct seen plain = {0};
	int r = run(NULL, &plain);   /* before printf: its arguments are read in any order */
	printf("default: create %s, policy other %d priority %d, getattr mask matches %d, "
	       "mask is the process's %d\n", en(r), plain.policy == SCHED_OTHER,
	       plain.priority, plain.getattr_mask_matches, CPU_EQUAL(&plain.mask, &process));

	/* glibc's tst-bad-schedattr: a priority valid for SCHED_FIFO kept while the policy
	 * becomes SCHED_OTHER (pthread_attr_setschedparam checks against the current one) */
	pthread_attr_t a;
	struct sched_param param = {.sched_priority = sched_get_priority_max(SCHED_OTHER) + 1};
	pthread_attr_init(&a);
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_FIFO);
	pthread_attr_setschedparam(&a, &param);
	pthread_attr_setschedpolicy(&a, SCHED_OTHER);
	struct seen bad = {0};
	r = run(&a, &bad);
	printf("explicit SCHED_OTHER priority %d: create %s\n", param.sched_priority, en(r));

	/* EPERM without the right to real-time scheduling (natively and under goro) */
	pthread_attr_setschedpolicy(&a, SCHED_FIFO);
	struct seen fifo = {0}, inherited = {0};
	fifo.child = &inherited;   /* created by the SCHED_FIFO thread, default attributes */
	r = run(&a, &fifo);
	if (r)
		printf("explicit SCHED_FIFO priority 1: create %s\n", en(r));
	else
		printf("explicit SCHED_FIFO priority 1: create 0, the thread has it %d, "
		       "its child inherits it %d\n", fifo.policy == SCHED_FIFO && fifo.priority == 1,
		       inherited.policy == SCHED_FIFO && inherited.priority == 1);
	pthread_attr_destroy(&a);

	int last = -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &process))
			last = cpu;
	cpu_set_t one, none;
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	CPU_ZERO(&none);
	CPU_SET(CPU_SETSIZE - 1, &none);   /* no machine here has CPU 1023 */
	pthread_attr_init(&a);
	pthread_attr_setaffinity_np(&a, sizeof none, &none);
	struct seen unusable = {0};
	printf("mask of an absent CPU: create %s\n", en(run(&a, &unusable)));
	pthread_attr_setaffinity_np(&a, sizeof one, &one);
	struct seen pinned = {0}, pinned_child = {0};
	pinned.child = &pinned_child;
	r = run(&a, &pinned);
	printf("mask of the last CPU: create %s, thread's mask is it %d, getattr mask matches %d, "
	       "its child inherits it %d\n", en(r), CPU_EQUAL(&pinned.mask, &one),
	       pinned.getattr_mask_matches, CPU_EQUAL(&pinned_child.mask, &one));
	pthread_attr_destroy(&a);
	return 0;
}
