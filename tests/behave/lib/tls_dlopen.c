/* libtls_dlopen.so: __thread variables in a library loaded with dlopen() at
 * run time, used by tls_dlopen_library. The big array forces dynamic TLS. */
#include <string.h>

__thread int dl_int = 5;
__thread char dl_str[16] = "dl-initial";
static __thread char dl_big[16384];

int *dl_int_addr(void) { return &dl_int; }
char *dl_str_addr(void) { return dl_str; }
char *dl_big_addr(void) { return dl_big; }

/* 1 if the big array is all zero, as a fresh thread must see it */
int dl_big_is_zero(void)
{
	for (size_t i = 0; i < sizeof dl_big; i++)
		if (dl_big[i])
			return 0;
	return 1;
}

void dl_big_fill(int v) { memset(dl_big, v, sizeof dl_big); }

/* 1 if every byte of the big array is v */
int dl_big_is(int v)
{
	for (size_t i = 0; i < sizeof dl_big; i++)
		if (dl_big[i] != (char)v)
			return 0;
	return 1;
}
