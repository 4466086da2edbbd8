#!/usr/bin/env bash
# The benchmark harness: every benchmark natively (NPTL), under goro with
# GORO_PROCS=1 and with the default, and as its Go 1.19 equivalent where one
# exists, alternating the modes round after round; wake-up-bound benchmarks
# also run pinned to one CPU (taskset -c 0) on both sides. Medians, min-max
# and ratios go to docs/bench.md, docs/bench.csv (and docs/bench.png with gnuplot).
#   tools/bench/run.sh            full run (7 rounds)
#   QUICK=1 tools/bench/run.sh    3 rounds, smaller counts
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
QUICK=${QUICK:-0}
LIB=$PWD/$BUILD/libgoro.so
BIN=$BUILD/bench
ROUNDS=7 SCALE=1
[ "$QUICK" = 1 ] && ROUNDS=3 SCALE=5
DATA=$BUILD/bench/results.txt
: > "$DATA"

# name | count under goro and Go | count natively | wake-up bound (also on one CPU)
BENCHES="create_join 100000 10000 no
handoff 200000 20000 yes
yield 1000000 100000 no
sem_pingpong 200000 20000 yes
pipe_pingpong 50000 10000 yes
thread_ring 500000 50000 yes
contended_mutex 20000 20000 no
blocked_memory 10000 10000 no"

have_go=0
[ -x "$BIN/go/create_join" ] && have_go=1
[ "$have_go" = 1 ] || echo "bench: Go programs not built (golang-go missing?): the Go column stays empty"

run_one() { # bench mode command...
	local bench=$1 mode=$2
	shift 2
	local out
	out=$(timeout 300 "$@" 2>/dev/null)
	local status=$?
	local value
	value=$(printf '%s\n' "$out" | awk 'NF == 2 && $2 ~ /^[0-9.]+$/ { print $2; exit }')
	if [ $status = 124 ]; then value=timeout; elif [ $status != 0 ] || [ -z "$value" ]; then value=fail; fi
	echo "$bench $mode $value" >> "$DATA"
}

for round in $(seq 1 "$ROUNDS"); do
	echo "bench: round $round of $ROUNDS"
	while read -r bench n_goro n_native wake; do
		n_goro=$((n_goro / SCALE)) n_native=$((n_native / SCALE))
		[ "$bench" = blocked_memory ] && n_goro=10000 n_native=10000
		run_one "$bench" nptl "$BIN/$bench" "$n_native"
		[ "$wake" = yes ] && run_one "$bench" nptl_cpu0 taskset -c 0 "$BIN/$bench" "$n_native"
		run_one "$bench" goro_p1 env LD_PRELOAD="$LIB" GORO_PROCS=1 "$BIN/$bench" "$n_goro"
		run_one "$bench" goro env LD_PRELOAD="$LIB" "$BIN/$bench" "$n_goro"
		[ "$wake" = yes ] && run_one "$bench" goro_cpu0 taskset -c 0 env LD_PRELOAD="$LIB" "$BIN/$bench" "$n_goro"
		if [ "$have_go" = 1 ] && [ -x "$BIN/go/$bench" ]; then
			run_one "$bench" go "$BIN/go/$bench" "$n_goro"
		fi
	done <<< "$BENCHES"
done

python3 tools/bench/report.py "$DATA" docs/bench.md docs/bench.csv "$ROUNDS"
status=$?
if command -v gnuplot > /dev/null; then
	gnuplot -e "set terminal png size 900,500; set output 'docs/bench.png'; set datafile separator ',';
		set style data histograms; set style fill solid; set logscale y; set ylabel 'goro / NPTL time (log)';
		set xtics rotate by -30; plot 'docs/bench.ratio.csv' using 2:xtic(1) title 'goro / NPTL'" 2>/dev/null
else
	echo "bench: gnuplot is not installed: no docs/bench.png (apt-get install gnuplot-nox)"
fi
exit $status
