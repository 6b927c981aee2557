/* idset.c: a hash set of 64-bit ids (see idset.h). */
#include "base/idset.h"
#include <stdlib.h>

static size_t slot_of(int64_t id, size_t cap)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL; /* Fibonacci hashing */
    h ^= h >> 29;
    return (size_t)(h & (cap - 1));
}

static size_t probe(const md_idset *s, int64_t id)
{
    size_t i = slot_of(id, s->cap);
    while (s->used[i] && s->slot[i] != id)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static int grow(md_idset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    if (cap < s->cap || cap > SIZE_MAX / sizeof(int64_t))
        return -1;
    md_idset g = {calloc(cap, sizeof(int64_t)), calloc(cap, 1), 0, cap};
    if (!g.slot || !g.used) {
        free(g.slot);
        free(g.used);
        return -1;
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->used[i]) {
            size_t k = probe(&g, s->slot[i]);
            g.slot[k] = s->slot[i];
            g.used[k] = 1;
            g.n++;
        }
    md_idset_free(s);
    *s = g;
    return 0;
}

int md_idset_add(md_idset *s, int64_t id)
{
    if (md_idset_has(s, id))
        return 0;
    if ((s->n + 1) * 2 > s->cap && grow(s) != 0)
        return -1;
    size_t i = probe(s, id);
    s->slot[i] = id;
    s->used[i] = 1;
    s->n++;
    return 1;
}

int md_idset_has(const md_idset *s, int64_t id)
{
    return s->cap && s->used[probe(s, id)];
}

void md_idset_free(md_idset *s)
{
    free(s->slot);
    free(s->used);
    s->slot = NULL;
    s->used = NULL;
    s->n = s->cap = 0;
}
