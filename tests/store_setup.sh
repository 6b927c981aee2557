# store_setup.sh: sourced by the end-to-end tests of the store's
# life (e2e_crash, e2e_diskfull, e2e_concurrent): they
# need the sqlite3 program (tests/store_digest.sh) and the bench
# generators beside the binary, else they are skipped (77).  Sets bindir,
# fail, err, digest and t (a scratch folder removed at the end unless
# KEEP is set; $cleanup runs first).  Usage: . store_setup.sh NAME
set -u
: "${MD_BIN:?}" "${MD_TMP:?}" "${MD_SOURCE_DIR:?}"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skip"; exit 77; }
bindir=$(dirname "$MD_BIN")
[ -x "$bindir/gen_postfix" ] && [ -x "$bindir/gen_maildir" ] ||
    { echo "gen_postfix/gen_maildir not built: skip"; exit 77; }
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
digest() { bash "$MD_SOURCE_DIR/tests/store_digest.sh" "$1"; }
t=$MD_TMP/$1.$$
mkdir -p "$t"
cleanup=:
trap 'eval "$cleanup"; [ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
