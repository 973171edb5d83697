/* Crash points, for the tests of crash-safe lifecycles: with
 * KATA_RUNTIME_CRASH=NAME the runtime kills itself with SIGKILL when it
 * reaches the point NAME ("create:qemu-spawned", ...), as containerd
 * killing it at its timeout or a power cut would; with
 * KATA_RUNTIME_CRASH=trace it names every point it passes on standard
 * error. Unset - as in production - a point costs one comparison. */
#ifndef KC_CRASH_H
#define KC_CRASH_H

void crash_point(const char *name);

#endif
