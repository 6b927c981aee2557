#!/usr/bin/env bash
# e2e_jmrp.sh: a JMRP complaint in the 2026 form (standard ARF, the original
# as headers only, sender and recipient redacted; fixtures/messages-16d) is
# matched to our log line by Message-ID and time and counted per IP and day
# in `ip`: matched when the logs hold the delivery to Microsoft, unmatched
# without the logs, with another Message-ID or with an Arrival-Date days
# away from the delivery.
# Env: MD_BIN, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
f=$MD_FIXTURES/messages-16d/jmrp-2026-headers-only.eml
[ -f "$f" ] || { echo "skip: $f missing"; exit 77; }
T=$MD_TMP/e2e_jmrp.$$
rm -rf "$T"
mkdir -p "$T/m"
trap 'rm -rf "$T"' EXIT
conf=$MD_FIXTURES/maildossier.conf
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi; }
md() { local db=$1; shift; "$MD_BIN" --db "$db" --config "$conf" "$@"; }

md "$T/a.db" -q ingest --year 2016 --no-progress "$MD_FIXTURES"/logs/n-mail-1 "$f" 2> /dev/null
rc=$?
check "ingest logs and the complaint (exit 0 or 3, got $rc)" test $rc -eq 0 -o $rc -eq 3
md "$T/a.db" ip 141.89.68.1 > "$T/a.txt"
check "ip shows the JMRP days" grep -q '^JMRP complaints by day (UTC; matched: to our delivery to Microsoft by$' "$T/a.txt"
check "complaint matched to n-mail-1's delivery" grep -qx '  2016-04-25 1 complaint, 1 matched' "$T/a.txt"
md "$T/a.db" ip 141.89.68.7 > "$T/a7.txt" 2> /dev/null
check "no complaint counted for another IP" bash -c "! grep -q 'JMRP complaints' '$T/a7.txt'"

md "$T/b.db" -q ingest --year 2016 --no-progress "$f" 2> /dev/null
md "$T/b.db" ip 141.89.68.1 > "$T/b.txt" 2> "$T/b.err"
check "without the logs: counted, not matched" grep -qx '  2016-04-25 1 complaint, 0 matched' "$T/b.txt"
check "without the logs: the IP is not 'nothing known'" bash -c "! grep -q 'nothing known' '$T/b.err'"

sed 's/^Message-ID: <8ED98358.44901@uni-potsdam.de>$/Message-ID: <other.1@uni-potsdam.de>/' "$f" > "$T/m/other-id.eml"
md "$T/c.db" -q ingest --year 2016 --no-progress "$MD_FIXTURES"/logs/n-mail-1 "$T/m/other-id.eml" 2> /dev/null
md "$T/c.db" ip 141.89.68.1 > "$T/c.txt"
check "another Message-ID: not matched" grep -qx '  2016-04-25 1 complaint, 0 matched' "$T/c.txt"

sed 's/^Arrival-Date: Mon, 25 Apr 2016 04:00:10 +0000$/Arrival-Date: Sat, 30 Apr 2016 04:00:10 +0000/' "$f" > "$T/m/late.eml"
md "$T/d.db" -q ingest --year 2016 --no-progress "$MD_FIXTURES"/logs/n-mail-1 "$T/m/late.eml" 2> /dev/null
md "$T/d.db" ip 141.89.68.1 > "$T/d.txt"
check "five days after the delivery: not matched, counted on its own day" \
    grep -qx '  2016-04-30 1 complaint, 0 matched' "$T/d.txt"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
