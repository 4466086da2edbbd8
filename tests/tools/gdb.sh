#!/bin/sh
# Checks tools/goro-gdb.py: gdb attached to a program running under goro lists
# its threads (`info goroutines`) with their wait reasons and shows a parked
# thread's backtrace (`goroutine N bt`); the program carries on intact after
# gdb has borrowed a thread's registers; a core file of it gives the same
# lists; a program without goro gets a one-line message.
# tests/tools/gdb_threads.c is the program: G 1 main (joins), G 2 waits on a
# condition variable, G 3 reads a FIFO, G 4 sleeps, G 5 spins.
# Usage: tests/tools/gdb.sh BUILD_DIR        (GDB_TEST_MODE=run: run the program
# under gdb instead of attaching, as when ptrace attach is not permitted)
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../../tools/goro-gdb.py
pass=0 fail=0
if ! command -v gdb >/dev/null 2>&1; then
	echo "FAIL  gdb.sh: gdb is not installed (make deps installs it)"
	exit 1
fi
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	exec 3>&-
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1"; [ -n "$2" ] && sed 's/^/      | /' "$2"; }
# name, file, extended regex that some line must match
expect() { if grep -Eq -- "$3" "$2"; then ok "$1"; else bad "$1 (no line matching /$3/)" "$2"; fi; }
gdb_batch() { # seconds, gdb arguments...
	t=$1; shift
	timeout "$t" gdb -nx -batch -iex 'set debuginfod enabled off' -x "$script" "$@" 2>&1
}

cc -g -O0 -pthread -o "$tmp/gdb_threads" "$here/gdb_threads.c" || { echo "FAIL  building gdb_threads"; exit 1; }
# A copy: gdb reads the library's debug information from the file, which a rebuild may replace.
lib=$tmp/libgoro.so
cp "$build/libgoro.so" "$lib" || { echo "FAIL  no $build/libgoro.so"; exit 1; }

# Without a process, and before libgoro.so is loaded: one line each.
gdb_batch 10 -ex 'info goroutines' "$tmp/gdb_threads" >"$tmp/noproc"
expect "no process: one line" "$tmp/noproc" "^goro: no process"
gdb_batch 10 -ex 'starti' -ex 'info goroutines' -ex 'goroutine 1 bt' -ex 'kill' "$tmp/gdb_threads" >"$tmp/nogoro"
if [ "$(grep -c '^goro: this program is not running under goro' "$tmp/nogoro")" = 2 ]; then
	ok "program without goro: one line per command"
else
	bad "program without goro: one line per command" "$tmp/nogoro"
fi

# The program's stdin is a FIFO this shell holds open read-write (no blocking).
mkfifo "$tmp/in"
exec 3<>"$tmp/in"

# What every mode checks, once the program is stopped with its threads parked.
# Thread 2 is an M asleep in a system call: its registers are borrowed for the parked Gs.
regs='info registers rip rsp rbp rbx r12 r13 r14 r15 orig_rax'
checks="-ex 'info goroutines' -ex 'thread 2' -ex '$regs' \
	-ex 'echo ==G2==\\n' -ex 'goroutine 2 bt' -ex 'echo ==G3==\\n' -ex 'goroutine 3 bt' -ex 'echo ==G5==\\n' \
	-ex 'goroutine 5 bt' -ex 'echo ==END==\\n' -ex '$regs'"

attached=false
if [ "${GDB_TEST_MODE:-attach}" = attach ]; then
	GORO_PROCS=1 LD_PRELOAD="$lib" "$tmp/gdb_threads" <"$tmp/in" >"$tmp/out" 2>&1 3>&- &
	pid=$!
	i=0
	while ! grep -q ready "$tmp/out" && kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	if ! grep -q ready "$tmp/out"; then
		bad "the program under goro reaches ready" "$tmp/out"
		echo "$pass passed, $fail failed"; exit 1
	fi
	eval "gdb_batch 15 -p $pid $checks" >"$tmp/gdb"
	if grep -Eq "ptrace: Operation not permitted|Could not attach" "$tmp/gdb"; then
		echo "note  ptrace attach is not permitted here: running the program under gdb instead"
		kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
	else
		attached=true
	fi
fi
if ! $attached; then
	# Under gdb: stop at gdb_threads_ready (all threads parked), check, then send the
	# byte and let the program finish.
	eval "gdb_batch 20 -ex 'set exec-wrapper env GORO_PROCS=1 LD_PRELOAD=$lib' -ex 'break gdb_threads_ready' \
		-ex 'run <$tmp/in >$tmp/out' $checks -ex 'shell printf x >$tmp/in' -ex 'continue' \"$tmp/gdb_threads\"" >"$tmp/gdb"
	if grep -q "Operation not permitted" "$tmp/gdb"; then
		echo "FAIL  gdb.sh: gdb may not trace processes here (ptrace refused)"
		exit 1
	fi
fi

expect "info goroutines: header" "$tmp/gdb" "^ +Id +Status +Wait reason +Waited +M +Tid +Name +Start routine"
if $attached; then
	expect "info goroutines: main joins" "$tmp/gdb" "^ +1 +waiting +join .* main$"
else
	expect "info goroutines: main runs (stopped at a breakpoint)" "$tmp/gdb" "^\*? +1 +running +M[0-9]+ +[0-9]+ +gdb_threads +main$"
fi
expect "info goroutines: condition wait" "$tmp/gdb" "^ +2 +waiting +cond wait .* condwaiter +cond_waiter$"
expect "info goroutines: read of the FIFO" "$tmp/gdb" "^ +3 +waiting +netpoll read .* reader +stdin_reader$"
expect "info goroutines: sleep" "$tmp/gdb" "^ +4 +waiting +sleep .* sleeper +sleeper$"
expect "info goroutines: the spinner" "$tmp/gdb" "^\*? +5 +(running +M[0-9]+ +[0-9]+|runnable) +spinner +spinner$"
expect "info goroutines: count" "$tmp/gdb" "^5 goroutines$"
sed -n '/^==G2==/,/^==G3==/p' "$tmp/gdb" >"$tmp/g2"
expect "goroutine 2 bt: from g_park" "$tmp/g2" "^#0 .*g_park"
expect "goroutine 2 bt: through goro's cond_wait" "$tmp/g2" "^#[0-9]+ .* cond_wait \("   # pthread_cond_wait may tail-call it
expect "goroutine 2 bt: the program's caller of pthread_cond_wait" "$tmp/g2" "^#[0-9]+ .* wait_for_wakeup \(\) at .*gdb_threads.c:[0-9]+"
expect "goroutine 2 bt: its start routine" "$tmp/g2" "^#[0-9]+ .* cond_waiter \(arg=.*\) at .*gdb_threads.c"
sed -n '/^==G3==/,/^==G5==/p' "$tmp/gdb" >"$tmp/g3"
expect "goroutine 3 bt: the program's read" "$tmp/g3" "^#[0-9]+ .* read_one_byte \(\) at .*gdb_threads.c"
sed -n '/^==G5==/,/^==END==/p' "$tmp/gdb" >"$tmp/g5"
expect "goroutine 5 bt: the spinner (on its M, or through the preemption trampoline)" "$tmp/g5" "spin_until_stopped \(\) at .*gdb_threads.c"
grep -E '^(rip|rsp|rbp|rbx|r1[2-5]|orig_rax) ' "$tmp/gdb" >"$tmp/regs"
if [ "$(wc -l <"$tmp/regs")" = 18 ] && [ "$(head -9 "$tmp/regs")" = "$(tail -9 "$tmp/regs")" ]; then
	ok "the borrowed thread's registers are restored"
else
	bad "the borrowed thread's registers are restored" "$tmp/regs"
fi
if grep -Eq "Traceback|Python Exception|WARNING" "$tmp/gdb"; then bad "no Python errors" "$tmp/gdb"; else ok "no Python errors"; fi

if $attached; then
	# A core file of the same process: the registers cannot be written there.
	if command -v gcore >/dev/null 2>&1 && timeout 15 gcore -o "$tmp/core" "$pid" >/dev/null 2>&1 &&
	   [ -f "$tmp/core.$pid" ]; then
		gdb_batch 15 -ex 'info goroutines' -ex 'goroutine 2 bt' "$tmp/gdb_threads" "$tmp/core.$pid" >"$tmp/core.out"
		rm -f "$tmp/core.$pid"
		expect "core file: info goroutines" "$tmp/core.out" "^ +2 +waiting +cond wait .* condwaiter +cond_waiter$"
		expect "core file: goroutine 2 bt says how frames are numbered" "$tmp/core.out" "^\(core file, registers cannot be written"
		expect "core file: goroutine 2 bt" "$tmp/core.out" "^#[0-9]+ .* wait_for_wakeup \(\) at .*gdb_threads.c"
	else
		echo "FAIL  core file checks: gcore could not dump the process"
		fail=$((fail + 1))
	fi
	# The program goes on after gdb detached: the byte wakes everyone, exit status 0.
	printf x >&3
	i=0
	while kill -0 "$pid" 2>/dev/null && ! grep -q done "$tmp/out" && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.1
	if kill -0 "$pid" 2>/dev/null && ! grep -q done "$tmp/out"; then
		status=hung
	else
		wait "$pid"; status=$?; pid=
	fi
	if [ "$status" = 0 ] && grep -q '^done$' "$tmp/out"; then
		ok "the program finishes normally after gdb detached"
	else
		bad "the program finishes normally after gdb detached (status $status)" "$tmp/out"
	fi
else
	if grep -q "exited normally" "$tmp/gdb" && grep -q '^done$' "$tmp/out"; then
		ok "the program finishes normally under gdb"
	else
		bad "the program finishes normally under gdb" "$tmp/gdb"
	fi
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
