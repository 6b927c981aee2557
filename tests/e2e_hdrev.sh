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
# the copy shows both.  Env: MD_BIN, MD_SOURCE_DIR, MD_FIXTURES, MD_TMP.
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

# ---- ingest, dossier -----------------------------------------------------------
md -q ingest --year 2016 --no-progress "$H" 2> "$T/ingest.err"
check "ingest of the hdrev fixtures" test $? -eq 0
md -q ticket 2016042610000001 --address p.meyer@outlook.de --address p.meyer@uni-potsdam.de \
    --since 2016-04-24 --until 2016-04-27 --out "$T/out" > /dev/null 2> "$T/ticket.err"
rc=$?
check "dossier written (exit $rc)" test "$rc" -eq 0 -o "$rc" -eq 5
x=$T/out/dossier-2016042610000001.xml
check "dossier XML valid" xmllint --noout --nonet --schema "$MD_SOURCE_DIR/templates/dossier.xsd" "$x"
tr -s ' \n' ' ' < "$T/out/dossier-2016042610000001.txt" > "$T/flat.txt"
check "dossier: inbox copy, in words" has "$T/flat.txt" \
    "Outlook.com filed the stored copy in the inbox (dest:I), according to its X-Microsoft-Antispam-Mailbox-Delivery header."
check "dossier: junk copy, in words with its grounds" has "$T/flat.txt" \
    "Outlook.com filed the stored copy in the Junk Email folder (dest:J), on the grounds OFR:SpamFilterPass (the verdict of Microsoft's spam filter), routed to the folder JunkEmail (RF), according to its X-Microsoft-Antispam-Mailbox-Delivery header."
check "dossier: SRS forward with ARC" has "$T/flat.txt" \
    "The stored copy was forwarded with its envelope sender rewritten by SRS (Return-Path in SRS0 form, domain uni-potsdam.de); its Authentication-Results give dkim=pass (header.d=dfg.de); the forwarder added ARC set i=1, sealed by uni-potsdam.de with cv=none, recording on arrival spf=pass dkim=pass dmarc=pass."
check "dossier: forward without SRS, broken DKIM" has "$T/flat.txt" \
    "The stored copy was forwarded without SRS (its Return-Path keeps the original sender's domain tu-berlin.de); its Authentication-Results give dkim=fail (header.d=tu-berlin.de)"
check "dossier: what no SRS and broken DKIM explain" has "$T/flat.txt" \
    "neither can align for DMARC, which can explain its filing in Junk."
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
check "verdict naming dest:J is that of the junk copy" \
    bash -c 'xmllint --nonet --xpath "string(//message[contains(message-id,\"hdrev-junk\")]/verdict)" "$1" | grep -qF "(dest:J)"' _ "$x"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
