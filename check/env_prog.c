/* The kata-env program. */
#include "env.h"

int main(int argc, char **argv)
{
	return kata_env_main(argc, argv);
}
