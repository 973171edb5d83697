/* The kata-check program. */
#include "check_main.h"

int main(int argc, char **argv)
{
	return kata_check_main(argc, argv);
}
