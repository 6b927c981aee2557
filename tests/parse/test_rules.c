/* test_rules.c: lib/parse/rules.c: resolution over rules in memory: a direct
 * forward without copy to Hotmail (never, Microsoft flagged), with \user
 * (always), a Sieve-like conditional redirect (sometimes), an alias chain
 * ending in a .forward, bare alias names matching only addresses of our
 * domains, a loop (flagged, no endless walk), a chain longer than the
 * limit (cut), programs/files as local, duplicate targets merged, and a
 * non-Microsoft target not flagged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "base/config.h"
#include "parse/rules.h"

static md_config cfg;

static void add(md_rule_list *l, md_rkind k, md_tgt t, const char *a, const char *target,
                int copy, const char *cond, uint64_t line)
{
    md_rule r;
    md_rules_set(&r, k, t, a, target, strlen(target), copy, "f", line);
    if (cond)
        snprintf(r.condition, sizeof r.condition, "%s", cond);
    assert_int_equal(md_rules_list_add(l, &r), 0);
}

static void resolve(md_rule_list *l, const char *addr, md_resolution *res)
{
    md_err e = {0, ""};
    assert_int_equal(md_rules_resolve(addr, md_rules_list_lookup, l, &cfg, res, &e), 0);
}

static const md_target *target(const md_resolution *r, const char *t)
{
    for (size_t i = 0; i < r->ntargets; i++)
        if (strcmp(r->targets[i].target, t) == 0)
            return &r->targets[i];
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    md_config_defaults(&cfg);
    snprintf(cfg.domains[0], sizeof cfg.domains[0], "uni-potsdam.de");
    cfg.ndomains = 1;
    return 0;
}

static void t_direct(void **state)
{
    (void)state;
    md_rule_list l = {0};
    md_resolution res = {0};
    add(&l, MD_RK_CSV, MD_TGT_ADDR, "anna.schmidt@uni-potsdam.de", "anna.schmidt@hotmail.de", 0,
        NULL, 2);
    resolve(&l, "<Anna.Schmidt@Uni-Potsdam.de>", &res);
    assert_int_equal(res.applied.n, 1);
    assert_int_equal(res.ntargets, 1);
    assert_int_equal(res.targets[0].ms_consumer, 1);
    assert_int_equal(res.targets[0].local, 0);
    assert_int_equal(res.keeps_copy, MD_COPY_NEVER);
    assert_int_equal(res.ms_without_copy, 1);
    /* no rules: not found, the mail stays */
    resolve(&l, "jdoe@uni-potsdam.de", &res);
    assert_int_equal(res.applied.n, 0);
    assert_int_equal(res.keeps_copy, MD_COPY_ALWAYS);
    assert_int_equal(res.ms_without_copy, 0);
    md_resolution_free(&res);
    md_rules_list_free(&l);
}

static void t_copy_kinds(void **state)
{
    (void)state;
    md_rule_list l = {0};
    md_resolution res = {0};
    add(&l, MD_RK_FORWARD, MD_TGT_LOCAL, "k.weber@uni-potsdam.de", "k.weber", 1, NULL, 1);
    add(&l, MD_RK_FORWARD, MD_TGT_ADDR, "k.weber@uni-potsdam.de", "k.weber@live.de", 1, NULL, 1);
    add(&l, MD_RK_SIEVE, MD_TGT_ADDR, "m.becker@uni-potsdam.de", "m.becker@hotmail.com", 0,
        "address :domain :is \"from\" \"uni-potsdam.de\"", 7);
    add(&l, MD_RK_CSV, MD_TGT_ADDR, "s.koch@uni-potsdam.de", "s.koch@gmx.de", 0, NULL, 3);
    resolve(&l, "k.weber@uni-potsdam.de", &res);
    assert_int_equal(res.keeps_copy, MD_COPY_ALWAYS);
    assert_int_equal(res.ms_consumer, 1);
    assert_int_equal(res.ms_without_copy, 0);
    assert_non_null(target(&res, "k.weber@uni-potsdam.de"));
    assert_int_equal(res.ntargets, 2); /* the \k.weber copy and the rule's copy are one */
    resolve(&l, "m.becker@uni-potsdam.de", &res);
    assert_int_equal(res.keeps_copy, MD_COPY_SOMETIMES);
    assert_int_equal(res.ms_without_copy, 1);
    const md_target *t = target(&res, "m.becker@hotmail.com");
    assert_non_null(t);
    assert_int_equal(t->conditional, 1);
    assert_non_null(strstr(t->condition, "uni-potsdam.de"));
    resolve(&l, "s.koch@uni-potsdam.de", &res);
    assert_int_equal(res.keeps_copy, MD_COPY_NEVER);
    assert_int_equal(res.ms_consumer, 0); /* gmx.de is not Microsoft */
    assert_int_equal(res.ms_without_copy, 0);
    md_resolution_free(&res);
    md_rules_list_free(&l);
}

static void t_chain_and_domains(void **state)
{
    (void)state;
    md_rule_list l = {0};
    md_resolution res = {0};
    add(&l, MD_RK_ALIAS, MD_TGT_ADDR, "fachschaft-info", "f.neumann", 0, NULL, 26);
    add(&l, MD_RK_FORWARD, MD_TGT_ADDR, "f.neumann@uni-potsdam.de", "f.neumann@outlook.com", 0,
        NULL, 1);
    add(&l, MD_RK_ALIAS, MD_TGT_PROGRAM, "helpdesk", "|/opt/otrs/bin/otrs.Console.pl", 0, NULL, 21);
    resolve(&l, "fachschaft-info@uni-potsdam.de", &res);
    assert_int_equal(res.applied.n, 2);
    const md_target *t = target(&res, "f.neumann@outlook.com");
    assert_non_null(t);
    assert_int_equal(t->depth, 2);
    assert_non_null(strstr(t->via, "fachschaft-info@uni-potsdam.de -> f.neumann@uni-potsdam.de"));
    assert_int_equal(res.ms_without_copy, 1);
    /* a bare name means our first domain */
    resolve(&l, "fachschaft-info", &res);
    assert_int_equal(res.applied.n, 2);
    /* an alias name does not apply to another domain's address */
    resolve(&l, "fachschaft-info@example.org", &res);
    assert_int_equal(res.applied.n, 0);
    /* a program keeps the mail here */
    resolve(&l, "helpdesk@uni-potsdam.de", &res);
    assert_int_equal(res.keeps_copy, MD_COPY_ALWAYS);
    md_resolution_free(&res);
    md_rules_list_free(&l);
}

static void t_loop_and_depth(void **state)
{
    (void)state;
    md_rule_list l = {0};
    md_resolution res = {0};
    add(&l, MD_RK_ALIAS, MD_TGT_ADDR, "tutoren-ws", "p.meyer", 0, NULL, 32);
    add(&l, MD_RK_ALIAS, MD_TGT_ADDR, "tutoren-ws", "tutoren-alt", 0, NULL, 32);
    add(&l, MD_RK_ALIAS, MD_TGT_ADDR, "tutoren-alt", "tutoren-ws", 0, NULL, 33);
    resolve(&l, "tutoren-ws@uni-potsdam.de", &res);
    assert_int_equal(res.loop, 1);
    assert_string_equal(res.loop_at, "tutoren-ws@uni-potsdam.de");
    assert_non_null(target(&res, "p.meyer@uni-potsdam.de"));
    assert_int_equal(res.applied.n, 3);
    md_rules_list_free(&l);
    /* a chain of 40 aliases: cut at the limit */
    for (int i = 0; i < 40; i++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "hop%d", i);
        snprintf(b, sizeof b, "hop%d", i + 1);
        add(&l, MD_RK_ALIAS, MD_TGT_ADDR, a, b, 0, NULL, (uint64_t)i + 1);
    }
    resolve(&l, "hop0", &res);
    assert_int_equal(res.depth_hit, 1);
    assert_int_equal(res.loop, 0);
    assert_int_equal(res.applied.n, MD_LIMIT_RESOLVE_DEPTH);
    md_resolution_free(&res);
    md_rules_list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_direct), cmocka_unit_test(t_copy_kinds),
        cmocka_unit_test(t_chain_and_domains), cmocka_unit_test(t_loop_and_depth),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
