/* main.c: irk's entry point, the one file that knows both front ends.
 * The command line reads the global options and the configuration and
 * runs the command; when none is given it hands the shared context to
 * the board it is given here (on a terminal). */
#include "irk/cli.h"
#include "irk/tui.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv, tui_main);
}
