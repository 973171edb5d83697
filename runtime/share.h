/* What a sandbox's guest sees of the host: its containers' rootfs and the
 * bind mounts of their specs, exported by QEMU (9p or virtio-fs).
 *
 * The guest may be root and hostile, so it gets nothing it can reshape.
 * In the VM directory:
 *
 *   mounts/   host-only; a mount of its own, shared (propagation). The
 *             runtime makes ID/rootfs and ID/mounts/N/NAME here and binds
 *             the container's files onto them, through handles.
 *   shared/   what QEMU exports: a read-only, nosuid, nodev bind of mounts/
 *             that receives its mounts (a slave). The guest can write in a
 *             rootfs or a volume (they are mounts of their own, read-only
 *             where the spec says so) but cannot create, remove, rename or
 *             replace a single entry of the share's own structure - so
 *             no symlink it makes can ever sit where the host later acts.
 *
 * The host still acts only through handles (beneath.h, fdmount.h), as if
 * the share were writable: a tree that is not what it made is reported
 * as tampering and left alone. */
#ifndef KC_SHARE_H
#define KC_SHARE_H

#include <jansson.h>

#include "error.h"

/* Make mounts/ and shared/ in the VM directory (vmfd, a handle). */
int share_setup(int vmfd, struct kc_error *err);
/* Unmount shared/ and mounts/ (with everything below them) and remove the
 * mount points; anything else left there is reported. */
void share_teardown(int vmfd);

/* Share a container: its rootfs (a handle) as ID/rootfs and its bind
 * mounts; return the spec for the guest (a new object) with the bind
 * sources relative to the share. */
json_t *share_container(int vmfd, const char *id, int rootfs_fd, const json_t *spec,
			struct kc_error *err);
/* Unmount and remove what share_container made for ID; 0, or -1 with err
 * saying what was found instead of what we made. */
int unshare_container(int vmfd, const char *id, struct kc_error *err);

#endif
