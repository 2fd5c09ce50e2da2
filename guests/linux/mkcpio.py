#!/usr/bin/env python3
"""Writes a newc ("070701") cpio archive of a directory tree to stdout.

Used by scripts/guest-linux.sh for the guest initramfs, so that building it
needs neither the cpio program nor root: every entry is owned by root (uid and
gid 0), device nodes come from the command line instead of the tree, and the
archive is reproducible (sorted names, one fixed mtime, no host inode
numbers).

usage: mkcpio.py ROOT [--mtime SECONDS] [--node PATH:c|b:MAJOR:MINOR:MODE]...
  PATH is the name inside the archive (no leading slash), MODE is octal.
"""
import os
import stat
import sys


def pad4(n):
    return (4 - n % 4) % 4


class Writer:
    def __init__(self, out, mtime):
        self.out = out
        self.mtime = mtime
        self.ino = 0

    def entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        self.ino += 1
        namez = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, nlink, self.mtime, len(data), 0, 0,
                  rdev[0], rdev[1], len(namez), 0)
        hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
        self.out.write(hdr + namez + b"\0" * pad4(len(hdr) + len(namez)))
        self.out.write(data + b"\0" * pad4(len(data)))

    def trailer(self):
        self.ino = -1  # the trailer's inode number is 0
        self.entry("TRAILER!!!", 0, nlink=1)


def walk(root):
    """All paths under root, relative, parents before children, sorted."""
    for d, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(d, root)
        if rel != ".":
            yield rel
        for f in sorted(files + [x for x in dirs if os.path.islink(os.path.join(d, x))]):
            yield os.path.normpath(os.path.join(rel, f))
        dirs[:] = [x for x in dirs if not os.path.islink(os.path.join(d, x))]


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    root = argv[1]
    mtime = 0
    nodes = []
    i = 2
    while i < len(argv):
        if argv[i] == "--mtime":
            mtime = int(argv[i + 1])
        elif argv[i] == "--node":
            nodes.append(argv[i + 1])
        else:
            sys.exit("mkcpio: unknown argument " + argv[i])
        i += 2
    w = Writer(sys.stdout.buffer, mtime)
    names = set()
    for rel in walk(root):
        p = os.path.join(root, rel)
        st = os.lstat(p)
        perm = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            w.entry(rel, stat.S_IFLNK | 0o777, os.readlink(p).encode())
        elif stat.S_ISDIR(st.st_mode):
            w.entry(rel, stat.S_IFDIR | perm, nlink=2)
        elif stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                w.entry(rel, stat.S_IFREG | perm, f.read())
        else:
            sys.exit("mkcpio: unsupported file type: " + p)
        names.add(rel)
    for spec in nodes:
        path, kind, major, minor, mode = spec.split(":")
        if path in names:
            sys.exit("mkcpio: node already in the tree: " + path)
        ftype = stat.S_IFCHR if kind == "c" else stat.S_IFBLK
        w.entry(path, ftype | int(mode, 8), rdev=(int(major), int(minor)))
    w.trailer()


if __name__ == "__main__":
    main(sys.argv)
