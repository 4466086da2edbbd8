// tls_executable: __thread variables defined in the executable. Every thread
// (including one created by another thread) starts from the initial values,
// changes stay private to the thread across yields and sleeps, addresses
// differ between threads, stay fixed within one thread, and honour alignment.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { NTHREADS = 8, ROUNDS = 2000 };

__thread int tls_int = 42;
__thread char tls_str[32] = "initial";
__thread long tls_zero;                       /* .tbss */
static __thread double tls_arr[4] = { 1.5, 2.5, 3.5, 4.5 };
static __thread char tls_aligned[64] __attribute__((aligned(64)));

static pthread_barrier_t set_barrier;
static void *addrs[NTHREADS + 1][3];
static int errors;

static void bad(const char *what, int id)
{
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	printf("WRONG in thread %d: %s\n", id, what);
}

static int initial_ok(void)
{
	return tls_int == 42 && strcmp(tls_str, "initial") == 0 && tls_zero == 0 &&
	       tls_arr[0] == 1.5 && tls_arr[3] == 4.5 && tls_aligned[0] == 0 &&
	       tls_aligned[63] == 0;
}

__attribute__((noinline)) static int *int_addr(void)
{
	return &tls_int;
}

static void *child(void *arg)
{
	/* created by a thread that changed its values: a fresh thread starts clean */
	return (void *)(intptr_t)initial_ok();
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	if (!initial_ok())
		bad("initial values", id);
	if ((uintptr_t)tls_aligned % 64 != 0)
		bad("alignment of a 64-byte aligned __thread array", id);
	addrs[id][0] = &tls_int;
	addrs[id][1] = tls_str;
	addrs[id][2] = &tls_zero;
	int *before = int_addr();

	tls_int = id;
	snprintf(tls_str, sizeof tls_str, "thread-%d", id);
	tls_zero = 1000L * id;
	tls_arr[2] = id + 0.25;
	memset(tls_aligned, id, sizeof tls_aligned);

	pthread_t c;
	void *cret;
	if (pthread_create(&c, NULL, child, NULL) || pthread_join(c, &cret)) {
		bad("create/join of child", id);
		return NULL;
	}
	if (!cret)
		bad("child thread did not start from the initial values", id);

	int rc = pthread_barrier_wait(&set_barrier);
	if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		bad("barrier", id);

	char want[32];
	snprintf(want, sizeof want, "thread-%d", id);
	for (int i = 0; i < ROUNDS; i++) {
		if (i % 500 == 0)
			usleep(500);
		else
			sched_yield();
		if (tls_int != id || strcmp(tls_str, want) != 0 || tls_zero != 1000L * id ||
		    tls_arr[2] != id + 0.25 || tls_aligned[0] != id || tls_aligned[63] != id) {
			bad("value changed behind the thread's back", id);
			break;
		}
	}
	if (int_addr() != before)
		bad("address of a __thread variable changed within the thread", id);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NTHREADS];
	int rc;

	if (!initial_ok())
		bad("initial values", -1);
	tls_int = -1;
	strcpy(tls_str, "main");
	addrs[NTHREADS][0] = &tls_int;
	addrs[NTHREADS][1] = tls_str;
	addrs[NTHREADS][2] = &tls_zero;

	if ((rc = pthread_barrier_init(&set_barrier, NULL, NTHREADS))) {
		printf("pthread_barrier_init: %d\n", rc);
		return 1;
	}
	if (start_threads(t, 0, NTHREADS, worker))
		return 1;
	if (join_threads(t, NTHREADS))
		return 1;

	int dup = shared_addresses(&addrs[0][0], NTHREADS + 1, 3);

	printf("threads: %d (each also created a child)\n", NTHREADS);
	printf("main thread kept its values: %s\n",
	       tls_int == -1 && strcmp(tls_str, "main") == 0 && tls_arr[2] == 3.5 ? "yes" : "NO");
	printf("distinct addresses per thread: %s\n", dup ? "NO" : "yes");
	printf("errors: %d\n", errors);
	return errors || dup || tls_int != -1;
}
