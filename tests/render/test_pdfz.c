/* test_pdfz.c: the streams of an uncompressed PDF deflated (lib/render/pdfz.c).
 *
 * A small PDF of libharu's shape (a stream with an indirect /Length, one
 * with a direct /Length, one already filtered, plain objects) comes back
 * with its unfiltered streams deflated (they inflate to the same bytes),
 * the lengths right, every table offset on its object and the rest byte
 * for byte; with one thread and with two the same file.  Files of another
 * shape (cut, a length past the object, a table offset off its object, no
 * table) are refused and the output buffer is left as it was.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "render/pdfz.h"

static const char S1[] = "BT /F1 9 Tf 50 700 Td <0041> Tj ET\n"
                         "BT /F1 9 Tf 50 700 Td <0041> Tj ET\n"
                         "BT /F1 9 Tf 50 700 Td <0041> Tj ET\n";
static const char S2[] = "0 0 0 rg 50 50 100 20 re f\n0 0 0 rg 50 50 100 20 re f\n";
static const char S3[] = "x\x9c\x03\x00\x00\x00\x00\x01"; /* "already deflated" */

/* the test PDF: objects 1-6 as libharu writes them, then the table */
static void make_pdf(md_buf *b)
{
    size_t off[7];
    md_buf_puts(b, "%PDF-1.3\n%\xB7\xBE\xAD\xAA\n");
    off[1] = b->len;
    md_buf_puts(b, "1 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n");
    off[2] = b->len;
    md_buf_puts(b, "2 0 obj\n<<\n/Length 3 0 R\n>>\nstream\r\n");
    md_buf_append(b, S1, strlen(S1));
    md_buf_puts(b, "\nendstream\nendobj\n");
    off[3] = b->len;
    md_buf_printf(b, "3 0 obj\n%zu\nendobj\n", strlen(S1));
    off[4] = b->len;
    md_buf_printf(b, "4 0 obj\n<<\n/Length %zu\n/Length1 77\n>>\nstream\r\n", strlen(S2));
    md_buf_append(b, S2, strlen(S2));
    md_buf_puts(b, "\nendstream\nendobj\n");
    off[5] = b->len;
    md_buf_printf(b, "5 0 obj\n<<\n/Length %zu\n/Filter /FlateDecode\n>>\nstream\r\n",
                  sizeof S3 - 1);
    md_buf_append(b, S3, sizeof S3 - 1);
    md_buf_puts(b, "\nendstream\nendobj\n");
    off[6] = b->len;
    md_buf_puts(b, "6 0 obj\n(a string with >>\nstream in it)\nendobj\n");
    size_t xref = b->len;
    md_buf_puts(b, "xref\n0 7\n0000000000 65535 f\r\n");
    for (int i = 1; i <= 6; i++)
        md_buf_printf(b, "%010zu 00000 n\r\n", off[i]);
    md_buf_printf(b, "trailer\n<<\n/Root 1 0 R\n/Size 7\n>>\nstartxref\n%zu\n%%%%EOF\n", xref);
}

/* the offset of object num in the table of pdf (which must have one) */
static size_t table_offset(const char *pdf, size_t n, int num)
{
    const char *sx = NULL, *p = pdf;
    while ((p = memmem(p, n - (size_t)(p - pdf), "startxref\n", 10)) != NULL)
        sx = p++;
    assert_non_null(sx);
    size_t xref = strtoul(sx + 10, NULL, 10);
    assert_true(xref < n);
    assert_memory_equal(pdf + xref, "xref\n0 ", 7);
    const char *e = strchr(pdf + xref + 7, '\n') + 1;
    return strtoul(e + 20 * num, NULL, 10);
}

/* object num of pdf, from its table entry; asserts it starts there */
static const char *object(const char *pdf, size_t n, int num)
{
    char head[32];
    size_t off = table_offset(pdf, n, num);
    snprintf(head, sizeof head, "%d 0 obj\n", num);
    assert_true(off + strlen(head) < n);
    assert_memory_equal(pdf + off, head, strlen(head));
    return pdf + off;
}

/* the data of stream object o (deflated): inflate it, compare with want */
static void assert_inflates(const char *o, size_t zlen, const char *want)
{
    const char *d = strstr(o, ">>\nstream\r\n");
    unsigned char got[1024];
    uLongf glen = sizeof got;
    assert_non_null(d);
    d += 11;
    assert_int_equal(uncompress(got, &glen, (const Bytef *)d, zlen), Z_OK);
    assert_int_equal(glen, strlen(want));
    assert_memory_equal(got, want, glen);
    assert_memory_equal(d + zlen, "\nendstream\nendobj\n", 18);
}

static void test_deflated(void **state)
{
    md_buf in = MD_BUF_INIT, out = MD_BUF_INIT, out2 = MD_BUF_INIT;
    md_err err;
    (void)state;
    make_pdf(&in);
    assert_int_equal(md_pdfz_deflate((unsigned char *)in.data, in.len, 6, 1, &out, &err), MD_OK);
    const char *pdf = out.data;
    size_t n = out.len;
    /* header and plain objects byte for byte */
    assert_memory_equal(pdf, in.data, 15);
    assert_non_null(strstr(object(pdf, n, 1), "/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n"));
    assert_memory_equal(object(pdf, n, 6), "6 0 obj\n(a string with >>\nstream in it)\nendobj\n",
                        46);
    /* the indirect length: object 3 holds the deflated length */
    const char *o2 = object(pdf, n, 2), *o3 = object(pdf, n, 3);
    size_t z2 = strtoul(o3 + 8, NULL, 10);
    assert_true(z2 > 0 && z2 < strlen(S1));
    assert_memory_equal(o2, "2 0 obj\n<<\n/Length 3 0 R\n/Filter /FlateDecode\n>>\nstream\r\n", 56);
    assert_inflates(o2, z2, S1);
    /* the direct length: rewritten in place, /Length1 untouched */
    const char *o4 = object(pdf, n, 4);
    size_t z4 = strtoul(o4 + 19, NULL, 10);
    assert_memory_equal(o4, "4 0 obj\n<<\n/Length ", 19);
    assert_non_null(strstr(o4, "\n/Length1 77\n/Filter /FlateDecode\n>>\nstream\r\n"));
    assert_inflates(o4, z4, S2);
    /* a filtered stream is left alone */
    const char *o5 = object(pdf, n, 5);
    assert_null(strstr(o5, "/FlateDecode\n/Filter"));
    assert_memory_equal(strstr(o5, "stream\r\n") + 8, S3, sizeof S3 - 1);
    /* the trailer kept, the end where a reader looks */
    static const char tr[] = "trailer\n<<\n/Root 1 0 R\n/Size 7\n>>\nstartxref\n";
    assert_non_null(memmem(pdf, n, tr, sizeof tr - 1));
    assert_memory_equal(pdf + n - 6, "%%EOF\n", 6);
    /* two threads: the same file */
    assert_int_equal(md_pdfz_deflate((unsigned char *)in.data, in.len, 6, 2, &out2, &err), MD_OK);
    assert_int_equal(out2.len, out.len);
    assert_memory_equal(out2.data, out.data, out.len);
    md_buf_free(&in);
    md_buf_free(&out);
    md_buf_free(&out2);
}

/* replace the first `what` in b by `with` (same length or not) */
static void edit(md_buf *b, const char *what, const char *with)
{
    char *p = memmem(b->data, b->len, what, strlen(what));
    md_buf r = MD_BUF_INIT;
    assert_non_null(p);
    md_buf_append(&r, b->data, (size_t)(p - b->data));
    md_buf_puts(&r, with);
    md_buf_append(&r, p + strlen(what), b->len - (size_t)(p - b->data) - strlen(what));
    md_buf_free(b);
    *b = r;
}

static void test_refused(void **state)
{
    static const struct {
        const char *what, *with;
    } cases[] = {
        {"3 0 obj\n1", "3 0 obj\n91"},           /* a length past its object */
        {"3 0 obj\n1", "3 0 obj\n"},             /* a length short of "endstream" */
        {"0 obj\n<<\n/Type", "0 obj\n<<\n/Type"}, /* (unchanged: accepted) */
        {"startxref\n", "startxxx\n"},            /* no table */
        {"xref\n0 7\n", "xref\n0 9\n"},           /* more entries than fit */
        {"1 0 obj\n", "7 0 obj\n"},               /* an offset not on its object */
        {"/Length 3 0 R", "/Lenxth 3 0 R"},       /* a stream without a length */
    };
    md_err err;
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        md_buf in = MD_BUF_INIT, out = MD_BUF_INIT;
        make_pdf(&in);
        edit(&in, cases[k].what, cases[k].with);
        md_buf_puts(&out, "kept");
        int rc = md_pdfz_deflate((unsigned char *)in.data, in.len, 1, 2, &out, &err);
        if (k == 2) {
            assert_int_equal(rc, MD_OK);
        } else {
            if (rc != MD_ERR_PARSE)
                fail_msg("case %zu (%s): %d, not refused", k, cases[k].with, rc);
            assert_string_equal(md_buf_cstr(&out), "kept");
        }
        md_buf_free(&in);
        md_buf_free(&out);
    }
    assert_int_equal(strlen(S1), 105); /* the first two cases: 9105 and 05 */
    /* every cut of the file is refused, never read past */
    md_buf in = MD_BUF_INIT;
    make_pdf(&in);
    for (size_t cut = 0; cut + 1 < in.len; cut += 7) {
        md_buf out = MD_BUF_INIT;
        int rc = md_pdfz_deflate((unsigned char *)in.data, cut, 1, 1, &out, &err);
        assert_int_equal(rc, MD_ERR_PARSE);
        assert_int_equal(out.len, 0);
        md_buf_free(&out);
    }
    md_buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deflated),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
