#!/usr/bin/env bash
# e2e_provenance.sh: every claim of every document names its sources (issue
# 14, "Claims, each with its source").  Ingests the fixtures, writes the
# dossiers of several tickets and addresses (the scenario's ticket with its
# default and a wide window, addresses with bounces, deferrals, a .forward,
# an address with nothing) and the requests (by ticket, by window), then for
# each XML: validates it against the schemas, walks every claim element and
# fails on one without src or with a src naming no <source>; checks that a
# claim stripped of its src no longer validates; checks given claims cite
# the right source (m1's verdict: n-mail-2/mail.log.1.gz line 29, the 250
# reply; the forwarding sentence: mailup-rules.csv:2; the request's opt-in:
# [microsoft] optin); that the text and the PDF show the markers and the
# sources appendix; and that no absolute path of the machine appears in any
# XML, text or PDF, with the configured [logs]/[rules] roots and without
# them.  Env: MD_BIN, MD_SOURCE_DIR, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_SOURCE_DIR:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
for t in xmllint xsltproc pdftotext; do
    command -v "$t" > /dev/null || { echo "skip: $t missing"; exit 77; }
done
[ -d "$MD_FIXTURES/logs/n-mail-2" ] || { echo "skip: scenario logs not in fixtures"; exit 77; }

T=$MD_TMP/e2e_provenance.$$
rm -rf "$T"
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
fixtures=$(cd "$MD_FIXTURES" && pwd -P)
db=$T/md.db
conf=$MD_FIXTURES/maildossier.conf
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
XSD=$MD_SOURCE_DIR/templates
valid() { xmllint --noout --nonet --schema "$1" "$2" 2> "$T/xsd.err" || { head -3 "$T/xsd.err"; false; }; }

# ---- ingest (as the demo does) ----------------------------------------------------
. "$MD_FIXTURES/inputs.sh"
md_fixture_inputs "$MD_FIXTURES"
"$MD_BIN" --db "$db" --config "$conf" -q ingest --year 2016 --no-progress --host lists \
    --rules-home "$MD_FIXTURES/rules/home" "${inputs[@]}" 2> "$T/ingest.err"
rc=$?
check "ingest of the fixtures (exit 0 or 3, got $rc)" test "$rc" -eq 0 -o "$rc" -eq 3

# the same configuration without [logs] root / [rules] root
noroot=$T/noroot.conf
sed -e '/^root *=/d' -e '/^\[rules\]/d' "$conf" > "$noroot"
check "the copy has no root" test "$(grep -c '^root' "$noroot")" -eq 0

# ---- the documents ------------------------------------------------------------------
# name|config|command...
docs=(
  "scenario-default|$conf|ticket 2016042010001094 --address anna.schmidt@uni-potsdam.de"
  "scenario-wide|$conf|ticket 2016042010001094 --address anna.schmidt@uni-potsdam.de --since 2016-04-06 --until 2016-04-25"
  "scenario-noroot|$noroot|ticket 2016042010001094 --address anna.schmidt@uni-potsdam.de --since 2016-04-06 --until 2016-04-25"
  "bounces|$conf|ticket 2016042210000001 --address k.weber@uni-potsdam.de --since 2016-04-19 --until 2016-04-26"
  "selftest|$conf|ticket 2016041910000002 --address jdoe@uni-potsdam.de --since 2016-04-19 --until 2016-04-26"
  "dotforward|$conf|ticket 2016042010000826 --address lena.schulz@uni-potsdam.de --since 2016-04-19 --until 2016-04-26"
  "nothing|$conf|ticket 2016042010000999 --address nobody.here@uni-potsdam.de"
)
xmls=()
for d in "${docs[@]}"; do
    name=${d%%|*}; rest=${d#*|}; cf=${rest%%|*}; cmd=${rest#*|}
    out=$T/$name
    # shellcheck disable=SC2086
    "$MD_BIN" --db "$db" --config "$cf" -q $cmd --out "$out" > "$T/$name.out" 2>&1
    rc=$?
    # 5: written, a negative verdict withheld as the logs do not cover the window
    check "$name: dossier written (exit $rc)" test "$rc" -eq 0 -o "$rc" -eq 5
    for f in "$out"/dossier-*.xml; do
        [ -f "$f" ] && xmls+=("$f")
    done
done
for r in "req-ticket|--ticket 2016042010001094" \
         "req-window|--since 2016-04-19 --until 2016-04-26"; do
    name=${r%%|*}; args=${r#*|}
    # shellcheck disable=SC2086
    "$MD_BIN" --db "$db" --config "$conf" -q request $args --out "$T/$name.xml" > /dev/null 2>&1
    check "$name: request written (XML)" test -s "$T/$name.xml"
    # shellcheck disable=SC2086
    "$MD_BIN" --db "$db" --config "$conf" -q request $args --out "$T/$name.txt" > /dev/null 2>&1
    check "$name: request written (text)" test -s "$T/$name.txt"
    xmls+=("$T/$name.xml")
done
check "9 documents written" test "${#xmls[@]}" -eq 9

# ---- every claim has sources that exist ----------------------------------------------
cat > "$T/walk.xsl" <<'EOF'
<?xml version="1.0"?>
<!-- every claim element: CLAIM, or MISSING path / DANGLING path id -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:key name="src" match="/*/sources/source" use="@id"/>
  <xsl:template match="/">
    <xsl:for-each select="
        //summary/verdict | //summary/next-step | //header/notes/note | //evidence-span/host/note |
        //timeline/entry/text | //message/verdict | //attempt | //link | //hop |
        //authentication/result | //bounce | //forwarding/rule | /dossier/ips/ip |
        //evidence/item/text | //reputation/snds | //reputation/dmarc | //reputation/microsoft |
        /request/title | /request/contact | //recipient-domains/domain | /request/sender-domains |
        /request/organisation | /request/ip-usage | /request/ips/ip | /request/ips/ip/evidence |
        /request/ips/ip/last-answer | //errors/error | //volumes/note | //volumes/day |
        /request/sender-kind | /request/ips/ip/party | /request/ips/ip/channel |
        /request/opt-in | //enrolment/snds | //enrolment/jmrp | //problem/paragraph |
        //tickets/ticket/summary">
      <xsl:variable name="where" select="concat(name(..), '/', name(), '[', count(preceding::*), ']')"/>
      <xsl:choose>
        <xsl:when test="normalize-space(@src) = ''">
          <xsl:value-of select="concat('MISSING ', $where, '&#10;')"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:call-template name="ids">
            <xsl:with-param name="s" select="concat(normalize-space(@src), ' ')"/>
            <xsl:with-param name="where" select="$where"/>
          </xsl:call-template>
          <xsl:text>CLAIM&#10;</xsl:text>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>
  <xsl:template name="ids">
    <xsl:param name="s"/>
    <xsl:param name="where"/>
    <xsl:if test="$s != ''">
      <xsl:variable name="id" select="substring-before($s, ' ')"/>
      <xsl:if test="not(key('src', $id))">
        <xsl:value-of select="concat('DANGLING ', $where, ' ', $id, '&#10;')"/>
      </xsl:if>
      <xsl:call-template name="ids">
        <xsl:with-param name="s" select="substring-after($s, ' ')"/>
        <xsl:with-param name="where" select="$where"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
EOF
total=0
for x in "${xmls[@]}"; do
    n=$(basename "$(dirname "$x")")/$(basename "$x")
    case "$(sed -n '2,3p' "$x")" in *"<request"*) xsd=$XSD/request.xsd ;; *) xsd=$XSD/dossier.xsd ;; esac
    check "$n: valid against $(basename "$xsd")" valid "$xsd" "$x"
    xsltproc "$T/walk.xsl" "$x" > "$T/walk.out"
    claims=$(grep -c '^CLAIM' "$T/walk.out")
    total=$((total + claims))
    check "$n: $claims claims, none without sources ($(grep -v '^CLAIM' "$T/walk.out" | head -3 | tr '\n' ' '))" \
        test "$claims" -gt 0 -a "$(grep -vc '^CLAIM' "$T/walk.out")" -eq 0
    # every source listed is cited (sources are numbered in order of citation)
    nsrc=$(xmllint --xpath 'count(/*/sources/source)' "$x")
    last=$(xmllint --xpath "string(/*/sources/source[last()]/@id)" "$x")
    check "$n: $nsrc sources, numbered s1..s$nsrc" test "$nsrc" -gt 0 -a "$last" = "s$nsrc"
done
check "more than 300 claims checked in all ($total)" test "$total" -gt 300

# the schema demands the provenance: one claim without src does not validate
w=$T/scenario-wide/dossier-2016042010001094.xml
sed '0,/<verdict src="[^"]*" mark="[^"]*"/s//<verdict/' "$w" > "$T/nosrc.xml"
check "a verdict was stripped of its src" test "$(grep -c '<verdict>' "$T/nosrc.xml")" -eq 1
if xmllint --noout --nonet --schema "$XSD/dossier.xsd" "$T/nosrc.xml" 2> /dev/null; then
    bad "a dossier with a verdict without src validates"
else
    ok "a dossier with a verdict without src does not validate"
fi
check "the walk reports the verdict without src" grep -q '^MISSING summary/verdict' \
    <(xsltproc "$T/walk.xsl" "$T/nosrc.xml")
# (libxml2's schema validation does not resolve IDREFS: the walk does)
sed '0,/<opt-in src="[^"]*"/s//<opt-in src="s999"/' "$T/req-ticket.xml" > "$T/dangling.xml"
check "the walk reports an opt-in citing a source that does not exist" \
    grep -q '^DANGLING request/opt-in.* s999$' <(xsltproc "$T/walk.xsl" "$T/dangling.xml")

# ---- the right sources ------------------------------------------------------------------
# cites X SELECT PREDICATE: the claim SELECT cites a source matching PREDICATE
cites() {
    local n
    n=$(xmllint --xpath "count(/*/sources/source[$3][contains(concat(' ', $2/@src, ' '), concat(' ', @id, ' '))])" "$1" 2> /dev/null)
    [ "${n:-0}" -ge 1 ]
}
check "m1's verdict cites n-mail-2/mail.log.1.gz line 29 (the 250 reply)" \
    cites "$w" "//message[@id='m1']/verdict" "@kind='log' and @file='n-mail-2/mail.log.1.gz' and @line='29' and @host='n-mail-2'"
check "m1's verdict cites the forwarding rule mailup-rules.csv:2" \
    cites "$w" "//message[@id='m1']/verdict" "@kind='rule' and @file='mailup-rules.csv' and @line='2'"
check "m1's verdict cites the ticket (per this ticket, not received)" \
    cites "$w" "//message[@id='m1']/verdict" "@kind='ticket' and @number='2016042010001094'"
check "m1's 250 attempt cites line 29" \
    cites "$w" "//message[@id='m1']/attempts/attempt[microsoft='true']" "@kind='log' and @line='29'"
check "m1's log line 29 is shown as n-mail-2/mail.log.1.gz (relative to [logs] root)" \
    test "$(xmllint --xpath "count(//message[@id='m1']/log-lines/log-line[line='29' and file='n-mail-2/mail.log.1.gz'])" "$w")" -eq 1
check "the forwarding sentence cites mailup-rules.csv:2" \
    cites "$w" "//summary/verdict[contains(., 'forwards its mail to')]" "@kind='rule' and @file='mailup-rules.csv' and @line='2'"
check "the forwarding rule cites mailup-rules.csv:2" \
    cites "$w" "//forwarding/rule[file='mailup-rules.csv']" "@kind='rule' and @line='2'"
check "141.89.68.1 cites [host cl-mail] ip" \
    cites "$w" "/dossier/ips/ip[address='141.89.68.1']" "@kind='config' and @key='[host cl-mail] ip' and @file='maildossier.conf'"
check "an SNDS row cites the SNDS report with its period" \
    cites "$w" "(//reputation/snds)[1]" "@kind='report' and @what='SNDS' and @begin and @end and @file='snds-data-2016-04.csv'"
check "Microsoft's answer cites its reply (case, date, its file)" \
    cites "$w" "(//reputation/microsoft)[1]" "@kind='reply' and @case and @date and @file and @message-id"
check "a coverage note of the evidence span cites the logs as a whole" \
    cites "$w" "(//evidence-span/host/note)[1]" "@kind='store' and @area='logs'"
check "the request's opt-in cites [microsoft] optin" \
    cites "$T/req-ticket.xml" "/request/opt-in" "@kind='config' and @key='[microsoft] optin'"
check "the request's SNDS enrolment cites [microsoft] snds" \
    cites "$T/req-ticket.xml" "//enrolment/snds" "@kind='config' and @key='[microsoft] snds'"
check "the request's RP-001 error cites line 46 of n-mail-2/mail.log.1.gz" \
    cites "$T/req-ticket.xml" "//errors/error[contains(text, 'RP-001')]" "@kind='log' and @file='n-mail-2/mail.log.1.gz' and @line='46'"
check "the window request's errors cite log lines" \
    test "$(xmllint --xpath "count(//errors/error)" "$T/req-window.xml")" -gt 0 -a \
         "$(xmllint --xpath "count(/*/sources/source[@kind='log' and @line])" "$T/req-window.xml")" -gt 0
b=$T/bounces/dossier-2016042210000001.xml
check "k.weber's bounce cites its stored message (file and Message-ID)" \
    cites "$b" "(//bounces/bounce)[1]" "@kind='message' and @file='bounces.mbox' and @message-id='201604220920.u3M9K5Tt019002@n-mail-3.rz.uni-potsdam.de'"
e=$T/nothing/dossier-2016042010000999.xml
check "an address with nothing: the verdict cites the logs as a whole" \
    cites "$e" "//summary/verdict[1]" "@kind='store' and @area='logs'"
check "an address with nothing: the verdict cites the ticket" \
    cites "$e" "//summary/verdict[1]" "@kind='ticket' and @number='2016042010000999'"
nr=$T/scenario-noroot/dossier-2016042010001094.xml
check "without [logs] root: the log file relative to the directory the logs share" \
    cites "$nr" "//message[@id='m1']/verdict" "@kind='log' and @file='mail.log.1.gz' and @line='29'"

# the request goes to Microsoft: a rule in a home directory does not name its user
check "the window request cites lena's .forward as home/*snip*/.forward" \
    test "$(xmllint --xpath "count(/*/sources/source[@kind='rule' and @file='home/*snip*/.forward'])" "$T/req-window.xml")" -eq 1
check "the window request does not name lena.schulz (home/*snip*/.forward)" \
    test -z "$(grep -il 'lena.schulz' "$T/req-window.xml" "$T/req-window.txt")"
check "the dossier of lena's ticket shows her .forward relative to [rules] root" \
    cites "$T/dotforward/dossier-2016042010000826.xml" "//forwarding/rule" "@kind='rule' and @file='home/lena.schulz/.forward'"

# ---- text and PDF: markers and the appendix -------------------------------------------------
wt=$T/scenario-wide/dossier-2016042010001094.txt
no=$(xmllint --xpath "string(/*/sources/source[@kind='log' and @file='n-mail-2/mail.log.1.gz' and @line='29']/@id)" "$w")
no=${no#s}
check "the text lists source $no as n-mail-2/mail.log.1.gz:29" \
    grep -qxF "[$no] log n-mail-2/mail.log.1.gz:29 (n-mail-2)" "$wt"
check "the text shows m1's log line 29 as n-mail-2/mail.log.1.gz:29" \
    grep -qxF "  # n-mail-2/mail.log.1.gz:29" "$wt"
check "m1's 250 attempt in the text carries marker [$no] (it cites that line alone)" \
    grep -qF "Queued mail for delivery [$no]" <(tr -s '\n ' '  ' < "$wt")
check "markers join runs (m2's verdict cites 4 lines in a row: [a-b])" \
    grep -qE "not received\. \[([0-9]+,)*[0-9]+-[0-9]+(,[0-9]+)*\]" <(tr -s '\n ' '  ' < "$wt")
check "the text has the sources appendix" grep -q '^7\. SOURCES' "$wt"
on=$(xmllint --xpath "string(/*/sources/source[@kind='config' and @key='[microsoft] optin']/@id)" "$T/req-ticket.xml")
check "the text marks the request's opt-in with its source [${on#s}]" \
    grep -qE "optin\) +\[${on#s}\]" <(tr -s '\n ' '  ' < "$T/req-ticket.txt")
check "the request text lists its sources" grep -q '^SOURCES OF THIS REQUEST' "$T/req-ticket.txt"
pdftotext -layout "$T/scenario-wide/dossier-2016042010001094.pdf" "$T/wide.pdf.txt" 2> /dev/null
check "the PDF has the sources appendix" grep -q '7 *Sources' "$T/wide.pdf.txt"
check "the PDF lists source $no" grep -qF "[$no] log n-mail-2/mail.log.1.gz:29 (n-mail-2)" "$T/wide.pdf.txt"
check "the PDF shows log line n-mail-2/mail.log.1.gz:29" grep -qF "n-mail-2/mail.log.1.gz:29" "$T/wide.pdf.txt"
check "m1's 250 attempt in the PDF carries marker [$no]" \
    grep -qF "delivery [$no]" <(tr -s '\n ' '  ' < "$T/wide.pdf.txt")

# the PDF lists each source in the same words as the text (render_src.c and
# common-text.xsl): the first line of each entry of the text's appendix
missing=0 compared=0
while IFS= read -r l; do
    compared=$((compared + 1))
    grep -qF -- "$l" "$T/wide.pdf.txt" || { missing=$((missing + 1)); echo "  not in the PDF: $l"; }
done < <(sed -n '/^7\. SOURCES/,$p' "$wt" | grep '^\[[0-9]*\] ')
check "the PDF's $compared sources read as the text's ($missing differ)" \
    test "$compared" -gt 10 -a "$missing" -eq 0

# ---- no absolute path of the machine in any document -------------------------------------------
for p in "$T"/*/dossier-*.pdf; do pdftotext -layout "$p" "$p.txt" 2> /dev/null; done
all=("${xmls[@]}" "$T"/*/dossier-*.txt "$T"/*/dossier-*.pdf.txt "$T"/req-*.txt)
hits=$(grep -lF -e "$fixtures/" -e "$MD_FIXTURES/" -e "$MD_TMP" -e "$MD_SOURCE_DIR/" "${all[@]}")
check "no absolute path in ${#all[@]} XML, text and PDF files (${hits:-none})" test -z "$hits"
hits=$(grep -hoE '(file|source)="/[^"]*"|<file>/[^<]*' "${xmls[@]}" | head -3)
check "no file shown with a leading / (${hits:-none})" test -z "$hits"

[ "$fails" -eq 0 ] && echo "all provenance checks passed"
exit "$fails"
