/* test_rulecsv.c: lib/parse/rulecsv.c: header row in any order (extra columns
 * ignored), no header (default order), RFC 4180 quoting ("" and a quoted
 * field over two lines, with the record's first line reported), CRLF,
 * keeps_copy spellings, bad rows warned with their line and skipped, an
 * unterminated quote; writing and reading back gives the same rules; the
 * scenario's CommuniGate export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "base/input.h"
#include "parse/rulecsv.h"

static int nwarn;
static uint64_t warn_lines[16];
static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)arg, (void)file, (void)msg;
    if (nwarn < 16)
        warn_lines[nwarn] = line;
    nwarn++;
}

static void parse(const char *s, md_rule_list *l)
{
    md_err e = {0, ""};
    nwarn = 0;
    assert_int_equal(md_rulecsv_parse(s, strlen(s), "rules.csv", on_warn, NULL, l, &e), 0);
}

static void t_header_any_order(void **state)
{
    (void)state;
    md_rule_list l = {0};
    parse("Source,Keeps_Copy,extra,Target,Address\r\n"
          "\"mailup: \"\"Weiterleitung\"\", all\",no,zzz,Anna.Schmidt@Hotmail.de,anna.schmidt@uni-potsdam.de\r\n"
          "\"two\nlines\",yes,,s.koch@gmx.de,s.koch@uni-potsdam.de\r\n"
          "x,TRUE,,|/usr/bin/procmail,p@uni-potsdam.de\r\n",
          &l);
    assert_int_equal(nwarn, 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0].address, "anna.schmidt@uni-potsdam.de");
    assert_string_equal(l.v[0].target, "anna.schmidt@hotmail.de");
    assert_string_equal(l.v[0].note, "mailup: \"Weiterleitung\", all");
    assert_int_equal(l.v[0].keeps_copy, 0);
    assert_int_equal(l.v[0].line, 2);
    assert_int_equal(l.v[0].kind, MD_RK_CSV);
    assert_int_equal(l.v[1].keeps_copy, 1);
    assert_int_equal(l.v[1].line, 3);
    assert_int_equal(l.v[2].line, 5); /* the quoted field took two lines */
    assert_int_equal(l.v[2].ttype, MD_TGT_PROGRAM);
    md_rules_list_free(&l);
}

static void t_no_header_and_bad_rows(void **state)
{
    (void)state;
    md_rule_list l = {0};
    parse("a@x.example,b@hotmail.com,1\n"
          "a@x.example,c@y.example,maybe\n"   /* 2: bad keeps_copy */
          ",c@y.example,1\n"                  /* 3: no address */
          "a@x.example,not an address,0\n"    /* 4: bad target */
          "\n"
          "d@x.example,e@y.example\n"         /* 6: keeps_copy missing: 0 */
          "f@x.example,\"unterminated,1\n",   /* 7 */
          &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[0].keeps_copy, 1);
    assert_string_equal(l.v[1].address, "d@x.example");
    assert_int_equal(l.v[1].keeps_copy, 0);
    assert_int_equal(nwarn, 4);
    assert_int_equal(warn_lines[0], 2);
    assert_int_equal(warn_lines[1], 3);
    assert_int_equal(warn_lines[2], 4);
    assert_int_equal(warn_lines[3], 7);
    md_rules_list_free(&l);
}

static void t_roundtrip(void **state)
{
    (void)state;
    md_rule_list l = {0}, back = {0};
    parse("address,target,keeps_copy,source\n"
          "a@x.example,b@hotmail.com,1,\"comma, and \"\"quotes\"\"\"\n"
          "c@x.example,/var/mail/c,0,\" lead\"\n",
          &l);
    assert_int_equal(l.n, 2);
    md_buf out = MD_BUF_INIT;
    assert_int_equal(md_rulecsv_write(&out, l.v, l.n), 0);
    md_err e = {0, ""};
    assert_int_equal(md_rulecsv_parse(out.data, out.len, "back.csv", on_warn, NULL, &back, &e), 0);
    assert_int_equal(back.n, l.n);
    for (size_t i = 0; i < l.n; i++) {
        assert_string_equal(back.v[i].address, l.v[i].address);
        assert_string_equal(back.v[i].target, l.v[i].target);
        assert_string_equal(back.v[i].note, l.v[i].note);
        assert_int_equal(back.v[i].keeps_copy, l.v[i].keeps_copy);
        assert_int_equal(back.v[i].ttype, l.v[i].ttype);
    }
    md_buf_free(&out);
    md_rules_list_free(&l);
    md_rules_list_free(&back);
}

static void t_fixture(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    md_input *in = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_input_open(&in, MD_FIXTURES "/rules/mailup-rules.csv", &e), 0);
    assert_int_equal(md_input_slurp(in, &b, 1 << 20, &e), 0);
    md_input_close(in);
    md_rule_list l = {0};
    parse(md_buf_cstr(&b), &l);
    assert_int_equal(nwarn, 0);
    int anna = 0;
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.v[i].address, "anna.schmidt@uni-potsdam.de") == 0) {
            assert_string_equal(l.v[i].target, "anna.schmidt@hotmail.de");
            assert_int_equal(l.v[i].keeps_copy, 0);
            anna++;
        }
    assert_int_equal(anna, 1);
    md_rules_list_free(&l);
    md_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_header_any_order), cmocka_unit_test(t_no_header_and_bad_rows),
        cmocka_unit_test(t_roundtrip), cmocka_unit_test(t_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
