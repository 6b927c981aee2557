#!/bin/bash
# check_header_names.sh: no header of lib/ may take the place of a system
# header.  lib/ (and any folder below it) is on the include path of every
# file built against the library, ahead of the system directories, so a
# lib/limits.h was what <limits.h> gave to libxml2's, zstd's and libetpan's
# headers as well as to ours.
#
# Fails for a header lib/[DIR/]NAME.h when NAME.h (or DIR/NAME.h) is a
# header of a system include directory and some file includes it as
# <NAME.h>: a header of one of those directories, or a source of this
# tree.  A lib/ header that has a system header's name which nothing
# includes (glibc's <err.h>, <aliases.h>) is printed as a note.
#
# usage: check_header_names.sh SOURCE_DIR CC [INCLUDE_DIR...]
#   CC: the compiler, asked for its own search list (cc -E -v);
#   INCLUDE_DIR: further directories of the dependencies' headers.
set -u
src=${1:?usage: check_header_names.sh SOURCE_DIR CC [INCLUDE_DIR...]}
cc=${2:?usage: check_header_names.sh SOURCE_DIR CC [INCLUDE_DIR...]}
shift 2

dirs=$(echo | "$cc" -E -Wp,-v -x c - 2>&1 >/dev/null |
    sed -n '/<\.\.\.> search starts here:/,/End of search list/{s/^ //p}' | grep '^/')
[ -n "$dirs" ] || { echo "FAIL: no include directories from $cc -E -v" >&2; exit 1; }
sysdirs=()
for d in $dirs "$@"; do
    case "$d" in "$src"/*|"$src") continue ;; esac   # lib/ and the build's gen/
    [ -d "$d" ] || continue
    case " ${sysdirs[*]} " in *" $d "*) continue ;; esac
    sysdirs+=("$d")
done

# every name included as <...> by a system header or by a file of ours
included=$(grep -rhoE '^[[:space:]]*#[[:space:]]*include(_next)?[[:space:]]*<[^>]+>' \
        "${sysdirs[@]}" "$src/lib" "$src/cmd" "$src/tests" "$src/bench" 2>/dev/null |
    sed -E 's/.*<([^>]+)>.*/\1/' | sort -u)

bad=0 n=0
while IFS= read -r h; do
    n=$((n + 1))
    rel=${h#"$src/lib/"}
    # lib/a/b.h may be reached as <a/b.h> (from lib/) or <b.h> (from lib/a/)
    while :; do
        for d in "${sysdirs[@]}"; do
            [ -e "$d/$rel" ] || continue
            if grep -qxF "$rel" <<<"$included"; then
                echo "FAIL: lib/${h#"$src/lib/"} takes the place of <$rel> ($d/$rel)" >&2
                bad=1
            else
                echo "note: lib/${h#"$src/lib/"} has the name of $d/$rel, which nothing includes"
            fi
            break
        done
        case "$rel" in */*) rel=${rel#*/} ;; *) break ;; esac
    done
done < <(find "$src/lib" -name '*.h' | sort)
[ "$n" -gt 0 ] || { echo "FAIL: no headers under $src/lib" >&2; exit 1; }
[ "$bad" = 0 ] || exit 1
echo "ok: $n headers of lib/, none in place of a system header (searched: ${sysdirs[*]})"
