// blocking_timeouts: poll, select and epoll_wait time out on an idle pipe,
// a socket with SO_RCVTIMEO times out with EAGAIN, and a read on a
// non-blocking empty pipe returns EAGAIN at once - while another thread keeps
// running.
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static int pfd[2];
static volatile int ticks;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static const char *within(double took, double want)
{
	return took >= want - 0.002 && took < want + 2.0 ? "yes" : "NO";
}

static void *ticker(void *arg)
{
	for (int i = 0; i < 20; i++) {
		usleep(5000);
		ticks++;
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pipe(pfd);
	pthread_t t;
	pthread_create(&t, NULL, ticker, NULL);

	struct pollfd p = {.fd = pfd[0], .events = POLLIN};
	double t0 = now();
	int r = poll(&p, 1, 100);
	printf("poll: returned %d after 100 ms: %s\n", r, within(now() - t0, 0.1));

	fd_set set;
	FD_ZERO(&set);
	FD_SET(pfd[0], &set);
	struct timeval tv = {0, 100000};
	t0 = now();
	r = select(pfd[0] + 1, &set, NULL, NULL, &tv);
	printf("select: returned %d after 100 ms: %s\n", r, within(now() - t0, 0.1));

	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, pfd[0], &ev);
	t0 = now();
	r = epoll_wait(ep, &out, 1, 100);
	printf("epoll_wait: returned %d after 100 ms: %s\n", r, within(now() - t0, 0.1));

	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct timeval rcv = {0, 150000};
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv);
	char c;
	t0 = now();
	errno = 0;
	ssize_t n = recv(sv[0], &c, 1, 0);
	int e = errno;
	printf("recv with SO_RCVTIMEO: %zd, %s, after 150 ms: %s\n", n, e == EAGAIN ? "EAGAIN" : "other errno",
	       within(now() - t0, 0.15));
	t0 = now();
	errno = 0;
	n = read(sv[0], &c, 1);
	e = errno;
	printf("read with SO_RCVTIMEO: %zd, %s, after 150 ms: %s\n", n, e == EAGAIN ? "EAGAIN" : "other errno",
	       within(now() - t0, 0.15));

	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	errno = 0;
	n = read(pfd[0], &c, 1);
	e = errno;
	printf("non-blocking read of an empty pipe: %zd, %s\n", n, e == EAGAIN ? "EAGAIN" : "other errno");
	printf("pipe still non-blocking: %s\n", (fcntl(pfd[0], F_GETFL) & O_NONBLOCK) ? "yes" : "no");

	pthread_join(t, NULL);
	printf("ticker ran all 20 ticks: %s\n", ticks == 20 ? "yes" : "no");
	return 0;
}
