/* fuzz_rulecsv.c: libFuzzer harness for lib/parse/rulecsv.c: the input as a
 * rules CSV; what it gives is written back and must read back to as many
 * rules.  Must never crash, leak, read out of bounds or print. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/rulecsv.h"

static void no_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)arg, (void)file, (void)line, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_rule_list l = {0}, back = {0};
    md_err err = {0, ""};
    if (md_rulecsv_parse((const char *)data, size, "fuzz.csv", no_warn, NULL, &l, &err) == 0) {
        md_buf out = MD_BUF_INIT;
        if (md_rulecsv_write(&out, l.v, l.n) == 0 &&
            md_rulecsv_parse(md_buf_cstr(&out), out.len, "back.csv", no_warn, NULL, &back,
                             &err) == 0 &&
            back.n > l.n)
            abort(); /* writing never invents rows */
        md_buf_free(&out);
    }
    md_rules_list_free(&l);
    md_rules_list_free(&back);
    return 0;
}
