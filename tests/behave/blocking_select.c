// blocking_select: select() and pselect() in threads that block while other
// threads act: 200 threads each in select() on its own pipe woken one by one,
// the result sets (read, write, except with TCP urgent data), the time left
// written back into the timeval (Linux does; pselect leaves its timespec
// alone), the sets cleared on a timeout, select(0, ...) as a sleep, EINTR
// from a signal handler even with SA_RESTART, and the errors: EBADF for a
// closed descriptor, EINVAL for a negative timeout or nfds.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"


enum { N = 200 };
static int pipes[N][2];
static _Atomic int woken;
static _Atomic int order[N];   /* slot k: 1 + the thread that woke k-th */
static int bad;

static void *one(void *arg)
{
	int i = (int)(intptr_t)arg;
	fd_set r;
	FD_ZERO(&r);
	FD_SET(pipes[i][0], &r);
	int n = select(pipes[i][0] + 1, &r, NULL, NULL, NULL);
	char c;
	if (n != 1 || !FD_ISSET(pipes[i][0], &r) || read(pipes[i][0], &c, 1) != 1 || c != (char)i)
		bad++;
	atomic_store(&order[atomic_fetch_add(&woken, 1)], i + 1);
	return NULL;
}

/* one thread in select on the given sets */
struct job {
	int nfds;
	fd_set r, w, e;
	struct timeval tv, *tvp;
	int result, err;
	double took;
	volatile int started, done;
};

static void *selector(void *arg)
{
	struct job *j = arg;
	double t0 = mono();
	j->started = 1;
	errno = 0;
	j->result = select(j->nfds, &j->r, &j->w, &j->e, j->tvp);
	j->err = errno;
	j->took = mono() - t0;
	j->done = 1;
	return NULL;
}

/* starts a thread in select on j's sets and lets it block */
static pthread_t start(struct job *j)
{
	pthread_t t;
	pthread_create(&t, NULL, selector, j);
	while (!j->started)
		usleep(1000);
	usleep(50000);
	return t;
}

static void show_set(const char *name, fd_set *s, int nfds)
{
	printf(" %s{", name);
	const char *sep = "";
	for (int fd = 0; fd < nfds; fd++)
		if (FD_ISSET(fd, s)) {
			printf("%s%d", sep, fd);
			sep = ",";
		}
	printf("}");
}

/* descriptors are printed by role, not number: map them */
static int roles[64];
static const char *role_name[64];
static void role(int fd, const char *name) { roles[fd] = 1; role_name[fd] = name; }

static void show(const char *what, struct job *j)
{
	printf("%s: returned %d%s%s;", what, j->result, j->result < 0 ? " " : "", j->result < 0 ? en(j->err) : "");
	fd_set *sets[3] = {&j->r, &j->w, &j->e};
	const char *names[3] = {"read", "write", "except"};
	for (int k = 0; k < 3; k++) {
		printf(" %s{", names[k]);
		const char *sep = "";
		for (int fd = 0; fd < j->nfds && fd < 64; fd++)
			if (FD_ISSET(fd, sets[k])) {
				printf("%s%s", sep, roles[fd] ? role_name[fd] : "?");
				sep = ",";
			}
		printf("}");
	}
	printf("\n");
}

static int handled;
static void on_usr1(int sig) { handled++; }

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(60);
	(void)show_set;

	watchdog_stage = "many threads";
	pthread_t t[N];
	for (int i = 0; i < N; i++)
		pipe(pipes[i]);
	if (start_threads(t, 0, N, one))
		return 1;
	usleep(100000);
	int out_of_order = 0;
	for (int k = 0; k < N; k++) {
		int i = (k * 37 + 11) % N;
		char c = (char)i;
		write(pipes[i][1], &c, 1);
		while (atomic_load(&order[k]) == 0)
			sched_yield();
		if (atomic_load(&order[k]) != i + 1)
			out_of_order++;
	}
	join_threads(t, N);
	printf("%d threads in select woken one by one in the order written: %s, bytes and sets right: %s\n", N,
	       out_of_order ? "NO" : "yes", bad ? "NO" : "yes");
	for (int i = 0; i < N; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}

	int a[2], b[2];
	pipe(a);
	pipe(b);
	role(a[0], "a.r");
	role(a[1], "a.w");
	role(b[0], "b.r");
	role(b[1], "b.w");
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof addr;
	bind(ls, (struct sockaddr *)&addr, sizeof addr);
	listen(ls, 4);
	getsockname(ls, (struct sockaddr *)&addr, &len);
	int cs = socket(AF_INET, SOCK_STREAM, 0);
	connect(cs, (struct sockaddr *)&addr, sizeof addr);
	int ss = accept(ls, NULL, NULL);
	role(ss, "sock");
	int nfds = ss + 1;

	watchdog_stage = "read set";
	struct job j = {.nfds = nfds, .tv = {5, 0}};
	j.tvp = &j.tv;
	FD_SET(a[0], &j.r);
	FD_SET(b[0], &j.r);
	FD_SET(ss, &j.e);
	pthread_t th;
	th = start(&j);
	write(b[1], "x", 1);
	pthread_join(th, NULL);
	show("data on b", &j);
	printf("  time left written back: %s\n", j.tv.tv_sec < 5 && j.tv.tv_sec >= 3 ? "yes" : "NO");

	watchdog_stage = "except set";
	j = (struct job){.nfds = nfds, .tvp = NULL};
	FD_SET(a[0], &j.r);
	FD_SET(ss, &j.e);
	th = start(&j);
	send(cs, "!", 1, MSG_OOB);
	pthread_join(th, NULL);
	show("urgent data on the socket", &j);

	watchdog_stage = "write set";
	char buf[65536];
	pipe_fill(a[1]);
	j = (struct job){.nfds = nfds, .tvp = NULL};
	FD_SET(a[1], &j.w);
	th = start(&j);
	int blocked = !j.done;
	pipe_drain(a[0]);
	pthread_join(th, NULL);
	printf("full pipe: blocked before the drain: %s\n", blocked ? "yes" : "NO");
	show("pipe drained", &j);

	watchdog_stage = "timeout";
	j = (struct job){.nfds = nfds, .tv = {0, 90000}};
	j.tvp = &j.tv;
	FD_SET(a[0], &j.r);
	FD_SET(b[0], &j.r);   /* b still holds the 'x' */
	read(b[0], buf, 1);
	pthread_create(&th, NULL, selector, &j);
	pthread_join(th, NULL);
	show("idle pipes, 90 ms", &j);
	printf("  waited at least 90 ms: %s, time left {%ld, %ld}\n", j.took >= 0.089 ? "yes" : "NO",
	       (long)j.tv.tv_sec, (long)j.tv.tv_usec);

	watchdog_stage = "sleep";
	struct timeval tv = {0, 60000};
	double t0 = mono();
	int r = select(0, NULL, NULL, NULL, &tv);
	printf("select(0, NULL, NULL, NULL, 60 ms): %d, slept at least 60 ms: %s\n", r, mono() - t0 >= 0.059 ? "yes" : "NO");

	watchdog_stage = "pselect";
	struct timespec ts = {0, 70000000};
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(a[0], &rs);
	t0 = mono();
	r = pselect(a[0] + 1, &rs, NULL, NULL, &ts, NULL);
	printf("pselect 70 ms: %d, waited: %s, timespec left as given: %s, set cleared: %s\n", r,
	       mono() - t0 >= 0.069 ? "yes" : "NO", ts.tv_nsec == 70000000 ? "yes" : "NO", FD_ISSET(a[0], &rs) ? "NO" : "yes");
	sigset_t mask;
	sigemptyset(&mask);
	write(b[1], "y", 1);
	FD_SET(b[0], &rs);
	r = pselect(b[0] + 1, &rs, NULL, NULL, NULL, &mask);
	printf("pselect with a mask, data waiting: %d, b set: %s\n", r, FD_ISSET(b[0], &rs) ? "yes" : "no");
	read(b[0], buf, 1);

	watchdog_stage = "EINTR";
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	j = (struct job){.nfds = nfds, .tv = {10, 0}};
	j.tvp = &j.tv;
	FD_SET(a[0], &j.r);
	th = start(&j);
	pthread_kill(th, SIGUSR1);
	pthread_join(th, NULL);
	printf("signal handler with SA_RESTART: returned %d %s, handler ran %d, set untouched: %s, time left %s\n",
	       j.result, en(j.err), handled, FD_ISSET(a[0], &j.r) ? "yes" : "NO",
	       j.tv.tv_sec >= 8 && j.tv.tv_sec < 10 ? "written back" : "NOT written back");

	watchdog_stage = "errors";
	int c[2];
	pipe(c);
	close(c[0]);
	FD_ZERO(&rs);
	FD_SET(a[0], &rs);
	FD_SET(c[0], &rs);
	tv = (struct timeval){1, 0};
	errno = 0;
	r = select(nfds > c[0] ? nfds : c[0] + 1, &rs, NULL, NULL, &tv);
	printf("closed descriptor in the set: %d %s, set untouched: %s\n", r, en(errno),
	       FD_ISSET(a[0], &rs) && FD_ISSET(c[0], &rs) ? "yes" : "NO");
	tv = (struct timeval){-1, 0};
	errno = 0;
	r = select(nfds, &rs, NULL, NULL, &tv);
	printf("negative timeout: %d %s\n", r, en(errno));
	tv = (struct timeval){1, 0};
	errno = 0;
	r = select(-1, &rs, NULL, NULL, &tv);
	printf("negative nfds: %d %s\n", r, en(errno));
	ts = (struct timespec){0, 1000000000};
	errno = 0;
	r = pselect(nfds, &rs, NULL, NULL, &ts, NULL);
	printf("pselect with tv_nsec 1e9: %d %s\n", r, en(errno));
	return 0;
}
