// cond_destroy_after_broadcast: "lock, set the flag, broadcast, unlock,
// destroy, reuse the memory" is allowed once every waiter has been woken:
// the woken waiters must not touch the condvar's memory afterwards.
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { WAITERS = 8, ROUNDS = 200 };
struct box {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int flag;
};
static struct box box;

static void *waiter(void *arg)
{
	pthread_mutex_lock(&box.mu);
	while (!box.flag)
		pthread_cond_wait(&box.cv, &box.mu);
	pthread_mutex_unlock(&box.mu);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int changed = 0;
	for (int round = 0; round < ROUNDS; round++) {
		pthread_mutex_init(&box.mu, NULL);
		pthread_cond_init(&box.cv, NULL);
		box.flag = 0;
		pthread_t t[WAITERS];
		for (int i = 0; i < WAITERS; i++)
			pthread_create(&t[i], NULL, waiter, NULL);
		usleep(round % 10 == 0 ? 2000 : 100);
		pthread_mutex_lock(&box.mu);
		box.flag = 1;
		pthread_cond_broadcast(&box.cv);
		pthread_mutex_unlock(&box.mu);
		pthread_cond_destroy(&box.cv);
		memset(&box.cv, 0xAA, sizeof box.cv);   /* the memory is reused */
		for (int i = 0; i < WAITERS; i++)
			pthread_join(t[i], NULL);
		const unsigned char *p = (const unsigned char *)&box.cv;
		for (size_t i = 0; i < sizeof box.cv; i++)
			changed += p[i] != 0xAA;
	}
	printf("%d rounds; bytes of destroyed condvars written afterwards: %d\n", ROUNDS, changed);
	return changed != 0;
}
