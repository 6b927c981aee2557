/* test_msantispam.c: lib/parse/msantispam.c: X-Forefront-Antispam-Report field by
 * field (CIP, CTRY, LANG, SCL, SRV, IPV, SFV, PTR, CAT, SFTY, SFS with its
 * parentheses, DIR, H; unknown fields kept), X-MS-Exchange-Organization-SCL,
 * X-Microsoft-Antispam BCL/PCL, the meanings in words, the summary line, and
 * Microsoft MHA's vectors from the corpus (the corpus group, skipped when
 * absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse/msantispam.h"
#include "testutil.h"

static const md_msas_field *field(const md_msantispam *as, const char *k)
{
    for (size_t i = 0; i < as->n; i++)
        if (!strcmp(as->f[i].key, k))
            return &as->f[i];
    return NULL;
}

static void test_forefront(void **state)
{
    (void)state;
    md_msantispam as;
    md_msantispam_init(&as);
    md_msantispam_parse_fields(&as, "X-Forefront-Antispam-Report",
        "CIP:141.89.68.7;CTRY:DE;LANG:de;SCL:5;SRV:BULK;IPV:NLI;SFV:SPM;H:ironout.rz.uni-potsdam.de;"
        "PTR:ironout.rz.uni-potsdam.de;CAT:SPM;SFTY:9.25;SFS:(98901004)(229001);DIR:INB;SFP:;XYZ:odd;");
    assert_true(as.present);
    assert_string_equal(as.cip, "141.89.68.7");
    assert_string_equal(as.ctry, "DE");
    assert_string_equal(as.sfv, "SPM");
    assert_string_equal(as.ipv, "NLI");
    assert_string_equal(as.cat, "SPM");
    assert_string_equal(as.dir, "INB");
    assert_string_equal(as.ptr, "ironout.rz.uni-potsdam.de");
    assert_string_equal(as.helo, "ironout.rz.uni-potsdam.de");
    assert_int_equal(as.scl, 5);
    assert_string_equal(field(&as, "SFS")->value, "(98901004)(229001)");
    assert_string_equal(field(&as, "XYZ")->value, "odd"); /* unknown, kept */
    assert_string_equal(field(&as, "SFP")->value, "");
    char buf[64];
    assert_string_equal(md_msantispam_meaning("SFV", "SPM", buf, sizeof buf), "spam");
    assert_string_equal(md_msantispam_meaning("SFV", "NSPM", buf, sizeof buf), "not spam");
    assert_non_null(strstr(md_msantispam_meaning("SFV", "SKB", buf, sizeof buf), "blocked"));
    assert_non_null(strstr(md_msantispam_meaning("IPV", "CAL", buf, sizeof buf), "allow list"));
    assert_string_equal(md_msantispam_meaning("CAT", "PHSH", buf, sizeof buf), "phishing");
    assert_string_equal(md_msantispam_meaning("DIR", "OUT", buf, sizeof buf), "outbound");
    assert_non_null(strstr(md_msantispam_meaning("SRV", "BULK", buf, sizeof buf), "bulk"));
    assert_non_null(strstr(md_msantispam_meaning("SFTY", "9.25", buf, sizeof buf), "first contact"));
    assert_non_null(strstr(md_msantispam_meaning("SCL", "9", buf, sizeof buf), "high confidence"));
    assert_non_null(strstr(md_msantispam_meaning("SCL", "-1", buf, sizeof buf), "skipped"));
    assert_non_null(strstr(md_msantispam_meaning("BCL", "8", buf, sizeof buf), "many complaints"));
    assert_string_equal(md_msantispam_meaning("ZZZ", "1", buf, sizeof buf), "");
    assert_string_equal(md_msantispam_label("CIP"), "connecting IP address");
    assert_string_equal(md_msantispam_label("nope"), "");
    char sum[256];
    md_msantispam_summary(&as, sum, sizeof sum);
    assert_non_null(strstr(sum, "spam (SFV:SPM"));
    assert_non_null(strstr(sum, "SCL 5"));
}

static void test_message_headers(void **state)
{
    (void)state;
    const char *s = "From: a@b.example\nX-MS-Exchange-Organization-SCL: -1\n"
                    "X-Microsoft-Antispam: BCL:7;PCL:0;RULEID:(7020095);\n\nb\n";
    md_message *m = md_test_message_mem(s);
    md_msantispam as;
    md_msantispam_from_message(&as, m);
    assert_true(as.present);
    assert_int_equal(as.org_scl, -1);
    assert_int_equal(as.scl, -1);
    assert_int_equal(as.bcl, 7);
    assert_int_equal(as.pcl, 0);
    char sum[256];
    md_msantispam_summary(&as, sum, sizeof sum);
    assert_non_null(strstr(sum, "not spam"));
    assert_non_null(strstr(sum, "BCL 7"));
    md_message_free(m);
    md_msantispam_init(&as);
    assert_false(as.present);
    assert_int_equal(as.scl, -2);
    md_msantispam_summary(&as, sum, sizeof sum);
    assert_string_equal(sum, "no Microsoft antispam headers");
    /* garbage and overflow */
    md_msantispam_parse_fields(&as, "X", ";;::;(((;SCL:99;SCL:abc;");
    assert_int_equal(as.scl, -2);
    char big[8000] = "";
    for (int i = 0; i < 100; i++)
        strcat(big, "K:v;");
    md_msantispam_parse_fields(&as, "X", big);
    assert_int_equal(as.n, MD_MSAS_MAX_FIELDS);
}

static void test_mha_vectors(void **state)
{
    (void)state;
    FILE *t = fopen(MD_SHARED "/corpus/microsoft-MHA/forefront-antispam-vectors.tsv", "r");
    md_assert_non_null(t);
    char *line = malloc(65536);
    int checked = 0;
    assert_non_null(fgets(line, 65536, t));
    while (fgets(line, 65536, t)) {
        char *f[6] = {0};
        int k = md_test_split_tabs(line, f, 6);
        if (k < 6 || strcmp(f[3], "X-Forefront-Antispam-Report"))
            continue;
        static const char *const keys[] = {"CIP", "CTRY", "LANG", "SCL", "SFV", "IPV", "H",
                                           "PTR", "CAT", "SFTY", "SRV", "SFS", "PCL"};
        int known = 0;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            known |= !strcmp(f[2], keys[i]);
        if (!known)
            continue;
        md_msantispam as;
        md_msantispam_init(&as);
        md_msantispam_parse_fields(&as, f[3], f[1]);
        const md_msas_field *fl = field(&as, f[2]);
        if (!*f[5]) {
            assert_true(!fl || !*fl->value);
        } else {
            assert_non_null(fl);
            if (strcmp(fl->value, f[5]) && !(strcmp(f[2], "SFS") == 0))
                fail_msg("%s: got '%s', want '%s'", f[2], fl->value, f[5]);
        }
        checked++;
    }
    free(line);
    fclose(t);
    assert_true(checked > 10);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forefront), cmocka_unit_test(test_message_headers),
    };
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_mha_vectors)};
    static const char *const need[] = {"microsoft-MHA/forefront-antispam-vectors.tsv", NULL};
    return MD_TEST_MAIN(tests, corpus, need, NULL, NULL);
}
