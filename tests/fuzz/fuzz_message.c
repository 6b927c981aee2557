/* fuzz_message.c: the message parser (lib/parse/message.c) and the evidence
 * renderer (lib/render/msgshow.c) over arbitrary bytes.  Checks: every header
 * value and text is valid UTF-8, parts stay within the limits, the tree
 * frees cleanly (ASan/LeakSanitizer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/message.h"
#include "render/msgshow.h"
#include "base/text.h"

static void check(const md_message *m, int depth)
{
    if (!m || depth > MD_LIMIT_MIME_DEPTH + 1)
        abort();
    if (m->nhdr > MD_LIMIT_HEADERS || m->npart > MD_LIMIT_MIME_PARTS)
        abort();
    for (size_t i = 0; i < m->nhdr; i++)
        if (!md_text_utf8_valid(m->hdr[i].decoded, strlen(m->hdr[i].decoded)) ||
            !md_text_utf8_valid(m->hdr[i].value, strlen(m->hdr[i].value)))
            abort();
    if (!md_text_utf8_valid(m->subject, strlen(m->subject)))
        abort();
    for (size_t i = 0; i < m->npart; i++) {
        const md_msg_part *p = &m->part[i];
        if (p->text && !md_text_utf8_valid(p->text, strlen(p->text)))
            abort();
        if (p->depth > MD_LIMIT_MIME_DEPTH)
            abort();
        if (p->inner)
            check(p->inner, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_message *m = NULL;
    md_err err = {0, ""};
    if (md_message_parse(&m, (const char *)data, size, &err) != MD_OK)
        return 0;
    check(m, 0);
    md_buf out = MD_BUF_INIT;
    md_msgshow_render(&out, m, NULL, 0);
    md_buf_free(&out);
    md_message_free(m);
    return 0;
}
