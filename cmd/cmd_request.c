/* cmd_request.c: 'maildossier request' (placeholder: being built). */
#include "cli.h"

int md_cmd_request(md_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    md_cli_error("request: not built yet");
    return MD_EXIT_FAIL;
}
