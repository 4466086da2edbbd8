// blocking_connect: connect() on blocking and non-blocking TCP sockets.
// A blocking connect to a listener returns 0 (and to a closed port
// ECONNREFUSED); a non-blocking one returns EINPROGRESS and the socket then
// polls writable with SO_ERROR telling the outcome. A blocking connect that
// has to wait (the listener's accept queue is full, so the SYN is dropped
// and retransmitted) must not stop the other threads - under goro with one
// OS thread for them all - and must not leave the socket's flags changed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"


static struct sockaddr_in addr_any(void)
{
	return (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
}

static int listener(struct sockaddr_in *addr, int backlog)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof *addr;
	*addr = addr_any();
	bind(ls, (struct sockaddr *)addr, sizeof *addr);
	listen(ls, backlog);
	getsockname(ls, (struct sockaddr *)addr, &len);
	return ls;
}

/* a loopback port nothing listens on: bound, never listened */
static int closed_port(struct sockaddr_in *addr)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof *addr;
	*addr = addr_any();
	bind(s, (struct sockaddr *)addr, sizeof *addr);
	getsockname(s, (struct sockaddr *)addr, &len);
	return s;
}

static int ls_accept;
static void *acceptor(void *arg)
{
	int s = accept(ls_accept, NULL, NULL);
	char c;
	if (s >= 0 && read(s, &c, 1) == 1)
		write(s, &c, 1);
	return (void *)(intptr_t)s;
}

static _Atomic int ticks;
static _Atomic int stop_ticking;
static void *ticker(void *arg)
{
	while (!atomic_load(&stop_ticking)) {
		usleep(10000);
		atomic_fetch_add(&ticks, 1);
	}
	return NULL;
}

static struct sockaddr_in full_addr;
static int connect_result, connect_err;
static double connect_took;
static int blocking_sock;
static volatile int connecting;
static void *blocking_connector(void *arg)
{
	double t0 = mono();
	connecting = 1;
	errno = 0;
	connect_result = connect(blocking_sock, (struct sockaddr *)&full_addr, sizeof full_addr);
	connect_err = errno;
	connect_took = mono() - t0;
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	watchdog_start(60);
	struct sockaddr_in addr, dead;
	int hold = closed_port(&dead);

	watchdog_stage = "blocking connect";
	ls_accept = listener(&addr, 4);
	pthread_t t;
	pthread_create(&t, NULL, acceptor, NULL);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int r = connect(s, (struct sockaddr *)&addr, sizeof addr);
	char c = 'e';
	write(s, &c, 1);
	c = 0;
	read(s, &c, 1);
	void *accepted;
	pthread_join(t, &accepted);
	printf("blocking connect to a listener: %d, accepted: %s, echo '%c'\n", r, (intptr_t)accepted >= 0 ? "yes" : "no", c);
	close(s);
	close((int)(intptr_t)accepted);
	s = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	r = connect(s, (struct sockaddr *)&dead, sizeof dead);
	printf("blocking connect to a closed port: %d %s\n", r, en(errno));
	close(s);

	watchdog_stage = "non-blocking connect";
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	errno = 0;
	r = connect(s, (struct sockaddr *)&addr, sizeof addr);
	printf("non-blocking connect to a listener: %d %s\n", r, en(errno));
	struct pollfd p = {.fd = s, .events = POLLOUT};
	r = poll(&p, 1, 5000);
	int err = -1;
	socklen_t len = sizeof err;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("  then poll: %d revents %#x, SO_ERROR %s\n", r, p.revents, en(err));
	errno = 0;
	r = connect(s, (struct sockaddr *)&addr, sizeof addr);
	printf("  connect again: %d %s\n", r, en(errno));
	int as = accept(ls_accept, NULL, NULL);
	close(as);
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	errno = 0;
	r = connect(s, (struct sockaddr *)&dead, sizeof dead);
	int e0 = errno;
	p = (struct pollfd){.fd = s, .events = POLLOUT};
	int pr = poll(&p, 1, 5000);
	err = -1;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("non-blocking connect to a closed port: %d %s, then poll: %d revents %#x, SO_ERROR %s\n", r, en(e0), pr,
	       p.revents, en(err));
	close(s);
	close(ls_accept);

	watchdog_stage = "connect that has to wait";
	int full = listener(&full_addr, 0);   /* backlog 0: one queued connection fills it */
	int first = socket(AF_INET, SOCK_STREAM, 0);
	connect(first, (struct sockaddr *)&full_addr, sizeof full_addr);
	usleep(20000);
	blocking_sock = socket(AF_INET, SOCK_STREAM, 0);
	int flags_before = fcntl(blocking_sock, F_GETFL);
	pthread_t tick, conn;
	pthread_create(&tick, NULL, ticker, NULL);
	pthread_create(&conn, NULL, blocking_connector, NULL);
	while (!connecting)
		usleep(1000);
	int ticks_before = atomic_load(&ticks);
	usleep(300000);
	int ticks_while_blocked = atomic_load(&ticks) - ticks_before;
	int still_blocked = connect_took == 0;
	int a1 = accept(full, NULL, NULL);   /* room in the queue: the retransmitted SYN gets in */
	pthread_join(conn, NULL);
	atomic_store(&stop_ticking, 1);
	pthread_join(tick, NULL);
	int a2 = accept(full, NULL, NULL);
	printf("blocking connect to a full listener: still blocked after 300 ms: %s, other threads ran meanwhile: %s\n",
	       still_blocked ? "yes" : "NO", ticks_while_blocked >= 3 ? "yes" : "NO");
	printf("  then, once accepted: connect %d %s, both connections accepted: %s, socket flags unchanged: %s\n",
	       connect_result, connect_result < 0 ? en(connect_err) : "", a1 >= 0 && a2 >= 0 ? "yes" : "no",
	       fcntl(blocking_sock, F_GETFL) == flags_before ? "yes" : "NO");
	close(hold);
	return 0;
}
