/* fuzz_sieve.c: libFuzzer harness for lib/parse/sieve.c: the whole input as a
 * Sieve script (lexer, parser, checks, actions), the actions turned into
 * rules, and the input as one address for md_sieve_address_valid.  Must
 * never crash, leak, read out of bounds or print. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    md_sieve_result r;
    memset(&r, 0, sizeof r);
    md_err err = {0, ""};
    if (md_sieve_parse(p, size, &r, &err) != MD_ERR_NOMEM) {
        md_rule_list l = {0};
        md_sieve_to_rules(&r, "fuzz@example.org", "fuzz.sieve", &l);
        md_rules_list_free(&l);
    }
    md_sieve_result_free(&r);
    char norm[256];
    (void)md_sieve_address_valid(p, size < 4096 ? size : 4096, norm, sizeof norm);
    return 0;
}
