// once_exception_resets: a C++ exception thrown out of a pthread_once init routine
// reaches pthread_once's caller (its value intact) and leaves the once "not run", as
// NPTL does (glibc's tst-once5): the next pthread_once runs init again, and a thread
// already waiting in pthread_once while init threw wakes and runs it. Once init has
// returned, it never runs again. On the main thread and on created threads.
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <unistd.h>
#include <cstdio>
#include <cstring>

struct OnceException {
	int value;
};

static void watchdog_fired(int)
{
	const char msg[] = "timed out: a pthread_once waits for ever\n";
	(void)!write(2, msg, sizeof msg - 1);
	_exit(3);
}

/* ---- on the main thread: throw twice, then succeed ---- */
static pthread_once_t main_once = PTHREAD_ONCE_INIT;
static int main_runs;

static void main_init()
{
	if (++main_runs <= 2)
		throw OnceException{main_runs};
}

static const char *call_main_once()
{
	static char what[64];
	try {
		int r = pthread_once(&main_once, main_init);
		snprintf(what, sizeof what, "returned %d", r);
	} catch (const OnceException &e) {
		snprintf(what, sizeof what, "threw OnceException %d", e.value);
	} catch (...) {
		snprintf(what, sizeof what, "threw something else");
	}
	return what;
}

/* ---- between threads: init throws while another thread waits for it ---- */
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
static int shared_runs;
static sem_t in_init, second_calls;

static void shared_init()
{
	if (++shared_runs == 1) {
		sem_post(&in_init);
		while (sem_wait(&second_calls) != 0)
			;
		usleep(100 * 1000);   /* the second thread is waiting in pthread_once by now */
		throw OnceException{7};
	}
}

static void *first_caller(void *result)
{
	try {
		pthread_once(&shared_once, shared_init);
		strcpy((char *)result, "returned");
	} catch (const OnceException &e) {
		snprintf((char *)result, 64, "threw OnceException %d", e.value);
	}
	return nullptr;
}

static void *second_caller(void *result)
{
	sem_post(&second_calls);
	int r = pthread_once(&shared_once, shared_init);
	snprintf((char *)result, 64, "returned %d", r);
	return nullptr;
}

int main()
{
	setvbuf(stdout, nullptr, _IOLBF, 0);   /* what ran before a hang shows */
	signal(SIGALRM, watchdog_fired);
	alarm(10);

	for (int i = 1; i <= 4; i++) {
		const char *what = call_main_once();   /* before printf: evaluated first */
		printf("main thread, call %d: %s, init ran %d times\n", i, what, main_runs);
	}

	sem_init(&in_init, 0, 0);
	sem_init(&second_calls, 0, 0);
	char first[64] = "", second[64] = "";
	pthread_t a, b;
	pthread_create(&a, nullptr, first_caller, first);
	while (sem_wait(&in_init) != 0)
		;
	pthread_create(&b, nullptr, second_caller, second);
	pthread_join(a, nullptr);
	pthread_join(b, nullptr);
	printf("thread running init: %s\n", first);
	printf("thread waiting meanwhile: %s, init ran %d times\n", second, shared_runs);
	return 0;
}
