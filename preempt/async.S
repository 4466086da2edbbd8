/*
 * preempt_async_entry: where a preempted G resumes after the signal handler
 * returns (handler.c). On entry every register holds the interrupted
 * program's value except rsp (128 bytes below the interrupted one, past the
 * red zone) and rip; the interrupted PC is in the G's preempt_resume_pc.
 *
 * Frame, from high to low addresses: the return slot (interrupted PC),
 * rflags, the 15 general registers, then the XSAVE area (64-byte aligned,
 * its header zeroed as XRSTOR requires). The C call runs with DF clear and a
 * 16-byte aligned stack. `ret $128` pops the PC and skips the red zone, so
 * rsp ends exactly where it was interrupted.
 *
 * Flags: only instructions that leave rflags alone (lea, mov, push, pop)
 * run before pushfq.
 *
 * Unwind information: from the C call on, the frame is described as a
 * signal frame whose caller is the interrupted code at the exact PC, with
 * every register where it was saved, so an unwind that starts in the C call
 * (asynchronous cancellation, sched/cancel.c) goes on into the program's
 * frames. CFA = the interrupted rsp = rbx + 264.
 */
	.text
	.globl	preempt_async_entry
	.hidden	preempt_async_entry
	.type	preempt_async_entry,@function
preempt_async_entry:
	.cfi_startproc
	.cfi_signal_frame
	leaq	-8(%rsp), %rsp			/* the return slot */
	pushq	%rax
	movq	preempt_resume_pc@gottpoff(%rip), %rax
	movq	%fs:(%rax), %rax
	movq	%rax, 8(%rsp)
	popq	%rax
	pushfq
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rbx			/* callee-saved: finds the frame again */
	.cfi_def_cfa %rbx, 264
	.cfi_offset %rip, -136
	.cfi_offset %rax, -152
	.cfi_offset %rbx, -160
	.cfi_offset %rcx, -168
	.cfi_offset %rdx, -176
	.cfi_offset %rsi, -184
	.cfi_offset %rdi, -192
	.cfi_offset %rbp, -200
	.cfi_offset %r8, -208
	.cfi_offset %r9, -216
	.cfi_offset %r10, -224
	.cfi_offset %r11, -232
	.cfi_offset %r12, -240
	.cfi_offset %r13, -248
	.cfi_offset %r14, -256
	.cfi_offset %r15, -264
	cld
	movl	preempt_fpstate_size(%rip), %eax
	subq	%rax, %rsp
	andq	$-64, %rsp
	xorl	%eax, %eax			/* XSAVE header: bytes 512..575 must start zeroed */
	movq	%rax, 512(%rsp)
	movq	%rax, 520(%rsp)
	movq	%rax, 528(%rsp)
	movq	%rax, 536(%rsp)
	movq	%rax, 544(%rsp)
	movq	%rax, 552(%rsp)
	movq	%rax, 560(%rsp)
	movq	%rax, 568(%rsp)
	movl	$-1, %eax			/* every state component XCR0 enables */
	movl	$-1, %edx
	cmpb	$0, preempt_use_xsave(%rip)
	je	1f
	xsave64	(%rsp)
	jmp	2f
1:	fxsave64 (%rsp)
2:	call	preempt_async_yield
	movl	$-1, %eax
	movl	$-1, %edx
	cmpb	$0, preempt_use_xsave(%rip)
	je	3f
	xrstor64 (%rsp)
	jmp	4f
3:	fxrstor64 (%rsp)
4:	movq	%rbx, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	popfq
	ret	$128
	.cfi_endproc
	.size	preempt_async_entry, .-preempt_async_entry

	.section .note.GNU-stack,"",@progbits
