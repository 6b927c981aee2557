/* test_arc.c: lib/parse/arc.c: tag=value reading (spaces, folding, case),
 * ARC sets by instance (seal cv= d= s=, message signature d= s=, the
 * ARC-Authentication-Results' results), sets kept in instance order,
 * headers without a usable i= left out, the limit on sets, the chain of
 * the forwarded fixtures (fixtures/messages/hdrev), Microsoft's own
 * sealers, and SRS senders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse/arc.h"
#include "testutil.h"

static void test_tag(void **state)
{
    (void)state;
    char b[64];
    assert_true(md_arc_tag("i=2; a=rsa-sha256; cv = pass;\r\n d=Fwd.Example; s=sel1", "cv", b,
                           sizeof b));
    assert_string_equal(b, "pass");
    assert_true(md_arc_tag("i=2; a=rsa-sha256; cv = pass;\r\n d=Fwd.Example; s=sel1", "D", b,
                           sizeof b));
    assert_string_equal(b, "Fwd.Example");
    assert_false(md_arc_tag("i=2; bi=3", "b", b, sizeof b));   /* bi= is not b= */
    assert_string_equal(b, "");
    assert_false(md_arc_tag("", "i", b, sizeof b));
    assert_true(md_arc_tag("s=averyveryverylongselectorname", "s", b, 8));
    assert_string_equal(b, "averyve");
}

static void test_sets(void **state)
{
    (void)state;
    md_arc a;
    md_arc_init(&a);
    assert_int_equal(md_arc_add(&a, "ARC-Seal", "i=2; a=rsa-sha256; cv=pass; d=List.Example; "
                                                "s=arc-2016; b=AAAA"), 0);
    assert_int_equal(md_arc_add(&a, "arc-seal", "i=1; a=rsa-sha256; cv=none; d=fwd.example; "
                                                "s=s1; b=BBBB"), 0);
    assert_int_equal(md_arc_add(&a, "ARC-Message-Signature", "i=1; a=rsa-sha256; "
                                "d=fwd.example; s=s1; h=from:to; bh=x; b=y"), 0);
    assert_int_equal(md_arc_add(&a, "ARC-Authentication-Results",
                                "i=1; mx.fwd.example; spf=pass smtp.mailfrom=a.example; "
                                "dkim=fail header.d=a.example; dmarc=fail header.from=a.example"),
                     0);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.set[0].instance, 1);
    assert_int_equal(a.set[1].instance, 2);
    const md_arc_set *s = &a.set[0];
    assert_true(s->has_seal && s->has_ams && s->has_aar);
    assert_string_equal(s->cv, "none");
    assert_string_equal(s->seal_d, "fwd.example");
    assert_string_equal(s->seal_s, "s1");
    assert_string_equal(s->ams_d, "fwd.example");
    assert_string_equal(s->aar_authserv, "mx.fwd.example");
    assert_string_equal(s->aar, "spf=pass dkim=fail dmarc=fail");
    s = md_arc_latest(&a);
    assert_int_equal(s->instance, 2);
    assert_string_equal(s->cv, "pass");
    assert_string_equal(s->seal_d, "list.example");       /* lower case */
    assert_false(s->has_ams);
    assert_false(a.bad);
    /* no i=, i= out of range, not an ARC header */
    assert_int_equal(md_arc_add(&a, "ARC-Seal", "a=rsa-sha256; cv=none; d=x.example"), -1);
    assert_int_equal(md_arc_add(&a, "ARC-Seal", "i=51; cv=none"), -1);
    assert_int_equal(md_arc_add(&a, "ARC-Seal", "i=1x; cv=none"), -1);
    assert_true(a.bad);
    assert_int_equal(md_arc_add(&a, "DKIM-Signature", "i=3; d=x"), -1);
    assert_int_equal(a.n, 2);
    /* a second seal of an instance does not overwrite the first */
    assert_int_equal(md_arc_add(&a, "ARC-Seal", "i=1; cv=fail; d=evil.example"), 0);
    assert_string_equal(a.set[0].cv, "none");
    /* at most MD_ARC_MAX_SETS sets */
    md_arc_init(&a);
    char v[64];
    for (int i = 1; i <= MD_ARC_MAX_SETS + 2; i++) {
        snprintf(v, sizeof v, "i=%d; cv=pass; d=h%d.example", i, i);
        assert_int_equal(md_arc_add(&a, "ARC-Seal", v), i <= MD_ARC_MAX_SETS ? 0 : -1);
    }
    assert_int_equal(a.n, MD_ARC_MAX_SETS);
    md_arc_init(&a);
    assert_null(md_arc_latest(&a));
}

static void test_fixtures(void **state)
{
    (void)state;
    md_arc a;
    md_message *m = md_test_message_file("messages/hdrev/fwd-nosrs-dkimfail.eml");
    md_arc_from_message(&a, m);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.set[0].cv, "none");
    assert_string_equal(a.set[0].seal_d, "uni-potsdam.de");
    assert_string_equal(a.set[0].seal_s, "arc2016");
    assert_string_equal(a.set[0].aar_authserv, "mailup.rz.uni-potsdam.de");
    assert_string_equal(a.set[0].aar, "spf=pass dkim=pass dmarc=pass");
    assert_null(md_srs_kind(md_message_header(m, "Return-Path")));
    md_message_free(m);
    m = md_test_message_file("messages/hdrev/fwd-srs-arc.eml");
    md_arc_from_message(&a, m);
    assert_int_equal(a.n, 1);
    assert_string_equal(md_srs_kind(md_message_header(m, "Return-Path")), "SRS0");
    md_message_free(m);
    m = md_test_message_file("messages/hdrev/outlook-inbox.eml");
    md_arc_from_message(&a, m);
    assert_int_equal(a.n, 0);
    md_message_free(m);
}

static void test_srs(void **state)
{
    (void)state;
    assert_true(md_arc_microsoft_sealer("microsoft.com"));
    assert_true(md_arc_microsoft_sealer("eur.Outlook.com"));
    assert_true(md_arc_microsoft_sealer("hotmail.com"));
    assert_false(md_arc_microsoft_sealer("notmicrosoft.com"));
    assert_false(md_arc_microsoft_sealer("uni-potsdam.de"));
    assert_false(md_arc_microsoft_sealer(""));
    assert_false(md_arc_microsoft_sealer(NULL));
    assert_string_equal(md_srs_kind("<SRS0=Ab12=QW=dfg.de=newsletter@uni-potsdam.de>"), "SRS0");
    assert_string_equal(md_srs_kind("srs1=HHH=fwd.example==Ab12=QW=dfg.de=x@b.example"), "SRS1");
    assert_string_equal(md_srs_kind(" <SRS0+xy=ab=c.example=u@d.example>"), "SRS0");
    assert_null(md_srs_kind("newsletter@dfg.de"));
    assert_null(md_srs_kind("srs0@example.org"));
    assert_null(md_srs_kind("<>"));
    assert_null(md_srs_kind(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tag), cmocka_unit_test(test_sets), cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_srs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
