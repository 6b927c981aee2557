#!/usr/bin/env bash
# e2e_diskfull.sh: an ingest that runs out of room (a file size limit,
# ulimit -f, with SIGXFSZ ignored: every write past it fails as on a full
# disk) exits 1, says how much it stored before the failure, and that
# figure is what the store holds; the same ingest run again with room
# completes the store to exactly what one ingest gives.  For a log and a
# Maildir.
. "$(dirname "$0")/store_setup.sh" e2e_diskfull
export MAILDOSSIER_COMMIT_LINES=300
"$bindir/gen_postfix" -n 60000 -s 21 > "$t/mail.log"
"$bindir/gen_maildir" -n 2000 -s 4 "$t/Maildir" > /dev/null

for input in mail.log Maildir; do
    "$MD_BIN" --db "$t/whole-$input.db" -q ingest --year 2026 "$t/$input" || err "$input: one ingest: exit $?"
    db=$t/full-$input.db
    # 3 MB of room (the store reaches some 8 MB)
    ( trap '' XFSZ; ulimit -f 3000; exec "$MD_BIN" --db "$db" ingest --year 2026 "$t/$input" ) \
        > /dev/null 2> "$t/err"
    rc=$?
    [ $rc -eq 1 ] || err "$input: out of room: exit $rc, want 1: $(tail -2 "$t/err")"
    said=$(sed -n 's/.*ingest stopped: stored before the failure: \([0-9]*\) new lines, \([0-9]*\) documents.*/\1 \2/p' "$t/err")
    [ -n "$said" ] || { err "$input: no account of what was stored: $(tail -3 "$t/err")"; continue; }
    read -r lines docs <<< "$said"
    grep -q 'ingested .* input' "$t/err" && err "$input: the usual summary after a failure"
    if [ "$input" = mail.log ]; then
        have=$(sqlite3 "$db" "SELECT coalesce(sum(lines), 0) FROM log_span")
        [ "$lines" = "$have" ] || err "log: said $lines lines stored, the store has $have"
        [ "$have" -gt 0 ] && [ "$have" -lt 60000 ] || err "log: $have lines stored: not a partial store"
    else
        have=$(sqlite3 "$db" "SELECT count(*) FROM source WHERE kind = 'message' AND complete = 1")
        [ "$docs" -ge "$have" ] && [ "$have" -gt 0 ] && [ "$have" -lt 2000 ] ||
            err "Maildir: said $docs documents stored, the store has $have files"
    fi
    "$MD_BIN" --db "$db" -q ingest --year 2026 "$t/$input" || err "$input: the run with room: exit $?"
    diff <(digest "$t/whole-$input.db") <(digest "$db") > "$t/d" ||
        { err "$input: completed after the failure, the store differs from one ingest:"; head -10 "$t/d" >&2; }
done
exit $fail
