/* test_authres.c: lib/parse/authres.c: Authentication-Results in RFC 8601 form
 * and in Microsoft's form (no authserv-id first, compauth with reason),
 * ARC-Authentication-Results, comments and quoted strings, Received-SPF,
 * DKIM-Signature d=/s=, compauth codes in words, garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "parse/authres.h"

static void test_rfc8601(void **state)
{
    (void)state;
    md_authres ar;
    md_authres_parse(&ar, "mx.google.com; dkim=pass header.i=@uni-potsdam.de header.s=s1 "
                          "header.b=AbCd; spf=softfail (google.com: domain of transitioning "
                          "a@b.example does not designate 192.0.2.1 as permitted sender; x=y) "
                          "smtp.mailfrom=a@B.Example; dmarc=fail (p=REJECT sp=NONE dis=NONE) "
                          "header.from=uni-potsdam.de; arc=none");
    assert_string_equal(ar.authserv, "mx.google.com");
    assert_int_equal(ar.n, 4);
    const md_authres_item *it = md_authres_find(&ar, "spf");
    assert_non_null(it);
    assert_string_equal(it->result, "softfail");
    assert_string_equal(it->domain, "b.example");
    assert_non_null(strstr(it->comment, "does not designate"));
    it = md_authres_find(&ar, "dkim");
    assert_string_equal(it->result, "pass");
    assert_string_equal(it->domain, "uni-potsdam.de");
    assert_non_null(strstr(it->props, "header.s=s1"));
    it = md_authres_find(&ar, "dmarc");
    assert_string_equal(it->result, "fail");
    assert_string_equal(it->domain, "uni-potsdam.de");
    assert_null(md_authres_find(&ar, "compauth"));
}

static void test_microsoft(void **state)
{
    (void)state;
    md_authres ar;
    md_authres_parse(&ar, "spf=pass (sender IP is 141.89.68.7) smtp.mailfrom=uni-potsdam.de; "
                          "outlook.de; dkim=none (message not signed) header.d=none;outlook.de; "
                          "dmarc=none action=none header.from=uni-potsdam.de;compauth=fail reason=001");
    assert_string_equal(ar.authserv, "outlook.de");
    const md_authres_item *it = md_authres_find(&ar, "spf");
    assert_non_null(it);
    assert_string_equal(it->result, "pass");
    assert_string_equal(it->comment, "sender IP is 141.89.68.7");
    it = md_authres_find(&ar, "compauth");
    assert_non_null(it);
    assert_string_equal(it->result, "fail");
    assert_string_equal(it->reason, "001");
    assert_non_null(strstr(md_authres_compauth_text(it->reason), "implicit"));
    assert_non_null(strstr(md_authres_compauth_text("100"), "passed"));
    assert_string_equal(md_authres_compauth_text("x"), "");
    assert_string_equal(md_authres_compauth_text(NULL), "");
    /* ARC */
    md_authres_parse(&ar, "i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=uni-potsdam.de; "
                          "dmarc=pass action=none header.from=uni-potsdam.de; dkim=pass "
                          "header.d=uni-potsdam.de; arc=none");
    assert_int_equal(ar.arc_instance, 1);
    assert_string_equal(ar.authserv, "mx.microsoft.com");
    assert_int_equal(ar.n, 4);
    /* a quoted reason with ';' inside stays whole */
    md_authres_parse(&ar, "a.example; dkim=fail reason=\"bad sig; really\" header.d=x.example; spf=none");
    it = md_authres_find(&ar, "dkim");
    assert_string_equal(it->reason, "bad sig; really");
    assert_non_null(md_authres_find(&ar, "spf"));
}

static void test_garbage(void **state)
{
    (void)state;
    md_authres ar;
    md_authres_parse(&ar, "");
    assert_int_equal(ar.n, 0);
    md_authres_parse(&ar, NULL);
    assert_int_equal(ar.n, 0);
    md_authres_parse(&ar, "x.example; none");
    assert_int_equal(ar.n, 0);
    md_authres_parse(&ar, "((((((((;;;;====))))\"\"\"");
    char big[20000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[5] = '=';
    md_authres_parse(&ar, big);
    assert_true(ar.n <= MD_AUTHRES_MAX);
    char many[4000] = "x.example";
    for (int i = 0; i < 40; i++)
        strcat(many, "; spf=pass");
    md_authres_parse(&ar, many);
    assert_int_equal(ar.n, MD_AUTHRES_MAX);
}

static void test_spf_dkim(void **state)
{
    (void)state;
    md_authres_item it;
    md_authres_parse_spf(&it, "Pass (protection.outlook.com: domain of uni-potsdam.de designates "
                              "141.89.68.7 as permitted sender) receiver=protection.outlook.com; "
                              "client-ip=141.89.68.7; helo=ironout.rz.uni-potsdam.de; "
                              "envelope-from=\"jdoe@Uni-Potsdam.de\";");
    assert_string_equal(it.method, "spf");
    assert_string_equal(it.result, "pass");
    assert_string_equal(it.domain, "uni-potsdam.de");
    assert_non_null(strstr(it.props, "client-ip=141.89.68.7"));
    assert_non_null(strstr(it.comment, "designates"));
    char d[64], s[64];
    md_authres_dkim_sig("v=1; a=rsa-sha256; c=relaxed/relaxed; d=Uni-Potsdam.de; s=mail2016;\n\th=from:to; "
                        "bh=abc=; b=def", d, sizeof d, s, sizeof s);
    assert_string_equal(d, "uni-potsdam.de");
    assert_string_equal(s, "mail2016");
    md_authres_dkim_sig("garbage", d, sizeof d, s, sizeof s);
    assert_string_equal(d, "");
    assert_string_equal(s, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8601), cmocka_unit_test(test_microsoft),
        cmocka_unit_test(test_garbage), cmocka_unit_test(test_spf_dkim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
