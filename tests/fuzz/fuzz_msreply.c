/* fuzz_msreply.c: Microsoft sender-support reply parser (lib/parse/msreply.c).
 * The input is parsed as a text body and as an HTML body (subject: its
 * first line).  Every entry must name a canonical IP and a known outcome.
 * (md_msreply_from_message is covered by test_msreply; the message parser
 * has its own harness.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/msreply.h"

static void check(const md_msreply *r)
{
    if (r->n > MD_MSREPLY_MAX_ENTRIES)
        abort();
    for (size_t i = 0; i < r->n; i++) {
        md_ip ip;
        if (md_ip_parse(&ip, r->e[i].ip, strlen(r->e[i].ip)) != MD_OK)
            abort();
        if (!md_msreply_outcome_name(r->e[i].outcome)[0])
            abort();
        if (strlen(r->e[i].text) >= MD_MSREPLY_TEXT)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static md_msreply r;
    md_err err = {0, ""};
    char subject[256] = "";
    const char *nl = memchr(data, '\n', size);
    size_t sl = nl ? (size_t)(nl - (const char *)data) : 0;
    if (sl >= sizeof subject)
        sl = sizeof subject - 1;
    if (sl && !memchr(data, '\0', sl))
        memcpy(subject, data, sl);
    subject[sl] = '\0';
    md_msreply_parse(&r, subject, (const char *)data, size, 0, &err);
    check(&r);
    md_msreply_parse(&r, NULL, (const char *)data, size, 1, &err);
    check(&r);
    return 0;
}
