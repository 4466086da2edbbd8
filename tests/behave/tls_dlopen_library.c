// tls_dlopen_library: __thread variables in a library loaded with dlopen()
// while threads are already running (build/tests/behave/libtls_dlopen.so).
// Threads that existed before the dlopen and threads created after it all
// see the initial values (a 16 KiB zeroed array included), keep their own
// copies, and get distinct addresses.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { NEARLY = 4, NLATE = 4, NTHREADS = NEARLY + NLATE, ROUNDS = 1000 };

static int *(*dl_int_addr)(void);
static char *(*dl_str_addr)(void);
static char *(*dl_big_addr)(void);
static int (*dl_big_is_zero)(void);
static void (*dl_big_fill)(int);
static int (*dl_big_is)(int);

static pthread_barrier_t loaded;      /* NEARLY + main */
static pthread_barrier_t set_barrier; /* NTHREADS */
static void *addrs[NTHREADS + 1][3];
static int errors;

static void bad(const char *what, int id)
{
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	printf("WRONG in thread %d: %s\n", id, what);
}

static int bwait(pthread_barrier_t *b)
{
	int rc = pthread_barrier_wait(b);
	return rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : rc;
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	if (id < NEARLY && bwait(&loaded))
		bad("barrier", id);
	if (*dl_int_addr() != 5 || strcmp(dl_str_addr(), "dl-initial") != 0 || !dl_big_is_zero())
		bad("initial values", id);
	addrs[id][0] = dl_int_addr();
	addrs[id][1] = dl_str_addr();
	addrs[id][2] = dl_big_addr();
	*dl_int_addr() = 50 + id;
	snprintf(dl_str_addr(), 16, "dl-%d", id);
	dl_big_fill(id + 1);
	if (bwait(&set_barrier))
		bad("barrier", id);
	char want[16];
	snprintf(want, sizeof want, "dl-%d", id);
	for (int i = 0; i < ROUNDS; i++) {
		if (i % 250 == 0)
			usleep(500);
		else
			sched_yield();
		if (*dl_int_addr() != 50 + id || strcmp(dl_str_addr(), want) != 0) {
			bad("value changed behind the thread's back", id);
			break;
		}
	}
	if (!dl_big_is(id + 1))
		bad("16 KiB array changed behind the thread's back", id);
	if (dl_int_addr() != addrs[id][0] || dl_big_addr() != addrs[id][2])
		bad("address changed within the thread", id);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NTHREADS];
	int rc;
	char path[PATH_MAX];

	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
	if (n <= 0) {
		perror("readlink /proc/self/exe");
		return 1;
	}
	path[n] = 0;
	char *slash = strrchr(path, '/');
	strcpy(slash + 1, "libtls_dlopen.so");

	if ((rc = pthread_barrier_init(&loaded, NULL, NEARLY + 1)) ||
	    (rc = pthread_barrier_init(&set_barrier, NULL, NTHREADS))) {
		printf("pthread_barrier_init: %d\n", rc);
		return 1;
	}
	for (int i = 0; i < NEARLY; i++)
		if ((rc = pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i))) {
			printf("pthread_create: %d\n", rc);
			return 1;
		}
	usleep(20000); /* let the early threads run and block before the library exists */

	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	dl_int_addr = (int *(*)(void))dlsym(h, "dl_int_addr");
	dl_str_addr = (char *(*)(void))dlsym(h, "dl_str_addr");
	dl_big_addr = (char *(*)(void))dlsym(h, "dl_big_addr");
	dl_big_is_zero = (int (*)(void))dlsym(h, "dl_big_is_zero");
	dl_big_fill = (void (*)(int))dlsym(h, "dl_big_fill");
	dl_big_is = (int (*)(int))dlsym(h, "dl_big_is");
	if (!dl_int_addr || !dl_str_addr || !dl_big_addr || !dl_big_is_zero || !dl_big_fill || !dl_big_is) {
		printf("dlsym failed\n");
		return 1;
	}
	if (*dl_int_addr() != 5 || strcmp(dl_str_addr(), "dl-initial") != 0 || !dl_big_is_zero())
		bad("initial values", -1);
	addrs[NTHREADS][0] = dl_int_addr();
	addrs[NTHREADS][1] = dl_str_addr();
	addrs[NTHREADS][2] = dl_big_addr();
	*dl_int_addr() = -1;

	if (bwait(&loaded))
		bad("barrier", -1);
	if (start_threads(t, NEARLY, NTHREADS, worker))
		return 1;
	if (join_threads(t, NTHREADS))
		return 1;

	int dup = shared_addresses(&addrs[0][0], NTHREADS + 1, 3);
	int main_ok = *dl_int_addr() == -1 && dl_big_is_zero();
	if ((rc = dlclose(h))) {
		printf("dlclose: %d\n", rc);
		return 1;
	}
	printf("threads running before dlopen: %d, created after: %d\n", NEARLY, NLATE);
	printf("main thread kept its values: %s\n", main_ok ? "yes" : "NO");
	printf("distinct addresses per thread: %s\n", dup ? "NO" : "yes");
	printf("errors: %d\n", errors);
	return errors || dup || !main_ok;
}
