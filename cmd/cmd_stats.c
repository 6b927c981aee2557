/* cmd_stats.c: 'maildossier stats' (placeholder: being built). */
#include "cli.h"

int md_cmd_stats(md_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    md_cli_error("stats: not built yet");
    return MD_EXIT_FAIL;
}
