#!/usr/bin/env bash
# e2e_schema.sh: a store made by a newer maildossier (PRAGMA user_version
# one above this build's) is refused by every command that opens it with
# one message, "STORE: schema version N was made by a newer maildossier
# (this one knows M)", and exit 1, the reading commands (trace, stats,
# rules, show) as the writing ones (ingest, ticket, request, ip, status);
# the store keeps its version (issue #12, item 11).
# Env: MD_BIN, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
command -v sqlite3 > /dev/null || { echo "skip: sqlite3 missing"; exit 77; }
T=$MD_TMP/e2e_schema.$$
rm -rf "$T"
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
cd "$T"
db=$T/md.db
md() { "$MD_BIN" --db "$db" --config "$MD_FIXTURES/maildossier.conf" -q "$@"; }
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi; }

log=$T/mail.log
echo 'Apr 20 10:00:00 ironout postfix/qmgr[1]: 7C1D2E3F4A: from=<a@uni-potsdam.de>, size=1, nrcpt=1 (queue active)' > "$log"
md ingest --year 2016 --no-progress "$log" || { echo "FAIL: ingest into a new store"; exit 1; }
known=$(sqlite3 "$db" 'PRAGMA user_version')
newer=$((known + 1))
sqlite3 "$db" "PRAGMA user_version = $newer"
want="maildossier: $db: schema version $newer was made by a newer maildossier (this one knows $known)"

i=0
for cmd in "trace a@uni-potsdam.de" "stats" "rules a@uni-potsdam.de" "show <m1@uni-potsdam.de>" \
           "ingest --no-progress $log" "ticket 2016042010001094 --address a@uni-potsdam.de --out o" \
           "request --ticket 2016042010001094" "ip 141.89.68.7" "status"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # the words of each command
    md $cmd > "out$i" 2> "err$i"
    rc=$?
    name=${cmd%% *}
    check "$name exits 1 (got $rc)" test $rc -eq 1
    check "$name says: $want (said: $(cat "err$i"))" test "$(cat "err$i")" = "$want"
done
check "the store keeps version $newer" test "$(sqlite3 "$db" 'PRAGMA user_version')" = "$newer"
check "ticket wrote nothing" test ! -e o/dossier-2016042010001094.txt

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
