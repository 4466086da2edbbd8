#!/usr/bin/env python3
"""glibc 2.36's own nptl tests, built against the system libc and run natively and under goro.

    glibc_tests.py build OUT     unpack glibc's sources, build support/ and the tests into OUT
    glibc_tests.py run OUT LIB [TEST...]
                                 run every built test (or those named) natively, then with
                                 LIB preloaded

The tests are nptl/tst-*.c and sysdeps/pthread/tst-*.c as the `tests`, `xtests`,
`tests-internal`, `tests-static` and `tests-container` lists of nptl/Makefile and
sysdeps/pthread/Makefile name them. They are compiled with gcc against the installed
headers (as glibc's own build compiles its testsuite, with _ISOMAC: no internal
declarations), linked with a static libsupport.a built here from glibc's support/ with a
stand-in config.h, and with the test modules (.so) their make rules ask for.

Not built, and counted with the reason: tests glibc itself builds only against its
internals (tests-internal), statically (tests-static) or in its container
(tests-container), and tests that do not compile or link outside the tree (the compiler's
first complaint names why). glibc's make machinery is not reused: it builds the whole
library first; a small make-variable reader is enough here.

Exit status of a test is glibc's convention: 0 passed, 77 unsupported, anything else
failed (124: killed by the outer `timeout`).

Results go to OUT/results.tsv (test, native status, goro status), logs to OUT/log/.
"""
import concurrent.futures, os, re, shutil, subprocess, sys, tarfile

from leftovers import kill_leftovers, run_logged

TARBALL = "/usr/src/glibc/glibc-2.36.tar.xz"
TOP = "glibc-2.36"
# What the tests and support/ include, of the 17,000 files of the tarball.
MEMBERS = ("nptl/", "sysdeps/", "include/", "support/", "malloc/", "test-skeleton.c",
           "posix/tst-vfork", "elf/tst-unwind-main.c")
TEST_DIRS = ("nptl", "sysdeps/pthread")
# The support/ files that are programs, time64 variants or templates included by others.
SUPPORT_SKIP = re.compile(r"^(tst-.*|.*container.*|test-run-command|links-dso-program.*|"
                          r"test-driver|README-testing|support_path_support_time64|"
                          r"support_test_compare_string_main|support_quote_blob_main)\.c$")
# Tests that hang under goro (cancellation, for one) sleep until the skeleton kills them:
# more jobs than CPUs keeps the run short.
JOBS = 4 * (os.cpu_count() or 1)
TIMEOUT_FACTOR = "2"        # the skeleton's TIMEOUTFACTOR (default 20 s): the machine may be loaded
OUTER_TIMEOUT = 600         # seconds; a test the skeleton could not stop


def include_flags(src):
    """Installed headers first; glibc's include/ and sysdeps only for what they lack."""
    after = ["include", "sysdeps/unix/sysv/linux/x86_64", "sysdeps/unix/sysv/linux",
             "sysdeps/x86_64", "sysdeps/x86", "sysdeps/generic"]
    return ["-I" + src] + [f for d in after for f in ("-idirafter", os.path.join(src, d))]


def common_flags(out, src):
    return ["-O2", "-g", "-w", "-D_GNU_SOURCE", "-D_ISOMAC", "-DTIMEOUTFACTOR=1",
            "-include", os.path.join(out, "config.h"), "-I", out] + include_flags(src)


CONFIG_H = """/* Stand-in for glibc's generated config.h and libc-symbols.h: enough for support/
   and the tests, compiled against the system libc. */
#define libc_hidden_proto(...)
#define libc_hidden_def(...)
#define attribute_hidden __attribute__ ((visibility ("hidden")))
"""


def unpack(out):
    src = os.path.join(out, TOP)
    if os.path.exists(os.path.join(src, ".unpacked")):
        return src
    with tarfile.open(TARBALL) as tar:
        tar.extractall(out, [m for m in tar.getmembers()
                             if m.name.startswith(tuple(TOP + "/" + p for p in MEMBERS))])
    open(os.path.join(src, ".unpacked"), "w").close()
    return src


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def build_support(out, src):
    """libsupport.a: glibc's test skeleton, xpthread_* wrappers and the rest of support/."""
    lib = os.path.join(out, "libsupport.a")
    if os.path.exists(lib):
        return lib
    objdir = os.path.join(out, "support-obj")
    os.makedirs(objdir, exist_ok=True)
    paths = {p: '"%s"' % v for p, v in [
        ("SRCDIR_PATH", src), ("OBJDIR_PATH", out), ("INSTDIR_PATH", "/usr"),
        ("OBJDIR_ELF_LDSO_PATH", "/lib64/ld-linux-x86-64.so.2"),
        ("LIBDIR_PATH", "/usr/lib"), ("BINDIR_PATH", "/usr/bin"), ("SBINDIR_PATH", "/usr/sbin"),
        ("SLIBDIR_PATH", "/lib"), ("ROOTSBINDIR_PATH", "/sbin"),
        ("COMPLOCALEDIR_PATH", "/usr/lib/locale")]}
    flags = common_flags(out, src) + ["-include", "limits.h", "-I", os.path.join(src, "support")]
    flags += ["-D%s=%s" % kv for kv in paths.items()]
    names = sorted(f for f in os.listdir(os.path.join(src, "support"))
                   if f.endswith(".c") and not SUPPORT_SKIP.match(f))

    def compile_one(name):
        obj = os.path.join(objdir, name[:-2] + ".o")
        r = run(["gcc", "-std=gnu11"] + flags + ["-c", os.path.join(src, "support", name), "-o", obj])
        if r.returncode != 0:
            sys.exit("compat: support/%s does not build:\n%s" % (name, r.stdout))
        return obj
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        objs = list(pool.map(compile_one, names))
    subprocess.run(["ar", "rcs", lib] + objs, check=True)
    return lib


def read_makefile(path):
    """The make variables of one Makefile, every assignment appended (conditionals ignored:
    the x86-64 shared build with a C++ compiler takes their `yes` side) and the
    dependency lines `$(objpfx)target: prerequisites`."""
    text = re.sub(r"\\\n", " ", open(path).read())
    text = re.sub(r"\$\(addprefix ([^,]+),([^)]*)\)",
                  lambda m: " ".join(m.group(1) + w for w in m.group(2).split()), text)
    variables, deps = {}, {}
    for line in text.splitlines():
        line = line.split("#")[0].rstrip()
        m = re.match(r"^([\w.+-]+)\s*(\+=|:=|=)\s*(.*)$", line)
        if m:
            variables.setdefault(m.group(1), []).append(m.group(3).strip())
            continue
        m = re.match(r"^\$\(objpfx\)([\w.+-]+):([^=]*)$", line)
        if m:
            deps.setdefault(m.group(1), []).extend(
                re.findall(r"\$\(objpfx\)([\w.+-]+)\.so", m.group(2)))
    return variables, deps


def words(variables, name):
    return " ".join(variables.get(name, [])).split()


def test_catalogue(src):
    """Every test the two Makefiles name: {name: (directory, variables, deps, not_built_reason)}."""
    catalogue = {}
    for d in TEST_DIRS:
        variables, deps = read_makefile(os.path.join(src, d, "Makefile"))
        skip = {}
        for n in words(variables, "tests-internal"):
            skip[n] = "internal: glibc builds it against its internal headers and symbols"
        for n in words(variables, "tests-static") + words(variables, "xtests-static"):
            skip[n] = "static-only: links glibc statically"
        for n in words(variables, "tests-container"):
            skip[n] = "test-in-container: needs glibc's container runner"
        for n in words(variables, "tests") + words(variables, "xtests") + list(skip):
            if n.startswith("tst-") and n not in catalogue:
                catalogue[n] = (d, variables, deps, skip.get(n))
    return catalogue


def find_source(src, d, name):
    for directory in (d,) + TEST_DIRS:
        for ext in (".c", ".cc"):
            path = os.path.join(src, directory, name + ext)
            if os.path.exists(path):
                return path
    return None


def build_module(out, src, d, module):
    """A test's shared object (tst-...mod.so) next to the test programs."""
    so = os.path.join(out, "bin", module + ".so")
    if not os.path.exists(so):
        path = find_source(src, d, module)
        if path is None:
            return None
        r = run(["gcc", "-shared", "-fPIC"] + common_flags(out, src)
                + ["-iquote", os.path.dirname(path), path, "-o", so, "-pthread"])
        if r.returncode != 0:
            return None
    return so


def why_not_built(message):
    m = re.search(r"fatal error: ([^:]+): No such file", message)
    if m:
        return "needs a header outside the installed ones: " + m.group(1)
    m = re.search(r"undefined reference to `([^']+)'", message)
    if m:
        return "needs a symbol libc does not export: " + m.group(1)
    m = re.search(r"error: (.*)", message)
    return "does not compile outside glibc's tree: " + (m.group(1)[:80] if m else "?")


def build_test(out, src, lib, name, entry):
    d, variables, deps, reason = entry
    if reason:
        return reason
    path = find_source(src, d, name)
    if path is None:
        return "no source: generated by glibc's make rules"
    cxx = path.endswith(".cc")
    extra = []
    for var in ("CFLAGS-%s.c" % name, "CFLAGS-%s.o" % name, "CFLAGS-%s.cc" % name,
                "CPPFLAGS-%s.c" % name, "LDFLAGS-%s" % name, "LDLIBS-%s" % name):
        extra += [w for w in words(variables, var) if not w.startswith("$(")]
    modules = []
    for module in deps.get(name, []):
        so = build_module(out, src, d, module)
        if so is None:
            return "needs a test module that does not build outside the tree: " + module
        modules.append(so)
    for module in deps.get(name + ".out", []):     # loaded with dlopen at run time
        if build_module(out, src, d, module) is None:
            return "needs a test module that does not build outside the tree: " + module
    binary = os.path.join(out, "bin", name)
    cmd = (["g++", "-std=gnu++11"] if cxx else ["gcc", "-std=gnu11"]) + common_flags(out, src)
    # glibc compiles in the test's directory with its sysdeps on the include path.
    cmd += [f for q in (d,) + TEST_DIRS + ("",) for f in ("-iquote", os.path.join(src, q))]
    cmd += [path, "-o", binary] + extra + modules
    cmd += [lib, "-pthread", "-lrt", "-ldl", "-lm", "-Wl,-rpath," + os.path.join(out, "bin")]
    r = run(cmd)
    if r.returncode != 0:
        return why_not_built(r.stdout)
    return None


def build(out):
    os.makedirs(os.path.join(out, "bin"), exist_ok=True)
    src = unpack(out)
    with open(os.path.join(out, "config.h"), "w") as f:
        f.write(CONFIG_H)
    lib = build_support(out, src)
    catalogue = test_catalogue(src)
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        reasons = dict(zip(catalogue, pool.map(
            lambda n: build_test(out, src, lib, n, catalogue[n]), catalogue)))
    with open(os.path.join(out, "built.tsv"), "w") as f:
        for name in sorted(reasons):
            f.write("%s\t%s\n" % (name, reasons[name] or "built"))
    not_built = sorted((r, n) for n, r in reasons.items() if r)
    print("glibc nptl: %d tests, %d built, %d not built" %
          (len(reasons), len(reasons) - len(not_built), len(not_built)))
    categories = {}
    for reason, name in not_built:
        categories.setdefault(reason.split(":")[0], []).append(name)
    for category, names in sorted(categories.items()):
        print("  not built (%s): %d: %s" % (category, len(names), " ".join(names)))


def status_of(code):
    return {0: "pass", 77: "unsupported"}.get(code, "fail")


def run_one(out, lib, name, entry):
    d, variables, _, _ = entry
    objpfx = os.path.join(out, "bin") + "/"
    args = [w.replace("$(objpfx)", objpfx) for w in words(variables, name + "-ARGS")]
    env_words = [w for w in words(variables, name + "-ENV") if "$(" not in w]
    codes = []
    for mode in ("native", "goro"):
        env = dict(os.environ, TIMEOUTFACTOR=TIMEOUT_FACTOR, LC_ALL="C")
        env.update(w.split("=", 1) for w in env_words if "=" in w)
        preload = ["LD_PRELOAD=" + lib, "GORO_PROCS=2"] if mode == "goro" else []
        workdir = os.path.join(out, "run", name, mode)
        shutil.rmtree(workdir, ignore_errors=True)
        os.makedirs(workdir)
        log = os.path.join(out, "log", "%s.%s" % (name, mode))
        code, _ = run_logged(["timeout", "-k", "10", str(OUTER_TIMEOUT), "env"] + preload +
                             [objpfx + name] + args, log, cwd=workdir, env=env)
        kill_leftovers(workdir)
        with open(log, "a") as f:
            f.write("\nexit status %d\n" % code)
        codes.append(code)
    return codes


def run_all(out, lib, names):
    """Runs the built tests (those in names, if any: their lines of results.tsv are
    replaced, the others kept)."""
    src = os.path.join(out, TOP)
    catalogue = test_catalogue(src)
    built = [line.split("\t")[0] for line in open(os.path.join(out, "built.tsv"))
             if line.rstrip("\n").split("\t")[1] == "built"]
    if names:
        built = [n for n in built if n in names]
    os.makedirs(os.path.join(out, "log"), exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        codes = dict(zip(built, pool.map(lambda n: run_one(out, lib, n, catalogue[n]), built)))
    results = os.path.join(out, "results.tsv")
    lines = {}
    if names and os.path.exists(results):
        lines = {line.split("\t")[1]: line for line in open(results)}
    for name, (native, goro) in codes.items():
        lines[name] = "glibc-nptl\t%s\t%s\t%s\t%d\t%d\n" % (
            name, status_of(native), status_of(goro), native, goro)
    with open(results, "w") as f:
        f.writelines(lines[name] for name in sorted(lines))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        build(os.path.abspath(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "run":
        run_all(os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]), set(sys.argv[4:]))
    else:
        sys.exit(__doc__)
