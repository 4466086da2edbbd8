#!/bin/sh
# Checks goro's reports about a program's threads (issues 5, 6): the deadlock
# verdict, the SIGQUIT thread dump, `goro dump PID`, the leak check
# (GORO_LEAKCHECK), the stack overflow report. Small programs in this
# folder are made to deadlock, wait, or be dumped.
# Usage: tests/tools/reports.sh BUILD_DIR
build=${1:-build}
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1"; [ -n "${2:-}" ] && sed 's/^/      /' "$2" | head -40; }
expect() { # name file pattern...
	name=$1 file=$2
	shift 2
	for pattern in "$@"; do
		grep -q -- "$pattern" "$file" || { bad "$name: no '$pattern' in the output" "$file"; return; }
	done
	ok "$name"
}
for p in deadlock_mutex_cycle waits_for_signal dump_waiting_threads leaks_threads stack_overflow; do
	cc -g -O1 -pthread -o "$tmp/$p" "$dir/$p.c" || { echo "FAIL  building $p"; exit 1; }
done
run() { env GORO_PROCS=2 LD_PRELOAD="$build/libgoro.so" timeout 20 "$@"; }

run "$tmp/deadlock_mutex_cycle" >"$tmp/out" 2>&1
status=$?
[ $status = 2 ] && ok "deadlock: exit status 2" || bad "deadlock: exit status $status (want 2)" "$tmp/out"
expect "deadlock: verdict, wait-for cycle and dump" "$tmp/out" \
	"all threads are asleep - deadlock" \
	"goroutine 2: mutex lock 0x[0-9a-f]*, held by goroutine 3 (in a wait-for cycle)" \
	"goroutine 3: mutex lock 0x[0-9a-f]*, held by goroutine 2 (in a wait-for cycle)" \
	"goroutine 1: join 0x[0-9a-f]*, joining goroutine 2" \
	"goroutine 2 \[waiting, mutex lock, [0-9]* ms\]: forward" \
	"^    forward (.*deadlock_mutex_cycle.c:[0-9]*)"

run "$tmp/waits_for_signal" >"$tmp/out" 2>&1
status=$?
[ $status = 0 ] && grep -q "woken by the signal" "$tmp/out" && ok "waiting for a signal handler is not a deadlock" ||
	bad "waiting for a signal handler: exit status $status" "$tmp/out"

run "$tmp/dump_waiting_threads" quit >"$tmp/out" 2>&1
status=$?
[ $status = 131 ] && ok "SIGQUIT: dies of SIGQUIT after the dump, as natively" || bad "SIGQUIT: exit status $status (want 131)" "$tmp/out"
expect "SIGQUIT: every thread with its wait and backtrace" "$tmp/out" \
	"goro: SIGQUIT: dump of every thread" \
	"goroutine 2 \[waiting, cond wait, [0-9]* ms\]: waits_on_condition" \
	"^    waits_on_condition (.*dump_waiting_threads.c:[0-9]*)" \
	"goroutine 3 \[waiting, netpoll read fd [0-9]*, [0-9]* ms\]: reads_a_pipe" \
	"goroutine 4 \[waiting, sleep, [0-9]* ms\]: sleeps" \
	"goroutine 1 \[running\]: main\|goroutine 1 \[.*\]: main" \
	"created at main (.*dump_waiting_threads.c:[0-9]*)"

# goro dump PID: the program prints its threads and goes on
env GORO_PROCS=2 LD_PRELOAD="$build/libgoro.so" "$tmp/dump_waiting_threads" wait >"$tmp/dumped.out" 2>"$tmp/dumped.err" &
pid=$!
for i in $(seq 100); do grep -q ready "$tmp/dumped.out" 2>/dev/null && break; sleep 0.1; done
"$build/goro" dump $pid >"$tmp/out" 2>&1
status=$?
for i in $(seq 50); do grep -q "goroutine 4" "$tmp/dumped.err" 2>/dev/null && break; sleep 0.1; done
sleep 0.2
if [ $status = 0 ] && kill -0 $pid 2>/dev/null; then ok "goro dump PID: asked, the program goes on"; else bad "goro dump PID: status $status" "$tmp/out"; fi
expect "goro dump PID: the dump on the program's stderr" "$tmp/dumped.err" \
	"goro: dump of every thread" \
	"goroutine 2 \[waiting, cond wait, [0-9]* ms\]: waits_on_condition" \
	"goroutine 1 \[waiting, sleep, [0-9]* ms\]: main"
kill $pid 2>/dev/null; wait $pid 2>/dev/null
sleep 30 & other=$!
"$build/goro" dump $other >"$tmp/out" 2>&1
status=$?
kill $other
[ $status = 2 ] && grep -q "is not running goro" "$tmp/out" && ok "goro dump of a process without goro: one line, status 2" ||
	bad "goro dump of a process without goro: status $status" "$tmp/out"
"$build/goro" dump 2147483000 >"$tmp/out" 2>&1
status=$?
[ $status = 2 ] && grep -q "no process" "$tmp/out" && ok "goro dump of no process: one line, status 2" ||
	bad "goro dump of no process: status $status" "$tmp/out"
"$build/goro" dump abc >"$tmp/out" 2>&1
[ $? = 2 ] && ok "goro dump abc: usage error" || bad "goro dump abc" "$tmp/out"

env GORO_LEAKCHECK=1 GORO_PROCS=2 LD_PRELOAD="$build/libgoro.so" timeout 20 "$tmp/leaks_threads" >"$tmp/out" 2>&1
status=$?
[ $status = 66 ] && ok "leak check: exit status 66" || bad "leak check: exit status $status (want 66)" "$tmp/out"
expect "leak check: the blocked and the unjoined thread, nothing else" "$tmp/out" \
	"main returns" \
	"goro: leak check: 2 threads left at exit" \
	"goroutine [0-9]* \[waiting, cond wait\]: blocks_forever (.*leaks_threads.c:[0-9]*), created at main (.*leaks_threads.c:[0-9]*): still blocked" \
	"goroutine [0-9]* \[dead\]: returns_at_once (.*), created at main (.*leaks_threads.c:[0-9]*): exited, never joined nor detached"
env GORO_LEAKCHECK=1 LD_PRELOAD="$build/libgoro.so" timeout 20 "$tmp/leaks_threads" clean >"$tmp/out" 2>&1
status=$?
[ $status = 0 ] && ! grep -q "leak check" "$tmp/out" && ok "leak check: a clean program passes" ||
	bad "leak check: clean program, exit status $status" "$tmp/out"
env GORO_LEAKCHECK=yes LD_PRELOAD="$build/libgoro.so" true >"$tmp/out" 2>&1
status=$?
[ $status = 2 ] && grep -q "GORO_LEAKCHECK=yes is not valid" "$tmp/out" && ok "GORO_LEAKCHECK=yes stops start-up" ||
	bad "GORO_LEAKCHECK=yes: exit status $status" "$tmp/out"

# Stack overflow (issue 5): the thread, its start routine and stack size, then SIGSEGV as natively
for mode in guard canary; do
	run "$tmp/stack_overflow" $mode >"$tmp/out" 2>&1
	status=$?
	[ $status = 139 ] && ok "stack overflow ($mode): dies of SIGSEGV" || bad "stack overflow ($mode): exit status $status (want 139)" "$tmp/out"
done
run "$tmp/stack_overflow" guard >"$tmp/out" 2>&1
expect "stack overflow into the guard page: which thread, what stack" "$tmp/out" \
	'goro: stack overflow: thread 2 "deep" (start routine stack_overflow+0x[0-9a-f]*) ran past the end of its 65536-byte stack (it hit the guard page)'
run "$tmp/stack_overflow" canary >"$tmp/out" 2>&1
expect "stack overflow without a guard page: the canary catches it, the sysctl is named" "$tmp/out" \
	"vm.max_map_count is nearly used up.*sysctl vm.max_map_count=N" \
	'goro: stack overflow: thread 12002 "deep" (start routine stack_overflow+0x[0-9a-f]*) ran past the end of its 65536-byte stack (it has no guard page: caught by the canary'

# GORO_MAX_THREADS
env GORO_MAX_THREADS=0 LD_PRELOAD="$build/libgoro.so" true >"$tmp/out" 2>&1
status=$?
[ $status = 2 ] && grep -q "GORO_MAX_THREADS=0 is not valid" "$tmp/out" && ok "GORO_MAX_THREADS=0 stops start-up" ||
	bad "GORO_MAX_THREADS=0: exit status $status" "$tmp/out"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
