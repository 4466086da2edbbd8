#!/usr/bin/env bash
# The benchmark harness (make bench). Runs every benchmark natively (NPTL), under
# goro with GORO_PROCS=1 and with the default, and its Go 1.19 equivalent,
# alternating the modes round after round; the wake-up-bound benchmarks also run
# pinned to one CPU (taskset -c 0), natively and under goro. Every run is under
# `timeout`; a run that fails or times out is recorded as such and the harness
# goes on (a cell that timed out is not run again in later rounds). Writes
# $OUT/bench.md (medians, min–max, ratios, DESIGN.md's targets), $OUT/bench.csv
# and, with gnuplot, $OUT/bench.png. Exit status 1 if any run failed.
#
# Environment: BUILD (build), OUT (docs), QUICK=1 (3 rounds, smaller counts),
# ROUNDS, TIMEOUT (seconds per run), GO (the go tool, for its version), MODES (a
# subset of "nptl nptl_cpu0 goro_p1 goro goro_cpu0 go"), BENCHES (names to run),
# HOW (the command named in the report).
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
OUT=${OUT:-docs}
QUICK=${QUICK:-0}
[ -n "$QUICK" ] && [ "$QUICK" != 0 ] || QUICK=0
if [ "$QUICK" = 0 ]; then ROUNDS=${ROUNDS:-7} TIMEOUT=${TIMEOUT:-60}
else ROUNDS=${ROUNDS:-3} TIMEOUT=${TIMEOUT:-10}; fi
MODES=${MODES:-nptl nptl_cpu0 goro_p1 goro goro_cpu0 go}
case $BUILD in /*) abs_build=$BUILD ;; *) abs_build=$PWD/$BUILD ;; esac
LIB=$abs_build/libgoro.so
BIN=$abs_build/bench
RAW=$BIN/results.txt
LOGS=$BIN/logs
GO=${GO:-$(command -v go)}

# name, wake-up bound (also run on one CPU), then the count (iterations, or threads
# for blocked_memory) for goro and Go / natively, full and QUICK. Native runs are
# ~100x slower per operation, so they run fewer; every figure is per operation.
TABLE="create_join     no  1000000 20000   200000  5000
create_many     no  20000   20000   10000   10000
handoff         yes 500000  20000   100000  10000
yield           no  5000000 1000000 1000000 100000
sem_pingpong    yes 500000  20000   100000  10000
pipe_pingpong   yes 100000  20000   20000   5000
thread_ring     yes 2000000 50000   200000  10000
contended_mutex no  100000  100000  20000   20000
blocked_memory  no  10000   10000   10000   10000"
BENCHES=${BENCHES:-$(awk '{ print $1 }' <<< "$TABLE")}

for m in $MODES; do
	case $m in nptl|nptl_cpu0|goro_p1|goro|goro_cpu0|go) ;;
	*) echo "bench: unknown mode '$m' (accepted: nptl nptl_cpu0 goro_p1 goro goro_cpu0 go)" >&2; exit 2 ;;
	esac
done
status=0
has_mode() { [[ " $MODES " == *" $1 "* ]]; }
if [[ " $MODES " == *" goro"* ]] && [ ! -f "$LIB" ]; then
	echo "bench: $LIB is missing (make builds it): the goro columns stay empty" >&2
	MODES=$(tr ' ' '\n' <<< "$MODES" | grep -v '^goro' | tr '\n' ' ')
	status=1
fi
if has_mode go; then
	if [ -z "$GO" ]; then
		echo "bench: go not found (apt-get install golang-go): the Go column stays empty"
	elif [ ! -x "$BIN/go/create_join" ]; then
		echo "bench: the Go programs are not built (make bench builds them): the Go column stays empty"
	fi
fi
if ! command -v taskset > /dev/null && [[ "$MODES" == *_cpu0* ]]; then
	echo "bench: taskset is missing (util-linux): no 1-CPU columns"
	MODES=$(tr ' ' '\n' <<< "$MODES" | grep -v _cpu0 | tr '\n' ' ')
fi

mkdir -p "$OUT" "$LOGS"
: > "$RAW"
rm -f "$LOGS"/*.err
declare -A timed_out

# run_one BENCH MODE ROUND N COMMAND...: appends "BENCH MODE ROUND N UNIT VALUE" to $RAW
run_one() {
	local bench=$1 mode=$2 round=$3 n=$4 out rc unit value log
	shift 4
	if [ -n "${timed_out[$bench.$mode]:-}" ]; then
		printf ' %s=(timeout)' "$mode"
		return
	fi
	log=$LOGS/$bench.$mode.$round.err
	out=$(timeout -k 5 "$TIMEOUT" "$@" 2> "$log")
	rc=$?
	read -r unit value < <(awk 'NF == 2 && $2 ~ /^[0-9.]+$/ { print $1, $2; exit }' <<< "$out")
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		unit=- value=timeout
		timed_out[$bench.$mode]=1
		echo "timed out after $TIMEOUT s: $*" >> "$log"
	elif [ $rc != 0 ] || [ -z "${value:-}" ]; then
		echo "exit status $rc, output: $out; command: $*" >> "$log"
		unit=- value=fail
	else
		rm -f "$log"
	fi
	echo "$bench $mode $round $n $unit $value" >> "$RAW"
	printf ' %s=%s' "$mode" "$value"
}

started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$ROUNDS"); do
	for bench in $BENCHES; do
		read -r _ wake n_full n_native_full n_quick n_native_quick < <(awk -v b="$bench" '$1 == b' <<< "$TABLE")
		if [ -z "${n_full:-}" ]; then echo "bench: unknown benchmark $bench" >&2; exit 2; fi
		if [ "$QUICK" = 0 ]; then ng=$n_full nn=$n_native_full; else ng=$n_quick nn=$n_native_quick; fi
		printf 'round %d/%d %-16s' "$round" "$ROUNDS" "$bench"
		for mode in $MODES; do
			case $mode in
			nptl) run_one "$bench" $mode "$round" "$nn" "$BIN/$bench" "$nn" ;;
			nptl_cpu0) [ "$wake" = yes ] && run_one "$bench" $mode "$round" "$nn" taskset -c 0 "$BIN/$bench" "$nn" ;;
			goro_p1) run_one "$bench" $mode "$round" "$ng" env LD_PRELOAD="$LIB" GORO_PROCS=1 "$BIN/$bench" "$ng" ;;
			goro) run_one "$bench" $mode "$round" "$ng" env -u GORO_PROCS LD_PRELOAD="$LIB" "$BIN/$bench" "$ng" ;;
			goro_cpu0) [ "$wake" = yes ] && run_one "$bench" $mode "$round" "$ng" \
				taskset -c 0 env -u GORO_PROCS LD_PRELOAD="$LIB" "$BIN/$bench" "$ng" ;;
			go) [ -n "$GO" ] && [ -x "$BIN/go/$bench" ] && run_one "$bench" $mode "$round" "$ng" "$BIN/go/$bench" "$ng" ;;
			esac
		done
		echo
	done
done
elapsed=$(( $(date +%s) - started ))

# --- the report
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
glibc=$(getconf GNU_LIBC_VERSION 2> /dev/null || echo "glibc ?")
libc_pkg=$(dpkg-query -W -f='${Version}' libc6 2> /dev/null)
gover=$([ -n "$GO" ] && "$GO" version 2> /dev/null | awk '{ print $3 }')
rev=$(git describe --always --dirty 2> /dev/null || echo "?")
mode_text=""
for m in $MODES; do
	case $m in
	nptl) t="**NPTL**: natively, glibc's threads" ;;
	nptl_cpu0) t="**NPTL, 1 CPU**: natively under \`taskset -c 0\` (wake-up-bound benchmarks only)" ;;
	goro_p1) t="**goro P=1**: \`LD_PRELOAD=libgoro.so GORO_PROCS=1\`" ;;
	goro) t="**goro**: \`LD_PRELOAD=libgoro.so\`, default GORO_PROCS ($(nproc))" ;;
	goro_cpu0) t="**goro, 1 CPU**: goro under \`taskset -c 0\` (wake-up-bound benchmarks only)" ;;
	go) t="**Go 1.19**: the same program in Go (\`tools/bench/go/\`), default GOMAXPROCS" ;;
	*) continue ;;
	esac
	mode_text="$mode_text- $t"$'\n'
done
header="# goro benchmarks

Generated by \`${HOW:-tools/bench/run.sh}$([ "$QUICK" != 0 ] && echo " QUICK=1")\` (rounds: $ROUNDS, ${elapsed} s) on $(date -u '+%Y-%m-%d %H:%M UTC'), goro $rev.

- machine: $(nproc) CPUs available ($(getconf _NPROCESSORS_ONLN) online), $cpu; load average before the run $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)
- kernel $(uname -r), $glibc${libc_pkg:+ (Debian $libc_pkg)}, Go ${gover:-not installed}

Each cell: median of the rounds (min–max); the modes alternate within each round.
Times in ns per operation, memory in KiB per blocked thread. Ratios are of medians
(below 1: goro is faster / smaller). ✓/✗: the **goro** column against DESIGN.md's target.

$mode_text"
footer="
Counts per run (goro and Go / native): $(awk -v q="$QUICK" '{ printf "%s%s %s/%s", (NR > 1 ? ", " : ""), $1, (q == 0 ? $3 : $5), (q == 0 ? $4 : $6) }' <<< "$TABLE").
Native runs do fewer iterations (each costs ~100× more); every figure is per operation.
blocked_memory reads VmRSS before creating the threads and once all are blocked.
A cell reading **fail** or **timeout** (after $TIMEOUT s) produced no figure; its stderr is in
\`$BUILD/bench/logs/\`, and the harness exits non-zero. Raw figures: \`bench.csv\`.
DESIGN.md's reference figures for this kind of machine: create + join NPTL 36.5 µs, Go 254 ns;
hand-off NPTL 44 µs idle, 8.6 µs on one CPU, Go 210 ns; yield NPTL 1.3 µs, Go 39 ns;
pipe round trip NPTL 44 µs idle, 5.7 µs on one CPU, Go 4.4 µs; blocked thread NPTL 8.3 KiB, Go 2.7 KiB."

printf '%s\n' "$header" > "$OUT/bench.md"
awk -v md="$OUT/bench.md" -v csv="$OUT/bench.csv" -v ratios="$BIN/ratios.dat" \
	-v modes="$MODES" -f tools/bench/report.awk "$RAW" || status=1
printf '%s\n' "$footer" >> "$OUT/bench.md"

if [[ " $MODES " != *" goro"* ]]; then
	:	# nothing to chart
elif ! command -v gnuplot > /dev/null; then
	echo "bench: gnuplot is not installed (apt-get install gnuplot-nox): no $OUT/bench.png"
	rm -f "$OUT/bench.png"
elif ! awk 'NR > 1 && ($2 != "?" || $3 != "?") { found = 1 } END { exit !found }' "$BIN/ratios.dat"; then
	echo "bench: no goro figures to chart: no $OUT/bench.png"
	rm -f "$OUT/bench.png"
else
	term=pngcairo
	gnuplot -e 'set terminal pngcairo' 2> /dev/null || term=png
	gnuplot -e "set terminal $term noenhanced size 1000,560; set output '$OUT/bench.png';
		set title 'goro time (memory) / NPTL and / Go 1.19, medians — below 1: goro is better';
		set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1;
		set logscale y; set grid ytics; set yrange [*:*]; set xtics rotate by -25; set key top left;
		set datafile missing '?'; set ylabel 'ratio (log scale)';
		plot '$BIN/ratios.dat' using 2:xtic(1) title columnheader(2), '' using 3 title columnheader(3), 1 with lines lt -1 notitle" \
		2> "$LOGS/gnuplot.err" || { echo "bench: gnuplot failed (see $LOGS/gnuplot.err): no $OUT/bench.png"; rm -f "$OUT/bench.png"; }
	[ -s "$LOGS/gnuplot.err" ] || rm -f "$LOGS/gnuplot.err"
fi
cat "$OUT/bench.md"
echo "bench: wrote $OUT/bench.md, $OUT/bench.csv$([ -f "$OUT/bench.png" ] && echo ", $OUT/bench.png") in ${elapsed} s"
[ "$status" = 0 ] || echo "bench: some runs failed or timed out (see $LOGS/)" >&2
exit $status
