/* Drives an echo server with CONNS concurrent loopback connections: round trips per second
 * and the 99th-percentile round-trip time of a 64-byte message.
 *   echo_client CONNS SECONDS server-command [args...]
 * Starts the server command with a listening socket on 127.0.0.1 as its descriptor 3 (so
 * server and clients are separate processes, each within the open-file limit), opens CONNS
 * connections (at most 512 not yet answered at a time, so the accept queue never overflows),
 * keeps one message in flight on each (closed loop), and after a warm-up of a third of
 * SECONDS counts the round trips that end in the next SECONDS. Every echo is checked byte
 * for byte. One epoll thread; it runs natively whatever the server runs under. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define MSG 64
#define WINDOW 512	/* connections opened but not yet answered */

struct conn {
	int fd;
	uint32_t seq, got;	/* message number, bytes of its echo read so far */
	uint64_t sent;		/* ns */
	char buf[MSG];
};

static struct conn *conns;
static pid_t server;
static uint64_t *samples;
static size_t nsamples, cap;

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* Stops with one line saying why; says how the server ended if it did. */
static void fail(const char *what, int err)
{
	int st;
	if (server > 0 && waitpid(server, &st, WNOHANG) == server) {
		if (WIFSIGNALED(st))
			fprintf(stderr, "server killed by signal %d (%s) (%s)\n", WTERMSIG(st), strsignal(WTERMSIG(st)), what);
		else
			fprintf(stderr, "server exited with status %d (%s)\n", WEXITSTATUS(st), what);
		exit(1);
	}
	fprintf(stderr, "%s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, &st, 0);
	}
	exit(1);
}

static void fill(char *p, uint32_t id, uint32_t seq)
{
	for (int i = 0; i < MSG; i += 8) {
		uint32_t w[2] = { id, seq * 2654435761u + i };
		memcpy(p + i, w, 8);
	}
}

static void send_msg(uint32_t id)
{
	struct conn *c = &conns[id];
	char msg[MSG];
	fill(msg, id, ++c->seq);
	c->got = 0;
	c->sent = now_ns();
	ssize_t n = write(c->fd, msg, MSG);
	if (n != MSG)
		fail(n < 0 ? "write" : "short write", n < 0 ? errno : 0);
}

/* Reads what has arrived on connection id; returns 1 when its echo is complete and correct. */
static int receive(uint32_t id)
{
	struct conn *c = &conns[id];
	ssize_t n = read(c->fd, c->buf + c->got, MSG - c->got);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0)
		fail("read", errno);
	if (n == 0)
		fail("connection closed by the server", 0);
	c->got += n;
	if (c->got < MSG)
		return 0;
	char want[MSG];
	fill(want, id, c->seq);
	if (memcmp(want, c->buf, MSG) != 0)
		fail("the echo differs from the message sent", 0);
	return 1;
}

static void record(uint64_t ns)
{
	if (nsamples == cap) {
		cap = cap ? cap * 2 : 1 << 20;
		samples = realloc(samples, cap * sizeof *samples);
		if (!samples)
			fail("out of memory", 0);
	}
	samples[nsamples++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = argc > 3 ? atol(argv[1]) : 0;
	double secs = argc > 3 ? atof(argv[2]) : 0;
	if (n < 1 || secs <= 0) {
		fprintf(stderr, "usage: %s CONNS SECONDS server-command [args...]\n", argv[0]);
		return 2;
	}
	/* room for the connections here and in the server (which inherits the limit) */
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n + 64) {
		fprintf(stderr, "the hard open-file limit (%lu) is below %ld connections + 64\n",
			(unsigned long)rl.rlim_max, n);
		return 1;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);

	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof sa;
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 4096) ||
	    getsockname(l, (struct sockaddr *)&sa, &salen))
		fail("listening socket", errno);
	server = fork();
	if (server < 0)
		fail("fork", errno);
	if (server == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive the client */
		if (l == 3 ? fcntl(l, F_SETFD, 0) : dup2(l, 3) != 3)	/* without close-on-exec */
			_exit(127);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "%s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	close(l);

	conns = calloc(n, sizeof *conns);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || ep < 0)
		fail("setup", errno);
	struct epoll_event ev[1024];
	long opened = 0, pending = 0, count = 0;
	uint64_t t0 = now_ns(), start = 0, end = 0, setup_limit = t0 + 120 * 1000000000ull;
	for (;;) {
		/* open connections while fewer than WINDOW await their first echo */
		while (opened < n && pending < WINDOW) {
			struct conn *c = &conns[opened];
			int one = 1;
			c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (c->fd < 0)
				fail("socket", errno);
			if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa))
				fail("connect", errno);
			setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			fcntl(c->fd, F_SETFL, O_NONBLOCK);
			struct epoll_event e = { .events = EPOLLIN, .data.u32 = opened };
			if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e))
				fail("epoll_ctl", errno);
			send_msg(opened++);
			pending++;
		}
		uint64_t t = now_ns();
		if (!start && opened == n && pending == 0) {	/* all connected and answered */
			start = t + (uint64_t)(secs / 3 * 1e9);
			end = start + (uint64_t)(secs * 1e9);
		}
		if (end && t >= end)
			break;
		if (!start && t > setup_limit)
			fail("connections not all answered within 120 s", 0);
		int k = epoll_wait(ep, ev, 1024, 100);
		if (k < 0 && errno != EINTR)
			fail("epoll_wait", errno);
		for (int i = 0; i < k; i++) {
			uint32_t id = ev[i].data.u32;
			if (!receive(id))
				continue;
			uint64_t done = now_ns();
			if (conns[id].seq == 1)
				pending--;
			else if (start && done >= start && done < end) {
				count++;
				record(done - conns[id].sent);
			}
			send_msg(id);
		}
	}
	/* abortive close: no TIME_WAIT sockets left behind for the next run */
	struct linger lg = { 1, 0 };
	for (long i = 0; i < n; i++) {
		setsockopt(conns[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(conns[i].fd);
	}
	int st;
	kill(server, SIGKILL);
	waitpid(server, &st, 0);
	server = 0;
	if (!count)
		fail("no round trip completed", 0);
	qsort(samples, nsamples, sizeof *samples, cmp_u64);
	bench_report("msgs_per_s", count / secs);
	bench_report("p99_us", samples[(size_t)(nsamples * 0.99)] / 1e3);
	fprintf(stderr, "%ld connections set up in %.2f s; p50 %.1f us, max %.1f us; %.2f s in all\n", n,
		(start - t0) / 1e9 - secs / 3, samples[nsamples / 2] / 1e3, samples[nsamples - 1] / 1e3,
		(now_ns() - t0) / 1e9);
	return 0;
}
