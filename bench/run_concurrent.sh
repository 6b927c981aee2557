#!/usr/bin/env bash
# bench/run_concurrent.sh BUILD_DIR: how long commands wait for a store that a
# long ingest is writing (issue 12; not a test).
#
# The store holds the scenario (fixtures/demo.sh).  Each command is timed
# first on the idle store (best of 3), then while a long `ingest` (the
# 2-million-line log of bench/run.sh and the 100,000-message Maildir of
# bench/run_msg.sh, generated when missing) writes into the same store:
# `trace` (reads), `ticket` (reads, then writes the ticket's rows; of
# p.wagner@uni-potsdam.de, whom the generated data does not name: a ticket of
# an address with thousands of messages in its window is slow by itself) and a
# second `ingest` (a new 20,000-line log of another host and 2,000 new
# messages), started 1, 3 and 5 s into the long ingest.  Reports each
# command's wall time beside its idle time, and whether the long ingest was
# still running when it finished (the command got through mid-ingest).
# Twice: with the rollback journal the long ingest takes when it is alone
# (the default) and with MAILDOSSIER_INGEST_WAL=1 (the write-ahead log).
set -eu
B=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
bin=$B/maildossier
[ -x "$bin" ] && [ -x "$B/gen_postfix" ] && [ -x "$B/gen_maildir" ] ||
    { echo "bench: build first ($bin, gen_postfix, gen_maildir)" >&2; exit 1; }
data=$here/data
mkdir -p "$data"
log=$data/mail-2000000-42.log
md=$data/Maildir-100000-42
[ -s "$log" ] || "$B/gen_postfix" -n 2000000 -s 42 -u jdoe@uni-potsdam.de > "$log"
[ -d "$md/cur" ] || { "$B/gen_maildir" -n 100000 -s 42 "$md.tmp" > /dev/null && mv "$md.tmp" "$md"; }
w=$data/concurrent
rm -rf "$w"
mkdir -p "$w"
echo "== the scenario's store (fixtures/demo.sh)"
DEMO_OUT=$w/demo "$here/../fixtures/demo.sh" "$bin" > "$w/demo.out" 2>&1
db=$w/demo/maildossier.db
conf=$here/../fixtures/maildossier.conf
"$bin" --db "$db" stats > /dev/null      # (its last command checkpoints the log)
cp "$db" "$w/base.db"
md() { "$bin" --db "$db" --config "$conf" "$@"; }
# the second ingest's inputs: new lines (another host), new messages
"$B/gen_postfix" -n 20000 -s 77 | sed 's/ smtpout / relay9 /' > "$w/second.log"
"$B/gen_maildir" -n 2000 -s 78 "$w/second-md" > /dev/null
cat "$log" > /dev/null
find "$md" -type f -print0 | xargs -0 cat > /dev/null

ms_of() { # ms_of CMD...: run, print wall ms and exit status
    local t0 t1 rc=0
    t0=${EPOCHREALTIME/[.,]/}
    "$@" > "$w/cmd.out" 2> "$w/cmd.err" || rc=$?
    t1=${EPOCHREALTIME/[.,]/}
    echo "$(( (t1 - t0) / 1000 )) $rc"
}
trace_cmd=(md trace p.wagner@uni-potsdam.de --since 2016-04-06 --until 2016-04-25)
ticket_cmd=(md ticket 2016042010001094 --address p.wagner@uni-potsdam.de
            --since 2016-04-06 --until 2016-04-25 --out "$w/out")
echo "== idle store (best of 3)"
best() { local b="" m; for _ in 1 2 3; do read -r m _ < <(ms_of "$@"); [ -z "$b" ] || [ "$m" -lt "$b" ] && b=$m; done; echo "$b"; }
idle_trace=$(best "${trace_cmd[@]}")
idle_ticket=$(best "${ticket_cmd[@]}")
echo "trace $idle_trace ms, ticket $idle_ticket ms"

for mode in journal wal; do
if [ $mode = wal ]; then export MAILDOSSIER_INGEST_WAL=1; else unset MAILDOSSIER_INGEST_WAL; fi
rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
cp "$w/base.db" "$db"
echo "== while a long ingest writes (2,000,000 log lines and 100,000 messages; $mode)"
t0=${EPOCHREALTIME/[.,]/}
md -q ingest --no-progress --year 2026 "$log" "$md" &
long=$!
printf '%-8s %-10s %10s %10s %8s %s\n' start command "wall ms" "idle ms" exit "long ingest still running"
for at in 1 3 5; do
    now=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
    [ $((at * 1000)) -gt "$now" ] && sleep "$(awk -v d=$((at * 1000 - now)) 'BEGIN { printf "%.3f", d / 1000 }')"
    for c in trace ticket; do
        if [ $c = trace ]; then read -r m rc < <(ms_of "${trace_cmd[@]}"); i=$idle_trace
        else read -r m rc < <(ms_of "${ticket_cmd[@]}"); i=$idle_ticket; fi
        kill -0 "$long" 2>/dev/null && still=yes || still=no
        printf '%-8s %-10s %10s %10s %8s %s\n' "${at}s" "$c" "$m" "$i" "$rc" "$still"
    done
done
# the second ingest: its log waits for the long ingest's log (one log
# reader at a time), its messages interleave with the long ingest's
read -r m rc < <(ms_of md -q ingest --no-progress --year 2026 "$w/second.log" "$w/second-md")
kill -0 "$long" 2>/dev/null && still=yes || still=no
printf '%-8s %-10s %10s %10s %8s %s\n' "~6s" "ingest" "$m" "-" "$rc" "$still"
grep -h 'waiting for' "$w/cmd.err" | head -2 | sed 's/^/    said: /'
wait "$long"; lrc=$?
t1=${EPOCHREALTIME/[.,]/}
echo "long ingest: exit $lrc, $(( (t1 - t0) / 1000 )) ms"
done
