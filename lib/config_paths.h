/* Install locations compiled in from the Makefile's PREFIX (Kata's
 * packaging uses PREFIX=/usr). */
#ifndef KC_CONFIG_PATHS_H
#define KC_CONFIG_PATHS_H

#ifndef KC_PREFIX
#define KC_PREFIX "/usr"
#endif
#ifndef KC_SYSCONFDIR
#define KC_SYSCONFDIR "/etc"
#endif

#define KC_LIBEXECDIR KC_PREFIX "/libexec/kata-containers"
#define KC_DATADIR    KC_PREFIX "/share/kata-containers"
#ifndef KC_GUESTDIR
#define KC_GUESTDIR KC_DATADIR
#endif
#define KC_DEFAULT_INITRD KC_GUESTDIR "/kata-containers-initrd.img"
#define KC_CONFIG_SYSTEM  KC_SYSCONFDIR "/kata-containers/configuration.toml"
#define KC_CONFIG_DEFAULT KC_PREFIX "/share/defaults/kata-containers/configuration.toml"
#define KC_CONFIG_ENV	  "KATA_CONF_FILE"

#if defined(__x86_64__)
#define KC_QEMU_BINARY	"qemu-system-x86_64"
#define KC_MACHINE_TYPE "q35"
#elif defined(__aarch64__)
#define KC_QEMU_BINARY	"qemu-system-aarch64"
#define KC_MACHINE_TYPE "virt"
#elif defined(__powerpc64__)
#define KC_QEMU_BINARY	"qemu-system-ppc64"
#define KC_MACHINE_TYPE "pseries"
#elif defined(__s390x__)
#define KC_QEMU_BINARY	"qemu-system-s390x"
#define KC_MACHINE_TYPE "s390-ccw-virtio"
#else
#define KC_QEMU_BINARY	"qemu-system-x86_64"
#define KC_MACHINE_TYPE "q35"
#endif

#endif
