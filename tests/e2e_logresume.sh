#!/usr/bin/env bash
# e2e_logresume.sh: kill -9 in the middle of a log ingest leaves a store
# that the next run completes with exactly the counts of an uninterrupted
# run (lines, messages, attempts, links, per host), and reading commands
# work on the killed store.  Uses the bench
# generator (gen_postfix, beside the binary) and small commit intervals
# (MAILDOSSIER_COMMIT_LINES) so that several commits happen before the kill.
set -u
: "${MD_BIN:?}" "${MD_TMP:?}"
gen=$(dirname "$MD_BIN")/gen_postfix
[ -x "$gen" ] || { echo "gen_postfix not built: skip"; exit 77; }
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
t=$MD_TMP/e2e_logresume.$$
mkdir -p "$t"
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
"$gen" -n 40000 -s 7 > "$t/mail.log"
export MAILDOSSIER_COMMIT_LINES=2000
summary() { "$MD_BIN" --db "$1" stats | grep -v '^store:'; }
"$MD_BIN" --db "$t/whole.db" -q ingest --year 2026 "$t/mail.log" || err "uninterrupted ingest: exit $?"
want=$(summary "$t/whole.db")

db=$t/killed.db
kills=0
# the store exists (schema set) before the first kill, however slow the
# start: the reading command after each kill must then find it readable
: > "$t/empty.log"
"$MD_BIN" --db "$db" -q ingest --format log "$t/empty.log" || err "creating the store: exit $?"
for delay in 0.4 0.8 1.5; do
    "$MD_BIN" --db "$db" -q ingest --year 2026 "$t/mail.log" &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null
    # a reading command right after the kill (ingest writes through a
    # rollback journal: the read-only open must roll a hot one back)
    "$MD_BIN" --db "$db" stats > /dev/null || err "stats after a kill: exit $?"
done
"$MD_BIN" --db "$db" -q ingest --year 2026 "$t/mail.log" || err "final ingest: exit $?"
got=$(summary "$db")
if [ "$got" != "$want" ]; then
    err "counts differ after $kills kill(s)"
    diff <(echo "$want") <(echo "$got") >&2
fi
# and once more: nothing new
"$MD_BIN" --db "$db" -q ingest --year 2026 "$t/mail.log"
[ "$(summary "$db")" = "$want" ] || err "a second complete run changed the counts"
echo "killed $kills time(s)"
exit $fail
