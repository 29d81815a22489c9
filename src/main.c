/* main.c: irk's entry point. Everything happens in cli_main(). */
#include "irk/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
