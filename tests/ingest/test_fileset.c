/* test_fileset.c: lib/ingest/fileset.c: a new identity is added with its path, the
 * same identity again is refused with the first path, identities that
 * share a device or an inode number are different, the table grows past
 * its first size without losing anything, and freeing (also twice, also an
 * empty set) is safe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "base/err.h"
#include "ingest/fileset.h"

static void test_add_and_refuse(void **state)
{
    (void)state;
    md_fileset s = MD_FILESET_INIT;
    const char *first = NULL;
    assert_int_equal(md_fileset_add(&s, 2049, 131, "logs", &first), 1);
    assert_int_equal(md_fileset_add(&s, 2049, 7, "logs/old", &first), 1);
    assert_int_equal(md_fileset_add(&s, 64, 131, "/mnt/logs", &first), 1);
    assert_int_equal(s.n, 3);
    assert_int_equal(md_fileset_add(&s, 2049, 131, "logs/d/a", &first), 0);
    assert_string_equal(first, "logs");
    assert_int_equal(md_fileset_add(&s, 64, 131, "x", &first), 0);
    assert_string_equal(first, "/mnt/logs");
    assert_int_equal(s.n, 3);
    md_fileset_free(&s);
    md_fileset_free(&s);
    assert_null(s.slot);
    assert_int_equal(s.n, 0);
}

static void test_grows(void **state)
{
    (void)state;
    md_fileset s = MD_FILESET_INIT;
    const char *first;
    char p[32];
    /* inode numbers that differ in high bits only, as on big file systems */
    for (uint64_t i = 0; i < 5000; i++) {
        snprintf(p, sizeof p, "d%llu", (unsigned long long)i);
        assert_int_equal(md_fileset_add(&s, 1, i << 40 | 12, p, &first), 1);
    }
    assert_int_equal(s.n, 5000);
    assert_true(s.cap >= 10000);
    for (uint64_t i = 0; i < 5000; i += 499) {
        snprintf(p, sizeof p, "d%llu", (unsigned long long)i);
        assert_int_equal(md_fileset_add(&s, 1, i << 40 | 12, "again", &first), 0);
        assert_string_equal(first, p);
    }
    md_fileset_free(&s);
    md_fileset empty = MD_FILESET_INIT;
    md_fileset_free(&empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_refuse),
        cmocka_unit_test(test_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
