/* fuzz_reply515.c: libFuzzer harness for lib/parse/reply515.c (the domain and
 * SPF/DKIM/DMARC results of a 550 5.7.515 refusal): the whole input as a
 * reply text.  Must never crash or read past the input; every field is
 * NUL-terminated and a result is one of the known words or empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/reply515.h"

static void word(const char *w, size_t n)
{
    static const char *const ok[] = {"", "pass", "fail", "softfail", "none", "neutral",
                                     "temperror", "permerror", "policy", "missing"};
    if (!memchr(w, 0, n))
        abort();
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(w, ok[i]) == 0)
            return;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_reply515 r;
    md_reply515_parse((const char *)data, size, &r);
    if (!memchr(r.domain, 0, sizeof r.domain))
        abort();
    word(r.spf, sizeof r.spf);
    word(r.dkim, sizeof r.dkim);
    word(r.dmarc, sizeof r.dmarc);
    return 0;
}
