// c11_call_once: 8 threads call call_once on one once_flag at the same time;
// the routine runs exactly once, and every caller returns only after it has
// finished (the routine sleeps 50 ms, so the others must wait for it); a
// second once_flag runs its routine again, once.
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>

static once_flag flag = ONCE_FLAG_INIT, other_flag = ONCE_FLAG_INIT;
static atomic_int runs, done, other_runs;

static void init(void)
{
	atomic_fetch_add(&runs, 1);
	struct timespec d = {0, 50 * 1000000};
	thrd_sleep(&d, NULL);
	atomic_store(&done, 1);
}

static void other_init(void)
{
	atomic_fetch_add(&other_runs, 1);
}

static int caller(void *arg)
{
	call_once(&flag, init);
	int saw_done = atomic_load(&done);
	call_once(&other_flag, other_init);
	return saw_done;
}

int main(void)
{
	thrd_t t[8];
	for (int i = 0; i < 8; i++)
		thrd_create(&t[i], caller, NULL);
	int all_saw_done = 1;
	for (int i = 0; i < 8; i++) {
		int r;
		thrd_join(t[i], &r);
		all_saw_done &= r;
	}
	call_once(&flag, init);
	printf("routine ran %d time(s)\n", atomic_load(&runs));
	printf("every caller returned after it finished: %s\n", all_saw_done ? "yes" : "no");
	printf("second flag's routine ran %d time(s)\n", atomic_load(&other_runs));
	return !(atomic_load(&runs) == 1 && all_saw_done && atomic_load(&other_runs) == 1);
}
