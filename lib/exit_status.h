/* The exit status every program shares: 2 is a usage error (a bad
 * argument, a file that cannot be read) or an internal one, as with
 * grep(1) and kmod's tools. Each program's man page lists its own others. */
#ifndef KC_EXIT_STATUS_H
#define KC_EXIT_STATUS_H

#define EXIT_USAGE 2

#endif
