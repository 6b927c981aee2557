#!/usr/bin/env bash
# bench/run_msg.sh BUILD_DIR: the message benchmark (issue 3): a seeded Maildir
# of COUNT messages (default 100,000; gen_maildir, kept in bench/data/) is
# parsed in memory (messages/s of the parsers alone) and then ingested into
# a fresh store with `maildossier ingest` (messages/s parsing + storing, peak
# RSS), and ingested again (idempotent re-run).  Target: 20,000 messages/s.
# Environment: COUNT (100000), SEED (42).  Not a test.
set -eu
B=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
bin=$B/maildossier
gen=$B/gen_maildir
conf=$here/../fixtures/maildossier.conf
[ -x "$bin" ] && [ -x "$gen" ] || { echo "bench: build first ($bin, $gen missing)" >&2; exit 1; }
COUNT=${COUNT:-100000}
SEED=${SEED:-42}
data=$here/data
md=$data/Maildir-$COUNT-$SEED
if [ ! -d "$md/cur" ]; then
    echo "generating $COUNT messages (seed $SEED) into $md ..."
    rm -rf "$md.tmp"
    "$gen" -n "$COUNT" -s "$SEED" "$md.tmp"
    mv "$md.tmp" "$md"
fi
echo "== parsing only (message, Received chain, antispam, bounce/complaint readers)"
"$gen" -P "$md"
db=$(mktemp -d)/msg-bench.db
echo "== ingest into a fresh store ($db)"
/usr/bin/time -f '%e s elapsed, %M KB peak RSS' "$bin" --db "$db" --config "$conf" ingest --no-progress "$md" 2>&1 | tail -6
s=$( { /usr/bin/time -f '%e' "$bin" --db "$db" --config "$conf" ingest -q "$md" >/dev/null; } 2>&1 | tail -1)
echo "== ingest again (nothing new): $s s"
n=$(sqlite3 "$db" 'select count(*) from msg' 2>/dev/null || echo '?')
echo "stored messages: $n; store size: $(du -h "$db" | cut -f1)"
rm -rf "$(dirname "$db")"
