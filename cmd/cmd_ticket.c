/* cmd_ticket.c: 'maildossier ticket' (placeholder: being built). */
#include "cli.h"

int md_cmd_ticket(md_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    md_cli_error("ticket: not built yet");
    return MD_EXIT_FAIL;
}
