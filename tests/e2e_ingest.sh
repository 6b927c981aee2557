#!/usr/bin/env bash
# e2e_ingest.sh: `maildossier ingest` end to end on bad input.  A good log
# is stored first; then a directory of bad inputs (binary junk, a truncated
# gzip, a 10 MB line, invalid UTF-8, NUL bytes, an unreadable entry, and
# fixtures/logs/bad/ when present) is ingested: the run exits 3, every
# problem is reported as FILE:LINE or FILE: reason, the good lines around
# the bad ones are read, and what was stored before is unchanged.  Also:
# the summary, -q, the progress line only on a terminal, idempotence;
# devices, standard input from a device and empty inputs are named and
# skipped with exit 3 (never read), a named pipe is read when named, and a
# directory with symbolic link loops is read once with each loop named.
set -u
: "${MD_BIN:?}" "${MD_TMP:?}"
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
t=$MD_TMP/e2e_ingest.$$
mkdir -p "$t/bad"
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
cd "$t"
db=$t/store.db
md() { "$MD_BIN" --db "$db" --config "${MD_FIXTURES:-/nonexistent}/maildossier.conf" "$@"; }
[ -f "${MD_FIXTURES:-/nonexistent}/maildossier.conf" ] || md() { "$MD_BIN" --db "$db" "$@"; }

# A realistic sendmail log of the scenario's relay: 200 messages, 2 lines each.
gen() { # gen HOST FIRST COUNT
  local h=$1 i
  for ((i = $2; i < $2 + $3; i++)); do
    printf 'Apr 23 16:%02d:%02d %s sendmail[%d]: [ID 801593 mail.info] u3NE6P%05d: from=<*snip*@amazon.de>, size=20144, class=0, nrcpts=1, msgid=<2016042314%05d.u3NE6P%05d@cl-mail.uni-potsdam.de>, proto=ESMTP, daemon=MTA, relay=ironout.rz.uni-potsdam.de [141.89.68.7]\n' \
      $((i / 60 % 60)) $((i % 60)) "$h" $((20000 + i)) "$i" "$i" "$i"
    printf 'Apr 23 16:%02d:%02d %s sendmail[%d]: [ID 801593 mail.info] u3NE6P%05d: to=<*snip*@hotmail.de>, delay=00:00:04, xdelay=00:00:03, mailer=esmtp, pri=201909, relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0, stat=Sent (<2016042314%05d.u3NE6P%05d@cl-mail.uni-potsdam.de> Queued mail for delivery)\n' \
      $((i / 60 % 60)) $((i % 60)) "$h" $((20001 + i)) "$i" "$i" "$i"
  done
}
gen n-mail-2 0 200 >good.log

# ---- 1. the good log ------------------------------------------------------
md ingest good.log >out1.txt 2>err1.txt; rc=$?
[ $rc -eq 0 ] || err "good log: exit $rc: $(head -3 err1.txt)"
grep -Eq 'lines: 400 read, 400 new' err1.txt || err "good log summary: $(cat err1.txt)"
grep -q $'\033\\[K' err1.txt && err "progress line drawn although stderr is not a terminal"
[ ! -s out1.txt ] || err "ingest wrote to stdout: $(head -2 out1.txt)"
# the same file again, and rotated + compressed: nothing new
cp good.log mail.log.1 && gzip -c good.log >mail.log.2.gz
md ingest good.log mail.log.1 mail.log.2.gz >/dev/null 2>err2.txt; rc=$?
[ $rc -eq 0 ] || err "re-ingest: exit $rc: $(head -3 err2.txt)"
grep -Eq 'lines: [0-9]+ read, 0 new' err2.txt || err "re-ingest added lines: $(grep lines: err2.txt)"
# what the store says now (raw lines are shown under their latest file name)
stats_before=$(md stats 2>/dev/null); stats_ok=$?
trace_before=$(md trace u3NE6P00042 2>/dev/null); trace_ok=$?

# ---- 2. bad inputs ----------------------------------------------------------
head -c 20000 /dev/urandom >bad/01-junk.bin
gen n-mail-3 1000 300 | gzip -c >full.gz
head -c $(($(stat -c %s full.gz) * 6 / 10)) full.gz >bad/02-cut.log.gz
{
  gen n-mail-3 2000 2
  head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' 'A'; echo
  printf 'Apr 23 17:00:00 n-mail-3 sendmail[1]: [ID 801593 mail.info] u3NE7A00001: from=<Universit\xe4t@uni-potsdam.de>, size=1, class=0, nrcpts=1, msgid=<\xc0\xaf@x>, proto=ESMTP, daemon=MTA, relay=[141.89.62.54]\n'
  printf 'Apr 23 17:00:01 n-mail-3 sendmail[2]: [ID 801593 mail.info] u3NE7A00002: to=<a\0b@hotmail.de>, stat=Sent\n'
  printf '\x1b[2J\x07 not a log line at all\n'
  gen n-mail-3 2100 2
} >bad/03-mixed.log
ln -s "$t/does-not-exist" bad/04-dangling.log
head -c 3000 /dev/urandom >"bad/06-"$'\e'"[2J-name.bin"   # an escape sequence in a file name
gen n-mail-3 3000 5 >bad/05-good-after.log
extra=()
[ -d "${MD_FIXTURES:-/nonexistent}/logs/bad" ] && extra=("$MD_FIXTURES/logs/bad")

md ingest bad "${extra[@]}" >/dev/null 2>err3.txt; rc=$?
[ $rc -eq 3 ] || err "bad inputs: exit $rc, not 3: $(tail -5 err3.txt)"
grep -Eq "bad/01-junk.bin: .*(not a recognised|skipped)" err3.txt || err "junk file not reported"
grep -Eq "bad/02-cut.log.gz:[0-9]+: .*truncated gzip" err3.txt || err "truncated gzip not reported with its line"
grep -Eq "bad/04-dangling.log: " err3.txt || err "dangling link not reported"
# every warning names a file
if grep -v '^ \|^ingested' err3.txt | grep -Ev '^maildossier: [^ :]+(:[0-9]+)?: ' >odd.txt; then
  err "warnings without FILE[:LINE]: $(head -3 odd.txt)"
fi
# nothing raw reaches the terminal
grep -q $'\x1b' err3.txt && err "escape sequence of the input reached stderr"
grep -q 'bad/06-\\x1B\[2J-name.bin: ' err3.txt || err "file name with an escape not reported masked"
# the lines after the bad ones were read: the whole of 03 (12 lines) and 05 (10)
read_lines=$(sed -n 's/.*lines: \([0-9]*\) read.*/\1/p' err3.txt)
cut_lines=$(grep -Eo 'bad/02-cut.log.gz:[0-9]+' err3.txt | head -1 | cut -d: -f2)
want=$((${cut_lines:-0} + 12 + 10))
# a log reader that stores lines reports the lines that parse as nothing
if grep -Eq 'lines: 400 read, 400 new' err1.txt; then
  grep -Eq "bad/03-mixed.log:5: " err3.txt || err "the 10 MB line (03-mixed.log:5) not reported"
  grep -Eq "bad/03-mixed.log:8: " err3.txt || err "the junk line (03-mixed.log:8) not reported"
fi
if [ ${#extra[@]} -eq 0 ]; then
  [ "${read_lines:-0}" -ge "$want" ] || err "read $read_lines lines, expected at least $want"
fi
[ "${cut_lines:-0}" -gt 100 ] || err "truncated gzip: only ${cut_lines:-0} lines before the cut were read"

# ---- 3. nothing stored before was lost ------------------------------------
if [ $stats_ok -eq 0 ]; then
  stats_after=$(md stats 2>/dev/null)
  # the good host's figures are unchanged
  b=$(grep n-mail-2 <<<"$stats_before"); a=$(grep n-mail-2 <<<"$stats_after")
  [ "$b" = "$a" ] || err "stats of n-mail-2 changed: '$b' -> '$a'"
else
  echo "stats not available: store comparison by re-ingest only"
fi
if [ $trace_ok -eq 0 ]; then
  [ "$(md trace u3NE6P00042 2>/dev/null)" = "$trace_before" ] || err "trace of a good message changed"
fi
md ingest good.log >/dev/null 2>err4.txt; rc=$?
[ $rc -eq 0 ] || err "good log after bad: exit $rc"
grep -Eq 'lines: [0-9]+ read, 0 new' err4.txt || err "good log after bad: $(grep lines: err4.txt)"

# ---- 4. options after paths, -q, stdin, progress on a terminal ---------------
# (a store of its own: in $db good.log was read in the year of its time, and
# --year 2016 reads it again, which is said even with -q: e2e_forget)
"$MD_BIN" --db "$t/opts.db" ingest good.log --no-progress --year 2016 -q >/dev/null 2>err6.txt; rc=$?
[ $rc -eq 0 ] || err "options after the path: exit $rc: $(head -2 err6.txt)"
[ ! -s err6.txt ] || err "ingest PATH -q printed: $(head -3 err6.txt)"
gen n-mail-4 0 50 | md -q ingest - >/dev/null 2>err5.txt; rc=$?
[ $rc -eq 0 ] || err "-q ingest -: exit $rc"
[ ! -s err5.txt ] || err "-q printed: $(head -3 err5.txt)"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
  gen n-mail-5 0 20000 >big.log
  script -qec "'$MD_BIN' --db '$db' ingest big.log" /dev/null >tty.txt 2>&1
  grep -q $'\033\\[K' tty.txt || err "no progress line on a terminal"
  grep -q 'lines/s' tty.txt || err "no rate in the progress line"
  script -qec "'$MD_BIN' --db '$db' ingest --no-progress good.log" /dev/null >tty2.txt 2>&1
  grep -q $'\033\\[K' tty2.txt && err "--no-progress drew a progress line"
  script -qec "'$MD_BIN' --db '$db' -q ingest good.log" /dev/null >tty3.txt 2>&1
  [ ! -s tty3.txt ] || err "-q on a terminal printed: $(head -c 200 tty3.txt | cat -v)"
else
  echo "script(1) absent or no pseudo-terminal: progress on a terminal not checked"
fi
# ---- 5. devices, empty inputs, named pipes, link loops --------------------------
mdt() { timeout 60 "$MD_BIN" --db "$db" "$@"; }   # a device read would never end
mdt ingest /dev/zero /dev/urandom /dev/null >/dev/null 2>err7.txt; rc=$?
[ $rc -eq 3 ] || err "devices: exit $rc, want 3: $(head -3 err7.txt)"
for d in /dev/zero /dev/urandom /dev/null; do
  grep -qx "maildossier: $d: not a regular file or directory (character device); skipped" err7.txt ||
    err "$d not named as skipped: $(cat err7.txt)"
done
grep -q '0 failed' err7.txt && err "devices not counted as failed: $(grep ingested err7.txt)"
mdt ingest --format log - </dev/zero >/dev/null 2>err8.txt; rc=$?
[ $rc -eq 3 ] || err "stdin from /dev/zero: exit $rc, want 3"
grep -q '^maildossier: -: standard input is a character device' err8.txt ||
  err "stdin from a device not named: $(head -3 err8.txt)"
: >empty.log
mdt ingest empty.log >/dev/null 2>err9.txt; rc=$?
# (mail.log just after logrotate, from cron: named, but nothing is wrong)
[ $rc -eq 0 ] || err "empty input: exit $rc, want 0"
grep -qx 'maildossier: empty.log: empty; nothing to read' err9.txt || err "empty input: $(head -3 err9.txt)"
mdt ingest <(gen n-mail-6 0 3) >/dev/null 2>err10.txt; rc=$?
[ $rc -eq 0 ] || err "named pipe: exit $rc: $(head -3 err10.txt)"
grep -q 'lines: 6 read, 6 new' err10.txt || err "named pipe not read: $(grep lines: err10.txt)"
mkdir -p loop/d
gen n-mail-7 0 5 >loop/d/mail.log
ln -s .. loop/d/a && ln -s . loop/d/b
mdt ingest loop >/dev/null 2>err11.txt; rc=$?
[ $rc -eq 0 ] || err "link loops: exit $rc, want 0: $(head -3 err11.txt)"
grep -qx 'maildossier: loop/d/a: symbolic link loop: this is loop again, which is being read; skipped' \
  err11.txt || err "loop d/a -> .. not named: $(head -3 err11.txt)"
grep -qx 'maildossier: loop/d/b: symbolic link loop: this is loop/d again, which is being read; skipped' \
  err11.txt || err "loop d/b -> . not named: $(head -3 err11.txt)"
[ "$(grep -c '^maildossier: ' err11.txt)" -eq 2 ] || err "link loops: $(grep -c '^maildossier: ' err11.txt) warnings, want 2"
grep -q 'lines: 10 read, 10 new' err11.txt || err "link loops: $(grep lines: err11.txt)"

[ $fail -eq 0 ] && echo "e2e_ingest: ok"
exit $fail
