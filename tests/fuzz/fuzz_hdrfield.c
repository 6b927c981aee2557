/* fuzz_hdrfield.c: the header field reader (lib/parse/hdrfield.c) over arbitrary
 * bytes, with a limit and the mbox option taken from the first byte.
 * Checks: every name is printable ASCII without blank or colon and lies in
 * the input, a value lies in it and within the limit (flagged when cut),
 * lines only grow, each field is counted once per line at most; an
 * unfolded value has no line feed and no white space at its ends, fits
 * its buffer (cut flagged) and is no longer than the value; a copy into a
 * small field is valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/hdrfield.h"
#include "base/text.h"

static int space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static void check_unfold(const md_hdrfield *f, int opts, size_t size)
{
    char *u = malloc(size);
    if (!u)
        return;
    int cut = -1;
    size_t n = md_hdrfield_unfold(u, size, f->value, f->value_len, opts, &cut);
    if (n >= size || u[n] != '\0' || n > f->value_len || (cut != 0 && cut != 1) ||
        memchr(u, '\n', n) || (n && (space(u[0]) || (!cut && space(u[n - 1])))))
        abort();
    if (size > f->value_len && cut)
        abort();
    free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max = data[0] & 0x7f;                  /* 0: no limit */
    int opts = (data[0] & 0x80) ? MD_HDRFIELD_MBOX : 0;
    const char *p = (const char *)data + 1, *end = p + size - 1;
    md_hdrfield_it it;
    md_hdrfield f;
    md_buf scratch = MD_BUF_INIT;
    uint32_t last = 0;
    md_hdrfield_init(&it, p, size - 1, max, opts);
    while (md_hdrfield_next(&it, &f)) {
        if (f.name < p || f.name + f.name_len > end || f.name_len == 0 || f.line <= last ||
            f.line > it.line)
            abort();
        for (size_t i = 0; i < f.name_len; i++)
            if ((unsigned char)f.name[i] <= ' ' || (unsigned char)f.name[i] >= 127 ||
                f.name[i] == ':')
                abort();
        if (f.value < f.name + f.name_len || f.value + f.value_len > end ||
            (max && f.value_len > max) ||
            ((f.flags & MD_HDRFIELD_CUT) && !(it.flags & MD_HDRFIELD_CUT)))
            abort();
        last = f.line;
        check_unfold(&f, 0, f.value_len + 1);
        check_unfold(&f, MD_HDRFIELD_SQUEEZE | MD_HDRFIELD_TABS, f.value_len + 1);
        check_unfold(&f, MD_HDRFIELD_SQUEEZE, 8);
        char small[16];
        if (md_hdrfield_copy(&f, small, sizeof small, MD_HDRFIELD_SQUEEZE, &scratch) >= 0 &&
            !md_text_utf8_valid(small, strlen(small)))
            abort();
    }
    md_buf_free(&scratch);
    return 0;
}
