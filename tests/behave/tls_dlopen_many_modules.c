// tls_dlopen_many_modules: 70 libraries with __thread variables (copies of
// build/tests/behave/libtls_module.so under 70 names) are loaded one by one
// while 4 threads wait and one keeps running and reading every module loaded
// so far (glibc grows each thread's table of TLS modules as it goes); then
// every thread, old and new, sees each module's initial value in a copy of
// its own.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define CHECK(x)                                                         \
	do {                                                             \
		if (!(x)) {                                              \
			printf("failed: %s (line %d)\n", #x, __LINE__); \
			return 1;                                        \
		}                                                        \
	} while (0)

enum { MODULES = 70, WAITERS = 4, LATE = 4 };
static int *(*value_addr[MODULES])(void);
static _Atomic int loaded;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int go, stop;
static _Atomic int bad_values, shared_copies;

/* Every module: the initial value in this thread's copy, then our own mark in it. */
static void check_all_modules(int mark)
{
	int *mine[MODULES];
	for (int i = 0; i < MODULES; i++) {
		mine[i] = value_addr[i]();
		if (*mine[i] != 7)
			bad_values++;
		*mine[i] = mark + i;
	}
	sched_yield();
	for (int i = 0; i < MODULES; i++)
		if (*value_addr[i]() != mark + i || value_addr[i]() != mine[i])
			shared_copies++;
}

static void *waiter(void *arg)
{
	pthread_mutex_lock(&m);
	while (!go)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	check_all_modules((int)(long)arg * 1000);
	return NULL;
}

static void *reader(void *arg)
{
	long reads = 0;
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		int n = loaded;
		for (int i = 0; i < n; i++)
			reads += *value_addr[i]() == 7;
		sched_yield();
	}
	return (void *)reads;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	ssize_t n = 0;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in >= 0 && out >= 0 && n == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	watchdog_start(50);
	char exe[PATH_MAX], lib[PATH_MAX + 32], dir[] = "/tmp/tls_modules_XXXXXX";
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	CHECK(len > 0);
	exe[len] = 0;
	snprintf(lib, sizeof lib, "%.*s/libtls_module.so", (int)(strrchr(exe, '/') - exe), exe);
	CHECK(mkdtemp(dir) != NULL);

	pthread_t waiters[WAITERS], late[LATE], r;
	for (long i = 0; i < WAITERS; i++)
		CHECK(pthread_create(&waiters[i], NULL, waiter, (void *)(i + 1)) == 0);
	CHECK(pthread_create(&r, NULL, reader, NULL) == 0);
	int failed_loads = 0;
	for (int i = 0; i < MODULES; i++) {
		char path[sizeof dir + 32];
		snprintf(path, sizeof path, "%s/lib%d.so", dir, i);
		void *h = copy_file(lib, path) == 0 ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
		unlink(path);
		if (!h || !(value_addr[i] = (int *(*)(void))dlsym(h, "module_value_addr"))) {
			failed_loads++;
			break;
		}
		loaded = i + 1;
	}
	rmdir(dir);
	printf("modules loaded: %d\n", failed_loads ? -1 : MODULES);
	if (failed_loads)
		return 1;
	check_all_modules(100000);
	pthread_mutex_lock(&m);
	go = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	for (long i = 0; i < LATE; i++)
		CHECK(pthread_create(&late[i], NULL, waiter, (void *)(i + 11)) == 0);
	for (int i = 0; i < WAITERS; i++)
		pthread_join(waiters[i], NULL);
	for (int i = 0; i < LATE; i++)
		pthread_join(late[i], NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	void *reads;
	pthread_join(r, &reads);
	printf("the running thread read the modules: %s\n", (long)reads > 0 ? "yes" : "NO");
	printf("initial values seen by every thread: %s\n", bad_values == 0 ? "yes" : "NO");
	printf("a copy of its own in every thread: %s\n", shared_copies == 0 ? "yes" : "NO");
	return 0;
}
