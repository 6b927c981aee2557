/* fileset.h: the directories and files a walk has reached, by identity.
 *
 * NAME
 *   md_fileset_add, md_fileset_free
 *
 * DESCRIPTION
 *   A set of file identities (device and inode number), each with the path
 *   it was first reached by.  A walk that follows symbolic links asks it
 *   before it reads a directory or a file, so that it reads each once and
 *   can say where it read it: without it two links such as dir/a -> .. and
 *   dir/b -> . make the walk grow exponentially with the nesting depth.
 *   Lookups and insertions take constant time on average (open addressing;
 *   the table doubles when half full).
 *
 * OWNERSHIP
 *   An all-zero md_fileset (MD_FILESET_INIT) is an empty set.  The set owns
 *   copies of the paths; md_fileset_free releases them and leaves an empty
 *   set (freeing an empty set is safe).
 *
 * DIAGNOSTICS
 *   md_fileset_add returns 1 when the identity is new (its path copied), 0
 *   when it is there already (*first: the path it came with first, valid
 *   until md_fileset_free), or MD_ERR_NOMEM (the set unchanged).
 */
#ifndef MD_FILESET_H
#define MD_FILESET_H

#include <stddef.h>
#include <stdint.h>

typedef struct md_fileset_slot {
    uint64_t dev, ino;
    char *path;               /* NULL: the slot is free */
} md_fileset_slot;

typedef struct md_fileset {
    md_fileset_slot *slot;
    size_t cap;               /* 0 or a power of two */
    size_t n;
} md_fileset;

#define MD_FILESET_INIT {NULL, 0, 0}

int md_fileset_add(md_fileset *s, uint64_t dev, uint64_t ino, const char *path,
                   const char **first);
void md_fileset_free(md_fileset *s);

#endif
