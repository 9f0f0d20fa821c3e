#!/bin/sh
# scripts/check.sh - every test of the project, in one run (make check).
#
# Steps, each with a banner, its elapsed time and its own pass/fail line;
# a failed step does not stop the others. Ends with a table of the steps and
# their times and one line:
#   check: N passed, N failed (total S s; cpu C s)
#
# Some steps run in the background, so that the two cores are kept busy:
#   - the guests: a guest step builds its kernel and initramfs in the
#     foreground, then its boot joins a queue and the next steps compile at
#     once; QEMU boots the queue's first guest as soon as one of two slots
#     is free (in TCG a QEMU keeps up to one core busy, or two for the
#     x86_64 guest's; three slots once the x86_64 boot is over, as the
#     other guests sleep part of the time), also while a
#     foreground step runs (the unpatched base's boot only if something it
#     depends on changed: REUSE in guest.sh). The x86_64 guest, whose boot
#     is the longest, builds first, then the arm64 one; the queue then
#     holds the other IOMMUs' boots, the longer (arm64's virtio) first;
#   - fresh (a minimal Debian root, fresh.sh): from the start, as it mostly
#     downloads and unpacks packages;
#   - checkpatch, roundtrip, mbox, kernel-doc, kselftest-host and
#     mutants-apply, one after the other (the first four each make a
#     worktree of out/linux), while the guest kernels compile.
# The foreground builds run niced while anything runs in the background, so
# the guests keep the CPU they need. A background step's output is printed,
# and the step judged, when it ends (a guest's line then says "build + boot").
# Each step's CPU time (user + system, of all its processes) is measured and
# shown in the table beside its wall time: on two cores, the run cannot end
# before half the sum.
#
# Inputs (env): STEPS (space-separated step names to run, default all; see
#   the list below), plus what the step scripts take (KSRC, JOBS, ...).
# Exit: 0 every step passed, 1 a step failed, 2 error.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 0 ] || { echo "usage: $0    (env: STEPS='deps harness ...')"; exit 2; }
# The slots of the background jobs (below). Two for the boots until the
# x86_64 guest (TCG_THREAD=multi) has booted: with three beside it (9509be3)
# the arm64 boot, the longest chain, got a third of a core and took 709 s
# instead of 557 (README, Time). Then a third (LAST_SLOT): the single
# boots' guests sleep part of the time (driver probes' msleep(); the arm64
# boot used 368 s of CPU in 523 s), the niced builds take what they leave,
# and the last boot does not run alone on one core at the end.
BOOT_SLOTS="boot1 boot2"
LAST_SLOT=boot3
# Set when the x86_64 boot is queued, and when the foreground steps are
# done (for a run without one: its STEPS, or its build failed): from then
# on LAST_SLOT opens as soon as no x86_64 boot is queued or running.
last_slot_armed=''
JOB_SLOTS="paper fresh $BOOT_SLOTS"
# Ctrl-C or an early exit: stop the background jobs too.
stop_jobs() {
	for _ks in $JOB_SLOTS; do
		_kp=$(job_pid "$_ks")
		[ -z "$_kp" ] || kill "$_kp" 2>/dev/null || true
	done
}
trap 'stop_jobs; exit 130' INT TERM

S=$TOP/scripts
# Each guest step names its IOMMU and how QEMU runs its vCPUs; neither comes
# from the caller's environment.
unset IOMMU TCG_THREAD
# REUSE (guest.sh) is for the base's boot only: REUSE=0 make check boots it.
BASE_REUSE=${REUSE:-1}
unset REUSE
ALL="deps harness shellcheck fresh tree checkpatch roundtrip mbox kernel-doc kselftest-host mutants-apply guest-x86_64 guest-arm64 guest-arm64-virtio guest-x86_64-amd guest-base-x86_64 kunit config-corners robot-objs robot-warnings each-patch"
PAPER="checkpatch roundtrip mbox kernel-doc kselftest-host mutants-apply"
STEPS=${STEPS:-$ALL}
for s in $STEPS; do
	case " $ALL " in *" $s "*) ;; *) die "unknown step '$s' (steps: $ALL)" ;; esac
done
LOGS=$OUT/logs/check
rm -rf "$LOGS"
mkdir -p "$LOGS"

# NICE: "nice -n 10" while a job runs in the background (set per step).
NICE=''
step_cmd() {
	case "$1" in
	deps) "$S/deps.sh" ;;
	harness) "$TOP/tests/run.sh" ;;
	shellcheck) (need_deps) && shellcheck -x "$S"/*.sh "$TOP/tests/run.sh" "$TOP/guest/init" "$TOP/.ci/run" ;;
	fresh) "$S/fresh.sh" ;;
	tree) "$S/tree.sh" ;;
	checkpatch) "$S/checkpatch.sh" ;;
	roundtrip) "$S/roundtrip.sh" ;;
	mbox) "$S/mbox.sh" ;;
	kernel-doc) "$S/kernel-doc.sh" ;;
	kselftest-host) "$S/kselftest-host.sh" ;;
	mutants-apply) APPLY_CHECK=1 "$S/mutants.sh" ;;
	robot-objs) ARCHES="x86_64 arm64" RECORD=0 $NICE "$S/robot-objs.sh" ;;
	robot-warnings) ARCHES="x86_64 arm64" $NICE "$S/robot-warnings.sh" ;;
	config-corners) RECORD=0 $NICE "$S/config-corners.sh" ;;
	each-patch) EACH=changed $NICE "$S/each-patch.sh" ;;
	kunit) $NICE "$S/kunit.sh" ;;
	guest-x86_64) ARCH=x86_64 BASE=0 STAGE=build $NICE "$S/guest.sh" ;;
	guest-base-x86_64) ARCH=x86_64 BASE=1 STAGE=build $NICE "$S/guest.sh" ;;
	guest-arm64) ARCH=arm64 BASE=0 STAGE=build $NICE "$S/guest.sh" ;;
	# The other IOMMU of each architecture boots the kernel and initramfs
	# its default IOMMU's step built in this run.
	guest-x86_64-amd) built_by guest-x86_64 x86_64 ;;
	guest-arm64-virtio) built_by guest-arm64 arm64 ;;
	esac
}

# built_by STEP ARCH: STEP built ARCH's kernel in this run (its build
# passed), or, if STEP is not among the steps, build it now; never boot what
# an earlier run or a mutant left in the build directory.
built=''
built_by() {
	case " $built " in *" $1 "*) return 0 ;; esac
	case " $STEPS " in *" $1 "*)
		echo "not booted: step $1 did not build the $2 kernel first (it failed, or comes later in STEPS)"
		return 1
		;;
	esac
	ARCH=$2 IOMMU='' BASE=0 STAGE=build $NICE "$S/guest.sh"
}

# boot_cmd STEP: the boot and verdict of a guest step (in a job).
# The short form of make stress (SHORT_STRESS, lib.sh) runs in the default
# IOMMU's boot of each architecture; the other IOMMU's boot leaves both
# programs out, and with them kmemleak and its check of the boot (leaks):
# kmemleak's bookkeeping of every allocation took 31% of a boot's time
# (x86_64, smoke, the kselftest and ownership: 223 s with it, 155 s with
# kmemleak=off).
OTHER_IOMMU_CMDLINE="dmaown.skip=stress,faults,leaks kmemleak=off"
# Only the x86_64 guest's boot runs its two vCPUs truly in parallel
# (TCG_THREAD=multi, guest.sh): its stress is make check's parallel run of
# the ownership code, which is common code (iommu.c, vfio.c, dd.c, the
# buses), the same on both architectures. The other boots run their two
# vCPUs in turn in one host thread (TCG_THREAD=single): two guests then
# keep the two cores busy without one vCPU spinning for a lock that a
# preempted vCPU of the same guest holds. Measured (2026-12-05, the two
# default-IOMMU boots at once, arm64 70 s after x86_64; wall / CPU): both
# multi, x86_64 489 / 492 s and arm64 361 / 305 s; arm64 single, 439 / 448 s
# and 348 / 280 s. arm64's stress still races its five workers on two CPUs
# (each kind of refusal and removal counted, as before); the long form,
# make stress, boots every guest multi.
# The single boots run at nice 5 (SINGLE_NICE), so that the multi boot's
# two vCPUs keep the two cores while they have work and a vCPU is seldom
# preempted holding a lock its sibling spins for; the others take what it
# leaves (its vCPUs idle at times: alone it uses 1.2 cores). Measured: the
# README, "The guests" (the pair) and "Time" (make check's warm runs).
SINGLE_NICE="nice -n 5"
boot_cmd() {
	case "$1" in
	guest-x86_64) ARCH=x86_64 BASE=0 STAGE=boot TCG_THREAD=multi EXTRA_CMDLINE=$SHORT_STRESS TIMEOUT=1800 "$S/guest.sh" ;;
	guest-arm64) ARCH=arm64 BASE=0 STAGE=boot TCG_THREAD=single EXTRA_CMDLINE=$SHORT_STRESS TIMEOUT=1800 $SINGLE_NICE "$S/guest.sh" ;;
	guest-x86_64-amd) ARCH=x86_64 IOMMU=amd BASE=0 STAGE=boot TCG_THREAD=single EXTRA_CMDLINE=$OTHER_IOMMU_CMDLINE $SINGLE_NICE "$S/guest.sh" ;;
	guest-arm64-virtio) ARCH=arm64 IOMMU=virtio BASE=0 STAGE=boot TCG_THREAD=single EXTRA_CMDLINE=$OTHER_IOMMU_CMDLINE $SINGLE_NICE "$S/guest.sh" ;;
	guest-base-x86_64)
		# The unpatched base runs the whole guest suite and must die where
		# the series makes the difference (ownership.bind_into_held_group),
		# with no report before; then every test whose result differs from
		# the patched run (step guest-x86_64, which may still be booting in
		# the other slot) is listed, also in out/logs/guest-base-diff.txt.
		# A change to the series (other than its kselftest, which the
		# base's initramfs holds) leaves the base as it was: its last
		# boot's log is judged again if nothing it depends on changed
		# (REUSE, guest.sh; REUSE=0 make check boots it anyway).
		_brc=0
		ARCH=x86_64 BASE=1 EXPECT_CRASH=1 STAGE=boot REUSE=$BASE_REUSE "$S/guest.sh" || _brc=$?
		while [ -f "$LOGS/guest-x86_64.booting" ]; do sleep 2; done
		echo "--- base vs patched, test by test"
		"$S/guest-diff.sh" "$OUT/logs/guest-base-x86_64.log" "$OUT/logs/guest-x86_64.log" |
			tee "$OUT/logs/guest-base-diff.txt" || true
		return "$_brc"
		;;
	esac
}

passed=0 failed=0 failed_names='' table='' cpu_total=0
# result I NAME RC TIME CPU: count and print a step's result (CPU: seconds
# or "?").
result() {
	if [ "$3" = 0 ]; then
		passed=$((passed + 1))
		_v=ok
	else
		failed=$((failed + 1))
		failed_names="$failed_names $2"
		_v=FAILED
	fi
	case "$5" in *[!0-9]* | '') ;; *) cpu_total=$((cpu_total + $5)) ;; esac
	echo "=== [$1/$total] $2: $_v ($4; cpu $5 s)"
	table="$table$(printf '    %-18s %-7s %-28s cpu %s s' "$2" "$_v" "$4" "$5")
"
}
# with_cpu FILE CMD...: run CMD in a subshell, then add the CPU seconds
# (user + system) it and every process it waited for used to FILE's number.
with_cpu() {
	_cf=$1
	shift
	(
		_crc=0
		"$@" || _crc=$?
		# times in this shell (not in a $(...), a new process without
		# children): "1m2.5s 0m1.0s" for the shell, then its children.
		times >"$_cf.times"
		_c=$(awk '{ for (f = 1; f <= NF; f++) { split($f, t, "m"); s += t[1] * 60 + t[2] } }
			END { printf "%d", s + 0.5 }' "$_cf.times")
		rm -f "$_cf.times"
		echo $(($(cat "$_cf" 2>/dev/null || echo 0) + _c)) >"$_cf"
		exit "$_crc"
	)
}
# cpu_of NAME: the CPU seconds with_cpu wrote for step NAME.
cpu_of() { cat "$LOGS/$1.cpu" 2>/dev/null || echo '?'; }

# Background jobs, one per slot (boot1, boot2, boot3 at the end, fresh,
# paper). A job runs steps one after the other (job_step), each into
# $LOGS/<step>.log, and appends "<i> <step> <rc> <time...>" to
# $LOGS/<slot>.results.
# job_start SLOT FUNCTION: run FUNCTION (of this script) in the background.
job_start() {
	: >"$LOGS/$1.results"
	("$2") >"$LOGS/$1.job.log" 2>&1 &
	eval "job_pid_$1=\$!"
}
# job_pid SLOT: the slot's job's pid, empty if none.
job_pid() { eval "echo \"\${job_pid_$1:-}\""; }
# job_join SLOT: wait for the slot's job and free the slot; its steps'
# result lines go to $LOGS/ended.results, printed by print_ended.
job_join() {
	_p=$(job_pid "$1")
	[ -n "$_p" ] || return 0
	_jrc=0
	wait "$_p" || _jrc=$?
	eval "job_pid_$1=''"
	# A job that died before writing any result must not pass unseen.
	if [ ! -s "$LOGS/$1.results" ]; then
		echo "- job-$1 1 lost: exit $_jrc, no result; log ${LOGS#"$TOP"/}/$1.job.log" >>"$LOGS/ended.results"
	fi
	cat "$LOGS/$1.results" >>"$LOGS/ended.results"
}
# print_ended: print each ended background step's output and judge it.
print_ended() {
	[ -s "$LOGS/ended.results" ] || return 0
	while read -r _i _name _rc _time; do
		echo
		echo "=== [$_i/$total] $_name (ran in the background)"
		[ ! -f "$LOGS/$_name.log" ] || cat "$LOGS/$_name.log"
		result "$_i" "$_name" "$_rc" "$_time" "$(cpu_of "$_name")"
	done <"$LOGS/ended.results"
	: >"$LOGS/ended.results"
}
# job_reap: join the jobs that have ended.
job_reap() {
	for _rs in $JOB_SLOTS; do
		_p=$(job_pid "$_rs")
		[ -z "$_p" ] || kill -0 "$_p" 2>/dev/null || job_join "$_rs"
	done
}
# any_job: some job runs.
any_job() {
	for _as in $JOB_SLOTS; do
		[ -z "$(job_pid "$_as")" ] || return 0
	done
	return 1
}
# job_step SLOT I NAME CMD...: inside a job, one step and its result line;
# JOB_TIME (if set) goes before the step's own time.
job_step() {
	_slot=$1 _i=$2 _name=$3
	shift 3
	_t=$(date +%s) _rc=0
	with_cpu "$LOGS/$_name.cpu" "$@" >"$LOGS/$_name.log" 2>&1 || _rc=$?
	echo "$_i $_name $_rc ${JOB_TIME:-}$(elapsed "$_t") s" >>"$LOGS/$_slot.results"
}

paper_job() {
	for _e in $paper_list; do
		job_step paper "${_e%%:*}" "${_e#*:}" step_cmd "${_e#*:}"
	done
}
fresh_job() { job_step fresh "$fresh_i" fresh nice -n 10 "$S/fresh.sh"; }
boot_job() {
	JOB_TIME="build $boot_build s + boot " job_step "$boot_slot" "$boot_i" "$boot_step" boot_cmd "$boot_step"
	rm -f "$LOGS/$boot_step.booting"
}

# The boots waiting for a slot: "I:STEP:BUILD_SECONDS ...", first in first
# out. A guest step's boot is queued when its build passed.
boot_queue=''
queue_boot() {
	boot_queue="$boot_queue $i:$s:$(elapsed "$t")"
	# Marked now: the base's boot waits for the patched x86_64 log.
	: >"$LOGS/$s.booting"
	[ "$s" != guest-x86_64 ] || last_slot_armed=1
	echo "=== [$i/$total] $s: built in $(elapsed "$t") s; its boot is queued (log: ${LOGS#"$TOP"/}/$s.log)"
}
# open_last_slot: add LAST_SLOT to the boot slots (once).
open_last_slot() {
	[ -n "$LAST_SLOT" ] || return 0
	BOOT_SLOTS="$BOOT_SLOTS $LAST_SLOT"
	JOB_SLOTS="$JOB_SLOTS $LAST_SLOT"
	LAST_SLOT=''
}
# boot_dispatch: join the jobs that ended (printed later, by print_ended:
# a foreground step may be printing); open the last slot once the x86_64
# boot is over, or once the foreground is done without one; boot the
# queue's first guests in the free slots.
boot_dispatch() {
	job_reap
	[ -z "$last_slot_armed" ] || [ -f "$LOGS/guest-x86_64.booting" ] || open_last_slot
	for _b in $BOOT_SLOTS; do
		[ -n "$boot_queue" ] || return 0
		[ -z "$(job_pid "$_b")" ] || continue
		# shellcheck disable=SC2086 # the queue: words without spaces
		set -- $boot_queue
		_e=$1
		shift
		boot_queue="$*"
		boot_i=${_e%%:*} _e=${_e#*:}
		boot_step=${_e%%:*} boot_build=${_e#*:} boot_slot=$_b
		job_start "$_b" boot_job
		echo "=== [$boot_i/$total] $boot_step: booting in the background"
	done
}
# run_step: step $s in the foreground, its CPU into $LOGS/$s.cpu; while it
# runs, the queued boots start as slots free up.
run_step() {
	if [ -z "$boot_queue" ]; then
		with_cpu "$LOGS/$s.cpu" step_cmd "$s"
		return
	fi
	with_cpu "$LOGS/$s.cpu" step_cmd "$s" &
	_fg=$!
	while [ -n "$boot_queue" ] && kill -0 "$_fg" 2>/dev/null; do
		boot_dispatch
		sleep 1
	done
	wait "$_fg"
}

total=$(echo "$STEPS" | wc -w)
i=0
t0=$(date +%s)
paper_list=''
_j=0
for _s in $STEPS; do
	_j=$((_j + 1))
	case " $PAPER " in *" $_s "*) paper_list="$paper_list $_j:$_s" ;; esac
done
for s in $STEPS; do
	i=$((i + 1))
	boot_dispatch
	print_ended
	case " $PAPER " in *" $s "*)
		[ -z "$paper_list" ] && continue
		echo
		echo "=== [$i/$total] in the background, one after the other:$(echo "$paper_list" | sed 's/ [0-9]*:/ /g')"
		job_start paper paper_job
		paper_list=''
		continue
		;;
	esac
	if [ "$s" = fresh ]; then
		echo
		echo "=== [$i/$total] fresh: in the background (log: ${LOGS#"$TOP"/}/fresh.log)"
		fresh_i=$i
		job_start fresh fresh_job
		continue
	fi
	echo
	echo "=== [$i/$total] $s"
	t=$(date +%s)
	NICE=''
	{ any_job || [ -n "$boot_queue" ]; } && NICE="nice -n 10"
	rc=0
	run_step || rc=$?
	case "$s" in
	guest-*) if [ "$rc" = 0 ]; then built="$built $s"; queue_boot; continue; fi ;;
	esac
	result "$i" "$s" "$rc" "$(elapsed "$t") s" "$(cpu_of "$s")"
done
# The queued boots, then the jobs as they end.
last_slot_armed=1
while [ -n "$boot_queue" ] || any_job; do
	boot_dispatch
	print_ended
	sleep 2
done
print_ended
echo
echo "steps:"
printf '%s' "$table"
[ -z "$failed_names" ] || echo "failed steps:$failed_names"
echo "check: $passed passed, $failed failed (total $(elapsed "$t0") s; cpu $cpu_total s)"
[ "$failed" = 0 ]
