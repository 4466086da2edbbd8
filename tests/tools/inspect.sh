#!/bin/sh
# Checks `goro inspect`, the compatibility check CI runs on a program file:
# the verdict line and exit status (0 compatible, 1 with warnings, 2 not
# compatible or bad input) for programs built here (pthreads; C11 threads,
# which goro interposes, and clone; static; setuid; reaching glibc only
# through a library), a script, a file that is not ELF, a missing file, and /bin/ls; bad input gets one line.
# Usage: tests/tools/inspect.sh BUILD_DIR
build=${1:-build}
src=$(dirname "$0")
goro="$build/goro"
pass=0 fail=0
check() { # name, expected status, expected text in output (a grep regexp), command...
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
lines() { # the number of lines a command prints (stdout and stderr)
	"$@" 2>&1 | wc -l
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# -U_FORTIFY_SOURCE: the same imports whatever the compiler's defaults (no __read_chk)
cc -O2 -U_FORTIFY_SOURCE -pthread -o "$tmp/pthreads" "$src/inspect_pthread.c" &&
cc -O2 -U_FORTIFY_SOURCE -o "$tmp/c11_clone" "$src/inspect_c11.c" &&
cc -O2 -U_FORTIFY_SOURCE -static -pthread -o "$tmp/static" "$src/inspect_pthread.c" &&
cc -shared -fPIC -o "$tmp/libinspect_dep.so" "$src/inspect_dep.c" &&
cc -nostdlib -o "$tmp/via_dep" "$src/inspect_via_dep.c" -L"$tmp" -linspect_dep -Wl,-rpath,'$ORIGIN' ||
	{ echo "FAIL  building the inspect test programs"; exit 1; }
cp "$tmp/pthreads" "$tmp/setuid" && chmod u+s "$tmp/setuid"
mkdir "$tmp/alone" && cp "$tmp/via_dep" "$tmp/alone/via_dep"
printf '#!/bin/sh\necho hello\n' >"$tmp/script.sh" && chmod +x "$tmp/script.sh"
echo "plain text" >"$tmp/text"

check "pthread program: compatible" 0 "^verdict: compatible$" "$goro" inspect "$tmp/pthreads"
check "pthread program: pthread_create is interposed" 0 "^  pthread_create@GLIBC" "$goro" inspect "$tmp/pthreads"
check "pthread program: nothing left uninterposed" 0 "^imports goro does not interpose (0):$" "$goro" inspect "$tmp/pthreads"
check "C11 threads and clone: one warning (clone)" 1 "^verdict: compatible with warnings (1)$" "$goro" inspect "$tmp/c11_clone"
check "C11 threads: thrd_create is interposed" 1 "^  thrd_create@GLIBC" "$goro" inspect "$tmp/c11_clone"
check "C11 threads: mtx_lock is interposed" 1 "^  mtx_lock@GLIBC" "$goro" inspect "$tmp/c11_clone"
check "raw clone is named" 1 "^warning: raw clone (clone)" "$goro" inspect "$tmp/c11_clone"
check "static binary: not compatible" 2 "^verdict: not compatible: statically linked" "$goro" inspect "$tmp/static"
check "setuid copy: not compatible" 2 "^verdict: not compatible: setuid" "$goro" inspect "$tmp/setuid"
check "script: not compatible" 2 "^verdict: not compatible: a script" "$goro" inspect "$tmp/script.sh"
check "script: its interpreter is named" 2 "^format: script (#!/bin/sh)$" "$goro" inspect "$tmp/script.sh"
check "text file: not ELF" 2 "^verdict: not compatible: not an ELF file$" "$goro" inspect "$tmp/text"
check "glibc through a dependency: compatible" 0 "^glibc: libc.so.6, through libinspect_dep.so$" \
	"$goro" inspect "$tmp/via_dep"
check "dependency not found: a warning" 1 "^glibc: unknown, not found: libinspect_dep.so$" \
	"$goro" inspect "$tmp/alone/via_dep"
check "/bin/ls: compatible" 0 "^verdict: compatible$" "$goro" inspect /bin/ls
check "missing file: exit 2" 2 "^goro: cannot read $tmp/missing: No such file or directory$" \
	"$goro" inspect "$tmp/missing"
check "missing file: one line" 0 "^1$" lines "$goro" inspect "$tmp/missing"
check "a directory: one line, exit 2" 2 "^goro: cannot inspect .*: not a regular file$" "$goro" inspect "$tmp"
check "no file: usage, exit 2" 2 "usage: goro inspect" "$goro" inspect
check "two files: usage, exit 2" 2 "inspect takes one file" "$goro" inspect /bin/ls /bin/ls
check "unknown option: exit 2" 2 "unknown inspect option '--bogus'" "$goro" inspect --bogus /bin/ls
check "unreadable library: one line, exit 2" 2 "cannot read libgoro.so's symbols at /nonexistent" \
	env GORO_LIB=/nonexistent "$goro" inspect /bin/ls
"$goro" inspect "$tmp/c11_clone" >"$tmp/first" 2>&1
"$goro" inspect "$tmp/c11_clone" >"$tmp/second" 2>&1
check "the output is the same from run to run" 0 "" cmp "$tmp/first" "$tmp/second"
check "help names inspect" 0 "goro inspect" "$goro" help
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
