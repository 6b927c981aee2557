/* heap.c: fresh heap memory mapped in advance (see heap.h). */
#include "heap.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14 */
#endif

int md_heap_prefault(size_t bytes)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *p = malloc(bytes);
    int ok = 0;
    if (!p || pg <= 0) {
        free(p);
        return 0;
    }
    uintptr_t lo = ((uintptr_t)p + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~((uintptr_t)pg - 1);
    if (hi > lo)
        ok = madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) == 0;
    free(p);
    return ok;
}
