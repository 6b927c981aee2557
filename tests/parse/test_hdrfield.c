/* test_hdrfield.c: lib/parse/hdrfield.c, table-driven: fields split and unfolded
 * (folding with SP and TAB, LF and CRLF line ends), empty values, blanks
 * before the colon (RFC 5322's obsolete syntax, taken), a line without a
 * colon, a name that is no name, folded lines before any field, the mbox
 * envelope line, NUL bytes, a field at the very end without a line end,
 * over-long values cut and flagged; unfolding into a small buffer (cut
 * flagged), with tabs made blanks and with folds squeezed to one blank;
 * md_hdrfield_copy's UTF-8 repair and cut flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "parse/hdrfield.h"

#define S(x) x, sizeof(x) - 1

/* the fields of one input, written "name=value@line" (value unfolded,
 * "!" after a cut one), joined by "|"; then the iterator's flags */
typedef struct split_case {
    const char *in;
    size_t n;
    size_t max;
    int opts;
    const char *want;
    int flags;
} split_case;

static void show(const char *in, size_t n, size_t max, int opts, char *out, size_t size,
                 int *flags)
{
    md_hdrfield_it it;
    md_hdrfield f;
    size_t o = 0;
    out[0] = '\0';
    md_hdrfield_init(&it, in, n, max, opts);
    while (md_hdrfield_next(&it, &f)) {
        char v[256];
        md_hdrfield_unfold(v, sizeof v, f.value, f.value_len, 0, NULL);
        o += (size_t)snprintf(out + o, size - o, "%s%.*s=%s%s@%u", o ? "|" : "",
                              (int)f.name_len, f.name, v,
                              (f.flags & MD_HDRFIELD_CUT) ? "!" : "", f.line);
        assert_true(o < size);
    }
    *flags = it.flags;
}

static void test_split(void **state)
{
    (void)state;
    static const split_case t[] = {
        {S("A: 1\nB: 2\n"), 0, 0, "A=1@1|B=2@2", 0},
        /* folding with SP and TAB: the line break goes, the blank stays */
        {S("Subject: a\n b\n\tc\nX: y\n"), 0, 0, "Subject=a b\tc@1|X=y@4", 0},
        /* CRLF line ends, folded too */
        {S("A: 1\r\nB: 2\r\n  x\r\n"), 0, 0, "A=1@1|B=2  x@2", 0},
        /* empty values, with and without a blank */
        {S("X-Empty:\nX-Blank: \nY: 1\n"), 0, 0, "X-Empty=@1|X-Blank=@2|Y=1@3", 0},
        /* blanks before the colon (obsolete syntax) are taken, not kept */
        {S("Return-Path : <a@b>\nTo\t: c@d\n"), 0, 0, "Return-Path=<a@b>@1|To=c@d@2", 0},
        /* a line without a colon: passed over, flagged; the next field is read */
        {S("A: 1\nno colon here\nB: 2\n"), 0, 0, "A=1@1|B=2@3", MD_HDRFIELD_BAD_LINE},
        /* something before the colon that is no name */
        {S("Bad Name: 1\nB: 2\n"), 0, 0, "B=2@2", MD_HDRFIELD_BAD_LINE},
        {S(": no name\n"), 0, 0, "", MD_HDRFIELD_BAD_LINE},
        /* a folded line before any field */
        {S(" folded first\nA: 1\n"), 0, 0, "A=1@2", MD_HDRFIELD_ORPHAN},
        /* an mbox envelope line first: bad, unless MD_HDRFIELD_MBOX */
        {S("From a@b Sat Apr 23 16:06:27 2016\nA: 1\n"), 0, 0, "A=1@2", MD_HDRFIELD_BAD_LINE},
        {S("From a@b Sat Apr 23 16:06:27 2016\nA: 1\n"), 0, MD_HDRFIELD_MBOX, "A=1@2", 0},
        {S("A: 1\nFrom a@b Sat Apr 23\n"), 0, MD_HDRFIELD_MBOX, "A=1@1", MD_HDRFIELD_BAD_LINE},
        /* "From :" is a field, not an envelope */
        {S("From : a@b\n"), 0, MD_HDRFIELD_MBOX, "From=a@b@1", 0},
        /* NUL bytes: in a value they are bytes; in a name it is no name */
        {S("A: x\0y\nB\0: 2\nC: 3\n"), 0, 0, "A=x@1|C=3@3", MD_HDRFIELD_BAD_LINE},
        /* the last field without a line end, folded or not: kept whole */
        {S("A: 1\nSubject: sxyz"), 0, 0, "A=1@1|Subject=sxyz@2", 0},
        {S("Subject: a\n b"), 0, 0, "Subject=a b@1", 0},
        {S("Subject: a\r\n b\r"), 0, 0, "Subject=a b@1", 0},
        /* empty lines are passed over (a report's blocks) */
        {S("A: 1\n\nB: 2\n\r\nC: 3"), 0, 0, "A=1@1|B=2@3|C=3@5", 0},
        /* over-long values: cut at the limit and flagged */
        {S("A: 123456789\nB: 12\n"), 5, 0, "A=1234!@1|B=12@2", MD_HDRFIELD_CUT},
        {S("A: 1\n 23456\n"), 4, 0, "A=1!@1", MD_HDRFIELD_CUT},
        /* nothing */
        {S(""), 0, 0, "", 0},
        {S("\n\n"), 0, 0, "", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char out[1024];
        int flags;
        show(t[i].in, t[i].n, t[i].max, t[i].opts, out, sizeof out, &flags);
        if (strcmp(out, t[i].want) != 0 || flags != t[i].flags)
            fail_msg("case %zu: \"%s\" flags %#x, expected \"%s\" flags %#x", i, out, flags,
                     t[i].want, t[i].flags);
    }
}

/* `blank`: an empty line (or a line of blanks that follows no field) came
 * before the field just returned: a report's next block starts. */
static void test_blank(void **state)
{
    (void)state;
    static const char in[] = "A: 1\nB: 2\n\nC: 3\nx\n   \nD: 4\nE: 5\n \nF: 6\n";
    static const int want[] = {0, 0, 1, 1, 0, 0};
    md_hdrfield_it it;
    md_hdrfield f;
    size_t k = 0;
    md_hdrfield_init(&it, in, sizeof in - 1, 0, 0);
    while (md_hdrfield_next(&it, &f)) {
        assert_true(k < sizeof want / sizeof want[0]);
        if (it.blank != want[k])
            fail_msg("field %zu (%.*s): blank %d", k, (int)f.name_len, f.name, it.blank);
        k++;
    }
    /* E's value takes the line of blanks (a folded line): F follows no gap */
    assert_int_equal(k, 6);
    assert_true(md_hdrfield_is(&f, "f"));
}

typedef struct unfold_case {
    const char *in;
    size_t n;
    size_t size;
    int opts;
    const char *want;
    int cut;
} unfold_case;

static void test_unfold(void **state)
{
    (void)state;
    static const unfold_case t[] = {
        {S("  a\n b  "), 64, 0, "a b", 0},
        {S("a\r\n\tb"), 64, 0, "a\tb", 0},
        {S("a\r\n\tb"), 64, MD_HDRFIELD_TABS, "a b", 0},
        {S("a  \n    b\n\t\tc"), 64, 0, "a      b\t\tc", 0},
        {S("a  \n    b\n\t\tc"), 64, MD_HDRFIELD_SQUEEZE, "a b c", 0},
        {S("a\n \n b"), 64, MD_HDRFIELD_SQUEEZE, "a b", 0},
        {S("a\r\n b\r\n c"), 64, MD_HDRFIELD_SQUEEZE, "a b c", 0},
        {S(" \r\n \t"), 64, 0, "", 0},
        {S("x\0y"), 64, 0, "x\0y", 0},
        /* too small: what fits is kept, the cut flagged */
        {S("abcdef"), 4, 0, "abc", 1},
        {S("abc"), 4, 0, "abc", 0},
        {S("abc\n d"), 4, 0, "abc", 1},
        {S("ab\n  cd"), 4, MD_HDRFIELD_SQUEEZE, "ab ", 1},
        {S("abc   \n  "), 4, MD_HDRFIELD_SQUEEZE, "abc", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char out[64];
        int cut = -1;
        size_t n = md_hdrfield_unfold(out, t[i].size, t[i].in, t[i].n, t[i].opts, &cut);
        size_t wn = strlen(t[i].want) + (i == 8 ? 2 : 0); /* case 8 holds a NUL */
        if (n != wn || memcmp(out, t[i].want, wn) != 0 || out[n] != '\0' || cut != t[i].cut)
            fail_msg("case %zu: \"%s\" (%zu) cut %d, expected \"%s\" cut %d", i, out, n, cut,
                     t[i].want, t[i].cut);
    }
}

static void test_copy(void **state)
{
    (void)state;
    static const char in[] = "Diagnostic-Code: smtp; 550 5.1.1\n   user unknown\n"
                             "Bad: caf\xC3\n"
                             "Long: 0123456789\n";
    md_hdrfield_it it;
    md_hdrfield f;
    md_buf scratch = MD_BUF_INIT;
    char v[12];
    md_hdrfield_init(&it, in, sizeof in - 1, 0, 0);
    assert_true(md_hdrfield_next(&it, &f));
    assert_true(md_hdrfield_is(&f, "DIAGNOSTIC-code"));
    assert_false(md_hdrfield_is(&f, "Diagnostic"));
    char big[64];
    assert_int_equal(md_hdrfield_copy(&f, big, sizeof big, MD_HDRFIELD_SQUEEZE, &scratch), 0);
    assert_string_equal(big, "smtp; 550 5.1.1 user unknown");
    /* an incomplete UTF-8 sequence at the end is dropped, not a cut */
    assert_true(md_hdrfield_next(&it, &f));
    assert_int_equal(md_hdrfield_copy(&f, v, sizeof v, 0, &scratch), 0);
    assert_string_equal(v, "caf");
    /* 10 bytes into 12: whole; into 8: cut */
    assert_true(md_hdrfield_next(&it, &f));
    assert_int_equal(md_hdrfield_copy(&f, v, sizeof v, 0, &scratch), 0);
    assert_string_equal(v, "0123456789");
    assert_int_equal(md_hdrfield_copy(&f, v, 8, 0, &scratch), 1);
    assert_string_equal(v, "0123456");
    assert_false(md_hdrfield_next(&it, &f));
    /* a value cut by the iterator's limit counts as cut */
    md_hdrfield_init(&it, in, sizeof in - 1, 4, 0);
    assert_true(md_hdrfield_next(&it, &f));
    assert_int_equal(md_hdrfield_copy(&f, big, sizeof big, 0, &scratch), 1);
    assert_string_equal(big, "smt");
    md_buf_free(&scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_blank),
        cmocka_unit_test(test_unfold),
        cmocka_unit_test(test_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
