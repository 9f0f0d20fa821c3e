#!/bin/sh
# scripts/badinput-table.sh - the bad-input catalogue as a Markdown table,
# the series's answers beside the unpatched base's.
#
# Reads the rows guest/badinput.c prints into two guest console logs,
#   # badinput|<id>|<answer>|<want>|<reports>|<what is sent>
# and prints one table row per row of the series's log: what is sent, the
# series's answer, the base's answer ("-" if the base log lacks the row),
# and the kernel reports the series logged meanwhile. Rows where the two
# kernels differ are marked. A row the base log lacks because the base
# died there shows its report (vfio's BUG_ON), else "-".
#
# Usage: scripts/badinput-table.sh SERIES_LOG BASE_LOG
# Exit: 0 every series row answers as documented with no report, 1 one
#   does not, 2 error (a log missing or without rows).
set -eu
usage() { echo "usage: ${0##*/} SERIES_LOG BASE_LOG"; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 2; }
[ $# = 2 ] || { usage >&2; exit 2; }
for f in "$1" "$2"; do
	[ -r "$f" ] || die "cannot read $f"
	grep -aq '# badinput|' "$f" || die "$f has no badinput rows (did guest/badinput.c run?)"
done

rows() { tr -d '\r' <"$1" | sed -n 's/^.*# badinput|//p'; }

base=$(mktemp) || die "cannot make a temporary file"
trap 'rm -f "$base"' EXIT
rows "$2" >"$base" || die "cannot write $base"
# The report the base died of, if it did: the answer of the row it died in.
died=$(tr -d '\r' <"$2" | grep -a -o -m1 'kernel BUG at [^ ]*' | sed 's|\.\./\.\./linux/||; s/:[0-9]*!*$//') || true
rows "$1" | awk -F'|' -v basefile="$base" -v died="$died" '
BEGIN {
	while ((getline l < basefile) > 0) {
		split(l, b, "|")
		base[b[1]] = b[2]
	}
	print "| what user space sends | series | base | reports |"
	print "|---|---|---|---|"
}
{
	id = $1; ans = $2; want = $3; rep = $4; what = $5
	bans = (id in base) ? base[id] : (died != "" && !shown_death++) ? died : "-"
	mark = (bans != ans) ? " **(differs)**" : ""
	if (ans != want || rep != 0) {
		bad++
		mark = mark " **NOT AS DOCUMENTED: want " want "**"
	}
	printf "| %s | %s | %s%s | %s |\n", what, ans, bans, mark, rep
	n++
}
END {
	if (n == 0)
		exit 2
	exit bad ? 1 : 0
}'
