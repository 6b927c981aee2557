#!/usr/bin/env bash
# e2e_hdrev.sh: header evidence of copies saved from Outlook.com mailboxes and
# of forwarded copies (issue 16, part b), on fixtures/messages/hdrev: `show`
# states where Outlook.com filed a copy (X-Microsoft-Antispam-Mailbox-
# Delivery dest:I / dest:J with OFR and RF) and the forwarding authentication
# (SRS Return-Path or not, the ARC set: i=, sealer, cv=, the AAR's
# results); the dossier of a ticket over these copies says the same in
# sentences that cite the stored message (each sentence's claim carries the
# message's source), validates against the schema, redacts third-party local
# parts, and explains a forward without SRS and with broken DKIM only where
# the copy shows both.  Forwards in the logs (fixtures/logs-hdrev, Postfix
# local forwarding): the dossier says whether the forwarded copy's from= is
# in SRS form, citing that line, and that a forward without SRS can explain
# Microsoft's 550 5.7.515.  Also: the PDF shows the sentences, and `show
# MESSAGE-ID` reads the stored copy.  Env: MD_BIN, MD_SOURCE_DIR, MD_FIXTURES,
# MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_SOURCE_DIR:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
command -v xmllint > /dev/null || { echo "skip: xmllint missing"; exit 77; }
H=$MD_FIXTURES/messages/hdrev
[ -d "$H" ] || { echo "skip: no hdrev fixtures"; exit 77; }

T=$MD_TMP/e2e_hdrev.$$
rm -rf "$T"
mkdir -p "$T"
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
db=$T/md.db
conf=$MD_FIXTURES/maildossier.conf
md() { "$MD_BIN" --db "$db" --config "$conf" "$@"; }
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
has() { grep -qF -- "$2" "$1" || { echo "  missing in $1: $2"; false; }; }
hasnt() { ! grep -qF -- "$2" "$1" || { echo "  present in $1: $2"; false; }; }

# ---- show FILE ---------------------------------------------------------------
"$MD_BIN" --config "$conf" show "$H/outlook-inbox.eml" > "$T/inbox.txt" 2>&1
check "show inbox copy exits 0" test $? -eq 0
check "show: inbox copy filed in the inbox" \
    has "$T/inbox.txt" "Outlook.com mailbox delivery: filed in the inbox (dest:I)"
check "show: inbox copy's rule hits" has "$T/inbox.txt" "ENG   (910001)(944506478)"
check "show: no forwarding section without ARC or SRS" hasnt "$T/inbox.txt" "Forwarding authentication"
"$MD_BIN" --config "$conf" show "$H/outlook-junk.eml" > "$T/junk.txt" 2>&1
check "show: junk copy filed in Junk on the spam filter's grounds" has "$T/junk.txt" \
    "Outlook.com mailbox delivery: filed in the Junk Email folder (dest:J), on the grounds OFR:SpamFilterPass (the verdict of Microsoft's spam filter), routed to the folder JunkEmail (RF)"
check "show: Microsoft's own ARC set is no forward" has "$T/junk.txt" \
    "ARC set i=1: sealed by d=microsoft.com s=arcselector9901 cv=none (Microsoft's own seal: no forward)"
check "show: no 'not rewritten' for Microsoft's set alone" hasnt "$T/junk.txt" "not rewritten"
"$MD_BIN" --config "$conf" show "$H/fwd-srs-arc.eml" > "$T/srs.txt" 2>&1
check "show: SRS Return-Path" has "$T/srs.txt" \
    "Return-Path in SRS0 form: the envelope sender was rewritten (SRS)"
check "show: ARC set of the SRS copy" has "$T/srs.txt" \
    "ARC set i=1: sealed by d=uni-potsdam.de s=arc2016 cv=none"
"$MD_BIN" --config "$conf" show "$H/fwd-nosrs-dkimfail.eml" > "$T/nosrs.txt" 2>&1
check "show: no SRS" has "$T/nosrs.txt" \
    "Return-Path not in SRS form: the envelope sender was not rewritten"
check "show: the AAR's results" has "$T/nosrs.txt" \
    "ARC-Authentication-Results by mailup.rz.uni-potsdam.de: spf=pass dkim=pass dmarc=pass"

# dossier NAME INPUT TICKET ARGS...: ingest INPUT, write the ticket's dossier
# into $T/NAME, check it is written and valid; its text in one line: $T/NAME.flat
dossier() {
    local name=$1 input=$2 ticket=$3
    shift 3
    md -q ingest --year 2016 --no-progress "$input" 2> "$T/$name.ingest.err"
    check "$name: ingest of $(basename "$input")" test $? -eq 0
    md -q ticket "$ticket" "$@" --out "$T/$name" > /dev/null 2> "$T/$name.err"
    local rc=$?
    check "$name: dossier written (exit $rc)" test "$rc" -eq 0 -o "$rc" -eq 5
    check "$name: XML valid" xmllint --noout --nonet \
        --schema "$MD_SOURCE_DIR/templates/dossier.xsd" "$T/$name/dossier-$ticket.xml"
    tr -s ' \n' ' ' < "$T/$name/dossier-$ticket.txt" > "$T/$name.flat"
}

# ---- ingest, dossier -----------------------------------------------------------
dossier copies "$H" 2016042610000001 --address p.meyer@outlook.de \
    --address p.meyer@uni-potsdam.de --since 2016-04-24 --until 2016-04-27
x=$T/copies/dossier-2016042610000001.xml
cp "$T/copies.flat" "$T/flat.txt"
check "dossier: inbox copy, in words" has "$T/flat.txt" \
    "Outlook.com filed the stored copy in the inbox (dest:I), according to its X-Microsoft-Antispam-Mailbox-Delivery header."
check "dossier: junk copy, in words with its grounds" has "$T/flat.txt" \
    "Outlook.com filed the stored copy in the Junk Email folder (dest:J), on the grounds OFR:SpamFilterPass (the verdict of Microsoft's spam filter), routed to the folder JunkEmail (RF), according to its X-Microsoft-Antispam-Mailbox-Delivery header."
check "dossier: SRS forward with ARC" has "$T/flat.txt" \
    "The stored copy was forwarded with its envelope sender rewritten by SRS (Return-Path in SRS0 form, domain uni-potsdam.de); its Authentication-Results give dkim=pass (header.d=dfg.de); ARC set i=1 was added and sealed by uni-potsdam.de with cv=none, recording on arrival spf=pass dkim=pass dmarc=pass."
check "dossier: forward without SRS, broken DKIM" has "$T/flat.txt" \
    "The stored copy was forwarded without SRS (its Return-Path keeps the domain tu-berlin.de of the original sender); its Authentication-Results give dkim=fail (header.d=tu-berlin.de), after dkim=pass at the sealer of ARC set i=1: the forward broke the DKIM signature; ARC set i=1 was added and sealed by uni-potsdam.de with cv=none"
check "dossier: what no SRS and broken DKIM explain" has "$T/flat.txt" \
    "neither can align for DMARC, which can explain its filing in Junk."
check "dossier: Microsoft's own ARC set (junk copy) shows no forward" \
    bash -c 'xmllint --nonet --xpath "string(//message[contains(message-id,\"hdrev-junk\")]/verdict)" "$1" | { ! grep -q "forwarded"; }' _ "$x"
if command -v pdftotext > /dev/null; then
    pdftotext "$T/copies/dossier-2016042610000001.pdf" - 2> /dev/null | tr -s ' \n' ' ' > "$T/pdf.flat"
    check "PDF: the junk copy's filing" has "$T/pdf.flat" "Junk Email folder (dest:J)"
    check "PDF: the broken DKIM" has "$T/pdf.flat" "the forward broke the DKIM signature"
fi
md show hdrev-junk-20160425@uni-potsdam.de > "$T/show-id.txt" 2>&1
check "show MESSAGE-ID from the store: the filing" has "$T/show-id.txt" \
    "Outlook.com mailbox delivery: filed in the Junk Email folder (dest:J)"
check "dossier: the SRS copy gets no such explanation" \
    test "$(grep -o 'neither can align' "$T/flat.txt" | wc -l)" -eq 1
check "dossier: third-party local parts redacted" hasnt "$T/flat.txt" "tagung@tu-berlin.de"
check "dossier: SRS local part not shown" hasnt "$T/flat.txt" "SRS0=Ab12"

# each sentence's claim cites the stored message it reads
cite_of() { # message-id substring -> the src of that message's verdict
    xmllint --nonet --xpath "string(//message[contains(message-id,'$1')]/verdict/@src)" "$x"
}
src_of() { # message-id substring -> the id of the source naming that file
    xmllint --nonet --xpath "string(//source[@file='$1']/@id)" "$x"
}
for pair in "hdrev-inbox:outlook-inbox.eml" "hdrev-junk:outlook-junk.eml" \
            "hdrev-fwd-srs:fwd-srs-arc.eml" "hdrev-fwd-nosrs:fwd-nosrs-dkimfail.eml"; do
    mid=${pair%%:*} file=${pair#*:}
    c=$(cite_of "$mid") s=$(src_of "$file")
    check "verdict of $mid cites $file ($s in '$c')" \
        bash -c '[ -n "$1" ] && [[ " $2 " == *" $1 "* ]]' _ "$s" "$c"
done
check "dossier: the junk copy's stored rule hits (ENG) listed with its results" \
    bash -c 'xmllint --nonet --xpath "//message[contains(message-id,\"hdrev-junk\")]/authentication/result[method=\"eng\"]/detail/text()" "$1" | grep -qF "(910001)(944506478)(944626604)(750132)(520011016)"' _ "$x"
check "verdict naming dest:J is that of the junk copy" \
    bash -c 'xmllint --nonet --xpath "string(//message[contains(message-id,\"hdrev-junk\")]/verdict)" "$1" | grep -qF "(dest:J)"' _ "$x"

# ---- forwards in the logs -------------------------------------------------------
L=$MD_FIXTURES/logs-hdrev
dossier logs "$L" 2016042710000001 --address p.meyer@uni-potsdam.de --since 2016-04-27 \
    --until 2016-04-28
x2=$T/logs/dossier-2016042710000001.xml
cp "$T/logs.flat" "$T/flat2.txt"
check "log dossier: SRS forward" has "$T/flat2.txt" \
    "The forward (queue id 4Hdr1b2Srs0bbbB) rewrote the envelope sender with SRS (an SRS0 address at uni-potsdam.de, per its log line)."
check "log dossier: forward without SRS" has "$T/flat2.txt" \
    "The forward (queue id 4Hdr2b2NoSrsddD) did not rewrite the envelope sender with SRS: it kept the domain tu-berlin.de of the original sender (per its log line), whose SPF is checked against our forwarding IP."
check "log dossier: the 5.7.515 refusal explained" has "$T/flat2.txt" \
    "Microsoft refused it with 5.7.515 (authentication): without SRS, DMARC for tu-berlin.de rested on its DKIM signature surviving the forward, so the forward without SRS can explain this refusal."
check "log dossier: the accepted SRS forward gets no refusal sentence" \
    test "$(grep -o 'can explain this refusal' "$T/flat2.txt" | wc -l)" -eq 1
logsrc() { xmllint --nonet --xpath "string(//source[@kind='log'][@line='$1']/@id)" "$x2"; }
vsrc() { xmllint --nonet --xpath "string(//message[contains(queue-ids,'$1')]/verdict/@src)" "$x2"; }
for pair in "4Hdr1b2Srs0bbbB:7" "4Hdr2b2NoSrsddD:17"; do
    q=${pair%%:*} n=${pair#*:}
    s=$(logsrc "$n") c=$(vsrc "$q")
    check "verdict of $q cites its from= line $n ($s in '$c')" \
        bash -c '[ -n "$1" ] && [[ " $2 " == *" $1 "* ]]' _ "$s" "$c"
done

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
