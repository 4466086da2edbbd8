// tls_shared_library: __thread variables defined in a shared library the
// executable is linked against (build/tests/behave/libtls_dso.so). Each thread
// sees the initial values, keeps its changes private, and gets its own
// addresses; the executable's direct access and the library's own
// __tls_get_addr access agree on where each variable lives.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

extern __thread int dso_int;
extern __thread char dso_str[32];
int *dso_int_addr(void);
char *dso_str_addr(void);
long *dso_zero_addr(void);
int *dso_static_addr(void);
int *dso_ie_addr(void);
int dso_get_int(void);
void dso_set_int(int v);

enum { NTHREADS = 8, ROUNDS = 2000 };

static pthread_barrier_t set_barrier;
static void *addrs[NTHREADS + 1][5];
static int errors;

static void bad(const char *what, int id)
{
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	printf("WRONG in thread %d: %s\n", id, what);
}

static int initial_ok(void)
{
	return dso_int == 7 && dso_get_int() == 7 && strcmp(dso_str_addr(), "dso-initial") == 0 &&
	       *dso_zero_addr() == 0 && *dso_static_addr() == 11 && *dso_ie_addr() == 99;
}

static void record(int slot)
{
	addrs[slot][0] = dso_int_addr();
	addrs[slot][1] = dso_str_addr();
	addrs[slot][2] = dso_zero_addr();
	addrs[slot][3] = dso_static_addr();
	addrs[slot][4] = dso_ie_addr();
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	if (!initial_ok())
		bad("initial values", id);
	if (&dso_int != dso_int_addr() || dso_str != dso_str_addr())
		bad("executable and library disagree on a variable's address", id);
	record(id);

	dso_set_int(100 + id);
	snprintf(dso_str_addr(), 32, "dso-thread-%d", id);
	*dso_zero_addr() = id * 3L;
	*dso_static_addr() = id * 5;
	*dso_ie_addr() = id * 7;

	int rc = pthread_barrier_wait(&set_barrier);
	if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		bad("barrier", id);

	char want[32];
	snprintf(want, sizeof want, "dso-thread-%d", id);
	for (int i = 0; i < ROUNDS; i++) {
		if (i % 500 == 0)
			usleep(500);
		else
			sched_yield();
		if (dso_int != 100 + id || dso_get_int() != 100 + id || strcmp(dso_str, want) != 0 ||
		    *dso_zero_addr() != id * 3L || *dso_static_addr() != id * 5 ||
		    *dso_ie_addr() != id * 7) {
			bad("value changed behind the thread's back", id);
			break;
		}
	}
	if (dso_int_addr() != addrs[id][0] || dso_ie_addr() != addrs[id][4])
		bad("address changed within the thread", id);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NTHREADS];
	int rc;

	if (!initial_ok())
		bad("initial values", -1);
	record(NTHREADS);
	dso_set_int(-1);

	if ((rc = pthread_barrier_init(&set_barrier, NULL, NTHREADS))) {
		printf("pthread_barrier_init: %d\n", rc);
		return 1;
	}
	if (start_threads(t, 0, NTHREADS, worker))
		return 1;
	if (join_threads(t, NTHREADS))
		return 1;

	int dup = shared_addresses(&addrs[0][0], NTHREADS + 1, 5);

	printf("threads: %d, variables checked: 5 (global, static, .tbss, initial-exec)\n", NTHREADS);
	printf("main thread kept its values: %s\n",
	       dso_int == -1 && strcmp(dso_str, "dso-initial") == 0 ? "yes" : "NO");
	printf("distinct addresses per thread: %s\n", dup ? "NO" : "yes");
	printf("errors: %d\n", errors);
	return errors || dup || dso_int != -1;
}
