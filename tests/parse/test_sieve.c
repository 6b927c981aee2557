/* test_sieve.c: lib/parse/sieve.c: the lexer (quoted and text: strings with
 * dot-stuffing, comments, numbers with K/M/G), the grammar (blocks,
 * if/elsif/else, test lists, nesting limit), the checks (unknown commands,
 * misplaced elsif, missing semicolon, invalid redirect addresses: file
 * lines), the actions with their conditions, :copy and keeps-copy on the
 * path, implicit keep; md_sieve_to_rules; and Pigeonhole's scripts from
 * ../shared/corpus/pigeonhole (the corpus group, skipped when absent): all parse but the two
 * that must fail, and out-address.sieve fails exactly on the lines its
 * comments mark "# Error". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/input.h"
#include "parse/sieve.h"
#include "testutil.h"

static int parse(const char *s, md_sieve_result *r)
{
    md_err e = {0, ""};
    memset(r, 0, sizeof *r);
    return md_sieve_parse(s, strlen(s), r, &e);
}

static const md_sieve_action *nth(const md_sieve_result *r, md_sieve_act t, int k)
{
    for (size_t i = 0; i < r->nactions; i++)
        if (r->actions[i].type == t && k-- == 0)
            return &r->actions[i];
    return NULL;
}

static int has_error_line(const md_sieve_result *r, uint64_t line)
{
    for (size_t i = 0; i < r->nerrors && i < MD_SIEVE_MAX_ERRORS; i++)
        if (r->errors[i].line == line)
            return 1;
    return 0;
}

static void t_plain_redirect(void **state)
{
    (void)state;
    md_sieve_result r;
    assert_int_equal(parse("redirect \"Anna.Schmidt@Hotmail.de\";\n", &r), 0);
    const md_sieve_action *a = nth(&r, MD_SV_REDIRECT, 0);
    assert_non_null(a);
    assert_string_equal(a->arg, "anna.schmidt@hotmail.de");
    assert_int_equal(a->copy, 0);
    assert_int_equal(a->keeps_copy, 0);
    assert_int_equal(a->conditional, 0);
    assert_int_equal(r.implicit_keep, 0);
    md_sieve_result_free(&r);
}

static void t_copy_and_keep(void **state)
{
    (void)state;
    md_sieve_result r;
    assert_int_equal(parse("require \"copy\";\nredirect :copy \"a@outlook.com\";\n", &r), 0);
    assert_int_equal(nth(&r, MD_SV_REDIRECT, 0)->copy, 1);
    assert_int_equal(nth(&r, MD_SV_REDIRECT, 0)->keeps_copy, 1);
    assert_int_equal(r.implicit_keep, 1);
    md_sieve_result_free(&r);
    /* keep after the redirect on the same path */
    assert_int_equal(parse("redirect \"a@b.example\";\nkeep;\n", &r), 0);
    assert_int_equal(nth(&r, MD_SV_REDIRECT, 0)->keeps_copy, 1);
    md_sieve_result_free(&r);
    /* stop before the keep: no copy */
    assert_int_equal(parse("if true { redirect \"a@b.example\"; stop; }\nkeep;\n", &r), 0);
    assert_int_equal(nth(&r, MD_SV_REDIRECT, 0)->keeps_copy, 0);
    md_sieve_result_free(&r);
    /* keep in an enclosing block, before the if */
    assert_int_equal(parse("require \"fileinto\";\nfileinto \"Archiv\";\n"
                           "if size :over 10K { redirect \"a@b.example\"; }\n", &r), 0);
    assert_int_equal(nth(&r, MD_SV_REDIRECT, 0)->keeps_copy, 1);
    md_sieve_result_free(&r);
    /* keep in a sibling branch does not count */
    assert_int_equal(parse("if true { redirect \"a@b.example\"; } else { keep; }\n", &r), 0);
    assert_int_equal(nth(&r, MD_SV_REDIRECT, 0)->keeps_copy, 0);
    md_sieve_result_free(&r);
}

static void t_conditions(void **state)
{
    (void)state;
    md_sieve_result r;
    const char *s =
        "require [\"envelope\", \"fileinto\"];\n"
        "if header :contains \"subject\" \"[SPAM]\" {\n"
        "  discard;\n"
        "} elsif anyof (address :domain :is \"from\" \"uni-potsdam.de\", not exists \"list-id\") {\n"
        "  redirect \"m.becker@hotmail.com\";\n"
        "} else {\n"
        "  fileinto \"INBOX.rest\";\n"
        "}\n";
    assert_int_equal(parse(s, &r), 0);
    const md_sieve_action *a = nth(&r, MD_SV_REDIRECT, 0);
    assert_non_null(a);
    assert_int_equal(a->line, 5);
    assert_int_equal(a->conditional, 1);
    /* the passed-over branch negated, then the elsif's test */
    assert_non_null(strstr(a->condition, "not (header :contains \"subject\" \"[SPAM]\")"));
    assert_non_null(strstr(a->condition, "anyof (address :domain :is \"from\" \"uni-potsdam.de\""));
    assert_non_null(strstr(a->condition, "not exists \"list-id\""));
    const md_sieve_action *f = nth(&r, MD_SV_FILEINTO, 0);
    assert_non_null(f);
    assert_string_equal(f->arg, "INBOX.rest");
    assert_non_null(strstr(f->condition, "not (anyof"));
    assert_int_equal(r.implicit_keep, 1); /* everything is conditional */
    md_sieve_result_free(&r);
}

static void t_lexer(void **state)
{
    (void)state;
    md_sieve_result r;
    /* text: with dot-stuffing and a '.' line inside, bracket and hash comments,
     * escaped quotes, numbers with units */
    const char *s =
        "require [\"vacation\", \"copy\"]; # comment\n"
        "/* a comment\n   over lines */\n"
        "vacation :days 7 :subject \"Away \\\"now\\\"\" text:\n"
        "I am away.\n"
        "..\n"
        "...and back on Monday.\n"
        ".\n"
        ";\n"
        "if size :over 2M { redirect :copy \"x@example.org\"; }\n";
    assert_int_equal(parse(s, &r), 0);
    const md_sieve_action *a = nth(&r, MD_SV_REDIRECT, 0);
    assert_non_null(a);
    assert_int_equal(a->line, 10);
    assert_string_equal(a->condition, "size :over 2M");
    md_sieve_result_free(&r);
    /* unterminated text: and string: errors, no crash */
    assert_int_equal(parse("vacation text:\nno end\n", &r), MD_ERR_PARSE);
    md_sieve_result_free(&r);
    assert_int_equal(parse("redirect \"abc", &r), MD_ERR_PARSE);
    assert_true(r.nerrors >= 1);
    md_sieve_result_free(&r);
    assert_int_equal(parse("/* open comment", &r), MD_ERR_PARSE);
    md_sieve_result_free(&r);
}

static void t_errors(void **state)
{
    (void)state;
    md_sieve_result r;
    const char *s =
        "keep\n"                          /* 1: ';' missing: the next command becomes a test */
        "redirect \"a@b.example\";\n"     /* 2 */
        "frobnicate;\n"                   /* 3: unknown */
        "elsif true { keep; }\n"          /* 4: elsif without if */
        "redirect \"not an address\";\n"  /* 5: bad address */
        "if true keep;\n"                 /* 6: no block */
        "redirect \"ok@example.org\";\n"; /* 7: fine */
    assert_int_equal(parse(s, &r), MD_ERR_PARSE);
    assert_true(has_error_line(&r, 1));
    assert_true(has_error_line(&r, 3));
    assert_true(has_error_line(&r, 4));
    assert_true(has_error_line(&r, 5));
    assert_true(has_error_line(&r, 6));
    assert_false(has_error_line(&r, 7));
    /* the good redirect after the errors is still found; the bad one is not */
    const md_sieve_action *a = nth(&r, MD_SV_REDIRECT, 0);
    assert_non_null(a);
    assert_string_equal(a->arg, "ok@example.org");
    assert_null(nth(&r, MD_SV_REDIRECT, 1));
    md_sieve_result_free(&r);
}

static void t_require(void **state)
{
    (void)state;
    md_sieve_result r;
    /* extensions used without require: errors on their lines (RFC 5228 3.2) */
    assert_int_equal(parse("fileinto \"x\";\n"
                           "redirect :copy \"a@b.example\";\n"
                           "if envelope :is \"from\" \"a@b.example\" { keep; }\n"
                           "if header :regex \"subject\" \"^x\" { keep; }\n", &r), MD_ERR_PARSE);
    assert_int_equal(r.nerrors, 4);
    for (uint64_t l = 1; l <= 4; l++)
        assert_true(has_error_line(&r, l));
    md_sieve_result_free(&r);
    assert_int_equal(parse("require [\"fileinto\", \"copy\", \"envelope\", \"regex\"];\n"
                           "fileinto \"x\";\n"
                           "redirect :copy \"a@b.example\";\n"
                           "if envelope :is \"from\" \"a@b.example\" { keep; }\n"
                           "if header :regex \"subject\" \"^x\" { keep; }\n", &r), 0);
    md_sieve_result_free(&r);
}

static void t_depth(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    for (int i = 0; i < 200; i++)
        md_buf_puts(&b, "if true {");
    md_buf_puts(&b, "redirect \"a@b.example\";");
    for (int i = 0; i < 200; i++)
        md_buf_puts(&b, "}");
    md_sieve_result r;
    assert_int_equal(parse(md_buf_cstr(&b), &r), MD_ERR_PARSE);
    md_sieve_result_free(&r);
    md_buf_reset(&b);
    for (int i = 0; i < 200; i++)
        md_buf_puts(&b, "not ");
    md_buf_puts(&b, "true");
    char *t = md_buf_detach(&b);
    md_buf_printf(&b, "if %s { keep; }", t);
    free(t);
    assert_int_equal(parse(md_buf_cstr(&b), &r), MD_ERR_PARSE);
    md_sieve_result_free(&r);
    md_buf_free(&b);
}

static void t_addresses(void **state)
{
    (void)state;
    char n[256];
    assert_true(md_sieve_address_valid(" Stephan Bosch < stephan @ example.org > ", 41, n, sizeof n));
    assert_string_equal(n, "stephan@example.org");
    assert_true(md_sieve_address_valid("\"Stephan Bosch\"@example.org", 27, n, sizeof n));
    assert_true(md_sieve_address_valid("..a..b..@example.org", 20, NULL, 0));
    assert_false(md_sieve_address_valid("a@b.example,c@d.example", 23, NULL, 0));
    assert_false(md_sieve_address_valid("r\xc3\xbc" "diger@example.com", 18, NULL, 0));
    assert_false(md_sieve_address_valid("<>", 2, NULL, 0));
    assert_false(md_sieve_address_valid("a@", 2, NULL, 0));
    assert_false(md_sieve_address_valid("a@b..c", 6, NULL, 0));
}

static void t_to_rules(void **state)
{
    (void)state;
    md_sieve_result r;
    assert_int_equal(parse("if header :is \"x-a\" \"1\" {\n redirect \"a@outlook.com\";\n}\n"
                           "require \"copy\"; redirect :copy \"b@gmx.de\";\n", &r), 0);
    md_rule_list l = {0};
    assert_int_equal(md_sieve_to_rules(&r, "t.wolf@uni-potsdam.de", "x.sieve", &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].address, "t.wolf@uni-potsdam.de");
    assert_string_equal(l.v[0].target, "a@outlook.com");
    assert_int_equal(l.v[0].line, 2);
    assert_string_equal(l.v[0].condition, "header :is \"x-a\" \"1\"");
    assert_int_equal(l.v[0].keeps_copy, 0);
    assert_int_equal(l.v[1].keeps_copy, 1);
    assert_string_equal(l.v[1].condition, "");
    md_rules_list_free(&l);
    md_sieve_result_free(&r);
}

/* ---- corpus --------------------------------------------------------------- */

static int read_all(const char *path, md_buf *b)
{
    md_input *in = NULL;
    md_err e = {0, ""};
    int rc = md_input_open(&in, path, &e);
    if (rc == 0)
        rc = md_input_slurp(in, b, 1 << 22, &e);
    md_input_close(in);
    return rc;
}

static int walk_dir(const char *dir, int *parsed, int *failed, char failed_names[][256])
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        size_t l = strlen(de->d_name);
        if (l > 6 && strcmp(de->d_name + l - 6, ".sieve") == 0) {
            md_buf b = MD_BUF_INIT;
            assert_int_equal(read_all(p, &b), 0);
            md_sieve_result r;
            memset(&r, 0, sizeof r);
            md_err e = {0, ""};
            int rc = md_sieve_parse(md_buf_cstr(&b), b.len, &r, &e);
            if (rc == 0)
                (*parsed)++;
            else {
                snprintf(failed_names[*failed < 8 ? *failed : 7], 256, "%s", de->d_name);
                (*failed)++;
            }
            md_sieve_result_free(&r);
            md_buf_free(&b);
        } else
            walk_dir(p, parsed, failed, failed_names);
    }
    closedir(d);
    return 0;
}

static void t_corpus(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/corpus/pigeonhole", MD_SHARED);
    int parsed = 0, failed = 0;
    char names[8][256];
    assert_int_equal(walk_dir(dir, &parsed, &failed, names), 0);
    print_message("pigeonhole: %d scripts parse, %d fail\n", parsed, failed);
    assert_int_equal(failed, 2);
    assert_true(parsed >= 16);
    for (int i = 0; i < failed; i++)
        assert_true(strcmp(names[i], "out-address.sieve") == 0 ||
                    strcmp(names[i], "commands-semicolon.sieve") == 0);

    /* out-address.sieve: errors exactly on the lines marked "# Error" */
    char p[1100];
    snprintf(p, sizeof p, "%s/tests/compile/errors/out-address.sieve", dir);
    md_buf b = MD_BUF_INIT;
    assert_int_equal(read_all(p, &b), 0);
    md_sieve_result r;
    memset(&r, 0, sizeof r);
    md_err e = {0, ""};
    assert_int_equal(md_sieve_parse(md_buf_cstr(&b), b.len, &r, &e), MD_ERR_PARSE);
    for (uint64_t l = 5; l <= 18; l++)
        assert_true(has_error_line(&r, l));
    assert_true(has_error_line(&r, 20));
    for (uint64_t l = 21; l <= 40; l++)
        assert_false(has_error_line(&r, l));
    assert_int_equal(r.nerrors, 15);
    md_sieve_result_free(&r);
    md_buf_free(&b);

    /* compile/redirect.sieve: every spelling valid, 19 redirects */
    snprintf(p, sizeof p, "%s/tests/compile/redirect.sieve", dir);
    assert_int_equal(read_all(p, &b), 0);
    assert_int_equal(md_sieve_parse(md_buf_cstr(&b), b.len, &r, &e), 0);
    size_t n = 0;
    for (size_t i = 0; i < r.nactions; i++)
        n += r.actions[i].type == MD_SV_REDIRECT;
    assert_int_equal(n, 19);
    md_sieve_result_free(&r);
    md_buf_free(&b);

    /* vivil.sieve: an unconditional redirect without keep cancels the implicit keep */
    snprintf(p, sizeof p, "%s/examples/vivil.sieve", dir);
    assert_int_equal(read_all(p, &b), 0);
    assert_int_equal(md_sieve_parse(md_buf_cstr(&b), b.len, &r, &e), 0);
    assert_int_equal(r.implicit_keep, 0);
    const md_sieve_action *a = nth(&r, MD_SV_REDIRECT, 0);
    assert_non_null(a);
    assert_string_equal(a->arg, "login@gmail.dom");
    assert_int_equal(a->conditional, 0);
    assert_int_equal(a->keeps_copy, 0);
    md_sieve_result_free(&r);
    md_buf_free(&b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_plain_redirect), cmocka_unit_test(t_copy_and_keep),
        cmocka_unit_test(t_conditions),     cmocka_unit_test(t_lexer),
        cmocka_unit_test(t_errors),         cmocka_unit_test(t_depth),
        cmocka_unit_test(t_require),
        cmocka_unit_test(t_addresses),      cmocka_unit_test(t_to_rules),
    };
    const struct CMUnitTest corpus[] = {cmocka_unit_test(t_corpus)};
    static const char *const need[] = {"pigeonhole", NULL};
    return MD_TEST_MAIN(tests, corpus, need, NULL, NULL);
}
