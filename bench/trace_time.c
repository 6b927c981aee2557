/* trace_time.c: time md_trace_run in-process (no process start, no
 * dynamic loading, no printing) for the benchmark (bench/run.sh).  Not
 * part of the product.
 *
 * usage: trace_time DB ADDRESS [RUNS]
 * prints: best and median milliseconds of RUNS runs, messages, lines
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store/store.h"
#include "analysis/trace.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: trace_time DB ADDRESS [RUNS]\n");
        return 2;
    }
    int runs = argc > 3 ? atoi(argv[3]) : 10;
    if (runs < 1 || runs > 1000)
        runs = 10;
    md_store *st = NULL;
    md_err err = {0, ""};
    if (md_store_open(&st, argv[1], MD_STORE_READONLY, &err) != MD_OK) {
        fprintf(stderr, "trace_time: %s\n", err.msg);
        return 1;
    }
    const char *a[1] = {argv[2]};
    md_trace_query q;
    memset(&q, 0, sizeof q);
    q.addrs = a;
    q.naddrs = 1;
    double *t = calloc((size_t)runs, sizeof *t);
    size_t msgs = 0, lines = 0;
    for (int i = 0; i < runs && t; i++) {
        md_trace_result *r = NULL;
        double t0 = now_ms();
        if (md_trace_run(st, &q, &r, &err) != MD_OK) {
            fprintf(stderr, "trace_time: %s\n", err.msg);
            free(t);
            md_store_close(st);
            return 1;
        }
        t[i] = now_ms() - t0;
        msgs = r->nmsgs;
        lines = 0;
        for (size_t k = 0; k < r->nmsgs; k++)
            lines += r->msgs[k].nlines;
        md_trace_free(r);
    }
    if (t) {
        qsort(t, (size_t)runs, sizeof *t, cmp_d);
        printf("%.2f %.2f %zu %zu\n", t[0], t[runs / 2], msgs, lines);
    }
    free(t);
    md_store_close(st);
    return 0;
}
