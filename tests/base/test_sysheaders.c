/* test_sysheaders.c: a file built with lib/ on its include path, as every
 * test and command is, gets the system's headers for the system's names:
 * <limits.h> is the C library's (INT_MAX, PATH_MAX), not a header of lib/
 * (lib/limits.h once took its place; tests/check_header_names.sh keeps
 * every name of lib/ apart from the system's).  The checks are made by the
 * compiler; the test only reports them. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "base/md_limits.h"

#if !defined(INT_MAX) || !defined(CHAR_BIT) || !defined(PATH_MAX)
#error "<limits.h> is not the system's: a header of lib/ takes its place"
#endif
#ifndef MD_LIMIT_PATH
#error "md_limits.h is not lib/'s"
#endif

static void t_limits(void **state)
{
    (void)state;
    assert_int_equal(CHAR_BIT, 8);
    assert_true(INT_MAX >= 2147483647);
    assert_true(PATH_MAX >= 256);
    assert_true(MD_LIMIT_PATH > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_limits)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
