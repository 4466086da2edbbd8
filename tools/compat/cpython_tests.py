#!/usr/bin/env python3
"""CPython 3.11's threading tests (Debian's libpython3.11-testsuite), natively and under goro.

    cpython_tests.py OUT LIB [MODULE...]
                                 run each module (or those named) with python3.11's
                                 regrtest, natively and with LIB preloaded; OUT/results.tsv

Each module runs in its own `python3.11 -m test -v --junit-xml` process; the results are
read per test case from the XML (test case id, e.g. test.test_thread.LockTests.test_locked),
so a difference names the case. A run that dies or hangs leaves no XML: then the cases
its verbose output finished are used, and the module's own row (its exit status) fails;
after a hung case the module runs again without it. results.tsv lines: cpython, the case
(or the module), native and goro status, then native and goro exit status for a module
("hung" when a case hung) and, for a case, "timeout" where it hung, else "-".
Skipped cases count as unsupported, expected failures as passed.
"""
import concurrent.futures, os, re, sys, xml.etree.ElementTree as ET

from leftovers import kill_leftovers, run_logged

# Longest first, so the pool ends together.
MODULES = ("test_concurrent_futures", "test_threading", "test_queue", "test_thread",
           "test_threadsignals", "test_threading_local")
JOBS = 2 * (os.cpu_count() or 1)
PYTHON = "/usr/bin/python3.11"    # Debian's, whose test suite libpython3.11-testsuite installs
CASE_TIMEOUT = 120      # regrtest --timeout: a hung case dumps its traceback and the run ends
MODULE_TIMEOUT = 1200   # the outer `timeout`, should regrtest itself hang
MAX_HUNG = 5            # runs again without a hung case at most this many times
HUNG_CASE = re.compile(r"^\S+ \(([\w.]+)\)(?:\n.*?)? \.\.\. Timeout \(", re.M)
VERBOSE_LINE = re.compile(r"^\S+ \(([\w.]+)\)(?:\n.*?)? \.\.\. (ok|FAIL|ERROR|skipped|expected failure"
                          r"|unexpected success)", re.M)


def cases_from_xml(path):
    cases = {}
    for case in ET.parse(path).iter("testcase"):
        kinds = {child.tag for child in case}
        if kinds & {"failure", "error"}:
            cases[case.get("name")] = "fail"
        elif "skipped" in kinds:
            cases[case.get("name")] = "unsupported"
        else:
            cases[case.get("name")] = "pass"
    return cases


def cases_from_output(text):
    verdict = {"ok": "pass", "expected failure": "pass", "skipped": "unsupported"}
    return {m.group(1): verdict.get(m.group(2), "fail") for m in VERBOSE_LINE.finditer(text)}


def run_regrtest(out, lib, module, mode, ignored):
    """One regrtest run of module, leaving out the cases in ignored; (cases, exit status, output)."""
    xml = os.path.join(out, "xml", "%s.%s.xml" % (module, mode))
    if os.path.exists(xml):
        os.remove(xml)
    workdir = os.path.join(out, "run", module, mode)
    os.makedirs(workdir, exist_ok=True)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    preload = ["LD_PRELOAD=" + lib, "GORO_PROCS=2"] if mode == "goro" else []
    leave_out = [arg for case in ignored for arg in ("--ignore", case)]
    code, output = run_logged(["timeout", "-k", "10", str(MODULE_TIMEOUT), "env"] + preload +
                              [PYTHON, "-m", "test", "-v", "--timeout", str(CASE_TIMEOUT),
                               "--tempdir", workdir, "--junit-xml", xml] + leave_out + [module],
                              os.path.join(workdir, "output"), cwd=workdir, env=env)
    kill_leftovers(workdir)
    try:
        cases = cases_from_xml(xml)
    except (OSError, ET.ParseError):
        cases = cases_from_output(output)
    return cases, code, output


def run_module(out, lib, module, mode):
    """A case that hangs ends its run (regrtest's --timeout); the module then runs again
    without it, so the cases after it still count. The hung case fails."""
    cases, hung, logs = {}, [], []
    while True:
        found, code, output = run_regrtest(out, lib, module, mode, hung)
        logs.append(output + "\nexit status %d\n" % code)
        cases.update(found)
        m = HUNG_CASE.search(output)
        if not m or m.group(1) in hung or len(hung) >= MAX_HUNG:
            break
        hung.append(m.group(1))
        cases[m.group(1)] = "fail"
    with open(os.path.join(out, "log", "%s.%s" % (module, mode)), "w") as f:
        f.write("\n".join(logs))
    cases[module] = "pass" if code == 0 and not hung else "fail"
    return cases, code if not hung else "hung", hung


def main(out, lib, modules):
    """Runs the modules (all if none named: then results.tsv is rewritten, else only
    the named modules' lines are replaced)."""
    for d in ("xml", "log", "run"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    jobs = [(m, mode) for m in modules or MODULES for mode in ("native", "goro")]
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        results = dict(zip(jobs, pool.map(lambda job: run_module(out, lib, *job), jobs)))
    path = os.path.join(out, "results.tsv")
    kept = []
    if modules and os.path.exists(path):
        kept = [line for line in open(path)
                if not any(line.split("\t")[1] in (m, "test.%s" % m) or
                           line.split("\t")[1].startswith("test.%s." % m) for m in modules)]
    with open(path, "w") as f:
        f.writelines(kept)
        for module in modules or MODULES:
            native, native_code, native_hung = results[(module, "native")]
            goro, goro_code, goro_hung = results[(module, "goro")]
            for case in sorted(set(native) | set(goro)):
                # the module's row: each run's exit status ("hung" if a case hung);
                # a case's: "timeout" where it hung (regrtest's --timeout), else "-"
                codes = ((native_code, goro_code) if case == module else
                         tuple("timeout" if case in hung else "-" for hung in (native_hung, goro_hung)))
                f.write("cpython\t%s\t%s\t%s\t%s\t%s\n" % (case, native.get(case, "missing"),
                        goro.get(case, "missing"), codes[0], codes[1]))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:])
