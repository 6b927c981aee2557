/* fault_cost.c: what a page fault costs on this machine (bench/RESULTS.md),
 * the reason the commands make their heap resident with one madvise.
 *
 *   fault_cost [MB]
 *
 * Times, for MB (default 2) MiB of fresh anonymous memory, making it
 * resident with one MADV_POPULATE_WRITE against touching it a page at a
 * time.  Not a test. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static char *fresh(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("fault_cost: mmap");
        exit(1);
    }
    return p;
}

static void anon(size_t mb)
{
    size_t n = mb << 20, page = (size_t)sysconf(_SC_PAGESIZE);
    char *a = fresh(n), *b = fresh(n);
    double t0 = now_ms();
#ifdef MADV_POPULATE_WRITE
    int rc = madvise(a, n, MADV_POPULATE_WRITE);
#else
    int rc = -1;
#endif
    double t1 = now_ms();
    for (size_t i = 0; i < n; i += page)
        ((volatile char *)b)[i] = 1;
    double t2 = now_ms();
    printf("%zu MiB anonymous: one MADV_POPULATE_WRITE %.3f ms%s; %zu first touches %.3f ms"
           " (%.1f us each)\n",
           mb, t1 - t0, rc ? " (refused)" : "", n / page, t2 - t1, (t2 - t1) * 1e3 / (double)(n / page));
    munmap(a, n);
    munmap(b, n);
}

int main(int argc, char **argv)
{
    anon(argc > 1 ? (size_t)atoi(argv[1]) : 2);
    return 0;
}
