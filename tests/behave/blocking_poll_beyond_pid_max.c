// goro-test: goro-only
// goro-test: timeout=180
// blocking_poll_beyond_pid_max: 30,000 threads blocked in poll() on one pipe
// and 10,000 in a fortified read() (_FORTIFY_SOURCE turns it into
// __read_chk) on another, all at once: more than pid_max, so each waiting
// thread must be parked, not holding an OS thread. One byte wakes every
// poller; 10,000 bytes give each reader one. (Runs only under goro; an
// optional argument scales the counts down for trying it natively.)
#define _FORTIFY_SOURCE 2
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int pollers = 30000, readers = 10000;
static int pa[2], pb[2];
static _Atomic int started, polled_ok, read_ok, errors;
static _Atomic long byte_sum;

static void on_alarm(int sig)
{
	char msg[160];
	int n = snprintf(msg, sizeof msg, "timed out (hang?): %d started, %d polls and %d reads returned\n",
			 atomic_load(&started), atomic_load(&polled_ok), atomic_load(&read_ok));
	(void)!write(2, msg, n);
	_exit(3);
}

static void *poller(void *arg)
{
	struct pollfd p = {.fd = pa[0], .events = POLLIN};
	atomic_fetch_add(&started, 1);
	if (poll(&p, 1, -1) == 1 && p.revents == POLLIN)
		atomic_fetch_add(&polled_ok, 1);
	else
		atomic_fetch_add(&errors, 1);
	return NULL;
}

static volatile size_t one = 1;   /* not a constant: the read goes through __read_chk */

static void *reader(void *arg)
{
	unsigned char buf[1];
	atomic_fetch_add(&started, 1);
	if (read(pb[0], buf, one) == 1) {
		atomic_fetch_add(&read_ok, 1);
		atomic_fetch_add(&byte_sum, buf[0]);
	} else {
		atomic_fetch_add(&errors, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(170);
	if (argc > 1) {
		pollers = atoi(argv[1]);
		readers = pollers / 3;
	}
	if (pipe(pa) || pipe(pb))
		return 1;
	int n = pollers + readers;
	pthread_t *t = calloc(n, sizeof *t);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < n; i++) {
		int rc = pthread_create(&t[i], &attr, i < pollers ? poller : reader, NULL);
		if (rc) {
			printf("pthread_create %d: %s\n", i, strerror(rc));
			return 1;
		}
	}
	while (atomic_load(&started) < n)
		usleep(1000);
	usleep(300000);   /* let the last ones block */
	printf("threads blocked at once: %d in poll, %d in read\n", pollers, readers);
	printf("returned before any byte: %d\n", atomic_load(&polled_ok) + atomic_load(&read_ok) + atomic_load(&errors));
	if (write(pa[1], "x", 1) != 1)
		return 1;
	unsigned char *bytes = malloc(readers);
	long want = 0;
	for (int i = 0; i < readers; i++) {
		bytes[i] = (unsigned char)(i * 13);
		want += bytes[i];
	}
	for (int off = 0; off < readers;) {
		ssize_t w = write(pb[1], bytes + off, readers - off);
		if (w <= 0)
			break;
		off += (int)w;
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("polls woken by one byte, POLLIN: %d of %d\n", atomic_load(&polled_ok), pollers);
	printf("reads with one byte each: %d of %d, bytes add up: %s\n", atomic_load(&read_ok), readers,
	       atomic_load(&byte_sum) == want ? "yes" : "NO");
	printf("errors: %d\n", atomic_load(&errors));
	return 0;
}
