#!/usr/bin/env bash
# e2e_coverage.sh: coverage before conclusions (issue 14).  The dossier's
# evidence coverage shows each host's real first and last line inside the
# window and its lines there (counted again from the fixture files), a host
# with a gap is named with the hours; a negative verdict ("no message ...
# reached our servers") only when the logs cover the window, else "the
# evidence is incomplete" with what is missing and exit 5: on a store without
# log lines (only rules ingested, or nothing), on logs read with the wrong
# --year and on lines stored without counts per hour.  A loghost named by the
# first label of the logged host name is that host; an hour without lines is
# a gap at gap_hours = 1.  The PDF's page 1 opens with the verdict and holds
# no coverage table; --help and the man page document exit 5.
# Env: MD_BIN, MD_SOURCE_DIR, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_SOURCE_DIR:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
command -v pdftotext > /dev/null || { echo "skip: pdftotext missing"; exit 77; }
command -v xmllint > /dev/null || { echo "skip: xmllint missing"; exit 77; }

T=$MD_TMP/e2e_coverage.$$
rm -rf "$T"
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
conf=$MD_FIXTURES/maildossier.conf          # [logs] gap_hours = 24
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# the XML without the claims' source ids (provenance is e2e_provenance's)
nosrc() { sed 's/ src="[^"]*"//g; s/ mark="[^"]*"//g' "$1"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }
# one paragraph of a text rendering as one line (the text wraps at 80)
flat() { tr '\n' ' ' < "$1" | tr -s ' '; }

ticket=2016042010001094
addr=anna.schmidt@uni-potsdam.de
L=$MD_FIXTURES/logs
logs=("$L/cl-mail" "$L/ironout" "$L/n-mail-1" "$L/n-mail-2" "$L/n-mail-3" "$L/smtpout")
rules=("$MD_FIXTURES/rules/aliases" "$MD_FIXTURES/rules/mailup-rules.csv")

# ---- the scenario's logs: real first/last and lines in the window ------------------
db=$T/full.db
md() { "$MD_BIN" --db "$db" --config "$conf" "$@"; }
md -q ingest --year 2016 --no-progress "${logs[@]}" "${rules[@]}" 2> "$T/ingest.err"
check "ingest of the logs (exit 0)" test $? -eq 0
mkdir -p "$T/full"
md -q ticket "$ticket" --address "$addr" --since 2016-04-06 --until 2016-04-25 \
    --out "$T/full" > /dev/null 2>&1
check "ticket with messages found exits 0 though the logs start later" test $? -eq 0
x=$T/full/dossier-$ticket.xml
txt=$T/full/dossier-$ticket.txt
check "the XML is valid against dossier.xsd" \
    xmllint --noout --schema "$MD_SOURCE_DIR/templates/dossier.xsd" "$x"
# n-mail-2's last line before 2016-04-25 00:00 (local) in the fixture files
n2() { { cat "$L/n-mail-2/mail.log"; gzip -dc "$L/n-mail-2/mail.log.1.gz"; } | grep '^Apr' ; }
want_last=$(n2 | awk '$2 < 25 {print "2016-04-" sprintf("%02d", $2) " " $3}' | sort | tail -1)
want_lines=$(n2 | awk '$2 < 25' | wc -l)
check "n-mail-2's last line is 2016-04-24 20:58:05 by the fixture ($want_last)" \
    test "$want_last" = "2016-04-24 20:58:05"
check "coverage row of n-mail-2: real first/last, $want_lines lines in the window" \
    has "$txt" "  - n-mail-2: 2016-04-19 06:08:07 to $want_last, $want_lines lines"
check "no row ends at the window's end (00:00:00 of 2016-04-25)" hasnt "$txt" "to 2016-04-25 00:00:00,"
ir=$(grep -c '^Apr' "$L/ironout/mail.log")
check "coverage row of ironout: $ir lines" \
    has "$txt" "  - ironout: 2016-04-22 14:30:11 to 2016-04-24 16:01:05, $ir lines"
check "a host with a gap is named with the hours, once, in the note" \
    grep -qF "ironout: none before 2016-04-22 14:30, none from 2016-04-22 16:01 to 2016-04-24 16:01;" \
    <(flat "$txt")
check "the rule is stated once" test "$(grep -c 'Expected are the hosts' "$txt")" -eq 1
check "no per-row 'window starts N days earlier'" hasnt "$txt" "days earlier"
check "configured hosts without loghosts nor logs: listed, not expected" \
    has "$txt" "  - mailup: no logs stored; not expected (no loghosts declared)"
check "... and not among the missing logs" \
    test "$(nosrc "$x" | grep '<note>Missing logs: ' | grep -c mailup)" -eq 0 -a \
         "$(nosrc "$x" | grep -c '<note>Missing logs: cl-mail: none before 2016-04-20 06:13; ironout:')" -eq 1
check "their XML rows: expected=false" grep -q '<host expected="false">' "$x"
check "the summary says the logs do not cover the whole window" \
    grep -qF "The logs do not cover the whole window (6 hosts with missing hours" <(flat "$txt")
check "the gap as XML: ironout's gap from 16:01:03 to 16:01:04 two days later" \
    grep -q '<from>2016-04-22T16:01:03+02:00</from>' "$x"
check "evidence-span complete=false" grep -q '<evidence-span complete="false" gap-hours="24">' "$x"
# order: summary first, coverage last
s_line=$(grep -n '^1. SUMMARY' "$txt" | cut -d: -f1)
c_line=$(grep -n '^6. EVIDENCE COVERAGE' "$txt" | cut -d: -f1)
t_line=$(grep -n '^2. TIMELINE' "$txt" | cut -d: -f1)
check "text: summary ($s_line) before timeline ($t_line) before coverage ($c_line)" \
    test -n "$s_line" -a -n "$c_line" -a -n "$t_line" -a "${s_line:-0}" -lt "${t_line:-0}" \
         -a "${t_line:-0}" -lt "${c_line:-0}"
pdftotext -f 1 -l 1 "$T/full/dossier-$ticket.pdf" "$T/p1.txt" 2> /dev/null
pdftotext "$T/full/dossier-$ticket.pdf" "$T/pdf.txt" 2> /dev/null
check "PDF page 1 opens with the title, the ticket and the summary" \
    test "$(grep -v '^$' "$T/p1.txt" | head -4 | tr '\n' '|')" = \
         "Mail delivery dossier|Ticket $ticket|1 Summary|3 messages to or from $addr in the window: 3 accepted by Microsoft and, per|"
check "PDF page 1 has no coverage table" hasnt "$T/p1.txt" "Log host"
check "PDF page 1 has no coverage heading" hasnt "$T/p1.txt" "6 Evidence coverage"
check "the PDF has the coverage section" has "$T/pdf.txt" "6 Evidence coverage"

# ---- a negative verdict where the logs cover the window ------------------------------
# the cluster's logs only (its loghosts n-mail-1..3 and cl-mail); 2016-04-20
# and 21: no stretch of more than 24 hours without a line of any of them
db=$T/cluster.db
md -q ingest --year 2016 --no-progress "$L/cl-mail" "$L/n-mail-1" "$L/n-mail-2" "$L/n-mail-3" \
    2> /dev/null
md -q ticket 2016042010000001 --address nobody@uni-potsdam.de --since 2016-04-20 \
    --until 2016-04-22 --out "$T/full" > /dev/null 2>&1
check "nothing found, logs cover the window: exit 0" test $? -eq 0
t2=$T/full/dossier-2016042010000001.txt
check "negative verdict given when covered" grep -qF \
    "No message to or from nobody@uni-potsdam.de reached our servers between the start and end of the window (no log line; the logs of every expected host cover the window)" \
    <(flat "$t2")
check "its note: every expected host covers the window" \
    has "$t2" "The logs of every expected host cover the window."
# the default rule (6 hours) finds n-mail-2's night without lines
sed 's/^gap_hours = 24$/; no gap_hours: the default/' "$conf" > "$T/six.conf"
"$MD_BIN" --db "$db" --config "$T/six.conf" -q ticket 2016042010000001 \
    --address nobody@uni-potsdam.de --since 2016-04-20 --until 2016-04-22 --out "$T/full" \
    > /dev/null 2>&1
check "the same with gap_hours 6: exit 5 (no negative verdict)" test $? -eq 5
check "n-mail-2's 20 hours without a line are named (summary verdict)" grep -qF \
    "; n-mail-2: none before 2016-04-20 06:47, none from 2016-04-20 17:09 to 2016-04-21 12:59;" \
    "$T/full/dossier-2016042010000001.xml"
check "and no negative verdict" hasnt "$t2" "reached our servers between"

# logs stored before the counts per hour (store schema 5): hours unknown, no verdict
if command -v sqlite3 > /dev/null; then
    sqlite3 "$db" "DELETE FROM log_hour"
    md -q ticket 2016042010000001 --address nobody@uni-potsdam.de --since 2016-04-20 \
        --until 2016-04-22 --out "$T/full" > /dev/null 2>&1
    check "lines without counts per hour: exit 5" test $? -eq 5
    check "lines without counts per hour: the hours are unknown, re-ingest asked" grep -qF \
        "cl-mail: hours unknown: some of its lines were stored before maildossier counted lines per hour (store schema 5): ingest its logs into a new store;" \
        "$T/full/dossier-2016042010000001.xml"
else
    echo "skip: sqlite3 missing (the store without counts per hour)"
fi

# ---- an empty store: only rules ingested ---------------------------------------------
db=$T/empty.db
md -q ingest --no-progress "${rules[@]}" 2> /dev/null
mkdir -p "$T/empty"
md ticket "$ticket" --address "$addr" --since 2016-04-06 --until 2016-04-25 \
    --out "$T/empty" > "$T/empty.out" 2>&1
check "empty store: exit 5 (dossier written, evidence incomplete)" test $? -eq 5
t3=$T/empty/dossier-$ticket.txt
check "empty store: the dossier is written" test -s "$t3"
check "empty store: no negative verdict" hasnt "$t3" "reached our servers between"
check "empty store: 'the evidence is incomplete ... the store holds no log lines'" grep -qF \
    "The evidence is incomplete, so this dossier cannot say whether a message to or from $addr reached our servers in the window: the store holds no log lines." \
    <(flat "$t3")
check "empty store: the configured loghosts are listed without logs" \
    grep -qx -- "  - n-mail-2: no logs stored" "$t3"
check "empty store: next step is to ingest the logs" grep -qF "Ingest the missing logs" <(flat "$t3")
check "empty store: the command's verdict line says it too" has "$T/empty.out" "the store holds no log lines"
check "empty store: XML valid" \
    xmllint --noout --schema "$MD_SOURCE_DIR/templates/dossier.xsd" "$T/empty/dossier-$ticket.xml"

# an ingest of nothing (an empty directory) makes a store without anything
db=$T/nothing.db
mkdir -p "$T/nothing/in"
md -q ingest --no-progress "$T/nothing/in" 2> /dev/null
check "ingest of an empty directory exits 0" test $? -eq 0
md ticket "$ticket" --address "$addr" --format xml --out "$T/nothing" > "$T/nothing.out" 2>&1
check "store of nothing: exit 5" test $? -eq 5
check "store of nothing: the store holds no log lines, no negative verdict" grep -qF \
    "<verdict>The evidence is incomplete, so this dossier cannot say whether a message to or from $addr reached our servers in the window: the store holds no log lines.</verdict>" \
    <(nosrc "$T/nothing/dossier-$ticket.xml")

# ---- logs read with the wrong --year -------------------------------------------------
db=$T/year.db
md -q ingest --year 2015 --no-progress "${logs[@]}" "${rules[@]}" 2> /dev/null
mkdir -p "$T/year"
md -q ticket "$ticket" --address "$addr" --since 2016-04-06 --until 2016-04-25 \
    --out "$T/year" > /dev/null 2>&1
check "wrong --year: exit 5" test $? -eq 5
t4=$T/year/dossier-$ticket.txt
check "wrong --year: no 'never reached' verdict" hasnt "$t4" "reached our servers between"
check "wrong --year: evidence incomplete, the store's years named, --year asked" grep -qF \
    "no log lines at all in the window: the store holds log lines of 2015-04-19 to 2015-04-25 only (were the logs read with the right --year?)" \
    <(flat "$t4")

# ---- a loghost named by its first label, a host with a line every 30 minutes -------------
# config: loghosts = relay1; the log's host is relay1.example.org (one host,
# not a second one without logs): 2016-04-20 and 21 covered at 1 hour
db=$T/relay.db
printf '[organisation]\nname = Test\ndomains = example.org\n[logs]\ntimezone = Europe/Berlin\ngap_hours = 1\n[host relay]\nip = 192.0.2.25\nloghosts = relay1\n' > "$T/relay.conf"
for d in 19 20 21 22; do for h in 00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23; do
    for m in 10 40; do
        echo "Apr $d $h:$m:00 relay1.example.org postfix/smtpd[42]: connect from unknown[192.0.2.9]"
    done
done; done > "$T/relay.log"
"$MD_BIN" --db "$db" --config "$T/relay.conf" -q ingest --year 2016 --no-progress "$T/relay.log" 2> /dev/null
mkdir -p "$T/relay"
"$MD_BIN" --db "$db" --config "$T/relay.conf" -q ticket 2016042010000002 --address nobody@example.org \
    --since 2016-04-20 --until 2016-04-22 --format xml,txt --out "$T/relay" > /dev/null 2>&1
check "relay1.example.org covers 2 days for loghost relay1: exit 0" test $? -eq 0
t5=$T/relay/dossier-2016042010000002.txt
check "one row: the stored name, 96 lines in the window (4 days of 48 in the log)" \
    grep -qx -- "  - relay1.example.org: 2016-04-20 00:10:00 to 2016-04-21 23:40:00, 96 lines" "$t5"
check "no row for relay1 without logs" hasnt "$t5" "relay1: no logs stored"
check "the negative verdict" grep -q "<verdict>No message to or from nobody@example.org reached our servers between" \
    <(nosrc "$T/relay/dossier-2016042010000002.xml")

# the same log without 2016-04-20's lines from 12:00 to 12:59: a gap of 90 minutes
db=$T/relay-hole.db
grep -v '^Apr 20 12:' "$T/relay.log" > "$T/relay-hole.log"
"$MD_BIN" --db "$db" --config "$T/relay.conf" -q ingest --year 2016 --no-progress "$T/relay-hole.log" 2> /dev/null
"$MD_BIN" --db "$db" --config "$T/relay.conf" -q ticket 2016042010000002 --address nobody@example.org \
    --since 2016-04-20 --until 2016-04-22 --format xml --out "$T/relay" > /dev/null 2>&1
check "an hour without lines (gap_hours 1): exit 5" test $? -eq 5
check "... named in the summary with its times" grep -qF \
    "reached our servers in the window: relay1.example.org: none from 2016-04-20 11:40 to 2016-04-20 13:10.</verdict>" \
    "$T/relay/dossier-2016042010000002.xml"

# ---- exit 5 documented ------------------------------------------------------------
check "ticket --help names exit 5" grep -qF "5 written but the logs do" <("$MD_BIN" ticket --help)
check "the man page's EXIT STATUS lists 5 for ticket" test "$(sed -n '/^\.SH "EXIT STATUS"/,/^\.SH EXAMPLES/p' \
    "$MD_SOURCE_DIR/doc/maildossier.1" | grep -A2 -x '\.B 5' | tr '\n' '|')" = \
    ".B 5|.B ticket|only: the dossier was written, but the logs do not cover the window for the|"
check "the man page documents [logs] gap_hours" grep -q 'gap_hours' "$MD_SOURCE_DIR/doc/maildossier.1"

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all coverage checks passed"
