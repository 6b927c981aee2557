#!/usr/bin/env bash
# e2e_rules.sh: forwarding rules end to end.  The scenario's rule fixtures
# (aliases with :include:, the mail store's rules CSV, a home tree with
# .forward files and Dovecot Sieve links via --rules-home) are ingested;
# `maildossier rules` shows for anna.schmidt (the ticket's user) the rule,
# its file:line, Hotmail as a Microsoft consumer domain and no local copy;
# follows an alias chain, flags a loop, tells a kept copy and a conditional
# redirect apart; --forwards-to-microsoft lists exactly the addresses that
# forward without a copy; exit 4 for an address without rules; --help; a
# changed .forward replaces its rules; broken rule files are reported as
# FILE:LINE (exit 3) and the rest is stored; YAML files (an Ansible vars file, a GitLab CI file) are not taken
# for aliases (named and skipped, exit 3, no rules), unless --format aliases
# says so.  The Pigeonhole corpus: e2e_rules_corpus.sh.
set -u
: "${MD_BIN:?}" "${MD_TMP:?}" "${MD_FIXTURES:?}"
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
t=$MD_TMP/e2e_rules.$$
mkdir -p "$t"
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
cd "$t"
db=$t/store.db
R=$MD_FIXTURES/rules
md() { "$MD_BIN" --db "$db" --config "$MD_FIXTURES/maildossier.conf" "$@"; }

# ---- 1. ingest ---------------------------------------------------------------
md ingest -q "$R/aliases" "$R/mailup-rules.csv" --rules-home "$R/home" >out.txt 2>err.txt; rc=$?
[ $rc -eq 0 ] || err "ingest: exit $rc: $(head -3 err.txt)"

# ---- 2. the ticket's user ----------------------------------------------------
md rules anna.schmidt@uni-potsdam.de >anna.txt 2>&1; rc=$?
[ $rc -eq 0 ] || err "rules anna: exit $rc"
grep -q 'anna.schmidt@hotmail.de' anna.txt || err "anna: target missing: $(cat anna.txt)"
grep -q 'mailup-rules.csv:2' anna.txt || err "anna: file:line missing"
grep -q 'MICROSOFT CONSUMER DOMAIN' anna.txt || err "anna: Hotmail not flagged"
grep -q 'local copy kept: NO' anna.txt || err "anna: copy not reported as missing"
grep -q 'WITHOUT keeping a local copy' anna.txt || err "anna: no verdict line"

# the old alias a.schmidt leads there too (a chain: alias -> CSV rule)
md rules a.schmidt >chain.txt 2>&1 || err "rules a.schmidt: exit $?"
grep -q 'aliases:24' chain.txt || err "chain: alias line missing: $(cat chain.txt)"
grep -q 'a.schmidt@uni-potsdam.de -> anna.schmidt@uni-potsdam.de -> anna.schmidt@hotmail.de' chain.txt ||
  err "chain: via missing"

# k.weber keeps a copy (\k.weber), m.becker only sometimes (Sieve condition),
# t.wolf always (redirect :copy), tutoren-ws loops
md rules k.weber@uni-potsdam.de m.becker t.wolf tutoren-ws >several.txt 2>&1 ||
  err "rules several: exit $?"
for a in k.weber t.wolf; do
  md rules $a | grep -q 'local copy kept: yes, always' || err "$a: copy not kept"
done
grep -q 'local copy kept: only sometimes' several.txt || err "m.becker: not 'sometimes'"
grep -q 'only if anyof (address :domain :is "from" "uni-potsdam.de"' several.txt ||
  err "m.becker: condition missing"
grep -q 'LOOP: the chain comes back to tutoren-ws@uni-potsdam.de' several.txt ||
  err "tutoren-ws: loop not reported"
grep -q 'sieve/managesieve.sieve\|\.dovecot\.sieve:7' several.txt || err "m.becker: sieve file:line missing"

# ---- 3. everyone forwarding to Microsoft without a copy -----------------------
md rules --forwards-to-microsoft >ms.txt 2>/dev/null; rc=$?
[ $rc -eq 0 ] || err "--forwards-to-microsoft: exit $rc"
for a in anna.schmidt@uni-potsdam.de lena.schulz@uni-potsdam.de f.neumann@uni-potsdam.de \
         m.becker@uni-potsdam.de fachschaft-info a.schmidt \
         mia.roth@uni-potsdam.de ole.berg@uni-potsdam.de; do
  grep -q "^$a	" ms.txt || err "--forwards-to-microsoft: $a missing: $(cat ms.txt)"
done
for a in k.weber t.wolf jdoe s.koch; do
  grep -q "^$a" ms.txt && err "--forwards-to-microsoft: $a listed although a copy is kept"
done
[ "$(wc -l <ms.txt)" -eq 8 ] || err "--forwards-to-microsoft: $(wc -l <ms.txt) lines"

# ---- 4. exit codes, help, CSV ----------------------------------------------------
md rules nobody@example.org >/dev/null 2>&1; rc=$?
[ $rc -eq 4 ] || err "address without rules: exit $rc, want 4"
md rules >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || err "no address: exit $rc, want 2"
md rules --help | grep -q 'forwards-to-microsoft' || err "--help does not document the option"
md rules --csv lena.schulz >csv.txt || err "--csv: exit $?"
head -1 csv.txt | grep -q '^address,target,keeps_copy,source' || err "--csv: no header: $(cat csv.txt)"
grep -q '^lena.schulz@uni-potsdam.de,lena.schulz@hotmail.de,0,' csv.txt || err "--csv row: $(cat csv.txt)"

# ---- 5. a changed .forward supersedes the old one ----------------------------
mkdir -p home/lena.schulz
printf '\\lena.schulz, lena.schulz@hotmail.de\n' >home/lena.schulz/.forward
md ingest -q --rules-home home >/dev/null 2>&1 || err "re-ingest: exit $?"
md rules lena.schulz@uni-potsdam.de >lena.txt 2>&1
# the fixture's .forward is another file: both apply now ...
grep -q 'home/lena.schulz/.forward:1' lena.txt || err "new .forward not stored: $(cat lena.txt)"
# ... and the same file changed replaces its rules
printf '# nothing any more\n' >home/lena.schulz/.forward
md ingest -q --rules-home home >/dev/null 2>&1
md rules lena.schulz@uni-potsdam.de >lena2.txt 2>&1
grep -q "$t/home/lena.schulz/.forward" lena2.txt && err "emptied .forward still applies: $(cat lena2.txt)"

# ---- 6. bad rule files ---------------------------------------------------------
md ingest -q "$R/bad" >/dev/null 2>bad.txt; rc=$?
[ $rc -eq 3 ] || err "bad rules: exit $rc, want 3"
grep -q 'broken.sieve:7: Sieve: unknown command' bad.txt || err "sieve error without file:line: $(cat bad.txt)"
grep -q 'bad/aliases:6: duplicate alias dup' bad.txt || err "aliases duplicate not reported"
grep -q 'rules.csv:2: keeps_copy' bad.txt || err "csv bad row not reported"
md rules broken@uni-potsdam.de | grep -q 'ok@example.org' || err "valid part of the broken script not stored"

# ---- 7. YAML is no aliases file; --format decides ---------------------------------
N=$MD_FIXTURES/rules/not-rules
db2=$t/yaml.db
mdy() { "$MD_BIN" --db "$db2" --config "$MD_FIXTURES/maildossier.conf" "$@"; }
mdy ingest "$N" >/dev/null 2>yaml.txt; rc=$?
[ $rc -eq 3 ] || err "YAML: exit $rc, want 3: $(cat yaml.txt)"
for f in relay-vars.yml gitlab-ci.yml; do
  grep -q "not-rules/$f: not a recognised input" yaml.txt || err "YAML $f not named as skipped: $(cat yaml.txt)"
done
grep -q 'aliases [0-9]' yaml.txt && err "YAML stored as aliases: $(grep 'other inputs' yaml.txt)"
mdy rules postfix_mydomain image >/dev/null 2>&1; rc=$?
[ $rc -eq 4 ] || err "YAML keys became rules: rules exit $rc, want 4"
# the same file under a name that says aliases: still not aliases
cp "$N/relay-vars.yml" aliases
mdy ingest aliases >/dev/null 2>yaml2.txt; rc=$?
[ $rc -eq 3 ] || err "YAML named aliases: exit $rc, want 3: $(cat yaml2.txt)"
# --format aliases: detection is not asked
mdy ingest --format aliases "$N/relay-vars.yml" >/dev/null 2>yaml3.txt
grep -q 'aliases 1;' yaml3.txt || err "--format aliases: not read as aliases: $(cat yaml3.txt)"
mdy rules postfix_mydomain >forced.txt 2>&1 || err "--format aliases: no rule: $(cat forced.txt)"
grep -q 'relay-vars.yml:4' forced.txt || err "--format aliases: rule without its line: $(cat forced.txt)"

exit $fail
