/* cmd_rules.c: 'maildossier rules' (placeholder: being built). */
#include "cli.h"

int md_cmd_rules(md_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    md_cli_error("rules: not built yet");
    return MD_EXIT_FAIL;
}
