#!/usr/bin/env python3
"""The `make compat` summary: per suite, natively and under goro, N passed, N failed,
N unsupported; then every test that passes natively and fails under goro, split into
those the expected-differences list explains and those it does not.

    report.py EXPECTED RESULTS.tsv...

RESULTS lines: suite, test, native status, goro status (pass, fail, unsupported, missing),
then exit statuses. EXPECTED lines: a test name, then why it differs; `#` starts a comment.
Exit status 1 iff a test outside EXPECTED passes natively and fails under goro, except
a CPython case that timed out under goro (regrtest's per-case timeout; exit column
"timeout"), or was not run because that module's run under goro stopped after its hung
cases, while the same module's native run in the same results also had a case time
out: that module hangs at random natively too, so such a case is reported as load/timing
and does not fail the run.
"""
import sys


def read_expected(path):
    expected = {}
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, why = line.partition(" ")
            expected[name] = why.strip()
    return expected


def module_of(case):
    """test.test_queue.QueueTest.test_x -> test_queue; a module's own row is its name."""
    parts = case.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "test" else case


def hung_natively(rows):
    """CPython modules whose native run had a case time out (a case row with "timeout",
    or the module's row with "hung")."""
    return {module_of(r[1]) for r in rows
            if r[0] == "cpython" and len(r) > 5 and r[4] in ("timeout", "hung")}


def hung_under_goro(rows):
    """CPython modules whose run under goro had a case time out."""
    return {module_of(r[1]) for r in rows
            if r[0] == "cpython" and len(r) > 5 and r[5] in ("timeout", "hung")}


def timed_out_both_ways(row, native_hung, goro_hung):
    """A CPython case that timed out under goro, or was not run because its module's run
    under goro stopped after its hung cases (cpython_tests.py's MAX_HUNG), in a module whose
    native run also had a case time out: load/timing, not goro's doing (the rule is
    README's, compat section)."""
    if row[0] != "cpython" or len(row) <= 5 or module_of(row[1]) == row[1]:
        return False
    module = module_of(row[1])
    return module in native_hung and (row[5] == "timeout" or
                                      (row[3] == "missing" and module in goro_hung))


def main(expected_path, result_paths):
    expected = read_expected(expected_path)
    rows = [line.rstrip("\n").split("\t") for p in result_paths for line in open(p)]
    for suite in dict.fromkeys(r[0] for r in rows):
        for column, mode in ((2, "native"), (3, "goro  ")):
            count = {s: sum(1 for r in rows if r[0] == suite and r[column] == s)
                     for s in ("pass", "fail", "unsupported", "missing")}
            print("%-10s %s: %d passed, %d failed, %d unsupported%s" % (
                suite, mode, count["pass"], count["fail"] + count["missing"], count["unsupported"],
                " (%d not run)" % count["missing"] if count["missing"] else ""))
    differ = [r for r in rows if r[2] == "pass" and r[3] in ("fail", "missing")]
    native_hung, goro_hung = hung_natively(rows), hung_under_goro(rows)
    timing = [r for r in differ if r[1] not in expected and timed_out_both_ways(r, native_hung, goro_hung)]
    unexpected = [r for r in differ if r[1] not in expected and r not in timing]
    print("\npass natively, fail under goro: %d (%d listed in %s, %d load/timing, %d not listed)" %
          (len(differ), len(differ) - len(unexpected) - len(timing), expected_path, len(timing),
           len(unexpected)))
    for r in differ:
        if r in timing:
            what = "timed out" if r[5] == "timeout" else "not run (the run stopped after its hung cases)"
            print("  timing   %-60s load/timing (not counted): %s under goro; the native run of "
                  "%s in this run also had a case time out" % (r[1], what, module_of(r[1])))
            continue
        unlisted = ("not run under goro: its module's run ended early" if r[3] == "missing"
                    else "exit status %s natively, %s under goro" % (r[4], r[5]))
        print("  %s %-60s %s" % ("listed  " if r[1] in expected else "NEW     ", r[1],
                                 expected.get(r[1], unlisted)))
    fixed = sorted(n for n in expected if any(r[1] == n and r[3] != "fail" for r in rows))
    if fixed:
        print("\nlisted but no longer failing under goro (shrink the list): " + " ".join(fixed))
    better = [r[1] for r in rows if r[2] == "fail" and r[3] == "pass"]
    if better:
        print("\nfail natively, pass under goro: " + " ".join(better))
    return 1 if unexpected else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
