// dlclose_joins_thread_from_constructor: a library whose constructor starts
// a thread and whose destructor joins it (build/tests/behave/
// libthread_in_constructor.so). The thread's first stdio calls come while
// the destructor, inside dlclose, waits for it; they must not wait for the
// dynamic loader's lock, which dlclose holds. As glibc's tst-join7.
// main prints with write() only, so the thread's calls are the first ones.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include "check.h"

static void say(const char *s)
{
	(void)!write(1, s, strlen(s));
}

int main(void)
{
	watchdog_start(20);
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
	if (n <= 0)
		return 1;
	path[n] = 0;
	strcpy(strrchr(path, '/') + 1, "libthread_in_constructor.so");
	watchdog_stage = "dlopen";
	void *library = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (!library) {
		say("dlopen failed\n");
		return 1;
	}
	say("main: library loaded, its thread waits\n");
	watchdog_stage = "dlclose (the destructor joins the thread)";
	if (dlclose(library) != 0) {
		say("dlclose failed\n");
		return 1;
	}
	say("main: dlclose returned\n");
	return 0;
}
