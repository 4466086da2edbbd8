// signal_eintr: pthread_kill() to a thread blocked in read(), sem_wait(),
// nanosleep() and pthread_mutex_lock(): the handler runs in that thread.
// Without SA_RESTART read and sem_wait fail with EINTR; with SA_RESTART read
// goes on and returns the data (sem_wait would too, signal(7)); nanosleep
// always fails with EINTR, with time left; a mutex lock is never interrupted.
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t target;
static volatile int handled, handled_in_target;

static void on_usr1(int sig)
{
	handled++;
	if (pthread_equal(pthread_self(), target))
		handled_in_target++;
}

static void install(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static int fds[2];
static sem_t sem;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

static void *do_read(void *arg)
{
	char c;
	errno = 0;
	ssize_t n = read(fds[0], &c, 1);
	printf("  read returned %zd, errno %s, byte '%c'\n", n, errno == EINTR ? "EINTR" : errno ? "other" : "none",
	       n == 1 ? c : '-');
	return NULL;
}

static void *do_sem(void *arg)
{
	errno = 0;
	int r = sem_wait(&sem);
	printf("  sem_wait returned %d, errno %s\n", r, errno == EINTR ? "EINTR" : errno ? "other" : "none");
	return NULL;
}

static void *do_sleep(void *arg)
{
	struct timespec req = {5, 0}, rem = {0, 0};
	errno = 0;
	int r = nanosleep(&req, &rem);
	printf("  nanosleep returned %d, errno %s, time left: %s\n", r, errno == EINTR ? "EINTR" : "other",
	       rem.tv_sec > 0 && rem.tv_sec <= 5 ? "yes" : "no");
	return NULL;
}

static void *do_lock(void *arg)
{
	int r = pthread_mutex_lock(&mutex);
	printf("  mutex_lock returned %d\n", r);
	pthread_mutex_unlock(&mutex);
	return NULL;
}

static void run(const char *what, void *(*fn)(void *), int flags, void (*after)(void))
{
	install(flags);
	handled = handled_in_target = 0;
	printf("%s:\n", what);
	pthread_create(&target, NULL, fn, NULL);
	usleep(100000);   /* let it block */
	pthread_kill(target, SIGUSR1);
	usleep(100000);
	if (after)
		after();
	pthread_join(target, NULL);
	printf("  handler ran %d time(s), in the target thread: %s\n", handled, handled_in_target == handled ? "yes" : "no");
}

static void write_byte(void) { (void)!write(fds[1], "x", 1); }
static void unlock_mutex(void) { pthread_mutex_unlock(&mutex); }

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pipe(fds);
	sem_init(&sem, 0, 0);
	run("read, no SA_RESTART", do_read, 0, NULL);
	run("read, SA_RESTART", do_read, SA_RESTART, write_byte);
	run("sem_wait, no SA_RESTART", do_sem, 0, NULL);
	run("nanosleep", do_sleep, SA_RESTART, NULL);
	pthread_mutex_lock(&mutex);
	run("mutex_lock", do_lock, 0, unlock_mutex);
	return 0;
}
