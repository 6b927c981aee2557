/* fuzz_dotforward.c: libFuzzer harness for lib/parse/dotforward.c: the input as
 * a .forward (plain list, or an Exim filter when it says so), and again
 * with the Exim filter marker in front.  Must never crash, leak, read out
 * of bounds or print. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/dotforward.h"

static void no_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)arg, (void)file, (void)line, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_rule_list l = {0};
    md_err err = {0, ""};
    md_dotforward_parse((const char *)data, size, ".forward", "u@example.org", no_warn, NULL, &l,
                        &err);
    md_rules_list_free(&l);
    static const char mark[] = "# Exim filter\n";
    char *b = malloc(sizeof mark - 1 + size);
    if (!b)
        return 0;
    memcpy(b, mark, sizeof mark - 1);
    if (size)
        memcpy(b + sizeof mark - 1, data, size);
    md_dotforward_parse(b, sizeof mark - 1 + size, ".forward", "u", no_warn, NULL, &l, &err);
    md_rules_list_free(&l);
    free(b);
    return 0;
}
