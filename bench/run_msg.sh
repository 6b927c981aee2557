#!/usr/bin/env bash
# bench/run_msg.sh BUILD_DIR: the message benchmark (issue 3): a seeded Maildir
# of COUNT messages (default 100,000; gen_maildir, kept in bench/data/) is
# parsed in memory (messages/s of the parsers alone), ingested into a fresh
# store through the library with message batching (bench_msg: md_ingest_path
# between md_msgfile_batch_begin/finish), ingested again by
# `maildossier ingest` (idempotent re-run: nothing new), and - with CLI=1 -
# by `maildossier ingest` into a fresh store (it batches the same way).
# Target: 20,000 messages/s.  Environment: COUNT (100000), SEED (42), CLI (0).
# Not a test.
set -eu
B=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
bin=$B/maildossier
gen=$B/gen_maildir
bm=$B/bench_msg
conf=$here/../fixtures/maildossier.conf
[ -x "$bin" ] && [ -x "$gen" ] && [ -x "$bm" ] || { echo "bench: build first ($bin, $gen, $bm missing)" >&2; exit 1; }
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
# warm: the Maildir's files in the page cache, and the writes of the run
# before on disk, before each timed run (this VM's kernel pages out file
# pages it finds cold, so a run a minute later may read from disk)
warm() { sync; find "$md" -type f -print0 | xargs -0 cat > /dev/null; }
echo "== parsing only (message, Received chain, antispam, bounce/complaint readers)"
warm
"$gen" -P "$md"
tmp=$(mktemp -d)
db=$tmp/msg-bench.db
echo "== library ingest with batching into a fresh store"
warm
/usr/bin/time -f '%e s elapsed, %U s user, %M KB peak RSS' "$bm" "$db" "$conf" "$md" 2>&1
warm
s=$( { /usr/bin/time -f '%e' "$bin" --db "$db" --config "$conf" ingest -q "$md" >/dev/null; } 2>&1 | tail -1)
echo "== maildossier ingest again (nothing new): $s s"
n=$(sqlite3 "$db" 'select count(*) from msg' 2>/dev/null || echo '?')
echo "stored messages: $n; store size: $(du -h "$db" | cut -f1)"
if [ "${CLI:-0}" = 1 ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    echo "== maildossier ingest into a fresh store"
    warm
    /usr/bin/time -f '%e s elapsed, %U s user, %M KB peak RSS' "$bin" --db "$db" --config "$conf" ingest --no-progress "$md" 2>&1 | tail -3
fi
rm -rf "$tmp"
