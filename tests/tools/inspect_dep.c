/* For `goro inspect`: a library that needs libc.so.6, so that a program
 * linked only against it reaches glibc through a dependency. */
#include <stdlib.h>

void dep_exit(int status)
{
	exit(status);
}
