/*
 * demo: a thread-per-request program. 20,000 threads each submit a request
 * to a small worker pool through a mutex/condvar queue, wait for the reply,
 * and fold it into a checksum; the main thread joins them all and prints
 * the checksum (the same natively and under goro).
 *   demo [CLIENTS]     (default 20000)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { MAX_CLIENTS = 1000000, WORKERS = 8 };

struct request {
	uint64_t in, out;
	int done;
	pthread_cond_t done_cond;
	struct request *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;
static struct request *head, *tail;
static int closing;
static uint64_t checksum;

static uint64_t work(uint64_t x)
{
	for (int i = 0; i < 200; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

static void *worker(void *arg)
{
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!head && !closing)
			pthread_cond_wait(&queued, &lock);
		if (!head)
			break;
		struct request *r = head;
		head = r->next;
		if (!head)
			tail = NULL;
		pthread_mutex_unlock(&lock);
		uint64_t out = work(r->in);
		pthread_mutex_lock(&lock);
		r->out = out;
		r->done = 1;
		pthread_cond_signal(&r->done_cond);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void *client(void *arg)
{
	struct request r = {.in = (uint64_t)(uintptr_t)arg};
	pthread_cond_init(&r.done_cond, NULL);
	pthread_mutex_lock(&lock);
	if (tail)
		tail->next = &r;
	else
		head = &r;
	tail = &r;
	pthread_cond_signal(&queued);
	while (!r.done)
		pthread_cond_wait(&r.done_cond, &lock);
	checksum ^= r.out;
	pthread_mutex_unlock(&lock);
	pthread_cond_destroy(&r.done_cond);
	return NULL;
}

int main(int argc, char **argv)
{
	int clients_wanted = argc > 1 ? atoi(argv[1]) : 20000;
	if (clients_wanted < 1 || clients_wanted > MAX_CLIENTS) {
		fprintf(stderr, "demo: the argument is the number of client threads, 1 to %d\n", MAX_CLIENTS);
		return 2;
	}
	static pthread_t clients[MAX_CLIENTS], workers[WORKERS];
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < WORKERS; i++)
		if (pthread_create(&workers[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "demo: cannot create worker threads\n");
			return 1;
		}
	int created = 0;
	for (; created < clients_wanted; created++)
		if (pthread_create(&clients[created], &attr, client, (void *)(uintptr_t)(created + 1)) != 0)
			break;
	for (int i = 0; i < created; i++)
		pthread_join(clients[i], NULL);
	pthread_mutex_lock(&lock);
	closing = 1;
	pthread_cond_broadcast(&queued);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(workers[i], NULL);
	printf("%d requests, checksum %016llx\n", created, (unsigned long long)checksum);
	return created == clients_wanted ? 0 : 1;
}
