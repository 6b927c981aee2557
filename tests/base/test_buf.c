/* test_buf.c: the growable buffer (lib/base/buf.c): growth across many appends,
 * NUL termination, printf, reset, detach, the sticky oom flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"

static void test_empty(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    assert_string_equal(md_buf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    md_buf_free(&b);
    md_buf_free(&b); /* twice is fine */
    char *s = md_buf_detach(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_append_grows_and_terminates(void **state)
{
    (void)state;
    md_buf b;
    md_buf_init(&b);
    const char *line = "Nov 28 09:18:51 n-mail-1 sm-mta[4242]: 2ASA1bXk004242: "
                       "to=<jane@hotmail.com>, stat=Sent\n";
    size_t ll = strlen(line);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(md_buf_append(&b, line, ll), MD_OK);
    assert_int_equal(b.len, 1000 * ll);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data + 999 * ll, line, ll);
    assert_int_equal(md_buf_append(&b, "", 0), MD_OK);
    assert_int_equal(b.len, 1000 * ll);
    md_buf_free(&b);
    assert_null(b.data);
}

static void test_puts_putc_printf(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    md_buf_puts(&b, "status=");
    md_buf_putc(&b, '5');
    md_buf_printf(&b, ".%d.%d %s", 7, 1, "S3140");
    assert_string_equal(md_buf_cstr(&b), "status=5.7.1 S3140");
    /* a long printf crosses the initial capacity */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    md_buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, strlen("status=5.7.1 S3140") + 2 + sizeof big - 1);
    assert_int_equal(b.data[b.len - 1], ']');
    md_buf_free(&b);
}

static void test_reset_keeps_memory(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    md_buf_puts(&b, "abc");
    char *p = b.data;
    md_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, p);
    assert_string_equal(md_buf_cstr(&b), "");
    md_buf_puts(&b, "d");
    assert_string_equal(md_buf_cstr(&b), "d");
    md_buf_free(&b);
}

static void test_detach(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    md_buf_puts(&b, "queued as 4QFz3B2Lm1z9vG8");
    char *s = md_buf_detach(&b);
    assert_string_equal(s, "queued as 4QFz3B2Lm1z9vG8");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
}

static void test_oom_is_sticky(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    md_buf_puts(&b, "kept");
    /* a request that cannot be satisfied: overflow check, no allocation */
    assert_int_equal(md_buf_reserve(&b, SIZE_MAX - 2), MD_ERR_NOMEM);
    assert_true(b.oom);
    assert_int_equal(md_buf_puts(&b, "more"), MD_ERR_NOMEM);
    assert_int_equal(md_buf_putc(&b, 'x'), MD_ERR_NOMEM);
    assert_string_equal(md_buf_cstr(&b), "kept");
    assert_null(md_buf_detach(&b));
    md_buf_free(&b);
    assert_false(b.oom);
}

/* md_grow: first size, doubling, "need" beyond a doubling, no move when
 * there is room, overflow refused with the array left as it was */
static void test_grow(void **state)
{
    (void)state;
    int *v = NULL, *g;
    size_t cap = 0;
    g = md_grow(v, &cap, 1, sizeof *v, 16);
    assert_non_null(g);
    assert_int_equal(cap, 16);
    v = g;
    for (int i = 0; i < 16; i++)
        v[i] = i;
    assert_ptr_equal(md_grow(v, &cap, 16, sizeof *v, 16), v);
    g = md_grow(v, &cap, 17, sizeof *v, 16);
    assert_non_null(g);
    assert_int_equal(cap, 32);
    v = g;
    assert_int_equal(v[15], 15);
    g = md_grow(v, &cap, 200, sizeof *v, 16);
    assert_non_null(g);
    assert_int_equal(cap, 256);
    v = g;
    size_t before = cap;
    assert_null(md_grow(v, &cap, SIZE_MAX / 2, sizeof *v, 16));
    assert_int_equal(cap, before);
    assert_int_equal(v[15], 15);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_append_grows_and_terminates),
        cmocka_unit_test(test_puts_putc_printf),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_detach),
        cmocka_unit_test(test_oom_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
