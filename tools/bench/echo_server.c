/* Thread-per-connection echo server with blocking sockets, the kind of program goro is for:
 * every connection accepted on descriptor 3 (the listening loopback socket echo_client
 * hands it) gets a detached thread that reads and writes back until the peer closes.
 * echo_client starts it and measures it (round trips per second, p99 round-trip time). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench.h"

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, n - off);
			if (w <= 0)
				goto out;
			off += w;
		}
	}
out:
	close(fd);
	return NULL;
}

int main(void)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int fd = accept(3, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "echo_server: accept: %s\n", strerror(errno));
			return 1;
		}
		int one = 1;	/* as Go does for every TCP connection */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		pthread_t t;
		int err = pthread_create(&t, &attr, serve, (void *)(intptr_t)fd);
		if (err) {
			fprintf(stderr, "echo_server: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
}
