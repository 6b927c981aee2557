/* test_received.c: lib/parse/received.c: Received values by keyword (sendmail,
 * Postfix, Exim, qmail, Exchange, comment-only and broken lines), IPs in
 * their forms ([ip], (ip), [IPv6:...], ports), "id 15.1.225.42" not being
 * an IP, dates (zone-less, fractions, missing ';'), the chain in sending
 * order with delays and clock skew, the hop limit, IP classes from the
 * scenario configuration, and Microsoft MHA's expectations from the corpus
 * (skipped when ../shared is absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/config.h"
#include "parse/received.h"
#include "testutil.h"

static md_hop hop(const char *v)
{
    md_hop h;
    md_received_parse_one(&h, v);
    return h;
}

static void test_sendmail_postfix(void **state)
{
    (void)state;
    md_hop h = hop("from n-compro-3.rz.uni-potsdam.de (n-compro-3.rz.uni-potsdam.de [141.89.68.4]) "
                   "by n-mail-2.rz.uni-potsdam.de (8.14.4/8.14.4) with ESMTP id u3NE6SaT025990 "
                   "for <x@hotmail.de>; Sat, 23 Apr 2016 16:06:29 +0200 (MEST)");
    assert_true(h.parsed);
    assert_string_equal(h.helo, "n-compro-3.rz.uni-potsdam.de");
    assert_string_equal(h.rdns, "n-compro-3.rz.uni-potsdam.de");
    assert_string_equal(h.ipstr, "141.89.68.4");
    assert_string_equal(h.by, "n-mail-2.rz.uni-potsdam.de");
    assert_string_equal(h.with, "ESMTP");
    assert_string_equal(h.id, "u3NE6SaT025990");
    assert_string_equal(h.for_addr, "x@hotmail.de");
    assert_true(h.has_date);
    assert_int_equal(h.date, 1461420389);
    assert_false(h.date_no_zone);

    h = hop("from mail.example.org (unknown [IPv6:2001:db8::25]) by ironin.uni-potsdam.de "
            "(Postfix) with ESMTPS id 4B2C1D0E9F for <a@uni-potsdam.de>; Mon, 25 Apr 2016 10:00:05 +0200");
    assert_string_equal(h.helo, "mail.example.org");
    assert_string_equal(h.rdns, "unknown");
    assert_string_equal(h.ipstr, "2001:db8::25");
    assert_string_equal(h.id, "4B2C1D0E9F");
}

static void test_exim_qmail_exchange(void **state)
{
    (void)state;
    md_hop h = hop("from [192.0.2.44] (port=50212 helo=laptop.example.org) by sender.example.org "
                   "with esmtpa (Exim 4.86) id 1auXyz-0003Ab-7Q; Mon, 25 Apr 2016 10:00:09 +0200");
    assert_string_equal(h.ipstr, "192.0.2.44");
    assert_string_equal(h.helo, "laptop.example.org");
    assert_string_equal(h.id, "1auXyz-0003Ab-7Q");

    h = hop("from mx.example.org ([198.51.100.7]:47112 helo=smtp.example.org) by a.b with esmtp; "
            "Mon, 25 Apr 2016 10:00:09 +0200");
    assert_string_equal(h.ipstr, "198.51.100.7");
    assert_string_equal(h.rdns, "mx.example.org");
    assert_string_equal(h.helo, "smtp.example.org");

    h = hop("from unknown (HELO sender.example.org) (198.51.100.23) by relay.example.org with SMTP; "
            "25 Apr 2016 08:00:04 -0000");
    assert_string_equal(h.helo, "sender.example.org");
    assert_string_equal(h.ipstr, "198.51.100.23");

    /* Exchange: the IP in parentheses; the id is a build number, no IP */
    h = hop("from EXCH01.verwaltung.uni-potsdam.de (10.20.1.25) by EXCH01.verwaltung.uni-potsdam.de "
            "(10.20.1.25) with Microsoft SMTP Server (TLS) id 15.1.225.42; Sat, 23 Apr 2016 16:10:00 +0200");
    assert_string_equal(h.ipstr, "10.20.1.25");
    assert_string_equal(h.by_ipstr, "10.20.1.25");
    assert_string_equal(h.id, "15.1.225.42");
    assert_string_equal(h.with, "Microsoft SMTP Server (TLS)");

    h = hop("by smtp.example.org (Postfix, from userid 1001) id 1234ABCD; Thu, 21 Aug 2014 12:12:48 +0200 (CEST)");
    assert_false(h.has_ip);
    assert_string_equal(h.id, "1234ABCD");
    assert_string_equal(h.by, "smtp.example.org");
}

static void test_odd_lines(void **state)
{
    (void)state;
    /* comment-only: kept, unparsed, with its date */
    md_hop h = hop("(qmail 10876 invoked from network); 24 Aug 2014 16:13:38 -0000");
    assert_false(h.parsed);
    assert_true(h.has_date);
    assert_int_equal(h.date, 1408896818);
    assert_non_null(strstr(h.raw, "qmail 10876"));
    /* broken */
    h = hop("this line is broken and has no date");
    assert_false(h.parsed);
    assert_false(h.has_date);
    assert_string_equal(h.raw, "this line is broken and has no date");
    h = hop(";");
    assert_false(h.has_date);
    h = hop("");
    assert_false(h.parsed);
    /* no ';' before the date; fractions; no zone */
    h = hop("from smtp.github.com (out-8.smtp.github.com [192.30.252.199]) by ismtpd0003p1iad2.sendgrid.net "
            "(SG) with ESMTP id gDQRSEGgSqCsi9tFtF1Vtg Mon, 26 Mar 2018 13:35:36.102 +0000 (UTC)");
    assert_string_equal(h.id, "gDQRSEGgSqCsi9tFtF1Vtg");
    assert_int_equal(h.date, 1522071336);
    h = hop("from a (b [192.0.2.9]) by c with SMTP; Mon, 25 Apr 2016 08:00:04");
    assert_true(h.date_no_zone);
    assert_int_equal(h.date, 1461571204);
    /* keywords in any case, repeated ones joined */
    h = hop("by me by you with this with that with whatever; Mon, 26 Mar 2018 13:35:36 +0000");
    assert_string_equal(h.by_text, "me; you");
    assert_string_equal(h.with, "this; that; whatever");
    h = hop("From a.example (a.example [192.0.2.1]) By b.example With SMTP Id X1; 1 Jan 2020 00:00:00 +0000");
    assert_string_equal(h.by, "b.example");
    assert_string_equal(h.id, "X1");
    /* "from" inside a comment is no keyword */
    h = hop("by x.example (Postfix, from userid 0) id A; 1 Jan 2020 00:00:00 +0000");
    assert_string_equal(h.from_text, "");
    /* 100,000 nested parentheses: one scan, no crash */
    md_buf b = MD_BUF_INIT;
    md_buf_puts(&b, "from x ");
    for (int i = 0; i < 100000; i++)
        md_buf_putc(&b, '(');
    md_buf_puts(&b, " by y; 1 Jan 2020 00:00:00 +0000");
    h = hop(md_buf_cstr(&b));
    assert_true(h.has_date);
    md_buf_free(&b);
}

#define msg md_test_message_mem

/* file_msg: the message made of the first max-1 bytes of the file at path
 * and then tail; NULL when the file cannot be opened. */
static md_message *file_msg(const char *path, size_t max, const char *tail)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = malloc(max);
    assert_non_null(buf);
    size_t n = fread(buf, 1, max - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    md_buf v = MD_BUF_INIT;
    md_buf_puts(&v, buf);
    md_buf_puts(&v, tail);
    free(buf);
    md_message *m = msg(md_buf_cstr(&v));
    md_buf_free(&v);
    return m;
}

static void test_chain(void **state)
{
    (void)state;
    md_message *m = msg(
        "Received: from c.example (c.example [192.0.2.3]) by d.example; Sat, 23 Apr 2016 14:10:05 +0000\n"
        "Received: from b.example (b.example [192.0.2.2]) by c.example; Sat, 23 Apr 2016 14:10:03 +0000\n"
        "Received: (comment only); Sat, 23 Apr 2016 14:10:04 +0000\n"
        "Received: from a.example (a.example [192.0.2.1]) by b.example; Sat, 23 Apr 2016 16:10:00 +0200\n"
        "From: a@a.example\n\nbody\n");
    md_received rc;
    md_err e;
    assert_int_equal(md_received_chain(&rc, m, &e), MD_OK);
    assert_int_equal(rc.n, 4);
    assert_string_equal(rc.hop[0].ipstr, "192.0.2.1"); /* oldest first */
    assert_int_equal(rc.hop[0].index, 1);
    assert_false(rc.hop[0].has_delay);
    assert_int_equal(rc.hop[1].delay, 4);
    assert_false(rc.hop[1].parsed);
    assert_int_equal(rc.hop[2].delay, -1); /* clock skew */
    assert_int_equal(rc.hop[3].delay, 2);
    assert_true(rc.has_total);
    assert_int_equal(rc.total_delay, 5);
    md_received_free(&rc);
    md_received_free(&rc); /* safe twice */
    md_message_free(m);

    /* 1,000 Received lines: the newest MD_LIMIT_RECEIVED kept, flagged */
    md_buf b = MD_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        md_buf_printf(&b, "Received: from h%d.example ([192.0.2.%d]) by x; Sat, 23 Apr 2016 14:10:05 +0000\n",
                      i, i % 250 + 1);
    md_buf_puts(&b, "From: a@b.example\n\nbody\n");
    m = msg(md_buf_cstr(&b));
    assert_int_equal(md_received_chain(&rc, m, &e), MD_OK);
    assert_true(rc.truncated);
    assert_int_equal(rc.n, MD_LIMIT_RECEIVED);
    assert_int_equal(rc.total_headers, 1000);
    assert_string_equal(rc.hop[rc.n - 1].helo, "h0.example"); /* the newest is last */
    md_received_free(&rc);
    md_message_free(m);
    md_buf_free(&b);
}

static void test_classify(void **state)
{
    (void)state;
    md_config cfg;
    md_err e;
    assert_int_equal(md_config_load(&cfg, MD_FIXTURES "/maildossier.conf", &e), MD_OK);
    md_ip ip;
    const md_host *h = NULL;
    md_ip_parse(&ip, "141.89.68.7", 11);
    assert_int_equal(md_received_classify(&cfg, &ip, "ironout.rz.uni-potsdam.de", &h), MD_IPCLASS_OURS);
    assert_non_null(h);
    assert_string_equal(h->name, "ironout");
    md_ip_parse(&ip, "141.89.112.25", 13); /* in our network, no host section */
    assert_int_equal(md_received_classify(&cfg, &ip, NULL, &h), MD_IPCLASS_OURS);
    assert_null(h);
    md_ip_parse(&ip, "10.152.2.53", 11); /* private, but Microsoft's by name */
    assert_int_equal(md_received_classify(&cfg, &ip, "VE1EUR01FT012.eop-EUR01.prod.protection.outlook.com", NULL),
                     MD_IPCLASS_MICROSOFT);
    assert_int_equal(md_received_classify(&cfg, &ip, "exch01.example.org", NULL), MD_IPCLASS_PRIVATE);
    md_ip_parse(&ip, "40.92.66.10", 11);
    assert_int_equal(md_received_classify(&cfg, &ip, NULL, NULL), MD_IPCLASS_MICROSOFT);
    md_ip_parse(&ip, "2a01:111:f400:7e1b::1", 21);
    assert_int_equal(md_received_classify(&cfg, &ip, NULL, NULL), MD_IPCLASS_MICROSOFT);
    md_ip_parse(&ip, "fd00::1", 7);
    assert_int_equal(md_received_classify(&cfg, &ip, NULL, NULL), MD_IPCLASS_PRIVATE);
    md_ip_parse(&ip, "192.0.2.1", 9);
    assert_int_equal(md_received_classify(&cfg, &ip, NULL, NULL), MD_IPCLASS_OTHER);
    assert_int_equal(md_received_classify(NULL, NULL, NULL, NULL), MD_IPCLASS_NONE);
    assert_true(md_received_is_microsoft_name("mx3.hotmail.com."));
    assert_false(md_received_is_microsoft_name("nothotmail.com"));
    assert_string_equal(md_received_class_name(MD_IPCLASS_OURS), "ours");
    char d[64];
    assert_string_equal(md_received_delay_text(-40, d, sizeof d), "-40 s (clock skew)");
    assert_string_equal(md_received_delay_text(125, d, sizeof d), "2 min 5 s");
    assert_string_equal(md_received_delay_text(18613, d, sizeof d), "5 h 10 min");
}

/* The scenario chain: every IP of ours that Microsoft saw */
static void test_fixture_chain(void **state)
{
    (void)state;
    md_config cfg;
    md_err e;
    assert_int_equal(md_config_load(&cfg, MD_FIXTURES "/maildossier.conf", &e), MD_OK);
    md_message *m = file_msg(MD_FIXTURES "/messages/exchange-relayed-spam.eml", 16384, "");
    assert_non_null(m);
    md_received rc;
    assert_int_equal(md_received_chain(&rc, m, &e), MD_OK);
    assert_int_equal(rc.n, 6);
    int ours = 0, skew = 0;
    for (size_t i = 0; i < rc.n; i++) {
        if (rc.hop[i].has_ip && md_received_classify(&cfg, &rc.hop[i].ip, rc.hop[i].rdns, NULL) == MD_IPCLASS_OURS)
            ours++;
        if (rc.hop[i].has_delay && rc.hop[i].delay < 0)
            skew++;
        assert_false(strcmp(rc.hop[i].ipstr, "15.1.225.42") == 0);
    }
    assert_int_equal(ours, 3); /* Exchange's public address, cl-mail, ironout */
    assert_int_equal(skew, 1);
    assert_string_equal(rc.hop[0].id, "15.1.225.42");
    md_received_free(&rc);
    md_message_free(m);
}

/* Microsoft MHA's own expectations (corpus), by header file */
static void test_mha_corpus(void **state)
{
    (void)state;
    FILE *t = fopen(MD_SHARED "/corpus/microsoft-MHA/received-expectations.tsv", "r");
    md_assert_non_null(t);
    char line[4096];
    int checked = 0;
    assert_non_null(fgets(line, sizeof line, t)); /* the heading */
    while (fgets(line, sizeof line, t)) {
        char *f[14] = {0};
        int k = md_test_split_tabs(line, f, 14);
        if (k < 13 || !*f[3] || strstr(f[3], "chain-"))
            continue; /* chains are checked below through the message */
        char path[1024];
        snprintf(path, sizeof path, MD_SHARED "/corpus/microsoft-MHA/%s", f[3]);
        md_message *m = file_msg(path, 8192, "\nFrom: x@y.example\n\nb\n");
        if (!m)
            continue;
        md_received rc;
        md_err e;
        assert_int_equal(md_received_chain(&rc, m, &e), MD_OK);
        assert_int_equal(rc.n, 1);
        const md_hop *h = &rc.hop[0];
        long long want = atoll(f[12]);
        if (*f[12])
            assert_int_equal(h->date, want / 1000);
        else
            assert_false(h->has_date);
        if (*f[5] && !strchr(f[5], ';') && strstr(f[5], "qmail") == NULL)
            assert_string_equal(h->by_text, f[5]);
        if (*f[9])
            assert_string_equal(h->id, f[9]);
        if (*f[8])
            assert_string_equal(h->via, f[8]);
        checked++;
        md_received_free(&rc);
        md_message_free(m);
    }
    fclose(t);
    assert_true(checked >= 6);
    /* the two chains: hop count and delays as MHA reports them (seconds) */
    static const char *const chains[] = {"chain-nfcu-to-outlook.txt", "chain-github-sendgrid-to-outlook.txt"};
    static const size_t nhops[] = {4, 5};
    for (int c = 0; c < 2; c++) {
        char path[1024];
        snprintf(path, sizeof path, MD_SHARED "/corpus/microsoft-MHA/received/%s", chains[c]);
        md_message *m = file_msg(path, 16384, "\nFrom: x@y.example\n\nb\n");
        assert_non_null(m);
        md_received rc;
        md_err e;
        assert_int_equal(md_received_chain(&rc, m, &e), MD_OK);
        assert_int_equal(rc.n, nhops[c]);
        if (c == 0) {
            assert_int_equal(rc.hop[1].delay, 310 * 60 + 13); /* "310 minutes 13 seconds" */
            assert_string_equal(rc.hop[1].ipstr, "199.204.166.217");
            assert_string_equal(rc.hop[0].for_addr, "sgriffin@outlook.com");
        }
        md_received_free(&rc);
        md_message_free(m);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sendmail_postfix), cmocka_unit_test(test_exim_qmail_exchange),
        cmocka_unit_test(test_odd_lines),        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_classify),         cmocka_unit_test(test_fixture_chain),
    };
    const struct CMUnitTest corpus[] = {cmocka_unit_test(test_mha_corpus)};
    static const char *const need[] = {"microsoft-MHA/received-expectations.tsv",
                                       "microsoft-MHA/received", NULL};
    return MD_TEST_MAIN(tests, corpus, need, NULL, NULL);
}
