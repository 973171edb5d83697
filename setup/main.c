/* The kata-setup program. */
#include "setup.h"

int main(int argc, char **argv)
{
	return kata_setup_main(argc, argv);
}
