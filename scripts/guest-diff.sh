#!/bin/sh
# scripts/guest-diff.sh - two guest runs compared test by test.
#
# Reads the results of the kselftest programs /init ran (the nested KTAP
# under each program) from two raw console logs and prints every test whose
# result differs between them, with both results, one of:
#   ok | not ok | SKIP | no result (started, then the kernel died or the
#   guest was killed) | not run (never started)
# Made for the unpatched base against the patched kernel (check.sh step
# guest-base-x86_64); works for any two guest logs. Tests are named
# `<program>: <fixture>[.<variant>].<test>`, in the order the logs list them.
#
# Usage: scripts/guest-diff.sh BASE_LOG PATCHED_LOG
# Inputs (env): AWK (default awk, any POSIX awk).
# Output (stdout): a line per log (kernel, programs, how it ended), the
#   differing tests, then `guest-diff: D of N tests differ`. A missing
#   PATCHED_LOG is said, and the base results are listed alone.
# Exit: 0 listed (differences are not failures), 2 harness error (bad
#   arguments, no readable BASE_LOG).
set -eu

usage() {
	echo "usage: ${0##*/} BASE_LOG PATCHED_LOG"
	exit 2
}
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 2; }

[ "$#" -eq 2 ] || usage
BASE_LOG=$1
PATCHED_LOG=$2
if [ ! -f "$BASE_LOG" ] || [ ! -r "$BASE_LOG" ]; then
	die "cannot read the base log $BASE_LOG"
fi
have_patched=1
if [ ! -f "$PATCHED_LOG" ] || [ ! -r "$PATCHED_LOG" ]; then
	echo "guest-diff: no patched log at $PATCHED_LOG (run the patched guest first:" \
		"make guest ARCH=x86_64); the base results alone:"
	have_patched=0
	PATCHED_LOG=/dev/null
fi

# shellcheck disable=SC2016 # the program is awk, not shell
"${AWK:-awk}" -v have_patched="$have_patched" -v base_name="$BASE_LOG" \
	-v patched_name="$2" '
BEGIN {
	SENTINEL = "# linux-dma-ownership: guest suite done"
	nr_keys = 0
}

FNR == 1 {
	f = (f == 0 && FILENAME == ARGV[1]) ? 1 : 2
	prog = 1; cur = ""; nprogs[f] = 0
}

function note(key, status) {
	if (!(key in seen)) {
		seen[key] = 1
		keys[++nr_keys] = key
	}
	res[f, key] = status
}

{
	line = $0
	gsub(/\r/, "", line)
	gsub(/\033\[[0-9;?=]*[A-Za-z]/, "", line)
	gsub(/\033[A-Za-z]/, "", line)
	# Kernel lines (printk timestamp) and the dmesg dump are not results.
	if (line ~ /^\[ *[0-9]+\.[0-9]+\]/ || line ~ /^# dmesg:/)
		next
	if (line ~ /^# linux-dma-ownership: .*tests:/) {
		header[f] = substr(line, 24)
		list = substr(line, index(line, "tests:") + 6)
		nprogs[f] = split(list, progs_of, " ")
		for (i = 1; i <= nprogs[f]; i++)
			progs[f, i] = progs_of[i]
		next
	}
	if (line == SENTINEL) {
		done[f] = 1
		next
	}
	if (line ~ /^(not )?ok [0-9]+/) {	# a program ended
		prog++
		cur = ""
		next
	}
	p = ((f, prog) in progs) ? progs[f, prog] : "?"
	if (line ~ /^    #  RUN  +[^ ]+ \.\.\./) {
		cur = line
		sub(/^    #  RUN  +/, "", cur)
		sub(/ \.\.\..*$/, "", cur)
		note(p ": " cur, "no result")
		running[f] = p ": " cur
		next
	}
	if (line !~ /^    (not )?ok [0-9]+/)
		next
	st = line ~ /^    not ok/ ? "not ok" : "ok"
	name = line
	sub(/^    (not )?ok [0-9]+ */, "", name)
	if (tolower(name) ~ /^# *skip/) {
		st = "SKIP"
		name = ""
	}
	sub(/ *#.*$/, "", name)
	if (name == "")
		name = cur
	if (name == "")
		next
	note(p ": " name, st)
	if (running[f] == p ": " name)
		running[f] = ""
	cur = ""
}

function describe(f, name, s) {
	s = header[f] != "" ? header[f] : "no /init header (the guest never ran its tests)"
	if (done[f])
		s = s "; suite done"
	else if (running[f] != "")
		s = s "; ended in " running[f]
	else
		s = s "; no sentinel"
	printf "guest-diff: %-7s %s: %s\n", name, (f == 1 ? base_name : patched_name), s
}

function status(f, key) {
	return ((f, key) in res) ? res[f, key] : "not run"
}

END {
	describe(1, "base")
	if (have_patched)
		describe(2, "patched")
	w = 4
	for (i = 1; i <= nr_keys; i++)
		if (length(keys[i]) > w)
			w = length(keys[i])
	ndiff = 0
	for (i = 1; i <= nr_keys; i++) {
		b = status(1, keys[i])
		p = status(2, keys[i])
		if (have_patched && b == p)
			continue
		if (!ndiff++) {
			if (have_patched)
				printf "  %-" w "s  %-10s  %s\n", "test", "base", "patched"
			else
				printf "  %-" w "s  %s\n", "test", "base"
		}
		if (have_patched)
			printf "  %-" w "s  %-10s  %s\n", keys[i], b, p
		else
			printf "  %-" w "s  %s\n", keys[i], b
	}
	if (have_patched)
		printf "guest-diff: %d of %d tests differ\n", ndiff, nr_keys
	else
		printf "guest-diff: %d tests in the base log\n", nr_keys
}
' "$BASE_LOG" "$PATCHED_LOG"
