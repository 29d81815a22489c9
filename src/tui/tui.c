/* tui.c: placeholder until the board lands: the text board. */
#include "irk/cli.h"

int tui_main(struct cli *c)
{
	const struct cli_command *cmd = cli_find("board");
	char *argv[] = { "board", NULL };

	return cmd->run(c, 1, argv);
}
