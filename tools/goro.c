/*
 * goro — runs a program under libgoro.so.
 *
 *   goro run [-p N] [--] PROGRAM [ARGS...]
 *
 * Sets LD_PRELOAD (libgoro.so next to this binary, or $GORO_LIB) ahead of
 * any existing preloads, sets GORO_PROCS when -p is given, and execs the
 * program.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: goro run [-p N] [--] PROGRAM [ARGS...]\n"
	"  run PROGRAM with its threads as goro user threads\n"
	"  -p N   number of OS threads running them at once (GORO_PROCS), 1 to 1024\n";

static int fail(const char *msg)
{
	fprintf(stderr, "goro: %s\n%s", msg, usage);
	return 2;
}

static const char *library_path(char *buf, size_t len)
{
	const char *env = getenv("GORO_LIB");
	if (env && *env)
		return env;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	snprintf(buf, len, "%s/libgoro.so", dirname(self));
	return buf;
}

static int run(int argc, char **argv)
{
	int i = 0;
	const char *procs = NULL;
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-p") != 0)
			return fail("unknown option (accepted: -p N, --)");
		if (i + 1 >= argc)
			return fail("-p needs a number from 1 to 1024");
		char *end;
		errno = 0;
		long n = strtol(argv[i + 1], &end, 10);
		if (errno || *end || end == argv[i + 1] || n < 1 || n > 1024)
			return fail("-p needs a number from 1 to 1024");
		procs = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return fail("no program to run");
	char buf[PATH_MAX];
	const char *lib = library_path(buf, sizeof buf);
	if (!lib || access(lib, R_OK) != 0) {
		fprintf(stderr, "goro: cannot find libgoro.so (looked at %s; set GORO_LIB)\n", lib ? lib : "?");
		return 2;
	}
	const char *old = getenv("LD_PRELOAD");
	char preload[2 * PATH_MAX];
	snprintf(preload, sizeof preload, "%s%s%s", lib, old && *old ? ":" : "", old && *old ? old : "");
	setenv("LD_PRELOAD", preload, 1);
	if (procs)
		setenv("GORO_PROCS", procs, 1);
	execvp(argv[i], argv + i);
	fprintf(stderr, "goro: cannot run %s: %s\n", argv[i], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return fail("no command");
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return run(argc - 2, argv + 2);
	return fail("unknown command (accepted: run, help)");
}
