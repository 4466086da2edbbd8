#!/usr/bin/env bash
# The benchmark harness (make bench). Three tables, every row run natively (NPTL),
# under goro with GORO_PROCS=1 and with the default, and (where there is one) as its
# Go 1.19 equivalent, the modes alternating round after round:
#  - micro-benchmarks (the wake-up-bound ones also pinned to one CPU, taskset -c 0,
#    natively and under goro) and resident memory per blocked thread at 10k, 100k and
#    1M threads (natively only below kernel.pid_max / threads-max: "n/a" above);
#  - an echo server with 10,000 loopback connections (echo_client.c driving
#    echo_server.c, or go/echo_server.go): round trips per second and p99;
#  - real programs from Debian packages (real.sh: sysbench, hackbench, perf bench,
#    pigz, zstd), natively and under goro; a missing one reads "n/a (not installed: ...)".
# Every run is under `timeout`; a run that fails or times out is recorded as such,
# with the first line of its stderr as the reason, and the harness goes on (a cell
# that timed out is not run again in later rounds). Writes $OUT/bench.md (medians,
# min–max, ratios, DESIGN.md's targets), $OUT/bench.csv and, with gnuplot,
# $OUT/bench.png. Exit status 1 if any run failed.
#
# Environment: BUILD (build), OUT (docs), QUICK=1 (3 rounds, smaller counts, no
# 1M-thread row, 5,000 echo connections, shorter real programs), ROUNDS, TIMEOUT
# (seconds per run, where a row sets none), GO (the go tool, for its version), MODES
# (a subset of "nptl nptl_cpu0 goro_p1 goro goro_cpu0 go"), BENCHES (names to run),
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

# name, program, kind, rounds (at most, full/QUICK; 0: all), timeout (s; 0: $TIMEOUT),
# then the count (iterations; threads for blocked_memory; connections for echo) for goro
# and Go / natively, full and QUICK ("-": not run). Native runs are ~100x slower per
# operation, so they run fewer; every figure is per operation. Kinds: wake (micro,
# wake-up bound, also on one CPU), micro, mem (counts above the native thread limit
# are "n/a" natively; the figure barely moves between rounds), echo (client + server;
# two rows: rate and p99), real (real.sh; no Go column).
TABLE="create_join         create_join    micro 0/0 0   1000000 20000   200000  5000
create_many         create_many    micro 0/0 0   20000   20000   10000   10000
handoff             handoff        wake  0/0 0   500000  20000   100000  10000
yield               yield          micro 0/0 0   5000000 1000000 1000000 100000
sem_pingpong        sem_pingpong   wake  0/0 0   500000  20000   100000  10000
pipe_pingpong       pipe_pingpong  wake  0/0 0   100000  20000   20000   5000
thread_ring         thread_ring    wake  0/0 0   2000000 50000   200000  10000
contended_mutex     contended_mutex micro 0/0 0  100000  100000  20000   20000
blocked_memory      blocked_memory mem   0/0 0   10000   10000   10000   10000
blocked_memory_100k blocked_memory mem   0/1 60  100000  100000  100000  100000
blocked_memory_1m   blocked_memory mem   2/0 300 1000000 1000000 -       -
create_blocked      create_blocked mem   0/0 0   20000   20000   10000   10000
create_blocked_1m   create_blocked mem   2/0 300 1000000 1000000 -       -
echo                echo           echo  5/0 90  10000   10000   2000    2000
sysbench_threads    -              real  5/0 120 -       -       -       -
sysbench_mutex      -              real  5/0 120 -       -       -       -
sysbench_cpu        -              real  5/0 120 -       -       -       -
hackbench           -              real  5/0 120 -       -       -       -
perf_messaging      -              real  5/0 120 -       -       -       -
pigz                -              real  5/0 120 -       -       -       -
zstd                -              real  5/0 120 -       -       -       -"
ECHO_SECONDS=2 DATA_MIB=100	# echo: measured seconds (after a third as long of warm-up)
[ "$QUICK" = 0 ] || ECHO_SECONDS=1 DATA_MIB=10
BENCHES=$(echo ${BENCHES:-$(awk '{ print $1 }' <<< "$TABLE")})	# one line, names between spaces

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

mkdir -p "$OUT" "$LOGS" "$BIN/scratch"
: > "$RAW"
rm -f "$LOGS"/*.err
declare -A timed_out
child=
trap '[ -n "$child" ] && kill -TERM "$child" 2> /dev/null; echo; echo "bench: interrupted" >&2; exit 130' INT TERM

# The most threads a process may have natively: kernel.pid_max and kernel.threads-max
# (goro's threads are not kernel tasks, so they are not bound by these).
pid_max=$(cat /proc/sys/kernel/pid_max 2> /dev/null || echo 32768)
threads_max=$(cat /proc/sys/kernel/threads-max 2> /dev/null || echo "$pid_max")
if [ "$threads_max" -lt "$pid_max" ]; then native_limit=$threads_max native_why=threads-max
else native_limit=$pid_max native_why=pid_max; fi

# reason LOG RC: why a run failed, in one line — the first line of its stderr that is
# not a goro warning (the cause, usually), else its exit status or signal
reason() {
	local r
	r=$(grep -v '^goro: warning' "$1" 2> /dev/null | grep -v '^[[:space:]]*$' | head -n 1 | tr -d '|\r\t' | cut -c1-120)
	if [ -z "$r" ]; then
		if [ "$2" -gt 128 ]; then r="killed by SIG$(kill -l $(( $2 - 128 )) 2> /dev/null)"
		else r="exit status $2"; fi
	fi
	echo "$r"
}

# record ROWS MODE ROUND N UNIT VALUE [NOTE]: one raw line per row (a program measuring
# two things, echo, fills two rows)
record() {
	local rows=$1 r
	shift
	for r in $rows; do echo "$r $*" >> "$RAW"; done
}

# run_one BENCH MODE ROUND N TIMEOUT UNITS COMMAND...: runs COMMAND once and appends
# "ROW MODE ROUND N UNIT VALUE [NOTE]" to $RAW. UNITS "-": the row is BENCH, its figure the
# first "UNIT VALUE" line of the output; else one row BENCH.UNIT per unit listed (a,b).
# VALUE is "fail" or "timeout" (NOTE: the reason) when the run produced no figure.
run_one() {
	local bench=$1 mode=$2 round=$3 n=$4 limit=$5 units=$6 out rc unit value log why rows u t0
	shift 6
	if [ "$units" = - ]; then rows=$bench; else rows=$(tr ',' '\n' <<< "$units" | sed "s/^/$bench./"); fi
	if [ -n "${timed_out[$bench.$mode]:-}" ]; then
		printf ' %s=(timeout)' "$mode"
		return
	fi
	log=$LOGS/$bench.$mode.$round.err
	t0=$SECONDS
	# in the background, so that the harness's INT/TERM trap can stop it (timeout runs it in
	# a process group of its own, which a ^C or a TERM to the harness would not reach)
	timeout -k 5 "$limit" "$@" > "$BIN/stdout" 2> "$log" &
	child=$!
	wait $child
	rc=$?
	child=
	out=$(cat "$BIN/stdout")
	if [ $rc = 124 ] || { [ $rc = 137 ] && [ $(( SECONDS - t0 )) -ge "$limit" ]; }; then
		timed_out[$bench.$mode]=1
		echo "timed out after $limit s: $*" >> "$log"
		record "$rows" "$mode" "$round" "$n" - timeout "after $limit s"
		printf ' %s=timeout' "$mode"
		return
	fi
	if [ $rc != 0 ]; then
		why=$(reason "$log" $rc)
		echo "exit status $rc, output: $out; command: $*" >> "$log"
		record "$rows" "$mode" "$round" "$n" - fail "$why"
		printf ' %s=fail' "$mode"
		return
	fi
	local shown="" bad=0
	if [ "$units" = - ]; then
		read -r unit value < <(awk 'NF == 2 && $2 ~ /^[0-9.]+$/ { print $1, $2; exit }' <<< "$out")
		if [ -n "${value:-}" ]; then record "$bench" "$mode" "$round" "$n" "$unit" "$value"; shown=$value
		else record "$bench" "$mode" "$round" "$n" - fail "no figure in its output"; bad=1; shown=fail; fi
	else
		for u in $(tr ',' ' ' <<< "$units"); do
			value=$(awk -v u="$u" '$1 == u && NF == 2 && $2 ~ /^[0-9.]+$/ { print $2; exit }' <<< "$out")
			if [ -n "$value" ]; then record "$bench.$u" "$mode" "$round" "$n" "$u" "$value"
			else record "$bench.$u" "$mode" "$round" "$n" - fail "no $u figure in its output"; bad=1; fi
			shown="$shown${shown:+/}${value:-fail}"
		done
	fi
	if [ $bad = 1 ]; then echo "output: $out; command: $*" >> "$log"; else rm -f "$log"; fi
	printf ' %s=%s' "$mode" "$shown"
}

# The modes a kind of row runs in
kind_modes() {
	case $1 in
	wake) echo "nptl nptl_cpu0 goro_p1 goro goro_cpu0 go" ;;
	micro|mem|echo) echo "nptl goro_p1 goro go" ;;
	real) echo "nptl goro_p1 goro" ;;
	esac
}
runs_in() { [[ " $(kind_modes "$1") " == *" $2 "* ]] && has_mode "$2"; }

# Real programs: the missing ones are noted once; pigz and zstd need the text file.
declare -A missing
missing_list=""
for bench in $BENCHES; do
	[ "$(awk -v b="$bench" '$1 == b { print $3 }' <<< "$TABLE")" = real ] || continue
	if ! why=$(tools/bench/real.sh check "$bench"); then
		missing[$bench]=$why
		missing_list="$missing_list $bench: $why;"
	fi
done
DATA=$BIN/data/text-${DATA_MIB}M
if [[ " $BENCHES " == *" pigz "* || " $BENCHES " == *" zstd "* ]] && [ ! -s "$DATA" ]; then
	mkdir -p "$BIN/data"
	"$BIN/gen_text" "$DATA_MIB" > "$DATA.tmp" && mv "$DATA.tmp" "$DATA" ||
		{ echo "bench: could not write $DATA (is $BIN/gen_text built?)" >&2; rm -f "$DATA.tmp"; }
fi
export DATA SCRATCH=$BIN/scratch QUICK
if [ -n "$missing_list" ]; then
	echo "bench:$missing_list install them with: tools/deps.sh --bench (as root)"
fi

# The library under test is a copy taken now, so that a rebuild during the run (make in
# another shell) cannot mix two builds in one table.
lib_id() { [ -f "$1" ] && echo "$(md5sum < "$1" | cut -c1-12), built $(date -u -r "$1" '+%Y-%m-%d %H:%M UTC')"; }
rev=$(git describe --always --dirty 2> /dev/null || echo "?")	# of the sources, now
lib_before=""
if [[ " $MODES " == *" goro"* ]]; then
	lib_before=$(lib_id "$LIB")
	cp -p "$LIB" "$BIN/libgoro.so.tmp" && mv -f "$BIN/libgoro.so.tmp" "$BIN/libgoro.so" &&
		[ "$(lib_id "$BIN/libgoro.so")" = "$lib_before" ] &&
		LD_PRELOAD="$BIN/libgoro.so" true ||
		{ echo "bench: could not take a working copy of $LIB (being rebuilt?)" >&2; exit 1; }
	LIB_BUILT=$LIB LIB=$BIN/libgoro.so
fi
started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$ROUNDS"); do
	for bench in $BENCHES; do
		read -r _ prog kind cap limit n_full n_native_full n_quick n_native_quick < <(awk -v b="$bench" '$1 == b' <<< "$TABLE")
		if [ -z "${n_full:-}" ]; then echo "bench: unknown benchmark $bench" >&2; exit 2; fi
		if [ "$QUICK" = 0 ]; then ng=$n_full nn=$n_native_full; else ng=$n_quick nn=$n_native_quick; fi
		if [ "$kind" = echo ] && [ "$ng" != - ] && [ "$(ulimit -Hn)" != unlimited ] && [ $(( ng + 100 )) -gt "$(ulimit -Hn)" ]; then
			# client and server each hold one descriptor per connection: fit the hard limit
			ng=$(( ($(ulimit -Hn) - 100) / 1000 * 1000 )) nn=$ng
		fi
		[ "$kind" != real ] && [ "$ng" = - ] && continue	# not run in this kind of run
		if [ "$QUICK" = 0 ]; then cap=${cap%/*}; else cap=${cap#*/}; fi
		[ "$cap" != 0 ] && [ "$round" -gt "$cap" ] && continue
		[ "$limit" = 0 ] && limit=$TIMEOUT
		[ "$limit" -lt "$TIMEOUT" ] && limit=$TIMEOUT
		printf 'round %d/%d %-20s' "$round" "$ROUNDS" "$bench"
		t_bench=$SECONDS
		for mode in $MODES; do
			runs_in "$kind" "$mode" || continue
			n=$ng
			case $mode in nptl|nptl_cpu0) n=$nn ;; esac
			# how the program is started in this mode
			case $mode in
			nptl) pre=() ;;
			nptl_cpu0) pre=(taskset -c 0) ;;
			goro_p1) pre=(env LD_PRELOAD="$LIB" GORO_PROCS=1) ;;
			goro) pre=(env -u GORO_PROCS LD_PRELOAD="$LIB") ;;
			goro_cpu0) pre=(taskset -c 0 env -u GORO_PROCS LD_PRELOAD="$LIB") ;;
			go) pre=() ;;
			esac
			goprog=$prog
			[ "$kind" = echo ] && goprog=echo_server
			[ "$mode" = go ] && { [ -z "$GO" ] || [ ! -x "$BIN/go/$goprog" ]; } && continue
			if [ "$kind" = mem ] && [[ $mode == nptl* ]] && [ "$n" -ge "$native_limit" ]; then
				[ "$round" = 1 ] && record "$bench" "$mode" "$round" "$n" - na "$native_why = $native_limit"
				printf ' %s=n/a' "$mode"
				continue
			fi
			if [ "$kind" = real ] && [ -n "${missing[$bench]:-}" ]; then
				[ "$round" = 1 ] && record "$bench" "$mode" "$round" - - na "${missing[$bench]}"
				printf ' %s=n/a' "$mode"
				continue
			fi
			case $kind in
			wake|micro|mem)
				if [ "$mode" = go ]; then cmd=("$BIN/go/$prog" "$n"); else cmd=("${pre[@]}" "$BIN/$prog" "$n"); fi
				run_one "$bench" "$mode" "$round" "$n" "$limit" - "${cmd[@]}" ;;
			echo)
				if [ "$mode" = go ]; then srv=("$BIN/go/echo_server"); else srv=("${pre[@]}" "$BIN/echo_server"); fi
				run_one "$bench" "$mode" "$round" "$n" "$limit" msgs_per_s,p99_us \
					"$BIN/echo_client" "$n" "$ECHO_SECONDS" "${srv[@]}" ;;
			real)
				run_one "$bench" "$mode" "$round" - "$limit" - tools/bench/real.sh run "$bench" "${pre[@]}" ;;
			esac
		done
		echo " ($(( SECONDS - t_bench )) s)"
	done
done
elapsed=$(( $(date +%s) - started ))
lib_note=""
if [ -n "$lib_before" ] && [ "$(lib_id "$LIB_BUILT")" != "$lib_before" ]; then
	lib_note=" ($BUILD/libgoro.so was rebuilt during the run; the run used a copy taken at its start)"
	echo "bench: $BUILD/libgoro.so was rebuilt during the run; the figures are of the copy taken at its start" >&2
fi

# --- the report
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
glibc=$(getconf GNU_LIBC_VERSION 2> /dev/null || echo "glibc ?")
libc_pkg=$(dpkg-query -W -f='${Version}' libc6 2> /dev/null)
gover=$([ -n "$GO" ] && "$GO" version 2> /dev/null | awk '{ print $3 }')
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

- machine: $(nproc) CPUs available ($(getconf _NPROCESSORS_ONLN) online), $cpu, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average before the run $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)
- libgoro.so: md5 ${lib_before:-not used}$lib_note
- kernel $(uname -r), $glibc${libc_pkg:+ (Debian $libc_pkg)}, Go ${gover:-not installed}; kernel.pid_max $pid_max, vm.max_map_count $(cat /proc/sys/vm/max_map_count 2> /dev/null), open files (hard limit) $(ulimit -Hn)

Each cell: median of the rounds (min–max); the modes alternate within each round.
Ratios are of medians: below 1 goro is faster / smaller, except for throughputs (unit
marked ↑, higher is better), where above 1 goro is faster. ✓/✗: the **goro** column
against DESIGN.md's target.

$mode_text"
# the benchmarks of one kind (or kinds) that ran
ran_of() { awk -v k=" $1 " -v run=" $BENCHES " 'index(k, " " $3 " ") && index(run, " " $1 " ") { printf "%s ", $1 }' <<< "$TABLE"; }
# the modes, of those run, a table shows
cols_of() { local m out=""; for m in $MODES; do [[ " $1 " == *" $m "* ]] && out="$out $m"; done; echo "$out"; }
# table BENCHES MODES: appends one table to bench.md
table() {
	awk -v md="$OUT/bench.md" -v csv="$OUT/bench.csv" -v ratios="$BIN/ratios.dat" \
		-v modes="$2" -v benches="$1" -v labels="$BIN/labels.txt" \
		-f tools/bench/report.awk "$RAW" || status=1
}
counts=$(awk -v q="$QUICK" -v run=" $BENCHES " '$3 ~ /^(wake|micro|mem)$/ && index(run, " " $1 " ") {
	g = q == 0 ? $6 : $8; nat = q == 0 ? $7 : $9
	if (g != "-") { printf "%s%s %s/%s", (k++ ? ", " : ""), $1, g, nat } }' <<< "$TABLE")
: > "$BIN/labels.txt"
for b in $(ran_of real); do
	printf '%s\t`%s`\n' "$b" "$(tools/bench/real.sh describe "$b")" >> "$BIN/labels.txt"
done

printf '%s\n' "$header" > "$OUT/bench.md"
echo "benchmark,mode,unit,n,runs,ok,median,min,max,values" > "$OUT/bench.csv"
echo "benchmark goro/NPTL goro/Go" > "$BIN/ratios.dat"
if [ -n "$(ran_of "wake micro mem")" ]; then
	printf '## Micro-benchmarks and memory\n\n' >> "$OUT/bench.md"
	table "$(ran_of "wake micro mem")" "$MODES"
	cat >> "$OUT/bench.md" << EOF

Counts per run (goro and Go / native): $counts.
Native runs do fewer iterations (each costs ~100× more); every figure is per operation.
blocked_memory reads VmRSS before creating the threads and once all are blocked. Natively a
process cannot have more threads than kernel.pid_max ($pid_max here) or kernel.threads-max
allow, so above that the NPTL cell reads n/a; goro's threads are not kernel tasks. The
1,000,000-thread row (about 8 GiB under goro) runs in 2 rounds, and not with QUICK=1,
where the 100,000-thread row runs once.
EOF
fi
if [ -n "$(ran_of echo)" ]; then
	conns=$(awk '$1 == "echo.msgs_per_s" && $4 != "-" { print $4; exit }' "$RAW")
	printf '\n## Echo server, %s connections\n\n' "$(sed -e :a -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta' <<< "${conns:-?}")" >> "$OUT/bench.md"
	table "$(ran_of echo)" "$(cols_of "nptl goro_p1 goro go")"
	cat >> "$OUT/bench.md" << EOF

\`echo_client\` (C, one epoll thread, always native) starts the server with a listening
loopback socket as its descriptor 3, opens the connections (client and server are separate
processes, each holding one descriptor per connection: the hard open-file limit here is
$(ulimit -Hn)), keeps one 64-byte message in flight on each, and after $(awk -v s="$ECHO_SECONDS" 'BEGIN { printf "%.2g", s / 3 }') s of warm-up counts
the round trips that end in the next $ECHO_SECONDS s, checking every echo byte for byte. The
server: \`echo_server.c\`, a detached thread per connection with blocking read/write (NPTL and
goro columns), or \`go/echo_server.go\`, a goroutine per connection (Go column). Client and
server share the CPUs. With one message in flight per connection, a round trip waits for the
server to go round all connections: p99 is about connections ÷ throughput, plus unfairness.
EOF
fi
if [ -n "$(ran_of real)" ]; then
	printf '\n## Real programs (Debian packages)\n\n' >> "$OUT/bench.md"
	table "$(ran_of real)" "$(cols_of "nptl goro_p1 goro")"
	cat >> "$OUT/bench.md" << EOF

Unmodified Debian binaries (\`tools/bench/real.sh\`), natively and with
\`LD_PRELOAD=$BUILD/libgoro.so\` (only the program itself is preloaded). Seconds are the
program's own report (sysbench, hackbench, perf) or wall time (pigz, zstd, on a fixed
generated text file; their output is decompressed and compared with the input after
every run). sysbench's events/s: higher is better. A program not installed reads n/a;
install them with \`tools/deps.sh --bench\` (as root), i.e. \`apt-get install -y
sysbench rt-tests linux-perf pigz zstd gnuplot-nox golang-go\`.
EOF
fi
cat >> "$OUT/bench.md" << EOF

A cell reading **failed** (with the first line of the program's stderr) or **timeout**
produced no figure; its stderr is in \`$BUILD/bench/logs/\`, and the harness exits non-zero;
"2×fail" after a figure: that many rounds failed. Raw figures: \`bench.csv\`.
DESIGN.md's reference figures for this kind of machine: create + join NPTL 36.5 µs, Go 254 ns;
hand-off NPTL 44 µs idle, 8.6 µs on one CPU, Go 210 ns; yield NPTL 1.3 µs, Go 39 ns;
pipe round trip NPTL 44 µs idle, 5.7 µs on one CPU, Go 4.4 µs; blocked thread NPTL 8.3 KiB, Go 2.7 KiB.
EOF

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
	gnuplot -e "set terminal $term noenhanced size 1400,640; set output '$OUT/bench.png';
		set title 'goro time (memory) / NPTL and / Go 1.19, medians (throughputs inverted) — below 1: goro is better';
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
