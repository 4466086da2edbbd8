// cond_broadcast: pthread_cond_broadcast wakes every waiter, round after
// round; and N pthread_cond_signal calls, each handing over one token, let N
// waiters through (no lost wake-ups).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { NWAITERS = 50, ROUNDS = 20, NTOKEN_WAITERS = 40 };

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cv = PTHREAD_COND_INITIALIZER;     /* waiters wait here */
static pthread_cond_t state_cv = PTHREAD_COND_INITIALIZER;  /* main waits here */
static int generation, waiting, woken, errors, tokens, taken;

static void lock(void)
{
	if (pthread_mutex_lock(&m))
		abort();
}

static void unlock(void)
{
	if (pthread_mutex_unlock(&m))
		abort();
}

static void *waiter(void *arg)
{
	for (int r = 0; r < ROUNDS; r++) {
		lock();
		int my_gen = generation;
		waiting++;
		if (pthread_cond_signal(&state_cv))
			errors++;
		while (generation == my_gen)
			if (pthread_cond_wait(&go_cv, &m))
				errors++;
		woken++;
		if (pthread_cond_signal(&state_cv))
			errors++;
		unlock();
	}
	return NULL;
}

static void *token_waiter(void *arg)
{
	lock();
	waiting++;
	if (pthread_cond_signal(&state_cv))
		errors++;
	while (tokens == 0)
		if (pthread_cond_wait(&go_cv, &m))
			errors++;
	tokens--;
	taken++;
	unlock();
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NWAITERS];
	int ok = 1;

	for (int i = 0; i < NWAITERS; i++)
		if (pthread_create(&t[i], NULL, waiter, NULL)) {
			printf("pthread_create failed\n");
			return 1;
		}
	int all_rounds_ok = 1;
	for (int r = 0; r < ROUNDS; r++) {
		lock();
		while (waiting < NWAITERS)
			if (pthread_cond_wait(&state_cv, &m))
				errors++;
		waiting = 0;
		woken = 0;
		generation++;
		if (pthread_cond_broadcast(&go_cv))
			errors++;
		while (woken < NWAITERS)
			if (pthread_cond_wait(&state_cv, &m))
				errors++;
		if (woken != NWAITERS)
			all_rounds_ok = 0;
		unlock();
	}
	for (int i = 0; i < NWAITERS; i++)
		if (pthread_join(t[i], NULL)) {
			printf("pthread_join failed\n");
			return 1;
		}
	printf("broadcast: %d rounds, all %d waiters woken each round: %s\n", ROUNDS, NWAITERS,
	       all_rounds_ok ? "yes" : "NO");
	ok &= all_rounds_ok;

	/* signal hand-off: one token per signal, every waiter gets one */
	waiting = 0;
	for (int i = 0; i < NTOKEN_WAITERS; i++)
		if (pthread_create(&t[i], NULL, token_waiter, NULL)) {
			printf("pthread_create failed\n");
			return 1;
		}
	lock();
	while (waiting < NTOKEN_WAITERS)
		if (pthread_cond_wait(&state_cv, &m))
			errors++;
	unlock();
	for (int i = 0; i < NTOKEN_WAITERS; i++) {
		lock();
		tokens++;
		if (pthread_cond_signal(&go_cv))
			errors++;
		unlock();
	}
	for (int i = 0; i < NTOKEN_WAITERS; i++)
		if (pthread_join(t[i], NULL)) {
			printf("pthread_join failed\n");
			return 1;
		}
	printf("signal: %d signals, tokens taken: %d, left: %d\n", NTOKEN_WAITERS, taken, tokens);
	ok &= taken == NTOKEN_WAITERS && tokens == 0;
	printf("errors: %d\n", errors);
	return !(ok && errors == 0);
}
