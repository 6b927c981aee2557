#!/usr/bin/env bash
# e2e_incremental.sh: ingesting in pieces gives the store that one ingest
# of the whole gives, index keys included (tests/store_digest.sh compares
# every row by its natural key).
#  1. A message open at the end of one run (only its client= line) and
#     completed in the next: its Message-ID and sender are found by trace.
#  2. A generated Postfix log fed in growing pieces, cut at odd lines, in
#     one file that grows (as syslog writes it) equals one ingest of it.
#  3. A Maildir that grows between runs equals one ingest of the last one.
set -u
: "${MD_BIN:?}" "${MD_TMP:?}" "${MD_SOURCE_DIR:?}"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skip"; exit 77; }
bindir=$(dirname "$MD_BIN")
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
t=$MD_TMP/e2e_incremental.$$
mkdir -p "$t"
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
digest() { bash "$MD_SOURCE_DIR/tests/store_digest.sh" "$1"; }
md() { local db=$1; shift; "$MD_BIN" --db "$db" -q "$@"; }

# ---- 1. the issue's case: a message continued in the next run -------------
l1='Dec  1 10:00:00 mx1 postfix/smtpd[100]: 4QxYz1AbCd: client=mail.example.org[192.0.2.10]'
l2='Dec  1 10:00:01 mx1 postfix/cleanup[101]: 4QxYz1AbCd: message-id=<piece.1@example.org>'
l3='Dec  1 10:00:01 mx1 postfix/qmgr[102]: 4QxYz1AbCd: from=<alice@example.org>, size=1234, nrcpt=1 (queue active)'
l4='Dec  1 10:00:02 mx1 postfix/smtp[103]: 4QxYz1AbCd: to=<bob@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[104.47.1.33]:25, delay=2, delays=0/0/1/1, dsn=2.6.0, status=sent (250 2.6.0 <piece.1@example.org> [InternalId=1] Queued mail for delivery)'
l5='Dec  1 10:00:02 mx1 postfix/qmgr[102]: 4QxYz1AbCd: removed'
printf '%s\n' "$l1" > "$t/one.log"
md "$t/one.db" ingest --year 2026 "$t/one.log" || err "first piece: exit $?"
printf '%s\n' "$l2" "$l3" "$l4" "$l5" >> "$t/one.log"
md "$t/one.db" ingest --year 2026 "$t/one.log" || err "second piece: exit $?"
printf '%s\n' "$l1" "$l2" "$l3" "$l4" "$l5" > "$t/whole1.log"
md "$t/whole1.db" ingest --year 2026 "$t/whole1.log" || err "whole: exit $?"
for key in '<piece.1@example.org>' alice@example.org bob@hotmail.com 192.0.2.10; do
    "$MD_BIN" --db "$t/one.db" trace "$key" > "$t/trace.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] && grep -q 4QxYz1AbCd "$t/trace.out" ||
        err "trace $key after a continued message: exit $rc"
done
# the whole file read at once is the same file as far as sources go; the
# digests agree on everything but nothing else differs
diff <(digest "$t/one.db" | grep -v '^[0-9a-f]*|log|') \
     <(digest "$t/whole1.db" | grep -v '^[0-9a-f]*|log|') > "$t/d1" ||
    { err "a message continued in a second run differs from one run:"; head -20 "$t/d1" >&2; }

# ---- 2. a growing log, in pieces ------------------------------------------
gen=$bindir/gen_postfix
if [ -x "$gen" ]; then
    "$gen" -n 6000 -s 11 > "$t/full.log"
    n=$(wc -l < "$t/full.log")
    md "$t/whole2.db" ingest --year 2026 "$t/full.log" || err "whole log: exit $?"
    : > "$t/mail.log"
    done_lines=0
    for cut in 1 2 777 778 2500 4001 $((n - 3)) "$n"; do
        [ "$cut" -le "$n" ] || continue
        sed -n "$((done_lines + 1)),${cut}p" "$t/full.log" >> "$t/mail.log"
        done_lines=$cut
        md "$t/pieces.db" ingest --year 2026 "$t/mail.log" || err "piece to line $cut: exit $?"
    done
    digest "$t/whole2.db" > "$t/whole2.dig"
    digest "$t/pieces.db" > "$t/pieces.dig"
    if ! cmp -s "$t/whole2.dig" "$t/pieces.dig"; then
        err "a log ingested in 8 growing pieces differs from one ingest:"
        diff "$t/whole2.dig" "$t/pieces.dig" | head -20 >&2
    fi
    keys=$(grep -c . <(sed -n '/^== log_key/,/^==/p' "$t/whole2.dig"))
    [ "$keys" -gt 1000 ] || err "only $keys index keys in the whole log's store"
else
    echo "gen_postfix not built: the growing-log part skipped"
fi

# ---- 3. a growing Maildir ------------------------------------------------------
genm=$bindir/gen_maildir
if [ -x "$genm" ]; then
    "$genm" -n 300 -s 5 "$t/src" > /dev/null
    md "$t/whole3.db" ingest "$t/src" || err "whole Maildir: exit $?"
    mkdir -p "$t/Maildir/cur" "$t/Maildir/new" "$t/Maildir/tmp"
    i=0
    for f in $(cd "$t/src" && find cur new -type f | LC_ALL=C sort); do
        cp "$t/src/$f" "$t/Maildir/$f"
        i=$((i + 1))
        case $i in 1|50|51|199|300) md "$t/grow.db" ingest "$t/Maildir" || err "Maildir at $i: exit $?";; esac
    done
    # sources and messages hold paths and ids of their run; compare the rest
    strip() { digest "$1" | sed -n '/^== msg$/,$p'; }
    diff <(strip "$t/whole3.db") <(strip "$t/grow.db") > "$t/d3" ||
        { err "a Maildir ingested as it grew differs from one ingest:"; head -20 "$t/d3" >&2; }
    [ "$(sqlite3 "$t/grow.db" 'SELECT count(*) FROM source')" = 300 ] ||
        err "grown Maildir: not 300 sources"
else
    echo "gen_maildir not built: the growing-Maildir part skipped"
fi
exit $fail
