/*
 * A G's first context (context_init: the frame switch.S's context_switch
 * returns into) and loading the FS base (WRFSBASE when the kernel allows it,
 * else arch_prctl; see invariant 1).
 */
#include "stack/stack.h"

void context_init(struct context *c, void *stack_top, void (*fn)(void *), void *arg, void *fs)
{
	extern void context_start(void);
	uint64_t *top = (uint64_t *)(((uintptr_t)stack_top - 16) & ~15UL);
	uint64_t *sp = top - 8;
	sp[0] = 0x1f80 | (0x37fULL << 32);   /* MXCSR, x87 control word */
	sp[1] = 0;                            /* r15 */
	sp[2] = 0;                            /* r14 */
	sp[3] = (uint64_t)fn;                 /* r13 */
	sp[4] = (uint64_t)arg;                /* r12 */
	sp[5] = 0;                            /* rbx */
	sp[6] = 0;                            /* rbp */
	sp[7] = (uint64_t)context_start;      /* return address */
	c->rsp = (uint64_t)sp;
	c->fs = (uint64_t)fs;
}

bool context_use_wrfsbase;

void context_load_fs(void *fs)
{
	if (context_use_wrfsbase)
		__asm__ volatile("wrfsbase %0" ::"r"(fs) : "memory");
	else
		SYS2(158 /* SYS_arch_prctl */, 0x1002 /* ARCH_SET_FS */, fs);
}
