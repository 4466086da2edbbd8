// signal_mask_from_attribute: pthread_attr_setsigmask_np gives a new thread
// its signal mask instead of its creator's; without it the creator's is
// inherited; set on the default attribute (pthread_setattr_default_np), it
// applies to threads created without attributes. As glibc's
// tst-pthread-attr-sigmask.
#define _GNU_SOURCE
#include "check.h"

static void *report_mask(void *name)
{
	sigset_t mask;
	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	printf("%s: SIGHUP %s, SIGUSR1 %s, SIGUSR2 %s\n", (const char *)name,
	       sigismember(&mask, SIGHUP) ? "blocked" : "open",
	       sigismember(&mask, SIGUSR1) ? "blocked" : "open",
	       sigismember(&mask, SIGUSR2) ? "blocked" : "open");
	return NULL;
}

static void run(pthread_attr_t *attr, const char *name)
{
	pthread_t t;
	if (pthread_create(&t, attr, report_mask, (void *)name) != 0 || pthread_join(t, NULL) != 0)
		printf("%s: pthread_create/join failed\n", name);
}

int main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);   /* the creator blocks SIGUSR1 */

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	run(&attr, "plain attribute (inherits)");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_attr_setsigmask_np(&attr, &set);
	run(&attr, "attribute with mask {SIGUSR2}");
	pthread_attr_setsigmask_np(&attr, NULL);
	run(&attr, "attribute mask cleared (inherits)");

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	pthread_attr_setsigmask_np(&attr, &set);
	pthread_setattr_default_np(&attr);
	run(NULL, "no attribute, default mask {SIGHUP}");
	pthread_attr_destroy(&attr);
	return 0;
}
