/* What a container's guest sees of the host: its rootfs and the bind
 * mounts of its spec, bind-mounted into the sandbox's shared directory
 * (which QEMU exports by 9p or virtio-fs), and the spec rewritten to name
 * them relative to the share. Undone by unmounting everything there. */
#ifndef KC_SHARE_H
#define KC_SHARE_H

#include <jansson.h>

#include "error.h"

/* Share the rootfs (as ID/rootfs) and the bind mounts; return the spec
 * for the guest (a new object). */
json_t *share_container(const char *shared_dir, const char *id, const char *rootfs, const json_t *spec,
			struct kc_error *err);
/* Unmount and remove what share_container made for ID. */
void unshare_container(const char *shared_dir, const char *id);
/* Unmount every mount at or below dir (deepest first). */
void umount_below(const char *dir);

#endif
