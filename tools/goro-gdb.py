# goro-gdb.py — gdb commands for a program running under goro (libgoro.so).
#
# goro runs every pthread as a user-space thread (a G) on a few OS threads
# (Ms), so gdb's `info threads` shows the Ms, not the program's threads. This
# file adds:
#
#   info goroutines              one line per G (goro's allg list): number,
#                                status, wait reason, how long it has waited,
#                                the M and kernel tid running it, name, start
#                                routine. `*` marks the G on the selected thread.
#   goroutine N                  details of G number N
#   goroutine N CMD...           run a gdb command (bt, bt full, frame 2,
#                                info locals...) in G N's context
#   goroutine apply all CMD...   the same for every G (also: apply N M... CMD)
#   set goro-unwind auto|registers|unwinder
#                                how a parked G's stack is reached (see below)
#
# Load it with `source tools/goro-gdb.py` in gdb, or `gdb -x tools/goro-gdb.py`.
# To have it load by itself with libgoro.so, link it next to the library under
# the name gdb looks for, and allow that directory once in ~/.gdbinit:
#     ln -s ../tools/goro-gdb.py build/libgoro.so-gdb.py
#     echo "add-auto-load-safe-path $PWD/build" >> ~/.gdbinit
#
# How a G's stack is found. A G running (or in a system call) on an M: the
# command runs on that M's OS thread (gdb's thread whose LWP is m->ktid). A
# parked G (waiting, runnable): its callee-saved registers are on its own
# stack at g->ctx.rsp, pushed by context_switch (stack/switch.S):
#     ctx.rsp+0 MXCSR/x87 CW, +8 r15, +16 r14, +24 r13, +32 r12, +40 rbx,
#     +48 rbp, +56 return address
# so the G resumes with rip = return address, rsp = ctx.rsp + 64.
#   - registers (live processes, default): frame 0 of the selected thread gets
#     those registers for the duration of the command and its own back
#     afterwards, whatever happens (try/finally; orig_rax too, so a system call
#     the thread was stopped in still restarts). Frame numbers are the G's own.
#   - unwinder (core files, where registers cannot be written; chosen by
#     itself there): a Python unwinder makes the G's frames the callers of the
#     selected thread's innermost frame, and a frame filter hides that frame
#     in backtraces. The G's innermost frame is then #1 (or one more per
#     inlined frame at the top of the selected thread), not #0.
# Only general-purpose registers change: `__thread` variables read in a parked
# G's context are those of the selected OS thread's current G, not the parked
# one's (each G has its own FS base, g->ctx.fs); printing them is not supported.
#
# A preempted G parked inside goro's preemption trampoline
# (preempt_async_entry, preempt/async.S, which has no CFI) is unwound through
# it by a second Python unwinder that reads the frame the trampoline pushed.
import os
import struct
import time

import gdb
import gdb.unwinder

G_MAGIC = 0x676F726F2D472121
MASK64 = (1 << 64) - 1
STATUS_FALLBACK = ["idle", "runnable", "running", "waiting", "syscall", "dead"]
ON_M = ("running", "syscall")
PARKED = ("idle", "runnable", "waiting")
SAVED_REGS = ("rip", "rsp", "rbp", "rbx", "r12", "r13", "r14", "r15")
MAX_GS = 50_000_000


class _Error(gdb.GdbError):
    pass


def _field_offsets(t, prefix=""):
    """name -> (byte offset, type) for every field, nested structs flattened as a.b."""
    out = {}
    for f in t.strip_typedefs().fields():
        if not f.name or not hasattr(f, "bitpos"):
            continue
        name = prefix + f.name
        out[name] = (f.bitpos // 8, f.type)
        ft = f.type.strip_typedefs()
        if ft.code == gdb.TYPE_CODE_STRUCT:
            for sub, (off, st) in _field_offsets(ft, name + ".").items():
                out[sub] = (f.bitpos // 8 + off, st)
    return out


class _Struct:
    """Reads selected fields of a struct from raw memory in one read."""

    def __init__(self, t, fields, optional=()):
        self.size = t.strip_typedefs().sizeof
        offs = _field_offsets(t)
        self.fields = {}
        for name in list(fields) + list(optional):
            if name not in offs:
                if name in fields:
                    raise _Error("goro: struct %s has no field %s: this goro-gdb.py does not match the library"
                                 % (t.strip_typedefs().tag, name))
                continue
            off, ft = offs[name]
            ft = ft.strip_typedefs()
            size = ft.sizeof
            if ft.code == gdb.TYPE_CODE_ARRAY:
                fmt = "%ds" % size
            elif ft.code == gdb.TYPE_CODE_PTR or ft.code == gdb.TYPE_CODE_FUNC:
                fmt = "Q"
            elif ft.code == gdb.TYPE_CODE_BOOL:
                fmt = "?"
            else:   # the 64-bit fields read are addresses, numbers, times: unsigned; smaller ones int
                fmt = {1: "b", 2: "h", 4: "i", 8: "Q"}[size]
            self.fields[name.replace(".", "_")] = (off, struct.Struct("<" + fmt))
        self.items = [(name, st.unpack_from, off) for name, (off, st) in self.fields.items()]

    def read(self, inf, addr):
        data = inf.read_memory(addr, self.size).tobytes()
        obj = _Obj()
        d = obj.__dict__
        d["addr"] = addr
        for name, unpack, off in self.items:
            d[name] = unpack(data, off)[0]
        return obj


class _Obj:
    def __getattr__(self, name):   # optional fields the library lacks
        return None


class _Runtime:
    """goro's scheduler state in the inferior, found through libgoro.so's debug info."""

    def __init__(self):
        self.inf = gdb.selected_inferior()
        if self.inf.pid == 0:
            raise _Error("goro: no process: run the program, attach to it (gdb -p PID) or load a core file")
        allg = None
        for s in gdb.lookup_static_symbols("allg"):
            t = s.type.strip_typedefs()
            if t.code == gdb.TYPE_CODE_PTR and t.target().strip_typedefs().tag == "g":
                allg = s
                break
        if allg is None:
            libs = [o.filename for o in gdb.objfiles() if o.filename and "libgoro" in os.path.basename(o.filename)]
            if libs:
                raise _Error("goro: %s has no debug information (build it with -g): cannot read goro's thread list"
                             % libs[0])
            raise _Error("goro: this program is not running under goro (libgoro.so not loaded, no 'allg' symbol)")
        self.allg_sym = allg
        self.objfile = allg.symtab.objfile
        block = allg.symtab.static_block()
        gtype = allg.type.strip_typedefs().target()
        self.gtype = gtype
        mtype = _field_offsets(gtype)["m"][1].strip_typedefs().target()
        self.G = _Struct(gtype, ["magic", "ctx.rsp", "status", "m", "goid", "start", "wait_reason", "is_main",
                                 "all_next", "name"],
                         ["ctx.fs", "tid", "tcb", "arg", "wait_since", "created_at", "stack.lo", "stack.hi",
                          "preempt", "syscall_entered_at"])
        self.M = _Struct(mtype, ["id", "ktid", "curg"])
        self.status_names = {}
        try:
            for f in gdb.lookup_type("enum g_status", block).fields():
                self.status_names[f.enumval] = f.name.lower().replace("g_", "", 1)
        except gdb.error:
            self.status_names = dict(enumerate(STATUS_FALLBACK))
        active = gdb.lookup_symbol("sched_active", block)[0]
        if active is not None and not bool(active.value()):
            raise _Error("goro: libgoro.so is loaded but did not take over (sched_active is false): "
                         "threads are native, use `info threads`")
        self._strings = {}

    def _global(self, name):
        s = gdb.lookup_global_symbol(name)
        if s is None or s.symtab.objfile != self.objfile:
            return None
        return s

    def status(self, g):
        return self.status_names.get(g.status, "status %d" % g.status)

    def gs(self):
        """Every G on the allg list, by number."""
        out, seen = [], set()
        addr = int(self.allg_sym.value()) & MASK64
        while addr and len(out) < MAX_GS:
            if addr in seen:
                gdb.write("goro: warning: the allg list loops at 0x%x\n" % addr)
                break
            seen.add(addr)
            try:
                g = self.G.read(self.inf, addr)
            except gdb.MemoryError:
                gdb.write("goro: warning: cannot read the G at 0x%x; the list stops there\n" % addr)
                break
            if g.magic != G_MAGIC:
                gdb.write("goro: warning: 0x%x on the allg list is not a G (magic 0x%x); the list stops there "
                          "(goro was changing it, or gdb read a libgoro.so other than the one the process "
                          "runs: rebuilt since?)\n" % (addr, g.magic & MASK64))
                break
            out.append(g)
            addr = g.all_next
        out.sort(key=lambda g: g.goid)
        return out

    def find(self, goid):
        for g in self.gs():
            if g.goid == goid:
                return g
        raise _Error("goro: no goroutine %d (see `info goroutines`)" % goid)

    def m_of(self, g):
        if self.status(g) not in ON_M or not g.m:
            return None
        try:
            return self.M.read(self.inf, g.m)
        except gdb.MemoryError:
            return None

    def string(self, addr, limit=64):
        if not addr:
            return ""
        if addr not in self._strings:
            try:
                data = self.inf.read_memory(addr, limit).tobytes()
            except gdb.MemoryError:
                try:
                    data = self.inf.read_memory(addr, 16).tobytes()
                except gdb.MemoryError:
                    data = b"?"
            self._strings[addr] = data.split(b"\0", 1)[0].decode("utf-8", "replace")
        return self._strings[addr]

    def wait_reason(self, g):
        if self.status(g) in ("waiting", "syscall"):
            return self.string(g.wait_reason)
        return ""

    def name(self, g):
        return g.name.split(b"\0", 1)[0].decode("utf-8", "replace")

    def start(self, g, where=False):
        if g.is_main:
            return "main"
        return _symbolize(g.start, where)

    def now(self):
        """goro's monotonic clock: this machine's for a local process, else sysmon's last tick."""
        if _connection_type() == "native":
            return time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        s = self._global("sched_coarse_now")
        return int(s.value()) if s is not None else None

    def waited(self, g, now):
        if now is None or not g.wait_since or self.status(g) not in ("waiting", "syscall"):
            return ""
        return _duration(now - g.wait_since)

    def saved_regs(self, g):
        sp = g.ctx_rsp
        try:
            w = struct.unpack("<8Q", self.inf.read_memory(sp, 64).tobytes())
        except gdb.MemoryError:
            raise _Error("goro: cannot read goroutine %d's saved registers at 0x%x" % (g.goid, sp))
        return {"rip": w[7], "rsp": sp + 64, "rbp": w[6], "rbx": w[5],
                "r12": w[4], "r13": w[3], "r14": w[2], "r15": w[1]}


def _duration(ns):
    if ns < 0:
        return ""
    s = ns / 1e9
    if s < 60:
        return "%.1fs" % s
    if s < 3600:
        return "%dm%02ds" % (s // 60, s % 60)
    return "%dh%02dm" % (s // 3600, s % 3600 // 60)


def _symbolize(pc, where=False):
    if not pc:
        return "?"
    name = None
    try:
        b = gdb.block_for_pc(pc)
        while b is not None and b.function is None:
            b = b.superblock
        if b is not None and b.function is not None:
            name = b.function.print_name
    except RuntimeError:
        pass
    if name is None:
        try:
            out = gdb.execute("info symbol 0x%x" % pc, to_string=True)
            if not out.startswith("No symbol"):
                name = out.split(" in section ")[0].strip()
        except gdb.error:
            pass
    if name is None:
        return "0x%x" % pc
    if where:
        try:
            sal = gdb.find_pc_line(pc)
            if sal.symtab is not None and sal.line:
                name += " at %s:%d" % (os.path.basename(sal.symtab.filename), sal.line)
        except RuntimeError:
            pass
    return name


def _connection_type():
    try:
        conn = gdb.selected_inferior().connection
        return conn.type if conn is not None else None
    except AttributeError:   # gdb before 12
        first = (gdb.execute("info target", to_string=True).splitlines() or [""])[0].lower()
        return "core" if "core" in first else "native" if "child" in first or "native" in first else None


def _is_core():
    return _connection_type() == "core"


def _thread_by_lwp(lwp):
    for t in gdb.selected_inferior().threads():
        if t.ptid[1] == lwp:
            return t
    return None


def _selected_lwp():
    t = gdb.selected_thread()
    return t.ptid[1] if t is not None else None


def _current_goid(rt, gs):
    lwp = _selected_lwp()
    for g in gs:
        m = rt.m_of(g)
        if m is not None and m.ktid == lwp and m.curg == g.addr:
            return g.goid
    return None


# ---- info goroutines ----

class InfoGoroutines(gdb.Command):
    """List goro's user threads (Gs): info goroutines
Columns: number, status (idle/runnable/running/waiting/syscall), wait reason,
how long it has waited, the M and kernel tid running it, its name (as
pthread_setname_np sets it), its start routine ("main" for the main thread).
`*` marks the G running on gdb's selected thread. See `goroutine N bt`."""

    def __init__(self):
        super().__init__("info goroutines", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        rt = _Runtime()
        gs = rt.gs()
        now = rt.now()
        cur = _current_goid(rt, gs)
        rows = [("", "Id", "Status", "Wait reason", "Waited", "M", "Tid", "Name", "Start routine")]
        for g in gs:
            m = rt.m_of(g)
            rows.append(("*" if g.goid == cur else "", str(g.goid), rt.status(g), rt.wait_reason(g),
                         rt.waited(g, now), "M%d" % m.id if m else "", str(m.ktid) if m else "",
                         rt.name(g), rt.start(g)))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            gdb.write(" ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n")
        gdb.write("%d goroutines\n" % len(gs))


# ---- running a command in a G's context ----

class _FrameId:
    """A frame id for UnwindInfo: gdb wants gdb.Values for sp and pc."""

    def __init__(self, pf, sp, pc):
        self.sp = gdb.Value(sp).cast(pf.read_register("rsp").type)
        self.pc = gdb.Value(pc).cast(pf.read_register("rip").type)


class _ParkedGUnwinder(gdb.unwinder.Unwinder):
    """Unwinder mode: the frame at `level` of the selected thread gets the parked G's frames as callers."""

    def __init__(self):
        super().__init__("goro-parked-g")
        self.enabled = False
        self.regs = None
        self.level = 0

    def __call__(self, pf):
        if self.regs is None or pf.level() != self.level:
            return None
        pc = pf.read_register("rip")
        # The frame's own id has the lowest stack address there is, so that the G's
        # frames (on another stack) never look "inner" to it to gdb's sanity check.
        ui = pf.create_unwind_info(_FrameId(pf, 0, int(pc) & MASK64))
        for r, v in self.regs.items():
            ui.add_saved_register(r, gdb.Value(v).cast(pf.read_register(r).type))
        return ui


class _HideFramesFilter:
    """Unwinder mode: hides the selected thread's own frames in front of the G's."""

    def __init__(self):
        self.name = "goro-parked-g"
        self.priority = 100
        self.enabled = False
        self.upto = 0

    def filter(self, frames):
        return (d for d in frames if d.inferior_frame().level() > self.upto)


_parked_unwinder = _ParkedGUnwinder()
_hide_filter = _HideFramesFilter()


class _PreemptUnwinder(gdb.unwinder.Unwinder):
    """Unwinds through preempt_async_entry (preempt/async.S): at the return from its call to
    preempt_async_yield, rbx points at the frame it pushed: r15 r14 r13 r12 r11 r10 r9 r8 rbp
    rdi rsi rdx rcx rbx rax rflags, then the interrupted PC; rsp was 128 bytes above that."""

    ORDER = ("r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "rbp", "rdi", "rsi", "rdx", "rcx", "rbx",
             "rax")   # then rflags (not passed on: unwinding does not need it), then the interrupted PC

    def __init__(self):
        super().__init__("goro-preempt-trampoline")

    def __call__(self, pf):
        if not _preempt_ret:
            return None
        pc = int(pf.read_register("rip")) & MASK64
        entry = _preempt_ret.get(pc)
        if entry is None:
            return None
        base = int(pf.read_register("rbx")) & MASK64
        try:
            w = struct.unpack("<17Q", gdb.selected_inferior().read_memory(base, 17 * 8).tobytes())
        except gdb.MemoryError:
            return None
        caller_sp = base + 17 * 8 + 128
        ui = pf.create_unwind_info(_FrameId(pf, caller_sp, entry))
        for name, v in zip(self.ORDER, w):
            ui.add_saved_register(name, gdb.Value(v).cast(pf.read_register(name).type))
        ui.add_saved_register("rip", gdb.Value(w[16]).cast(pf.read_register("rip").type))
        ui.add_saved_register("rsp", gdb.Value(caller_sp).cast(pf.read_register("rsp").type))
        return ui


_preempt_ret = {}     # return address after `call preempt_async_yield` -> start of preempt_async_entry
_preempt_known = False


def _find_preempt_trampoline():
    """Where preempt_async_entry's call returns; outside unwinding (it evaluates and disassembles)."""
    global _preempt_known
    if _preempt_known:
        return
    _preempt_known = True
    _preempt_ret.clear()
    try:
        start = int(gdb.parse_and_eval("(unsigned long)&preempt_async_entry")) & MASK64
        arch = gdb.selected_inferior().architecture()
        saw_frame_reg = False
        for insn in arch.disassemble(start, count=120):
            asm = insn["asm"]
            if "mov" in asm and "%rsp,%rbx" in asm.replace(" ", ""):
                saw_frame_reg = True
            if asm.startswith("call") and "preempt_async_yield" in asm:
                if saw_frame_reg:
                    _preempt_ret[insn["addr"] + insn["length"]] = start
                break
            if asm.startswith("ret"):
                break
    except (gdb.error, RuntimeError):
        pass


def _forget_trampoline(*_):
    global _preempt_known
    _preempt_known = False
    _preempt_ret.clear()


class _Restore:
    """Selects a thread and frame again after a command moved around."""

    def __init__(self):
        self.thread = gdb.selected_thread()
        try:
            self.level = gdb.selected_frame().level()
        except gdb.error:
            self.level = None

    def restore(self):
        if self.thread is not None and self.thread.is_valid():
            self.thread.switch()
        if self.level is not None:
            try:
                f = gdb.newest_frame()
                for _ in range(self.level):
                    f = f.older() or f
                f.select()
            except gdb.error:
                pass


class _CannotWrite(Exception):
    pass


def _write_regs(regs):
    for r, v in regs.items():
        gdb.execute("set $%s = 0x%x" % (r, v & MASK64), to_string=True)


def _run_with_registers(regs, cmd, from_tty):
    where = _Restore()
    if where.thread is None:
        raise _Error("goro: no thread selected")
    gdb.newest_frame().select()   # writes go to the thread's registers, never into a frame's save slots
    f0 = gdb.newest_frame()
    names = list(SAVED_REGS)
    try:
        f0.read_register("orig_rax")
        names.append("orig_rax")
    except (ValueError, gdb.error):
        pass
    saved = {r: int(f0.read_register(r)) & MASK64 for r in names}
    try:
        try:
            _write_regs(regs)
        except gdb.error as e:
            raise _CannotWrite(str(e))
        gdb.execute(cmd, from_tty)
    finally:
        if where.thread.is_valid():
            where.thread.switch()
        gdb.newest_frame().select()
        failed = []
        for r in names:
            try:
                gdb.execute("set $%s = 0x%x" % (r, saved[r]), to_string=True)
            except gdb.error:
                failed.append(r)
        f0 = gdb.newest_frame()
        failed += [r for r in names if r not in failed and (int(f0.read_register(r)) & MASK64) != saved[r]]
        if failed:
            gdb.write("goro: WARNING: could not restore %s of thread %d: do not resume the program "
                      "(saved values: %s)\n" % (", ".join(failed), where.thread.num,
                                                ", ".join("%s=0x%x" % (r, saved[r]) for r in failed)),
                      gdb.STDERR)
        where.restore()


def _run_with_unwinder(regs, cmd, from_tty):
    where = _Restore()
    if where.thread is None:
        raise _Error("goro: no thread selected")
    # Python unwinders see the first frame that is not an inlined one.
    f = gdb.newest_frame()
    while f.type() == gdb.INLINE_FRAME and f.older() is not None:
        f = f.older()
    level = f.level()
    gdb.write("(%s: %s thread %d's own and hidden from backtraces; the goroutine's innermost frame is #%d)\n"
              % ("core file, registers cannot be written" if _is_core() else "unwinder mode",
                 "frame #0 is" if level == 0 else "frames #0-#%d are" % level, where.thread.num, level + 1))
    _parked_unwinder.regs, _parked_unwinder.level, _parked_unwinder.enabled = regs, level, True
    _hide_filter.upto, _hide_filter.enabled = level, True
    gdb.invalidate_cached_frames()
    try:
        gdb.newest_frame().select()
        gdb.execute(cmd, from_tty)
    finally:
        _parked_unwinder.regs, _parked_unwinder.enabled = None, False
        _hide_filter.enabled = False
        gdb.invalidate_cached_frames()
        where.restore()


class GoroUnwindParameter(gdb.Parameter):
    """How `goroutine N CMD` reaches a parked G's stack: auto (registers on a live
process, unwinder on a core file), registers (frame 0 of the selected thread gets the
G's saved registers for the duration of the command), or unwinder (a Python unwinder
chains the G's frames behind the selected thread's; nothing is written)."""

    set_doc = "Set how goroutine commands unwind a parked goroutine."
    show_doc = "Show how goroutine commands unwind a parked goroutine."

    def __init__(self):
        super().__init__("goro-unwind", gdb.COMMAND_STACK, gdb.PARAM_ENUM, ["auto", "registers", "unwinder"])
        self.value = "auto"

    def get_show_string(self, value):
        return "goroutine commands unwind parked goroutines with: %s" % value


def _run_in_g(rt, g, cmd, from_tty):
    st = rt.status(g)
    m = rt.m_of(g)
    if m is not None and m.curg == g.addr:
        t = _thread_by_lwp(m.ktid)
        if t is None:
            raise _Error("goro: goroutine %d is %s on M%d (tid %d), but gdb has no thread with that LWP"
                         % (g.goid, st, m.id, m.ktid))
        where = _Restore()
        t.switch()
        try:
            gdb.execute(cmd, from_tty)
        finally:
            where.restore()
        return
    if st not in PARKED and st not in ON_M:
        raise _Error("goro: goroutine %d is %s: it has no stack to look at" % (g.goid, st))
    regs = rt.saved_regs(g)
    try:
        if regs["rip"] == int(gdb.parse_and_eval("(unsigned long)&context_start")) & MASK64:
            gdb.write("(goroutine %d has not started yet: it will run %s)\n" % (g.goid, rt.start(g, True)))
    except gdb.error:
        pass
    _find_preempt_trampoline()
    mode = _unwind_param.value
    if mode == "auto":
        mode = "unwinder" if _is_core() else "registers"
    if mode == "registers":
        try:
            _run_with_registers(regs, cmd, from_tty)
            return
        except _CannotWrite as e:
            if _unwind_param.value != "auto":
                raise _Error("goro: cannot set the selected thread's registers (%s); try `set goro-unwind unwinder`"
                             % e)
    _run_with_unwinder(regs, cmd, from_tty)


def _describe(rt, g, now, out):
    st = rt.status(g)
    reason = rt.wait_reason(g)
    waited = rt.waited(g, now)
    line = "Goroutine %d \"%s\": %s" % (g.goid, rt.name(g), st)
    if reason:
        line += " (%s)" % reason
    if waited:
        line += " for %s" % waited
    m = rt.m_of(g)
    if m is not None:
        t = _thread_by_lwp(m.ktid)
        line += " on M%d, tid %d%s" % (m.id, m.ktid, ", gdb thread %d" % t.num if t else "")
    out(line + "\n")
    if g.is_main:
        out("  start routine: main (the program's initial thread)\n")
    else:
        out("  start routine: %s, arg 0x%x\n" % (rt.start(g, True), g.arg or 0))
        if g.created_at:
            out("  created by: %s\n" % _symbolize(g.created_at, True))
    if g.stack_hi:
        out("  stack: 0x%x-0x%x, saved rsp 0x%x\n" % (g.stack_lo or 0, g.stack_hi, g.ctx_rsp))
    if g.tcb:
        out("  pthread_t (TCB) 0x%x, tid as glibc sees it %d\n" % (g.tcb, g.tid or 0))


class Goroutine(gdb.Command):
    """Look at one of goro's user threads (Gs).
goroutine N              describe G number N (numbers as in `info goroutines`)
goroutine N CMD...       run gdb command CMD (bt, bt full, frame 2, info locals...) in G N's context
goroutine apply all CMD  run CMD in every G's context; `goroutine apply N M... CMD` in some
A running G (or one in a system call) is looked at on its M's OS thread. A parked G's
saved registers are put on frame 0 of the selected thread for the command and restored
afterwards (`set goro-unwind` chooses how; on a core file an unwinder is used and the
G's frames start at #1). Thread-local (__thread) variables of a parked G are not shown
correctly: its FS base is not switched."""

    def __init__(self):
        super().__init__("goroutine", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        words = arg.split()
        if not words:
            rt = _Runtime()
            gs = rt.gs()
            cur = _current_goid(rt, gs)
            if cur is None:
                gdb.write("No goroutine is running on the selected thread. Usage: goroutine N [CMD...]\n")
            else:
                _describe(rt, rt.find(cur), rt.now(), gdb.write)
            return
        if words[0] == "apply":
            return self.apply(words[1:], from_tty)
        goid = self.number(words[0])
        rt = _Runtime()
        g = rt.find(goid)
        if len(words) == 1:
            _describe(rt, g, rt.now(), gdb.write)
            return
        _run_in_g(rt, g, arg.split(None, 1)[1], from_tty)

    @staticmethod
    def number(word):
        try:
            return int(word, 0)
        except ValueError:
            raise _Error("goro: `%s` is not a goroutine number. Usage: goroutine N [CMD...] | "
                         "goroutine apply all|N... CMD" % word)

    def apply(self, words, from_tty):
        if not words:
            raise _Error("goro: usage: goroutine apply all|N... CMD")
        rt = _Runtime()
        gs = rt.gs()
        if words[0] == "all":
            targets, rest = [g.goid for g in gs], words[1:]
        else:
            targets = []
            while words and words[0].isdigit():
                targets.append(int(words.pop(0)))
            rest = words
        if not targets or not rest:
            raise _Error("goro: usage: goroutine apply all|N... CMD")
        cmd = " ".join(rest)
        now = rt.now()
        for goid in targets:
            g = next((x for x in gs if x.goid == goid), None)
            gdb.write("\n")
            if g is None:
                gdb.write("goro: no goroutine %d\n" % goid)
                continue
            _describe(rt, g, now, gdb.write)
            try:
                _run_in_g(rt, g, cmd, from_tty)
            except (gdb.error, gdb.GdbError) as e:
                gdb.write("%s\n" % e)


_unwind_param = GoroUnwindParameter()
InfoGoroutines()
Goroutine()
gdb.unwinder.register_unwinder(None, _parked_unwinder, replace=True)
gdb.unwinder.register_unwinder(None, _PreemptUnwinder(), replace=True)
gdb.frame_filters[_hide_filter.name] = _hide_filter
if not getattr(gdb, "_goro_events_connected", False):
    gdb.events.new_objfile.connect(_forget_trampoline)
    gdb.events.clear_objfiles.connect(_forget_trampoline)
    gdb._goro_events_connected = True
