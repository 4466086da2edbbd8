#!/usr/bin/env bash
# Real multi-threaded programs from Debian packages, for the harness's third table: runs
# one of them once and prints one line, "UNIT VALUE" (s: seconds, lower is better;
# events_per_s: higher is better). The program runs under the given prefix (e.g.
# `env LD_PRELOAD=build/libgoro.so GORO_PROCS=1`); this script, the parsing and the
# checks run natively. pigz and zstd compress $DATA (make bench generates it with
# gen_text) into $SCRATCH, and their output is decompressed natively and compared with
# $DATA: a wrong byte fails the run.
#   real.sh run NAME [PREFIX...]     the program's figure (exit 1 with a reason on stderr)
#   real.sh describe NAME            the command line measured
#   real.sh check NAME               exit 1, printing "not installed: package PKG", if missing
# NAME: sysbench_threads sysbench_mutex sysbench_cpu hackbench perf_messaging pigz zstd.
# Environment: QUICK=1 (shorter runs), DATA, SCRATCH (a directory for outputs).
set -u
what=${1:-} name=${2:-}
shift 2 2> /dev/null || { echo "usage: real.sh run|describe|check NAME [PREFIX...]" >&2; exit 2; }
quick=0
[ -n "${QUICK:-}" ] && [ "${QUICK:-0}" != 0 ] && quick=1
pick() { [ $quick = 1 ] && echo "$2" || echo "$1"; }	# full, quick
DATA=${DATA:-build/bench/data/text}
SCRATCH=${SCRATCH:-/tmp}

# NAME -> program, package, arguments, how the figure is read
case $name in
sysbench_threads) prog=sysbench pkg=sysbench args="threads --threads=64 --time=$(pick 2 1) run" ;;
sysbench_mutex) prog=sysbench pkg=sysbench args="mutex --threads=64 --mutex-locks=$(pick 10000 2000) run" ;;
sysbench_cpu) prog=sysbench pkg=sysbench args="cpu --threads=8 --time=$(pick 3 1) run" ;;   # preemption's cost
hackbench) prog=hackbench pkg=rt-tests args="-T -g 4 -l $(pick 500 100)" ;;
perf_messaging) prog=perf pkg=linux-perf args="bench sched messaging -t -l $(pick 100 30)" ;;
pigz) prog=pigz pkg=pigz args="-p 2 -c $DATA" ;;
zstd) prog=zstd pkg=zstd args="-q -T2 -c $DATA" ;;
*) echo "real.sh: unknown program '$name'" >&2; exit 2 ;;
esac

case $what in
describe)
	case $name in
	pigz|zstd) echo "${prog} ${args/"$DATA"/${DATA##*/}} > out ($(( $(stat -c %s "$DATA" 2> /dev/null || echo 0) / 1048576 )) MiB of generated text)" ;;
	*) echo "$prog $args" ;;
	esac
	exit 0 ;;
check)
	command -v "$prog" > /dev/null && exit 0
	echo "not installed: package $pkg"
	exit 1 ;;
run) ;;
*) echo "real.sh: run, describe or check, not '$what'" >&2; exit 2 ;;
esac

# run PREFIX... : runs the program under the prefix, its stdout into $out; sets $secs (wall)
out=$SCRATCH/$name.out
run() {
	local t0=$EPOCHREALTIME rc
	"$@" $prog $args > "$out"
	rc=$?
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
	if [ $rc != 0 ]; then
		[ $rc -gt 128 ] && echo "$prog killed by signal $(kill -l $((rc - 128)))" >&2 \
			|| echo "$prog exited with status $rc" >&2
		exit 1
	fi
}
# field PATTERN: the number after PATTERN in the program's output
field() {
	awk -v p="$1" '{ i = index($0, p); if (i) { s = substr($0, i + length(p)); gsub(/^[ \t]+/, "", s); print s + 0; exit } }' "$out"
}
report() {	# unit value: fails when the value is missing
	[ -n "$2" ] || { echo "no figure in the output of $prog $args: $(head -c 300 "$out" | tr '\n' ' ')" >&2; exit 1; }
	echo "$1 $2"
}

run "$@"
case $name in
sysbench_threads)
	ev=$(field "total number of events:") t=$(field "total time:")
	report events_per_s "$(awk -v e="$ev" -v t="$t" 'BEGIN { if (e > 0 && t > 0) printf "%.1f", e / t }')" ;;
sysbench_mutex) report s "$(field "total time:")" ;;
sysbench_cpu) report events_per_s "$(field "events per second:")" ;;
hackbench) report s "$(field "Time:")" ;;
perf_messaging) report s "$(field "Total time:")" ;;
pigz|zstd)
	# the output must decompress to the input
	if ! $prog -d -c < "$out" | cmp -s - "$DATA"; then
		echo "$prog's output does not decompress to its input" >&2
		exit 1
	fi
	report s "$secs" ;;
esac
rm -f "$out"
