#!/bin/sh
# make compat: glibc 2.36's nptl tests and CPython 3.11's threading tests, each natively
# and under goro (GORO_PROCS=2), then the per-suite counts and every test that passes
# natively but fails under goro, checked against tests/compat/expected-differences.
# Usage: tools/compat/run.sh BUILD   (BUILD holds libgoro.so; results go to BUILD/compat/)
# Exit status: 0 if no test outside the list differs, 1 if one does, 2 if it could not run.
set -u
build=${1:-build}
out=$build/compat
here=$(dirname "$0")
python=/usr/bin/python3.11
mkdir -p "$out"
start=$(date +%s)
{
	"$python" "$here/glibc_tests.py" build "$out/glibc" || { echo 2 >"$out/status"; exit; }
	# The suites share nothing; both mostly sleep (timeouts, sleeps in tests).
	"$python" "$here/glibc_tests.py" run "$out/glibc" "$build/libgoro.so" & glibc=$!
	"$python" "$here/cpython_tests.py" "$out/cpython" "$build/libgoro.so" & cpython=$!
	wait $glibc; wait $cpython
	echo
	"$python" "$here/report.py" tests/compat/expected-differences \
		"$out/glibc/results.tsv" "$out/cpython/results.tsv"
	echo $? >"$out/status"
	echo
	echo "compat: $(( $(date +%s) - start )) s; per-test logs in $out/glibc/log/ and $out/cpython/log/"
} 2>&1 | tee "$out/compat.log"
exit "$(cat "$out/status")"
