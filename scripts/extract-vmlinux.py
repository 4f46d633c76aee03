#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Extract the uncompressed ELF vmlinux from a bzImage.

Under TCG the guest spends seconds decompressing its own kernel; QEMU can
boot the ELF directly through PVH (CONFIG_PVH=y), about twice as fast.
The payload is found by scanning for each compressor's magic number and
keeping the first candidate that decompresses to an ELF image.
"""
import lzma
import gzip
import subprocess
import sys
import zlib

MAGICS = [
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\x1f\x8b\x08", "gzip"),
    (b"\x02\x21\x4c\x18", "lz4"),
]


def decompress(kind, blob):
    if kind == "xz":
        return lzma.LZMADecompressor().decompress(blob)
    if kind == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(blob)
    # zstd and legacy lz4 frames: their tools stop at the end of the frame.
    cmd = {"zstd": ["zstd", "-dcq"], "lz4": ["lz4", "-dcq"]}[kind]
    proc = subprocess.run(cmd, input=blob, capture_output=True)
    return proc.stdout


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-vmlinux.py BZIMAGE OUTPUT")
    data = open(sys.argv[1], "rb").read()
    for magic, kind in MAGICS:
        pos = data.find(magic)
        while pos >= 0:
            try:
                out = decompress(kind, data[pos:])
            except (lzma.LZMAError, zlib.error, EOFError, gzip.BadGzipFile):
                out = b""
            if out[:4] == b"\x7fELF":
                with open(sys.argv[2], "wb") as f:
                    f.write(out)
                return
            pos = data.find(magic, pos + 1)
    sys.exit(f"extract-vmlinux: no compressed ELF kernel in {sys.argv[1]}")


if __name__ == "__main__":
    main()
