// thread_default_attributes: pthread_setattr_default_np changes what a thread created
// without attributes gets, every field of it, as NPTL's pthread_create uses the default
// attribute whole (glibc's tst-default-attr): stack and guard size, detach state (the
// thread cannot be detached again), PTHREAD_EXPLICIT_SCHED with its policy (SCHED_RR,
// or EPERM without the privilege, as natively), the CPU mask and the signal mask; and
// pthread_getattr_np reports them, PTHREAD_EXPLICIT_SCHED included, for a default or an
// explicit attribute. A reset default gives an ordinary thread again (its stack size 0
// keeps the default's). pthread_setattr_default_np refuses (EINVAL) a stack address and
// a priority its policy does not have. A thread created with an attribute that has no
// CPU mask has its creator's mask (the process's), not every CPU.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "check.h"

struct seen {
	size_t stack_size, guard_size;
	int detach_state, inherit, policy, attr_policy, priority;
	int detach_again;             /* pthread_detach(pthread_self()) */
	int mask_is_wanted, sigusr1_blocked;
	sem_t done;
};

static cpu_set_t wanted_mask;

static void *report(void *arg)
{
	struct seen *s = arg;
	pthread_attr_t a;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		pthread_attr_getstacksize(&a, &s->stack_size);
		pthread_attr_getguardsize(&a, &s->guard_size);
		pthread_attr_getdetachstate(&a, &s->detach_state);
		pthread_attr_getinheritsched(&a, &s->inherit);
		pthread_attr_getschedpolicy(&a, &s->attr_policy);
		pthread_attr_destroy(&a);
	}
	struct sched_param param;
	pthread_getschedparam(pthread_self(), &s->policy, &param);
	s->priority = param.sched_priority;
	cpu_set_t mask;
	pthread_getaffinity_np(pthread_self(), sizeof mask, &mask);
	s->mask_is_wanted = CPU_EQUAL(&mask, &wanted_mask);
	sigset_t blocked;
	pthread_sigmask(SIG_BLOCK, NULL, &blocked);
	s->sigusr1_blocked = sigismember(&blocked, SIGUSR1);
	if (s->detach_state == PTHREAD_CREATE_DETACHED)
		s->detach_again = pthread_detach(pthread_self());
	sem_post(&s->done);
	return NULL;
}

/* Runs report in a new thread (attr NULL: the default attribute) and waits for it. */
static int run(const pthread_attr_t *attr, struct seen *s)
{
	memset(s, 0, sizeof *s);
	s->detach_again = -1;
	sem_init(&s->done, 0, 0);
	pthread_t t;
	int r = pthread_create(&t, attr, report, s);
	if (r)
		return r;
	while (sem_wait(&s->done) != 0)
		;
	if (s->detach_state != PTHREAD_CREATE_DETACHED)
		pthread_join(t, NULL);
	return 0;
}

static const char *policy_name(int p)
{
	return p == SCHED_OTHER ? "SCHED_OTHER" : p == SCHED_RR ? "SCHED_RR" : "other";
}

static void print(const char *what, int r, const struct seen *s, size_t stack_size, size_t guard_size)
{
	printf("%s: create %s", what, en(r));
	if (r == 0)
		printf(", stack size as set %d, guard size as set %d, %s, detach again %s, %s, policy %s "
		       "(attribute says %s) priority %d, CPU mask as wanted %d, SIGUSR1 blocked %d",
		       s->stack_size == stack_size, s->guard_size == guard_size,
		       s->detach_state == PTHREAD_CREATE_DETACHED ? "detached" : "joinable",
		       s->detach_again < 0 ? "-" : en(s->detach_again),
		       s->inherit == PTHREAD_EXPLICIT_SCHED ? "explicit sched" : "inherit sched",
		       policy_name(s->policy), policy_name(s->attr_policy), s->priority,
		       s->mask_is_wanted, s->sigusr1_blocked);
	printf("\n");
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	cpu_set_t process;
	sched_getaffinity(0, sizeof process, &process);
	int last = -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &process))
			last = cpu;

	pthread_attr_t original;
	pthread_getattr_default_np(&original);
	size_t default_stack, default_guard;
	pthread_attr_getstacksize(&original, &default_stack);
	pthread_attr_getguardsize(&original, &default_guard);

	/* every field at once */
	size_t stack_size = 1024 * 1024 + page, guard_size = default_guard + page;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, stack_size);
	pthread_attr_setguardsize(&a, guard_size);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	CPU_ZERO(&wanted_mask);
	CPU_SET(last, &wanted_mask);
	pthread_attr_setaffinity_np(&a, sizeof wanted_mask, &wanted_mask);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_attr_setsigmask_np(&a, &usr1);
	printf("set default: %s\n", en(pthread_setattr_default_np(&a)));
	struct seen s;
	for (int i = 0; i < 2; i++) {   /* twice: the first thread does not use it up */
		int r = run(NULL, &s);
		print("default attribute", r, &s, stack_size, guard_size);
	}

	/* the same attribute given explicitly */
	int r = run(&a, &s);
	print("same attribute explicitly", r, &s, stack_size, guard_size);
	pthread_attr_destroy(&a);

	/* explicit scheduling (EPERM, natively too, without the right to real-time policies) */
	pthread_attr_t sched;
	pthread_attr_init(&sched);
	pthread_attr_setinheritsched(&sched, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&sched, SCHED_RR);
	struct sched_param param = {.sched_priority = 1};
	pthread_attr_setschedparam(&sched, &param);
	printf("set default SCHED_RR: %s\n", en(pthread_setattr_default_np(&sched)));
	wanted_mask = process;
	r = run(NULL, &s);
	print("default attribute SCHED_RR", r, &s, stack_size, default_guard);
	r = run(&sched, &s);
	print("same attribute explicitly", r, &s, default_stack, default_guard);
	pthread_attr_destroy(&sched);

	/* back to a plain attribute: joinable, inherited scheduling, the process's mask; its
	 * stack size 0 keeps the default stack size as it was */
	pthread_attr_init(&a);
	printf("reset default: %s\n", en(pthread_setattr_default_np(&a)));
	r = run(NULL, &s);
	print("default attribute after reset", r, &s, stack_size, default_guard);

	/* an attribute without a CPU mask: the creator's mask */
	pthread_attr_setstacksize(&a, stack_size);
	r = run(&a, &s);
	print("attribute without a CPU mask", r, &s, stack_size, default_guard);
	pthread_attr_destroy(&a);

	/* what pthread_setattr_default_np refuses */
	static char stack[1 << 17];
	pthread_attr_init(&a);
	pthread_attr_setstack(&a, stack, sizeof stack);
	printf("default with a stack address: %s\n", en(pthread_setattr_default_np(&a)));
	pthread_attr_destroy(&a);
	pthread_attr_init(&a);
	pthread_attr_setschedpolicy(&a, SCHED_RR);
	param.sched_priority = 5;
	pthread_attr_setschedparam(&a, &param);
	pthread_attr_setschedpolicy(&a, SCHED_OTHER);   /* keeps priority 5 */
	printf("default SCHED_OTHER priority 5: %s\n", en(pthread_setattr_default_np(&a)));
	pthread_attr_destroy(&a);
	r = run(NULL, &s);
	print("default attribute after refusals", r, &s, stack_size, default_guard);

	pthread_setattr_default_np(&original);
	pthread_attr_destroy(&original);
	return 0;
}
