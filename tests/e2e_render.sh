#!/bin/bash
# e2e_render.sh: the evidence documents and templates with the standard
# libxml2/libxslt tools, as a postmaster editing templates/ would use them:
# the sample documents validate against their schemas (xmllint --schema),
# broken ones do not, and the text stylesheets run under xsltproc too.
set -u
: "${MD_SOURCE_DIR:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
command -v xmllint >/dev/null || exit 77
T="$MD_SOURCE_DIR/templates"
D="$MD_FIXTURES/dossier"
tmp="$MD_TMP/e2e_render"
mkdir -p "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }

xmllint --noout --nonet --schema "$T/dossier.xsd" "$D/sample-dossier.xml" 2>"$tmp/err" ||
    fail "sample dossier does not validate: $(cat "$tmp/err")"
xmllint --noout --nonet --schema "$T/request.xsd" "$D/sample-request.xml" 2>"$tmp/err" ||
    fail "sample request does not validate: $(cat "$tmp/err")"

# a timeline outcome outside the vocabulary, and a request without IP usage
sed '0,/<outcome>filtered</s//<outcome>lost</' "$D/sample-dossier.xml" >"$tmp/bad-dossier.xml"
grep -q '<outcome>lost<' "$tmp/bad-dossier.xml" || fail "could not break the dossier"
if xmllint --noout --nonet --schema "$T/dossier.xsd" "$tmp/bad-dossier.xml" 2>/dev/null; then
    fail "a dossier with outcome 'lost' validates"
fi
grep -v '<ip-usage>' "$D/sample-request.xml" >"$tmp/bad-request.xml"
if xmllint --noout --nonet --schema "$T/request.xsd" "$tmp/bad-request.xml" 2>/dev/null; then
    fail "a request without ip-usage validates"
fi

if command -v xsltproc >/dev/null; then
    xsltproc --nonet --nowrite --nomkdir "$T/dossier-text.xsl" "$D/sample-dossier.xml" \
        >"$tmp/dossier.txt" || fail "xsltproc dossier-text.xsl"
    grep -q '^5\. AFFECTED IPS' "$tmp/dossier.txt" || fail "dossier text lacks section 5"
    xsltproc --nonet --nowrite --nomkdir "$T/request-text.xsl" "$D/sample-request.xml" \
        >"$tmp/request.txt" || fail "xsltproc request-text.xsl"
    ips=$(sed -n 's|.*<address>\([^<]*\)</address>.*|\1|p' "$D/sample-request.xml")
    for ip in $ips; do
        grep -qx "$ip" "$tmp/request.txt" || fail "request text lacks the line $ip"
    done
fi
echo "ok"
