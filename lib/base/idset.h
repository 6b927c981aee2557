/* idset.h: a hash set of 64-bit ids (store row ids), for the places that
 * ask "seen this row already?" once per row: a linear scan there makes the
 * work quadratic in the number of rows (a ticket with thousands of stored
 * messages).
 *
 * Open addressing with linear probing, grown to twice its size when half
 * full; any int64_t is a valid id.  Ownership: the caller owns the set (a
 * zeroed md_idset is an empty set) and releases it with md_idset_free (safe
 * on a zeroed or already freed set).  Never prints.
 */
#ifndef MD_IDSET_H
#define MD_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct md_idset {
    int64_t *slot;
    unsigned char *used;       /* 1: slot holds an id */
    size_t n, cap;             /* ids held, slots (0 or a power of two) */
} md_idset;

/* md_idset_add: 1 when id was added, 0 when it was there, -1 when out of
 * memory (the set unchanged). */
int md_idset_add(md_idset *s, int64_t id);

/* md_idset_has: 1 when id is in the set, else 0. */
int md_idset_has(const md_idset *s, int64_t id);

void md_idset_free(md_idset *s);

#endif
