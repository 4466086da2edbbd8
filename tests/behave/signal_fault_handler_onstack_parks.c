// signal_fault_handler_onstack_parks: a SIGSEGV handler installed with
// SA_ONSTACK (the program set no alternate stack, so it runs on the thread's
// own stack) that sleeps, in a thread that first ran deep, while 8 other
// threads check their stacks: nothing is clobbered, the handler's locals
// survive, and sigaction reads SA_ONSTACK back.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int stop, handler_ok;

static void handler(int sig, siginfo_t *si, void *uc)
{
	char local[64];
	memset(local, 1, sizeof local);
	usleep(1500000);
	handler_ok = local[5] == 1;
}

static int deep(int n)
{
	volatile char b[1024];
	b[0] = (char)n;
	return n ? deep(n - 1) + b[0] : b[0];
}

static void *faulter(void *a)
{
	deep(40);   /* deeper first: pages below the handler's frame were in use */
	raise(SIGSEGV);
	return NULL;
}

static void *worker(void *a)
{
	long id = (long)a;
	volatile long mine[64];
	for (int i = 0; i < 64; i++)
		mine[i] = id * 100 + i;
	while (!stop) {
		usleep(10000);
		for (int i = 0; i < 64; i++)
			if (mine[i] != id * 100 + i) {
				printf("worker %ld: stack clobbered\n", id);
				exit(3);
			}
	}
	return NULL;
}

int main(void)
{
	struct sigaction sa, back;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGSEGV, NULL, &back);
	printf("SA_ONSTACK read back: %s\n", back.sa_flags & SA_ONSTACK ? "yes" : "no");
	pthread_t w[8], f;
	for (long i = 0; i < 8; i++)
		pthread_create(&w[i], NULL, worker, (void *)i);
	pthread_create(&f, NULL, faulter, NULL);
	pthread_join(f, NULL);
	stop = 1;
	for (int i = 0; i < 8; i++)
		pthread_join(w[i], NULL);
	printf("handler's locals intact: %s\n", handler_ok ? "yes" : "NO");
	printf("other threads' stacks intact: yes\n");
	return 0;
}
