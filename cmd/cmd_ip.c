/* cmd_ip.c: 'maildossier ip' (placeholder: being built). */
#include "cli.h"

int md_cmd_ip(md_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    md_cli_error("ip: not built yet");
    return MD_EXIT_FAIL;
}
