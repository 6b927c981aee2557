/* cmd_trace.c: 'maildossier trace' (placeholder: being built). */
#include "cli.h"

int md_cmd_trace(md_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    md_cli_error("trace: not built yet");
    return MD_EXIT_FAIL;
}
