#!/usr/bin/env bash
# bench/run_ticket.sh BUILD_DIR: time of `maildossier ticket` (PDF, text and
# XML) on the 2-million-line store of bench/run.sh (not a test).
#
# Uses the generated log of bench/run.sh (bench/data/; generated here when
# missing), ingested into its own store bench/data/bench-ticket.db (the
# ticket is recorded in the store, so run.sh's store is left alone), and
# writes the dossier of a ticket for ADDR with an explicit window over the
# whole log, RUNS times; reports the best and the median wall time.  Target (issue 4): under 100 ms for all
# three formats.  Environment: LINES (2000000), SEED (42), ADDR
# (jdoe@uni-potsdam.de), RUNS (7), TICKET (default: an OTRS number of the
# 20th of November of the log's year, so the default window, 14 days before
# to 1 day after, covers most of the generated days).
#
# BIG=1 adds the big-mailbox case (a ticket whose window holds thousands of
# stored messages of one address): Maildirs of gen_maildir with BIG_SIZES
# messages (default "10000 35000 65000": about 1,200, 4,300 and 7,900
# messages of jdoe@uni-potsdam.de in the window of ticket 2016042710001094),
# each ingested into its own store bench/data/big-N.db, timed as XML only and
# as PDF only.
set -eu
B=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
bin=$B/maildossier
gen=$B/gen_postfix
[ -x "$bin" ] && [ -x "$gen" ] || { echo "bench: build first ($bin, $gen missing)" >&2; exit 1; }
LINES=${LINES:-2000000}
SEED=${SEED:-42}
ADDR=${ADDR:-jdoe@uni-potsdam.de}
RUNS=${RUNS:-7}
data=$here/data
mkdir -p "$data"
log=$data/mail-$LINES-$SEED.log
db=$data/bench-ticket.db   # its own store: tickets are recorded in it
if [ ! -s "$log" ]; then
    echo "generating $LINES lines (seed $SEED) into $log ..."
    "$gen" -n "$LINES" -s "$SEED" -u "$ADDR" > "$log.tmp"
    mv "$log.tmp" "$log"
fi
if [ ! -s "$db" ]; then
    echo "ingesting $log ..."
    "$bin" --db "$db" -q ingest --no-progress "$log" || [ $? -eq 3 ]
fi
TICKET=${TICKET:-$(date -r "$log" +%Y)112010001094}
conf=$here/../fixtures/maildossier.conf
out=$data/ticket-out
mkdir -p "$out"

# times of RUNS runs of "$@" in ms, one per line, sorted (bash's microsecond
# clock: no process of its own inside the interval); exit 5 (dossier written,
# evidence incomplete) counts as done
times_ms() {
    local t0 t1
    for _ in $(seq "$RUNS"); do
        t0=${EPOCHREALTIME/[.,]/}
        "$@" > /dev/null 2>&1 || [ $? -eq 5 ] || { echo "bench: failed: $*" >&2; exit 1; }
        t1=${EPOCHREALTIME/[.,]/}
        echo $((t1 - t0))
    done | sort -n | awk '{ printf "%.1f\n", $1 / 1000 }'
}
report() {
    local name=$1; shift
    local ts; ts=$(times_ms "$@")
    local best median
    best=$(echo "$ts" | head -1)
    median=$(echo "$ts" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    printf "  %-22s best %7.1f ms   median %7.1f ms\n" "$name" "$best" "$median"
}
# the ticket's default window (from its number)
common=(--db "$db" --config "$conf" -q ticket "$TICKET" --address "$ADDR" --out "$out")
"$bin" "${common[@]}" > /dev/null
msgs=$(grep -c '<message id=' "$out/dossier-$TICKET.xml" || true)
echo "maildossier ticket on $db ($(du -cb "$db"* | tail -1 | cut -f1 | awk '{printf "%.0f", $1/1e6}') MB), $ADDR: $msgs messages in the dossier"
report "pdf,txt,xml" "$bin" "${common[@]}"
report "xml only" "$bin" "${common[@]}" --format xml
report "txt only" "$bin" "${common[@]}" --format txt
report "pdf only" "$bin" "${common[@]}" --format pdf

# ---- big mailboxes: thousands of stored messages of one address ------------
[ "${BIG:-0}" = 1 ] || exit 0
gm=$B/gen_maildir
[ -x "$gm" ] || { echo "bench: build first ($gm missing)" >&2; exit 1; }
for n in ${BIG_SIZES:-10000 35000 65000}; do
    md=$data/Maildir-$n-42
    bdb=$data/big-$n.db
    if [ ! -d "$md/cur" ]; then
        echo "generating $n messages into $md ..."
        "$gm" -n "$n" -s 42 "$md" > /dev/null
    fi
    if [ ! -s "$bdb" ]; then
        echo "ingesting $md ..."
        "$bin" --db "$bdb" -q ingest --no-progress "$md" > /dev/null || [ $? -eq 3 ]
    fi
    big=(--db "$bdb" --config "$conf" -q ticket 2016042710001094 --address jdoe@uni-potsdam.de
         --out "$out")
    "$bin" "${big[@]}" --format xml > /dev/null || [ $? -eq 5 ]
    msgs=$(grep -c '<message-id>' "$out/dossier-2016042710001094.xml" || true)
    echo "big mailbox: $bdb, jdoe@uni-potsdam.de: $msgs messages in the dossier"
    report "xml only" "$bin" "${big[@]}" --format xml
    report "pdf only" "$bin" "${big[@]}" --format pdf
done
