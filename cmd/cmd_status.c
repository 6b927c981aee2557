/* cmd_status.c: 'maildossier status' (placeholder: being built). */
#include "cli.h"

int md_cmd_status(md_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    md_cli_error("status: not built yet");
    return MD_EXIT_FAIL;
}
