#!/usr/bin/env bash
# tests/behave/run.sh — runs goro's behaviour tests.
#
# Every program built from tests/behave/NAME.c / NAME.cpp (into
# build/tests/behave/NAME, see behave.mk) runs natively, then under goro with
# GORO_PROCS=1 and GORO_PROCS=2 (LD_PRELOAD=build/libgoro.so), each under
# `timeout`. A native run passes when it exits 0 (and its stdout equals
# tests/behave/NAME.expected if that file exists); a goro run passes when its
# stdout and exit status equal the native run's. One line per test and mode,
# a short diff on failure, and last the line "N passed, N failed"; the exit
# status is non-zero if anything failed.
#
# Per-test options, in comments of the test source (one or more per line):
#   // goro-test: goro-only        not run natively (e.g. more threads than
#                                  pid_max); goro runs must exit 0 and print
#                                  exactly tests/behave/NAME.expected
#   // goro-test: timeout=120      seconds per run (default 60)
#   // goro-test: native-args=...  arguments for the native run only (rest of line)
#   // goro-test: args=...         arguments for every run (rest of line)
#   // goro-test: goro-env=V=X     environment for the goro runs (e.g. a
#                                  shorter GORO_PREEMPT_MS); may repeat
#
# Usage: tests/behave/run.sh [NAME...]        (from anywhere; NAME may be a path)
# Environment:
#   BEHAVE_MODES    modes to run, default "native goro1 goro2"; goroN runs
#                   under goro with GORO_PROCS=N
#   BEHAVE_TIMEOUT  default timeout in seconds (60)
#   GORO_LIB        library to preload (default build/libgoro.so)
# Each run's stdout and stderr are kept in build/tests/behave/out/NAME.MODE.{out,err}.

set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
SRC=tests/behave
BIN=build/tests/behave
OUT=$BIN/out
LIB=${GORO_LIB:-$ROOT/build/libgoro.so}
MODES=${BEHAVE_MODES:-native goro1 goro2}
DEFAULT_TIMEOUT=${BEHAVE_TIMEOUT:-60}

for mode in $MODES; do
	case $mode in
	native) ;;
	goro[1-9]|goro[1-9][0-9])
		if [ ! -f "$LIB" ]; then
			echo "run.sh: $LIB not found: build it (make), or run BEHAVE_MODES=native $0" >&2
			exit 2
		fi ;;
	*) echo "run.sh: unknown mode '$mode' in BEHAVE_MODES (native, goro1, goro2, ...)" >&2; exit 2 ;;
	esac
done
mkdir -p "$OUT" || exit 2
ulimit -c 0 2>/dev/null # no core files from crashing tests

# the tests: named on the command line, else every source
names=()
if [ $# -gt 0 ]; then
	for a in "$@"; do
		a=${a##*/}; a=${a%.c}; a=${a%.cpp}
		names+=("$a")
	done
else
	for f in "$SRC"/*.c "$SRC"/*.cpp; do
		[ -e "$f" ] || continue
		f=${f##*/}; names+=("${f%.*}")
	done
	IFS=$'\n' names=($(printf '%s\n' "${names[@]}" | sort)); unset IFS
fi

passed=0 failed=0
failures=()

# reads the "goro-test:" options of $1 into GORO_ONLY, TMO, NATIVE_ARGS, ARGS
parse_opts() {
	GORO_ONLY=0 TMO=$DEFAULT_TIMEOUT NATIVE_ARGS= ARGS= HAVE_NATIVE_ARGS=0 GORO_ENV=()
	local line word
	while IFS= read -r line; do
		line=${line#*goro-test:}
		line=${line%\*/}
		while :; do
			line="${line#"${line%%[![:space:]]*}"}"
			[ -n "$line" ] || break
			case $line in
			native-args=*) NATIVE_ARGS=${line#native-args=}; HAVE_NATIVE_ARGS=1; break ;;
			args=*) ARGS=${line#args=}; break ;;
			esac
			word=${line%%[[:space:]]*}
			line=${line#"$word"}
			case $word in
			goro-only) GORO_ONLY=1 ;;
			timeout=[0-9]*) TMO=${word#timeout=} ;;
			goro-env=GORO_*=*) GORO_ENV+=("${word#goro-env=}") ;;
			*) echo "run.sh: $1: unknown goro-test option '$word'" >&2 ;;
			esac
		done
	done < <(grep -E '^[[:space:]]*(//|/\*|\*|#)[[:space:]]*goro-test:' "$1")
	[ "$HAVE_NATIVE_ARGS" = 1 ] || NATIVE_ARGS=$ARGS
}

# run MODE BINARY ARGS...: sets RC, SECS, TIMED_OUT; output in $OUT/NAME.MODE.*
run() {
	local mode=$1; shift
	local out=$OUT/$name.$mode.out err=$OUT/$name.$mode.err t0 t1
	t0=$(date +%s%N)
	# (the outer 2>/dev/null silences bash's "Aborted"/"Segmentation fault" notices)
	if [ "$mode" = native ]; then
		{ timeout -k 5 "$TMO" env -u LD_PRELOAD -u GORO_PROCS "$@" >"$out" 2>"$err" </dev/null; } 2>/dev/null
	else
		{ timeout -k 5 "$TMO" env LD_PRELOAD="$LIB" GORO_PROCS="${mode#goro}" "${GORO_ENV[@]}" "$@" >"$out" 2>"$err" </dev/null; } 2>/dev/null
	fi
	RC=$?
	t1=$(date +%s%N)
	SECS=$(( (t1 - t0) / 10000000 ))
	SECS=$(printf '%d.%02d' $((SECS / 100)) $((SECS % 100)))
	TIMED_OUT=0
	if [ $RC = 124 ] || { [ $RC = 137 ] && [ $(( (t1 - t0) / 1000000000 )) -ge "$TMO" ]; }; then
		TIMED_OUT=1
	fi
}

status_text() { # exit status as words
	if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		echo "killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null || echo $(($1 - 128)))"
	else
		echo "exit $1"
	fi
}

indent() { sed 's/^/      /'; }

# short diff of two files, labelled
short_diff() {
	local d n
	d=$(diff -u --label "$1" --label "$2" "$3" "$4")
	n=$(printf '%s\n' "$d" | wc -l)
	printf '%s\n' "$d" | head -n 24 | indent
	[ "$n" -le 24 ] || echo "      ... ($((n - 24)) more lines)"
}

show_stderr() {
	[ -s "$1" ] || return 0
	echo "      stderr (last lines):"
	tail -n 8 "$1" | sed 's/^/        /'
}

report() { # ok|FAIL mode reason
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
		printf 'ok    %-28s %-7s %6ss\n' "$name" "$2" "$SECS"
	else
		failed=$((failed + 1))
		failures+=("$name/$2")
		printf 'FAIL  %-28s %-7s %6ss  %s\n' "$name" "$2" "$SECS" "$3"
	fi
}

echo "behaviour tests: modes $MODES (goroN = LD_PRELOAD=$LIB GORO_PROCS=N)"
for name in "${names[@]}"; do
	src=$SRC/$name.c
	[ -f "$src" ] || src=$SRC/$name.cpp
	exe=$BIN/$name
	if [ ! -f "$src" ]; then
		SECS=0.00; report FAIL - "no test $SRC/$name.c or .cpp"; continue
	fi
	if [ ! -x "$exe" ]; then
		SECS=0.00; report FAIL - "not built: $exe (make behave-build)"; continue
	fi
	parse_opts "$src"
	expected=$SRC/$name.expected
	[ -f "$expected" ] || expected=
	if [ $GORO_ONLY = 1 ] && [ -z "$expected" ]; then
		SECS=0.00; report FAIL - "goro-only test without $SRC/$name.expected"; continue
	fi
	native_rc=
	for mode in $MODES; do
		if [ "$mode" = native ]; then
			[ $GORO_ONLY = 1 ] && continue
			# shellcheck disable=SC2086
			run native "$exe" $NATIVE_ARGS
			native_rc=$RC
		else
			# shellcheck disable=SC2086
			run "$mode" "$exe" $ARGS
		fi
		out=$OUT/$name.$mode.out err=$OUT/$name.$mode.err
		if [ $TIMED_OUT = 1 ]; then
			echo "TIMEOUT $name $mode"
			report FAIL "$mode" "timed out after $TMO s"
			[ -s "$out" ] && { echo "      stdout so far (last lines):"; tail -n 5 "$out" | sed 's/^/        /'; }
			show_stderr "$err"
			continue
		fi
		if [ "$mode" = native ] || [ $GORO_ONLY = 1 ]; then
			# must succeed, and match the .expected file if there is one
			if [ $RC != 0 ]; then
				report FAIL "$mode" "$(status_text $RC)"
				if [ -n "$expected" ]; then
					short_diff expected "$mode" "$expected" "$out"
				else
					tail -n 10 "$out" | indent
				fi
				show_stderr "$err"
			elif [ -n "$expected" ] && ! cmp -s "$expected" "$out"; then
				report FAIL "$mode" "stdout differs from $expected"
				short_diff expected "$mode" "$expected" "$out"
				show_stderr "$err"
			else
				report ok "$mode"
			fi
			continue
		fi
		# goro run of a test that also runs natively: same stdout and status as native
		if [ -n "$native_rc" ]; then
			ref_rc=$native_rc ref=$OUT/$name.native.out ref_name=native
		else
			# native not among the modes: the test itself must pass
			ref_rc=0 ref=$expected ref_name=expected
		fi
		reason=
		[ "$RC" = "$ref_rc" ] || reason="$(status_text $RC), $ref_name $(status_text $ref_rc)"
		if [ -n "$ref" ] && ! cmp -s "$ref" "$out"; then
			reason="${reason:+$reason; }stdout differs from $ref_name"
		fi
		if [ -z "$reason" ]; then
			report ok "$mode"
		else
			report FAIL "$mode" "$reason"
			if [ -n "$ref" ] && ! cmp -s "$ref" "$out"; then
				short_diff "$ref_name" "$mode" "$ref" "$out"
			elif [ -z "$ref" ] && [ -s "$out" ]; then
				echo "      stdout (last lines):"
				tail -n 8 "$out" | sed 's/^/        /'
			fi
			show_stderr "$err"
		fi
	done
done

if [ $failed -gt 0 ]; then
	echo "failed: ${failures[*]}"
	echo "(output of every run: $OUT/NAME.MODE.out and .err)"
fi
echo "$passed passed, $failed failed"
[ $failed = 0 ]
