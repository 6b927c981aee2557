/* test_dotforward.c: lib/parse/dotforward.c: targets on several lines and
 * separated by commas, comments, "\user" of the owner keeping a copy (and
 * of someone else not), the owner's own address, programs in both quoting
 * styles, files, :include: refused; Exim filters (deliver, unseen deliver,
 * conditions); the scenario's fixtures; Exim's .forward files from the
 * corpus (skipped when absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include "base/buf.h"
#include "parse/dotforward.h"
#include "base/input.h"
#include "testutil.h"

static int nwarn;
static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)arg, (void)file, (void)line, (void)msg;
    nwarn++;
}

static const md_rule *find(const md_rule_list *l, const char *target)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].target, target) == 0)
            return &l->v[i];
    return NULL;
}

static void parse(const char *s, const char *owner, md_rule_list *l)
{
    md_err e = {0, ""};
    nwarn = 0;
    assert_int_equal(md_dotforward_parse(s, strlen(s), ".forward", owner, on_warn, NULL, l, &e), 0);
}

static void t_list(void **state)
{
    (void)state;
    md_rule_list l = {0};
    parse("# forward to my private addresses\n"
          "Anna.Schmidt@Hotmail.de, a.s@gmx.de\n"
          "\n"
          "|\"/usr/bin/vacation anna.schmidt\"\n"
          "\"|/usr/bin/procmail -t\", /home/anna/mbox\n",
          "anna.schmidt@uni-potsdam.de", &l);
    assert_int_equal(l.n, 5);
    assert_int_equal(nwarn, 0);
    const md_rule *r = find(&l, "anna.schmidt@hotmail.de");
    assert_non_null(r);
    assert_int_equal(r->line, 2);
    assert_string_equal(r->address, "anna.schmidt@uni-potsdam.de");
    assert_int_equal(r->kind, MD_RK_FORWARD);
    assert_int_equal(r->keeps_copy, 0);
    assert_non_null(r = find(&l, "|\"/usr/bin/vacation anna.schmidt\""));
    assert_int_equal(r->ttype, MD_TGT_PROGRAM);
    assert_int_equal(r->line, 4);
    assert_non_null(r = find(&l, "|/usr/bin/procmail -t"));
    assert_int_equal(r->ttype, MD_TGT_PROGRAM);
    assert_non_null(r = find(&l, "/home/anna/mbox"));
    assert_int_equal(r->ttype, MD_TGT_FILE);
    md_rules_list_free(&l);
}

static void t_keep_copy(void **state)
{
    (void)state;
    md_rule_list l = {0};
    parse("\\k.weber, k.weber@live.de\n", "k.weber@uni-potsdam.de", &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(find(&l, "k.weber")->ttype, MD_TGT_LOCAL);
    assert_int_equal(find(&l, "k.weber@live.de")->keeps_copy, 1);
    md_rules_list_free(&l);
    /* the owner's full address counts as the local copy too */
    parse("k.weber@uni-potsdam.de\nk.weber@live.de\n", "k.weber@uni-potsdam.de", &l);
    assert_int_equal(find(&l, "k.weber@live.de")->keeps_copy, 1);
    md_rules_list_free(&l);
    /* \someone-else is not a copy of the owner's */
    parse("\\jdoe, k.weber@live.de\n", "k.weber@uni-potsdam.de", &l);
    assert_int_equal(find(&l, "k.weber@live.de")->keeps_copy, 0);
    md_rules_list_free(&l);
    /* bad targets and includes are reported */
    parse(":include:/etc/passwd\nnot an address\nok@example.org\n", "u@x.example", &l);
    assert_int_equal(nwarn, 2);
    assert_int_equal(l.n, 1);
    md_rules_list_free(&l);
}

static void t_exim_filter(void **state)
{
    (void)state;
    md_rule_list l = {0};
    parse("# Exim filter\n"
          "if $header_subject: contains \"urgent\" then\n"
          "  deliver boss@example.org\n"
          "endif\n"
          "unseen deliver \"Me Elsewhere <me@outlook.com>\"\n"
          "deliver me@gmx.de\n",
          "me@uni-potsdam.de", &l);
    assert_int_equal(l.n, 3);
    const md_rule *r = find(&l, "boss@example.org");
    md_assert_non_null(r);
    assert_non_null(strstr(r->condition, "contains"));
    assert_int_equal(r->line, 3);
    assert_int_equal(find(&l, "me@outlook.com")->keeps_copy, 1);
    assert_string_equal(find(&l, "me@gmx.de")->condition, "");
    md_rules_list_free(&l);
}

static void t_fixtures(void **state)
{
    (void)state;
    md_rule_list l = {0};
    md_buf b = MD_BUF_INIT;
    md_input *in = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_input_open(&in, MD_FIXTURES "/rules/home/lena.schulz/.forward", &e), 0);
    assert_int_equal(md_input_slurp(in, &b, 1 << 20, &e), 0);
    md_input_close(in);
    parse(md_buf_cstr(&b), "lena.schulz@uni-potsdam.de", &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].target, "lena.schulz@hotmail.de");
    assert_int_equal(l.v[0].keeps_copy, 0);
    md_rules_list_free(&l);
    md_buf_free(&b);
}

static void t_corpus(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/corpus/exim-testsuite/test/aux-fixed", MD_SHARED);
    DIR *d = opendir(dir);
    md_assert_non_null(d);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d)) != NULL) {
        if (!strstr(de->d_name, "forward"))
            continue;
        char p[1400];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        md_buf b = MD_BUF_INIT;
        md_input *in = NULL;
        md_err e = {0, ""};
        if (md_input_open(&in, p, &e) != 0)
            continue;
        md_input_slurp(in, &b, 1 << 20, &e);
        md_input_close(in);
        md_rule_list l = {0};
        parse(md_buf_cstr(&b), "userx@test.ex", &l);
        assert_true(l.n >= 1);
        md_rules_list_free(&l);
        md_buf_free(&b);
        files++;
    }
    closedir(d);
    print_message("exim .forward files: %d parsed\n", files);
    assert_true(files >= 5);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_list), cmocka_unit_test(t_keep_copy), cmocka_unit_test(t_exim_filter),
        cmocka_unit_test(t_fixtures),
    };
    const struct CMUnitTest corpus[] = {cmocka_unit_test(t_corpus)};
    static const char *const need[] = {"exim-testsuite/test/aux-fixed", NULL};
    return MD_TEST_MAIN(tests, corpus, need, NULL, NULL);
}
