/* fileset.c: a set of file identities (device, inode) with the path each
 * was first reached by (see fileset.h).  Owns its table and the path
 * copies; never touches the file system. */
#include "ingest/fileset.h"

#include <stdlib.h>
#include <string.h>
#include "base/err.h"

/* a slot index for (dev, ino): splitmix64's finaliser over both */
static size_t slot_of(uint64_t dev, uint64_t ino, size_t cap)
{
    uint64_t x = ino ^ (dev * 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (size_t)x & (cap - 1);
}

/* the slot that holds (dev, ino), or the free slot where it would go */
static md_fileset_slot *find(const md_fileset *s, uint64_t dev, uint64_t ino)
{
    size_t i = slot_of(dev, ino, s->cap);
    while (s->slot[i].path && (s->slot[i].dev != dev || s->slot[i].ino != ino))
        i = (i + 1) & (s->cap - 1);
    return &s->slot[i];
}

/* double the table (64 slots the first time); the set unchanged on failure */
static int grow(md_fileset *s)
{
    md_fileset bigger = {NULL, s->cap ? s->cap * 2 : 64, s->n};
    if (bigger.cap < s->cap || bigger.cap > SIZE_MAX / sizeof *bigger.slot)
        return MD_ERR_NOMEM;
    bigger.slot = calloc(bigger.cap, sizeof *bigger.slot);
    if (!bigger.slot)
        return MD_ERR_NOMEM;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i].path)
            *find(&bigger, s->slot[i].dev, s->slot[i].ino) = s->slot[i];
    free(s->slot);
    *s = bigger;
    return MD_OK;
}

int md_fileset_add(md_fileset *s, uint64_t dev, uint64_t ino, const char *path,
                   const char **first)
{
    if (s->cap) {
        md_fileset_slot *e = find(s, dev, ino);
        if (e->path) {
            *first = e->path;
            return 0;
        }
    }
    if ((s->n + 1) * 2 > s->cap && grow(s) != MD_OK)
        return MD_ERR_NOMEM;
    char *copy = strdup(path);
    if (!copy)
        return MD_ERR_NOMEM;
    md_fileset_slot *e = find(s, dev, ino);
    e->dev = dev;
    e->ino = ino;
    e->path = copy;
    s->n++;
    return 1;
}

void md_fileset_free(md_fileset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i].path);
    free(s->slot);
    s->slot = NULL;
    s->cap = s->n = 0;
}
