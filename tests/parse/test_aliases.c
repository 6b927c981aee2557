/* test_aliases.c: lib/parse/aliases.c: entries, continuation lines, comments,
 * quoted names and targets, every target type, the line of each target,
 * duplicates (warned, first kept), \user keeping a copy, :include:
 * (relative to the file, file:line of the included file, refused outside
 * the roots, depth limit on a self-include, disabled by no_include), the
 * per-alias target limit; the BSD aliases corpus (the corpus group:
 * test_aliases_corpus, skipped when absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "parse/aliases.h"
#include "base/buf.h"
#include "testutil.h"

typedef struct warns {
    int n;
    uint64_t line[64];
    char msg[64][256];
} warns;

static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)file;
    warns *w = arg;
    if (w->n < 64) {
        w->line[w->n] = line;
        snprintf(w->msg[w->n], sizeof w->msg[0], "%s", msg);
    }
    w->n++;
}

static const md_rule *find(const md_rule_list *l, const char *addr, const char *target)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].address, addr) == 0 && strcmp(l->v[i].target, target) == 0)
            return &l->v[i];
    return NULL;
}

static void t_entries(void **state)
{
    (void)state;
    const char *s =
        "# comment\n"
        "MAILER-DAEMON: postmaster\n"                                     /* 2 */
        "postmaster:\tjdoe, \\postmaster\n"                               /* 3 */
        "\n"
        "webmaster: p.meyer,\n"                                           /* 5 */
        "\tt.wolf ,\n"                                                    /* 6 */
        "  # a comment inside\n"                                          /* 7 */
        "\tJane Doe <JDoe@Uni-Potsdam.DE>\n"                              /* 8 */
        "\"web team\": webmaster\n"                                       /* 9 */
        "helpdesk: \"|/opt/otrs/bin/otrs.Console.pl Read --queue=Mail, x\"\n" /* 10 */
        "archive: /var/spool/archive.mbox, nobody: /dev/null\n"           /* 11 */
        "old: :fail: retired\n"                                           /* 12 */
        "hole: :blackhole:\n"                                             /* 13 */
        "q: \"quoted local\"@example.org\n";                              /* 14 */
    md_rule_list l = {0};
    warns w = {0};
    md_aliases_opts o = {NULL, 1, on_warn, &w};
    md_err e = {0, ""};
    assert_int_equal(md_aliases_parse(s, strlen(s), "aliases", &o, &l, &e), 0);
    const md_rule *r;
    assert_non_null(r = find(&l, "mailer-daemon", "postmaster"));
    assert_int_equal(r->line, 2);
    assert_int_equal(r->kind, MD_RK_ALIAS);
    assert_non_null(r = find(&l, "postmaster", "postmaster"));
    assert_int_equal(r->ttype, MD_TGT_LOCAL);
    assert_non_null(r = find(&l, "postmaster", "jdoe"));
    assert_int_equal(r->keeps_copy, 1); /* \postmaster in the same entry */
    assert_non_null(r = find(&l, "webmaster", "t.wolf"));
    assert_int_equal(r->line, 6);
    assert_int_equal(r->keeps_copy, 0);
    assert_non_null(r = find(&l, "webmaster", "jdoe@uni-potsdam.de"));
    assert_int_equal(r->line, 8);
    assert_non_null(find(&l, "web team", "webmaster"));
    assert_non_null(r = find(&l, "helpdesk", "|/opt/otrs/bin/otrs.Console.pl Read --queue=Mail, x"));
    assert_int_equal(r->ttype, MD_TGT_PROGRAM);
    assert_non_null(r = find(&l, "archive", "/var/spool/archive.mbox"));
    assert_int_equal(r->ttype, MD_TGT_FILE);
    assert_int_equal(find(&l, "old", ":fail: retired")->ttype, MD_TGT_ERROR);
    assert_int_equal(find(&l, "hole", ":blackhole:")->ttype, MD_TGT_DISCARD);
    assert_non_null(find(&l, "q", "\"quoted local\"@example.org"));
    /* "nobody: /dev/null" after a comma is a (bad) target of archive: warned */
    assert_int_equal(w.n, 1);
    assert_int_equal(w.line[0], 11);
    md_rules_list_free(&l);
}

static void t_bad_and_duplicates(void **state)
{
    (void)state;
    const char *s = "  orphan continuation\n"
                    "no colon here\n"
                    "a: x\n"
                    "a: y\n"
                    "b: \"unbalanced\n"
                    "c:\n";
    md_rule_list l = {0};
    warns w = {0};
    md_aliases_opts o = {NULL, 1, on_warn, &w};
    md_err e = {0, ""};
    assert_int_equal(md_aliases_parse(s, strlen(s), "bad", &o, &l, &e), 0);
    assert_non_null(find(&l, "a", "x"));
    assert_null(find(&l, "a", "y"));
    int dup = 0;
    for (int i = 0; i < w.n && i < 64; i++)
        if (strstr(w.msg[i], "duplicate") && w.line[i] == 4)
            dup = 1;
    assert_true(dup);
    assert_true(w.n >= 5); /* orphan, no colon, duplicate, unbalanced, no target */
    md_rules_list_free(&l);
}

static void t_limit(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    md_buf_puts(&b, "big: ");
    for (int i = 0; i < MD_LIMIT_RULE_TARGETS + 50; i++)
        md_buf_printf(&b, "u%d, ", i);
    md_rule_list l = {0};
    warns w = {0};
    md_aliases_opts o = {NULL, 1, on_warn, &w};
    md_err e = {0, ""};
    assert_int_equal(md_aliases_parse(b.data, b.len, "big", &o, &l, &e), 0);
    assert_int_equal(l.n, MD_LIMIT_RULE_TARGETS);
    assert_true(w.n >= 1);
    md_rules_list_free(&l);
    md_buf_free(&b);
}

static void t_include_fixture(void **state)
{
    (void)state;
    md_rule_list l = {0};
    warns w = {0};
    md_aliases_opts o = {NULL, 0, on_warn, &w};
    md_err e = {0, ""};
    assert_int_equal(md_aliases_parse_file(MD_FIXTURES "/rules/aliases", &o, &l, &e), 0);
    assert_int_equal(w.n, 0);
    const md_rule *r = find(&l, "abuse", "cert@dfn-cert.de");
    md_assert_non_null(r);
    assert_non_null(strstr(r->file, "lists/abuse-team"));
    assert_int_equal(r->line, 5);
    assert_non_null(find(&l, "abuse", "k.weber"));
    md_rules_list_free(&l);
    /* with no_include the include is recorded, not read */
    md_aliases_opts o2 = {NULL, 1, on_warn, &w};
    assert_int_equal(md_aliases_parse_file(MD_FIXTURES "/rules/aliases", &o2, &l, &e), 0);
    assert_null(find(&l, "abuse", "k.weber"));
    assert_non_null(r = find(&l, "abuse", "lists/abuse-team"));
    assert_int_equal(r->ttype, MD_TGT_INCLUDE);
    md_rules_list_free(&l);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void t_include_escape_and_depth(void **state)
{
    (void)state;
    char dir[512], sub[600], p[700];
    md_test_dir(dir, sizeof dir, "test_aliases");
    snprintf(sub, sizeof sub, "%s/etc", dir);
    mkdir(sub, 0700);
    snprintf(p, sizeof p, "%s/secret", dir);
    write_file(p, "leaked@example.org\n");
    snprintf(p, sizeof p, "%s/self", sub);
    write_file(p, "x@example.org, :include:self\n");
    snprintf(p, sizeof p, "%s/aliases", sub);
    write_file(p, "esc: :include:../secret\nabs: :include:/etc/passwd\nloop: :include:self\n");
    md_rule_list l = {0};
    warns w = {0};
    md_aliases_opts o = {NULL, 0, on_warn, &w};
    md_err e = {0, ""};
    assert_int_equal(md_aliases_parse_file(p, &o, &l, &e), 0);
    assert_null(find(&l, "esc", "leaked@example.org"));
    for (size_t i = 0; i < l.n; i++)
        assert_string_not_equal(l.v[i].address, "abs");
    /* the self-include stops at the depth limit: x@ once per level */
    size_t x = 0;
    for (size_t i = 0; i < l.n; i++)
        x += strcmp(l.v[i].target, "x@example.org") == 0;
    assert_int_equal(x, MD_LIMIT_INCLUDE_DEPTH);
    int outside = 0, deep = 0;
    for (int i = 0; i < w.n && i < 64; i++) {
        outside += strstr(w.msg[i], "outside") != NULL;
        deep += strstr(w.msg[i], "deeper") != NULL;
    }
    assert_int_equal(outside, 2);
    assert_int_equal(deep, 1);
    md_rules_list_free(&l);
    /* with the parent as a configured root, the include is allowed */
    const char *roots[] = {dir, NULL};
    md_aliases_opts o2 = {roots, 0, on_warn, &w};
    assert_int_equal(md_aliases_parse_file(p, &o2, &l, &e), 0);
    assert_non_null(find(&l, "esc", "leaked@example.org"));
    md_rules_list_free(&l);
    unlink(p);
    snprintf(p, sizeof p, "%s/self", sub);
    unlink(p);
    snprintf(p, sizeof p, "%s/secret", dir);
    unlink(p);
    rmdir(sub);
    rmdir(dir);
}

static void t_corpus(void **state)
{
    (void)state;
    const char *files[] = {"freebsd/aliases", "openbsd/aliases"};
    char p[1024];
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/corpus/bsd-aliases/%s", MD_SHARED, files[i]);
        md_rule_list l = {0};
        warns w = {0};
        md_aliases_opts o = {NULL, 0, on_warn, &w};
        md_err e = {0, ""};
        assert_int_equal(md_aliases_parse_file(p, &o, &l, &e), 0);
        assert_int_equal(w.n, 0);
        /* both files send MAILER-DAEMON to postmaster and postmaster to root */
        assert_non_null(find(&l, "mailer-daemon", "postmaster"));
        assert_non_null(find(&l, "postmaster", "root"));
        print_message("%s: %zu rules\n", files[i], l.n);
        if (i == 1) { /* OpenBSD: daemon accounts to /dev/null */
            const md_rule *r = find(&l, "nobody", "/dev/null");
            assert_non_null(r);
            assert_int_equal(r->ttype, MD_TGT_DISCARD);
        }
        md_rules_list_free(&l);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_entries),         cmocka_unit_test(t_bad_and_duplicates),
        cmocka_unit_test(t_limit),           cmocka_unit_test(t_include_fixture),
        cmocka_unit_test(t_include_escape_and_depth),
    };
    const struct CMUnitTest corpus[] = {cmocka_unit_test(t_corpus)};
    static const char *const need[] = {"bsd-aliases/freebsd/aliases",
                                       "bsd-aliases/openbsd/aliases", NULL};
    return MD_TEST_MAIN(tests, corpus, need, NULL, NULL);
}
