/* test_heap.c: heap mapped in advance (lib/heap.c).  With the top pad
 * cmd/maildossier.c sets, a thread that prefaults 2 MiB then allocates and
 * fills 1 MiB takes (almost) no page faults; the same without the prefault
 * takes one per page.  Counted per thread (RUSAGE_THREAD), in two threads
 * alive at once, so that each has an arena of its own (a thread started
 * after another ended would inherit its arena, pages mapped).  Under AddressSanitizer (its own allocator,
 * freed memory quarantined) only the return value is checked. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RUSAGE_THREAD */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "heap.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define MIB (1u << 20)

typedef struct run {
    int prefault;   /* in */
    int mapped;     /* md_heap_prefault's result */
    long faults;    /* minor faults of the allocation and fill */
} run;

static long minflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_minflt;
}

static pthread_barrier_t both; /* both threads have their arenas */

static void *fill(void *arg)
{
    run *r = arg;
    free(malloc(64)); /* the thread's arena exists before counting */
    pthread_barrier_wait(&both);
    if (r->prefault)
        r->mapped = md_heap_prefault(2 * MIB);
    long before = minflt();
    char *p = malloc(MIB);
    if (p)
        memset(p, 1, MIB);
    r->faults = minflt() - before;
    free(p);
    return NULL;
}

static void test_prefault(void **state)
{
    pthread_t t[2];
    run cold = {0, 0, 0}, warm = {1, 0, 0};
    (void)state;
    mallopt(M_TOP_PAD, 4 << 20); /* as cmd/maildossier.c */
    assert_int_equal(pthread_barrier_init(&both, NULL, 2), 0);
    assert_int_equal(pthread_create(&t[0], NULL, fill, &cold), 0);
    assert_int_equal(pthread_create(&t[1], NULL, fill, &warm), 0);
    assert_int_equal(pthread_join(t[0], NULL), 0);
    assert_int_equal(pthread_join(t[1], NULL), 0);
    pthread_barrier_destroy(&both);
    assert_int_equal(warm.mapped, 1); /* Linux >= 5.14 */
    if (UNDER_ASAN)
        return;
    assert_true(cold.faults >= 128);  /* 256 pages, fewer with huge pages */
    assert_true(warm.faults < 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefault),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
