/*
 * stack/ — where a G lives in memory: its stack mapping, its glibc TLS block
 * and thread control block (TCB), and the context switch.
 *
 * A G's slot of an arena (arena.c), low to high:
 *   [guard][stack ..........][DTV][struct g][static TLS][TCB = struct pthread][canary]
 * The TCB address is the G's thread pointer (FS base, pthread_t). The static
 * TLS sits just below it as glibc's variant II layout requires; the scheduler's
 * struct g sits below that, so pthread_t -> G is arithmetic (stack_g_of_tcb).
 * The DTV (glibc's per-thread module table) sits below struct g, in the page
 * a blocked G touches anyway, instead of in malloc's heap (tcb.c).
 */
#ifndef GORO_STACK_H
#define GORO_STACK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct context {
	uint64_t rsp;
	uint64_t fs;
};

void context_switch(struct context *from, struct context *to);
void context_init(struct context *c, void *stack_top, void (*fn)(void *), void *arg, void *fs);
extern bool context_use_wrfsbase;
void context_load_fs(void *fs);

/*
 * System calls the runtime makes for itself. Not glibc's syscall(): goro
 * exports its own syscall() (to see futex calls), and the runtime must never
 * go through the program-facing wrappers. Same contract as syscall(2):
 * -1 with errno set on failure.
 */
static inline long sys_call(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	if (ret < 0 && ret > -4096) {
		extern int *__errno_location(void);
		*__errno_location() = (int)-ret;
		return -1;
	}
	return ret;
}
#define SYS0(n) sys_call(n, 0, 0, 0, 0, 0, 0)
#define SYS1(n, a) sys_call(n, (long)(a), 0, 0, 0, 0, 0)
#define SYS2(n, a, b) sys_call(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(n, a, b, c) sys_call(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(n, a, b, c, d) sys_call(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(n, a, b, c, d, e) sys_call(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define SYS6(n, a, b, c, d, e, f) sys_call(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* Layout facts of the running glibc, checked once by tls_layout_init. */
struct tls_layout {
	size_t static_size;     /* static TLS + TCB, as _dl_get_tls_static_info says */
	size_t static_align;
	size_t tcb_size;        /* sizeof(struct pthread) */
	size_t block_size;      /* static TLS + TCB rounded to the alignment */
	size_t off_tid, off_list, off_specific, off_robust_prev, off_robust_head;
	size_t off_specific_1stblock, off_specific_used, off_user_stack;
	size_t off_schedparam, off_schedpolicy, off_stackblock, off_stackblock_size;
	size_t off_guardsize, off_reported_guardsize, off_res, off_rseq_cpu_id;
	size_t off_cleanup_jmp_buf, off_cancelhandling, off_result;
	long rseq_offset;
	size_t libc_tls_offset; /* tp - start of libc's own TLS block */
	size_t libc_tls_size;
};
extern struct tls_layout tls_layout;

/* Returns 0, or -1 with a one-line reason in why when goro must not take over. */
int tls_layout_init(char *why, size_t whylen);

/* Accessors for fields of a TCB. */
#define TCB_FIELD(tp, off, type) (*(type *)((char *)(tp) + (off)))
static inline void *tcb_current(void)
{
	void *self;
	__asm__ volatile("movq %%fs:0x10, %0" : "=r"(self));   /* volatile: FS changes under the compiler's feet */
	return self;
}
static inline int tcb_tid(void *tp) { return TCB_FIELD(tp, tls_layout.off_tid, int); }

/*
 * Cancellation state, glibc's own (nptl/descr.h): the cancelhandling word
 * and its bits, the innermost unwind buffer (where glibc's forced unwind
 * ends, with a longjmp) and the thread's result. glibc's testcancel,
 * setcancelstate/type, cancellable system calls and pthread_exit read and
 * write them on THREAD_SELF, which for a G is its own TCB.
 */
enum {
	CANCEL_DISABLED = 1 << 0,    /* CANCELSTATE_BIT */
	CANCEL_ASYNC = 1 << 1,       /* CANCELTYPE_BIT */
	CANCEL_CANCELING = 1 << 2,
	CANCEL_CANCELED = 1 << 3,
	CANCEL_EXITING = 1 << 4,
	CANCEL_TERMINATED = 1 << 5,
	CANCEL_SETXID = 1 << 6,      /* SETXID_BIT: setuid() waits for this thread's SIGSETXID handler */
};
static inline _Atomic int *tcb_cancelhandling(void *tp)
{
	return (_Atomic int *)((char *)tp + tls_layout.off_cancelhandling);
}
/* glibc's cancel_enabled_and_canceled: a request to act on at the next cancellation point */
static inline bool cancel_requested_in(int v)
{
	return (v & (CANCEL_DISABLED | CANCEL_CANCELED | CANCEL_EXITING | CANCEL_TERMINATED)) == CANCEL_CANCELED;
}
static inline void **tcb_unwind_buf(void *tp) { return &TCB_FIELD(tp, tls_layout.off_cleanup_jmp_buf, void *); }
static inline void *tcb_result(void *tp) { return TCB_FIELD(tp, tls_layout.off_result, void *); }

/* A G's memory. */
struct stack {
	char *map;          /* whole slot (NULL for a user-supplied stack) */
	size_t map_size;    /* for a user stack: the size the user gave */
	struct arena *arena;
	char *lo, *hi;      /* usable stack */
	size_t guard;       /* the guard area's size, as requested (pthread_getattr_np reports it) */
	bool guarded;       /* the guard area is mprotect'ed (else only the canary watches) */
	bool user;          /* stack came from pthread_attr_setstack */
};

_Noreturn void fatal(const char *msg);   /* sched/ provides it */
#define STACK_CANARY 0x676f726f5f746f70ULL   /* "goro_top" */

/* Size of the struct g slot carved under the TLS block. */
#define STACK_G_SLOT 1024

/* The in-slot DTV: room for this many TLS modules (glibc itself allocates the
 * highest module id + 14); past half of it, DTVs move to malloc (tcb.c). */
#define STACK_DTV_ENTRIES 62
#define STACK_DTV_AREA ((STACK_DTV_ENTRIES + 2) * 16)

/* Lays out a slot from an arena: returns the thread pointer, or NULL with errno EAGAIN. */
void *stack_alloc(struct stack *s, size_t stack_size, size_t guard);
/* Lays out G + TLS + TCB at the top of a user stack; NULL if it is too small. */
void *stack_carve_user(struct stack *s, void *addr, size_t size);
/* Gives the slot's pages back and the slot to its arena (not for user stacks). */
void stack_free(struct stack *s);
/* Gives back the stack pages below keep_from (a G not running); returns the bytes. */
size_t stack_release_cold(const struct stack *s, uintptr_t keep_from);
void stack_reset_after_fork(void);
/* A G seen as deep as sp_low, now at sp, has whole pages below sp's page it no longer uses. */
static inline bool stack_cold_below(uintptr_t sp_low, uintptr_t sp)
{
	uintptr_t page = sp & ~(uintptr_t)4095;
	return page >= 2 * 4096 && sp_low <= page - 2 * 4096;
}   /* the arenas' lock, in the child */
/* The G with this stack, switched out at sp, ran past its end (sp in its
 * guard area or just below, or, without a guard, the canary below overwritten). */
bool stack_overflowed(const struct stack *s, uintptr_t sp);
/* addr (a fault's) is in this stack's guard area. */
bool stack_guard_hit(const struct stack *s, uintptr_t addr);
static inline void *stack_g_of_tcb(void *tp)
{
	return (char *)tp + tls_layout.tcb_size - tls_layout.block_size - STACK_G_SLOT;
}
static inline void *stack_dtv_area_of_tcb(void *tp)
{
	return (char *)stack_g_of_tcb(tp) - STACK_DTV_AREA;
}

/* TCB life cycle. */
int tcb_setup(void *tp, struct stack *s, int tid, bool dtv_in_slot);   /* fresh memory; 0 or ENOMEM */
int tcb_recycle(void *tp, struct stack *s, int tid);    /* a pooled TCB: reset like new */
void tcb_enter(void *tp, bool recycled);                /* first code on the TCB itself */
void tcb_exit_keys(void *tp);                           /* run pthread key destructors */
void tcb_release(void *tp);                             /* give back DTV and dynamic TLS */
/* DTVs in slots: tcb_dtv_epoch moves on when they must move to malloc (too
 * many TLS modules); a G whose epoch is behind moves its own out before it runs. */
extern _Atomic unsigned tcb_dtv_epoch;
void tcb_dtv_note_module(size_t modid);   /* a TLS module id in use; the caller's DTV may move */
void tcb_dtv_move_out(void *tp);          /* normal context (malloc); no-op if not in the slot */
void tcb_robust_owner_died(void *tp);                   /* its thread exits: glibc's robust list, as the kernel would */

#endif
