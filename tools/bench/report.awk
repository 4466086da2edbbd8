# Turns the harness's raw results into one table of docs/bench.md, rows of
# docs/bench.csv and of the ratio chart's data. POSIX awk (mawk is enough).
#
# Input lines (build/bench/results.txt): ROW MODE ROUND N UNIT VALUE [NOTE...], where
# ROW is a benchmark's name (BENCH.UNIT when one program fills two rows), VALUE a
# number, "fail" or "timeout" (NOTE: why) or "na" (not applicable here; NOTE: why).
# Variables (-v): md, csv, ratios (output paths, appended to), modes (the columns, in
# order), benches (the benchmarks of this table; rows of others are skipped), labels
# (optional file of "ROW<tab>description" lines for rows not described here).
# Exit status 1 when any run failed or timed out.

function fmt(unit, v) {
	if (unit == "bytes_per_thread")
		return sprintf("%.2f", v / 1024)
	if (unit == "s" && v < 10)
		return sprintf("%.2f", v)
	return v >= 100 ? sprintf("%.0f", v) : sprintf("%.1f", v)
}
function ratio(a, b) {
	return (a != "" && b != "" && b > 0) ? sprintf("%.3g", a / b) : ""
}
function count(s, word,   n, parts, i, k) {
	n = split(s, parts, " ")
	k = 0
	for (i = 1; i <= n; i++)
		if (parts[i] == word)
			k++
	return k
}
function commas(x,   s) {	# 100000 -> 100,000
	s = x ""
	while (s ~ /[0-9][0-9][0-9][0-9]/)
		sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
	return s
}
# the markdown text of a row, from its name and its count
function label(r, cnt,   b) {
	b = r
	sub(/\..*/, "", b)
	if (r in desc)
		return b " — " desc[r]
	if (r in what)
		return r " — " what[r]
	if (b ~ /^blocked_memory/)
		return r " — resident memory per blocked thread, " commas(cnt) " threads"
	if (b ~ /^create_blocked/)
		return r " — create " commas(cnt) " threads that all stay blocked (per thread)"
	if (r == "echo.msgs_per_s")
		return "echo — round trips per second, " commas(cnt) " connections"
	if (r == "echo.p99_us")
		return "echo — p99 round-trip time, " commas(cnt) " connections"
	return r
}

BEGIN {
	title["nptl"] = "NPTL"; title["nptl_cpu0"] = "NPTL, 1 CPU"; title["goro_p1"] = "goro P=1"
	title["goro"] = "goro"; title["goro_cpu0"] = "goro, 1 CPU"; title["go"] = "Go 1.19"
	# units as shown; ↑: higher is better (everything else: lower is better)
	uname["ns_per_op"] = "ns"; uname["bytes_per_thread"] = "KiB"; uname["s"] = "s"
	uname["msgs_per_s"] = "msg/s ↑"; uname["p99_us"] = "µs"; uname["events_per_s"] = "events/s ↑"
	higher["msgs_per_s"] = 1; higher["events_per_s"] = 1
	# DESIGN.md's performance targets: text, and the limit the goro column must meet
	target["create_join"] = "≤ 300 ns"; limit["create_join"] = 300
	target["handoff"] = "≤ 100 ns"; limit["handoff"] = 100
	target["yield"] = "≤ 50 ns"; limit["yield"] = 50
	target["pipe_pingpong"] = "≤ Go"; limit["pipe_pingpong"] = "go"
	what["create_join"] = "create + join, one at a time"
	what["create_many"] = "create N, then join all (per thread)"
	what["handoff"] = "mutex/condvar hand-off (one way)"
	what["yield"] = "sched_yield, two threads"
	what["sem_pingpong"] = "semaphore hand-off (one way)"
	what["pipe_pingpong"] = "pipe ping-pong (round trip)"
	what["thread_ring"] = "503-thread token ring (one pass)"
	what["contended_mutex"] = "64 threads, one mutex (one increment)"
	if (labels != "")
		while ((getline line < labels) > 0) {
			i = index(line, "\t")
			if (i)
				desc[substr(line, 1, i - 1)] = substr(line, i + 1)
		}
	nmodes = split(modes, mode, " ")
	for (j = 1; j <= nmodes; j++)
		shown[mode[j]] = 1
	nsel = split(benches, tmp, " ")
	for (j = 1; j <= nsel; j++)
		wanted[tmp[j]] = 1
	nb = 0
	failed = 0
}

{
	r = $1; m = $2; key = r SUBSEP m
	b = r
	sub(/\..*/, "", b)
	if (!(b in wanted) || !(m in shown))
		next
	if (!(r in seen)) {
		seen[r] = 1
		row[++nb] = r
	}
	if ($5 != "-")
		unit[r] = $5
	if ($4 != "-")
		n[key] = $4
	note = ""
	if (NF > 6 && match($0, /^[^ ]+ [^ ]+ [^ ]+ [^ ]+ [^ ]+ [^ ]+ /))
		note = substr($0, RLENGTH + 1)
	if ($6 == "na") {
		na[key] = note
		next
	}
	all[key] = all[key] (all[key] == "" ? "" : " ") $6
	if ($6 == "fail" || $6 == "timeout") {
		failed = 1
		if (!(key in why))
			why[key] = note
		next
	}
	k = ++cnt[key]
	v = $6 + 0
	# insertion sort into val[key, 1..k]
	for (i = k; i > 1 && val[key, i - 1] > v; i--)
		val[key, i] = val[key, i - 1]
	val[key, i] = v
}

END {
	has_goro = ("goro" in shown)
	has_ratio_nptl = has_goro && ("nptl" in shown)
	has_ratio_cpu0 = ("goro_cpu0" in shown) && ("nptl_cpu0" in shown)
	has_ratio_go = has_goro && ("go" in shown)
	has_target = 0
	for (i = 1; i <= nb; i++)
		if (row[i] in target || row[i] ~ /^blocked_memory/)
			has_target = 1
	line = "| benchmark | unit |"
	rule = "|---|---|"
	for (j = 1; j <= nmodes; j++) {
		line = line " " title[mode[j]] " |"
		rule = rule "---:|"
	}
	if (has_ratio_nptl) { line = line " goro/NPTL |"; rule = rule "---:|" }
	if (has_ratio_cpu0) { line = line " goro/NPTL, 1 CPU |"; rule = rule "---:|" }
	if (has_ratio_go) { line = line " goro/Go |"; rule = rule "---:|" }
	if (has_target) { line = line " target (DESIGN.md) |"; rule = rule "---|" }
	print line >> md
	print rule >> md
	for (i = 1; i <= nb; i++) {
		r = row[i]
		if (unit[r] == "" && r ~ /\./)	# every run failed: the unit is in the row's name
			unit[r] = substr(r, index(r, ".") + 1)
		if (unit[r] == "" && r ~ /^blocked_memory/)
			unit[r] = "bytes_per_thread"
		u = unit[r] in uname ? uname[unit[r]] : unit[r]
		cn = ""
		for (j = 1; j <= nmodes && cn == ""; j++)
			if ((r SUBSEP mode[j]) in n && mode[j] !~ /^nptl/)
				cn = n[r, mode[j]]
		line = "| " label(r, cn) " | " u " |"
		for (j = 1; j <= nmodes; j++) {
			m = mode[j]; key = r SUBSEP m; k = cnt[key] + 0
			med[m] = ""
			if (all[key] == "") {
				line = line " " (key in na ? "n/a (" na[key] ")" : "") " |"
				continue
			}
			runs = split(all[key], tmp, " ")
			nf = count(all[key], "fail"); nt = count(all[key], "timeout")
			if (k > 0) {
				med[m] = k % 2 ? val[key, (k + 1) / 2] : (val[key, k / 2] + val[key, k / 2 + 1]) / 2
				cell = fmt(unit[r], med[m]) " (" fmt(unit[r], val[key, 1]) "–" fmt(unit[r], val[key, k]) ")"
				if (nf) cell = cell " " nf "×fail"
				if (nt) cell = cell " " nt "×timeout"
			} else if (nt && !nf) {
				cell = "**timeout** (" why[key] ")"
			} else {
				cell = "**failed: " why[key] "**"
			}
			line = line " " cell " |"
			vals = ""
			for (x = 1; x <= k; x++)
				vals = vals (x > 1 ? ";" : "") val[key, x]
			printf "%s,%s,%s,%s,%d,%d,%s,%s,%s,%s\n", r, m, unit[r], (key in n ? n[key] : ""), runs, k,
				med[m], k ? val[key, 1] : "", k ? val[key, k] : "", all[key] >> csv
		}
		if (has_ratio_nptl)
			line = line " " ratio(med["goro"], med["nptl"]) " |"
		if (has_ratio_cpu0)
			line = line " " ratio(med["goro_cpu0"], med["nptl_cpu0"]) " |"
		if (has_ratio_go)
			line = line " " ratio(med["goro"], med["go"]) " |"
		if (has_target) {
			t = target[r]
			if (r ~ /^blocked_memory/) {
				t = "≤ 8 KiB (stretch ≤ 4 KiB)"; limit[r] = 8192
			}
			if (t != "" && med["goro"] != "") {
				lim = limit[r] == "go" ? med["go"] : limit[r]
				if (lim != "")
					t = t (med["goro"] <= lim + 0 ? " ✓" : " ✗")
				if (r ~ /^blocked_memory/ && med["goro"] <= 4096)
					t = t " (stretch ✓)"
			}
			line = line " " t " |"
		}
		print line >> md
		# the chart: below 1 is better for goro, so throughputs are charted inverted
		if (higher[unit[r]]) {
			r1 = ratio(med["nptl"], med["goro"]); r2 = ratio(med["go"], med["goro"]); name = r "(inverse)"
		} else {
			r1 = ratio(med["goro"], med["nptl"]); r2 = ratio(med["goro"], med["go"]); name = r
		}
		print name, (r1 == "" ? "?" : r1), (r2 == "" ? "?" : r2) >> ratios
	}
	exit failed
}
