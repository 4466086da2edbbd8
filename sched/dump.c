/*
 * Thread dumps: every G with its number, state, wait reason, how long it has
 * waited, its start routine, where it was created, and a symbolized
 * backtrace of its saved context — what Go prints on SIGQUIT.
 *
 * Asked for by SIGQUIT (then the program dies of it, as natively), by
 * `goro dump PID` (a SIGQUIT queued with DUMP_SIGNAL_VALUE: the program goes
 * on), and by the deadlock and leak reports. The signal handler only sets a
 * flag and wakes sysmon, which writes the dump: a handler may not take the
 * list lock or allocate, and libdwfl allocates.
 *
 * Backtraces: libdwfl unwinds with the CFI of each module from the
 * registers a parked G saved in context_switch (stack/switch.S), names the
 * functions, and gives file:line where there is debug information. Memory is
 * read with process_vm_readv, so a G that starts running mid-unwind gives a
 * short or odd backtrace, never a crash. Running Gs are listed without one
 * (there is no stop-the-world). The runtime's own frames are left out, as
 * Go leaves out gopark and goexit.
 *
 * Rejected: glibc's backtrace() (it unwinds only the calling thread's stack);
 * frame-pointer walking (the program's code has none, usually).
 */
#include "sched/internal.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FRAMES 32

_Atomic int64_t sched_coarse_now;          /* sysmon's clock, for wait times */
static _Atomic int dump_wanted;             /* DUMP_* */
enum { DUMP_NONE, DUMP_AND_CONTINUE, DUMP_AND_QUIT };

void dump_request(bool then_quit)
{
	atomic_store(&dump_wanted, then_quit ? DUMP_AND_QUIT : DUMP_AND_CONTINUE);
	sysmon_wake();
}

static void out(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		long w = SYS3(SYS_write, fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* ---- unwinding a parked G ---- */

struct unwind {
	uint64_t regs[17];           /* DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
};

/* libdwfl sees one thread whose registers are those of the G being dumped. */
static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	if (*thread_argp)
		return 0;
	*thread_argp = arg;
	return 1;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct iovec local = {result, sizeof *result}, remote = {(void *)addr, sizeof *result};
	return SYS6(SYS_process_vm_readv, SYS0(SYS_getpid), &local, 1, &remote, 1, 0) == sizeof *result;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unwind *u = arg;
	return dwfl_thread_state_registers(thread, 0, 17, u->regs);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

/* Reads the frame context_switch left at ctx.rsp: MXCSR/FPU word, r15..r12, rbx, rbp, return address. */
static bool saved_registers(struct g *g, struct unwind *u)
{
	uint64_t frame[8];
	struct iovec local = {frame, sizeof frame}, remote = {(void *)g->ctx.rsp, sizeof frame};
	if (!g->ctx.rsp || SYS6(SYS_process_vm_readv, SYS0(SYS_getpid), &local, 1, &remote, 1, 0) != sizeof frame)
		return false;
	memset(u->regs, 0, sizeof u->regs);
	u->regs[15] = frame[1];
	u->regs[14] = frame[2];
	u->regs[13] = frame[3];
	u->regs[12] = frame[4];
	u->regs[3] = frame[5];
	u->regs[6] = frame[6];
	u->regs[16] = frame[7];
	u->regs[7] = g->ctx.rsp + sizeof frame;
	return true;
}

struct dump {
	int fd;
	Dwfl *dwfl;
	bool attached;
	struct unwind unwind;        /* the G being unwound */
	int64_t now;
	uintptr_t rt_lo, rt_hi;
};

struct frames {
	Dwfl *dwfl;
	int fd;
	int n;
	uintptr_t runtime_lo, runtime_hi;
};

static void describe_pc(Dwfl *dwfl, uintptr_t pc, char *buf, size_t size)
{
	Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, pc) : NULL;
	const char *name = mod ? dwfl_module_addrname(mod, pc) : NULL;
	Dl_info info;
	if (!name && dladdr((void *)pc, &info) && info.dli_sname)
		name = info.dli_sname;
	int n = snprintf(buf, size, "%s", name ? name : "?");
	Dwfl_Line *line = mod ? dwfl_module_getsrc(mod, pc) : NULL;
	int lineno;
	const char *file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (file && n < (int)size)
		snprintf(buf + n, size - n, " (%s:%d)", file, lineno);
	else if (mod && n < (int)size) {
		const char *modname = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		const char *slash = modname ? strrchr(modname, '/') : NULL;
		snprintf(buf + n, size - n, " (%s)", slash ? slash + 1 : modname ? modname : "?");
	}
}

static int print_frame(Dwfl_Frame *frame, void *arg)
{
	struct frames *f = arg;
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(frame, &pc, &activation) || pc == 0)
		return DWARF_CB_ABORT;
	uintptr_t where = activation ? pc : pc - 1;   /* a return address points after the call */
	if (where >= f->runtime_lo && where < f->runtime_hi)
		return DWARF_CB_OK;   /* goro's own frames (parking, g_main, context_start) */
	char buf[512], line[600];
	describe_pc(f->dwfl, where, buf, sizeof buf);
	snprintf(line, sizeof line, "    %s\n", buf);
	out(f->fd, line);
	return ++f->n < MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static void backtrace_g(struct dump *d, struct g *g)
{
	struct frames f = {.dwfl = d->dwfl, .fd = d->fd, .runtime_lo = d->rt_lo, .runtime_hi = d->rt_hi};
	if (d->attached && saved_registers(g, &d->unwind))
		dwfl_getthread_frames(d->dwfl, 1, print_frame, &f);
	if (f.n == 0)
		out(d->fd, "    (no backtrace)\n");
}

/* ---- the dump ---- */

static const char *status_name(int status)
{
	static const char *const names[] = {"idle", "runnable", "running", "waiting", "syscall", "dead"};
	return status >= 0 && status <= G_DEAD ? names[status] : "?";
}


static void dump_one(struct g *g, void *arg)
{
	struct dump *d = arg;
	int status = atomic_load(&g->status);
	if (status == G_DEAD || status == G_IDLE)
		return;
	char head[512], start[300], created[300];
	if (g->is_main)
		snprintf(start, sizeof start, "main");
	else
		describe_pc(d->dwfl, (uintptr_t)g->start, start, sizeof start);
	int n = snprintf(head, sizeof head, "\ngoroutine %llu [%s", (unsigned long long)g->goid, status_name(status));
	if ((status == G_WAITING || status == G_SYSCALL) && g->wait_reason)
		n += snprintf(head + n, sizeof head - n, ", %s", g->wait_reason);
	int fd, fds;
	if (status == G_WAITING && atomic_load(&g->wait_kind) == WAIT_NETPOLL && netpoll_waited_fds(g->wait_obj, &fd, &fds))
		n += fds == 1 ? snprintf(head + n, sizeof head - n, " fd %d", fd)
			      : snprintf(head + n, sizeof head - n, " fd %d and %d more", fd, fds - 1);
	if ((status == G_WAITING || status == G_SYSCALL) && g->wait_since)
		n += snprintf(head + n, sizeof head - n, ", %lld ms", (long long)((d->now - g->wait_since) / 1000000));
	snprintf(head + n, sizeof head - n, "]: %s \"%s\"\n", start, g->name);
	out(d->fd, head);
	if (status == G_WAITING || status == G_RUNNABLE)
		backtrace_g(d, g);
	else
		out(d->fd, "    (running on an OS thread: no backtrace)\n");
	if (g->created_at) {
		describe_pc(d->dwfl, g->created_at - 1, created, sizeof created);
		snprintf(head, sizeof head, "  created at %s\n", created);
		out(d->fd, head);
	}
}

/* Ready to describe Gs: libdwfl knows this process's modules and unwinds d->unwind. */
static void dump_open(struct dump *d, int fd)
{
	*d = (struct dump){.fd = fd, .now = nanotime()};
	signal_runtime_range(&d->rt_lo, &d->rt_hi);
	d->dwfl = dwfl_begin(&dwfl_callbacks);
	if (!d->dwfl)
		return;
	dwfl_linux_proc_report(d->dwfl, (pid_t)SYS0(SYS_getpid));
	dwfl_report_end(d->dwfl, NULL, NULL);
	d->attached = dwfl_attach_state(d->dwfl, NULL, 1, &thread_callbacks, &d->unwind);
}

static void dump_close(struct dump *d)
{
	if (d->dwfl)
		dwfl_end(d->dwfl);
}

void dump_write(int fd, const char *title)
{
	struct dump d;
	dump_open(&d, fd);
	out(fd, title);
	g_for_each(dump_one, &d);
	out(fd, "\n");
	dump_close(&d);
}

/* sysmon: a dump was asked for. */
void dump_if_requested(void)
{
	int what = atomic_exchange(&dump_wanted, DUMP_NONE);
	if (what == DUMP_NONE)
		return;
	dump_write(2, what == DUMP_AND_QUIT ? "goro: SIGQUIT: dump of every thread\n" : "goro: dump of every thread\n");
	if (what == DUMP_AND_QUIT)
		signal_die_of(SIGQUIT);
}

/* ---- leaks (GORO_LEAKCHECK) ---- */

struct leaks {
	struct dump d;
	int count;
};

static void report_leak(struct g *g, void *arg)
{
	struct leaks *l = arg;
	int status = atomic_load(&g->status);
	uint32_t life = atomic_load(&g->life);
	if (g->is_main || status == G_IDLE || (status == G_DEAD && (life & LIFE_DETACHED)))
		return;
	l->count++;
	if (l->d.fd < 0)
		return;   /* counting only */
	char start[300], created[300], line[800];
	describe_pc(l->d.dwfl, (uintptr_t)g->start, start, sizeof start);
	if (g->created_at)
		describe_pc(l->d.dwfl, g->created_at - 1, created, sizeof created);
	else
		snprintf(created, sizeof created, "?");
	const char *what = status == G_DEAD ? "exited, never joined nor detached"
			 : status == G_WAITING ? "still blocked"
			 : status == G_SYSCALL ? "still in a system call" : "still running";
	int n = snprintf(line, sizeof line, "  goroutine %llu [%s", (unsigned long long)g->goid, status_name(status));
	if ((status == G_WAITING || status == G_SYSCALL) && g->wait_reason)
		n += snprintf(line + n, sizeof line - n, ", %s", g->wait_reason);
	snprintf(line + n, sizeof line - n, "]: %s, created at %s: %s\n", start, created, what);
	out(l->d.fd, line);
	if (status == G_WAITING || status == G_RUNNABLE)
		backtrace_g(&l->d, g);
}

int leak_report(int fd)
{
	struct leaks count = {.d = {.fd = -1}};
	g_for_each(report_leak, &count);
	if (count.count == 0)
		return 0;
	struct leaks l = {0};
	dump_open(&l.d, fd);
	char head[128];
	snprintf(head, sizeof head, "goro: leak check: %d thread%s left at exit:\n", count.count, count.count == 1 ? "" : "s");
	out(fd, head);
	g_for_each(report_leak, &l);
	dump_close(&l.d);
	return l.count;
}
