#!/bin/sh
# Installs the Debian packages goro's build, tests and benchmarks need when run as
# root; otherwise prints the exact apt-get line and fails.
# Usage: tools/deps.sh [extra-package ...]
#        tools/deps.sh --bench    also what `make bench` uses when present (opt-in: the real
#                                 programs, Go and gnuplot; `make test` and CI need none of them)
#        tools/deps.sh --compat   also what `make compat` uses: glibc's sources (its nptl tests)
#                                 and CPython 3.11 with its test suite
if [ "${1:-}" = --bench ]; then
	shift
	set -- sysbench rt-tests linux-perf pigz zstd gnuplot-nox golang-go "$@"
elif [ "${1:-}" = --compat ]; then
	shift
	set -- glibc-source xz-utils python3.11 libpython3.11-testsuite "$@"
fi
pkgs="gcc g++ make libcmocka-dev libelf-dev libdw-dev pkg-config gdb $*"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "goro: installing missing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null || {
		echo "goro: apt-get install failed; run: apt-get install -y$missing" >&2; exit 1; }
else
	echo "goro: missing Debian packages; run as root: apt-get install -y$missing" >&2
	exit 1
fi
