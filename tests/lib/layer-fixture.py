#!/usr/bin/env python3
"""Layer fixtures for the npm package's layer tests (tests/node/run.sh), written with Python's
own tarfile module, an independent tar reader and writer.

  layer-fixture.py make LAYER.tar
      Writes an uncompressed PAX tar with the entry kinds a listing must tell apart: directories,
      a regular file, an executable, a symlink, a hard link, an empty file, a path longer than
      100 bytes and a non-ASCII name (both need PAX records), and a FIFO.

  layer-fixture.py list BLOB
      Prints the entries of a (gzip or plain) layer blob as JSON, one object per entry in archive
      order: {path, type, size, mode, linkTarget}, the shape of the package's LayerEntry.
"""
import io
import json
import sys
import tarfile

GREETING = b"hello from a layer\n"


def make(path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime, info.linkname = kind, mode, 1700000000, link
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

        add("usr/", tarfile.DIRTYPE, mode=0o755)
        add("usr/bin/", tarfile.DIRTYPE, mode=0o755)
        add("usr/bin/tool", data=b"#!/bin/sh\necho tool\n", mode=0o755)
        add("usr/bin/alias", tarfile.SYMTYPE, mode=0o777, link="tool")
        add("usr/bin/tool-again", tarfile.LNKTYPE, link="usr/bin/tool")
        add("etc/", tarfile.DIRTYPE, mode=0o755)
        add("etc/greeting", data=GREETING)
        add("etc/empty", data=b"", mode=0o600)
        add("srv/" + "deep/" * 24 + "file.txt", data=b"a long path\n")
        add("srv/données/café.txt", data="crème brûlée\n".encode())
        add("run/pipe", tarfile.FIFOTYPE, mode=0o600)


def kind(info):
    if info.isdir():
        return "dir"
    if info.issym():
        return "symlink"
    if info.islnk():
        return "hardlink"
    if info.isfifo():
        return "fifo"
    if info.ischr():
        return "char"
    if info.isblk():
        return "block"
    return "file" if info.isreg() else "other"


def list_blob(path):
    entries = []
    with tarfile.open(path, "r:*") as tar:
        for info in tar:
            entries.append({
                "path": info.name,
                "type": kind(info),
                "size": info.size if info.isreg() else 0,
                "mode": info.mode & 0o7777,
                "linkTarget": info.linkname if (info.issym() or info.islnk()) else None,
            })
    json.dump(entries, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    {"make": make, "list": list_blob}[sys.argv[1]](sys.argv[2])
