#!/usr/bin/env python3
"""Converts an uncompressed 24- or 32-bit BMP to PNG (standard library only).

    bmp2png.py in.bmp out.png

The wizard driver captures windows as BMP (what GDI gives); the screenshots in
docs/screenshots are PNG.
"""
import struct
import sys
import zlib


def read_bmp(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"BM":
        raise ValueError("%s: not a BMP" % path)
    offset = struct.unpack_from("<I", data, 10)[0]
    _, w, h, _, bpp, comp = struct.unpack_from("<IiiHHI", data, 14)
    if bpp not in (24, 32) or comp not in (0, 3):
        raise ValueError("%s: %d-bit, compression %d not handled" % (path, bpp, comp))
    top_down = h < 0
    h = abs(h)
    step = bpp // 8
    stride = (w * step + 3) & ~3
    rows = []
    for y in range(h):
        src = y if top_down else h - 1 - y
        base = offset + src * stride
        row = bytearray()
        for x in range(w):
            b, g, r = data[base + x * step: base + x * step + 3]
            row += bytes((r, g, b))
        rows.append(bytes(row))
    return w, h, rows


def write_png(path, w, h, rows):
    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    w, h, rows = read_bmp(argv[1])
    write_png(argv[2], w, h, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
