// stdio_percent_m_errno: printf's %m prints the errno the program had when it
// called printf (glibc's test skeleton reports failures as
// `errno = value; printf("%s: %m", ...)`). Checked for printf, fprintf,
// vfprintf and after fputs, in the main thread and in a new thread,
// and errno is what it was after each successful call.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int failures;

static void expect(const char *what, const char *got, int errnum)
{
	if (strcmp(got, strerror(errnum)) != 0) {
		printf("%s: %%m printed \"%s\", want \"%s\"\n", what, got, strerror(errnum));
		failures++;
	}
}

static void via_vfprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

static void check_all(const char *who)
{
	char buffer[256];
	char what[64];
	FILE *f = fmemopen(buffer, sizeof buffer, "w");
	if (f == NULL) {
		printf("%s: fmemopen failed\n", who);
		failures++;
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);

	errno = EINVAL;
	fprintf(f, "%m");
	fputc('\0', f);
	snprintf(what, sizeof what, "%s fprintf", who);
	expect(what, buffer, EINVAL);

	rewind(f);
	errno = ERANGE;
	via_vfprintf(f, "%m");
	fputc('\0', f);
	snprintf(what, sizeof what, "%s vfprintf", who);
	expect(what, buffer, ERANGE);
	if (errno != ERANGE) {
		printf("%s: errno %d after successful vfprintf, want ERANGE\n", who, errno);
		failures++;
	}
	fclose(f);

	errno = ENOENT;
	printf("%s printf: %m\n", who);
	errno = EAGAIN;
	fputs("", stdout);
	printf("%s printf after fputs: %m\n", who);
	fflush(stdout);
}

static void *thread_main(void *arg)
{
	check_all("thread");
	return arg;
}

int main(void)
{
	check_all("main");
	pthread_t thread;
	if (pthread_create(&thread, NULL, thread_main, NULL) != 0 || pthread_join(thread, NULL) != 0) {
		printf("pthread_create/join failed\n");
		return 1;
	}
	printf("%d failures\n", failures);
	return failures != 0;
}
