#!/usr/bin/env bash
# e2e_crash.sh: kill -9 at many points of an ingest of a log and a Maildir
# (one command, as cron runs it), a reading command after each kill, then
# one complete run: the store equals one uninterrupted ingest row for row
# (tests/store_digest.sh: every message, attempt, link, index key, stored
# message and source), and traces by Message-ID, sender, recipient and
# queue id answer the same.  Small transactions (MAILDOSSIER_COMMIT_LINES)
# make many commits, so the kills land between and inside them; the kill
# times are spread over the uninterrupted run's duration.
. "$(dirname "$0")/store_setup.sh" e2e_crash
export MAILDOSSIER_COMMIT_LINES=300
"$bindir/gen_postfix" -n 40000 -s 3 > "$t/mail.log"
"$bindir/gen_maildir" -n 3000 -s 9 "$t/Maildir" > /dev/null
# the Maildir first in odd rounds, the log first in even ones; a reference
# store for each order (the lines a log message refers to name its source
# by id, which the order gives)
order() {
    if [ "$1" = 1 ]; then args=(-q ingest --year 2026 "$t/Maildir" "$t/mail.log")
    else args=(-q ingest --year 2026 "$t/mail.log" "$t/Maildir"); fi
}
run() { "$MD_BIN" --db "$1" "${args[@]}"; }
for o in 1 0; do
    order $o
    t0=${EPOCHREALTIME/[.,]/}
    run "$t/whole$o.db" || err "uninterrupted ingest: exit $?"
    t1=${EPOCHREALTIME/[.,]/}
    span=$(( (t1 - t0) / 1000 ))   # ms
    digest "$t/whole$o.db" > "$t/whole$o.dig"
done
echo "uninterrupted ingest: $span ms"

# ROUNDS rounds, each from an empty store: 4 kills at growing offsets (each
# run resumes the one before, so together they reach 45-60 % of the work;
# offsets are halved after a run that ended before its kill),
# a reading command after each kill, then a complete run and the compare
ROUNDS=${ROUNDS:-4}
kills=0
for r in $(seq 1 "$ROUNDS"); do
    db=$t/killed$r.db
    order $((r % 2))
    scale=100   # % of the planned offsets: halved when a run ended first
    for pct in $((6 + r)) $((9 + r)) $((12 + r)) $((15 + r)); do
        ms=$(( span * pct / 100 * scale / 100 ))
        "$MD_BIN" --db "$db" "${args[@]}" &   # (not the function: $! would be a subshell)
        pid=$!
        sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
        # (a run faster than the uninterrupted one, on a machine less
        # loaded than when that was timed, may end first: kill sooner)
        if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); else scale=$((scale / 2)); fi
        wait "$pid" 2>/dev/null
        if [ -f "$db" ]; then
            "$MD_BIN" --db "$db" --wait 10 stats > /dev/null 2>"$t/stats.err" ||
                err "stats after a kill at $ms ms (round $r): $(head -2 "$t/stats.err")"
        fi
    done
    run "$db" 2>"$t/run.err" || err "completing run of round $r: exit $?: $(head -3 "$t/run.err")"
    digest "$db" > "$t/killed$r.dig"
    if ! cmp -s "$t/whole$((r % 2)).dig" "$t/killed$r.dig"; then
        err "round $r: the store after kills and a complete run differs from one ingest:"
        diff "$t/whole$((r % 2)).dig" "$t/killed$r.dig" | head -30 >&2
    fi
done
echo "$kills of $((ROUNDS * 4)) kills landed inside a run"
[ "$kills" -ge $((ROUNDS * 3)) ] || err "only $kills kills landed inside a run"
for q in "SELECT msgid FROM log_msg WHERE msgid IS NOT NULL ORDER BY id LIMIT 1 OFFSET 777" \
         "SELECT sender FROM log_msg WHERE sender LIKE '%@%' ORDER BY id LIMIT 1 OFFSET 501" \
         "SELECT rcpt FROM log_dlv WHERE rcpt IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1234" \
         "SELECT qid FROM log_msg ORDER BY id DESC LIMIT 1 OFFSET 3"; do
    key=$(sqlite3 "$t/whole0.db" "$q")
    [ -n "$key" ] || { err "no key for: $q"; continue; }
    a=$("$MD_BIN" --db "$t/whole0.db" trace "$key" 2>&1)
    b=$("$MD_BIN" --db "$db" trace "$key" 2>&1)
    [ -n "$a" ] && [ "$a" = "$b" ] || err "trace $key differs after the kills"
done
# every file of the Maildir stored, once
n=$(sqlite3 "$db" "SELECT count(*) FROM source WHERE kind = 'message' AND complete = 1")
[ "$n" = 3000 ] || err "$n of 3000 message files stored complete"
exit $fail
