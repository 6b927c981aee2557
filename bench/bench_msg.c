/* bench_msg.c: benchmark helper: ingest PATH... into the store DB the way
 * `maildossier ingest` does (md_ingest_path), but with message batching on
 * (md_msgfile_batch_begin / md_msgfile_finish), and print messages/s.
 *   bench_msg DB CONFIG PATH...
 * Not a test; called by bench/run_msg.sh.  Prints (it is a program). */
#include <stdio.h>
#include <time.h>
#include "base/config.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "ingest/msgfile.h"
#include "store/store.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_msg DB CONFIG PATH...\n");
        return 2;
    }
    md_err e = {0, ""};
    md_config cfg;
    md_store *st = NULL;
    if (md_config_load(&cfg, argv[2], &e) != MD_OK || md_store_open(&st, argv[1], 0, &e) != MD_OK) {
        fprintf(stderr, "bench_msg: %s\n", e.msg);
        return 1;
    }
    md_ingest ig;
    md_readers_init(&ig, st, &cfg);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = md_msgfile_batch_begin(&ig, &e);
    for (int i = 3; rc == MD_OK && i < argc; i++) {
        rc = md_ingest_path(&ig, argv[i], &e);
        if (rc == MD_ERR_PARSE)
            rc = MD_OK;
    }
    int rc2 = md_msgfile_finish(&ig, &e);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("batched ingest: %llu inputs, %llu messages stored in %.2f s: %.0f inputs/s\n",
           (unsigned long long)ig.stats.files, (unsigned long long)ig.stats.docs, s,
           s > 0 ? (double)ig.stats.files / s : 0.0);
    md_store_close(st);
    if (rc != MD_OK || rc2 != MD_OK) {
        fprintf(stderr, "bench_msg: %s\n", e.msg);
        return 1;
    }
    return 0;
}
