/* test_reqroute.c: the request's routing by what Microsoft said
 * (lib/dossier/reqroute.c): 5.7.606-5.7.649 "banned sending IP" goes to the
 * delist portal, S3150/S3140 block lists and 4.7.650/4.7.651/S3114/S775/
 * RP-001 rate limits to sender support; the server the trailing bracket
 * names, the IP the text names, times in UTC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "dossier/reqroute.h"

static void banned_606(void **state)
{
    (void)state;
    md_req_route r;
    md_req_route_classify(
        "host uni-potsdam-de.mail.protection.outlook.com[104.47.8.36] said: 550 5.7.606 Access "
        "denied, banned sending IP [141.89.68.8]. To request removal from this list please visit "
        "https://sender.office.com/ and follow the directions. AS(1430) "
        "[AM5EUR02FT047.eop-EUR02.prod.protection.outlook.com 2016-04-23T14:12:01.123Z "
        "08D36B6A1F2C3D4E] (in reply to RCPT TO command)", &r);
    assert_int_equal(r.kind, MD_REQ_BANNED);
    assert_true(md_req_route_delist(r.kind));
    assert_string_equal(r.status, "5.7.606");
    assert_string_equal(r.named_ip, "141.89.68.8");
    assert_string_equal(r.server, "AM5EUR02FT047.eop-EUR02.prod.protection.outlook.com");
    assert_string_equal(md_req_route_words(r.kind), "banned sending IP");
}

static void banned_range(void **state)
{
    (void)state;
    md_req_route r;
    md_req_route_classify("550 5.7.649 Access denied [1.2.3.4]", &r);
    assert_int_equal(r.kind, MD_REQ_BANNED);
    md_req_route_classify("550 5.7.650 something else [1.2.3.4]", &r);
    assert_int_not_equal(r.kind, MD_REQ_BANNED);
    md_req_route_classify("550 5.7.605 Access denied [1.2.3.4]", &r);
    assert_int_not_equal(r.kind, MD_REQ_BANNED);
}

static void blocklist_s3150(void **state)
{
    (void)state;
    md_req_route r;
    md_req_route_classify(
        "550 5.7.1 Unfortunately, messages from [141.89.68.7] weren't sent. Please contact your "
        "Internet service provider since part of their network is on our block list (S3150). "
        "[BN1NAM02FT046.eop-nam02.prod.protection.outlook.com 2016-04-24T07:14:11.000Z X]", &r);
    assert_int_equal(r.kind, MD_REQ_BLOCKLIST);
    assert_false(md_req_route_delist(r.kind));
    assert_string_equal(r.code, "S3150");
    assert_string_equal(r.server, "BN1NAM02FT046.eop-nam02.prod.protection.outlook.com");
    md_req_route_classify("550 5.7.1 ... block list (S3140)", &r);
    assert_int_equal(r.kind, MD_REQ_BLOCKLIST);
}

static void ratelimits(void **state)
{
    (void)state;
    md_req_route r;
    md_req_route_classify("451 4.7.650 The mail server [141.89.68.7] has been temporarily rate "
                          "limited due to IP reputation. (S775)", &r);
    assert_int_equal(r.kind, MD_REQ_RATELIMIT);
    md_req_route_classify("451 4.7.651 The mail server [141.89.68.7] has been temporarily rate "
                          "limited", &r);
    assert_int_equal(r.kind, MD_REQ_RATELIMIT);
    md_req_route_classify("451 4.7.500 Server busy (S3114) [141.89.68.7]", &r);
    assert_int_equal(r.kind, MD_REQ_RATELIMIT);
    md_req_route_classify("421 RP-001 (COL004-MC1F44) Unfortunately, some messages from "
                          "141.89.68.1 weren't sent.", &r);
    assert_int_equal(r.kind, MD_REQ_RATELIMIT);
    assert_string_equal(r.code, "RP-001");
    assert_string_equal(r.server, "");   /* (COL004-MC1F44) is no server bracket */
    assert_false(md_req_route_delist(r.kind));
}

static void other_and_empty(void **state)
{
    (void)state;
    md_req_route r;
    md_req_route_classify("451 4.7.500 Server busy. Please try again later from [141.89.68.7].", &r);
    assert_int_equal(r.kind, MD_REQ_OTHER);
    md_req_route_classify("", &r);
    assert_int_equal(r.kind, MD_REQ_NONE);
    md_req_route_classify(NULL, &r);
    assert_int_equal(r.kind, MD_REQ_NONE);
    assert_string_equal(md_req_route_words(MD_REQ_NONE), "");
}

static void utc(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(md_req_utc(1461420721, b, sizeof b), "2016-04-23T14:12:01Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(banned_606),      cmocka_unit_test(banned_range),
        cmocka_unit_test(blocklist_s3150), cmocka_unit_test(ratelimits),
        cmocka_unit_test(other_and_empty), cmocka_unit_test(utc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
