/* test_msantispam.c: lib/parse/msantispam.c: X-Forefront-Antispam-Report field by
 * field (CIP, CTRY, LANG, SCL, SRV, IPV, SFV, PTR, CAT, SFTY, SFS with its
 * parentheses, DIR, H; unknown fields kept), X-MS-Exchange-Organization-SCL,
 * X-Microsoft-Antispam BCL/PCL, the meanings in words, the summary line, and
 * Microsoft MHA's vectors from the corpus (the corpus group, skipped when
 * absent); X-Microsoft-Antispam-Mailbox-Delivery (dest, OFR, RF, flags, ENG)
 * field by field and in words, from a value and from the fixtures saved
 * from Outlook.com mailboxes (fixtures/messages/hdrev). */
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

static void test_mailbox_delivery(void **state)
{
    (void)state;
    md_msmbx d;
    char w[512];
    md_msmbx_parse(&d, " ucf:0;jmr:1;auth:0;dest:J;OFR:SpamFilterPass;"
                       "ENG:(750132)(520011016);RF:JunkEmail;odd;dest:I");
    assert_true(d.present);
    assert_string_equal(d.dest, "J");          /* the first dest counts */
    assert_string_equal(d.ofr, "SpamFilterPass");
    assert_string_equal(d.rf, "JunkEmail");
    assert_string_equal(d.ucf, "0");
    assert_string_equal(d.jmr, "1");
    assert_string_equal(d.auth, "0");
    assert_string_equal(d.eng, "(750132)(520011016)");
    assert_string_equal(md_msmbx_sentence(&d, w, sizeof w),
                        "filed in the Junk Email folder (dest:J), on the grounds "
                        "OFR:SpamFilterPass (the verdict of Microsoft's spam filter), "
                        "routed to the folder JunkEmail (RF)");
    md_msmbx_parse(&d, "dest:I;OFR:TrustedListed");
    assert_string_equal(md_msmbx_sentence(&d, w, sizeof w),
                        "filed in the inbox (dest:I), on the grounds OFR:TrustedListed "
                        "(the sender on the user's safe senders list)");
    md_msmbx_parse(&d, "dest:D;OFR:Whatever");
    assert_string_equal(md_msmbx_sentence(&d, w, sizeof w),
                        "filed in Deleted Items (dest:D), on the grounds OFR:Whatever");
    md_msmbx_parse(&d, "dest:Q");
    assert_string_equal(md_msmbx_sentence(&d, w, sizeof w),
                        "filed in a folder Microsoft writes as dest:Q");
    md_msmbx_parse(&d, "ucf:0;jmr:0");   /* no dest: nothing to say */
    assert_string_equal(md_msmbx_sentence(&d, w, sizeof w), "");
    md_msmbx_parse(&d, NULL);
    assert_false(d.present);
    assert_string_equal(md_msmbx_dest_text("j"), "the Junk Email folder");
    assert_string_equal(md_msmbx_ofr_text("CustomRules"), "a rule of the user's mailbox");
    assert_string_equal(md_msmbx_ofr_text("nope"), "");
}

static void test_mailbox_fixtures(void **state)
{
    (void)state;
    md_msmbx d;
    md_message *m = md_test_message_file("messages/hdrev/outlook-inbox.eml");
    md_msmbx_from_message(&d, m);
    assert_true(d.present);
    assert_string_equal(d.dest, "I");
    assert_string_equal(d.ofr, "");
    md_message_free(m);
    m = md_test_message_file("messages/hdrev/outlook-junk.eml");
    md_msmbx_from_message(&d, m);
    assert_string_equal(d.dest, "J");
    assert_string_equal(d.ofr, "SpamFilterPass");
    assert_string_equal(d.rf, "JunkEmail");
    md_message_free(m);
    m = md_test_message_file("messages/exchange-relayed-spam.eml");
    md_msmbx_from_message(&d, m);
    assert_false(d.present);
    md_message_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forefront), cmocka_unit_test(test_message_headers),
        cmocka_unit_test(test_mailbox_delivery), cmocka_unit_test(test_mailbox_fixtures),
    };
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_mha_vectors)};
    static const char *const need[] = {"microsoft-MHA/forefront-antispam-vectors.tsv", NULL};
    return MD_TEST_MAIN(tests, corpus, need, NULL, NULL);
}
