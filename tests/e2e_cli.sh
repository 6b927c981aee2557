#!/usr/bin/env bash
# e2e_cli.sh: the command line as a user meets it: --version, --help, every
# command's --help (exit 0, a usage line), an unknown command and a bad
# option (exit 2), the front (maildossier) and maildossier-full: the front
# loads neither libxml2, libxslt nor libharu, and says so clearly when
# maildossier-full cannot be found; and the man page: it renders without
# warnings, and every command that `maildossier --help` lists is described
# in it.
set -u
: "${MD_BIN:?}" "${MD_SOURCE_DIR:?}" "${MD_TMP:?}"
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
out=$MD_TMP/e2e_cli.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
cd "$out"   # no ./maildossier.conf or ./maildossier.db of the caller's

"$MD_BIN" --version >v.txt 2>&1 || err "--version exits $?"
grep -Eq '^maildossier [0-9]+\.[0-9]+\.[0-9]+' v.txt || err "--version prints: $(cat v.txt)"

"$MD_BIN" --help >h.txt 2>&1 || err "--help exits $?"
grep -q '^usage: maildossier' h.txt || err "--help has no usage line"
# the commands: the indented words of the "Commands:" block
cmds=$(awk '/^Commands:/{c=1;next} c&&/^$/{c=0} c&&/^  [a-z]/{print $1}' h.txt)
[ -n "$cmds" ] || err "--help lists no commands"
for c in $cmds; do
  "$MD_BIN" "$c" --help >c.txt 2>&1; rc=$?
  [ $rc -eq 0 ] || err "$c --help exits $rc"
  grep -q "^usage: maildossier $c" c.txt || err "$c --help prints no 'usage: maildossier $c' line"
  # -h too, and options before the command do not change that
  "$MD_BIN" -q "$c" -h >/dev/null 2>&1 || err "-q $c -h exits $?"
done
[ ! -e maildossier.db ] || err "--help created a store"

"$MD_BIN" no-such-command >u.txt 2>&1; rc=$?
[ $rc -eq 2 ] || err "unknown command exits $rc, not 2"
grep -q "no-such-command" u.txt || err "unknown command not named: $(cat u.txt)"
"$MD_BIN" --no-such-option >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || err "unknown option exits $rc, not 2"
"$MD_BIN" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || err "no command exits $rc, not 2"
"$MD_BIN" ingest >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || err "ingest without a path exits $rc, not 2"
"$MD_BIN" --config /nonexistent/maildossier.conf stats >c.txt 2>&1; rc=$?
[ $rc -eq 1 ] || err "missing --config exits $rc, not 1"
grep -q /nonexistent/maildossier.conf c.txt || err "missing --config not named"

# a read-only command on a store that does not exist: exit 1, named, not created
if "$MD_BIN" stats --help >/dev/null 2>&1; then
  "$MD_BIN" --db "$out/none.db" stats >n.txt 2>&1; rc=$?
  [ $rc -eq 1 ] || err "stats without a store exits $rc, not 1"
  grep -q "$out/none.db" n.txt || err "stats without a store: path not named: $(cat n.txt)"
  [ ! -e "$out/none.db" ] || err "stats created a store"
fi

# the front and maildossier-full (cmd/maildossier.c)
full=$(dirname "$MD_BIN")/maildossier-full
[ -x "$full" ] || err "no maildossier-full beside $MD_BIN"
if command -v readelf >/dev/null 2>&1; then
  readelf -d "$MD_BIN" >d.txt 2>&1 || err "readelf $MD_BIN exits $?"
  # (a static front has no NEEDED entries at all)
  ! grep -Eq 'NEEDED.*(libxml2|libxslt|libhpdf|libicu|libstdc)' d.txt ||
    err "the front needs heavy libraries: $(grep NEEDED d.txt | tr -s ' ' | tr '\n' ' ')"
  readelf -d "$full" | grep -q 'NEEDED.*libhpdf' || err "maildossier-full does not need libharu"
else
  echo "readelf absent: the front's libraries not checked"
fi
# a command of maildossier-full, through the front: the same text as directly
"$MD_BIN" ticket --help >f1.txt 2>&1 || err "ticket --help through the front exits $?"
"$full" ticket --help >f2.txt 2>&1 || err "maildossier-full ticket --help exits $?"
cmp -s f1.txt f2.txt || err "ticket --help differs through the front"
# the front alone (no maildossier-full beside it nor installed): exit 1, named
mkdir -p alone
cp "$MD_BIN" alone/maildossier
libexec=$(tr '\0' '\n' <"$MD_BIN" | grep -a '^/.*/libexec/maildossier$' | head -1)
if [ -n "$libexec" ] && [ ! -e "$libexec/maildossier-full" ]; then
  ASAN_OPTIONS=detect_leaks=0 ./alone/maildossier status >a.txt 2>&1; rc=$?
  [ $rc -eq 1 ] || err "front without maildossier-full exits $rc, not 1"
  grep -q "maildossier-full" a.txt && grep -q "'status'" a.txt ||
    err "front without maildossier-full: $(cat a.txt)"
  # its own commands still run
  ./alone/maildossier trace --help >/dev/null 2>&1 || err "lone front: trace --help exits $?"
fi

# the man page
man1=$MD_SOURCE_DIR/doc/maildossier.1
if [ ! -f "$man1" ]; then
  err "no doc/maildossier.1"
else
  if command -v groff >/dev/null 2>&1; then
    LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man1" >g.txt 2>&1 || err "groff exits $?"
    [ ! -s g.txt ] || err "groff warns: $(head -5 g.txt)"
    # plain text: no SGR escapes, no overstriking
    LC_ALL=C.UTF-8 groff -man -Tutf8 -P-cbu "$man1" >m.txt 2>/dev/null || err "groff exits $?"
  elif command -v mandoc >/dev/null 2>&1; then
    mandoc -T lint -W warning "$man1" >g.txt 2>&1 || err "mandoc lint: $(head -5 g.txt)"
    mandoc -T ascii "$man1" | sed 's/.\x08//g' >m.txt
  else
    echo "groff and mandoc absent: man page rendering not checked"
    sed 's/\\-/-/g' "$man1" >m.txt
  fi
  for sec in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -q "^$sec" m.txt || err "man page has no $sec section"
  done
  for c in $cmds; do
    # a subsection per command, its name first
    grep -Eq "^   $c( |\$)" m.txt || err "man page does not describe '$c'"
  done
  for code in 0 1 2 3 4; do
    grep -Eq "^       $code( |\$)" m.txt || err "man page EXIT STATUS lacks $code"
  done
  grep -q MAILDOSSIER_DB m.txt || err "man page does not name MAILDOSSIER_DB"
  # the global options of --help, and every command's options, are documented
  for o in $(grep -Eo -- '--[a-z][a-z-]+' h.txt | sort -u); do
    grep -q -- "$o" m.txt || err "man page lacks option $o"
  done
  for c in $cmds; do
    for o in $("$MD_BIN" "$c" --help 2>/dev/null | grep -Eo -- '--[a-z][a-z-]+' | sort -u); do
      grep -q -- "$o" m.txt || err "man page lacks option $o of $c"
    done
  done
fi
# help as a command; windows and times are checked before anything is read
"$MD_BIN" help >hl.txt 2>&1 && grep -q '^usage: maildossier' hl.txt || err "'help' does not give the usage"
"$MD_BIN" help trace >hl.txt 2>&1 && grep -q '^usage: maildossier trace' hl.txt ||
  err "'help trace' does not give trace's usage"
for c in "trace a@b.example" "ticket 2016042010001094 --address a@b.example" "request"; do
  # shellcheck disable=SC2086
  "$MD_BIN" --db nostore.db $c --since 2016-05-01 --until 2016-04-01 >w.txt 2>&1; rc=$?
  [ $rc -eq 2 ] && grep -q -- "--since is later than --until" w.txt ||
    err "'$c' with --since after --until: exit $rc: $(head -1 w.txt)"
  # shellcheck disable=SC2086
  "$MD_BIN" --db nostore.db $c --since yesterday >w.txt 2>&1; rc=$?
  [ $rc -eq 2 ] && grep -q 'not a time (2016-04-23, "2016-04-23 16:06", 2016-04-23T16:06:27Z, @UNIX)' w.txt ||
    err "'$c' with a bad time: exit $rc: $(head -1 w.txt)"
done
# a store that is not there: every command but ingest fails as trace does,
# and none makes one (an empty store gave a dossier saying nothing happened)
for c in "trace a@b.example" "ticket 2016042010001094 --address a@b.example --out nostore-out" \
         "request --ticket 2016042010001094" "status" "ip 192.0.2.1" "stats"; do
  # shellcheck disable=SC2086
  "$MD_BIN" --db nostore.db $c >ns.txt 2>&1; rc=$?
  [ $rc -eq 1 ] || err "'$c' on a missing store: exit $rc, want 1"
  grep -q "no store at nostore.db" ns.txt || err "'$c' on a missing store: $(head -2 ns.txt)"
  [ ! -e nostore.db ] || { err "'$c' made a store"; rm -f nostore.db*; }
done
# a directory given as the configuration is no empty configuration
"$MD_BIN" --config . stats >c.txt 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "not a configuration file (a directory)" c.txt ||
  err "--config DIR: exit $rc: $(head -2 c.txt)"
[ $fail -eq 0 ] && echo "e2e_cli: ok ($(echo $cmds | wc -w) commands)"
exit $fail
