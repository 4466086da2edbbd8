/* create N threads that all block on one condvar, until the last is blocked:
 * ns per thread (all N alive at once; then all are woken and joined, untimed) */
#define REPORT_CREATE_TIME
#include "blocked_memory.c"
