/* cmd_rules.c: `maildossier rules ADDRESS...`: the forwarding rules that
 * apply to an address, resolved (lib/store/store_rules.h); and
 * `--forwards-to-microsoft`: every address that forwards to a Microsoft
 * consumer domain without keeping a local copy. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "parse/rulecsv.h"
#include "store/store_rules.h"
#include "base/text.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier rules [options] ADDRESS...\n"
            "       maildossier rules --forwards-to-microsoft\n\n"
            "Show the forwarding rules (aliases, .forward, Sieve, rules CSV) that apply to\n"
            "each address, followed through alias chains: every rule with the file and line\n"
            "it was found in, the final targets, whether a local copy is kept (always,\n"
            "sometimes = only when a Sieve condition does not hold, never), and which\n"
            "targets are Microsoft consumer domains (hotmail.*, outlook.*, live.*, msn.com).\n"
            "A bare name (postmaster) means name@ the first configured domain.\n\n"
            "Options:\n"
            "  --forwards-to-microsoft  list every address whose mail goes to a Microsoft\n"
            "                           consumer domain without always keeping a local copy\n"
            "  --csv                    print the applying rules as a rules CSV\n"
            "                           (address,target,keeps_copy,source)\n"
            "  -h, --help               this text\n\n"
            "Exit status: 0 rules found, 1 failure, 2 usage, 4 no rule applies (or, with\n"
            "--forwards-to-microsoft, no such address).\n");
}

/* outside text, made safe for a terminal */
static void put(const char *s)
{
    md_buf b = MD_BUF_INIT;
    md_text_terminal(&b, s, strlen(s));
    fputs(md_buf_cstr(&b), stdout);
    md_buf_free(&b);
}

static const char *copy_words(md_copy c)
{
    return c == MD_COPY_ALWAYS ? "yes, always"
           : c == MD_COPY_SOMETIMES ? "only sometimes (when no condition of a rule holds)"
                                    : "NO";
}

static void print_rule(const md_rule *r)
{
    printf("    %-7s ", md_rules_kind_name(r->kind));
    put(r->address);
    fputs(" -> ", stdout);
    if (r->ttype == MD_TGT_LOCAL)
        fputs("\\", stdout);
    put(r->target);
    if (r->ttype != MD_TGT_ADDR && r->ttype != MD_TGT_LOCAL)
        printf(" (%s)", md_rules_tgt_name(r->ttype));
    printf("%s", r->keeps_copy ? "  [keeps a copy]" : "");
    if (r->note[0]) {
        fputs("  [", stdout);
        put(r->note);
        fputs("]", stdout);
    }
    fputs("\n            at ", stdout);
    put(r->file);
    printf(":%llu\n", (unsigned long long)r->line);
    if (r->condition[0]) {
        fputs("            if ", stdout);
        put(r->condition);
        fputs("\n", stdout);
    }
}

static void print_resolution(const md_resolution *res)
{
    put(res->address);
    fputs("\n", stdout);
    if (res->applied.n == 0) {
        fputs("  no forwarding rule applies: mail stays in the mailbox\n", stdout);
        return;
    }
    printf("  rules that apply (%zu):\n", res->applied.n);
    for (size_t i = 0; i < res->applied.n; i++)
        print_rule(&res->applied.v[i]);
    printf("  final targets (%zu):\n", res->ntargets);
    for (size_t i = 0; i < res->ntargets; i++) {
        const md_target *t = &res->targets[i];
        fputs("    ", stdout);
        put(t->target);
        printf("  (%s%s%s)", t->local ? "local" : "elsewhere",
               t->ttype != MD_TGT_ADDR ? ", " : "",
               t->ttype != MD_TGT_ADDR ? md_rules_tgt_name(t->ttype) : "");
        if (t->ms_consumer)
            fputs("  MICROSOFT CONSUMER DOMAIN", stdout);
        fputs("\n      via ", stdout);
        put(t->via);
        fputs("\n", stdout);
        if (t->conditional) {
            fputs("      only if ", stdout);
            put(t->condition);
            fputs("\n", stdout);
        }
    }
    printf("  local copy kept: %s\n", copy_words(res->keeps_copy));
    if (res->loop) {
        fputs("  LOOP: the chain comes back to ", stdout);
        put(res->loop_at);
        fputs(" (cut there)\n", stdout);
    }
    if (res->depth_hit)
        printf("  chain longer than %d rules: cut\n", MD_LIMIT_RESOLVE_DEPTH);
    if (res->ms_without_copy)
        printf("  => mail is forwarded to a Microsoft consumer domain %s\n",
               res->keeps_copy == MD_COPY_NEVER ? "WITHOUT keeping a local copy: if Microsoft "
                                                  "accepts and then drops it, it is lost"
                                                : "and a local copy is kept only sometimes");
}

static int print_ms(void *arg, const md_resolution *res)
{
    (void)arg;
    put(res->address);
    for (size_t i = 0; i < res->ntargets; i++) {
        if (!res->targets[i].ms_consumer)
            continue;
        fputs("\t", stdout);
        put(res->targets[i].target);
    }
    printf("\tcopy=%s", md_rules_copy_name(res->keeps_copy));
    for (size_t i = 0; i < res->applied.n; i++) {
        if (i)
            fputs(",", stdout);
        fputs(i ? " " : "\t", stdout);
        put(res->applied.v[i].file);
        printf(":%llu", (unsigned long long)res->applied.v[i].line);
    }
    fputs("\n", stdout);
    return 0;
}

int md_cmd_rules(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"forwards-to-microsoft", no_argument, NULL, 'm'},
        {"csv", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ms = 0, csv = 0, c;
    optind = 1;
    while ((c = md_cli_getopt("rules", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'm': ms = 1; break;
        case 'c': csv = 1; break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (!ms && optind >= argc) {
        md_cli_error("rules: no address given");
        help(stderr);
        return MD_EXIT_USAGE;
    }
    if (ms && optind < argc) {
        md_cli_error("rules: --forwards-to-microsoft takes no address");
        return MD_EXIT_USAGE;
    }
    md_store *st = md_cli_store(cli, MD_STORE_READONLY);
    if (!st)
        return MD_EXIT_FAIL;
    md_err err = {0, ""};
    if (ms) {
        size_t count = 0;
        if (md_store_rules_ms_forwards(st, &cli->cfg, print_ms, NULL, &count, &err) != MD_OK) {
            md_cli_error("rules: %s", err.msg);
            return MD_EXIT_FAIL;
        }
        md_cli_info(cli, "%zu address(es) forward to Microsoft consumer domains without always "
                    "keeping a copy", count);
        return count ? MD_EXIT_OK : MD_EXIT_NOTFOUND;
    }
    int found = 0, result = MD_EXIT_OK;
    md_resolution res;
    memset(&res, 0, sizeof res);
    md_buf out = MD_BUF_INIT;
    for (int i = optind; i < argc; i++) {
        if (md_store_rules_resolve(st, &cli->cfg, argv[i], &res, &err) != MD_OK) {
            md_cli_error("rules: %s", err.msg);
            result = MD_EXIT_FAIL;
            break;
        }
        if (res.applied.n)
            found = 1;
        if (csv) {
            md_buf one = MD_BUF_INIT;
            md_rulecsv_write(&one, res.applied.v, res.applied.n);
            const char *body = md_buf_cstr(&one);
            if (out.len) /* one header row */
                body = strchr(body, '\n') ? strchr(body, '\n') + 1 : "";
            md_buf_puts(&out, body);
            md_buf_free(&one);
        } else {
            if (i > optind)
                fputs("\n", stdout);
            print_resolution(&res);
        }
    }
    if (csv && out.len)
        fwrite(out.data, 1, out.len, stdout);
    md_buf_free(&out);
    md_resolution_free(&res);
    if (result != MD_EXIT_OK)
        return result;
    return found ? MD_EXIT_OK : MD_EXIT_NOTFOUND;
}
