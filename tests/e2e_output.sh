#!/usr/bin/env bash
# e2e_output.sh: the files ticket and request write (issue #12, items 5 and
# 8).  Links planted in the output directory at the names of the temporary
# files (dossier-N.EXT.tmp) and at the final names are never followed: their
# targets stay as they were, the final names become regular files, and no
# temporary file is left.  --out creates missing parent directories (ticket:
# the directory; request: the file's directory), and a component that is a
# file is named (exit 2).  Env: MD_BIN, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
T=$MD_TMP/e2e_output.$$
rm -rf "$T"
mkdir -p "$T/out"
trap 'rm -rf "$T"' EXIT
cd "$T"
md() { "$MD_BIN" --db "$T/md.db" --config "$MD_FIXTURES/maildossier.conf" -q "$@"; }
# a store to write dossiers from (only ingest makes one)
md ingest --year 2016 "$MD_FIXTURES/logs/n-mail-1" || { echo "FAIL: ingest: exit $?" >&2; exit 1; }
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi; }
n=2016042010001094
addr=anna.schmidt@uni-potsdam.de

# ---- links planted in the output directory ---------------------------------------
echo secret > victim
for e in pdf txt xml; do ln -s "$T/victim" "out/dossier-$n.$e.tmp"; done
ln -s "$T/victim-final" "out/dossier-$n.txt"
# (exit 5: the dossier is written, but one host's logs do not cover the window)
md ticket "$n" --address "$addr" --out out > ticket.out 2> ticket.err
rc=$?
check "ticket with planted links exits 5 ($(cat ticket.err))" test $rc -eq 5
check "the target of the .tmp links is unchanged" cmp -s victim <(echo secret)
check "the final name's link was not followed" test ! -e victim-final
for e in pdf txt xml; do
    check "dossier-$n.$e is a regular file" test -f "out/dossier-$n.$e" -a ! -L "out/dossier-$n.$e"
done
check "the text dossier was written" grep -q "TICKET $n" "out/dossier-$n.txt"
check "no temporary file left" test "$(ls out | grep -c '\.tmp$')" -eq 3

# request --out onto a planted link: replaced, not followed
ln -s "$T/victim" req.txt
md request --ticket "$n" --out req.txt 2> request.err
rc=$?
check "request onto a planted link exits 0 ($(cat request.err))" test $rc -eq 0
check "request: the link's target is unchanged" cmp -s victim <(echo secret)
check "request: req.txt is a regular file" test -f req.txt -a ! -L req.txt

# ---- --out creates missing parents ---------------------------------------------------
md ticket "$n" --address "$addr" --out new/a/b --format txt > /dev/null 2> mk.err
rc=$?
check "ticket --out new/a/b exits 5 ($(cat mk.err))" test $rc -eq 5
check "ticket --out new/a/b wrote the dossier" test -f "new/a/b/dossier-$n.txt"
md request --ticket "$n" --out req/a/b/request.xml 2> rq.err
rc=$?
check "request --out req/a/b/request.xml exits 0 ($(cat rq.err))" test $rc -eq 0
check "request --out req/a/b/request.xml wrote it" grep -q '<request' req/a/b/request.xml
touch plain
md ticket "$n" --address "$addr" --out plain/a > /dev/null 2> nd.err
check "ticket --out through a file exits 2 (got $?)" test $? -eq 2
check "the file is named ($(cat nd.err))" grep -q "plain: not a directory" nd.err
md request --ticket "$n" --out plain/r.txt 2> nd2.err
check "request --out through a file exits 2 (got $?)" test $? -eq 2
check "the file is named ($(cat nd2.err))" grep -q "plain: not a directory" nd2.err

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
