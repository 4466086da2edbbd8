#!/bin/sh
# Checks what a user of the launcher and of the GORO_* settings sees: the
# program runs under goro with the asked-for settings, and bad input gets a
# one-line error naming what is accepted and a distinct exit status.
# Usage: tests/tools/launcher.sh BUILD_DIR
build=${1:-build}
pass=0 fail=0
check() { # name, expected status, expected text in output, command...
	name=$1 want_status=$2 want_text=$3
	shift 3
	out=$("$@" 2>&1)
	status=$?
	if [ "$status" = "$want_status" ] && { [ -z "$want_text" ] || printf '%s\n' "$out" | grep -q -- "$want_text"; }; then
		pass=$((pass + 1)); echo "ok    $name"
	else
		fail=$((fail + 1)); echo "FAIL  $name: status $status (want $want_status), output: $out"
	fi
}
check "run sets GORO_PROCS and LD_PRELOAD" 0 "^2 .*libgoro.so" \
	"$build/goro" run -p 2 -- sh -c 'echo "$GORO_PROCS $LD_PRELOAD"'
check "run keeps an existing LD_PRELOAD" 0 "libgoro.so:/nonexistent-keep.so" \
	env LD_PRELOAD=/nonexistent-keep.so "$build/goro" run -- sh -c 'echo "$LD_PRELOAD"' 
check "program's exit status passes through" 3 "" "$build/goro" run -- sh -c 'exit 3'
check "-p 0 is refused" 2 "1 to 1024" "$build/goro" run -p 0 true
check "-p x is refused" 2 "1 to 1024" "$build/goro" run -p x true
check "missing program" 2 "no program" "$build/goro" run -p 1
check "unknown command" 2 "accepted: run" "$build/goro" walk
check "program that cannot run" 127 "cannot run" "$build/goro" run /nonexistent/prog
check "help" 0 "usage: goro run" "$build/goro" help
check "GORO_PROCS=0 stops start-up" 2 "GORO_PROCS=0 is not valid" env GORO_PROCS=0 LD_PRELOAD="$build/libgoro.so" true
check "GORO_PROCS=abc stops start-up" 2 "whole number from 1 to 1024" env GORO_PROCS=abc LD_PRELOAD="$build/libgoro.so" true
check "unknown GORO_ setting stops start-up" 2 "GORO_PROCZ=1 is not valid: unknown setting" \
	env GORO_PROCZ=1 LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_MS=0.5 is accepted" 0 "" env GORO_PREEMPT_MS=0.5 LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_MS=0 (off) is accepted" 0 "" env GORO_PREEMPT_MS=0 LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_MS=ten stops start-up" 2 "GORO_PREEMPT_MS=ten is not valid: expected milliseconds" \
	env GORO_PREEMPT_MS=ten LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_MS=0.0001 (too fine) stops start-up" 2 "at most three decimals" \
	env GORO_PREEMPT_MS=0.0001 LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_MS=99999 (too long) stops start-up" 2 "from 0 (off) to 60000" \
	env GORO_PREEMPT_MS=99999 LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_SIGNAL=SIGUSR1 is accepted" 0 "" env GORO_PREEMPT_SIGNAL=SIGUSR1 LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_SIGNAL=SIGKILL stops start-up" 2 "GORO_PREEMPT_SIGNAL=SIGKILL is not valid" \
	env GORO_PREEMPT_SIGNAL=SIGKILL LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_SIGNAL=nonsense stops start-up" 2 "by name or number" \
	env GORO_PREEMPT_SIGNAL=nonsense LD_PRELOAD="$build/libgoro.so" true
check "GORO_PREEMPT_SIGNAL naming an ignored signal stops start-up" 2 "already uses that signal" \
	sh -c 'trap "" HUP; exec env GORO_PREEMPT_SIGNAL=SIGHUP LD_PRELOAD="$0/libgoro.so" true' "$build"
check "GORO_SCHEDTRACE=50 prints scheduler lines" 0 "goro: SCHED 100ms: procs=1 idleprocs=" \
	env GORO_SCHEDTRACE=50 GORO_PROCS=1 LD_PRELOAD="$build/libgoro.so" sleep 0.3
check "GORO_SCHEDTRACE=0 stops start-up" 2 "GORO_SCHEDTRACE=0 is not valid: expected milliseconds" \
	env GORO_SCHEDTRACE=0 LD_PRELOAD="$build/libgoro.so" true
check "GORO_SCHEDTRACE=1s stops start-up" 2 "whole number from 1 to 3600000" \
	env GORO_SCHEDTRACE=1s LD_PRELOAD="$build/libgoro.so" true
# On a glibc whose layout goro does not know: one line, and the program runs natively.
tmp=$(mktemp -d)
cc -shared -fPIC -o "$tmp/libfakeversion.so" "$(dirname "$0")/fake_glibc_version.c" &&
cc -O2 -pthread -o "$tmp/threads_native" "$(dirname "$0")/threads_native.c" || { echo "FAIL  building the glibc-refusal test"; fail=$((fail + 1)); }
check "unknown glibc: one line, then native threads" 0 "not taking over (glibc 2.99" \
	env LD_PRELOAD="$tmp/libfakeversion.so:$build/libgoro.so" "$tmp/threads_native"
check "unknown glibc: the program still runs natively" 0 "counter 4, threads on their own kernel thread: 4" \
	env LD_PRELOAD="$tmp/libfakeversion.so:$build/libgoro.so" "$tmp/threads_native"
check "known glibc: threads are goro's" 0 "counter 4, threads on their own kernel thread: 0" \
	env GORO_PROCS=1 LD_PRELOAD="$build/libgoro.so" "$tmp/threads_native"
rm -rf "$tmp"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
