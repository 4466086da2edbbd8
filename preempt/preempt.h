/*
 * preempt/ — asynchronous preemption (DESIGN.md invariants 3 and 5): the
 * time-slice setting, the signal goro uses and its handler, the map of code
 * where a thread may be stopped, and the trampoline that saves and restores
 * a thread's whole register state around the stop. sysmon decides who has
 * run too long (sched/sysmon.c); this module gets the G off its P safely.
 * This header is the module's whole interface.
 */
#ifndef GORO_PREEMPT_H
#define GORO_PREEMPT_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PREEMPT_DEFAULT_SLICE_NS 10000000   /* Go's forcePreemptNS */

/* Start-up: slice_ns 0 turns preemption off; sig 0 lets goro choose (SIGURG
 * unless the program already has it, else a free real-time signal). Returns
 * 0, or -1 with a one-line reason in why. */
int preempt_init(int64_t slice_ns, int sig, char *why, size_t why_size);
int64_t preempt_slice_ns(void);               /* 0: off */
int preempt_signal_number(void);              /* 0: none */

/* Parses a GORO_PREEMPT_SIGNAL value ("SIGURG", "URG", "23", "SIGRTMAX-2"):
 * the signal number, or 0 if it is not one goro can use. */
int preempt_parse_signal(const char *text);

/* sysmon: ask the OS thread ktid to stop the G it runs at a safe point. */
void preempt_signal_m(pid_t ktid);
/* Another handler of goro's (SIGCANCEL's, for asynchronous cancellation),
 * on the OS thread it interrupted: stop the G there, as the preemption
 * signal would, if its M was asked to (m->preempt) and it is at a safe
 * point. One signal instead of two: when two arrive together, the kernel
 * restarts an interrupted system call or not by the first one's SA_RESTART. */
void preempt_at_signal(void *ucontext);
#define PREEMPT_STAMP 0x70726565   /* si_value of goro's preemption signals */
bool preempt_signal_is_stamped(const siginfo_t *info);

/* exec: stop sending, and drop what is pending, so no preemption signal
 * survives into the new program; resume if exec failed. A vfork child
 * (vfork_child true) only drops its own. */
void preempt_before_exec(bool vfork_child);
void preempt_after_failed_exec(void);

/* sigaction interposition: the program asked about or set sig. */
bool preempt_owns_signal(int sig);
void preempt_program_view(int sig, struct sigaction *old);   /* what the kernel would report */
void preempt_give_up_signal(int sig);                        /* move to another signal first */
void preempt_note_program_signal(int sig);                   /* the program set an action for sig */

/* dlopen/dlclose changed the loaded code: rebuild the map of safe code. */
void preempt_codemap_refresh(void);

#endif
