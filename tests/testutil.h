/* testutil.h: helpers the unit tests share: the temporary directory
 * (MD_TMP), a fresh store there and its removal (with the -wal and -shm
 * files), a source row, and a message parsed from a fixture file or a
 * string.  Every tests/test_*.c is an executable of its own, so these are
 * static functions; include this after <cmocka.h>.  Failures go through
 * cmocka's assertions, as they did in each test. */
#ifndef MD_TESTUTIL_H
#define MD_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "parse/message.h"
#include "store/store.h"

/* md_assert_non_null: assert_non_null(p) that the compiler knows ends the
 * test when p is NULL.  cmocka 1.1's assertions leave a failed test by
 * longjmp but are not declared noreturn, so GCC -O3 follows the NULL path
 * past them and warns of reads through it (-Wstringop-overread on
 * strstr(r->file, ...) after assert_non_null(r)); the abort() is never
 * reached. */
#define md_assert_non_null(p)                                                  \
    do {                                                                       \
        assert_non_null(p);                                                    \
        if (!(p))                                                              \
            abort();                                                           \
    } while (0)

/* md_test_tmpdir: $MD_TMP, or /tmp when it is unset or empty. */
static inline const char *md_test_tmpdir(void)
{
    const char *t = getenv("MD_TMP");
    return t && *t ? t : "/tmp";
}

/* md_test_dir: the scratch directory "<tmpdir>/<name>_<pid>", written to
 * dir[n] and created (it may exist already). */
static inline void md_test_dir(char *dir, size_t n, const char *name)
{
    snprintf(dir, n, "%s/%s_%ld", md_test_tmpdir(), name, (long)getpid());
    mkdir(dir, 0700);
}

/* md_test_rmtree: remove dir and everything below it: 0, or -1 on failure. */
static inline int md_test_rmtree(const char *dir)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* md_test_remove_db: unlink the store file p and its -wal and -shm files. */
static inline void md_test_remove_db(const char *p)
{
    char x[1100];
    unlink(p);
    snprintf(x, sizeof x, "%s-wal", p);
    unlink(x);
    snprintf(x, sizeof x, "%s-shm", p);
    unlink(x);
}

/* md_test_store_open: a new, empty store "<tmpdir>/<name>_<pid>_<seq>.db"
 * (seq counts the calls in this test program); its path is written to
 * path[n].  Close it with md_test_store_close. */
static inline md_store *md_test_store_open(char *path, size_t n, const char *name)
{
    static int seq;
    snprintf(path, n, "%s/%s_%ld_%d.db", md_test_tmpdir(), name, (long)getpid(), seq++);
    md_test_remove_db(path);
    md_store *st = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_store_open(&st, path, 0, &e), MD_OK);
    return st;
}

/* md_test_store_close: close st (NULL is fine) and remove the files at path. */
static inline void md_test_store_close(md_store *st, const char *path)
{
    md_store_close(st);
    md_test_remove_db(path);
}

/* md_test_source: the id of source (fp, kind, path) in st, created if new. */
static inline int64_t md_test_source(md_store *st, const char *fp, const char *kind,
                                     const char *path)
{
    md_source s;
    int created;
    md_err e = {0, ""};
    assert_int_equal(md_store_source_get(st, fp, kind, path, &s, &created, &e), MD_OK);
    return s.id;
}

#ifdef MD_STORE_LOG_H
/* For the tests of the log area (store_log.h included first): a new store
 * as md_test_store_open, with a log writer (*w) and the log source
 * (fp, "log", path) whose id is returned.  md_test_log_store_close undoes it. */
static inline int64_t md_test_log_store_open(char *dbpath, size_t n, const char *name,
                                             md_store **st, md_log_writer **w,
                                             const char *fp, const char *path)
{
    *st = md_test_store_open(dbpath, n, name);
    md_err err = {0, ""};
    assert_int_equal(md_store_log_writer_open(*st, w, &err), MD_OK);
    return md_test_source(*st, fp, "log", path);
}

static inline void md_test_log_store_close(md_store *st, md_log_writer *w, const char *dbpath)
{
    md_store_log_writer_close(w);
    md_test_store_close(st, dbpath);
}
#endif

/* md_test_split_tabs: cut line (a row of a corpus .tsv) at its end of line
 * and split it in place at TABs into at most max fields f[] (anything after
 * the max-th field is dropped).  Returns the number of fields. */
static inline int md_test_split_tabs(char *line, char **f, int max)
{
    int k = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; k < max;) {
        f[k++] = p;
        char *q = strchr(p, '\t');
        if (!q)
            break;
        *q = '\0';
        p = q + 1;
    }
    return k;
}

/* md_test_message_mem: the message parsed from the string s (caller frees
 * with md_message_free). */
static inline md_message *md_test_message_mem(const char *s)
{
    md_message *m = NULL;
    md_err e;
    assert_int_equal(md_message_parse(&m, s, strlen(s), &e), MD_OK);
    return m;
}

/* md_test_message_file: the message in MD_FIXTURES/rel (at most 1 MiB read;
 * caller frees with md_message_free). */
static inline md_message *md_test_message_file(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", MD_FIXTURES, rel);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    md_message *m = NULL;
    md_err e;
    assert_int_equal(md_message_parse(&m, buf, n, &e), MD_OK);
    return m;
}

/* ---- the corpus group ------------------------------------------------------
 * md_test_main: main() of a test program whose tests are of two groups: unit
 * (needs nothing beyond fixtures/) and corpus (needs third-party files below
 * MD_SHARED/corpus, which some machines lack).  Without arguments it runs
 * the unit group.  With the argument "corpus" it first checks that every
 * path of need[] (relative to MD_SHARED/corpus; NULL-terminated) exists;
 * when one does not it says so and returns 77, which ctest reports as
 * skipped, else it runs the corpus group, in which a missing file is a
 * failure, never a cmocka skip().  tests/CMakeLists.txt runs a program that
 * calls md_test_main a second time, as NAME_corpus with the argument
 * "corpus" and SKIP_RETURN_CODE 77; a program named test_*_corpus has only
 * a corpus group (unit NULL) and is run only that way.  setup and teardown
 * are the group fixtures of both (NULL for none). */
static inline int md_test_main(int argc, char **argv, const struct CMUnitTest *unit,
                               size_t nunit, const struct CMUnitTest *corpus, size_t ncorpus,
                               const char *const *need, CMFixtureFunction setup,
                               CMFixtureFunction teardown)
{
    if (argc == 2 && strcmp(argv[1], "corpus") == 0) {
        for (size_t i = 0; need && need[i]; i++) {
            char p[4096];
            struct stat st;
            snprintf(p, sizeof p, "%s/corpus/%s", MD_SHARED, need[i]);
            if (stat(p, &st) != 0) {
                printf("%s absent: the corpus tests of %s skipped\n", p, argv[0]);
                return 77;
            }
        }
        return _cmocka_run_group_tests("corpus", corpus, ncorpus, setup, teardown);
    }
    if (argc != 1 || !unit) {
        fprintf(stderr, "usage: %s%s\n", argv[0], unit ? " [corpus]" : " corpus");
        return 2;
    }
    return _cmocka_run_group_tests("unit", unit, nunit, setup, teardown);
}

/* MD_TEST_MAIN: md_test_main over the arrays unit and corpus. */
#define MD_TEST_MAIN(unit, corpus, need, setup, teardown)                      \
    md_test_main(argc, argv, unit, sizeof unit / sizeof unit[0], corpus,       \
                 sizeof corpus / sizeof corpus[0], need, setup, teardown)

#endif
