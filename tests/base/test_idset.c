/* test_idset.c: the hash set of 64-bit ids (lib/base/idset.c): add once,
 * membership across growth, extreme ids (0, negative, INT64_MIN/MAX), ids
 * that collide in the low bits, free on a zeroed set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "base/idset.h"

static void test_empty(void **state)
{
    (void)state;
    md_idset s = {0};
    assert_int_equal(md_idset_has(&s, 0), 0);
    assert_int_equal(md_idset_has(&s, 42), 0);
    md_idset_free(&s);
    md_idset_free(&s); /* twice is fine */
}

static void test_add_once(void **state)
{
    (void)state;
    md_idset s = {0};
    assert_int_equal(md_idset_add(&s, 7), 1);
    assert_int_equal(md_idset_add(&s, 7), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(md_idset_has(&s, 7), 1);
    assert_int_equal(md_idset_has(&s, 8), 0);
    md_idset_free(&s);
    assert_int_equal(md_idset_has(&s, 7), 0);
}

static void test_growth_keeps_members(void **state)
{
    (void)state;
    md_idset s = {0};
    /* multiples of 1024 share their low bits: collisions before hashing */
    for (int64_t i = 1; i <= 20000; i++)
        assert_int_equal(md_idset_add(&s, i * 1024), 1);
    assert_int_equal(s.n, 20000);
    for (int64_t i = 1; i <= 20000; i++) {
        assert_int_equal(md_idset_has(&s, i * 1024), 1);
        assert_int_equal(md_idset_has(&s, i * 1024 + 1), 0);
        assert_int_equal(md_idset_add(&s, i * 1024), 0);
    }
    assert_int_equal(s.n, 20000);
    assert_true(s.cap >= 2 * s.n);
    md_idset_free(&s);
}

static void test_extreme_ids(void **state)
{
    (void)state;
    md_idset s = {0};
    const int64_t v[] = {0, -1, INT64_MIN, INT64_MAX, 1};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(md_idset_has(&s, v[i]), 0);
        assert_int_equal(md_idset_add(&s, v[i]), 1);
    }
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(md_idset_has(&s, v[i]), 1);
    assert_int_equal(md_idset_has(&s, 2), 0);
    md_idset_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_add_once),
        cmocka_unit_test(test_growth_keeps_members),
        cmocka_unit_test(test_extreme_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
