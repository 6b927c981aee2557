#!/usr/bin/env bash
# e2e_concurrent.sh: commands share a store that a long ingest is writing
# (issue 12): started during it, `trace` and `ticket` succeed while it still
# runs (it commits in slices and lets a waiting writer go first); a second
# `ingest` waits its turn and succeeds; with --wait 0 a writer fails at
# once, naming the command it would wait for.  A log read from a pipe that
# pauses commits before it waits and holds no lock meanwhile (a ticket gets
# through), and a log reader after it says for whom it waits.  In the end
# the store holds everything, as sequential runs give.  The long ingest's
# size is calibrated to this build's speed (about 6 s of log, then messages).
: "${MD_FIXTURES:?}"
. "$(dirname "$0")/store_setup.sh" e2e_concurrent
cleanup='[ -n "${long:-}" ] && kill "$long" 2>/dev/null'
conf=$MD_FIXTURES/maildossier.conf
md() { "$MD_BIN" --db "$t/s.db" --config "$conf" "$@"; }
now_ms() { echo $(( ${EPOCHREALTIME/[.,]/} / 1000 )); }

# the scenario's first host: the ticket's evidence
md -q ingest --year 2016 "$MD_FIXTURES/logs/n-mail-1" || err "base ingest: exit $?"
# calibrate: lines per second of this build
"$bindir/gen_postfix" -n 20000 -s 31 > "$t/cal.log"
a=$(now_ms)
"$MD_BIN" --db "$t/cal.db" -q ingest --year 2026 "$t/cal.log" || err "calibration: exit $?"
b=$(now_ms)
n=$(( 20000 * 6000 / (b - a + 1) ))
[ $n -gt 1500000 ] && n=1500000
[ $n -lt 40000 ] && n=40000
"$bindir/gen_postfix" -n "$n" -s 32 > "$t/long.log"
"$bindir/gen_maildir" -n 1500 -s 33 "$t/long-md" > /dev/null
"$bindir/gen_postfix" -n 3000 -s 34 | sed 's/ smtpout / relay9 /' > "$t/second.log"
"$bindir/gen_maildir" -n 300 -s 35 "$t/second-md" > /dev/null
echo "long ingest: $n log lines (calibrated: 20000 lines in $((b - a)) ms), 1500 messages"

start=$(now_ms)
# (the program itself, not the function md: $! would be a subshell's pid)
"$MD_BIN" --db "$t/s.db" --config "$conf" -q ingest --year 2026 "$t/long.log" "$t/long-md" \
    2> "$t/long.err" &
long=$!
sleep 1
running() { kill -0 "$long" 2>/dev/null; }
running || err "the long ingest ended within a second: nothing was concurrent"

# a writer that may not wait: fails at once, naming the long ingest
a=$(now_ms)
md --wait 0 -q ingest --year 2026 "$t/second.log" 2> "$t/nowait.err"; rc=$?
b=$(now_ms)
[ $rc -eq 1 ] || err "--wait 0 while the log is being read: exit $rc, want 1"
grep -Eq "gave up after waiting 0 s for maildossier ingest \\(pid $long, since [0-9:]+\\) to finish (writing to|reading a log into) $t/s.db" "$t/nowait.err" ||
    err "--wait 0: $(head -2 "$t/nowait.err")"
[ $((b - a)) -lt 3000 ] || err "--wait 0 took $((b - a)) ms"

# reader and writer during the ingest
a=$(now_ms)
md trace p.wagner@uni-potsdam.de > "$t/trace.out" 2> "$t/trace.err"; rc=$?
b=$(now_ms)
[ $rc -eq 0 ] && grep -q 'p.wagner@uni-potsdam.de' "$t/trace.out" || err "trace during ingest: exit $rc: $(head -2 "$t/trace.err")"
running && trace_during=yes || trace_during=no
echo "trace during the ingest: $((b - a)) ms (ingest still running: $trace_during)"
a=$(now_ms)
md ticket 2016041910001001 --address p.wagner@uni-potsdam.de --since 2016-04-19 --until 2016-04-20 \
    --out "$t/out" > "$t/ticket.out" 2> "$t/ticket.err"; rc=$?
b=$(now_ms)
[ $rc -eq 0 ] && [ -s "$t/out/dossier-2016041910001001.xml" ] ||
    err "ticket during ingest: exit $rc: $(head -3 "$t/ticket.err")"
running && ticket_during=yes || ticket_during=no
echo "ticket during the ingest: $((b - a)) ms (ingest still running: $ticket_during)"
[ $ticket_during = yes ] || err "the ticket got through only after the ingest ended"

# a second ingest: waits for the log reader, succeeds
a=$(now_ms)
md ingest --year 2026 "$t/second.log" "$t/second-md" > /dev/null 2> "$t/second.err"; rc=$?
b=$(now_ms)
[ $rc -eq 0 ] || err "second ingest: exit $rc: $(head -3 "$t/second.err")"
echo "second ingest: $((b - a)) ms"
wait "$long"; rc=$?
long=
[ $rc -eq 0 ] || err "long ingest: exit $rc: $(head -3 "$t/long.err")"
echo "long ingest: $(( $(now_ms) - start )) ms"

# a log read from a pipe that pauses: what came before the pause is
# committed (trace finds it) and no lock is held while it waits (a ticket
# gets through at once); another log reader waits for its turn, says for
# whom after a second, and goes on when the pipe ends
"$bindir/gen_postfix" -n 2000 -s 36 | sed 's/ smtpout / relay8 /' > "$t/pipe.log"
qid=$(sed -n '400,600p' "$t/pipe.log" | grep -o -m1 -E ' [0-9A-F]{10}: (client|from|to)=' | cut -c2-11)
( head -n 1000 "$t/pipe.log"; sleep 8; tail -n +1001 "$t/pipe.log" ) |
    "$MD_BIN" --db "$t/s.db" --config "$conf" -q ingest --format log --year 2026 - 2> "$t/pipe.err" &
pipe=$!
found=no
for _ in $(seq 1 50); do
    md trace "$qid" > /dev/null 2>&1 && { found=yes; break; }
    sleep 0.1
done
[ $found = yes ] || err "the lines before the pipe's pause were not committed ($qid not found)"
a=$(now_ms)
md ticket 2016041910001002 --address p.wagner@uni-potsdam.de --since 2016-04-19 --until 2016-04-20 \
    --out "$t/out" > /dev/null 2> "$t/ticket2.err"; rc=$?
b=$(now_ms)
kill -0 "$pipe" 2>/dev/null && during=yes || during=no
[ $rc -eq 0 ] && [ $during = yes ] ||
    err "ticket while a pipe pauses: exit $rc, pipe still open: $during: $(head -2 "$t/ticket2.err")"
echo "ticket while the pipe pauses: $((b - a)) ms"
md ingest --year 2026 "$t/cal.log" > /dev/null 2> "$t/third.err"; rc=$?
[ $rc -eq 0 ] || err "a log ingest after the pipe's: exit $rc: $(head -3 "$t/third.err")"
grep -Eq "^maildossier: waiting for maildossier ingest \(pid $pipe, since [0-9:]+\) to finish reading a log into $t/s.db \.\.\.\$" "$t/third.err" ||
    err "the waiting log reader did not say for whom: $(head -2 "$t/third.err")"
wait "$pipe" || err "the pipe's ingest: exit $?: $(head -2 "$t/pipe.err")"

# everything of both is there, as one ingest after the other gives
md -q ingest --year 2026 "$t/long.log" "$t/long-md" "$t/second.log" "$t/second-md" \
    "$t/pipe.log" "$t/cal.log" || err "re-ingest: exit $?"
seq() { "$MD_BIN" --db "$t/seq.db" --config "$conf" "$@"; }
seq -q ingest --year 2016 "$MD_FIXTURES/logs/n-mail-1" &&
seq -q ingest --year 2026 "$t/long.log" "$t/long-md" "$t/second.log" "$t/second-md" \
    "$t/pipe.log" "$t/cal.log" ||
    err "sequential ingest: exit $?"
q="SELECT (SELECT sum(lines) FROM log_span), (SELECT count(*) FROM log_msg),
          (SELECT count(*) FROM log_dlv), (SELECT count(*) FROM log_key),
          (SELECT count(*) FROM msg), (SELECT count(*) FROM source WHERE complete = 1)"
got=$(sqlite3 "$t/s.db" "$q"); want=$(sqlite3 "$t/seq.db" "$q")
[ "$got" = "$want" ] || err "after concurrent ingests: $got (lines|messages|attempts|keys|stored|sources), sequential: $want"
[ "$(sqlite3 "$t/s.db" "SELECT count(*) FROM case_ticket")" = 2 ] || err "the tickets are not recorded"
exit $fail
