/*
 * Leaves threads behind at exit: one blocked on a condition variable, one
 * that exited but was never joined; a joined one and a detached one that
 * finished are not leaks. With the argument "clean" it leaves none.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *blocks_forever(void *arg)
{
	pthread_mutex_lock(&m);
	pthread_cond_wait(&never, &m);
	return NULL;
}

static void *returns_at_once(void *arg)
{
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	pthread_create(&t, NULL, returns_at_once, NULL);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, returns_at_once, NULL);
	pthread_detach(t);
	if (argc < 2 || strcmp(argv[1], "clean") != 0) {
		pthread_create(&t, NULL, blocks_forever, NULL);
		pthread_create(&t, NULL, returns_at_once, NULL);
	}
	usleep(100000);
	puts("main returns");
	return 0;
}
