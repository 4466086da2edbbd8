/* For `goro inspect`: built with -nostdlib against libinspect_dep.so only, so
 * libc.so.6 is not among its own DT_NEEDED. Inspected, never run. */
void dep_exit(int status);

void _start(void)
{
	dep_exit(0);
}
