// blocking_pipe_reader_writer: a reader blocked in read() on a pipe whose
// writer is another thread (with one OS thread under goro, the reader must
// not hold it while it waits). Every byte is checked.
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { CHUNKS = 2000, CHUNK = 333 };
static int fds[2];
static long read_total, read_bad, written;
static ssize_t last_read;

static void *reader(void *arg)
{
	unsigned char buf[512];
	long total = 0, bad = 0;
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++, total++)
			if (buf[i] != (unsigned char)(total % 251))
				bad++;
	}
	read_total = total;
	read_bad = bad;
	last_read = n;
	return NULL;
}

static void *writer(void *arg)
{
	unsigned char buf[CHUNK];
	long sent = 0;
	for (int c = 0; c < CHUNKS; c++) {
		for (int i = 0; i < CHUNK; i++)
			buf[i] = (unsigned char)((sent + i) % 251);
		if (write(fds[1], buf, CHUNK) != CHUNK) {
			printf("short write\n");
			break;
		}
		sent += CHUNK;
		if (c % 100 == 0)
			usleep(1000);   /* let the reader drain the pipe and block again */
	}
	close(fds[1]);
	written = sent;
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds) != 0)
		return 1;
	pthread_t r, w;
	pthread_create(&r, NULL, reader, NULL);   /* reader first: it blocks on an empty pipe */
	usleep(10000);
	pthread_create(&w, NULL, writer, NULL);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	printf("writer: %ld bytes\n", written);
	printf("reader: %ld bytes, %ld wrong, last read %zd\n", read_total, read_bad, last_read);
	return read_total != written || read_bad != 0;
}
