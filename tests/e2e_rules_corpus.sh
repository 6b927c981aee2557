#!/usr/bin/env bash
# e2e_rules_corpus.sh: the Pigeonhole corpus (../shared/corpus/pigeonhole,
# 18 Sieve scripts) is ingested with only the two scripts that must fail
# reported (commands-semicolon.sieve, out-address.sieve with its 15 errors),
# exit 3.  Skipped (exit 77) where the corpus is absent.
set -u
: "${MD_BIN:?}" "${MD_TMP:?}" "${MD_FIXTURES:?}"
P=${MD_SHARED:-/nonexistent}/corpus/pigeonhole
[ -d "$P" ] || { echo "$P absent: skip"; exit 77; }
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
t=$MD_TMP/e2e_rules_corpus.$$
mkdir -p "$t"
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
cd "$t"
db=$t/store.db

mapfile -d '' scripts < <(find "$P" -name '*.sieve' -print0)
[ "${#scripts[@]}" -eq 18 ] || err "pigeonhole: ${#scripts[@]} scripts, not 18"
"$MD_BIN" --db "$db" --config "$MD_FIXTURES/maildossier.conf" ingest -q "${scripts[@]}" \
  >/dev/null 2>pig.txt; rc=$?
[ $rc -eq 3 ] || err "pigeonhole: exit $rc, want 3: $(head -3 pig.txt)"
files=$(grep -o '^maildossier: [^:]*' pig.txt | sed 's|.*/||' | sort -u)
[ "$files" = "$(printf 'commands-semicolon.sieve\nout-address.sieve')" ] ||
  err "pigeonhole: failing files: $files"
[ "$(grep -c 'out-address.sieve:' pig.txt)" -eq 15 ] ||
  err "out-address.sieve: $(grep -c out-address pig.txt) errors"
[ "$fail" = 0 ] && echo "ok"
exit $fail
