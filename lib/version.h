/* The project version; the Makefile passes -DKC_VERSION from VERSION. */
#ifndef KC_VERSION_H
#define KC_VERSION_H

#ifndef KC_VERSION
#define KC_VERSION "0.0.0-dev"
#endif

#endif
