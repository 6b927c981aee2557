/* heap.h: fresh heap memory mapped in advance.
 *
 * On the virtual machines maildossier runs on, each first touch of a page
 * of fresh memory is a page fault of 20 to 50 microseconds; a thread about
 * to allocate megabytes (the PDF job, the renderings) pays more for the
 * faults than for its work.  md_heap_prefault maps a run of the calling
 * thread's malloc arena with one madvise(MADV_POPULATE_WRITE) call (about
 * 0.15 ms per MiB) and gives it back to the arena, where the allocations
 * that follow find it mapped.  It stays mapped only as far as the arena
 * keeps free memory at its top: up to M_TOP_PAD bytes (cmd/maildossier.c
 * sets 4 MiB); more is trimmed again and only costs time.
 */
#ifndef MD_HEAP_H
#define MD_HEAP_H

#include <stddef.h>

/* md_heap_prefault: map `bytes` of the calling thread's arena now.
 * 1 when mapped, 0 when not (no memory, or a kernel before 5.14 without
 * MADV_POPULATE_WRITE); nothing else changes either way. */
int md_heap_prefault(size_t bytes);

#endif
