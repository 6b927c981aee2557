#!/usr/bin/env bash
# e2e_request_form.sh: the request field by field and routed by what
# Microsoft said (issue 16): the form's fields (kind of sender declared or
# "not declared" with a warning, recipient domains, the semicolon IP list),
# every error with its UTC time, IP and the Microsoft server it names; the
# banned IP 141.89.68.8 (550 5.7.606, fixtures/logs/smtpout) under the
# delist portal and not in the form's IP list, the S3150 and RP-001/4.7.650
# IPs in the form; an IP Microsoft named that is not ours (193.174.75.20,
# fixtures/logs-16d) marked so and left out.  The XML validates.
# Env: MD_BIN, MD_SOURCE_DIR, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_SOURCE_DIR:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
[ -d "$MD_FIXTURES/logs-16d" ] || { echo "skip: fixtures/logs-16d missing"; exit 77; }
command -v xmllint > /dev/null || { echo "skip: no xmllint"; exit 77; }
T=$MD_TMP/e2e_request_form.$$
rm -rf "$T"
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
db=$T/md.db
conf=$MD_FIXTURES/maildossier.conf
md() { "$MD_BIN" --db "$db" --config "$conf" "$@"; }
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi; }
flat() { tr -s ' \n' '  ' < "$1"; }
xp() { xmllint --xpath "$1" "$T/w.xml" 2> /dev/null; }

md -q ingest --year 2016 --no-progress "$MD_FIXTURES"/logs "$MD_FIXTURES"/logs-16d \
    "$MD_FIXTURES"/messages "$MD_FIXTURES"/rules "$MD_FIXTURES"/replies 2> "$T/ingest.err"
rc=$?
check "ingest (exit 0 or 3, got $rc)" test $rc -eq 0 -o $rc -eq 3

# ---- a window with the 5.7.606 bounce ---------------------------------------------
md request --since 2016-04-19 --until 2016-04-26 --out "$T/w.txt" 2> "$T/w.err"
check "window request exits 0" test $? -eq 0
md request --since 2016-04-19 --until 2016-04-26 --out "$T/w.xml" 2> /dev/null
check "window request as XML exits 0" test $? -eq 0
check "the XML validates against request.xsd" \
    xmllint --noout --schema "$MD_SOURCE_DIR/templates/request.xsd" "$T/w.xml"
flat "$T/w.txt" > "$T/w.flat"
iplist=$(grep -A1 '^Outgoing IP addresses (for the form, separated by semicolons):$' "$T/w.txt" | tail -1)
check "form IP list: the support IPs, semicolon separated (got '$iplist')" \
    test "$iplist" = "141.89.68.1; 141.89.68.3; 141.89.68.4; 141.89.68.7"
check "one-per-line list leaves the banned IP out" \
    bash -c "! sed -n '/^Outgoing IP addresses, one per line:/,/^\$/p' '$T/w.txt' | grep -qx '141.89.68.8'"
check "delist portal section names the portal" \
    grep -q '^NOT FOR THIS FORM: DELIST PORTAL (https://sender.office.com)$' "$T/w.txt"
sed -n '/^NOT FOR THIS FORM: DELIST PORTAL/,/^IP ADDRESSES/p' "$T/w.txt" | tr -s ' \n' '  ' > "$T/delist.flat"
check "delist section: 141.89.68.8 banned, 5.7.606, its server and UTC time" \
    grep -q '141.89.68.8 - smtpout: Microsoft.s error names it: banned sending IP (5.7.606, server AM5EUR02FT047.eop-EUR02.prod.protection.outlook.com, 2016-04-23T14:12:01Z). A banned IP is delisted through Microsoft.s delist portal (https://sender.office.com), not through the sender-support form' "$T/delist.flat"
check "delist section: with its evidence, the bounce verbatim" \
    grep -q '550 5.7.606 Access denied, banned sending IP \[141.89.68.8\]' "$T/delist.flat"
check "delist section: only the banned IP" \
    bash -c "! grep -Eq '141\.89\.68\.(1|3|4|7) ' '$T/delist.flat'"
check "XML: 141.89.68.8 channel delist-portal" \
    test "$(xp 'string(//ips/ip[address="141.89.68.8"]/channel/@name)')" = delist-portal
check "XML: 141.89.68.1 (RP-001) channel sender-support" \
    test "$(xp 'string(//ips/ip[address="141.89.68.1"]/channel/@name)')" = sender-support
check "XML: 141.89.68.7 (S3150) channel sender-support" \
    test "$(xp 'string(//ips/ip[address="141.89.68.7"]/channel/@name)')" = sender-support
check "XML: the channel cites its sources" \
    test -n "$(xp 'string(//ips/ip[address="141.89.68.8"]/channel/@src)')"
check "RP-001 IP: rate limited, sender support" \
    grep -q 'Channel: sender support (this form). Microsoft.s error names it: rate limited (RP-001, 2016-04-21T13:04:10Z)' "$T/w.flat"
check "S3150 IP: block list, sender support" \
    grep -q 'Channel: sender support (this form). Microsoft.s error names it: on Microsoft.s block list (5.7.1, S3150, server BN3NAM04FT022.eop-NAM04.prod.protection.outlook.com, 2016-04-24T08:02:13Z)' "$T/w.flat"
check "problem: the banned IP named as not in this request" \
    grep -q 'Affected IPs: 141.89.68.1; 141.89.68.3; 141.89.68.4; 141.89.68.7. Not in this request, because Microsoft banned them (550 5.7.606-5.7.649) and their removal is asked at Microsoft.s delist portal (https://sender.office.com): 141.89.68.8.' "$T/w.flat"

md request --since 2016-04-19 --until 2016-04-26 --sent --out "$T/w-sent.txt" 2> /dev/null
md request --list > "$T/wlist.txt"
check "recorded window request: the form's IPs, not the banned one" \
    grep -qx '    IPs: 141.89.68.1; 141.89.68.3; 141.89.68.4; 141.89.68.7' "$T/wlist.txt"

# ---- field by field ----------------------------------------------------------------
check "kind of sender, as declared" \
    grep -q 'Kind of sender: university (declared by the postmaster: \[microsoft\] sender_kind)' "$T/w.flat"
check "XML: sender-kind cites the configuration" \
    test "$(xp 'string(//sources/source[@id=string(/request/sender-kind/@src)]/@key)')" = '[microsoft] sender_kind'
check "recipient domains: Microsoft's consumer domains as seen" \
    grep -q 'Recipient domains: hotmail.de \[[0-9]*\]; live.de \[[0-9]*\]; outlook.com \[[0-9]*\]; msn.com \[[0-9]*\]; outlook.de \[[0-9]*\]; hotmail.com' "$T/w.flat"
check "error: verbatim, with UTC time, server and IP" \
    grep -q '2016-04-23T14:12:01.123Z 08D36B6A1F2C3D4E\] (in reply to RCPT TO command) Seen 1 time, 2016-04-23 16:12:01 +02:00 (UTC 2016-04-23 14:12:01); Microsoft server: AM5EUR02FT047.eop-EUR02.prod.protection.outlook.com; IPs: 141.89.68.8.' "$T/w.flat"
check "error: a range in UTC" \
    grep -q '(UTC 2016-04-21 12:02:58 to 2016-04-21 13:04:10); IPs: 141.89.68.1.' "$T/w.flat"
check "XML: every error has its UTC times" \
    test "$(xp 'count(//errors/error[first-utc and last-utc])')" = "$(xp 'count(//errors/error)')"
grep -v '^sender_kind' "$conf" > "$T/nokind.conf"
"$MD_BIN" --db "$db" --config "$T/nokind.conf" request --since 2016-04-19 --until 2016-04-26 \
    > "$T/nk.txt" 2> "$T/nk.err"
check "without sender_kind: exit 0" test $? -eq 0
check "without sender_kind: not declared" \
    bash -c "tr -s ' \n' '  ' < '$T/nk.txt' | grep -q 'Kind of sender: not declared (\[microsoft\] sender_kind)'"
check "without sender_kind: warned" \
    grep -q 'warning: request: \[microsoft\] sender_kind not declared' "$T/nk.err"
check "with sender_kind: no such warning" bash -c "! grep -q sender_kind '$T/w.err'"

# ---- an IP Microsoft named that is not ours ------------------------------------------
md -q ticket 2016042510000311 --address m.richter@uni-potsdam.de --since 2016-04-24 \
    --until 2016-04-26 --out "$T/tk" > /dev/null
check "ticket of the shared-relay bounce exits 0" test $? -eq 0
md request --ticket 2016042510000311 --out "$T/f.txt" 2> /dev/null
check "its request exits 0" test $? -eq 0
md request --ticket 2016042510000311 --out "$T/f.xml" 2> /dev/null
check "its XML validates" \
    xmllint --noout --schema "$MD_SOURCE_DIR/templates/request.xsd" "$T/f.xml"
flat "$T/f.txt" > "$T/f.flat"
check "foreign IP marked NOT OURS" \
    grep -q '193.174.75.20 - NOT OURS: outside our networks and not one of our hosts' "$T/f.flat"
check "foreign IP: its operator's matter" \
    grep -q 'Channel: its operator. Microsoft.s error names it: on Microsoft.s block list (5.7.1, S3150, server AM5EUR03FT041.eop-EUR03.prod.protection.outlook.com, 2016-04-25T09:20:03Z). It is not ours' "$T/f.flat"
fl=$(grep -A1 '^Outgoing IP addresses (for the form, separated by semicolons):$' "$T/f.txt" | tail -1)
check "foreign IP not in the form's list (got '$fl')" test "$fl" = "141.89.68.3; 141.89.68.8"
check "problem names it as not ours" \
    grep -q 'Named by Microsoft but not ours (outside our networks, not one of our hosts), so not in this request: 193.174.75.20.' "$T/f.flat"
check "XML: party foreign / host" bash -c \
    "[ \"\$(xmllint --xpath 'string(//ips/ip[address=\"193.174.75.20\"]/party)' '$T/f.xml')\" = foreign ] &&
     [ \"\$(xmllint --xpath 'string(//ips/ip[address=\"141.89.68.3\"]/party)' '$T/f.xml')\" = host ]"
md request --ticket 2016042510000311 --sent --out "$T/f2.txt" 2> /dev/null
md request --list > "$T/list.txt"
check "recorded request lists our IPs only" bash -c \
    "grep -qx '    IPs: 141.89.68.3; 141.89.68.8' '$T/list.txt' && ! grep -q 193.174 '$T/list.txt'"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
