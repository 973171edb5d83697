/* kata-check's command line, callable as a program or as
 * `kata-runtime kata-check`. */
#ifndef KC_CHECK_MAIN_H
#define KC_CHECK_MAIN_H

#include "exit_status.h"

/* Exit status: 0 capable, 1 not capable, 2 usage or internal error. */
int kata_check_main(int argc, char **argv);

#define EXIT_CAPABLE	 0
#define EXIT_NOT_CAPABLE 1
/* capable, but kata-runtime would refuse to start: no configuration yet */
#define EXIT_NOT_READY 3

#endif
