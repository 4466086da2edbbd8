/*
 * Context switch between Gs and an M's scheduler (g0).
 *
 * A context is { saved rsp, FS base }. The callee-saved registers, MXCSR and
 * the x87 control word are pushed on the old stack; rsp is swapped; the FS
 * base is loaded with WRFSBASE when the kernel allows it (chosen at start-up,
 * context_use_wrfsbase), else with arch_prctl. Invariant 1 of DESIGN.md: from
 * the rsp load to the FS load nothing touches TLS, and this code takes no
 * signal-visible detour in between except the arch_prctl syscall itself.
 */
	.text
	.globl	context_switch
	.hidden	context_switch
	.type	context_switch,@function
/* void context_switch(struct context *from, struct context *to) */
context_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	movq	8(%rsi), %rax
	cmpb	$0, context_use_wrfsbase(%rip)
	je	1f
	wrfsbase %rax
2:	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
1:	movq	%rax, %rsi
	movl	$0x1002, %edi		/* ARCH_SET_FS */
	movl	$158, %eax		/* SYS_arch_prctl */
	syscall
	jmp	2b
	.size	context_switch, .-context_switch

/* First frame of a new context: r12 = argument, r13 = function. */
	.globl	context_start
	.hidden	context_start
	.type	context_start,@function
context_start:
	movq	%r12, %rdi
	xorl	%ebp, %ebp
	callq	*%r13
	ud2
	.size	context_start, .-context_start

	.section .note.GNU-stack,"",@progbits
