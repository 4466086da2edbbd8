// thread_name: pthread_setname_np / pthread_getname_np round trip, for the
// calling thread and for another thread, up to the 15-character limit; a
// longer name is ERANGE and leaves the old name; a buffer shorter than 16
// bytes is ERANGE.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int failures;
static sem_t named, done;
static char seen_inside[32];

static void expect(const char *what, int got, int want)
{
	printf("%-50s %s\n", what, en(got));
	if (got != want) {
		printf("  WRONG: expected %s\n", en(want));
		failures++;
	}
}

static void expect_name(const char *what, pthread_t t, const char *want)
{
	char buf[32] = "";
	int rc = pthread_getname_np(t, buf, sizeof buf);
	printf("%-50s %s \"%s\"\n", what, en(rc), buf);
	if (rc || strcmp(buf, want)) {
		printf("  WRONG: expected \"%s\"\n", want);
		failures++;
	}
}

static void *worker(void *arg)
{
	int rc = pthread_setname_np(pthread_self(), "self-named");
	expect("thread names itself \"self-named\"", rc, 0);
	expect_name("thread reads its own name", pthread_self(), "self-named");
	if (sem_post(&named))
		exit(1);
	while (sem_wait(&done))
		if (errno != EINTR)
			exit(1);
	/* main renamed us meanwhile */
	if ((rc = pthread_getname_np(pthread_self(), seen_inside, sizeof seen_inside)))
		strcpy(seen_inside, "(getname failed)");
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t, me = pthread_self();
	int rc;
	char small[8];

	if (sem_init(&named, 0, 0) || sem_init(&done, 0, 0))
		return 1;

	expect("main: set \"main-thread\"", pthread_setname_np(me, "main-thread"), 0);
	expect_name("main: get", me, "main-thread");
	expect("main: set a 15-character name", pthread_setname_np(me, "fifteen-chars-x"), 0);
	expect_name("main: get", me, "fifteen-chars-x");
	expect("main: set a 16-character name", pthread_setname_np(me, "sixteen-chars-xx"), ERANGE);
	expect_name("main: name unchanged", me, "fifteen-chars-x");
	expect("main: getname into an 8-byte buffer", pthread_getname_np(me, small, sizeof small), ERANGE);

	if ((rc = pthread_create(&t, NULL, worker, NULL))) {
		printf("pthread_create: %s\n", en(rc));
		return 1;
	}
	while (sem_wait(&named))
		if (errno != EINTR)
			return 1;
	expect_name("main reads the thread's name", t, "self-named");
	expect("main renames the thread \"renamed-by-main\"", pthread_setname_np(t, "renamed-by-main"), 0);
	expect_name("main reads it back", t, "renamed-by-main");
	expect("main: too long a name for the thread", pthread_setname_np(t, "a-name-that-is-too-long"), ERANGE);
	expect("main: getname of the thread into 8 bytes", pthread_getname_np(t, small, sizeof small), ERANGE);
	if (sem_post(&done))
		return 1;
	if ((rc = pthread_join(t, NULL))) {
		printf("pthread_join: %s\n", en(rc));
		return 1;
	}
	printf("%-50s \"%s\"\n", "the thread saw its new name", seen_inside);
	if (strcmp(seen_inside, "renamed-by-main")) {
		printf("  WRONG\n");
		failures++;
	}
	expect_name("main's name is still its own", me, "fifteen-chars-x");
	printf("failures: %d\n", failures);
	return failures != 0;
}
