/* fuzz_aliases.c: libFuzzer harness for lib/parse/aliases.c: the input as an
 * aliases(5) file (includes recorded, not read: no file access), and each
 * line as one target for md_aliases_target.  Must never crash, leak, read
 * out of bounds or print. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/aliases.h"

static void no_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)arg, (void)file, (void)line, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    md_rule_list l = {0};
    md_aliases_opts o = {NULL, 1, no_warn, NULL};
    md_err err = {0, ""};
    md_aliases_parse(p, size, "fuzz-aliases", &o, &l, &err);
    md_rules_list_free(&l);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        md_tgt t;
        const char *v;
        size_t vn;
        if (md_aliases_target(p, len, &t, &v, &vn) == 0 && (v < p || v + vn > p + len))
            abort(); /* the value must lie inside the target */
        p += len + 1;
    }
    return 0;
}
