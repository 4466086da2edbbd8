#!/bin/sh
# make demo: runs build/bench/demo (20,000 client threads handing requests to
# 8 workers through a mutex/condvar queue) natively and under goro, and prints
# wall time, CPU time and peak resident memory side by side, and whether the
# checksums agree. Exit status 0 only when every run succeeded and agreed.
#   tools/bench/demo.sh [BUILD_DIR] [CLIENTS]
BUILD=${1:-build}
CLIENTS=${2:-20000}
B=$BUILD/bench
LIMIT=${DEMO_TIMEOUT:-120}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "demo: $CLIENTS client threads, each queueing a request for 8 worker threads (one mutex,"
echo "      a condvar per request) and waiting for the reply; the checksum folds in every reply"
echo
printf '%-16s %9s %9s %11s  %s\n' "" "wall" "CPU" "peak RSS" "output"
status=0 ref="" nat_wall="" nat_rss=""
row() { # label, command...
	label=$1
	shift
	m=$("$B/measure" -t "$LIMIT" -o "$tmp/out" "$@" 2> "$tmp/err")
	set -- $m
	wall=$2 cpu=$4 rss=$6 st=$8
	out=$(head -n 1 "$tmp/out")
	if [ "$st" != 0 ]; then
		status=1
		[ "$st" = timeout ] && out="TIMEOUT after ${LIMIT} s" || out="FAILED (exit $st) $(head -n 1 "$tmp/err") $out"
	fi
	printf '%-16s %7s s %7s s %7s MiB  %s\n' "$label" "$wall" "$cpu" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$out"
	sum=${out##*checksum }
	if [ "$st" = 0 ]; then
		if [ -z "$ref" ]; then ref=$sum
		elif [ "$sum" != "$ref" ]; then mismatch="$mismatch $label"
		fi
	fi
	if [ "$label" = native ]; then
		[ "$st" = 0 ] && nat_wall=$wall nat_rss=$rss
	elif [ "$st" = 0 ] && [ -n "$nat_wall" ]; then
		summary="$summary$(awk -v l="$label" -v w0="$nat_wall" -v w="$wall" -v r0="$nat_rss" -v r="$rss" 'BEGIN {
			printf "%-16s wall time %.3gx native, peak memory %.3gx native\\n", l ":", w / w0, r / r0 }')"
	fi
}
mismatch="" summary=""
row native "$B/demo" "$CLIENTS"
row "goro -p 1" "$BUILD/goro" run -p 1 -- "$B/demo" "$CLIENTS"
row "goro" "$BUILD/goro" run -- "$B/demo" "$CLIENTS"
echo
printf "$summary"
if [ -n "$mismatch" ]; then
	echo "checksums DIFFER from the native run:$mismatch"
	status=1
elif [ -n "$ref" ]; then
	echo "checksums match ($ref)"
fi
exit $status
