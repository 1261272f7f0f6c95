# claw's VMM jail (dev.claw.vm.VmmSandbox). Runs as root, as PID 1 of a fresh PID namespace, in
# a fresh mount namespace made by unshare. It builds a root that holds only what QEMU needs,
# makes it the root, and execs the VMM as an unprivileged uid with no capabilities.
#
# Usage: sh -c SCRIPT claw-vmm-jail ROOT UID GID {ro|rw}:PATH... [tun:/dev/net/tun] -- COMMAND...
# ROOT is an empty folder to build the jail on; each PATH is bound at the same path inside, so
# COMMAND needs no rewriting; tun: makes the tun device, for a VM with a network device. The
# script text is fixed: every value comes in as an argument.
set -eu
root=$1
uid=$2
gid=$3
shift 3

# A small tmpfs of its own: what is not put here does not exist for QEMU. Not nodev, so that
# /dev/kvm can be a node owned by the VMM's uid (the host's stays root-only, untouched).
mount -t tmpfs -o mode=0755,nosuid,size=1m claw-vmm "$root"
mkdir "$root/dev" "$root/proc" "$root/old"

# QEMU, its libraries and firmware live under /usr; the top-level links of a merged-/usr
# system are copied as links, a split system's folders are bound read-only.
for top in /usr /bin /sbin /lib /lib32 /lib64 /libx32; do
  if [ -L "$top" ]; then
    ln -s "$(readlink "$top")" "$root$top"
  elif [ -d "$top" ]; then
    mkdir "$root$top"
    mount --bind "$top" "$root$top"
    mount -o remount,bind,ro,nosuid,nodev "$root$top"
  fi
done

mknod -m 0666 "$root/dev/null" c 1 3
mknod -m 0666 "$root/dev/zero" c 1 5
mknod -m 0666 "$root/dev/urandom" c 1 9
if [ -c /dev/kvm ]; then
  mknod -m 0600 "$root/dev/kvm" c 10 232
  chown "$uid:$gid" "$root/dev/kvm"
fi

while [ "$1" != -- ]; do
  mode=${1%%:*}
  path=${1#*:}
  shift
  if [ "$mode" = tun ]; then
    mkdir -p "$root/dev/net"
    mknod -m 0666 "$root/dev/net/tun" c 10 200
    continue
  fi
  mkdir -p "$root$(dirname "$path")"
  : > "$root$path"
  mount --bind "$path" "$root$path"
  mount -o "remount,bind,$mode,nosuid,nodev,noexec" "$root$path"
done
shift

# umount reads /proc/self/mountinfo; this /proc (of the new PID namespace) goes again below.
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
cd "$root"
pivot_root . old
umount -l /old
rmdir /old
umount /proc
mount -o remount,bind,ro,nosuid /

# Changing uid clears the parent-death signal, so setpriv sets it again after the change:
# with unshare --kill-child above, a killed claw still takes its VM with it.
exec setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all \
  --bounding-set=-all --no-new-privs --pdeathsig KILL -- "$@"
