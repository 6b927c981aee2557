#!/usr/bin/env bash
# e2e_domain.sh: `maildossier domain` and the reputation part of `ip` on the
# fixtures (fixtures/SCENARIO.md, "Volume to Microsoft and 5.7.515"): the
# scenario's inputs and fixtures/logs-volume (a day with 5,210 messages to
# Microsoft's consumer domains, one with 1,200 and four 5.7.515 refusals, and a
# stored bounce with a fifth).
# `domain uni-potsdam.de` shows the daily volumes and the day over 5,000,
# Outlook.com's DMARC pass rates from the stored reports, the refusals with
# their SPF/DKIM/DMARC results, the records of a DNS export (and says "not
# checked" without one, names file and line of a bad one); exit 4 for a
# domain nothing is known of.  `ip 141.89.68.7` shows the SNDS days and the
# DMARC results; an IP known only from DMARC rows is not "nothing known".
# Env: MD_BIN, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
vol=$MD_FIXTURES/logs-volume/smtpout-volume.log.xz
[ -f "$vol" ] || { echo "skip: no $vol"; exit 77; }
T=$MD_TMP/e2e_domain.$$
rm -rf "$T"
mkdir -p "$T"
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
db=$T/md.db
md() { "$MD_BIN" --db "$db" --config "$MD_FIXTURES/maildossier.conf" "$@"; }
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
has() { if grep -qE -- "$2" "$3"; then ok "$1"; else bad "$1: no /$2/ in $3"; sed 's/^/    /' "$3"; fi; }
hasnt() { if grep -qE -- "$2" "$3"; then bad "$1: /$2/ in $3"; else ok "$1"; fi; }

. "$MD_FIXTURES/inputs.sh"
md_fixture_inputs "$MD_FIXTURES"
md -q ingest --year 2016 --no-progress "${inputs[@]}" "$vol" \
  "$MD_FIXTURES/logs-volume/bounce-5.7.515.eml" 2> "$T/ingest.err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] && ok "ingest (exit $rc)" || bad "ingest: exit $rc"

# ---- domain ---------------------------------------------------------------------
md domain uni-potsdam.de > "$T/dom" 2> "$T/dom.err"
rc=$?
[ $rc -eq 0 ] && ok "domain: exit 0" || bad "domain: exit $rc: $(cat "$T/dom.err")"
# gen_volume.py: 5,210 messages, 104 with a second recipient, 10 deferred once
has "2016-05-03: 5210 messages, 5324 attempts, over" \
    '^  2016-05-03 +5210 +5324 +5314 +10 +0  over the limit$' "$T/dom"
has "2016-05-04: 1200 messages, 4 bounced" '^  2016-05-04 +1200 +1200 +1196 +0 +4$' "$T/dom"
has "the day over 5,000 named" '^Over 5,000 on 1 day: 2016-05-03 \(5210 messages\)\.$' "$T/dom"
hasnt "xuni-potsdam.de and gmx.de not counted" '2016-05-03 +(5217|5360|5367)' "$T/dom"
# Outlook.com's reports (fixtures/reports): 2016-04-22: 455 messages of
# header_from uni-potsdam.de, 424 DMARC pass, 44 aligned DKIM, 380 aligned SPF
has "DMARC 2016-04-22" '^  2016-04-22 +1 +455 +424 \(93\.2%\) +44 \(9\.7%\) +380 \(83\.5%\)$' "$T/dom"
has "DMARC 2016-04-23" '^  2016-04-23 +1 +497 +469 \(94\.4%\) +57 \(11\.5%\) +469 \(94\.4%\)$' "$T/dom"
hasnt "Google's report is not Outlook.com's" '^  2016-04-23 +2 ' "$T/dom"
has "5 refusals (4 log lines, 1 stored bounce)" '^550 5\.7\.515 refusals .*: 5$' "$T/dom"
has "the stored bounce, where it was read" \
    '^  2016-05-05 09:20:00  to \*snip\*@hotmail\.com  bounce  .*bounce-5\.7\.515\.eml$' "$T/dom"
has "the stored bounce's results" \
    '^      domain events\.uni-potsdam\.de: SPF softfail, DKIM none, DMARC fail$' "$T/dom"
has "SPF fail, DKIM pass" '^      domain uni-potsdam\.de: SPF fail, DKIM pass, DMARC fail$' "$T/dom"
has "SPF pass, DKIM fail" '^      domain uni-potsdam\.de: SPF pass, DKIM fail, DMARC fail$' "$T/dom"
has "both fail (subdomain)" '^      domain cs\.uni-potsdam\.de: SPF fail, DKIM fail, DMARC fail$' "$T/dom"
has "a refusal that names no result says so" 'the text names no SPF, DKIM or DMARC result' "$T/dom"
has "refusal: file and line, recipient redacted" \
    '^  2016-05-04 15:10:01  to \*snip\*@hotmail\.com  log  .*smtpout-volume\.log\.xz:[0-9]+$' "$T/dom"
hasnt "no recipient local part" 'u[0-9]{5}@|kai\.fischer' "$T/dom"
has "no DNS export: not checked" '^SPF/DMARC records: not checked \(no export given\)$' "$T/dom"

md domain --dns "$MD_FIXTURES/dns/uni-potsdam.de.dig" uni-potsdam.de > "$T/dns" 2>&1
has "--dns: the SPF record" \
    '^  line 6  SPF   uni-potsdam\.de  "v=spf1 ip4:141\.89\.64\.0/20 ip4:141\.89\.68\.0/24 include:_spf\.uni-potsdam\.de ~all"$' "$T/dns"
has "--dns: the DMARC record" '^  line 7  DMARC _dmarc\.uni-potsdam\.de  "v=DMARC1; p=none;' "$T/dns"
hasnt "--dns: other domains left out" 'example\.org|MS=ms' "$T/dns"
md domain --dns "$MD_FIXTURES/dns/bad/unterminated.zone" uni-potsdam.de > /dev/null 2> "$T/dnsbad"
rc=$?
[ $rc -eq 1 ] && ok "bad DNS export: exit 1" || bad "bad DNS export: exit $rc"
has "bad DNS export: file and line" 'unterminated\.zone: line 4: unterminated quoted string' "$T/dnsbad"

md domain --since 2016-05-04 --until 2016-05-04T23:59:59Z uni-potsdam.de > "$T/win" 2>&1
has "window: 2016-05-04 only" '^  2016-05-04 +1200 ' "$T/win"
hasnt "window: not 2016-05-03" '2016-05-03' "$T/win"
has "window: under the limit" '^Not over 5,000 on any day in the logs \(busiest: 1200 messages\)\.$' "$T/win"

md domain nowhere.invalid > "$T/none" 2> "$T/none.err"
rc=$?
[ $rc -eq 4 ] && ok "unknown domain: exit 4" || bad "unknown domain: exit $rc"
has "unknown domain: nothing known" 'nothing known about nowhere\.invalid' "$T/none.err"
md domain 'not a domain' > /dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok "bad domain: exit 2" || bad "bad domain: exit $rc"

# ---- ip: reputation day by day ------------------------------------------------
md ip 141.89.68.7 > "$T/ip" 2>&1
# fixtures/reports/snds-data-2016-04.csv and the Outlook.com reports
has "ip: SNDS RED day with complaints and traps" \
    '^  2016-04-23 RED +8888 +8838 +8875 1\.2% +3 +412 +412 +0$' "$T/ip"
has "ip: SNDS YELLOW day" '^  2016-04-22 YELLOW +8851 +8803 +8839 0\.6% +1 +380 +380 +0$' "$T/ip"
has "ip: DMARC per reporter at Outlook.com" \
    'Outlook\.com.*: 4 reports, 1293 messages, DMARC pass 1293, fail 0; DKIM pass 203, SPF pass 1293$' "$T/ip"
# an IP whose only evidence is DMARC rows (google.com's report)
ipd=$(command -v sqlite3 >/dev/null && sqlite3 "$db" \
  "SELECT source_ip FROM rep_dmarc_record WHERE source_ip NOT IN (SELECT ip FROM rep_snds)
   AND source_ip NOT LIKE '141.89.%' LIMIT 1")
if [ -n "$ipd" ]; then
  md ip "$ipd" > "$T/ipd" 2> "$T/ipd.err"
  rc=$?
  [ $rc -eq 0 ] && ok "ip $ipd (DMARC rows only): exit 0" || bad "ip $ipd: exit $rc"
  hasnt "ip $ipd: not 'nothing known'" 'nothing known' "$T/ipd.err"
  has "ip $ipd: its DMARC results" 'DMARC pass [0-9]+, fail [0-9]+' "$T/ipd"
else
  echo "note: no DMARC-only IP in the fixtures (or no sqlite3): that check not run"
fi
md ip 192.0.2.99 > /dev/null 2> "$T/ipn"
rc=$?
[ $rc -eq 4 ] && ok "unknown IP: exit 4" || bad "unknown IP: exit $rc"

# ---- the request says it where it matters (a day over 5,000, 5.7.515) ----------------
md -q request --since 2016-05-02 --until 2016-05-06 --out "$T/req-may.xml" > /dev/null 2>&1
md -q request --since 2016-05-02 --until 2016-05-06 --out "$T/req-may.txt" > /dev/null 2>&1
tr -s ' \n' '  ' < "$T/req-may.txt" > "$T/req-may.flat"
grep -q "uni-potsdam.de: on 1 day our logs show more than 5,000 messages from it to Outlook.com's consumer domains (busiest day: 5210); 5 refusals 550 5.7.515" "$T/req-may.flat" &&
    ok "request of May: the domain over 5,000 a day and its 5.7.515 refusals" ||
    bad "request of May: $(sed -n '/SENDING DOMAINS/,/PROBLEM/p' "$T/req-may.txt")"
xmllint --noout --schema "$MD_SOURCE_DIR/templates/request.xsd" "$T/req-may.xml" 2> /dev/null &&
    [ -n "$(xmllint --xpath 'string(/request/domain-authentication/paragraph/@src)' "$T/req-may.xml" 2> /dev/null)" ] &&
    ok "request of May: valid, the paragraph cites its sources" || bad "request of May: XML invalid or uncited"
md -q request --since 2016-04-19 --until 2016-04-26 --out "$T/req-apr.txt" > /dev/null 2>&1
grep -q 'SENDING DOMAINS' "$T/req-apr.txt" && bad "request of April: a domain section where nothing matters" ||
    ok "request of April: no domain section (no day over 5,000, no 5.7.515)"

echo "$fails failure(s)"
[ $fails -eq 0 ]
