#!/usr/bin/env bash
# e2e_links.sh: how trace links messages, on fixtures/logs/links (SCENARIO.md,
# "Links between messages") and on every fixture:
#   - sibling copies: one original to mia.roth and ole.berg, whose mail store
#     rules forward to two Hotmail addresses; Microsoft's 250 quotes the
#     original's Message-ID for both copies.  Without rules both links are
#     only possible (shown in words by a trace of the queue id, not followed
#     by a trace of an address); with the rules each user's trace and dossier
#     show the user's own copy and neither the other's copy nor its target;
#   - amavis (127.0.0.1:10024 -> queued as) and a cross-host queued-as
#     (cl-mail -> ironout, both logs present) are queued-as links, not merely
#     the same Message-ID;
#   - a Postfix queue id reused on smtpout nine days later is two messages;
#   - `trace IP` finds what our own IPs sent (n-compro-3 re-injects) and the
#     stored messages whose Received chain names an IP only there; a store
#     written before that index gets it at the next ingest.
set -u
: "${MD_BIN:?}" "${MD_TMP:?}" "${MD_FIXTURES:?}"
T=$MD_TMP/e2e_links.$$
rm -rf "$T"
mkdir -p "$T"
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
has() { grep -q -- "$1" "$2"; }
hasnt() { ! grep -q -- "$1" "$2"; }
conf=$MD_FIXTURES/maildossier.conf
L=$MD_FIXTURES/logs/links
db=$T/links.db
md() { "$MD_BIN" --db "$db" --config "$conf" "$@"; }

md -q ingest --year 2016 "$L" || bad "ingest of $L: exit $?"

# ---- sibling copies without rules: possible links only ----------------------
md trace --no-lines u3P8K0Ab021001 > "$T/orig.txt"
for q in u3P8K2Cd021010 u3P8K2Ef021012; do
    check "trace of the original shows copy $q as a possible link" \
        has "-> \[.\] n-mail-3 $q (possible link only, it may be a sibling copy: ms-quoted-msgid)" "$T/orig.txt"
done
[ "$(grep -c 'possible link only' "$T/orig.txt")" -eq 4 ] || bad "not 4 possible-link lines (2 links, both ends)"
md trace --no-lines mia.roth@uni-potsdam.de > "$T/mia0.txt"
check "no rules: mia.roth's trace follows no possible link" has '^1 message(s)' "$T/mia0.txt"
check "no rules: not ole.berg's copy" hasnt 'u3P8K2Ef021012' "$T/mia0.txt"
check "no rules: not ole.berg's target" hasnt 'ole.berg@hotmail.de' "$T/mia0.txt"

# ---- with the mail store's rules: each user's own copy, not the sibling's -----
md -q ingest "$MD_FIXTURES/rules/mailup-rules.csv" || bad "rules ingest: exit $?"
md trace --no-lines mia.roth@uni-potsdam.de > "$T/mia.txt"
check "mia.roth: her copy" has '-> \[2\] n-mail-3 u3P8K2Cd021010 (ms-quoted-msgid)' "$T/mia.txt"
check "mia.roth: accepted at Hotmail" has 'to <mia.roth@hotmail.de>: accepted by Microsoft' "$T/mia.txt"
check "mia.roth: not ole.berg's copy" hasnt 'u3P8K2Ef021012' "$T/mia.txt"
check "mia.roth: not ole.berg's target" hasnt 'ole.berg@hotmail.de' "$T/mia.txt"
md trace --no-lines ole.berg@uni-potsdam.de > "$T/ole.txt"
check "ole.berg: his copy" has '-> \[2\] n-mail-3 u3P8K2Ef021012 (ms-quoted-msgid)' "$T/ole.txt"
check "ole.berg: not mia.roth's copy" hasnt 'u3P8K2Cd021010' "$T/ole.txt"
check "ole.berg: not mia.roth's target" hasnt 'mia.roth@hotmail.de' "$T/ole.txt"
md trace --no-lines mia.roth@hotmail.de > "$T/miah.txt"
check "from mia.roth's copy back to the original" has 'u3P8K0Ab021001' "$T/miah.txt"
check "and not on to ole.berg's copy" hasnt 'u3P8K2Ef021012' "$T/miah.txt"
md trace --no-lines u3P8K0Ab021001 > "$T/orig2.txt"
check "with rules the links are precise" hasnt 'possible link' "$T/orig2.txt"
# the dossier of a ticket for each (unredacted, so that an absence means something)
for u in mia.roth:ole.berg:u3P8K2Cd021010:u3P8K2Ef021012 ole.berg:mia.roth:u3P8K2Ef021012:u3P8K2Cd021010; do
    IFS=: read -r me other mine theirs <<< "$u"
    md ticket T-$me --address $me@uni-potsdam.de --since 2016-04-24 --until 2016-04-26 \
        --no-redact --format txt,xml --out "$T/d-$me" > /dev/null 2>&1 || bad "ticket $me: exit $?"
    d=$T/d-$me/dossier-T-$me
    check "dossier $me: own copy $mine" has "$mine" "$d.xml"
    check "dossier $me: own target" has "$me@hotmail.de" "$d.txt"
    check "dossier $me: not $theirs" hasnt "$theirs" "$d.xml"
    check "dossier $me: not $other@hotmail.de" hasnt "$other@hotmail.de" "$d.xml"
    check "dossier $me: text neither" hasnt "$other@hotmail.de" "$d.txt"
done

# ---- amavis and a cross-host queued-as ------------------------------------
md trace --no-lines 5A1B2C3D4E > "$T/amavis.txt"
check "amavis re-queue is a queued-as link" \
    has '-> \[2\] smtpout 5A1C5E6F70 (queued-as): 5A1B2C3D4E: to=<tklein@hotmail.de> content filter 127.0.0.1: queued as 5A1C5E6F70' "$T/amavis.txt"
check "and the re-queued message reached Microsoft" has 'InternalId=27311412240385' "$T/amavis.txt"
md trace --no-lines u3P900Gh004201 > "$T/cross.txt"
check "cl-mail -> ironout is a queued-as link" \
    has '-> \[2\] ironout 3qVtN51Xk9z9wTx (queued-as): relay ironout.rz.uni-potsdam.de: queued as 3qVtN51Xk9z9wTx' "$T/cross.txt"
check "ironout's delivery to Microsoft follows" has 'InternalId=27311412240401' "$T/cross.txt"

# ---- a queue id reused after nine days --------------------------------------
md trace --no-lines 7E21A3C0B5 > "$T/reuse.txt"
check "reused queue id: two messages" has '^2 message(s): 2 matched' "$T/reuse.txt"
md trace --no-lines c.koch@uni-potsdam.de > "$T/koch.txt"
check "the first user's trace has the first message only" has '^1 message(s)' "$T/koch.txt"
check "and not the later user's recipient" hasnt 'bklein@live.de' "$T/koch.txt"

# ---- trace IP on every fixture ------------------------------------------------
db=$T/all.db
inputs=()
for d in "$MD_FIXTURES"/logs/*/ "$MD_FIXTURES"/messages; do
    case "$d" in */scenario/|*/bad/) continue ;; esac
    inputs+=("$d")
done
md -q ingest --year 2016 --no-progress "${inputs[@]}" 2> /dev/null
[ $? -le 3 ] || bad "ingest of the fixtures"
md trace --no-lines 141.89.68.4 > "$T/ip4.txt"
check "141.89.68.4: 61 messages name it (59 in the scenario, 2 sibling copies)" \
    has '^[0-9]* message(s): 61 matched' "$T/ip4.txt"
for q in u3J8E4Qm011850 u3P8K2Cd021010 u3P8K2Ef021012 u3J6DAt3016403 GB1zvXh2F8BzCKF; do
    check "141.89.68.4: $q" has "^\[[0-9]*\] [a-z0-9-]* [a-z]* $q " "$T/ip4.txt"
done
md trace --no-lines 141.89.68.7 > "$T/ip7.txt"
check "141.89.68.7 as a delivery's relay: cl-mail's relay to ironout" has '^\[[0-9]*\] cl-mail sendmail u3P900Gh004201 ' "$T/ip7.txt"
md trace --no-lines 141.89.112.25 > "$T/hop.txt"
check "a Received-only hop IP finds the stored copy" \
    has '^  message .* (2016-04-23 16:09, hop 2) Message-ID <6A1B2C3D4E5F4A0B9C8D7E6F5A4B3C2D@EXCH01.verwaltung.uni-potsdam.de>' "$T/hop.txt"
# a store written before the IP index (simulated: no index entries, no
# "ipseen" state): the next ingest indexes the IPs of what it holds once
if command -v sqlite3 > /dev/null; then
    sqlite3 "$db" "DELETE FROM log_key; DELETE FROM log_state WHERE key = 'ipseen';" \
        || bad "sqlite3 on the store"
    md -q trace --no-lines 141.89.68.4 > "$T/ip4a.txt"
    check "index entries removed" hasnt ' 61 matched' "$T/ip4a.txt"
    md -q ingest --year 2016 "$L/smtpout-reuse.log" || bad "re-ingest: exit $?"
    md trace --no-lines 141.89.68.4 > "$T/ip4b.txt"
    check "an older store: its IPs indexed by the next ingest" \
        has '^[0-9]* message(s): 61 matched' "$T/ip4b.txt"
fi
md -q trace 192.0.2.254 > /dev/null; rc=$?
[ $rc -eq 4 ] || bad "an IP named nowhere: exit $rc, want 4"
exit $((fails > 0))
