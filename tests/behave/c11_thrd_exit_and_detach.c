// c11_thrd_exit_and_detach: thrd_exit's int reaches thrd_join (negative,
// large, from a nested call; a returned int the same); thrd_current names the
// thread thrd_create reported (thrd_equal), and differs from main's;
// thrd_detach says thrd_success and the detached thread still runs to its end;
// last, main calls thrd_exit while a detached thread is still running: the
// process lives on until that thread ends, and exits with status 0.
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>
#include <unistd.h>

static thrd_t main_thread;
static thrd_t reported[3];
static atomic_int same_as_reported;

static void leave(int result)
{
	thrd_exit(result);
}

static int exits_nested(void *arg)
{
	int i = (int)(long)arg;
	struct timespec d = {0, 10 * 1000000};
	thrd_sleep(&d, NULL);   /* thrd_create has stored the id by now */
	atomic_fetch_add(&same_as_reported, thrd_equal(thrd_current(), reported[i]) &&
					       !thrd_equal(thrd_current(), main_thread));
	leave(i == 0 ? -7 : i == 1 ? INT_MAX : INT_MIN);
	return 0;
}

static int returns(void *arg)
{
	return -12345;
}

static mtx_t lock;
static cnd_t cond;
static int detached_done;

static int detached(void *arg)
{
	struct timespec d = {0, 20 * 1000000};
	thrd_sleep(&d, NULL);
	mtx_lock(&lock);
	detached_done = 1;
	cnd_signal(&cond);
	mtx_unlock(&lock);
	return 0;
}

static int outlives_main(void *arg)
{
	struct timespec d = {0, 100 * 1000000};
	thrd_sleep(&d, NULL);
	printf("detached thread ends after main's thrd_exit\n");
	fflush(stdout);
	alarm(0);
	return 5;
}

static void on_alarm(int sig)
{
	static const char msg[] = "timed out\n";
	write(1, msg, sizeof msg - 1);
	_exit(1);
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(10);
	main_thread = thrd_current();
	printf("thrd_equal(thrd_current(), thrd_current()): %d\n", thrd_equal(thrd_current(), main_thread) != 0);
	for (int i = 0; i < 3; i++)
		thrd_create(&reported[i], exits_nested, (void *)(long)i);
	for (int i = 0; i < 3; i++) {
		int r = 0;
		int j = thrd_join(reported[i], &r);
		printf("thrd_exit result through thrd_join: %d (join %s)\n", r, j == thrd_success ? "ok" : "failed");
	}
	printf("threads whose thrd_current is what thrd_create reported: %d\n", atomic_load(&same_as_reported));
	thrd_t t;
	thrd_create(&t, returns, NULL);
	int r = 0;
	thrd_join(t, &r);
	printf("returned result through thrd_join: %d\n", r);
	thrd_join(t, NULL);

	mtx_init(&lock, mtx_plain);
	cnd_init(&cond);
	thrd_create(&t, detached, NULL);
	printf("thrd_detach: %s\n", thrd_detach(t) == thrd_success ? "thrd_success" : "failed");
	mtx_lock(&lock);
	while (!detached_done)
		cnd_wait(&cond, &lock);
	mtx_unlock(&lock);
	printf("detached thread ran to its end\n");

	thrd_create(&t, outlives_main, NULL);
	thrd_detach(t);
	printf("main calls thrd_exit\n");
	fflush(stdout);
	thrd_exit(3);
}
