// blocking_close_while_reading: a thread is blocked on a descriptor when
// another thread closes it (or dup2()s another file onto it). On Linux the
// blocked call keeps the open file alive and the close does not wake it: it
// completes when the file becomes ready through another reference. Checked
// for read() (the writer then writes, or closes: EOF), two readers at once,
// write() on a full pipe (the reader then drains it), recv() and accept() on
// sockets, poll() (which then reports POLLNVAL) and epoll_wait() (which
// still reports the closed set's event).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"


struct job {
	int fd;
	char buf[8];
	size_t len;
	ssize_t result;
	int err, revents;
	volatile int started, done;
};

static void *do_read(void *arg)
{
	struct job *j = arg;
	j->started = 1;
	errno = 0;
	j->result = read(j->fd, j->buf, j->len ? j->len : 1);
	j->err = errno;
	j->done = 1;
	return NULL;
}

static void *do_write(void *arg)
{
	struct job *j = arg;
	j->started = 1;
	errno = 0;
	j->result = write(j->fd, "w", 1);
	j->err = errno;
	j->done = 1;
	return NULL;
}

static void *do_recv(void *arg)
{
	struct job *j = arg;
	j->started = 1;
	errno = 0;
	j->result = recv(j->fd, j->buf, sizeof j->buf, 0);
	j->err = errno;
	j->done = 1;
	return NULL;
}

static void *do_accept(void *arg)
{
	struct job *j = arg;
	j->started = 1;
	errno = 0;
	j->result = accept(j->fd, NULL, NULL);
	j->err = errno;
	j->done = 1;
	return NULL;
}

static void *do_poll(void *arg)
{
	struct job *j = arg;
	struct pollfd p = {.fd = j->fd, .events = POLLIN};
	j->started = 1;
	errno = 0;
	j->result = poll(&p, 1, 10000);
	j->err = errno;
	j->revents = p.revents;
	j->done = 1;
	return NULL;
}

static void *do_epoll(void *arg)
{
	struct job *j = arg;
	struct epoll_event ev;
	j->started = 1;
	errno = 0;
	j->result = epoll_wait(j->fd, &ev, 1, 10000);
	j->err = errno;
	j->revents = j->result == 1 ? (int)ev.data.u32 : -1;
	j->done = 1;
	return NULL;
}

static pthread_t start(void *(*fn)(void *), struct job *j)
{
	pthread_t t;
	pthread_create(&t, NULL, fn, j);
	while (!j->started)
		usleep(1000);
	usleep(50000);   /* let it block */
	return t;
}

static void result(const char *what, struct job *j, int woken_by_close)
{
	printf("%s: woken by the close: %s; returned %zd%s%s", what, woken_by_close ? "YES" : "no", j->result,
	       j->result < 0 ? " " : "", j->result < 0 ? en(j->err) : "");
	if (j->result > 0 && j->len)
		printf(" '%.*s'", (int)j->result, j->buf);
	printf("\n");
}

static int listener(struct sockaddr_in *addr)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof *addr;
	*addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(ls, (struct sockaddr *)addr, sizeof *addr);
	listen(ls, 4);
	getsockname(ls, (struct sockaddr *)addr, &len);
	return ls;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	watchdog_start(60);
	int p[2];

	watchdog_stage = "read, then write";
	pipe(p);
	struct job j = {.fd = p[0], .len = 1};
	pthread_t t = start(do_read, &j);
	close(p[0]);
	usleep(50000);
	int early = j.done;
	write(p[1], "x", 1);
	pthread_join(t, NULL);
	result("read, descriptor closed, then a byte written", &j, early);
	close(p[1]);

	watchdog_stage = "read, then EOF";
	pipe(p);
	j = (struct job){.fd = p[0], .len = 1};
	t = start(do_read, &j);
	close(p[0]);
	usleep(50000);
	early = j.done;
	close(p[1]);
	pthread_join(t, NULL);
	result("read, descriptor closed, then the writer closed", &j, early);

	watchdog_stage = "two readers";
	pipe(p);
	struct job j2 = {.fd = p[0], .len = 1};
	j = (struct job){.fd = p[0], .len = 1};
	t = start(do_read, &j);
	pthread_t t2 = start(do_read, &j2);
	close(p[0]);
	usleep(50000);
	early = j.done || j2.done;
	write(p[1], "ab", 2);
	pthread_join(t, NULL);
	pthread_join(t2, NULL);
	printf("two readers, descriptor closed, two bytes written: woken by the close: %s; got %zd and %zd bytes, "
	       "together '%s'\n", early ? "YES" : "no", j.result, j2.result,
	       (j.buf[0] == 'a' && j2.buf[0] == 'b') || (j.buf[0] == 'b' && j2.buf[0] == 'a') ? "ab" : "??");
	close(p[1]);

	watchdog_stage = "write on a full pipe";
	pipe(p);
	char big[65536];
	memset(big, 'f', sizeof big);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], big, sizeof big) > 0)
		;
	fcntl(p[1], F_SETFL, 0);
	j = (struct job){.fd = p[1]};
	t = start(do_write, &j);
	close(p[1]);
	usleep(50000);
	early = j.done;
	long total = 0;
	ssize_t n;
	char last = 0;
	while ((n = read(p[0], big, sizeof big)) > 0) {
		total += n;
		last = big[n - 1];
	}
	pthread_join(t, NULL);
	result("write on a full pipe, descriptor closed, then the reader drained it", &j, early);
	printf("  reader got %s, the written byte last ('%c'), then EOF (%zd)\n",
	       total > 1 ? "the pipe's contents" : "nothing", last, n);
	close(p[0]);

	watchdog_stage = "dup2 onto the descriptor";
	pipe(p);
	int q[2];
	pipe(q);
	j = (struct job){.fd = p[0], .len = 1};
	t = start(do_read, &j);
	dup2(q[0], p[0]);   /* p[0] now names q's read end */
	usleep(50000);
	early = j.done;
	write(q[1], "q", 1);
	usleep(50000);
	int early_q = j.done;
	write(p[1], "p", 1);
	pthread_join(t, NULL);
	result("read, another pipe dup2()ed onto the descriptor, then bytes into both pipes", &j, early || early_q);
	char c = 0;
	read(p[0], &c, 1);
	printf("  the descriptor now reads the other pipe: '%c'\n", c);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);

	watchdog_stage = "recv";
	struct sockaddr_in addr;
	int ls = listener(&addr);
	int cs = socket(AF_INET, SOCK_STREAM, 0);
	connect(cs, (struct sockaddr *)&addr, sizeof addr);
	int ss = accept(ls, NULL, NULL);
	j = (struct job){.fd = ss, .len = 5};
	t = start(do_recv, &j);
	close(ss);
	usleep(50000);
	early = j.done;
	send(cs, "hello", 5, 0);
	pthread_join(t, NULL);
	result("recv on a TCP socket, descriptor closed, then the peer sent", &j, early);
	close(cs);

	watchdog_stage = "accept";
	j = (struct job){.fd = ls};
	t = start(do_accept, &j);
	close(ls);
	usleep(50000);
	early = j.done;
	cs = socket(AF_INET, SOCK_STREAM, 0);
	int cr = connect(cs, (struct sockaddr *)&addr, sizeof addr);
	pthread_join(t, NULL);
	printf("accept, listening socket closed, then a client connected (connect: %d): woken by the close: %s; "
	       "accepted a connection: %s\n", cr, early ? "YES" : "no", j.result >= 0 ? "yes" : en(j.err));
	if (j.result >= 0)
		close((int)j.result);
	close(cs);

	watchdog_stage = "poll";
	pipe(p);
	j = (struct job){.fd = p[0]};
	t = start(do_poll, &j);
	close(p[0]);
	usleep(50000);
	early = j.done;
	write(p[1], "x", 1);
	pthread_join(t, NULL);
	printf("poll, descriptor closed, then a byte written: woken by the close: %s; returned %zd, revents %#x\n",
	       early ? "YES" : "no", j.result, j.revents);
	close(p[1]);

	watchdog_stage = "epoll_wait";
	pipe(p);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 42};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	j = (struct job){.fd = ep};
	t = start(do_epoll, &j);
	close(ep);
	usleep(50000);
	early = j.done;
	write(p[1], "x", 1);
	pthread_join(t, NULL);
	printf("epoll_wait, set closed, then a byte into a pipe in it: woken by the close: %s; returned %zd, data %d\n",
	       early ? "YES" : "no", j.result, j.revents);

	watchdog_stage = "descriptors after all this";
	int lowest = 0;
	while (fcntl(lowest, F_GETFD) >= 0)
		lowest++;
	int fresh[2];
	pipe(fresh);
	printf("a new pipe gets the lowest free descriptor: %s\n", fresh[0] == lowest ? "yes" : "NO");
	return 0;
}
