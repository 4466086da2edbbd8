// blocking_poll_events: what poll() and ppoll() report when a thread blocks
// in them and another thread acts: POLLIN on one of several descriptors,
// POLLHUP when the writer closes, POLLOUT when a full pipe is drained,
// POLLNVAL for a closed descriptor, POLLPRI for TCP urgent data, negative
// descriptors ignored, timeouts (revents cleared), poll(NULL, 0, ms) as a
// sleep, EINTR from a signal handler even with SA_RESTART, and EINVAL for
// more descriptors than RLIMIT_NOFILE and for a bad ppoll timeout.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"


/* a thread polls fds[0..n) with timeout; the result is printed after it returns */
struct job {
	struct pollfd fds[4];
	int n, timeout, result, err;
	double took;
	volatile int started, done;
};

static void *poller(void *arg)
{
	struct job *j = arg;
	double t0 = mono();
	j->started = 1;
	errno = 0;
	j->result = poll(j->fds, j->n, j->timeout);
	j->err = errno;
	j->took = mono() - t0;
	j->done = 1;
	return NULL;
}

static void show(const char *what, struct job *j)
{
	printf("%s: returned %d%s%s, revents", what, j->result, j->result < 0 ? " " : "",
	       j->result < 0 ? en(j->err) : "");
	for (int i = 0; i < j->n; i++)
		printf(" %#x", j->fds[i].revents);
	printf("\n");
}

static pthread_t start(struct job *j)
{
	pthread_t t;
	pthread_create(&t, NULL, poller, j);
	while (!j->started)
		usleep(1000);
	usleep(50000);   /* let it block */
	return t;
}

static int handled;
static void on_usr1(int sig) { handled++; }

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(50);
	int a[2], b[2], c[2];
	pipe(a);
	pipe(b);
	pipe(c);

	watchdog_stage = "POLLIN on the second of three";
	struct job j = {.fds = {{a[0], POLLIN}, {b[0], POLLIN}, {-1, POLLIN}, {c[0], POLLIN}}, .n = 4, .timeout = -1};
	pthread_t t = start(&j);
	write(b[1], "x", 1);
	pthread_join(t, NULL);
	show("data on the second pipe (third entry fd -1)", &j);
	char buf[65536];
	read(b[0], buf, 1);

	watchdog_stage = "POLLHUP";
	j = (struct job){.fds = {{a[0], POLLIN}}, .n = 1, .timeout = 10000};
	t = start(&j);
	close(a[1]);
	pthread_join(t, NULL);
	show("writer closed", &j);

	watchdog_stage = "POLLHUP with no events asked";
	j = (struct job){.fds = {{c[0], 0}}, .n = 1, .timeout = 10000};
	t = start(&j);
	write(c[1], "y", 1);   /* data alone must not end a poll that asked for nothing */
	usleep(50000);
	close(c[1]);
	pthread_join(t, NULL);
	show("events 0, data then writer closed", &j);

	watchdog_stage = "POLLOUT";
	pipe_fill(b[1]);
	j = (struct job){.fds = {{b[1], POLLOUT}}, .n = 1, .timeout = 10000};
	t = start(&j);
	int still = !j.done;
	pipe_drain(b[0]);
	pthread_join(t, NULL);
	printf("full pipe: still blocked before the drain: %s\n", still ? "yes" : "NO");
	show("pipe drained", &j);

	watchdog_stage = "POLLNVAL";
	j = (struct job){.fds = {{a[0], POLLIN}, {1000, POLLIN}}, .n = 2, .timeout = 10000};
	pipe(c);
	close(c[0]);
	j.fds[1].fd = c[0];
	t = start(&j);
	pthread_join(t, NULL);
	show("closed descriptor beside a hung-up pipe", &j);

	watchdog_stage = "timeout";
	int d[2];
	pipe(d);
	j = (struct job){.fds = {{b[0], POLLIN}, {d[1], POLLIN}}, .n = 2, .timeout = 80};
	j.fds[0].revents = 0x55;   /* must come back cleared */
	t = start(&j);
	pthread_join(t, NULL);
	show("idle pipes, 80 ms", &j);
	printf("  waited at least 80 ms: %s\n", j.took >= 0.079 ? "yes" : "NO");

	watchdog_stage = "sleep";
	j = (struct job){.n = 0, .timeout = 60};
	t = start(&j);
	pthread_join(t, NULL);
	printf("poll(NULL, 0, 60): returned %d after at least 60 ms: %s\n", j.result, j.took >= 0.059 ? "yes" : "NO");

	watchdog_stage = "POLLPRI";
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof addr;
	bind(ls, (struct sockaddr *)&addr, sizeof addr);
	listen(ls, 4);
	getsockname(ls, (struct sockaddr *)&addr, &len);
	int cs = socket(AF_INET, SOCK_STREAM, 0);
	connect(cs, (struct sockaddr *)&addr, sizeof addr);
	int ss = accept(ls, NULL, NULL);
	j = (struct job){.fds = {{ss, POLLPRI}}, .n = 1, .timeout = 10000};
	t = start(&j);
	send(cs, "!", 1, MSG_OOB);
	pthread_join(t, NULL);
	show("urgent byte, POLLPRI asked", &j);

	watchdog_stage = "EINTR";
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	j = (struct job){.fds = {{b[0], POLLIN}}, .n = 1, .timeout = 10000};
	t = start(&j);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	show("signal handler with SA_RESTART", &j);
	printf("  handler ran: %d, returned before the timeout: %s\n", handled, j.took < 5 ? "yes" : "NO");

	watchdog_stage = "ppoll";
	struct timespec ts = {0, 70000000};
	struct pollfd pf = {b[0], POLLIN};
	double t0 = mono();
	int r = ppoll(&pf, 1, &ts, NULL);
	printf("ppoll 70 ms on an idle pipe: %d, waited: %s, timeout left as given: %s\n", r,
	       mono() - t0 >= 0.069 ? "yes" : "NO", ts.tv_nsec == 70000000 ? "yes" : "NO");
	ts.tv_nsec = 1000000000;
	errno = 0;
	r = ppoll(&pf, 1, &ts, NULL);
	printf("ppoll with tv_nsec 1e9: %d %s\n", r, en(errno));
	sigset_t mask;
	sigemptyset(&mask);
	write(b[1], "z", 1);
	r = ppoll(&pf, 1, NULL, &mask);
	printf("ppoll with a mask, data waiting: %d revents %#x\n", r, pf.revents);

	watchdog_stage = "EINVAL";
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	errno = 0;
	r = poll(&pf, rl.rlim_cur + 1, 100);
	printf("poll with RLIMIT_NOFILE + 1 entries: %d %s\n", r, en(errno));
	return 0;
}
