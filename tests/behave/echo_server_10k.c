// echo_server_10k: a thread-per-connection echo server holding 10,000
// concurrent loopback connections (all open at once, checked with a barrier
// in the client process), every byte of every message checked.
// goro-test: timeout=240
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MESSAGES = 5 };
static int nconn = 10000;
static int port;
static long bad;
static pthread_barrier_t all_open;

static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	char buf[256];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (write(fd, buf, n) != n)
			break;
	close(fd);
	return NULL;
}

static void *client(void *arg)
{
	long id = (long)arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
		pthread_barrier_wait(&all_open);
		return NULL;
	}
	pthread_barrier_wait(&all_open);   /* every connection is open at this point */
	for (int m = 0; m < MESSAGES; m++) {
		char out[64], in[64];
		int len = snprintf(out, sizeof out, "connection %ld message %d", id, m);
		int got = 0;
		if (write(fd, out, len) != len)
			break;
		while (got < len) {
			ssize_t r = read(fd, in + got, len - got);
			if (r <= 0)
				break;
			got += r;
		}
		if (got != len || memcmp(in, out, len) != 0)
			__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
	}
	close(fd);
	return NULL;
}

static int run_clients(void)
{
	pthread_barrier_init(&all_open, NULL, nconn);
	pthread_t *t = malloc(sizeof *t * nconn);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long i = 0; i < nconn; i++)
		if (pthread_create(&t[i], &attr, client, (void *)i) != 0)
			return 2;
	for (int i = 0; i < nconn; i++)
		pthread_join(t[i], NULL);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		nconn = atoi(argv[1]);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)nconn + 100) {
		printf("open-file limit %ld is below %d connections\n", (long)rl.rlim_cur, nconn);
		return 1;
	}
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len))
		return 1;
	port = ntohs(sa.sin_port);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(lfd);
		_exit(run_clients());
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < nconn; i++) {
		int fd = accept(lfd, NULL, NULL);
		pthread_t t;
		if (fd < 0 || pthread_create(&t, &attr, serve, (void *)(long)fd) != 0) {
			printf("accept or create failed at connection %d\n", i);
			kill(pid, SIGKILL);
			return 1;
		}
	}
	int status;
	waitpid(pid, &status, 0);
	printf("%d connections, %d messages each: %s\n", nconn, MESSAGES,
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "every byte echoed" : "ERRORS");
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
