#!/usr/bin/env bash
# e2e_show.sh: `maildossier show` end to end on the scenario's messages:
# the relayed Exchange mail (hops oldest first, our IPs with host names,
# clock skew, Microsoft's antispam verdict in words), the S3150 / 5.7.606 /
# 4.7.650 bounces (status, reason, the IP Microsoft names), both JMRP forms;
# redaction of third parties and --no-redact; show by Message-ID from the
# store after ingest (also the bounce about it); --help; exit codes for a
# missing message (4), a usage error (2) and hostile input generated here
# (a 10 MB header line, 200,000 nested comments, 1,000 Received lines:
# exit 3, no crash).
set -u
: "${MD_BIN:?}" "${MD_TMP:?}" "${MD_FIXTURES:?}"
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
t=$MD_TMP/e2e_show.$$
mkdir -p "$t"
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
cd "$t"
F=$MD_FIXTURES/messages
md() { "$MD_BIN" --db "$t/store.db" --config "$MD_FIXTURES/maildossier.conf" "$@"; }

# ---- help and usage --------------------------------------------------------
md show --help >help.txt 2>&1 || err "--help: exit $?"
grep -q 'usage: maildossier show' help.txt || err "--help text: $(head -2 help.txt)"
md show >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || err "no argument: exit $rc, want 2"

# ---- the relayed Exchange mail ----------------------------------------------
md show "$F/exchange-relayed-spam.eml" >ex.txt 2>ex.err || err "show exchange: exit $?: $(cat ex.err)"
grep -q 'Received chain (oldest first, 6 hops' ex.txt || err "hop count: $(grep Received ex.txt)"
grep -Eq '^  1 +EXCH01\.verwaltung\.uni-potsdam\.de' ex.txt || err "oldest hop first: $(grep -A2 '^  hop' ex.txt)"
grep -Eq '141\.89\.68\.7 +ours ironout, outbound gateway' ex.txt || err "ironout not marked ours"
grep -Eq '141\.89\.68\.1 +ours cl-mail' ex.txt || err "cl-mail not marked ours"
grep -q 'Microsoft evaluates all of them): 141.89.112.25, 141.89.68.1 (cl-mail), 141.89.68.7 (ironout)' ex.txt ||
  err "our IPs line: $(grep 'Our IPs' ex.txt)"
grep -q -- '-1 s (clock skew)' ex.txt || err "clock skew not shown"
grep -q 'id 15.1.225.42' ex.txt || err "Exchange build id"
grep -q '15.1.225.42 ' ex.txt && grep -Eq '^  15\.1\.225\.42' ex.txt && err "build number shown as an IP"
grep -q 'Microsoft antispam: spam (SFV:SPM, SCL 5 spam (junk folder)' ex.txt || err "antispam summary: $(grep antispam ex.txt)"
grep -Eq 'SFV +SPM +spam filtering verdict: spam' ex.txt || err "SFV in words"
grep -Eq 'compauth +pass +reason=100' ex.txt || err "compauth"
grep -q 'To:         Jane Doe <\*snip\*@outlook.de>' ex.txt || err "third party not redacted: $(grep '^To:' ex.txt)"
grep -q 'studsek@uni-potsdam.de' ex.txt || err "our own address redacted"
md show --no-redact "$F/exchange-relayed-spam.eml" | grep -q 'jdoe@outlook.de' || err "--no-redact"

# ---- bounces ----------------------------------------------------------------
md show "$F/ndr-s3150.eml" >b1.txt || err "show S3150: exit $?"
grep -q 'status 5.7.1, reply 550, reason blocked, hard' b1.txt || err "S3150 classification: $(grep status b1.txt)"
grep -q "answered by Microsoft; the IP it names: 141.89.68.7" b1.txt || err "S3150 named IP"
md show "$F/ndr-5.7.606-banned-ip.eml" >b2.txt || err "show 5.7.606: exit $?"
grep -q 'status 5.7.606, reply 550, reason blocked' b2.txt || err "5.7.606"
grep -q 'the IP it names: 141.89.68.8' b2.txt || err "5.7.606 named IP"
grep -q "banned sending IP: the remedy is Microsoft's delist portal (sender.office.com)" b2.txt ||
    err "5.7.606: the delist portal, not the support form: $(grep -i banned b2.txt)"
grep -q 'about the sender (the envelope sender, its domain or the sending host)' b2.txt ||
    err "5.7.606: a sender-side refusal: $(grep 'about the' b2.txt)"
grep -q "2016-04-23T14:12:01.123Z" b2.txt || err "Microsoft's server bracket"
md show "$F/dsn-delayed-4.7.650.eml" >b3.txt || err "show 4.7.650: exit $?"
grep -q 'action delayed, status 4.7.650, reply 451, reason badreputation, soft' b3.txt || err "4.7.650: $(grep action b3.txt)"

# ---- complaints -------------------------------------------------------------
md show "$F/jmrp-legacy.eml" >c1.txt || err "show JMRP legacy: exit $?"
grep -q 'Complaint (jmrp-legacy, Microsoft)' c1.txt || err "legacy form"
grep -q 'Source IP:     141.89.68.7$' c1.txt || err "legacy source IP"
md show "$F/jmrp-arf.eml" >c2.txt || err "show JMRP ARF: exit $?"
grep -q 'Complaint (jmrp, Microsoft)' c2.txt || err "ARF form"
grep -q "Source IP:     141.89.68.8 (from the attached original's headers)" c2.txt || err "ARF source IP"

# ---- mbox: every message ---------------------------------------------------
md show "$F/bounces.mbox" >mb.txt || err "show mbox: exit $?"
[ "$(grep -c '^Message-ID:' mb.txt)" -ge 3 ] || err "mbox: not every message shown"

# ---- from the store, by Message-ID ------------------------------------------
md ingest -q "$F/ndr-s3150.eml" "$F/exchange-relayed-spam.eml" 2>/dev/null || err "ingest: exit $?"
md show '<5719ED43.6010203@uni-potsdam.de>' >s1.txt || err "show by Message-ID: exit $?"
grep -q 'Stored from: .*ndr-s3150.eml' s1.txt || err "bounce about the message not found: $(head -3 s1.txt)"
grep -q 'reason blocked' s1.txt || err "stored bounce content"
md show 6A1B2C3D4E5F4A0B9C8D7E6F5A4B3C2D@EXCH01.verwaltung.uni-potsdam.de | grep -q 'Received chain (oldest first, 6 hops' ||
  err "show stored message without <>"
md show '<no-such-message@example.org>' >/dev/null 2>nf.err; rc=$?
[ $rc -eq 4 ] || err "unknown Message-ID: exit $rc, want 4"
grep -q 'no stored message' nf.err || err "unknown Message-ID message: $(cat nf.err)"

# ---- hostile input, generated -----------------------------------------------
{ printf 'From: a@example.org\nMessage-ID: <huge@x>\nX-Huge: '
  head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' 'A'; printf '\nSubject: x\n\nbody\n'; } >huge.eml
md show huge.eml >h.txt 2>h.err; rc=$?
[ $rc -eq 3 ] || err "10 MB header line: exit $rc, want 3: $(head -2 h.err)"
grep -q 'header block over the size limit' h.txt || err "10 MB header line not reported"
{ printf 'From: '; head -c 200000 /dev/zero | tr '\0' '('; printf ' a@example.org\nSubject: y\n\nbody\n'; } >paren.eml
md show paren.eml >p.txt 2>p.err; rc=$?
[ $rc -eq 3 ] || err "nested comments: exit $rc, want 3"
{ for i in $(seq 1 1000); do printf 'Received: from h%d.example.org ([192.0.2.%d]) by x.example.org; Mon, 25 Apr 2016 10:00:00 +0200\n' "$i" $((i % 250 + 1)); done
  printf 'From: a@example.org\nSubject: many hops\n\nbody\n'; } >hops.eml
md show hops.eml >r.txt 2>r.err; rc=$?
[ $rc -eq 3 ] || err "1,000 Received lines (over the header cap too): exit $rc, want 3"
grep -q '1000 Received headers: only the newest 100 are shown' r.txt || err "hop limit not reported"
md show "$F/bad/binary-junk.eml" >/dev/null 2>j.err; rc=$?
[ $rc -eq 1 ] || err "binary junk: exit $rc, want 1"
grep -q 'no header field' j.err || err "binary junk message: $(cat j.err)"
md show "$F/bad/deep-nesting.eml" >n.txt 2>&1; rc=$?
[ $rc -eq 3 ] || err "deep nesting: exit $rc, want 3"

exit $fail
