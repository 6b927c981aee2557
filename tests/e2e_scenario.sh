#!/usr/bin/env bash
# e2e_scenario.sh: the scenario end to end on the fixtures (fixtures/SCENARIO.md):
# ingest everything, write the dossier of ticket 2016042010001094 and check the
# verdicts, the affected IPs (exactly the scenario's, no more), redaction, the
# XML against templates/dossier.xsd, the PDF's text; the request (schema, IP
# list, no personal data); ticket-number validation; an IP's history with
# Microsoft's answers, a recurrence after a later failure, and status
# ordering.  Env: MD_BIN, MD_SOURCE_DIR, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_SOURCE_DIR:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
command -v xmllint > /dev/null || { echo "skip: xmllint missing"; exit 77; }
command -v pdftotext > /dev/null || { echo "skip: pdftotext missing"; exit 77; }
[ -d "$MD_FIXTURES/logs/n-mail-2" ] || { echo "skip: scenario logs not in fixtures yet"; exit 77; }

T=$MD_TMP/e2e_scenario.$$
rm -rf "$T"
mkdir -p "$T/out"
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
db=$T/md.db
conf=$MD_FIXTURES/maildossier.conf
md() { "$MD_BIN" --db "$db" --config "$conf" "$@"; }
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

ticket=2016042010001094
addr=anna.schmidt@uni-potsdam.de

# ---- ingest ------------------------------------------------------------------
# all fixtures but the copies of the scenario's lines kept for other tests
# (logs/scenario, logs-h5: the same queue ids on the same host)
inputs=()
for d in "$MD_FIXTURES"/logs/*/ "$MD_FIXTURES"/messages "$MD_FIXTURES"/rules \
         "$MD_FIXTURES"/reports "$MD_FIXTURES"/replies; do
    case "$d" in */scenario/) continue ;; esac
    [ -e "$d" ] && inputs+=("$d")
done
md -q ingest --year 2016 --no-progress "${inputs[@]}" 2> "$T/ingest.err"
rc=$?
check "ingest of the fixtures (exit 0 or 3, got $rc)" test "$rc" -eq 0 -o "$rc" -eq 3

# ---- --help and usage errors ---------------------------------------------------
for c in ticket request ip status; do
    check "$c --help exits 0" md "$c" --help > /dev/null
done
md ticket "../$ticket" --address "$addr" --out "$T/out" > /dev/null 2>&1
check "a ticket number with a path is refused (exit 2)" test $? -eq 2
md ticket "a/b" --address "$addr" --out "$T/out" > /dev/null 2>&1
check "a ticket number with a slash is refused (exit 2)" test $? -eq 2
check "nothing was written outside --out" test ! -e "$T/dossier-$ticket.pdf"
md ticket INC-42 --address "$addr" --out "$T/out" > /dev/null 2>&1
check "a non-OTRS number needs an explicit window (exit 2)" test $? -eq 2
md ticket "$ticket" --out "$T/out" > /dev/null 2>&1
check "a ticket needs an address (exit 2)" test $? -eq 2

# ---- the dossier, default window (ticket day -14 .. +1: m1 and m2) -----------------
md -q ticket "$ticket" --address "$addr" --out "$T/out" > "$T/ticket.out"
check "ticket exits 0" test $? -eq 0
x=$T/out/dossier-$ticket.xml
for f in pdf txt xml; do
    check "dossier-$ticket.$f written" test -s "$T/out/dossier-$ticket.$f"
done
check "XML valid against dossier.xsd" xmllint --noout --schema "$MD_SOURCE_DIR/templates/dossier.xsd" "$x"
xp() { xmllint --xpath "$1" "$x" 2> /dev/null; }
check "default window holds m1 and m2 (2 messages)" test "$(xp 'count(/dossier/messages/message)')" = 2
check "window starts 2016-04-06, local midnight (Europe/Berlin)" grep -q '<since>2016-04-06T00:00:00+02:00</since>' "$x"
# syslog stamps are the site's local time ([logs] timezone = Europe/Berlin,
# summer time): the line of 09:41:12 is 07:41:12 UTC, shown as it was logged
check "log time read in the site's zone" grep -q '<time>2016-04-20T09:41:12+02:00</time>' "$x"

# ---- the dossier over the ticket's follow-up days (m1, m2, m3) --------------------
md -q ticket "$ticket" --address "$addr" --since 2016-04-06 --until 2016-04-25 --out "$T/out" > /dev/null
check "ticket with an explicit window exits 0" test $? -eq 0
check "XML still valid" xmllint --noout --schema "$MD_SOURCE_DIR/templates/dossier.xsd" "$x"
check "3 messages (m1, m2, m3)" test "$(xp 'count(/dossier/messages/message)')" = 3
check "all three are 'not-received'" test "$(xp 'count(/dossier/messages/message[outcome="not-received"])')" = 3
v=$(xp '/dossier/messages/message/verdict/text()')
check "verdict: forwarded to the user's Hotmail address" grep -q 'forwarded to anna.schmidt@hotmail.de' <<< "$v"
check "verdict: accepted by Microsoft (250 Queued mail for delivery)" grep -q 'accepted by Microsoft (250 Queued mail for delivery' <<< "$v"
check "verdict: accepted and, per this ticket, not received" \
    test "$(grep -c 'mx3.hotmail.com, 2016-04-2[013] [0-9:]*) and, per this ticket, not received\.' <<< "$v")" = 3
check "no claim of filtering as a fact (XML)" bash -c "! grep -qi 'silently filtered' '$x'"
check "no claim of filtering as a fact (text)" bash -c "! grep -qi 'silently filtered' '$T/out/dossier-$ticket.txt'"
check "verdict: m2 deferred (RP-001) before it was accepted" grep -q 'deferred by Microsoft 2 times' <<< "$v"
if [ -d "$MD_FIXTURES/rules" ]; then
    check "verdict: forwarded without a local copy (the CommuniGate rule)" grep -q 'forwarded to anna.schmidt@hotmail.de without a local copy' <<< "$v"
    # the mailbox forwards everything away: the store got it, the user's mailbox did not
    check "verdict: handed to the mail store, not 'delivered to the local mailbox'" \
        test "$(grep -c '^Handed to the mail store for anna.schmidt@uni-potsdam.de on mailup.uni-potsdam.de' <<< "$v")" = 3
    check "verdict: no local mailbox delivery claimed" bash -c "! grep -q 'local mailbox' <<< '$v'"
    check "forwarding section names the rule and its file" test "$(xp 'count(/dossier/forwarding/rule[target="anna.schmidt@hotmail.de"][keep-copy="false"])')" -ge 1
fi
ips=$(xp '/dossier/ips/ip/address/text()' | tr -s ' \n' '\n' | sort | tr '\n' ' ')
check "affected IPs are exactly 141.89.68.1 .3 .4 .7 (got: $ips)" \
    test "$ips" = "141.89.68.1 141.89.68.3 141.89.68.4 141.89.68.7 "
# .3 (webmail-1) and .4 (the store's front end) are seen only as the hops
# that handed the messages on (relay= of the log lines), never as senders
check "141.89.68.3 is there for its hop in m1's chain" \
    grep -q 'received from webmail-1.rz.uni-potsdam.de \[141.89.68.3\]' <<< "$(xp '/dossier/ips/ip[address="141.89.68.3"]/evidence')"
check "141.89.68.4 is there for its hops (the re-injected copies)" \
    test "$(xp 'count(/dossier/ips/ip[address="141.89.68.4"]/evidence/item[kind="received"])')" = 3
check "the summary names the four IPs" \
    grep -q 'IPs of ours that Microsoft saw for these messages: 141.89.68.1 (cl-mail), 141.89.68.3 (webmail-1), 141.89.68.4 (webmail-2), 141.89.68.7 (ironout)\.' <<< "$(xp '/dossier/summary/verdict')"
check "ironout's role comes from the config" test "$(xp 'string(/dossier/ips/ip[address="141.89.68.7"]/role)')" = "outbound gateway"
check "Microsoft's answer is shown for 141.89.68.7" grep -q 'conditionally-mitigated' <<< "$(xp '/dossier/ips/ip[address="141.89.68.7"]/reputation')"

# redaction: third parties snipped; the ticket's address, its forward target and
# Message-IDs stay
check "redaction on" test "$(xp 'string(/dossier/header/redaction)')" = on
check "the Amazon sender is snipped" grep -q '\*snip\*@amazon.de\|\*snip\*@eu-west-1.amazonses.com' "$x"
check "no third-party local part (store-news@) in the XML" bash -c "! grep -q 'store-news@' '$x'"
check "no third-party local part (store-news@) in the text" bash -c "! grep -q 'store-news@' '$T/out/dossier-$ticket.txt'"
check "Message-IDs are not redacted" grep -q '5717337F.4050604@uni-potsdam.de' "$x"
check "the ticket's address stays" grep -q 'anna.schmidt@uni-potsdam.de' "$T/out/dossier-$ticket.txt"

# the PDF says the same
pdftotext -layout "$T/out/dossier-$ticket.pdf" "$T/pdf.txt" 2> /dev/null
check "PDF: ticket number" grep -q "$ticket" "$T/pdf.txt"
check "PDF: the verdict" grep -q 'per this ticket, not' "$T/pdf.txt"
# words for people: Microsoft's answers and the links, no machine tokens
tokens='not-received|more-information|conditionally-mitigated|not-qualified|throttling-raised|ms-quoted-msgid|same-message-id|reinjected-forward|forwarded-as|queued-as'
check "text: no machine tokens" bash -c "! grep -Eq '$tokens' '$T/out/dossier-$ticket.txt'"
check "PDF: no machine tokens" bash -c "! grep -Eq '$tokens' '$T/pdf.txt'"
check "text: Microsoft's answers in words" grep -q "Microsoft's answer of .*: conditionally mitigated" "$T/out/dossier-$ticket.txt"
check "XML: the token kept beside the words" grep -q 'token="conditionally-mitigated"' "$T/out/dossier-$ticket.xml"
check "PDF: ironout's IP" grep -q '141.89.68.7' "$T/pdf.txt"
check "PDF: no third-party local part" bash -c "! grep -q 'store-news@' '$T/pdf.txt'"
# no word cut without a hyphen (a narrow cell had "badreputati" / "on")
check "PDF: no word broken without a hyphen" python3 "$MD_SOURCE_DIR/tests/check_pdf_words.py" \
    "$T/out/dossier-$ticket.xml" "$T/out/dossier-$ticket.txt" "$T/pdf.txt" \
    "$MD_SOURCE_DIR/lib/render/render_pdf.c"
# report periods of whole UTC days as those days, not "02:00:00 - 01:59:00"
check "XML: an SNDS day marked as a UTC day" grep -Eq '<snds [^>]*days-from="2016-04-20" days-to="2016-04-20"' "$T/out/dossier-$ticket.xml"
check "PDF: SNDS periods as UTC days" grep -Eq '^2016-04-20 \(UTC\) +[0-9]' "$T/pdf.txt"
check "PDF: no SNDS period shown as times" bash -c "! grep -q '02:00:00 – 2016' '$T/pdf.txt'"
check "text: SNDS period as a UTC day" grep -q '\[SNDS\] 2016-04-20 (UTC): filter' "$T/out/dossier-$ticket.txt"
# DKIM and SPF each as Outlook.com's reports counted them (ironout's mail
# passed SPF and failed DKIM but for the report's 10 of dmarc-report-outlook.eml;
# the cluster's passed SPF in 57 of 101)
tr -s ' \n' '  ' < "$T/out/dossier-$ticket.txt" > "$T/dossier.flat"
check "text: DMARC at Outlook.com for 141.89.68.7: dkim mixed, counted; spf pass" \
    grep -q '1100 messages from uni-potsdam.de, disposition none, dkim mixed (10 of 1100 pass), spf pass' "$T/dossier.flat"
check "text: DMARC at Outlook.com for 141.89.68.1: spf mixed, counted" \
    grep -q '101 messages from uni-potsdam.de, disposition none, dkim pass, spf mixed (57 of 101 pass)' "$T/dossier.flat"
check "text: a DMARC period of two UTC days" grep -Eq '\[DMARC, Outlook.com\] 2016-04-2[0-9] to 2016-04-2[0-9] \(UTC\)' "$T/out/dossier-$ticket.txt"

# --no-redact
md -q ticket "$ticket" --address "$addr" --since 2016-04-06 --until 2016-04-25 --out "$T/nr" --format xml --no-redact > /dev/null
check "--no-redact: redaction off" grep -q '<redaction>off</redaction>' "$T/nr/dossier-$ticket.xml"
check "--no-redact: the sender's local part is there" grep -q 'store-news@amazon.de\|0102015443715' "$T/nr/dossier-$ticket.xml"
check "--format xml writes only the XML" test ! -e "$T/nr/dossier-$ticket.pdf"

# ---- the second ticket and the request ----------------------------------------------
md -q ticket 2016042010000826 --address lena.schulz@uni-potsdam.de --since 2016-04-05 --until 2016-04-25 --out "$T/out" > /dev/null
check "ticket 2016042010000826 exits 0" test $? -eq 0
md -q request --ticket "$ticket" --ticket 2016042010000826 --out "$T/req.xml"
check "request exits 0" test $? -eq 0
check "request valid against request.xsd" xmllint --noout --schema "$MD_SOURCE_DIR/templates/request.xsd" "$T/req.xml"
rips=$(xmllint --xpath '/request/ips/ip/address/text()' "$T/req.xml" 2> /dev/null | tr -s ' \n' '\n' | sort | tr '\n' ' ')
check "request lists the tickets' IPs (got: $rips)" \
    test "$rips" = "141.89.68.1 141.89.68.3 141.89.68.4 141.89.68.7 141.89.68.8 "
check "request: no user's address" bash -c "! grep -q 'anna.schmidt@\|lena.schulz@' '$T/req.xml'"
check "request: contact from the config" grep -q 'postmaster@uni-potsdam.de' "$T/req.xml"
md -q request --ticket "$ticket" --out "$T/req.txt" --sent --case SRX1361942213ID
check "request as text" grep -q '141.89.68.1; 141.89.68.3; 141.89.68.4; 141.89.68.7' "$T/req.txt"
# only what the configuration declares, with its key; no claim of our own
# (the text wraps: its lines are joined for the checks)
flat() { tr -s ' \n' '  ' < "$1"; }
flat "$T/req.txt" > "$T/req.flat"
check "request: no block-list claim" bash -c "! grep -qi 'block list' '$T/req.txt'"
# what Microsoft did: the RP-001 deferrals naming 141.89.68.1, and accepted
# mail reported missing (no rejection in this ticket)
check "request title: deferred, and accepted mail reported missing" \
    grep -q 'Problem title: .* is deferred by Outlook.com, and mail it accepted is reported missing by its recipients' "$T/req.flat"
check "request title: no rejection claimed" bash -c "! grep -q 'Problem title: .*rejected' '$T/req.flat'"
check "request: 141.89.68.1's evidence is the RP-001 deferral naming it" \
    grep -Eq '^141.89.68.1 - cl-mail, mail cluster \(sendmail\)( \[[0-9,-]+\])? Microsoft named 141.89.68.1 in its reply at 2016-04-21 14:02: 421 RP-001' \
    <<< "$(sed -n '/^141.89.68.1 - /,/^141.89.68.3 - /p' "$T/req.txt" | tr -s ' \n' '  ')"
check "request: no accepted delivery as an IP's evidence" \
    bash -c "! sed -n '/^IP ADDRESSES/,/^ERROR MESSAGES/p' '$T/req.txt' | grep -q 'accepted by Microsoft'"
check "request: per IP what Microsoft did" \
    grep -q 'Per IP: 141.89.68.1: deferred 2 times, on the path of 3 accepted messages reported missing; 141.89.68.3: on the path of 1 accepted message reported missing;' "$T/req.flat"
check "request: the tickets' messages reported missing, counted once" \
    grep -q 'not received: 3 such messages are documented in our helpdesk tickets' "$T/req.flat"
check "request: the declared opt-in, as declared" \
    grep -q 'declared by the postmaster: \[microsoft\] optin' "$T/req.flat"
check "request: dedicated, as declared" \
    grep -q 'dedicated (declared by the postmaster: \[microsoft\] ip_usage)' "$T/req.flat"
grep -v -E '^(description|ip_usage|optin|snds|jmrp) *=' "$conf" > "$T/bare.conf"
"$MD_BIN" --db "$db" --config "$T/bare.conf" request --ticket "$ticket" --out "$T/bare.txt" \
    2> "$T/bare.err"
check "request without declarations exits 0" test $? -eq 0
flat "$T/bare.txt" > "$T/bare.flat"
check "request without declarations: opt-in not declared" grep -q 'not declared (\[microsoft\] optin)' "$T/bare.flat"
check "request without declarations: no default opt-in" bash -c "! grep -qi 'personal mail of our members' '$T/bare.flat'"
check "request without declarations: usage not declared" \
    grep -q 'not declared (\[microsoft\] ip_usage)' "$T/bare.flat"
check "request without declarations: no 'used only by us'" bash -c "! grep -q 'used only by us' '$T/bare.flat'"
check "request without declarations: the organisation without a dangling colon" \
    bash -c "grep 'Organisation' '$T/bare.txt' | grep -qv ': *\$'"
check "request without declarations: SNDS not declared" grep -q 'SNDS: not declared' "$T/bare.flat"
for k in '\[organisation\] description' '\[microsoft\] ip_usage' '\[microsoft\] optin' \
         '\[microsoft\] snds' '\[microsoft\] jmrp'; do
    check "request warns: $k not declared" grep -q "warning: request: $k not declared in $T/bare.conf" "$T/bare.err"
done
md -q request --ticket 1999010100000000 > /dev/null 2>&1
check "request for an unknown ticket: exit 4" test $? -eq 4

# ---- IP history, recurrence, status ---------------------------------------------------
md ip 141.89.68.7 > "$T/ip7.txt"
check "ip exits 0" test $? -eq 0
check "ip: Microsoft's answers" grep -q 'conditionally mitigated' "$T/ip7.txt"
check "ip: the mitigation" grep -Eq '^  [0-9-]+ [0-9:]+  mitigated  \[SRX' "$T/ip7.txt"
check "ip: the request sent that listed it" grep -q 'Requests sent to Microsoft that listed it' "$T/ip7.txt"
check "ip: the request's case number" grep -q 'case SRX1361942213ID' "$T/ip7.txt"
check "ip: no recurrence yet" bash -c "! grep -q 'state: recurrence' '$T/ip7.txt'"
md ip 192.0.2.1 > /dev/null 2>&1
check "ip of an unknown IP: exit 4" test $? -eq 4
md ip not-an-ip > /dev/null 2>&1
check "ip with a bad argument: exit 2" test $? -eq 2

# five months later: mail from the Exchange server no longer reaches Microsoft
cat > "$T/ironout-oct.log" <<'EOF'
Oct 10 09:00:01 ironout postfix/smtpd[7001]: 7C1D2E3F4A: client=exchange.rz.uni-potsdam.de[141.89.70.12]
Oct 10 09:00:01 ironout postfix/cleanup[7002]: 7C1D2E3F4A: message-id=<enrol-2016-1@uni-potsdam.de>
Oct 10 09:00:01 ironout postfix/qmgr[1021]: 7C1D2E3F4A: from=<registrar@uni-potsdam.de>, size=31000, nrcpt=1 (queue active)
Oct 10 09:00:04 ironout postfix/smtp[7003]: 7C1D2E3F4A: to=<student@hotmail.de>, relay=hotmail-com.olc.protection.outlook.com[104.47.18.97]:25, delay=3, delays=0.1/0/1.5/1.4, dsn=4.7.650, status=deferred (host hotmail-com.olc.protection.outlook.com[104.47.18.97] said: 451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [DB5EUR03FT030.eop-EUR03.prod.protection.outlook.com] (in reply to MAIL FROM command))
EOF
md -q ingest --year 2016 --no-progress "$T/ironout-oct.log"
md ip 141.89.68.7 > "$T/ip7b.txt"
check "ip: recurrence after the later failure" grep -q 'state: recurrence' "$T/ip7b.txt"
md status > "$T/status.txt"
check "status exits 0 with an open problem" test $? -eq 0
first=$(grep -m1 '^[0-9]' "$T/status.txt")
check "status: the recurrence comes first ($first)" grep -q '^141.89.68.7 .*state: recurrence' <<< "$first"
# every state listed after a 'open' line is 'open' (recurrences first)
check "status: recurrences before open problems" awk '/state: open/ { o = 1 } /state: recurrence/ && o { exit 1 }' "$T/status.txt"

# ---- header evidence in the dossier: the Outlook.com copy's results --------------------
mkdir -p "$T/jd"
md -q ticket 2016042310000011 --address jdoe@outlook.de --format xml,txt --out "$T/jd" > /dev/null
# the stored copy has no log line and the logs do not cover the window (they
# start 2016-04-19), but its own header says what Microsoft did: that is
# said, no negative verdict is made or withheld (exit 0)
check "ticket for jdoe@outlook.de exits 0 (no negative verdict needed)" test $? -eq 0
jx=$T/jd/dossier-2016042310000011.xml
check "and no 'never reached our servers'" test "$(grep -c 'never reached our servers' "$jx")" -eq 0
check "its XML is valid" xmllint --noout --schema "$MD_SOURCE_DIR/templates/dossier.xsd" "$jx"
au() { xmllint --xpath "$1" "$jx" 2> /dev/null; }
check "authentication: SPF pass from Authentication-Results" \
    test "$(au "count(//authentication/result[method='spf' and result='pass' and contains(detail,'smtp.mailfrom=uni-potsdam.de')])")" = 1
check "authentication: compauth with its reason" \
    test "$(au "count(//authentication/result[method='compauth' and contains(detail,'reason 100')])")" = 1
check "authentication: Microsoft's SCL 5 in words" \
    test "$(au "count(//authentication/result[method='scl' and result='5' and contains(detail,'junk')])")" = 1
check "text rendering lists them" grep -q 'sfv=SPM (spam' "$T/jd/dossier-2016042310000011.txt"
# the stored copy says what Microsoft did: junk folder (its own header), not a guess
check "the stored copy's verdict: put in the Junk E-mail folder by Microsoft's own header" \
    grep -q "put in the Junk E-mail folder by Microsoft (the stored copy's X-Forefront-Antispam-Report: SFV:SPM, SCL 5)" \
    <<< "$(au '/dossier/messages/message[message-id="<6A1B2C3D4E5F4A0B9C8D7E6F5A4B3C2D@EXCH01.verwaltung.uni-potsdam.de>"]/verdict')"
check "its outcome is 'filtered'" \
    test "$(au 'string(/dossier/messages/message[contains(message-id,"6A1B2C3D4E5F")]/outcome)')" = filtered
# jdoe's own self test to her own Outlook.com address: per this ticket, not received
check "the self test: accepted and, per this ticket, not received" \
    grep -q '^Sent to jdoe@outlook.de and accepted by Microsoft (250 Queued mail for delivery, mx3.hotmail.com, 2016-04-19 15:57) and, per this ticket, not received\.$' \
    <<< "$(au 'string(/dossier/messages/message[1]/verdict)')"
# the second test's delay notice to the sender is named as such, not as the message's delivery
m2v=$(au 'string(/dossier/messages/message[2]/verdict)')
check "the delay notice: 'a delivery status notice to ... was delivered'" \
    grep -q 'not received; a delivery status notice to \*snip\*@uni-potsdam.de was delivered to its local mailbox (2016-04-23 20:10)\.$' <<< "$m2v"
check "the delay notice is no local delivery of the message" bash -c "! grep -q 'local mailbox of' <<< '$m2v'"

# ---- trace: the rules and the header evidence beside the log lines ------------------
md trace --no-lines "$addr" > "$T/trace-anna.txt"
check "trace shows the forward without a copy" \
    grep -q 'anna.schmidt@uni-potsdam.de -> anna.schmidt@hotmail.de (Microsoft consumer domain); local copy: never; rules at .*mailup-rules.csv:2' "$T/trace-anna.txt"
check "trace names it as the cause" grep -q '=> forwarded to a Microsoft consumer domain without a local copy' "$T/trace-anna.txt"
md trace --no-lines jdoe@outlook.de > "$T/trace-jdoe.txt"
check "trace shows the stored copy's chain" \
    grep -q 'evidence: message .*1461435003.M1P30011.*our IPs in its Received chain' "$T/trace-jdoe.txt"
check "trace shows Microsoft's bounce with the named IP" \
    grep -q 'evidence: bounce .*jdoe@outlook.de: 4.7.650 (badreputation), Microsoft names IP 141.89.68.7' "$T/trace-jdoe.txt"
check "trace shows a span over two days with both dates" \
    grep -q 'u3NE8BxK026104  2016-04-23 16:08:11 .. 2016-04-24 08:31:40' "$T/trace-jdoe.txt"

# ---- a block list rejection (S3150, fixtures/logs/smtpout): the request says so -------------
jf=2016042410000017
md -q ticket "$jf" --address j.fischer@uni-potsdam.de --since 2016-04-20 --until 2016-04-25 --format xml --out "$T/jf" > /dev/null
check "ticket for j.fischer exits 0" test $? -eq 0
jfx() { xmllint --xpath "$1" "$T/jf/dossier-$jf.xml" 2> /dev/null; }
check "j.fischer: the rejected message is to Outlook.com, not to the bounce's recipient" \
    test "$(jfx 'string(/dossier/timeline/entry[outcome="bounced"]/to)')" = '*snip*@outlook.com'
check "j.fischer: his mail relayed elsewhere is 'accepted', none 'not received'" \
    test "$(jfx 'count(/dossier/messages/message[outcome="not-received"])')" = 0
md -q request --ticket "$jf" --out "$T/jf/req.xml"
rq() { xmllint --xpath "$1" "$T/jf/req.xml" 2> /dev/null; }
check "request after an S3150 rejection: titled as a rejection" \
    grep -q 'Potsdam.* is rejected by Outlook.com$' <<< "$(rq 'string(/request/title)')"
check "request after an S3150 rejection: the IP's evidence is the line naming it" \
    grep -q '^Microsoft named 141.89.68.8 in its reply at 2016-04-24 09:14: .*block list (S3150)' <<< "$(rq 'string(/request/ips/ip[address="141.89.68.8"]/evidence)')"
check "request after an S3150 rejection: only that IP" test "$(rq 'count(/request/ips/ip)')" = 1
check "request after an S3150 rejection: no 'reported missing'" bash -c "! grep -q 'reported missing\|helpdesk tickets' '$T/jf/req.xml'"

# ---- regenerate: the store records the ticket, running again replaces it ---------------------
md -q ticket "$ticket" --address "$addr" --since 2016-04-06 --until 2016-04-25 --out "$T/out" > /dev/null
check "running the ticket again succeeds" test $? -eq 0

# ---- issue 16: the forwarded copies' authentication in the scenario's dossier ----------
tr -s ' \n' '  ' < "$T/out/dossier-$ticket.txt" > "$T/scen.flat"
check "m3's forward kept the original sender's domain (no SRS), from its log line" grep -q \
    "The forward (queue id u3NE6SaT025990) did not rewrite the envelope sender with SRS: it kept the domain amazon.de of the original sender (per its log line), whose SPF is checked against our forwarding IP." "$T/scen.flat"
check "m1's forward (sender rewritten to our own domain) is not called a kept foreign sender" \
    bash -c "! grep -q 'queue id u3K7fDxQ014233) did not rewrite' '$T/scen.flat'"

# ---- a banned IP (5.7.606) is not a block-list entry: the delist portal -----------
mkdir -p "$T/nl"
md -q ticket 2016042310000123 --address newsletter@uni-potsdam.de --since 2016-04-20 \
    --until 2016-04-25 --format xml,txt --out "$T/nl" > /dev/null
check "ticket for newsletter@ (the 5.7.606 bounce) exits 0" test $? -eq 0
tr -s ' \n' '  ' < "$T/nl/dossier-2016042310000123.txt" > "$T/nl.flat"
check "banned IP: said as banned, with its remedy" grep -q \
    "rejected because Microsoft banned the sending IP 141.89.68.8 (5.7.606): the remedy is Microsoft's delist portal, not the sender-support form" "$T/nl.flat"
check "banned IP: no block-list claim Microsoft did not make" bash -c "! grep -qi \"on Microsoft's block list\" '$T/nl.flat'"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
