#!/usr/bin/env bash
# e2e_request.sh: the request's life (issue 14): writing or printing a
# request is a preview and records nothing; `--sent` (with `--case`)
# records it with the file's absolute path, `ip` and `status` count it,
# `--list` shows it, `--withdraw` marks it (kept, no longer counted) once;
# wrong combinations are usage errors.  SNDS/JMRP enrolment not declared in
# the configuration is said so, never "not enrolled".
# Env: MD_BIN, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
[ -d "$MD_FIXTURES/logs/n-mail-2" ] || { echo "skip: scenario logs not in fixtures"; exit 77; }
T=$MD_TMP/e2e_request.$$
rm -rf "$T"
mkdir -p "$T/run"
trap 'rm -rf "$T"' EXIT
db=$T/md.db
conf=$MD_FIXTURES/maildossier.conf
md() { "$MD_BIN" --db "$db" --config "$conf" "$@"; }
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi; }
flat() { tr -s ' \n' '  ' < "$1"; }

ticket=2016042010001094
md -q ingest --year 2016 --no-progress "$MD_FIXTURES"/logs/n-mail-2 "$MD_FIXTURES"/rules \
    "$MD_FIXTURES"/replies 2> "$T/ingest.err"
rc=$?
check "ingest (exit 0 or 3, got $rc)" test $rc -eq 0 -o $rc -eq 3
md -q ticket "$ticket" --address anna.schmidt@uni-potsdam.de --since 2016-04-06 \
    --until 2016-04-25 --out "$T/out" > /dev/null
check "ticket exits 0" test $? -eq 0

# ---- a preview records nothing -------------------------------------------------
md request --ticket "$ticket" --out "$T/preview.txt" 2> "$T/preview.err"
check "preview exits 0" test $? -eq 0
check "preview written" grep -q '141.89.68.1' "$T/preview.txt"
check "preview says it is a preview, not recorded" grep -q 'a preview, not recorded' "$T/preview.err"
md request --ticket "$ticket" > "$T/preview2.txt" 2> /dev/null
check "printed preview exits 0" test $? -eq 0
md request --list > "$T/list0.txt"
check "--list after previews: nothing recorded" grep -qx 'no request recorded as sent' "$T/list0.txt"
md ip 141.89.68.1 > "$T/ip0.txt"
check "ip after previews: 0 requests sent" grep -q '; 0 requests sent, ' "$T/ip0.txt"
check "ip after previews: no request listed" bash -c "! grep -q 'Requests sent to Microsoft' '$T/ip0.txt'"

# ---- usage errors ------------------------------------------------------------------
md request --ticket "$ticket" --case SRX1 > /dev/null 2>&1
check "--case without --sent: exit 2" test $? -eq 2
md request --ticket "$ticket" --sent --case 'SRX 1; rm' > /dev/null 2>&1
check "--case with blanks: exit 2" test $? -eq 2
md request --list --ticket "$ticket" > /dev/null 2>&1
check "--list with --ticket: exit 2" test $? -eq 2
md request --withdraw 1 --sent > /dev/null 2>&1
check "--withdraw with --sent: exit 2" test $? -eq 2
md request --withdraw abc > /dev/null 2>&1
check "--withdraw abc: exit 2" test $? -eq 2
md request --ticket "$ticket" --why oops > /dev/null 2>&1
check "--why without --withdraw: exit 2" test $? -eq 2
md request --list > "$T/list1.txt"
check "usage errors record nothing" grep -qx 'no request recorded as sent' "$T/list1.txt"

# ---- sent: recorded with the absolute path and the case number ----------------------
(cd "$T/run" && md request --ticket "$ticket" --out sub/req.txt --sent --case SRX1361942213ID) \
    2> "$T/sent.err"
check "--sent exits 0" test $? -eq 0
check "--sent writes the file" grep -q '141.89.68.1' "$T/run/sub/req.txt"
check "--sent says it is recorded, with the case" \
    grep -q 'request 1 recorded as sent, case SRX1361942213ID' "$T/sent.err"
md request --list > "$T/list2.txt"
check "--list: request 1 with its case" grep -Eq '^1  sent [0-9-]+ [0-9:]+  case SRX1361942213ID$' "$T/list2.txt"
check "--list: the absolute path" grep -qx "    file: $T/run/sub/req.txt" "$T/list2.txt"
check "--list: the IPs" grep -q 'IPs: 141.89.68.1; ' "$T/list2.txt"
check "--list: the ticket" grep -qx "    tickets: $ticket" "$T/list2.txt"
md ip 141.89.68.1 > "$T/ip1.txt"
check "ip: 1 request sent" grep -q '; 1 request sent, ' "$T/ip1.txt"
check "ip: the request with its case" grep -q 'request 1, case SRX1361942213ID, tickets' "$T/ip1.txt"
md status --all > "$T/status1.txt"
check "status counts it" grep -q '1 request sent' "$T/status1.txt"
md -q request --ticket "$ticket" --sent > /dev/null
check "a second request, printed and sent, exits 0" test $? -eq 0
md request --list > "$T/list3.txt"
check "--list: request 2 without a case" grep -Eq '^2  sent [0-9-]+ [0-9:]+$' "$T/list3.txt"

# ---- withdrawn: kept, marked, no longer counted --------------------------------------
md request --withdraw 2 --why 'sent twice by mistake' 2> "$T/wd.err"
check "--withdraw 2 exits 0" test $? -eq 0
md request --list > "$T/list4.txt"
check "--list: 2 marked withdrawn with the reason" \
    grep -Eq '^2  sent .*  WITHDRAWN [0-9-]+ [0-9:]+: sent twice by mistake$' "$T/list4.txt"
check "--list: 1 still standing" bash -c "grep -E '^1  sent' '$T/list4.txt' | grep -vq WITHDRAWN"
md ip 141.89.68.1 > "$T/ip2.txt"
check "ip: still 1 request sent" grep -q '; 1 request sent, ' "$T/ip2.txt"
check "ip: the withdrawn one marked" grep -q 'request 2.*(withdrawn .*sent twice by mistake)' "$T/ip2.txt"
md request --withdraw 2 > /dev/null 2> "$T/wd2.err"
check "withdrawing again: exit 1" test $? -eq 1
check "withdrawing again: says so" grep -q 'withdrawn already' "$T/wd2.err"
md request --withdraw 99 > /dev/null 2>&1
check "withdrawing an unknown request: exit 4" test $? -eq 4

# ---- enrolment: declared or not declared, never a default ----------------------------
grep -v -E '^(snds|jmrp) *=' "$conf" > "$T/nosnds.conf"
"$MD_BIN" --db "$db" --config "$T/nosnds.conf" request --ticket "$ticket" --out "$T/ns.txt" \
    2> "$T/ns.err"
check "request without snds/jmrp exits 0" test $? -eq 0
flat "$T/ns.txt" > "$T/ns.flat"
check "SNDS not declared" grep -q 'SNDS: not declared (\[microsoft\] snds)' "$T/ns.flat"
check "JMRP not declared" grep -q 'JMRP: not declared (\[microsoft\] jmrp)' "$T/ns.flat"
check "no 'not enrolled' invented" bash -c "! grep -q 'not enrolled' '$T/ns.flat'"
check "request warns: snds not declared" grep -q 'warning: request: \[microsoft\] snds not declared' "$T/ns.err"
flat "$T/preview.txt" > "$T/pv.flat"
check "SNDS enrolled, as declared" grep -q 'SNDS: enrolled (declared by the postmaster: \[microsoft\] snds)' "$T/pv.flat"
sed -e 's/^snds *=.*/snds = no/' "$conf" > "$T/nosnds2.conf"
"$MD_BIN" --db "$db" --config "$T/nosnds2.conf" request --ticket "$ticket" 2> /dev/null | flat /dev/stdin > "$T/n2.flat"
check "SNDS declared no: not enrolled, as declared" \
    grep -q 'SNDS: not enrolled (declared by the postmaster: \[microsoft\] snds)' "$T/n2.flat"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
