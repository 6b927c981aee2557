/* cmd_show.c: 'maildossier show' (placeholder: being built). */
#include "cli.h"

int md_cmd_show(md_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    md_cli_error("show: not built yet");
    return MD_EXIT_FAIL;
}
