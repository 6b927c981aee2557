#!/usr/bin/env bash
# e2e_escape.sh: outside text in messages on stderr (issue #12, item 9).
# Arguments with an escape sequence ("\033[31m", an OSC title) reach the
# terminal as \xNN: in our messages, in those about options (which getopt
# no longer prints: unknown, ambiguous, missing argument) and about an
# unknown command.  A 5,000-byte argument or path is cut with
# "...(N bytes)" and the message keeps its end.  A log line with escape
# bytes that draws a warning, and a log file whose name holds them, are
# shown masked.
# Env: MD_BIN, MD_FIXTURES, MD_TMP.
set -u
: "${MD_BIN:?}" "${MD_FIXTURES:?}" "${MD_TMP:?}"
T=$MD_TMP/e2e_escape.$$
rm -rf "$T"
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
cd "$T"
md() { "$MD_BIN" --db "$T/md.db" --config "$MD_FIXTURES/maildossier.conf" "$@"; }
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi; }
esc=$'\033' bel=$'\a'
no_esc() { ! LC_ALL=C grep -q "[$esc$bel]" "$1"; }
# the longest line of file $1 in bytes
longest() { LC_ALL=C awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$1"; }
red=$'\033[31m'
long=$(head -c 5000 /dev/zero | tr '\0' A)

# ---- escape sequences in arguments ----------------------------------------------------
md ticket "12${red}X" --address a@uni-potsdam.de > /dev/null 2> e1
rc=$?
check "ticket with ESC in the number exits 2 (got $rc)" test $rc -eq 2
check "ticket: no ESC on stderr" no_esc e1
check "ticket: the ESC shown as \\x1B ($(cat e1))" grep -qF "'12\\x1B[31mX' is not a ticket number" e1
md trace "--${red}x" > /dev/null 2> e2
rc=$?
check "trace with an unknown option exits 2 (got $rc)" test $rc -eq 2
check "trace: no ESC on stderr" no_esc e2
check "trace: the option named, masked ($(head -1 e2))" grep -qF "trace: unknown option '--\\x1B[31mx'" e2
# getopt prints nothing itself now: its other complaints, from us
md trace --no-lines -xq a@b > /dev/null 2> g1
check "a short option failing in a cluster is named ($(cat g1))" grep -qF "trace: unknown option '-x'" g1
md trace --no a@b > /dev/null 2> g2
check "an ambiguous abbreviation is named ($(cat g2))" grep -qF "trace: ambiguous option '--no'" g2
md trace a@b --since > /dev/null 2> g3
check "a missing argument is named ($(cat g3))" grep -qF "trace: option '--since' needs an argument" g3
md "--${esc}]0;owned"$'\a' > /dev/null 2> e3
check "a global option with an OSC sequence: no ESC, no BEL on stderr" no_esc e3
md "${esc}[2J" > /dev/null 2> e4
check "an unknown command with ESC: no ESC on stderr" no_esc e4
check "the command named, masked ($(cat e4))" grep -qF "unknown command '\\x1B[2J'" e4
md ticket 2016042010001094 --address a@uni-potsdam.de --out "o${red}" --format "x${red}" > /dev/null 2> e5
check "ticket --format with ESC: no ESC on stderr ($(cat e5))" no_esc e5

# ---- 5,000-byte arguments ---------------------------------------------------------------
md ticket "$long" --address a@uni-potsdam.de > /dev/null 2> l1
check "ticket: a 5,000-byte number is cut (longest line $(longest l1) bytes)" test "$(longest l1)" -lt 400
check "ticket: the cut says how long it was" grep -qF "...(5000 bytes)' is not a ticket number" l1
md trace --since "$long" x > /dev/null 2> l2
check "trace --since: a 5,000-byte value is cut ($(longest l2) bytes)" test "$(longest l2)" -lt 400
md -q ingest --no-progress "$T/$long" > /dev/null 2> l3
check "ingest: a 5,000-byte path is cut ($(longest l3) bytes)" test "$(longest l3)" -lt 400
check "ingest: the reason is kept ($(cut -c1-60 l3)...)" grep -q "bytes): cannot stat: File name too long" l3

# ---- escape bytes in a log line and a log file's name -----------------------------------
{
    printf 'Apr 20 10:00:00 ironout postfix/smtp[1]: 7C1D2E3F4A: \033[31m\033]0;owned\a'
    head -c 70000 /dev/zero | tr '\0' B
    printf '\n'
} > "log${red}.log"
md -q ingest --year 2016 --no-progress "log${red}.log" > /dev/null 2> w1
check "ingest of an over-long line with escape bytes warns ($(cut -c1-80 w1))" grep -q 'longer than the limit' w1
check "the warning: no ESC, no BEL" no_esc w1
check "the warning names the file, masked" grep -qF 'log\x1B[31m.log:1:' w1
check "the warning quotes the line, masked" grep -qF '\x1B[31m\x1B]0;owned\x07BBB' w1

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
