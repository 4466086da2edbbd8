/*
 * goro — runs a program under libgoro.so, or checks whether it can.
 *
 *   goro run [-p N] [--] PROGRAM [ARGS...]
 *   goro inspect [--] FILE
 *   goro dump PID
 *
 * run puts libgoro.so (next to this binary, or $GORO_LIB) in front of any
 * existing LD_PRELOAD, sets GORO_PROCS when -p is given, and execs the
 * program, which keeps this process's pid, so its exit status and
 * signals are the program's own.
 *
 * inspect reads FILE's ELF headers and imports (tools/inspect.c) and prints
 * whether goro can take it over and what it will not see, for CI.
 *
 * dump asks a running program under goro for a dump of its threads: a
 * SIGQUIT queued with the value goro's library recognises (so the program
 * neither dies nor sees its own SIGQUIT handler run); the dump goes to the
 * program's standard error.
 *
 * Exit status of run: the program's; 2 for a usage error or a missing
 * library; 127 when the program cannot be executed. Of inspect: 0
 * compatible, 1 compatible with warnings, 2 not compatible or bad input.
 * Of dump: 0 asked, 2 no such process or not running goro.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/inspect.h"

static const char usage[] =
	"usage: goro run [-p N] [--] PROGRAM [ARGS...]\n"
	"       goro inspect [--] FILE\n"
	"       goro dump PID\n"
	"       goro help\n"
	"\n"
	"run   runs PROGRAM with every pthread it creates as a goro user thread\n"
	"      (LD_PRELOAD of libgoro.so from next to goro, or from $GORO_LIB)\n"
	"  -p N  at most N OS threads run them at once (sets GORO_PROCS), 1 to 1024;\n"
	"        default: $GORO_PROCS, else the CPUs the process may use\n"
	"\n"
	"inspect  says, without running FILE, whether goro can take it over\n"
	"      (x86-64, dynamically linked against glibc, not set-id) and which of\n"
	"      its threading and blocking imports libgoro.so interposes; the last\n"
	"      line is the verdict. Exit status: 0 compatible, 1 compatible with\n"
	"      warnings, 2 not compatible\n"
	"\n"
	"dump  makes process PID, running under goro, print every thread (state,\n"
	"      wait, backtrace) to its standard error; the program goes on\n";

static int fail(const char *what, const char *arg, const char *accepted)
{
	if (arg)
		fprintf(stderr, "goro: %s '%s' (%s)\n", what, arg, accepted);
	else
		fprintf(stderr, "goro: %s (%s)\n", what, accepted);
	return 2;
}

/* 1..1024, decimal digits only: no sign, no spaces, no suffix. */
static int valid_procs(const char *s)
{
	long n = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (*s - '0');
		if (n > 1024)
			return 0;
	}
	return n >= 1;
}

/* $GORO_LIB, else dirname(/proc/self/exe)/libgoro.so; made absolute, so the
 * program may chdir and still find it in a child it execs. */
static char *library(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("GORO_LIB");
	if (env && *env) {
		if (!realpath(env, path))
			snprintf(path, sizeof path, "%s", env);
		return path;
	}
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - sizeof "/libgoro.so");
	if (n <= 0)
		return NULL;
	path[n] = 0;
	char *slash = strrchr(path, '/');
	strcpy(slash ? slash : path, "/libgoro.so");
	return path;
}

static int run(int argc, char **argv)
{
	const char *procs = NULL;
	int i = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (strncmp(a, "-p", 2))
			return fail("unknown option", a, "accepted: -p N, --");
		procs = a[2] ? a + 2 : argv[++i];
		if (!procs)
			return fail("-p needs a value", NULL, "accepted: a whole number from 1 to 1024");
		if (!valid_procs(procs))
			return fail("bad -p value", procs, "accepted: a whole number from 1 to 1024");
	}
	if (i >= argc)
		return fail("no program to run", NULL, "usage: goro run [-p N] [--] PROGRAM [ARGS...]");

	const char *lib = library();
	if (!lib || access(lib, R_OK)) {
		fprintf(stderr, "goro: cannot find libgoro.so at %s (set GORO_LIB to its path)\n", lib ? lib : "?");
		return 2;
	}
	const char *old = getenv("LD_PRELOAD");
	size_t len = strlen(lib) + (old ? strlen(old) : 0) + 2;
	char *preload = malloc(len);
	if (!preload) {
		fprintf(stderr, "goro: out of memory\n");
		return 2;
	}
	snprintf(preload, len, "%s%s%s", lib, old && *old ? ":" : "", old && *old ? old : "");
	if (setenv("LD_PRELOAD", preload, 1) || (procs && setenv("GORO_PROCS", procs, 1))) {
		fprintf(stderr, "goro: cannot set the environment: %s\n", strerror(errno));
		return 2;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "goro: cannot run %s: %s\n", argv[i], strerror(errno));
	return 127;
}

#define DUMP_SIGNAL_VALUE 0x676f726f   /* sched/sched.h */

/* Is libgoro.so mapped in process pid? -1: no such process (or not ours to see). */
static int runs_goro(long pid)
{
	char path[64], line[4096];
	snprintf(path, sizeof path, "/proc/%ld/maps", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int found = 0;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, "/libgoro.so") != NULL;
	fclose(f);
	return found;
}

static int dump(int argc, char **argv)
{
	if (argc != 1)
		return fail("dump takes one process id", NULL, "usage: goro dump PID");
	char *end;
	errno = 0;
	long pid = strtol(argv[0], &end, 10);
	if (errno || end == argv[0] || *end || pid < 1 || pid > INT_MAX)
		return fail("not a process id", argv[0], "usage: goro dump PID");
	int goro = runs_goro(pid);
	if (goro < 0) {
		fprintf(stderr, "goro: dump: no process %ld\n", pid);
		return 2;
	}
	if (!goro) {
		fprintf(stderr, "goro: dump: process %ld is not running goro (no libgoro.so in it)\n", pid);
		return 2;
	}
	union sigval v = {.sival_int = DUMP_SIGNAL_VALUE};
	if (sigqueue((pid_t)pid, SIGQUIT, v) != 0) {
		fprintf(stderr, "goro: dump: cannot signal process %ld: %s\n", pid, strerror(errno));
		return 2;
	}
	fprintf(stderr, "goro: dump of process %ld asked for; it goes to that process's standard error\n", pid);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	if (!cmd)
		return fail("no command", NULL, "accepted: run, inspect, dump, help");
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return run(argc - 2, argv + 2);
	if (!strcmp(cmd, "inspect"))
		return inspect_main(argc - 2, argv + 2, library());
	if (!strcmp(cmd, "dump"))
		return dump(argc - 2, argv + 2);
	return fail("unknown command", cmd, "accepted: run, inspect, dump, help");
}
