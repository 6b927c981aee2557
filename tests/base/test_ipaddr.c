/* test_ipaddr.c: lib/base/ipaddr.c: IPv4/IPv6 parsing with brackets and the
 * "IPv6:" prefix of Received headers, formatting, CIDR parsing and
 * matching (the scenario's 141.89.0.0/16), private ranges, and finding an
 * IP inside Microsoft's reply texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "base/err.h"
#include "base/ipaddr.h"

static md_ip ip(const char *s)
{
    md_ip a;
    assert_int_equal(md_ip_parse(&a, s, strlen(s)), MD_OK);
    return a;
}

static void fmt_is(const char *in, const char *want)
{
    md_ip a = ip(in);
    char buf[MD_IP_STRLEN];
    assert_string_equal(md_ip_format(&a, buf, sizeof buf), want);
}

static void test_parse_v4(void **state)
{
    (void)state;
    md_ip a = ip("141.89.68.244");
    assert_true(a.v4);
    assert_int_equal(a.b[10], 0xff);
    assert_int_equal(a.b[12], 141);
    assert_int_equal(a.b[15], 244);
    fmt_is("141.89.68.244", "141.89.68.244");
    fmt_is("[134.170.2.199]", "134.170.2.199");
    fmt_is("  40.92.66.10 ", "40.92.66.10");
    /* the mapped form is the same address */
    md_ip m = ip("::ffff:141.89.68.244");
    assert_true(m.v4);
    assert_true(md_ip_equal(&a, &m));
}

static void test_parse_v6(void **state)
{
    (void)state;
    md_ip a = ip("2a01:111:f400:7e1b::205");
    assert_false(a.v4);
    fmt_is("2A01:111:F400:7E1B:0:0:0:205", "2a01:111:f400:7e1b::205");
    fmt_is("IPv6:2001:db8::1", "2001:db8::1");
    fmt_is("[IPv6:2001:db8::1]", "2001:db8::1");
    fmt_is("[ipv6:::1]", "::1");
    fmt_is("::", "::");
}

static void test_parse_bad(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "[]", "141.89.68", "141.89.68.256", "1.2.3.4.5",
                                      "mx3.hotmail.com", "2001:db8:::1", "[1.2.3.4",
                                      "IPv6:", "1.2.3.4/24",
                                      ("01234567890123456789012345678901"
                                       "234567890123456789012345678901234567")};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        md_ip a;
        assert_int_equal(md_ip_parse(&a, bad[i], strlen(bad[i])), MD_ERR_PARSE);
    }
    /* length is honoured: "1.2.3.4" inside a longer buffer */
    md_ip a;
    assert_int_equal(md_ip_parse(&a, "1.2.3.4]xyz", 7), MD_OK);
}

static md_cidr cidr(const char *s)
{
    md_cidr c;
    assert_int_equal(md_cidr_parse(&c, s, strlen(s)), MD_OK);
    return c;
}

static void test_cidr(void **state)
{
    (void)state;
    md_cidr uni = cidr("141.89.0.0/16");
    assert_int_equal(uni.prefix, 96 + 16);
    md_ip in = ip("141.89.68.244"), out = ip("141.90.0.1"), v6 = ip("2001:db8::1");
    assert_true(md_cidr_contains(&uni, &in));
    assert_false(md_cidr_contains(&uni, &out));
    assert_false(md_cidr_contains(&uni, &v6));
    /* host bits are cleared: 141.89.68.7/24 is 141.89.68.0/24 */
    md_cidr c24 = cidr("141.89.68.7/24");
    md_ip i7 = ip("141.89.68.99"), i69 = ip("141.89.69.1");
    assert_true(md_cidr_contains(&c24, &i7));
    assert_false(md_cidr_contains(&c24, &i69));
    /* non-octet prefix */
    md_cidr c20 = cidr("40.92.0.0/20");
    md_ip a = ip("40.92.15.255"), b = ip("40.92.16.0");
    assert_true(md_cidr_contains(&c20, &a));
    assert_false(md_cidr_contains(&c20, &b));
    /* single address, /32, /0 */
    md_cidr one = cidr("141.89.68.1");
    md_ip i1 = ip("141.89.68.1"), i2 = ip("141.89.68.2");
    assert_true(md_cidr_contains(&one, &i1));
    assert_false(md_cidr_contains(&one, &i2));
    md_cidr all4 = cidr("0.0.0.0/0");
    assert_true(md_cidr_contains(&all4, &out));
    assert_false(md_cidr_contains(&all4, &v6));
    md_cidr n6 = cidr("2a01:111:f400::/48");
    md_ip ms = ip("2a01:111:f400:7e1b::205"), ms2 = ip("2a01:111:f401::1");
    assert_true(md_cidr_contains(&n6, &ms));
    assert_false(md_cidr_contains(&n6, &ms2));
    md_cidr all6 = cidr("::/0");
    assert_true(md_cidr_contains(&all6, &ms));
    md_cidr bad;
    assert_int_equal(md_cidr_parse(&bad, "141.89.0.0/33", 13), MD_ERR_PARSE);
    assert_int_equal(md_cidr_parse(&bad, "2001:db8::/129", 14), MD_ERR_PARSE);
    assert_int_equal(md_cidr_parse(&bad, "141.89.0.0/", 11), MD_ERR_PARSE);
    assert_int_equal(md_cidr_parse(&bad, "141.89.0.0/1x", 13), MD_ERR_PARSE);
    assert_int_equal(md_cidr_parse(&bad, "141.89.0.0/-1", 13), MD_ERR_PARSE);
    assert_int_equal(md_cidr_parse(&bad, "141.89.0.0/99999999999", 22), MD_ERR_PARSE);
}

/* a table: the same answers as md_cidr_parse + md_cidr_contains, a text
 * that does not parse matching nothing, from two threads at once */
static const char *const table_nets[] = {"141.89.0.0/16", "not a network", "2a01:111::/32",
                                         "40.92.0.0/15"};
static md_cidr_table table = MD_CIDR_TABLE(table_nets);
static const char *const table_ips[] = {"141.89.68.1", "141.90.0.1", "2a01:111:f400::1",
                                        "2a01:112::1", "40.93.255.255", "40.94.0.0", "::"};

static int table_expect(const char *s)
{
    md_ip a = ip(s);
    for (size_t i = 0; i < sizeof table_nets / sizeof table_nets[0]; i++) {
        md_cidr c;
        if (md_cidr_parse(&c, table_nets[i], strlen(table_nets[i])) == MD_OK &&
            md_cidr_contains(&c, &a))
            return 1;
    }
    return 0;
}

static void *table_thread(void *arg)
{
    int *wrong = arg;
    for (int round = 0; round < 100; round++)
        for (size_t i = 0; i < sizeof table_ips / sizeof table_ips[0]; i++) {
            md_ip a;
            md_ip_parse(&a, table_ips[i], strlen(table_ips[i]));
            if (md_cidr_table_contains(&table, &a) != table_expect(table_ips[i]))
                (*wrong)++;
        }
    return NULL;
}

static void test_cidr_table(void **state)
{
    (void)state;
    int wrong[2] = {0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, table_thread, &wrong[0]), 0);
    table_thread(&wrong[1]);
    pthread_join(th, NULL);
    assert_int_equal(wrong[0] + wrong[1], 0);
    md_ip a = ip("141.89.68.1"), b = ip("141.90.0.1"), c = ip("40.93.1.1");
    assert_true(md_cidr_table_contains(&table, &a));
    assert_false(md_cidr_table_contains(&table, &b));
    assert_true(md_cidr_table_contains(&table, &c));
    assert_int_equal(table.net[1].prefix, -1);
}

static void test_private(void **state)
{
    (void)state;
    static const char *const priv[] = {"10.1.2.3", "172.16.0.1", "172.31.255.255",
                                       "192.168.178.1", "127.0.0.1", "169.254.1.1",
                                       "100.64.0.1", "0.0.0.0", "fd00::1", "fe80::1", "::1",
                                       "::"};
    static const char *const pub[] = {"141.89.68.1", "172.32.0.1", "172.15.255.255",
                                      "100.128.0.1", "8.8.8.8", "40.92.66.10",
                                      "2a01:111:f400:7e1b::205", "2001:4860::8888"};
    for (size_t i = 0; i < sizeof priv / sizeof priv[0]; i++) {
        md_ip a = ip(priv[i]);
        assert_true(md_ip_is_private(&a));
    }
    for (size_t i = 0; i < sizeof pub / sizeof pub[0]; i++) {
        md_ip a = ip(pub[i]);
        assert_false(md_ip_is_private(&a));
    }
}

static void find_is(const char *text, const char *want)
{
    md_ip a;
    size_t pos = 0, len = 0;
    int found = md_ip_find(text, strlen(text), &a, &pos, &len);
    if (!want) {
        assert_int_equal(found, 0);
        return;
    }
    assert_int_equal(found, 1);
    char buf[MD_IP_STRLEN];
    assert_string_equal(md_ip_format(&a, buf, sizeof buf), want);
    md_ip b;
    assert_int_equal(md_ip_parse(&b, text + pos, len), MD_OK);
    assert_true(md_ip_equal(&a, &b));
}

static void test_find(void **state)
{
    (void)state;
    find_is("550 5.7.1 Unfortunately, messages from [141.89.68.1] weren't sent. Please contact "
            "your Internet service provider since part of their network is on our block list "
            "(S3150).", "141.89.68.1");
    find_is("550 5.7.606 Access denied, banned sending IP [141.89.68.8]. To request removal",
            "141.89.68.8");
    find_is("relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0", "134.170.2.199");
    find_is("Server busy. Please try again later from [2a01:4f8::1].", "2a01:4f8::1");
    find_is("connect from unknown[2001:db8::25]", "2001:db8::25");
    find_is("at 10.0.0.1.", "10.0.0.1");
    find_is("no address here, only 4.7.650 and 12:30:00", NULL);
    find_is("version 15.20.7452.28", NULL);
    find_is("host-141-89-68-1.example", NULL);
    find_is("", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_v4),  cmocka_unit_test(test_parse_v6),
        cmocka_unit_test(test_parse_bad), cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_cidr_table),
        cmocka_unit_test(test_private),   cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
