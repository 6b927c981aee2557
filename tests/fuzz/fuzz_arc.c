/* fuzz_arc.c: the ARC parser and the SRS test (lib/parse/arc.c) over
 * arbitrary headers: the input is "Name: value" lines (a line without ':'
 * is given as the value of each ARC header), then the whole input as the
 * value of each ARC header and as an envelope sender.  Checks: sets within
 * their limit, in instance order, each instance 1..50, strings within
 * their arrays. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/arc.h"

static const char *const names[] = {"ARC-Seal", "ARC-Message-Signature",
                                    "ARC-Authentication-Results"};

static void check(const md_arc *a)
{
    if (a->n > MD_ARC_MAX_SETS)
        abort();
    for (size_t i = 0; i < a->n; i++) {
        const md_arc_set *s = &a->set[i];
        if (s->instance < 1 || s->instance > MD_ARC_MAX_INSTANCE)
            abort();
        if (i && a->set[i - 1].instance >= s->instance)
            abort();
        if (strlen(s->cv) >= sizeof s->cv || strlen(s->seal_d) >= sizeof s->seal_d ||
            strlen(s->aar) >= sizeof s->aar || strlen(s->aar_authserv) >= sizeof s->aar_authserv)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1);
    if (!v)
        return 0;
    memcpy(v, data, size);
    v[size] = '\0';
    static md_arc a;
    md_arc_init(&a);
    for (char *line = v, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            md_arc_add(&a, line, colon + 1);
            *colon = ':';
        } else {
            for (size_t h = 0; h < 3; h++)
                md_arc_add(&a, names[h], line);
        }
        if (next)
            next[-1] = '\n';
    }
    check(&a);
    md_arc_init(&a);
    for (size_t h = 0; h < 3; h++)
        md_arc_add(&a, names[h], v);
    check(&a);
    char t[32];
    md_arc_tag(v, "cv", t, sizeof t);
    if (strlen(t) >= sizeof t)
        abort();
    const char *k = md_srs_kind(v);
    if (k && strcmp(k, "SRS0") && strcmp(k, "SRS1"))
        abort();
    free(v);
    return 0;
}
