#!/usr/bin/env bash
# e2e_install.sh: an installation works as users and packagers make it:
# `cmake --install` of this build into a fresh prefix, then every kind of
# command from PREFIX/bin/maildossier, found on a PATH without the build
# directory, run from a directory outside the source and build trees:
# --version, ingest of the fixtures, trace, ticket (PDF, text, XML),
# request and show.  The front finds maildossier-full in
# PREFIX/libexec/maildossier and maildossier-full finds the templates in
# PREFIX/share/maildossier, relative to themselves: the installed
# templates are marked, and the dossier and the request must carry the
# marks (not the source tree's templates, not the configured prefix's).
# All of it again after the prefix is moved (mv); then, with
# maildossier-full removed, the front still runs trace and names what it
# looked for when it cannot hand over a command.
set -u
: "${MD_BUILD_DIR:?}" "${MD_CMAKE:?}" "${MD_FIXTURES:?}"
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
# outside the build tree (MD_TMP is in it): nothing may be found there
t=$(mktemp -d "${TMPDIR:-/tmp}/md_e2e_install.XXXXXX") || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
F=$MD_FIXTURES
conf=$F/maildossier.conf
ticket=2016042010001094
address=anna.schmidt@uni-potsdam.de

prefix=$t/first/usr
"$MD_CMAKE" --install "$MD_BUILD_DIR" --prefix "$prefix" >"$t/install.log" 2>&1 ||
    { echo "FAIL: cmake --install: $(cat "$t/install.log")" >&2; exit 1; }
for f in bin/maildossier libexec/maildossier/maildossier-full \
         share/maildossier/templates/dossier-text.xsl share/maildossier/templates/request-text.xsl \
         share/maildossier/templates/dossier.xsd share/man/man1/maildossier.1; do
    [ -e "$prefix/$f" ] || err "not installed: $f"
done
[ "$fail" = 0 ] || exit 1
# mark the installed templates: the renderings must come from these files
tpl=$prefix/share/maildossier/templates
sed -i "s/'5\. AFFECTED IPS'/'5. AFFECTED IPS (installed)'/" "$tpl/dossier-text.xsl"
sed -i 's|<xsl:text>Prepared </xsl:text>|<xsl:text>Prepared (installed) </xsl:text>|' \
    "$tpl/request-text.xsl"
grep -q "AFFECTED IPS (installed)" "$tpl/dossier-text.xsl" &&
    grep -q "Prepared (installed)" "$tpl/request-text.xsl" ||
    { echo "FAIL: could not mark the installed templates" >&2; exit 1; }

# inputs as fixtures/demo.sh takes them
. "$F/inputs.sh"
md_fixture_inputs "$F"

# run_all PREFIX LABEL: every command from PREFIX/bin, in $t/LABEL
run_all() {
    local p=$1 w=$t/$2 rc
    mkdir -p "$w/out"
    (
        cd "$w" || exit 1
        export PATH="$p/bin:/usr/bin:/bin"
        unset MAILDOSSIER_DB
        case "$p/" in
            "$MD_BUILD_DIR"/*) echo "FAIL: the prefix is in the build dir" >&2; exit 1 ;;
        esac
        [ "$(command -v maildossier)" = "$p/bin/maildossier" ] ||
            { echo "FAIL: PATH finds $(command -v maildossier)" >&2; exit 1; }
        md() { maildossier --db "$w/s.db" --config "$conf" "$@"; }
        bad=0
        e() { echo "FAIL ($2): $1" >&2; bad=1; }
        maildossier --version >version.txt 2>&1 || e "--version: exit $?" "$2"
        grep -Eq '^maildossier [0-9]+\.[0-9]+' version.txt || e "--version: $(cat version.txt)" "$2"
        md ingest --year 2016 --no-progress --host lists --rules-home "$F/rules/home" \
            "${inputs[@]}" >ingest.out 2>ingest.err
        rc=$?
        [ "$rc" = 0 ] || [ "$rc" = 3 ] || e "ingest: exit $rc: $(tail -3 ingest.err)" "$2"
        md trace "$address" --since 2016-04-06 >trace.txt 2>trace.err ||
            e "trace: exit $?: $(cat trace.err)" "$2"
        grep -qi "$address" trace.txt || e "trace does not name $address" "$2"
        md ticket "$ticket" --address "$address" --since 2016-04-06 --until 2016-04-25 \
            --out out >ticket.out 2>ticket.err || e "ticket: exit $?: $(cat ticket.err)" "$2"
        d=out/dossier-$ticket
        [ "$(head -c 5 "$d.pdf" 2>/dev/null)" = "%PDF-" ] || e "no PDF dossier" "$2"
        grep -q '^5\. AFFECTED IPS (installed)' "$d.txt" 2>/dev/null ||
            e "the text dossier is not made by the installed template" "$2"
        grep -q "<dossier" "$d.xml" 2>/dev/null || e "no XML dossier" "$2"
        if command -v xmllint >/dev/null; then
            xmllint --noout --nonet --schema "$p/share/maildossier/templates/dossier.xsd" "$d.xml" \
                2>xmllint.err || e "the XML dossier does not validate: $(head -3 xmllint.err)" "$2"
        fi
        md request --ticket "$ticket" --out request.txt >request.out 2>request.err ||
            e "request: exit $?: $(cat request.err)" "$2"
        grep -q "Prepared (installed)" request.txt 2>/dev/null ||
            e "the request is not made by the installed template" "$2"
        md show "$F/messages/ndr-5.7.606-banned-ip.eml" >show.txt 2>show.err ||
            e "show: exit $?: $(cat show.err)" "$2"
        grep -q "5\.7\.606" show.txt || e "show does not give the status 5.7.606" "$2"
        exit "$bad"
    ) || fail=1
}

run_all "$prefix" first

# the prefix moved after the installation
mv "$t/first" "$t/moved"
prefix=$t/moved/usr
[ -e "$t/first" ] && err "mv left $t/first"
run_all "$prefix" moved

# without maildossier-full: the front's own commands still run, the others
# fail naming where maildossier-full was looked for
rm "$prefix/libexec/maildossier/maildossier-full"
(
    cd "$t/moved" || exit 1
    PATH="$prefix/bin:/usr/bin:/bin"
    maildossier --db "$t/moved/s.db" --config "$conf" trace "$address" --since 2016-04-06 \
        >/dev/null 2>&1 || { echo "FAIL: trace needs maildossier-full" >&2; exit 1; }
    maildossier --db "$t/moved/s.db" --config "$conf" show "$F/messages/ndr-5.7.606-banned-ip.eml" \
        >/dev/null 2>show.err
    rc=$?
    [ "$rc" = 1 ] || { echo "FAIL: show without maildossier-full: exit $rc" >&2; exit 1; }
    grep -q "libexec/maildossier/maildossier-full" show.err ||
        { echo "FAIL: the error does not name the path: $(cat show.err)" >&2; exit 1; }
) || fail=1

[ "$fail" = 0 ] && echo "ok"
exit "$fail"
