// system_popen_from_threads: several threads call system() and popen() at
// the same time while 100 threads are blocked and others compute; every
// call returns the command's status and output.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

enum { CALLERS = 6, ROUNDS = 3 };
static int system_ok[CALLERS], popen_ok[CALLERS];

static void *caller(void *arg)
{
	long id = (long)arg;
	for (int round = 0; round < ROUNDS; round++) {
		char cmd[64], want[32], got[64] = {0};
		snprintf(cmd, sizeof cmd, "exit %ld", id + round);
		int r = system(cmd);
		system_ok[id] += WIFEXITED(r) && WEXITSTATUS(r) == id + round;
		snprintf(cmd, sizeof cmd, "echo caller %ld round %d", id, round);
		snprintf(want, sizeof want, "caller %ld round %d\n", id, round);
		FILE *f = popen(cmd, "r");
		if (!f)
			continue;
		size_t n = fread(got, 1, sizeof got - 1, f);
		got[n] = 0;
		int status = pclose(f);
		popen_ok[id] += strcmp(got, want) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(30);
	crowd_start();
	pthread_t t[CALLERS];
	for (long i = 0; i < CALLERS; i++)
		pthread_create(&t[i], NULL, caller, (void *)i);
	for (int i = 0; i < CALLERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < CALLERS; i++)
		printf("caller %d: system right %d/%d, popen right %d/%d\n", i, system_ok[i], ROUNDS, popen_ok[i], ROUNDS);
	FILE *f = popen("cat > /dev/null", "w");
	int w = f ? fputs("data for the command\n", f) >= 0 : 0;
	int status = f ? pclose(f) : -1;
	printf("popen for writing: %s, status %d\n", w ? "wrote" : "failed", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	watchdog_stage = "crowd_stop";
	crowd_stop();
	return 0;
}
