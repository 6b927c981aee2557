#!/bin/bash
# e2e_render.sh: the renderings maildossier makes, checked with the standard
# libxml2/libxslt tools a postmaster editing templates/ would use.  The
# product is run on the fixtures (ingest, ticket, request) and its output
# is checked: the XML dossier and the XML request validate against their
# schemas (xmllint --schema); the text dossier maildossier wrote is, byte
# for byte, what xsltproc makes of that XML dossier with
# templates/dossier-text.xsl (the renderer's C line filler and libxslt run
# as the stylesheet says), and so is the text request from the XML request
# (but for the time of preparing: two runs); the request names each IP of
# the XML on a line of its own.  The schemas also refuse what they must:
# the sample documents (fixtures/dossier/) validate, broken ones do not.
# Skipped (exit 77) without xmllint or xsltproc (.ci/install-deps installs
# them: libxml2-utils, xsltproc).
set -u
: "${MD_BIN:?}" "${MD_SOURCE_DIR:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
for tool in xmllint xsltproc; do
    command -v "$tool" >/dev/null || { echo "$tool not installed: skip"; exit 77; }
done
T="$MD_SOURCE_DIR/templates"
D="$MD_FIXTURES/dossier"
F=$MD_FIXTURES
tmp="$MD_TMP/e2e_render.$$"
mkdir -p "$tmp"
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
ticket=2016042010001094
md() { "$MD_BIN" --db "$tmp/s.db" --config "$F/maildossier.conf" "$@"; }
xslt() { xsltproc --nonet --nowrite --nomkdir "$@"; }

# ---- 1. the product's renderings ---------------------------------------------------
. "$F/inputs.sh"     # the scenario's inputs, as fixtures/demo.sh takes them
md_fixture_inputs "$F"
md ingest --year 2016 --no-progress --host lists --rules-home "$F/rules/home" "${inputs[@]}" \
    >/dev/null 2>"$tmp/ingest.err"
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] ||
    { echo "FAIL: ingest: exit $rc: $(tail -3 "$tmp/ingest.err")" >&2; exit 1; }
md ticket "$ticket" --address anna.schmidt@uni-potsdam.de --since 2016-04-06 \
    --until 2016-04-25 --format txt,xml --out "$tmp/out" >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: ticket: $(cat "$tmp/err")" >&2; exit 1; }
dx=$tmp/out/dossier-$ticket.xml
dt=$tmp/out/dossier-$ticket.txt
xmllint --noout --nonet --schema "$T/dossier.xsd" "$dx" 2>"$tmp/err" ||
    err "the dossier maildossier wrote does not validate: $(head -5 "$tmp/err")"
xslt "$T/dossier-text.xsl" "$dx" >"$tmp/dossier-xsltproc.txt" 2>"$tmp/err" ||
    err "xsltproc dossier-text.xsl on the dossier: $(head -3 "$tmp/err")"
grep -q '^5\. AFFECTED IPS' "$dt" || err "the text dossier lacks section 5"
grep -q "TICKET $ticket" "$dt" || err "the text dossier does not name the ticket"
diff -u "$tmp/dossier-xsltproc.txt" "$dt" >"$tmp/diff" ||
    err "the text dossier differs from xsltproc's rendering of the XML: $(head -20 "$tmp/diff")"

md request --ticket "$ticket" --out "$tmp/request.xml" >/dev/null 2>"$tmp/err" ||
    err "request (XML): $(cat "$tmp/err")"
md request --ticket "$ticket" --out "$tmp/request.txt" >/dev/null 2>"$tmp/err" ||
    err "request (text): $(cat "$tmp/err")"
xmllint --noout --nonet --schema "$T/request.xsd" "$tmp/request.xml" 2>"$tmp/err" ||
    err "the request maildossier wrote does not validate: $(head -5 "$tmp/err")"
xslt "$T/request-text.xsl" "$tmp/request.xml" >"$tmp/request-xsltproc.txt" 2>"$tmp/err" ||
    err "xsltproc request-text.xsl on the request: $(head -3 "$tmp/err")"
# the two runs prepared it at different times
stamp() { sed -E '/^Prepared /s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/TIME/' "$1"; }
diff -u <(stamp "$tmp/request-xsltproc.txt") <(stamp "$tmp/request.txt") >"$tmp/diff" ||
    err "the text request differs from xsltproc's rendering of the XML: $(head -20 "$tmp/diff")"
ips=$(sed -n 's|.*<address>\([^<]*\)</address>.*|\1|p' "$tmp/request.xml")
[ -n "$ips" ] || err "the XML request names no IP"
for ip in $ips; do
    grep -qxF "$ip" "$tmp/request.txt" || err "the text request lacks the line of $ip"
done

# ---- 2. the schemas refuse what they must -------------------------------------------
xmllint --noout --nonet --schema "$T/dossier.xsd" "$D/sample-dossier.xml" 2>"$tmp/err" ||
    err "sample dossier does not validate: $(cat "$tmp/err")"
xmllint --noout --nonet --schema "$T/request.xsd" "$D/sample-request.xml" 2>"$tmp/err" ||
    err "sample request does not validate: $(cat "$tmp/err")"
# a timeline outcome outside the vocabulary, and a request without IP usage
sed '0,/<outcome>[a-z-]*</s//<outcome>lost</' "$dx" >"$tmp/bad-dossier.xml"
grep -q '<outcome>lost<' "$tmp/bad-dossier.xml" || err "could not break the dossier"
if xmllint --noout --nonet --schema "$T/dossier.xsd" "$tmp/bad-dossier.xml" 2>/dev/null; then
    err "a dossier with outcome 'lost' validates"
fi
grep -v '<ip-usage' "$tmp/request.xml" >"$tmp/bad-request.xml"
cmp -s "$tmp/bad-request.xml" "$tmp/request.xml" && err "could not break the request"
if xmllint --noout --nonet --schema "$T/request.xsd" "$tmp/bad-request.xml" 2>/dev/null; then
    err "a request without ip-usage validates"
fi
# ---- 3. a claim citing thousands of sources renders (the marker maildossier
# wrote is used; a stylesheet recursing once per id stops at libxslt's 3,000
# levels, as a big mailbox's summary did) ----------------------------------------
{
    printf '<dossier><verdict src="'
    for i in $(seq 1 5000); do printf 's%d ' "$i"; done
    printf '" mark="1-5000">v</verdict></dossier>\n'
} > "$tmp/big-cite.xml"
cat > "$tmp/cite.xsl" <<XSL
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="$T/common-text.xsl"/>
  <xsl:output method="text"/>
  <xsl:template match="/"><xsl:call-template name="cite"><xsl:with-param name="n" select="dossier/verdict"/></xsl:call-template></xsl:template>
</xsl:stylesheet>
XSL
out=$(xsltproc --nonet "$tmp/cite.xsl" "$tmp/big-cite.xml" 2>"$tmp/err")
[ "$out" = " [1-5000]" ] || err "a claim citing 5,000 sources: '$out' $(head -2 "$tmp/err")"

[ "$fail" = 0 ] && echo "ok"
exit "$fail"
