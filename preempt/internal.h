/* preempt/ internals shared by its files; not part of the module's interface. */
#ifndef GORO_PREEMPT_INTERNAL_H
#define GORO_PREEMPT_INTERNAL_H
#include "preempt/preempt.h"
#include "sched/sched.h"

/* codemap.c: where the program's code is, and which of it may be stopped */
int codemap_build(void);
bool codemap_is_runtime(uintptr_t pc);   /* libgoro itself */
bool codemap_is_safe(uintptr_t pc);      /* not libc, ld.so, libstdc++, libgcc_s, libm, libgoro */
void codemap_runtime_region(uintptr_t *lo, uintptr_t *hi);   /* libgoro's code */

/* handler.c */
extern _Atomic int preempt_sig;          /* 0: preemption off */
void preempt_handler(int sig, siginfo_t *info, void *ucontext);
void fpstate_init(void);

/* async.S: entered instead of the interrupted instruction; saves every
 * register and the whole FP/SIMD state, calls g_preempt_yield, restores. */
void preempt_async_entry(void);
extern __thread uintptr_t preempt_resume_pc;
extern uint32_t preempt_fpstate_size;    /* bytes XSAVE needs for XCR0's features */
extern bool preempt_use_xsave;           /* else FXSAVE (SSE state only) */

#endif
