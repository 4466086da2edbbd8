/*
 * vfork from a G. The child borrows the G's stack, its TCB and TLS, and every
 * byte of goro's memory, while the OS thread that called vfork (the G's M)
 * sleeps in the kernel until the child execs or exits; the other Ms go on
 * running Gs in the same memory meanwhile.
 *
 * So the child must not act as the G: a wrapper that parked it, took a
 * runtime lock or changed the G's state would do so in the parent's
 * scheduler, on behalf of a G whose registers belong to another process.
 * goro's own vfork hides the G from the child: the child clears g_self (in
 * the G's TLS, which it shares) and marks itself a vfork child, so every
 * wrapper treats it as a thread goro did not create and goes to glibc or the
 * kernel, and exec changes only the child's own signal dispositions
 * (preemption is not paused for the parent). The parent, once resumed, puts
 * g_self back from a register (registers are the one thing the child does not
 * share) and clears the mark. Around the system call the G is in a syscall
 * bracket, so sysmon hands its P to another M while the parent sleeps.
 *
 * Like glibc's, the stub keeps its return address in a register across the
 * system call: the child returns first and its later calls overwrite the
 * stack slot the address was in.
 *
 * Rejected: vfork as fork (a full copy of a large process, and the program's
 * pthread_atfork handlers would run, which vfork never does); running the
 * child on a stack of its own (the child returns into its caller's frame: it
 * must be the caller's stack).
 */
#include "shim/shim.h"

#include <errno.h>
#include <sys/syscall.h>

__thread bool vfork_child;

__attribute__((used, noipa)) static struct g *vfork_enter(void)
{
	struct g *g = g_current();
	if (g)
		syscall_enter("vfork");
	return g;
}

__attribute__((used, noipa)) static void vfork_in_child(void)
{
	g_self = NULL;
	vfork_child = true;
}

__attribute__((used, noipa)) static long vfork_in_parent(struct g *g, long result)
{
	vfork_child = false;
	g_self = g;
	if (g)
		syscall_exit();
	if (result < 0) {
		errno = (int)-result;
		return -1;
	}
	return result;
}

/* pid_t vfork(void): the stack is 8 mod 16 at entry and at every call below. */
__asm__(
	".text\n"
	".globl vfork\n"
	".type vfork,@function\n"
	"vfork:\n"
	"	sub $8, %rsp\n"
	"	call vfork_enter\n"
	"	add $8, %rsp\n"
	"	mov %rax, %rsi\n"          /* the G (or NULL), kept in a register */
	"	pop %rdi\n"                /* the return address, likewise */
	"	mov $" "58" ", %eax\n"     /* SYS_vfork */
	"	syscall\n"
	"	push %rdi\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	sub $8, %rsp\n"            /* child */
	"	call vfork_in_child\n"
	"	add $8, %rsp\n"
	"	xor %eax, %eax\n"
	"	ret\n"
	"1:	mov %rsi, %rdi\n"          /* parent, or an error */
	"	mov %rax, %rsi\n"
	"	sub $8, %rsp\n"
	"	call vfork_in_parent\n"
	"	add $8, %rsp\n"
	"	ret\n"
	".size vfork, .-vfork\n");

_Static_assert(SYS_vfork == 58, "the vfork stub's system call number");
