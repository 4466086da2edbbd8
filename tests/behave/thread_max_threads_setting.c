// goro-test: goro-only
// goro-test: goro-env=GORO_MAX_THREADS=100
// thread_max_threads_setting: with GORO_MAX_THREADS=100, the 100th live
// thread (the main thread counts) cannot be made: pthread_create returns
// EAGAIN, as NPTL does at RLIMIT_NPROC; when one exits and is joined, one
// more can be made.
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int go;
static pthread_t threads[200];

static void *waits(void *arg)
{
	pthread_mutex_lock(&m);
	while (!go)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	return NULL;
}

static void *returns(void *arg)
{
	return arg;
}

int main(void)
{
	int n = 0, err = 0;
	while (n < 200 && (err = pthread_create(&threads[n], NULL, waits, NULL)) == 0)
		n++;
	printf("threads made: %d, then %s\n", n, err == EAGAIN ? "EAGAIN" : err ? strerror(err) : "no error");
	pthread_mutex_lock(&m);
	go = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	int again = 0;
	for (int i = 0; i < 150; i++) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, returns, (void *)(long)i) == 0 && pthread_join(t, &r) == 0 && r == (void *)(long)i)
			again++;
	}
	printf("made and joined one at a time afterwards: %d of 150\n", again);
	return 0;
}
