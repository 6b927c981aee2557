#!/bin/bash
# compare_builds.sh OLD_TREE NEW_TREE: two source trees' Release builds
# (TREE/build/release/maildossier, each with its own
# TREE/fixtures/maildossier.conf) side by side, alternating in the same
# minutes (bench/RESULTS.md, "Latest"): log ingest of 2,000,000 lines and
# message ingest of 100,000 files into fresh stores (/usr/bin/time), trace
# (perf stat -r 30) and a ticket's dossier (perf stat -r 10, on a copy of
# bench/data/bench-ticket.db each).  Needs the bench data of run.sh,
# run_msg.sh and run_ticket.sh in bench/data and perf.  Writes /tmp/cmp-*.
set -u
[ $# -eq 2 ] || { echo "usage: $0 OLD_TREE NEW_TREE" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data
LOG=$data/mail-2000000-42.log; MDIR=$data/Maildir-100000-42; TK=$data/bench-ticket.db
for f in "$LOG" "$MDIR" "$TK"; do
    [ -e "$f" ] || { echo "$f missing: run make bench first" >&2; exit 1; }
done
bin() { echo "$1/build/release/maildossier"; }
conf() { echo "$1/fixtures/maildossier.conf"; }
uptime
for r in 1 2; do for b in old new; do
    t=$([ $b = old ] && echo "$1" || echo "$2")
    rm -f /tmp/cmp-$b.db*
    /usr/bin/time -f "$b log ingest: %e s wall, %U s user, %M KB" "$(bin "$t")" --db /tmp/cmp-$b.db \
        --config "$(conf "$t")" -q ingest --no-progress "$LOG"
    rm -f /tmp/cmpm-$b.db*
    /usr/bin/time -f "$b msg ingest: %e s wall, %U s user, %M KB" "$(bin "$t")" --db /tmp/cmpm-$b.db \
        --config "$(conf "$t")" -q ingest --no-progress "$MDIR"
done; done
for r in 1 2; do for b in old new; do
    t=$([ $b = old ] && echo "$1" || echo "$2")
    echo "$b trace:"
    perf stat -r 30 "$(bin "$t")" --db /tmp/cmp-$b.db --config "$(conf "$t")" trace jdoe@uni-potsdam.de \
        2>&1 >/dev/null | grep -E "elapsed|task-clock"
    rm -rf /tmp/cmpt-$b*; cp "$TK" /tmp/cmpt-$b.db
    "$(bin "$t")" --db /tmp/cmpt-$b.db --config "$(conf "$t")" -q ticket 2026112010001094 \
        --address jdoe@uni-potsdam.de --out /tmp/cmpt-$b-out > /dev/null 2>&1
    echo "$b ticket:"
    perf stat -r 10 "$(bin "$t")" --db /tmp/cmpt-$b.db --config "$(conf "$t")" -q ticket 2026112010001094 \
        --address jdoe@uni-potsdam.de --out /tmp/cmpt-$b-out 2>&1 >/dev/null | grep -E "elapsed|task-clock"
done; done
uptime
