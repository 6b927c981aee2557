/* test_text.c: lib/base/text.c: UTF-8 validation and repair (overlongs,
 * surrogates, truncated sequences, NUL), printable/terminal masking, case
 * helpers, address normalisation and redaction with a keep list, on log
 * lines as sendmail, Postfix and Exim write them; the time formatter (local
 * zone with summer time, UTC, "%:z", its fallbacks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/err.h"
#include "base/text.h"

#define S(x) x, sizeof(x) - 1

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(md_text_utf8_valid(S("")));
    assert_true(md_text_utf8_valid(S("Universit\xC3\xA4t Potsdam")));           /* ä */
    assert_true(md_text_utf8_valid(S("\xE2\x82\xAC 5")));                        /* € */
    assert_true(md_text_utf8_valid(S("\xF0\x9F\x93\xA7 mail")));                 /* U+1F4E7 */
    assert_true(md_text_utf8_valid(S("\xF4\x8F\xBF\xBF")));                      /* U+10FFFF */
    assert_true(md_text_utf8_valid(S("\xED\x9F\xBF")));                          /* U+D7FF */
    /* overlong forms of '/' and of U+0000 */
    assert_false(md_text_utf8_valid(S("\xC0\xAF")));
    assert_false(md_text_utf8_valid(S("\xC1\xBF")));
    assert_false(md_text_utf8_valid(S("\xE0\x80\xAF")));
    assert_false(md_text_utf8_valid(S("\xF0\x80\x80\xAF")));
    assert_false(md_text_utf8_valid(S("\xC0\x80")));
    /* surrogates (CESU-8) */
    assert_false(md_text_utf8_valid(S("\xED\xA0\x80")));
    assert_false(md_text_utf8_valid(S("\xED\xBF\xBF")));
    /* beyond U+10FFFF, and bytes never valid */
    assert_false(md_text_utf8_valid(S("\xF4\x90\x80\x80")));
    assert_false(md_text_utf8_valid(S("\xF5\x80\x80\x80")));
    assert_false(md_text_utf8_valid(S("\xFF")));
    /* Latin-1 "Universität" and a truncated sequence at the end */
    assert_false(md_text_utf8_valid(S("Universit\xE4t")));
    assert_false(md_text_utf8_valid(S("abc\xC3")));
    assert_false(md_text_utf8_valid(S("abc\xE2\x82")));
    /* lone continuation byte */
    assert_false(md_text_utf8_valid(S("\x80")));
}

static void repair(const char *in, size_t n, const char *want, long want_bad)
{
    md_buf b = MD_BUF_INIT;
    long bad = md_text_utf8_repair(&b, in, n);
    assert_int_equal(bad, want_bad);
    assert_string_equal(md_buf_cstr(&b), want);
    assert_true(md_text_utf8_valid(b.data ? b.data : "", b.len));
    md_buf_free(&b);
}

static void test_utf8_repair(void **state)
{
    (void)state;
    repair(S("subject=Pr\xC3\xBC" "fung"), "subject=Pr\xC3\xBC" "fung", 0);
    repair(S("Universit\xE4t"), "Universit\xEF\xBF\xBDt", 1);
    /* each byte of an overlong or a surrogate is one replacement */
    repair(S("a\xC0\xAF" "b"), "a\xEF\xBF\xBD\xEF\xBF\xBD" "b", 2);
    repair(S("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3);
    /* truncated sequence at the very end */
    repair(S("ok\xE2\x82"), "ok\xEF\xBF\xBD\xEF\xBF\xBD", 2);
    /* NUL bytes are dropped, not replaced */
    repair("a\0b\0", 4, "ab", 0);
    repair(S(""), "", 0);
}

static void test_printable(void **state)
{
    (void)state;
    char dst[64];
    md_text_printable(dst, sizeof dst, S("bad\x01\x1b[31mline\xff"));
    assert_string_equal(dst, "bad\\x01\\x1B[31mline\\xFF");
    /* cut with "..." and never over the size */
    char small[12];
    md_text_printable(small, sizeof small, S("0123456789abcdef"));
    assert_true(strlen(small) < sizeof small);
    assert_non_null(strstr(small, "..."));
    assert_memory_equal(small, "01234", 5);
    char one[1];
    md_text_printable(one, sizeof one, S("x"));
    assert_string_equal(one, "");
}

/* a long text is cut with its length shown, never in an escape, never
 * over the size, at every size */
static void test_printable_cut(void **state)
{
    (void)state;
    static char big[5000], dst[MD_LIMIT_SHOW_ARG];
    memset(big, 'A', sizeof big);
    big[10] = '\x1b';
    md_text_printable(dst, sizeof dst, big, sizeof big);
    size_t l = strlen(dst);
    assert_true(l < sizeof dst);
    assert_true(l > sizeof dst / 2);
    assert_memory_equal(dst, "AAAAAAAAAA\\x1BAAA", 17);
    assert_string_equal(dst + l - 15, "...(5000 bytes)");
    assert_null(strchr(dst, '\x1b'));
    /* exactly fitting: no mark */
    char fit[5];
    md_text_printable(fit, sizeof fit, S("\x01"));
    assert_string_equal(fit, "\\x01");
    /* escapes are never cut in two */
    char mid[24];
    md_text_printable(mid, sizeof mid, S("\x01\x02\x03\x04\x05\x06\x07\x08"));
    assert_string_equal(mid, "\\x01\\x02\\x03\\x04\\x05...");
    for (size_t n = 0; n <= 64; n++) {
        char *d = test_malloc(n ? n : 1);
        md_text_printable(d, n, big, sizeof big);
        if (n) {
            assert_true(strlen(d) < n);
            assert_true(n < 4 || strstr(d, "...") != NULL);
        }
        test_free(d);
    }
}

static void test_terminal(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    /* ESC sequences and C1 controls are masked; valid UTF-8 and TAB kept; bad bytes -> U+FFFD */
    md_text_terminal(&b, S("\x1b]0;owned\x07 Gr\xC3\xBC\xC3\x9F" "e\t\xC2\x9B" "2J\xE4"));
    const char *o = md_buf_cstr(&b);
    assert_null(strchr(o, '\x1b'));
    assert_null(strchr(o, '\x07'));
    assert_non_null(strstr(o, "\\x1B]0;owned\\x07"));
    assert_non_null(strstr(o, "Gr\xC3\xBC\xC3\x9F" "e\t"));
    assert_non_null(strstr(o, "\\u009B2J"));
    assert_non_null(strstr(o, "\xEF\xBF\xBD"));
    assert_true(md_text_utf8_valid(b.data, b.len));
    /* the whole output, exactly; DEL and a NUL inside an ASCII run */
    assert_string_equal(o, "\\x1B]0;owned\\x07 Gr\xC3\xBC\xC3\x9F" "e\t\\u009B2J\xEF\xBF\xBD");
    md_buf_reset(&b);
    md_text_terminal(&b, "ab\x7f" "cd\0ef", 8);
    assert_string_equal(md_buf_cstr(&b), "ab\\x7Fcd\\x00ef");
    md_buf_free(&b);
}

/* the first match of needle in hay[0..n) the slow way */
static const char *casestr_ref(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (md_text_ncasecmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

/* md_text_casestr against the slow way: haystacks of a few letters in both
 * cases, dots and spaces (found by the first letter, by a dot, by either
 * case only), every length */
static void test_casestr_scan(void **state)
{
    (void)state;
    static const char *const needles[] = {"ab", "Ba.", "a.b", "AAB", "b b", ".", "a", "ba.a",
                                          "xyz", "aB.bA"};
    static const char alpha[] = "aAbB. ";
    char hay[64];
    unsigned seed = 7;
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)(round % 40);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            hay[i] = alpha[(seed >> 16) % 6];
        }
        hay[n] = '\0';
        for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++)
            for (size_t len = 0; len <= n; len += 1 + n / 3)
                assert_ptr_equal(md_text_casestr(hay, len, needles[k]),
                                 casestr_ref(hay, len, needles[k]));
    }
    /* many candidates of one case only, none of the other */
    memset(hay, 'B', sizeof hay - 1);
    hay[sizeof hay - 1] = '\0';
    assert_null(md_text_casestr(hay, sizeof hay - 1, "bc"));
    hay[40] = 'c';
    assert_ptr_equal(md_text_casestr(hay, sizeof hay - 1, "bC"), hay + 39);
}

static void test_case_helpers(void **state)
{
    (void)state;
    assert_int_equal(md_text_casecmp("HOTMAIL.com", "hotmail.COM"), 0);
    assert_true(md_text_casecmp("a", "b") < 0);
    assert_true(md_text_casecmp("abc", "ab") > 0);
    assert_int_equal(md_text_ncasecmp("Queued MAIL", "queued mail for", 11), 0);
    const char *hay = "250 2.6.0 <x@y> [InternalId=1] Queued Mail For Delivery";
    const char *f = md_text_casestr(hay, strlen(hay), "queued mail for delivery");
    assert_ptr_equal(f, strstr(hay, "Queued"));
    assert_null(md_text_casestr(hay, 10, "queued"));
    assert_ptr_equal(md_text_casestr(hay, strlen(hay), ""), hay);
    /* the needle must lie within n bytes */
    assert_null(md_text_casestr("abcdef", 5, "ef"));
    /* ASCII letters only fold: not '@' / '`', '[' / '{', nor bytes >= 0x80 */
    assert_true(md_text_casecmp("@", "`") != 0);
    assert_true(md_text_casecmp("[", "{") != 0);
    assert_true(md_text_ncasecmp("\xc3\x84", "\xc3\xa4", 2) != 0);
    assert_int_equal(md_text_casecmp("AZaz", "azAZ"), 0);
    assert_non_null(md_text_casestr("x MICROSOFT y", 13, "microsoft"));
    assert_null(md_text_casestr("x MICR\xc3\x96SOFT y", 14, "micr\xc3\xb6soft"));
    char s[] = "JDoe@Uni-Potsdam.DE";
    md_text_lower(s);
    assert_string_equal(s, "jdoe@uni-potsdam.de");
}

static void test_addr_norm(void **state)
{
    (void)state;
    char a[MD_LIMIT_ADDR];
    assert_int_equal(md_text_addr_norm(a, sizeof a, S(" <JDoe@Outlook.DE> ")), MD_OK);
    assert_string_equal(a, "jdoe@outlook.de");
    assert_int_equal(md_text_addr_norm(a, sizeof a, S("jdoe@outlook.de")), MD_OK);
    assert_string_equal(a, "jdoe@outlook.de");
    assert_int_equal(md_text_addr_norm(a, sizeof a, S("<>")), MD_OK);
    assert_string_equal(a, "");
    assert_int_equal(md_text_addr_norm(a, sizeof a, S("<<Postmaster@Uni-Potsdam.de>>")), MD_OK);
    assert_string_equal(a, "postmaster@uni-potsdam.de");
    /* does not fit: cut copy and MD_ERR_LIMIT */
    char small[8];
    assert_int_equal(md_text_addr_norm(small, sizeof small, S("<abcdefghij@x.de>")), MD_ERR_LIMIT);
    assert_string_equal(small, "abcdefg");
    assert_int_equal(md_text_addr_norm(small, 0, S("a@b")), MD_ERR_LIMIT);
    assert_string_equal(md_text_addr_domain("jdoe@outlook.de"), "outlook.de");
    assert_string_equal(md_text_addr_domain("\"a@b\"@c.de"), "c.de");
    assert_string_equal(md_text_addr_domain("root"), "");
}

static void test_redact_addr(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    md_text_redact_addr(&b, "jdoe@outlook.de");
    assert_string_equal(md_buf_cstr(&b), "*snip*@outlook.de");
    md_buf_reset(&b);
    md_text_redact_addr(&b, "root");
    assert_string_equal(md_buf_cstr(&b), "*snip*");
    md_buf_free(&b);
}

static void redact(const char *line, const char *const *keep, const char *want)
{
    md_buf b = MD_BUF_INIT;
    assert_int_equal(md_text_redact_line(&b, line, strlen(line), keep), MD_OK);
    assert_string_equal(md_buf_cstr(&b), want);
    md_buf_free(&b);
}

static void test_redact_line(void **state)
{
    (void)state;
    /* sendmail (scenario) */
    redact("u3JDv8Jb005383: to=<jdoe@outlook.de>, delay=00:00:03, mailer=esmtp, stat=Sent",
           NULL, "u3JDv8Jb005383: to=<*snip*@outlook.de>, delay=00:00:03, mailer=esmtp, stat=Sent");
    /* Postfix: two addresses, the keep list holds our postmaster */
    static const char *const keep[] = {"postmaster@uni-potsdam.de", NULL};
    redact("4QFz3B2Lm1z9vG8: to=<Jane.Doe+news@hotmail.com>, orig_to=<Postmaster@Uni-Potsdam.de>, "
           "relay=local, status=sent (forwarded as 4QFz3C0abcz9vGB)",
           keep,
           "4QFz3B2Lm1z9vG8: to=<*snip*@hotmail.com>, orig_to=<Postmaster@Uni-Potsdam.de>, "
           "relay=local, status=sent (forwarded as 4QFz3C0abcz9vGB)");
    /* Exim, bare addresses, sentence end dot */
    redact("1tGxyz-000abc-12 => jane@hotmail.com <jdoe@uni-potsdam.de> R=dnslookup T=remote_smtp",
           NULL, "1tGxyz-000abc-12 => *snip*@hotmail.com <*snip*@uni-potsdam.de> R=dnslookup "
                 "T=remote_smtp");
    redact("mail for root@localhost.", NULL, "mail for *snip*@localhost.");
    /* already redacted text stays as it is; lone @ and @domain untouched */
    redact("from=<*snip*@amazon.de> via @home and a@ b", NULL,
           "from=<*snip*@amazon.de> via @home and a@ b");
    redact("", NULL, "");
    /* sendmail writes unbracketed addresses too: the key stays */
    redact("to=jdoe@outlook.de, ctladdr=jdoe@uni-potsdam.de (1001/100)", NULL,
           "to=*snip*@outlook.de, ctladdr=*snip*@uni-potsdam.de (1001/100)");
    /* SRS and BATV local parts hold '=': nothing of the user is left */
    redact("from=<SRS0=abcd=XY=hotmail.com=jane@fwd.example>", NULL, "from=<*snip*@fwd.example>");
    redact("from=<prvs=0123abcd=jdoe@uni-potsdam.de>", NULL, "from=<prvs=*snip*@uni-potsdam.de>");
}

static void copy_trim(const char *s, size_t len, size_t n, const char *want)
{
    char dst[64];
    assert_true(n <= sizeof dst);
    memset(dst, 'Z', sizeof dst);
    md_text_copy_trim(dst, n, s, len);
    assert_string_equal(dst, want);
}

/* md_text_utf8_valid goes 8 ASCII bytes at a time: a bad byte or a
 * sequence at any place of a long ASCII run is still seen */
static void test_utf8_valid_runs(void **state)
{
    (void)state;
    char s[40];
    for (size_t at = 0; at < 30; at++) {
        memset(s, 'a', sizeof s);
        s[at] = (char)0xFF;
        assert_false(md_text_utf8_valid(s, sizeof s));
        assert_true(md_text_utf8_valid(s, at));
        memset(s, 'a', sizeof s);
        s[at] = (char)0xC3; /* a two-byte sequence, cut by the end or whole */
        s[at + 1] = (char)0xBC;
        assert_true(md_text_utf8_valid(s, sizeof s));
        assert_false(md_text_utf8_valid(s, at + 1));
        s[at + 1] = 'a'; /* no continuation byte */
        assert_false(md_text_utf8_valid(s, sizeof s));
    }
}

/* md_text_copy: as snprintf(dst, n, "%s", s) */
static void test_copy(void **state)
{
    (void)state;
    static const char *const src[] = {"", "a", "abcde", "abcdefghijkl", "M\xC3\xBCller"};
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++)
        for (size_t n = 1; n < 10; n++) {
            char a[16], b[16];
            memset(a, 'Z', sizeof a);
            memset(b, 'Z', sizeof b);
            md_text_copy(a, n, src[i]);
            snprintf(b, n, "%s", src[i]);
            assert_string_equal(a, b);
            assert_int_equal(a[n], 'Z'); /* nothing written past n */
        }
    char dst[2] = {'Z', 'Z'};
    md_text_copy(dst, 0, "abc");
    assert_memory_equal(dst, "ZZ", 2);
}

static void test_copy_trim(void **state)
{
    (void)state;
    /* a header value of a JMRP report: blanks and CRLF around it go */
    const char *v = " \t abuse\r\n";
    copy_trim(v, strlen(v), 64, "abuse");
    copy_trim("  a b  ", 7, 64, "a b"); /* inner blanks stay */
    copy_trim(" \v\f\r\n\t ", 6, 64, "");
    copy_trim("", 0, 64, "");
    /* only len bytes are read: the rest of the string does not count */
    copy_trim("  141.89.68.7  trailing", 14, 64, "141.89.68.7");
    /* cut to n-1 bytes */
    copy_trim("abcdefgh", 8, 6, "abcde");
    copy_trim("abc", 3, 1, "");
    /* a cut inside a character goes back to the character before:
     * "M\xC3\xBCller" (M, u-umlaut, ...) into 3 bytes keeps only "M" */
    copy_trim("M\xC3\xBCller", 7, 3, "M");
    copy_trim("M\xC3\xBCller", 7, 4, "M\xC3\xBC");
    /* invalid UTF-8 is cut back until the rest is valid */
    copy_trim("a\xFF" "b", 3, 64, "a");
    /* ... also past 8 ASCII bytes (the fast check goes 8 at a time), and
     * with the bad byte in the last word or in the tail */
    copy_trim("abcdefghij\xFFk", 12, 64, "abcdefghij");
    copy_trim("abcdefg\xFF" "abcdefgh", 16, 64, "abcdefg");
    copy_trim("abcdefghabcdefghabc", 19, 64, "abcdefghabcdefghabc");
    copy_trim("abcdefgh\xC3\xBC", 10, 64, "abcdefgh\xC3\xBC");
    /* no-break space (U+00A0) is not ASCII white space: kept */
    copy_trim("\xC2\xA0x ", 4, 64, "\xC2\xA0x");
    /* n == 0 writes nothing */
    char dst[4] = {'Z', 'Z', 'Z', 'Z'};
    md_text_copy_trim(dst, 0, "abc", 3);
    assert_memory_equal(dst, "ZZZZ", 4);
    md_text_copy_utf8(dst, 0, "abc", 3);
    assert_memory_equal(dst, "ZZZZ", 4);
    /* md_text_copy_utf8 keeps the blanks, cuts and repairs the same way */
    char u[8];
    md_text_copy_utf8(u, sizeof u, " a ", 3);
    assert_string_equal(u, " a ");
    md_text_copy_utf8(u, 4, "ab\xC3\xBC", 4);
    assert_string_equal(u, "ab");
    md_text_copy_utf8(u, sizeof u, "a\xFF", 2);
    assert_string_equal(u, "a");
}

/* the one time formatter: the site's zone (summer time included), UTC,
 * "%:z", and `none` for 0, an empty result and one too long */
static void test_time(void **state)
{
    (void)state;
    char b[64];
    const char *tz = getenv("TZ");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", tz ? tz : "");
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    int64_t t = 1461420385; /* 2016-04-23 14:06:25 UTC */
    assert_string_equal(md_text_time(b, sizeof b, t, "%Y-%m-%d %H:%M:%S %z", "-"),
                        "2016-04-23 16:06:25 +0200");
    assert_string_equal(md_text_time(b, sizeof b, t, "%Y-%m-%dT%H:%M:%S%:z", "-"),
                        "2016-04-23T16:06:25+02:00");
    assert_string_equal(md_text_time(b, sizeof b, 1453557600, "%Y-%m-%dT%H:%M%:z", "-"),
                        "2016-01-23T15:00+01:00");
    assert_string_equal(md_text_time(b, sizeof b, t, "%%:z %:z%%", "-"), "%:z +02:00%");
    assert_string_equal(md_text_time_utc(b, sizeof b, t, "%Y-%m-%d %H:%M:%S", "-"),
                        "2016-04-23 14:06:25");
    assert_string_equal(md_text_time_utc(b, sizeof b, t, "%a, %d %b %Y %H:%M:%S +0000", "-"),
                        "Sat, 23 Apr 2016 14:06:25 +0000");
    assert_string_equal(md_text_time_utc(b, sizeof b, t, "%b %e %H:%M:%S", "-"),
                        "Apr 23 14:06:25");
    setenv("TZ", "America/New_York", 1);
    tzset();
    assert_string_equal(md_text_time(b, sizeof b, t, "%H:%M%:z", "-"), "10:06-04:00");
    assert_string_equal(md_text_time(b, sizeof b, 0, "%Y", "none"), "none");
    assert_string_equal(md_text_time_utc(b, sizeof b, 0, "%Y", "1970-01-01"), "1970-01-01");
    assert_string_equal(md_text_time(b, sizeof b, t, "", "empty"), "empty");
    assert_string_equal(md_text_time(b, 5, t, "%Y-%m-%d", "?"), "?");
    if (*saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_printable),
        cmocka_unit_test(test_printable_cut),
        cmocka_unit_test(test_terminal),
        cmocka_unit_test(test_case_helpers),
        cmocka_unit_test(test_casestr_scan),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_utf8_valid_runs),
        cmocka_unit_test(test_addr_norm),
        cmocka_unit_test(test_redact_addr),
        cmocka_unit_test(test_redact_line),
        cmocka_unit_test(test_copy_trim),
        cmocka_unit_test(test_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
