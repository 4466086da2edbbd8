# Turns the harness's raw results into docs/bench.md, docs/bench.csv and the
# data of the ratio chart. POSIX awk (mawk is enough).
#
# Input lines (build/bench/results.txt): BENCH MODE ROUND N UNIT VALUE, where
# VALUE is a number or "fail" / "timeout".
# Variables (-v): md, csv, ratios (output paths), modes (the modes run, in
# column order). The table and its rows are appended to md.
# Exit status 1 when any run failed or timed out.

function fmt(unit, v) {
	if (unit == "bytes_per_thread")
		return sprintf("%.2f", v / 1024)
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

BEGIN {
	title["nptl"] = "NPTL"; title["nptl_cpu0"] = "NPTL, 1 CPU"; title["goro_p1"] = "goro P=1"
	title["goro"] = "goro"; title["goro_cpu0"] = "goro, 1 CPU"; title["go"] = "Go 1.19"
	# DESIGN.md's performance targets: text, and the limit the goro column must meet
	target["create_join"] = "≤ 300 ns"; limit["create_join"] = 300
	target["handoff"] = "≤ 100 ns"; limit["handoff"] = 100
	target["yield"] = "≤ 50 ns"; limit["yield"] = 50
	target["pipe_pingpong"] = "≤ Go"; limit["pipe_pingpong"] = "go"
	target["blocked_memory"] = "≤ 8 KiB (stretch ≤ 4 KiB)"; limit["blocked_memory"] = 8192
	what["create_join"] = "create + join, one at a time"
	what["create_many"] = "create N, then join all (per thread)"
	what["handoff"] = "mutex/condvar hand-off (one way)"
	what["yield"] = "sched_yield, two threads"
	what["sem_pingpong"] = "semaphore hand-off (one way)"
	what["pipe_pingpong"] = "pipe ping-pong (round trip)"
	what["thread_ring"] = "503-thread token ring (one pass)"
	what["contended_mutex"] = "64 threads, one mutex (one increment)"
	what["blocked_memory"] = "resident memory per blocked thread"
	nmodes = split(modes, mode, " ")
	nb = 0
	failed = 0
}

{
	b = $1; m = $2; key = b SUBSEP m
	if (!(b in seen)) {
		seen[b] = 1
		bench[++nb] = b
	}
	if ($5 != "-")
		unit[b] = $5
	n[key] = $4
	all[key] = all[key] (all[key] == "" ? "" : " ") $6
	if ($6 == "fail" || $6 == "timeout") {
		failed = 1
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
	has_goro = index(" " modes " ", " goro ") > 0
	has_go = index(" " modes " ", " go ") > 0
	has_nptl = index(" " modes " ", " nptl ") > 0
	line = "| benchmark | unit |"
	rule = "|---|---|"
	for (j = 1; j <= nmodes; j++) {
		line = line " " title[mode[j]] " |"
		rule = rule "---:|"
	}
	if (has_goro && has_nptl) { line = line " goro/NPTL | goro/NPTL, 1 CPU |"; rule = rule "---:|---:|" }
	if (has_goro && has_go) { line = line " goro/Go |"; rule = rule "---:|" }
	line = line " target (DESIGN.md) |"
	rule = rule "---|"
	print line >> md
	print rule >> md
	print "benchmark,mode,unit,n,runs,ok,median,min,max,values" > csv
	print "benchmark goro/NPTL goro/Go" > ratios
	for (i = 1; i <= nb; i++) {
		b = bench[i]
		u = unit[b] == "bytes_per_thread" ? "KiB" : "ns"
		line = "| " b " — " what[b] " | " u " |"
		for (j = 1; j <= nmodes; j++) {
			m = mode[j]; key = b SUBSEP m; k = cnt[key] + 0
			med[m] = ""
			if (all[key] == "") {
				line = line " |"
				continue
			}
			runs = split(all[key], tmp, " ")
			if (k > 0) {
				med[m] = k % 2 ? val[key, (k + 1) / 2] : (val[key, k / 2] + val[key, k / 2 + 1]) / 2
				cell = fmt(unit[b], med[m]) " (" fmt(unit[b], val[key, 1]) "–" fmt(unit[b], val[key, k]) ")"
				nf = count(all[key], "fail"); nt = count(all[key], "timeout")
				if (nf) cell = cell " " nf "×fail"
				if (nt) cell = cell " " nt "×timeout"
			} else {
				nf = count(all[key], "fail"); nt = count(all[key], "timeout")
				cell = "**" (nf ? "fail" : "") (nf && nt ? ", " : "") (nt ? "timeout" : "") "**"
			}
			line = line " " cell " |"
			vals = ""
			for (x = 1; x <= k; x++)
				vals = vals (x > 1 ? ";" : "") val[key, x]
			printf "%s,%s,%s,%s,%d,%d,%s,%s,%s,%s\n", b, m, unit[b], n[key], runs, k,
				med[m], k ? val[key, 1] : "", k ? val[key, k] : "", all[key] > csv
		}
		if (has_goro && has_nptl)
			line = line " " ratio(med["goro"], med["nptl"]) " | " ratio(med["goro_cpu0"], med["nptl_cpu0"]) " |"
		if (has_goro && has_go)
			line = line " " ratio(med["goro"], med["go"]) " |"
		t = target[b]
		if (t != "" && has_goro && med["goro"] != "") {
			lim = limit[b] == "go" ? med["go"] : limit[b]
			if (lim != "")
				t = t (med["goro"] <= lim + 0 ? " ✓" : " ✗")
			if (b == "blocked_memory" && med["goro"] <= 4096)
				t = t " (stretch ✓)"
		}
		line = line " " t " |"
		print line >> md
		r1 = ratio(med["goro"], med["nptl"]); r2 = ratio(med["goro"], med["go"])
		print b, (r1 == "" ? "?" : r1), (r2 == "" ? "?" : r2) > ratios
	}
	exit failed
}
