#!/bin/bash
# e2e_symbols.sh: no object of ours defines a symbol of a library we use
# (issue 13).  A definition of, say, deflateInit_ or HPDF_MemCpy in our code
# replaces the library's own for the whole process (every caller, libharu
# included), which is patching someone else's library.  Checked with nm:
#  - every global symbol defined by lib/'s archive (libmdcore.a) and by the
#    command objects (cmd/*.c) against every symbol exported by the
#    libraries we link (zlib, libharu, libxml2, libxslt, libetpan, SQLite,
#    zstd, LZ4, bzip2, xz, minizip, inih), and against the prefixes of the
#    ones replaced before (HPDF_, deflate, inflate);
#  - every symbol a program exports against the shared libraries it loads
#    (an export that a loaded library also defines wins over the library's).
set -u
: "${MD_BIN:?}"
command -v nm >/dev/null || exit 77
B=$(dirname "$MD_BIN")
tmp="${MD_TMP:-/tmp}/e2e_symbols"
mkdir -p "$tmp"
fail=0

# the symbols a library defines: its shared object's exports, else its archive's
lib_symbols() {
    local f
    for f in "lib$1.so" "lib$1.a"; do
        local p
        p=$(${CC:-cc} -print-file-name="$f" 2>/dev/null)
        if [ -n "$p" ] && [ "$p" != "$f" ] && [ -e "$p" ]; then
            case $f in
            *.so) nm -D --defined-only "$p" 2>/dev/null ;;
            *) nm -g --defined-only "$p" 2>/dev/null ;;
            esac | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }'
            return 0
        fi
    done
    return 1
}

: >"$tmp/foreign"
for l in z hpdf xml2 xslt exslt etpan sqlite3 zstd lz4 bz2 lzma minizip inih; do
    lib_symbols "$l" >>"$tmp/foreign" || echo "note: lib$l not found, not checked" >&2
done
sort -u -o "$tmp/foreign" "$tmp/foreign"
[ -s "$tmp/foreign" ] || { echo "FAIL: no library symbols read" >&2; exit 1; }
grep -qx 'deflateInit_' "$tmp/foreign" && grep -qx 'HPDF_New' "$tmp/foreign" ||
    { echo "FAIL: zlib's or libharu's symbols not read" >&2; exit 1; }

# ours: lib/'s archive and the commands' objects
objs=("$B/libmdcore.a")
while IFS= read -r o; do objs+=("$o"); done < <(find "$B/CMakeFiles" \
    \( -path '*/maildossier.dir/*' -o -path '*/maildossier-full.dir/*' \) -name '*.o')
[ -f "$B/libmdcore.a" ] || { echo "FAIL: $B/libmdcore.a missing" >&2; exit 1; }
[ "${#objs[@]}" -gt 1 ] || { echo "FAIL: no command objects under $B/CMakeFiles" >&2; exit 1; }
nm -g --defined-only "${objs[@]}" 2>/dev/null | awk 'NF >= 3 { print $3 }' | sort -u >"$tmp/ours"
[ -s "$tmp/ours" ] || { echo "FAIL: no symbols of ours read" >&2; exit 1; }

clash=$(comm -12 "$tmp/ours" "$tmp/foreign")
prefixed=$(grep -E '^(HPDF_|deflate|inflate)' "$tmp/ours")
if [ -n "$clash$prefixed" ]; then
    echo "FAIL: our objects define symbols of other libraries:" \
        $(printf '%s\n' $clash $prefixed | sort -u) >&2
    fail=1
fi

# the programs' exports against the shared libraries each one loads
for bin in "$B/maildossier" "$B/maildossier-full"; do
    [ -x "$bin" ] || continue
    # functions only: data a program uses (stdout, xmlFree) is copied into
    # it by the linker and exported from there, which replaces nothing
    nm -D --defined-only "$bin" 2>/dev/null | awk 'NF >= 3 && $2 ~ /^[TtWi]$/ { print $3 }' |
        sort -u >"$tmp/exp"
    : >"$tmp/loaded"
    while read -r so; do
        nm -D --defined-only "$so" 2>/dev/null |
            awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' >>"$tmp/loaded"
    done < <(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
             grep -Ev '/(libc|libm|libpthread|libdl|ld-linux[^/]*)\.so')
    sort -u -o "$tmp/loaded" "$tmp/loaded"
    clash=$(comm -12 "$tmp/exp" "$tmp/loaded" | grep -Ev '^(_init|_fini|_edata|_end|__bss_start|_IO_stdin_used|__data_start|data_start|__dso_handle)$')
    if [ -n "$clash" ]; then
        echo "FAIL: $(basename "$bin") exports symbols of the libraries it loads:" $clash >&2
        fail=1
    fi
done
exit $fail
