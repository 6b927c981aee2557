/* fuzz_input.c: libFuzzer harness for lib/base/input.c: arbitrary bytes as a
 * file that may be plain, gzip, bzip2, xz or zstd.  The input is peeked,
 * read line by line (flags, numbering and the peeked bytes checked), and what
 * is left after some lines is slurped; errors must name the input.  Output
 * is capped so that a decompression bomb stays fast.  One md_input per run:
 * its buffers are large. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/input.h"
#include "base/md_limits.h"

#define OUT_MAX (8u * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_input *in;
    md_err e = {0, ""};
    if (md_input_open_mem(&in, "fuzz", data, size, &e) != MD_OK)
        return 0;
    const char *p;
    size_t pn;
    if (md_input_peek(in, 256, &p, &pn, &e) != MD_OK)
        abort();
    char head[256];
    size_t hn = pn < sizeof head ? pn : sizeof head;
    memcpy(head, p, hn);
    /* read up to (first byte) lines, then slurp the rest */
    unsigned stop = size ? data[0] : 0;
    const char *l;
    size_t len;
    int f, rc;
    uint64_t n = 0;
    while (n < stop && (rc = md_input_getline(in, &l, &len, &f, &e)) == 1) {
        n++;
        if (len > MD_LIMIT_LINE || l[len] != '\0' || md_input_lineno(in) != n)
            abort();
        if ((f & MD_LINE_NUL) && !memchr(l, '\0', len))
            abort();
        if (n == 1 && !(f & MD_LINE_CUT)) {
            /* the first line is what peek showed (a "\r" before "\n" is dropped) */
            size_t k = len < hn ? len : hn;
            if (memcmp(l, head, k) != 0)
                abort();
        }
        if (md_input_pos(in) > OUT_MAX)
            break;
    }
    if (n < stop && rc < 0 && (e.code != rc || !strstr(e.msg, "fuzz")))
        abort();
    md_buf b = MD_BUF_INIT;
    rc = md_input_slurp(in, &b, 1u << 20, &e);
    if (b.len > (1u << 20) || (rc < 0 && rc != e.code))
        abort();
    if (n == 0 && hn && (b.len < hn || memcmp(b.data, head, hn) != 0))
        abort();
    md_buf_free(&b);
    md_input_close(in);
    return 0;
}
