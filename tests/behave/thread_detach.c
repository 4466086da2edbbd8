// thread_detach: pthread_detach on a running thread and on a thread that has
// already finished, and threads created with PTHREAD_CREATE_DETACHED (which
// pthread_getattr_np reports as detached, while joinable threads report
// joinable), all run to completion and need no join.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { NDETACHED = 200 };

static sem_t done;
static int ran, reported_detached, reported_joinable, errors;

static void *worker(void *arg)
{
	pthread_attr_t a;
	int state = -1;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		if (pthread_attr_getdetachstate(&a, &state))
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
		pthread_attr_destroy(&a);
	} else {
		__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	}
	if (arg != NULL) { /* told to check what it should be */
		intptr_t want = (intptr_t)arg - 1;
		if (state == want && want == PTHREAD_CREATE_DETACHED)
			__atomic_fetch_add(&reported_detached, 1, __ATOMIC_RELAXED);
		if (state == want && want == PTHREAD_CREATE_JOINABLE)
			__atomic_fetch_add(&reported_joinable, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&ran, 1, __ATOMIC_RELAXED);
	if (sem_post(&done))
		__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void wait_done(int n)
{
	for (int i = 0; i < n; i++)
		while (sem_wait(&done))
			if (errno != EINTR) {
				errors++;
				return;
			}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t;
	pthread_attr_t a;
	int rc, state = -1;

	if (sem_init(&done, 0, 0))
		return 1;

	/* pthread_detach right after create */
	int detach_ok = 0;
	for (int i = 0; i < NDETACHED; i++) {
		if ((rc = pthread_create(&t, NULL, worker, NULL))) {
			printf("pthread_create: %d\n", rc);
			return 1;
		}
		detach_ok += pthread_detach(t) == 0;
	}
	wait_done(NDETACHED);
	printf("pthread_detach of a running thread returned 0: %d of %d\n", detach_ok, NDETACHED);

	/* pthread_detach of a thread that has already finished */
	if ((rc = pthread_create(&t, NULL, worker, NULL))) {
		printf("pthread_create: %d\n", rc);
		return 1;
	}
	wait_done(1);
	usleep(50000);
	int fin_rc = pthread_detach(t);
	printf("pthread_detach of a finished thread: %s\n", fin_rc ? strerrorname_np(fin_rc) : "0");

	/* created detached */
	if (pthread_attr_init(&a) || pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) ||
	    pthread_attr_getdetachstate(&a, &state) || state != PTHREAD_CREATE_DETACHED) {
		printf("attr detachstate round trip failed\n");
		return 1;
	}
	int made = 0;
	for (int i = 0; i < NDETACHED; i++)
		made += pthread_create(&t, &a, worker, (void *)(intptr_t)(PTHREAD_CREATE_DETACHED + 1)) == 0;
	wait_done(made);
	pthread_attr_destroy(&a);
	printf("created with PTHREAD_CREATE_DETACHED: %d of %d, reported detached by pthread_getattr_np: %d\n",
	       made, NDETACHED, reported_detached);

	if ((rc = pthread_create(&t, NULL, worker, (void *)(intptr_t)(PTHREAD_CREATE_JOINABLE + 1))) ||
	    (rc = pthread_join(t, NULL))) {
		printf("create/join: %d\n", rc);
		return 1;
	}
	printf("joinable thread reported joinable: %s\n", reported_joinable == 1 ? "yes" : "NO");

	usleep(50000); /* let the detached threads finish exiting */
	printf("threads that ran: %d\n", ran);
	printf("errors: %d\n", errors);
	return !(detach_ok == NDETACHED && fin_rc == 0 && made == NDETACHED && reported_detached == NDETACHED &&
		 reported_joinable == 1 && ran == 2 * NDETACHED + 2 && errors == 0);
}
