/* test_err.c: the error context (lib/base/err.c): codes, formatting, truncation
 * of long messages, NULL contexts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "base/err.h"

static void test_set_returns_code_and_formats(void **state)
{
    (void)state;
    md_err e = {0, ""};
    int rc = md_err_set(&e, MD_ERR_IO, "%s:%d: %s", "/var/log/mail.log", 42, "read failed");
    assert_int_equal(rc, MD_ERR_IO);
    assert_int_equal(e.code, MD_ERR_IO);
    assert_string_equal(e.msg, "/var/log/mail.log:42: read failed");
}

static void test_clear(void **state)
{
    (void)state;
    md_err e;
    md_err_set(&e, MD_ERR_PARSE, "x");
    md_err_clear(&e);
    assert_int_equal(e.code, MD_OK);
    assert_string_equal(e.msg, "");
}

static void test_null_context(void **state)
{
    (void)state;
    assert_int_equal(md_err_set(NULL, MD_ERR_DB, "ignored %d", 1), MD_ERR_DB);
    md_err_clear(NULL); /* must not crash */
}

static void test_long_message_is_cut_and_terminated(void **state)
{
    (void)state;
    char big[3 * MD_LIMIT_ERRMSG];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    md_err e;
    md_err_set(&e, MD_ERR_LIMIT, "%s", big);
    assert_int_equal(strlen(e.msg), MD_LIMIT_ERRMSG - 1);
    assert_int_equal(e.msg[0], 'A');
}

static void test_str_distinct(void **state)
{
    (void)state;
    const int codes[] = {MD_OK, MD_ERR_IO, MD_ERR_NOMEM, MD_ERR_PARSE, MD_ERR_LIMIT,
                         MD_ERR_DB, MD_ERR_ARG, MD_ERR_NOTFOUND, MD_ERR_TRUNC};
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_non_null(md_err_str(codes[i]));
        assert_string_not_equal(md_err_str(codes[i]), md_err_str(-999));
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(md_err_str(codes[i]), md_err_str(codes[j]));
    }
    assert_string_equal(md_err_str(-999), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_returns_code_and_formats),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_null_context),
        cmocka_unit_test(test_long_message_is_cut_and_terminated),
        cmocka_unit_test(test_str_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
