#!/usr/bin/env bash
# e2e_forget.sh: `maildossier forget` and reading a log again with another
# year or zone (issue 14).
#  1. A and B ingested, B (a directory: a log, messages, a reply of
#     Microsoft, DMARC and SNDS reports, rules) forgotten: the store equals
#     one of A alone (tests/store_digest.sh), tickets stay; the counts said.
#  2. A message that spans a rotation (mail.log.1, mail.log): forgetting
#     either half leaves the message the other half makes (trace); read
#     again, the message is whole again (also when the files are read newest
#     first).  A file rotated and read again is named by its new name.
#  3. A log read with --year 2015: nothing in 2016; read with --year 2016
#     it is read again (said, not "unchanged") and the store equals a fresh
#     --year 2016 ingest; the older half of a rotated pair read so joins the
#     newer half again.  Another [logs] timezone reads it again too.
#  4. The year warning: a stored copy received (Received; else its Date) a
#     year after the log's date (stored before the log, after it in the same
#     run, or in a later run; none when a Received date agrees though the
#     Date does not), and dates after the file's modification time.
#     A message in an mbox and an .eml, stored once: forgetting the mbox
#     marks the .eml unread, and its next ingest stores the message again;
#     so for SNDS exports that overlap.
#  5. An unknown SOURCE fails naming it and changes nothing; --dry-run
#     changes nothing.
#  6. forget while a log ingest pauses in a pipe waits its turn (and says
#     for whom); with --wait 0 it fails at once naming it.
#  7. forget killed (-9) at any moment leaves the store before or after.
: "${MD_FIXTURES:?}"
. "$(dirname "$0")/store_setup.sh" e2e_forget
conf=$MD_FIXTURES/maildossier.conf
F=$MD_FIXTURES
md() { local db=$1; shift; "$MD_BIN" --db "$db" --config "$conf" "$@"; }
same() { # same WHAT DB1 DB2
    digest "$2" > "$t/d1"; digest "$3" > "$t/d2"
    diff "$t/d1" "$t/d2" > "$t/dd" || { err "$1:"; head -20 "$t/dd" >&2; }
}

# ---- 1. forget B: the store of A alone ------------------------------------
mkdir -p "$t/B"
cp -r "$F/logs/n-mail-3" "$F/messages/jmrp-arf.eml" "$F/replies/mitigated-141.89.68.7.eml" \
    "$F/reports/dmarc2-outlook.com!uni-potsdam.de!1476144000!1476230400.xml" \
    "$F"/reports/google.com*.zip "$F/reports/snds-ipstatus-2016-04-26.csv" \
    "$F/rules/mailup-rules.csv" "$t/B/"
A=("$F/logs/n-mail-1" "$F/messages/ndr-s3150.eml" "$F/reports/snds-data-2016-04.csv"
   "$F/rules/aliases")
md "$t/ab.db" -q ingest --year 2016 "${A[@]}" || err "ingest A: exit $?"
md "$t/ab.db" -q ingest --year 2016 "$t/B" || err "ingest B: exit $?"
md "$t/ab.db" -q ticket 2016041910001001 --address p.wagner@uni-potsdam.de --since 2016-04-19 \
    --until 2016-04-20 --out "$t/out" > /dev/null || err "ticket: exit $?"
md "$t/a.db" -q ingest --year 2016 "${A[@]}" || err "ingest A alone: exit $?"
md "$t/a.db" -q ticket 2016041910001001 --address p.wagner@uni-potsdam.de --since 2016-04-19 \
    --until 2016-04-20 --out "$t/out2" > /dev/null || err "ticket on A: exit $?"
grep -q '^141.89.68.7|mitigated' <(digest "$t/ab.db" | sed -n '/^== case_answer/,$p') ||
    err "Microsoft's answer in B was not stored: the test would prove nothing"
md "$t/ab.db" forget "$t/B" > "$t/forget.out" 2> "$t/forget.err"; rc=$?
[ $rc -eq 0 ] || err "forget B: exit $rc: $(head -2 "$t/forget.err")"
grep -q '^forgot 6 source(s): 87 log lines, 44 log messages (0 made again from their lines in other files), 44 delivery attempts, [0-9]* links; 3 stored messages, 1 answers of Microsoft; 2 DMARC reports, 2 SNDS rows; 1 rule files (6 rules)$' "$t/forget.out" ||
    err "forget B said: $(cat "$t/forget.out")"
same "the store after forgetting B differs from one of A alone" "$t/ab.db" "$t/a.db"
[ "$(sqlite3 "$t/ab.db" 'SELECT count(*) FROM case_ticket')" = 1 ] || err "the ticket went"
# everything of B again: as before
md "$t/ab.db" -q ingest --year 2016 "$t/B" || err "ingest B again: exit $?"
md "$t/ab2.db" -q ingest --year 2016 "${A[@]}" && md "$t/ab2.db" -q ingest --year 2016 "$t/B" ||
    err "ingest A, B: exit $?"
same "B forgotten and read again differs from A and B" "$t/ab.db" "$t/ab2.db"

# ---- 2. a message across a rotation ----------------------------------------
mkdir -p "$t/rot"
l1='Dec  1 10:00:00 mx1 postfix/smtpd[100]: 4QxYz1AbCd: client=mail.example.org[192.0.2.10]'
l2='Dec  1 10:00:01 mx1 postfix/cleanup[101]: 4QxYz1AbCd: message-id=<piece.1@example.org>'
l3='Dec  1 10:00:01 mx1 postfix/qmgr[102]: 4QxYz1AbCd: from=<alice@example.org>, size=1234, nrcpt=1 (queue active)'
l4='Dec  1 10:00:02 mx1 postfix/smtp[103]: 4QxYz1AbCd: to=<bob@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[104.47.1.33]:25, delay=2, delays=0/0/1/1, dsn=2.6.0, status=sent (250 2.6.0 <piece.1@example.org> [InternalId=1] Queued mail for delivery)'
l5='Dec  1 10:00:02 mx1 postfix/qmgr[102]: 4QxYz1AbCd: removed'
printf '%s\n' "$l1" "$l2" "$l3" > "$t/rot/mail.log.1"
printf '%s\n' "$l4" "$l5" > "$t/rot/mail.log"
md "$t/r1.db" -q ingest --year 2016 "$t/rot" || err "ingest rot: exit $?"
cp "$t/r1.db" "$t/r2.db"
md "$t/r1.db" trace bob@hotmail.com > "$t/tr" 2>&1
grep -q 'from <alice@example.org>  message-id <piece.1@example.org>  client mail.example.org \[192.0.2.10\]' "$t/tr" ||
    err "the whole message before forgetting: $(head -5 "$t/tr")"
md "$t/r1.db" forget "$t/rot/mail.log.1" > "$t/f1" || err "forget mail.log.1: exit $?"
grep -q '1 log messages (1 made again from their lines in other files), 1 delivery attempts' "$t/f1" ||
    err "forget mail.log.1 said: $(cat "$t/f1")"
md "$t/r1.db" trace bob@hotmail.com > "$t/tr" 2>&1 || err "trace of the newer half: exit $?"
grep -q '4QxYz1AbCd  2016-12-01 10:00:02 .. 10:00:02$' "$t/tr" &&
grep -q 'to <bob@hotmail.com>: accepted by Microsoft (InternalId=1)' "$t/tr" &&
grep -q "rot/mail.log:2: Dec  1 10:00:02 mx1 postfix/qmgr\[102\]: 4QxYz1AbCd: removed" "$t/tr" ||
    err "the newer half: $(cat "$t/tr")"
grep -Eq 'alice|message-id <piece|192\.0\.2\.10|mail\.log\.1' "$t/tr" &&
    err "the newer half still says what only the forgotten file said: $(cat "$t/tr")"
# its sender is unknown now, which is not the null sender <>
grep -q '^    from (sender not in the stored lines)' "$t/tr" && ! grep -q 'from <>' "$t/tr" ||
    err "the newer half's unknown sender: $(cat "$t/tr")"
md "$t/r1.db" trace alice@example.org > /dev/null 2>&1; rc=$?
[ $rc -eq 4 ] || err "trace alice after forgetting her lines: exit $rc, want 4"
md "$t/r2.db" forget "$t/rot/mail.log" > /dev/null || err "forget mail.log: exit $?"
md "$t/r2.db" trace alice@example.org > "$t/tr" 2>&1 || err "trace of the older half: exit $?"
grep -q '4QxYz1AbCd  2016-12-01 10:00:00 .. 10:00:01  (not finished in the log)' "$t/tr" &&
grep -q 'from <alice@example.org>  message-id <piece.1@example.org>  client mail.example.org \[192.0.2.10\]' "$t/tr" ||
    err "the older half: $(cat "$t/tr")"
grep -q 'bob@hotmail.com' "$t/tr" && err "the older half still names the delivery: $(cat "$t/tr")"
# the newer half alone, read fresh: the same messages (lines name source ids,
# which differ: compared without them)
md "$t/r3.db" -q ingest --year 2016 "$t/rot/mail.log" || err "ingest mail.log alone: exit $?"
diff <(digest "$t/r1.db" | sed 's/|[0-9A-F]*$//') <(digest "$t/r3.db" | sed 's/|[0-9A-F]*$//') \
    > "$t/dd" || { err "the newer half differs from it read alone:"; head "$t/dd" >&2; }

# the forgotten half read again: the message is whole again, as at first
md "$t/r1.db" -q ingest --year 2016 "$t/rot/mail.log.1" || err "mail.log.1 again: exit $?"
md "$t/r0.db" -q ingest --year 2016 "$t/rot" || err "rot fresh: exit $?"
diff <(digest "$t/r1.db" | sed 's/|[0-9A-F]*$//') <(digest "$t/r0.db" | sed 's/|[0-9A-F]*$//') \
    > "$t/dd" || { err "mail.log.1 forgotten and read again differs from rot:"; head "$t/dd" >&2; }
# (so for the files read newest first)
md "$t/r5.db" -q ingest --year 2016 "$t/rot/mail.log" && md "$t/r5.db" -q ingest --year 2016 "$t/rot/mail.log.1" ||
    err "rot newest first: exit $?"
diff <(digest "$t/r5.db" | sed 's/|[0-9A-F]*$//') <(digest "$t/r0.db" | sed 's/|[0-9A-F]*$//') \
    > "$t/dd" || { err "rot read newest first differs from rot:"; head "$t/dd" >&2; }

# a rotated file is named by its latest name: mail.log, read, rotated to
# mail.log.1 and read there beside a new mail.log
mkdir -p "$t/rot2"
printf '%s\n' "$l1" "$l2" "$l3" > "$t/rot2/mail.log"
md "$t/r4.db" -q ingest --year 2016 "$t/rot2" || err "ingest rot2: exit $?"
mv "$t/rot2/mail.log" "$t/rot2/mail.log.1"
printf '%s\n' "$l4" "$l5" > "$t/rot2/mail.log"
md "$t/r4.db" -q ingest --year 2016 "$t/rot2" || err "ingest rot2 rotated: exit $?"
md "$t/r4.db" forget "$t/rot2/mail.log" > "$t/f4" || err "forget the new mail.log: exit $?"
grep -q '^forgot 1 source(s): 2 log lines' "$t/f4" || err "forget the new mail.log: $(cat "$t/f4")"
md "$t/r4.db" trace alice@example.org > "$t/tr" 2>&1 && grep -q 'rot2/mail.log.1:3:' "$t/tr" ||
    err "the rotated file went with the new one: $(cat "$t/tr")"

# ---- 3. another year, another zone ------------------------------------------
md "$t/y.db" -q ingest --year 2015 "$t/rot/mail.log.1" || err "ingest --year 2015: exit $?"
md "$t/y.db" trace alice@example.org --since 2016-01-01 > /dev/null 2>&1; rc=$?
[ $rc -eq 4 ] || err "trace in 2016 after --year 2015: exit $rc, want 4"
md "$t/y.db" ingest --year 2015 "$t/rot/mail.log.1" 2> "$t/y.err" || err "same year again: exit $?"
grep -q '(1 unchanged, 0 failed)' "$t/y.err" || err "the same year again: $(cat "$t/y.err")"
md "$t/y.db" ingest --year 2016 "$t/rot/mail.log.1" 2> "$t/y.err"; rc=$?
[ $rc -eq 0 ] || err "ingest --year 2016: exit $rc"
grep -q "^maildossier: $t/rot/mail.log.1: read again: year 2016 instead of 2015 (the 3 lines and 1 messages of the earlier reading forgotten)\$" "$t/y.err" &&
grep -q '(0 unchanged, 0 failed)' "$t/y.err" && grep -q '3 read, 3 new' "$t/y.err" ||
    err "--year 2016 after 2015: $(cat "$t/y.err")"
md "$t/y.db" trace alice@example.org --since 2016-01-01 > /dev/null 2>&1 ||
    err "trace in 2016 after --year 2016: exit $?"
md "$t/y16.db" -q ingest --year 2016 "$t/rot/mail.log.1" || err "fresh --year 2016: exit $?"
same "read again with --year 2016 differs from a fresh --year 2016 ingest" "$t/y.db" "$t/y16.db"
# the older half of a rotated pair read into the wrong year, then again into
# the right one: its message joins the newer half, as a fresh ingest has it
md "$t/j.db" -q ingest --year 2015 "$t/rot/mail.log.1" && md "$t/j.db" -q ingest --year 2016 "$t/rot/mail.log" ||
    err "rot in two years: exit $?"
md "$t/j.db" -q ingest --year 2016 "$t/rot/mail.log.1" 2> /dev/null || err "mail.log.1 in 2016: exit $?"
diff <(digest "$t/j.db" | sed 's/|[0-9A-F]*$//') <(digest "$t/r0.db" | sed 's/|[0-9A-F]*$//') \
    > "$t/dd" || { err "mail.log.1 read again in 2016 differs from rot in 2016:"; head "$t/dd" >&2; }
md "$t/j.db" trace bob@hotmail.com > "$t/tr" 2>&1
grep -q '^1 message(s)' "$t/tr" && grep -q '4QxYz1AbCd  2016-12-01 10:00:00 .. 10:00:02$' "$t/tr" ||
    err "the message is not joined: $(head -4 "$t/tr")"
# a zone: Berlin, then UTC (the stamps move by an hour)
printf '[logs]\ntimezone = Europe/Berlin\n' > "$t/berlin.conf"
printf '[logs]\ntimezone = UTC\n' > "$t/utc.conf"
"$MD_BIN" --db "$t/z.db" --config "$t/berlin.conf" -q ingest --year 2016 "$t/rot/mail.log.1" ||
    err "ingest in Berlin: exit $?"
"$MD_BIN" --db "$t/z.db" --config "$t/utc.conf" ingest --year 2016 "$t/rot/mail.log.1" \
    2> "$t/z.err" || err "ingest in UTC: exit $?"
grep -q 'read again: zone UTC instead of Europe/Berlin' "$t/z.err" || err "zone: $(cat "$t/z.err")"
"$MD_BIN" --db "$t/z16.db" --config "$t/utc.conf" -q ingest --year 2016 "$t/rot/mail.log.1" ||
    err "fresh ingest in UTC: exit $?"
same "read again in UTC differs from a fresh ingest in UTC" "$t/z.db" "$t/z16.db"
# the rotated pair read again as a whole: its message joined again, as a
# fresh ingest joins it (line lists name source ids: compared without them)
"$MD_BIN" --db "$t/zz.db" --config "$t/berlin.conf" -q ingest --year 2016 "$t/rot" ||
    err "rot in Berlin: exit $?"
"$MD_BIN" --db "$t/zz.db" --config "$t/utc.conf" ingest --year 2016 "$t/rot" 2> "$t/z.err" ||
    err "rot in UTC: exit $?"
[ "$(grep -c 'read again: zone UTC instead of Europe/Berlin' "$t/z.err")" = 2 ] ||
    err "rot in UTC: $(cat "$t/z.err")"
"$MD_BIN" --db "$t/zz2.db" --config "$t/utc.conf" -q ingest --year 2016 "$t/rot" ||
    err "rot fresh in UTC: exit $?"
diff <(digest "$t/zz.db" | sed 's/|[0-9A-F]*$//') <(digest "$t/zz2.db" | sed 's/|[0-9A-F]*$//') \
    > "$t/dd" || { err "rot read again in UTC differs from a fresh ingest:"; head "$t/dd" >&2; }
"$MD_BIN" --db "$t/zz.db" --config "$t/utc.conf" trace bob@hotmail.com > "$t/tr" 2>&1
grep -q '4QxYz1AbCd  2016-12-01 10:00:00 .. 10:00:02$' "$t/tr" ||
    err "the message is not joined again: $(head -4 "$t/tr")"

# ---- 4. the year warning ----------------------------------------------------
# (times as the configuration's zone shows them: Europe/Berlin)
cat > "$t/copy.eml" <<'EOF'
Received: from mail.example.org (mail.example.org [192.0.2.10])
	by mx1.uni-potsdam.de (Postfix) with ESMTP id 4QxYz1AbCd
	for <bob@hotmail.com>; Thu,  1 Dec 2016 10:00:00 +0100
From: Alice <alice@example.org>
To: bob@hotmail.com
Subject: piece
Date: Thu, 1 Dec 2016 09:59:58 +0100
Message-ID: <piece.1@example.org>

hello
EOF
md "$t/w.db" -q ingest "$t/copy.eml" || err "ingest the copy: exit $?"
md "$t/w.db" ingest --year 2015 "$t/rot/mail.log.1" 2> "$t/w.err"; rc=$?
[ $rc -eq 0 ] || err "ingest --year 2015 beside the copy: exit $rc"
grep -q "^maildossier: $t/rot/mail.log.1: warning: its dates (year 2015, given by --year) disagree with 1 stored message(s): <piece.1@example.org> is logged 2015-12-01 10:00, its stored copy was received 2016-12-01 10:00; if the year is wrong, read it again with --year 2016\$" "$t/w.err" ||
    err "no year warning: $(cat "$t/w.err")"
md "$t/w.db" ingest --year 2016 "$t/rot/mail.log.1" 2> "$t/w.err" || err "--year 2016: exit $?"
grep -q 'warning' "$t/w.err" && err "a warning for the right year: $(cat "$t/w.err")"
# the copy stored after the log: in the same run, and in a later one
md "$t/w3.db" ingest --year 2015 "$t/rot/mail.log.1" "$t/copy.eml" 2> "$t/w.err" ||
    err "log and copy in one run: exit $?"
[ "$(grep -c "^maildossier: $t/rot/mail.log.1: warning: its dates (year 2015, given by --year) disagree with 1 stored message(s): <piece.1@example.org>" "$t/w.err")" = 1 ] ||
    err "log, then its copy in the same run: $(cat "$t/w.err")"
md "$t/w4.db" -q ingest --year 2015 "$t/rot/mail.log.1" || err "log alone: exit $?"
md "$t/w4.db" ingest "$t/copy.eml" 2> "$t/w.err" || err "the copy later: exit $?"
grep -q "^maildossier: $t/rot/mail.log.1: warning: its dates (year 2015, given by --year) disagree with 1 stored message(s): <piece.1@example.org> is logged 2015-12-01 10:00, its stored copy was received 2016-12-01 10:00; if the year is wrong, read it again with --year 2016\$" "$t/w.err" ||
    err "the copy ingested after the log: $(cat "$t/w.err")"
# a copy whose sender's clock is off (Date 2010) but whose Received date
# agrees with the log: no warning; without a Received header its Date counts
sed 's/^Date: .*/Date: Mon, 1 Feb 2010 08:00:00 +0100/' "$t/copy.eml" > "$t/copy-clock.eml"
md "$t/w5.db" -q ingest "$t/copy-clock.eml" || err "ingest the copy with the wrong Date: exit $?"
md "$t/w5.db" ingest --year 2016 "$t/rot/mail.log.1" 2> "$t/w.err" || err "log beside it: exit $?"
grep -q 'warning' "$t/w.err" && err "a warning though Received agrees: $(cat "$t/w.err")"
sed '1,3d' "$t/copy.eml" > "$t/copy-norcvd.eml"
md "$t/w6.db" -q ingest "$t/copy-norcvd.eml" || err "ingest the copy without Received: exit $?"
md "$t/w6.db" ingest --year 2015 "$t/rot/mail.log.1" 2> "$t/w.err" || err "log beside it: exit $?"
grep -q "disagree with 1 stored message(s): <piece.1@example.org> is logged 2015-12-01 10:00, its stored copy is dated 2016-12-01 09:59; if the year is wrong, read it again with --year 2016\$" "$t/w.err" ||
    err "the Date of a copy without Received: $(cat "$t/w.err")"
# dates after the file's modification time
touch -d '2016-06-01 12:00 +0200' "$t/rot/mail.log.1"
md "$t/w2.db" ingest --year 2016 "$t/rot/mail.log.1" 2> "$t/w.err"
grep -q "warning: its dates (year 2016, given by --year) run to 2016-12-01 10:00, after the file's modification time (2016-06-01 12:00); if the year is wrong, read it again with --year 2015" "$t/w.err" ||
    err "no warning for dates after the file's time: $(cat "$t/w.err")"

# ---- 4b. one message in two inputs ---------------------------------------------
# stored once, from the mbox read first; forgetting the mbox marks the .eml
# unread, and its next ingest stores the message again
mkdir -p "$t/mb"
{ echo "From alice@example.org Thu Dec  1 10:00:00 2016"; cat "$t/copy.eml"; echo; } > "$t/mb/m.mbox"
cp "$t/copy.eml" "$t/mb/c.eml"
md "$t/mb.db" -q ingest "$t/mb/m.mbox" && md "$t/mb.db" -q ingest "$t/mb/c.eml" ||
    err "mbox and eml: exit $?"
[ "$(sqlite3 "$t/mb.db" 'SELECT count(*) FROM msg')" = 1 ] || err "the message is not stored once"
md "$t/mb.db" forget "$t/mb/m.mbox" > "$t/mb.out" || err "forget the mbox: exit $?"
grep -q '^1 other input(s) may hold evidence forgotten here (the same message, SNDS rows) and are marked unread: ingest them again to store it$' "$t/mb.out" ||
    err "forget the mbox said: $(cat "$t/mb.out")"
md "$t/mb.db" ingest "$t/mb/c.eml" 2> "$t/mb.err" || err "the eml again: exit $?"
grep -q '1 documents stored' "$t/mb.err" && [ "$(sqlite3 "$t/mb.db" 'SELECT count(*) FROM msg')" = 1 ] ||
    err "the eml did not store the message again: $(cat "$t/mb.err")"

# SNDS rows are the latest export's: forgetting a later export that covers
# the days of an earlier one marks the earlier unread; read again, its rows
# are back
mkdir -p "$t/snds"
cp "$F/reports/snds-data-2016-04.csv" "$t/snds/early.csv"
head -n 3 "$F/reports/snds-data-2016-04.csv" | sed '1s/,2210,/,2211,/' > "$t/snds/late.csv"
md "$t/sn.db" -q ingest "$t/snds/early.csv" && md "$t/sn.db" -q ingest "$t/snds/late.csv" ||
    err "two SNDS exports: exit $?"
n_early=$(sqlite3 "$t/sn.db" 'SELECT count(*) FROM rep_snds')
md "$t/sn.db" forget "$t/snds/late.csv" > "$t/sn.out" || err "forget the later export: exit $?"
grep -q '^1 other input(s) may hold evidence forgotten here' "$t/sn.out" ||
    err "forget the later export said: $(cat "$t/sn.out")"
md "$t/sn.db" -q ingest "$t/snds/early.csv" || err "the earlier export again: exit $?"
[ "$(sqlite3 "$t/sn.db" 'SELECT count(*), sum(rcpt = 2210) FROM rep_snds')" = "$n_early|1" ] ||
    err "the earlier export's rows: $(sqlite3 "$t/sn.db" 'SELECT count(*), sum(rcpt = 2210) FROM rep_snds'), want $n_early|1"

# ---- 5. unknown source, dry run ---------------------------------------------
cp "$t/ab2.db" "$t/u.db"
digest "$t/u.db" > "$t/u0"
md "$t/u.db" forget "$t/B/mailup-rules.csv" "$t/nowhere.log" > "$t/u.out" 2> "$t/u.err"; rc=$?
[ $rc -eq 1 ] || err "forget of an unknown source: exit $rc, want 1"
grep -q "^maildossier: forget: $t/nowhere.log: no input of the store is this file or under this directory; nothing forgotten\$" "$t/u.err" ||
    err "unknown source: $(cat "$t/u.err")"
digest "$t/u.db" | diff -q "$t/u0" - > /dev/null || err "a failed forget changed the store"
md "$t/u.db" forget --dry-run "$t/B" > "$t/u.out" 2> "$t/u.err" || err "dry run: exit $?"
grep -q '^would forget 6 source(s): 87 log lines' "$t/u.out" || err "dry run said: $(cat "$t/u.out")"
digest "$t/u.db" | diff -q "$t/u0" - > /dev/null || err "--dry-run changed the store"
md "$t/u.db" forget > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || err "forget without SOURCE: exit $rc, want 2"

# ---- 6. waiting for a log reader ---------------------------------------------
cp "$t/ab2.db" "$t/c.db"
"$bindir/gen_postfix" -n 2000 -s 41 > "$t/pipe.log"
now_ms() { echo $(( ${EPOCHREALTIME/[.,]/} / 1000 )); }
start=$(now_ms)
( head -n 1000 "$t/pipe.log"; sleep 4; tail -n +1001 "$t/pipe.log" ) |
    "$MD_BIN" --db "$t/c.db" --config "$conf" -q ingest --format log --year 2026 - 2> "$t/pipe.err" &
pipe=$!
cleanup='kill "$pipe" 2>/dev/null'
sleep 1.5
md "$t/c.db" --wait 0 forget "$t/B" > /dev/null 2> "$t/c0.err"; rc=$?
[ $rc -eq 1 ] && grep -q "gave up after waiting 0 s for maildossier ingest (pid $pipe" "$t/c0.err" ||
    err "forget --wait 0 while a log is read: exit $rc: $(cat "$t/c0.err")"
md "$t/c.db" forget "$t/B" > "$t/c.out" 2> "$t/c.err"; rc=$?
# (the reader lets go of the log after its last line, before it exits)
[ $(( $(now_ms) - start )) -ge 4000 ] || err "forget ended before the pipe's last lines"
[ $rc -eq 0 ] && grep -q '^forgot 6 source(s)' "$t/c.out" || err "forget after waiting: exit $rc: $(cat "$t/c.err")"
grep -q "^maildossier: waiting for maildossier ingest (pid $pipe, since [0-9:]*) to finish reading a log into $t/c.db \.\.\.\$" "$t/c.err" ||
    err "forget did not say for whom it waits: $(cat "$t/c.err")"
wait "$pipe" || err "the pipe's ingest: exit $?"
cleanup=:
md "$t/c2.db" -q ingest --year 2016 "${A[@]}" && md "$t/c2.db" -q ingest --format log --year 2026 "$t/pipe.log" ||
    err "A and the pipe's log: exit $?"
q="SELECT (SELECT count(*) FROM source), (SELECT count(*) FROM log_msg), (SELECT count(*) FROM msg), (SELECT count(*) FROM rule)"
[ "$(sqlite3 "$t/c.db" "$q")" = "$(sqlite3 "$t/c2.db" "$q")" ] ||
    err "after waiting: $(sqlite3 "$t/c.db" "$q"), want $(sqlite3 "$t/c2.db" "$q")"

# ---- 7. kill -9 -------------------------------------------------------------
"$bindir/gen_postfix" -n 60000 -s 42 > "$t/big.log"
md "$t/k.db" -q ingest --year 2016 "${A[@]}" && md "$t/k.db" -q ingest --year 2026 "$t/big.log" ||
    err "ingest for the kill: exit $?"
digest "$t/k.db" > "$t/k.before"
cp "$t/k.db" "$t/k0.db"
a=$(now_ms)
md "$t/k0.db" -q forget "$t/big.log" || err "forget big.log: exit $?"
took=$(( $(now_ms) - a ))
digest "$t/k0.db" > "$t/k.after"
cmp -s "$t/k.before" "$t/k.after" && err "forgetting big.log changed nothing"
echo "forget of 60000 lines: $took ms; killed at a tenth, 3, 5, 7 and 9 tenths of it"
for tenth in 1 3 5 7 9; do
    ms=$(( took * tenth / 10 ))
    delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
    cp "$t/k.db" "$t/kk.db"; rm -f "$t/kk.db-wal" "$t/kk.db-shm"
    "$MD_BIN" --db "$t/kk.db" -q forget "$t/big.log" & k=$!
    sleep "$delay"; kill -9 "$k" 2>/dev/null; wait "$k" 2>/dev/null
    digest "$t/kk.db" > "$t/k.now"
    cmp -s "$t/k.now" "$t/k.before" || cmp -s "$t/k.now" "$t/k.after" ||
        err "forget killed after ${delay}s left a store neither before nor after"
done
exit $fail
