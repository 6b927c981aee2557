#!/bin/bash
# e2e_tlsrpt.sh: TLS reports (RFC 8460), the DMARCbis form and DMARC
# failure reports (RFC 9991, ARF auth-failure) end to end
# (fixtures/reports-2026/): Microsoft's report as .json, Google's as
# .json.gz and Microsoft's next day as a mail attachment are ingested and
# stored (reports, policies, failure rows with their counts and IPs); a
# second ingest stores nothing; a broken report is refused naming file and
# line; `show` prints what was read from each report file, the DMARCbis
# fields of an Outlook.com dmarc-2.0 report included; the failure report is
# stored as evidence of its message (and is no complaint); `ip` lists the
# TLS failures naming an IP (sending or receiving) and the failure reports.
set -u
[ -x "${MD_BIN:-}" ] || { echo "MD_BIN not set"; exit 77; }
dir=$MD_FIXTURES/reports-2026
[ -d "$dir" ] || { echo "no $dir"; exit 77; }
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
t=$MD_TMP/e2e_tlsrpt.$$
mkdir -p "$t/good"
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
db=$t/store.db
md() { "$MD_BIN" --db "$db" --config "$MD_FIXTURES/maildossier.conf" "$@"; }
q() { sqlite3 "$db" "$1"; }
ms="$dir/microsoft.com!uni-potsdam.de!1461283200!1461369599!133266432000000000.json"
gg="$dir/google.com!uni-potsdam.de!1461283200!1461369599!001.json.gz"
cp "$ms" "$gg" "$dir"/*.eml "$dir"/*.xml "$t/good/"

# ---- 1. ingest ------------------------------------------------------------------
md ingest "$t/good" >"$t/out1" 2>"$t/err1"; rc=$?
[ $rc -eq 0 ] || err "ingest: exit $rc: $(head -5 "$t/err1")"
grep -q 'tlsrpt 2' "$t/err1" || err "2 TLS report files expected: $(tail -2 "$t/err1")"
if command -v sqlite3 >/dev/null; then
  [ "$(q 'SELECT COUNT(*) FROM rep_tls_report')" = 3 ] || err "3 TLS reports expected (file, gz, mail)"
  [ "$(q "SELECT COUNT(*) FROM rep_tls_report WHERE microsoft")" = 2 ] || err "2 from Microsoft expected"
  [ "$(q "SELECT group_concat(day || ':' || success || '/' || failure, ' ') FROM (SELECT r.day, p.success,
        p.failure FROM rep_tls_policy p JOIN rep_tls_report r ON r.id = p.report WHERE r.microsoft
        ORDER BY r.day)")" = "2016-04-22:1838/61 2016-04-23:1901/0" ] \
    || err "Microsoft's sessions per day: $(q 'SELECT * FROM rep_tls_policy')"
  [ "$(q "SELECT group_concat(result_type || '=' || count, ' ') FROM (SELECT result_type, SUM(count) AS count
        FROM rep_tls_failure WHERE receiving_ip = '141.89.68.18' GROUP BY result_type)")" = \
    "certificate-expired=42" ] || err "141.89.68.18: 42 certificate-expired sessions expected"
  [ "$(q "SELECT receiving_mx FROM rep_tls_failure WHERE result_type = 'starttls-not-supported'")" = \
    mailup.uni-potsdam.de ] || err "starttls-not-supported at mailup expected"
  [ "$(q "SELECT reason_code FROM rep_tls_failure WHERE result_type = 'sts-policy-fetch-error'")" = \
    "HTTP 404" ] || err "sts-policy-fetch-error's reason code"
  [ "$(q "SELECT generator || '|' || discovery_method || '|' || np || '|' || testing FROM rep_dmarc_report
        WHERE ns_v2")" = "Outlook.com DMARC Aggregate Reporter|psl|reject|y" ] \
    || err "DMARCbis fields: $(q 'SELECT generator, discovery_method, np, testing FROM rep_dmarc_report')"
fi

# ---- 2. again: nothing new --------------------------------------------------------
md ingest "$t/good" >/dev/null 2>"$t/err2"; rc=$?
[ $rc -eq 0 ] || err "second ingest: exit $rc"
grep -q '0 documents stored' "$t/err2" || err "second ingest stored something: $(tail -1 "$t/err2")"
command -v sqlite3 >/dev/null && { [ "$(q 'SELECT COUNT(*) FROM rep_tls_failure')" = 4 ] || err "4 failure rows expected"; }

# ---- 3. a broken report ---------------------------------------------------------
md ingest "$dir/bad/tlsrpt-not-json.json" >/dev/null 2>"$t/err3"; rc=$?
[ $rc -ne 0 ] || err "broken TLS report: exit 0"
grep -q 'tlsrpt-not-json.json:5: not JSON' "$t/err3" || err "broken report: no file:line: $(cat "$t/err3")"

# --format tlsrpt: a TLS report under any name is read; XML is refused as not JSON
cp "$gg" "$t/report.bin"
"$MD_BIN" --db "$t/f.db" --config "$MD_FIXTURES/maildossier.conf" ingest --format tlsrpt "$t/report.bin" \
  >/dev/null 2>"$t/err6" || err "--format tlsrpt: exit $?: $(cat "$t/err6")"
grep -q 'tlsrpt 1; 1 documents stored' "$t/err6" || err "--format tlsrpt: not stored: $(tail -1 "$t/err6")"
"$MD_BIN" --db "$t/f.db" --config "$MD_FIXTURES/maildossier.conf" ingest --format tlsrpt "$dir"/dmarcbis-*.xml \
  >/dev/null 2>"$t/err7"; rc=$?
[ $rc -eq 3 ] || err "--format tlsrpt on XML: exit $rc, want 3"
grep -q 'dmarcbis-outlook.com!uni-potsdam.de!1461369600!1461456000.xml:1: not JSON' "$t/err7" \
  || err "--format tlsrpt on XML: $(cat "$t/err7")"

# ---- 4. show ----------------------------------------------------------------------
md show "$ms" >"$t/show1" 2>&1 || err "show Microsoft's report: exit $?"
grep -q '^  reporter:   Microsoft Corporation <tlsrpt-noreply@microsoft.com>$' "$t/show1" || err "show: reporter"
grep -q '^  sessions: 1838 successful, 61 failed$' "$t/show1" || err "show: sessions"
grep -q 'certificate-expired  *37 session(s)  MX ironin.rz.uni-potsdam.de \[141.89.68.18\]  from 40.92.68.31' \
  "$t/show1" || err "show: certificate-expired row: $(cat "$t/show1")"
grep -q 'starttls-not-supported  *12 session(s)  MX mailup.uni-potsdam.de \[141.89.68.244\]' "$t/show1" \
  || err "show: starttls-not-supported row"
grep -q 'sts-policy-fetch-error  *12 session(s)' "$t/show1" || err "show: sts-policy-fetch-error row"
md show "$gg" >"$t/show2" 2>&1 || err "show Google's .json.gz: exit $?"
grep -q 'certificate-expired  *5 session(s)  MX ironin.rz.uni-potsdam.de \[141.89.68.18\]  from 209.85.128.51' \
  "$t/show2" || err "show .json.gz: $(cat "$t/show2")"
md show "$dir"/dmarcbis-*.xml >"$t/show3" 2>&1 || err "show DMARCbis report: exit $?"
grep -q 'DMARC aggregate report (DMARCbis, urn:ietf:params:xml:ns:dmarc-2.0)' "$t/show3" || err "show: dmarc-2.0 form"
grep -q 'generator:  Outlook.com DMARC Aggregate Reporter' "$t/show3" || err "show: generator"
grep -q 'p=none sp=none np=reject adkim=r aspf=r testing=y discovery_method=psl' "$t/show3" \
  || err "show: DMARCbis policy: $(cat "$t/show3")"
grep -q '^  141.89.68.8  *54  DMARC fail (dkim fail, spf fail)  disposition none' "$t/show3" \
  || err "show: 141.89.68.8's record"
md show "$dir/tlsrpt-report-microsoft.eml" >"$t/show4" 2>&1 || err "show the report mail: exit $?"
grep -q '^---- attached report microsoft.com!uni-potsdam.de!1461369600!1461455999!133267296000000000.json.gz (part 2) ----$' \
  "$t/show4" || err "show mail: attachment not named: $(tail -12 "$t/show4")"
grep -q '^  sessions: 1901 successful, 0 failed$' "$t/show4" || err "show mail: the attached report's sessions"
# a report's strings are outside input: control characters never reach the terminal
printf '{"organization-name": "Evil\\u001b[31mCorp", "report-id": "x", "date-range": {"start-datetime":
 "2026-12-01T00:00:00Z", "end-datetime": "2026-12-01T23:59:59Z"}, "policies": []}' >"$t/evil.json"
md show "$t/evil.json" >"$t/show6" 2>&1 || err "show evil.json: exit $?"
grep -qF 'reporter:   Evil\x1B[31mCorp' "$t/show6" || err "show: escape not shown as \\x1B: $(cat -A "$t/show6")"
LC_ALL=C grep -q $'\x1b' "$t/show6" && err "show: a raw ESC reached the output"
md show "$dir/bad/tlsrpt-not-json.json" >/dev/null 2>"$t/err4"; rc=$?
[ $rc -eq 1 ] || err "show broken report: exit $rc, want 1"
grep -q 'tlsrpt-not-json.json:5: not JSON' "$t/err4" || err "show broken: $(cat "$t/err4")"

# ---- 5. a DMARC failure report -----------------------------------------------------
af="$dir/auth-failure-dmarc-141.89.68.8.eml"
md ingest "$af" >/dev/null 2>"$t/err5" || err "ingest failure report: exit $?: $(cat "$t/err5")"
if command -v sqlite3 >/dev/null; then
  [ "$(q "SELECT auth_failure || '|' || dkim_domain || '|' || dkim_selector || '|' || delivery_result
        || '|' || identity_alignment FROM msg_arf_auth")" = "dmarc|uni-potsdam.de|s2016|spam|none" ] \
    || err "failure report fields: $(q 'SELECT * FROM msg_arf_auth')"
  [ "$(q "SELECT source_ip || '|' || orig_message_id FROM msg_arf WHERE feedback_type = 'auth-failure'")" = \
    "141.89.68.8|571B3A2D.5060708@uni-potsdam.de" ] || err "failure report: source IP and message"
fi
md show "$af" >"$t/show5" 2>&1 || err "show failure report: exit $?"
grep -q '^DMARC failure report (arf):$' "$t/show5" || err "show: not called a DMARC failure report"
grep -q '^  Auth-Failure:       dmarc$' "$t/show5" || err "show: Auth-Failure"
grep -q '^  SPF-DNS:            txt : uni-potsdam.de : "v=spf1 ip4:141.89.68.0/24 ~all"$' "$t/show5" \
  || err "show: SPF-DNS"
grep -q 'Complaint' "$t/show5" && err "show: a failure report called a complaint"

# ---- 6. ip --------------------------------------------------------------------------
md ip 141.89.68.18 >"$t/ip1" 2>&1 || err "ip 141.89.68.18: exit $?: $(cat "$t/ip1")"
grep -q '^  2016-04-22  certificate-expired  *37 session(s)  Microsoft Corporation: uni-potsdam.de (receiving IP), MX ironin.rz.uni-potsdam.de$' \
  "$t/ip1" || err "ip: Microsoft's certificate-expired: $(cat "$t/ip1")"
grep -q 'certificate-expired  *5 session(s)  Google Inc.: uni-potsdam.de (receiving IP)' "$t/ip1" \
  || err "ip: Google's certificate-expired"
grep -q 'starttls' "$t/ip1" && err "ip 141.89.68.18: another MX's failure listed"
md ip 40.92.68.31 >"$t/ip2" 2>&1 || err "ip 40.92.68.31 (a sending IP named by the report): exit $?"
grep -q 'sts-policy-fetch-error  *12 session(s)  Microsoft Corporation: uni-potsdam.de (sending IP), MX ironin.rz.uni-potsdam.de, HTTP 404' \
  "$t/ip2" || err "ip: sending IP's rows: $(cat "$t/ip2")"
md ip 141.89.68.8 >"$t/ip3" 2>&1 || err "ip 141.89.68.8: exit $?"
grep -q 'uni-potsdam.de: Auth-Failure dmarc, DKIM uni-potsdam.de s=s2016, delivery spam, message <571B3A2D.5060708@uni-potsdam.de>' \
  "$t/ip3" || err "ip: failure report: $(cat "$t/ip3")"

# ---- 7. the parsedmarc corpus (when present): DMARCbis samples and failure reports --
pd=${MD_SHARED:-}/corpus/parsedmarc
if [ -d "$pd/failure" ]; then
  md show "$pd/aggregate/rfc9990-sample.xml" >"$t/c1" 2>&1 || err "rfc9990-sample.xml: exit $?"
  grep -q '(DMARCbis, urn:ietf:params:xml:ns:dmarc-2.0)' "$t/c1" || err "rfc9990-sample: form"
  grep -q 'generator:  Example DMARC Aggregate Reporter v1.2' "$t/c1" || err "rfc9990-sample: generator"
  grep -q 'p=quarantine sp=none np=none testing=n discovery_method=treewalk' "$t/c1" \
    || err "rfc9990-sample: policy: $(cat "$t/c1")"
  md show "$pd/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml" >"$t/c2" 2>&1 \
    || err "rfc9990-example.net: exit $?"
  grep -q '(DMARCbis fields, without the dmarc-2.0 namespace)' "$t/c2" || err "rfc9990-example.net: form"
  : >"$t/c3"
  for f in "$pd"/failure/*.eml; do
    md show "$f" >"$t/c3.one" 2>&1 || err "$f: exit $?"
    case $f in
      *no_arf*) grep -q 'DMARC failure report (arf)' "$t/c3.one" && err "$f: has no ARF part";;
      *) grep -q '^DMARC failure report (arf):$' "$t/c3.one" || err "$f: not read as a DMARC failure report";;
    esac
    cat "$t/c3.one" >>"$t/c3"
  done
  grep -q '^  Identity-Alignment: spf,dkim$' "$t/c3" || err "corpus: Netease's Identity-Alignment"
  grep -q '^  DKIM-Domain:        entrata.com$' "$t/c3" || err "corpus: Netease's DKIM-Domain"
  [ "$(grep -c '^  Auth-Failure:       dmarc$' "$t/c3")" = 3 ] || err "corpus: 3 Auth-Failure dmarc expected"
  md ingest "$pd/failure" >/dev/null 2>"$t/c4" || err "ingest corpus failure reports: exit $?: $(tail -3 "$t/c4")"
  command -v sqlite3 >/dev/null && { [ "$(q 'SELECT COUNT(*) FROM msg_arf_auth')" = 4 ] \
    || err "corpus failure reports not stored: $(q 'SELECT COUNT(*) FROM msg_arf_auth')"; }
fi

# ---- domain: the TLS reports about mail to the policy domain ------------------------
md domain uni-potsdam.de >"$t/dom" 2>"$t/dom.err"; rc=$?
[ $rc -eq 0 ] || err "domain uni-potsdam.de: exit $rc: $(head -3 "$t/dom.err")"
grep -Eq '^  2016-04-22 Microsoft Corporation +uni-potsdam.de +1899 +61$' "$t/dom" ||
    err "domain: Microsoft's TLS sessions of 2016-04-22 (1838 + 61): $(grep -A6 'TLS reports' "$t/dom")"
grep -Eq 'certificate-expired +37 session\(s\)  Microsoft Corporation, MX ironin.rz.uni-potsdam.de \[141.89.68.18\]' "$t/dom" ||
    err "domain: the certificate-expired failures at ironin: $(grep -A9 'TLS reports' "$t/dom")"

# ---- the dossier: Microsoft's TLS reports about our domains in the window ------------
md -q ticket 2016042210000001 --address nobody@uni-potsdam.de --since 2016-04-20 \
    --until 2016-04-25 --format xml,txt --out "$t/dos" >/dev/null 2>"$t/dos.err"; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 5 ] || err "ticket: exit $rc: $(head -3 "$t/dos.err")"
dx=$t/dos/dossier-2016042210000001.xml
if command -v xmllint >/dev/null; then
    xmllint --noout --schema "$MD_SOURCE_DIR/templates/dossier.xsd" "$dx" 2>/dev/null ||
        err "the dossier with TLS reports does not validate"
    [ "$(xmllint --xpath 'count(/dossier/tls-reports/entry[@src != ""])' "$dx" 2>/dev/null)" -ge 2 ] ||
        err "the dossier's TLS entries (with sources): $(xmllint --xpath '/dossier/tls-reports' "$dx" 2>&1 | head -5)"
fi
tr -s ' \n' '  ' < "$t/dos/dossier-2016042210000001.txt" > "$t/dos.flat"
grep -q '2016-04-22 (UTC): Microsoft Corporation reported 1899 TLS sessions to uni-potsdam.de, 61 of them failed' "$t/dos.flat" ||
    err "the dossier's TLS day: $(grep -o 'TLS reports of Microsoft.\{0,300\}' "$t/dos.flat")"
grep -q '37 sessions to uni-potsdam.de failed with certificate-expired at MX ironin.rz.uni-potsdam.de \[141.89.68.18\]' "$t/dos.flat" ||
    err "the dossier's TLS failure at ironin"
grep -q 'Google' "$t/dos.flat" && err "the dossier lists another reporter than Microsoft"

[ $fail -eq 0 ] && echo "e2e_tlsrpt: ok"
exit $fail
