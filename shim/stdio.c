/*
 * stdio calls that may block inside glibc, where goro cannot see the write
 * or read they make (glibc calls its own __write, not the exported write):
 * stdout to a full pipe, a read from a terminal, or a stream lock held by a
 * parked G (glibc's stream locks are raw futexes that block the OS thread).
 * Each runs whole inside syscall enter/exit, so if it blocks, its P is
 * handed off and the other threads go on.
 */
#include "shim/shim.h"

#include <stdarg.h>
#include <stdio.h>

#define WRAP(type, name, params, args) \
	EXPORT type name params { BLOCKING_ONCE(type, name, "stdio " #name, args); }

WRAP(int, puts, (const char *s), (s))
WRAP(int, fputs, (const char *s, FILE *f), (s, f))
WRAP(int, fputc, (int c, FILE *f), (c, f))
WRAP(int, putc, (int c, FILE *f), (c, f))
WRAP(int, putchar, (int c), (c))
WRAP(size_t, fwrite, (const void *p, size_t size, size_t n, FILE *f), (p, size, n, f))
WRAP(int, fflush, (FILE *f), (f))
WRAP(int, fclose, (FILE *f), (f))
WRAP(int, vprintf, (const char *fmt, va_list ap), (fmt, ap))
WRAP(int, vfprintf, (FILE *f, const char *fmt, va_list ap), (f, fmt, ap))
WRAP(char *, fgets, (char *s, int n, FILE *f), (s, n, f))
WRAP(size_t, fread, (void *p, size_t size, size_t n, FILE *f), (p, size, n, f))
WRAP(int, fgetc, (FILE *f), (f))
WRAP(int, getc, (FILE *f), (f))
WRAP(int, getchar, (void), ())
WRAP(ssize_t, getline, (char **line, size_t *n, FILE *f), (line, n, f))
WRAP(ssize_t, getdelim, (char **line, size_t *n, int delim, FILE *f), (line, n, delim, f))

/* FORTIFY_SOURCE builds call these instead */
extern int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);
extern int __vprintf_chk(int flag, const char *fmt, va_list ap);
extern char *__fgets_chk(char *s, size_t size, int n, FILE *f);
extern size_t __fread_chk(void *p, size_t psize, size_t size, size_t n, FILE *f);
extern int __isoc99_vfscanf(FILE *f, const char *fmt, va_list ap);
WRAP(int, __vfprintf_chk, (FILE *f, int flag, const char *fmt, va_list ap), (f, flag, fmt, ap))
WRAP(int, __vprintf_chk, (int flag, const char *fmt, va_list ap), (flag, fmt, ap))
WRAP(char *, __fgets_chk, (char *s, size_t size, int n, FILE *f), (s, size, n, f))
WRAP(size_t, __fread_chk, (void *p, size_t psize, size_t size, size_t n, FILE *f), (p, psize, size, n, f))
WRAP(int, __isoc99_vfscanf, (FILE *f, const char *fmt, va_list ap), (f, fmt, ap))

/* The variadic ones forward to the wrapped va_list forms above. */
EXPORT int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}

EXPORT int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

EXPORT int __printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = __vfprintf_chk(stdout, flag, fmt, ap);
	va_end(ap);
	return r;
}

EXPORT int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = __vfprintf_chk(f, flag, fmt, ap);
	va_end(ap);
	return r;
}

EXPORT int __isoc99_scanf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = __isoc99_vfscanf(stdin, fmt, ap);
	va_end(ap);
	return r;
}

EXPORT int __isoc99_fscanf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = __isoc99_vfscanf(f, fmt, ap);
	va_end(ap);
	return r;
}
