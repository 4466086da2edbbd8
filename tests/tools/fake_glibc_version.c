/* Preloaded ahead of libgoro.so by launcher.sh: makes this glibc claim to be
 * one whose thread layout goro does not know. */
const char *gnu_get_libc_version(void)
{
	return "2.99";
}
