#!/usr/bin/env bash
# e2e_trace.sh: `maildossier trace` and `stats` end to end on the scenario's
# logs in fixtures/logs-h5/ (sendmail on n-mail-2, Postfix on smtpout): the
# trace of the user's address shows the copy the mail store forwarded to
# hotmail.de, accepted by Microsoft, joined to the original by the quoted
# Message-ID; addresses match in any case and with <>; queue ids and
# Message-IDs work too; --redact hides third-party local parts; nothing
# found exits 4; stats names the hosts.
set -u
: "${MD_BIN:?}" "${MD_TMP:?}" "${MD_FIXTURES:?}"
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
t=$MD_TMP/e2e_trace.$$
mkdir -p "$t"
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
db=$t/store.db
md() { "$MD_BIN" --db "$db" --config "$MD_FIXTURES/maildossier.conf" "$@"; }
logs=$MD_FIXTURES/logs-h5
md -q ingest --year 2016 "$logs" || err "ingest exit $?"

# the scenario: original on n-mail-2, copy to Hotmail, Microsoft's quote
out=$(md trace '<Lena.Schulz@UNI-POTSDAM.de>') || err "trace exit $?"
echo "$out" | grep -q 'u3NE6PWI025978' || err "original u3NE6PWI025978 missing"
echo "$out" | grep -q 'u3NE6SaT025990' || err "forwarded copy u3NE6SaT025990 missing"
echo "$out" | grep -q 'to <lena.schulz@hotmail.de>: accepted by Microsoft' \
    || err "copy to hotmail.de not shown as accepted by Microsoft"
echo "$out" | grep -q -- '-> \[.\] n-mail-2 u3NE6SaT025990 (ms-quoted-msgid)' \
    || err "no ms-quoted-msgid link from the original to the copy"
echo "$out" | grep -q 'quotes <01020154437159cf-906c0795-8cee-4c30-a993-4764335f2c9e-000000@eu-west-1.amazonses.com>' \
    || err "link does not say which Message-ID was quoted"
echo "$out" | grep -q 'n-mail-2.log:7: Apr 23 16:06:32 n-mail-2 sendmail\[25992\]' \
    || err "raw line with file:line missing"
# the postfix host: local forward, forwarded-as link, InternalId
echo "$out" | grep -q 'forwarded to lena.schulz@hotmail.de as 4B7D1C0C11' || err "postfix forward outcome"
echo "$out" | grep -q 'InternalId=26182120276993' || err "InternalId missing"
echo "$out" | grep -q '(forwarded-as)' || err "forwarded-as link missing"
echo "$out" | grep -q 'rejected at SMTP time' || err "NOQUEUE reject not shown"

# by queue id, by Message-ID (no brackets), by the Hotmail address
md trace u3NE6SaT025990 | grep -q 'u3NE6PWI025978' || err "trace by queue id does not follow the link back"
md trace --no-follow 01020154437159cf-906c0795-8cee-4c30-a993-4764335f2c9e-000000@eu-west-1.amazonses.com \
    | grep -q '^2 message' || err "trace by Message-ID"
md trace LENA.SCHULZ@hotmail.de | grep -q 'u3NE6PWI025978' || err "trace from the copy back to the original"
# deferral with reason and named IP
md trace p.meyer@outlook.de | grep -q 'deferred 4.7.650 (badreputation, Microsoft names IP 141.89.68.1)' \
    || err "deferral reason / named IP"
# time window excludes
md -q trace --until 2016-04-01 lena.schulz@uni-potsdam.de > /dev/null; rc=$?
[ $rc -eq 4 ] || err "--until before everything: exit $rc, want 4"
md -q trace nobody@nowhere.example > /dev/null; rc=$?
[ $rc -eq 4 ] || err "unknown address: exit $rc, want 4"
md trace --since yesterday x@y > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || err "bad --since: exit $rc, want 2"
# redaction keeps the asked address only
red=$(md trace --redact lena.schulz@uni-potsdam.de)
echo "$red" | grep -q 't.klein@example.net' && err "--redact left a third-party address"
echo "$red" | grep -q 'lena.schulz@uni-potsdam.de' || err "--redact hid the asked address"
md trace --help | grep -q 'usage: maildossier trace' || err "trace --help"

# Exim's mainlog names no host: --host gives it one; without, it is "-"
md -q ingest --host mx-exim "$MD_FIXTURES/logs/exim/mainlog" || err "exim ingest exit $?"
out=$(md trace --no-lines a.hoffmann@hotmail.de) || err "exim trace exit $?"
echo "$out" | grep -q '^\[1\] mx-exim exim 1atMm5-0004Ot-Ah' || err "exim message not under host mx-exim"
echo "$out" | grep -q 'to <a.hoffmann@hotmail.de>: accepted by Microsoft' \
    || err "exim delivery to hotmail.de not accepted by Microsoft"
md -q ingest --host 'a b' "$MD_FIXTURES/logs/exim/mainlog" 2> /dev/null
[ $? -eq 2 ] || err "--host with a blank is not a usage error"

# stats
st=$(md stats --sources) || err "stats exit $?"
echo "$st" | grep -q 'n-mail-2 *9 ' || err "stats: n-mail-2 line count"
echo "$st" | grep -q 'smtpout' || err "stats: smtpout"
echo "$st" | grep -q 'lines per format: sendmail 9, postfix 22' || err "stats: per format"
md stats --help | grep -q 'usage: maildossier stats' || err "stats --help"
exit $fail
