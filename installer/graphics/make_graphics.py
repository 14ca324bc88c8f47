#!/usr/bin/env python3
"""Draws the installer's icon and wizard bitmaps from the add-in's "sync" icon.

Standard library only. Reuses the shapes and rasteriser of
src/win32/addin/icons/make_icons.py, so the installer and the ribbon show the same mark.
Writes next to itself: olsync.ico (16, 24, 32, 48, 64 px, 32-bit with alpha),
wizard.bmp (164x314, the Welcome/Finish side panel) and header.bmp (150x57, the page
header), both 24-bit as NSIS Modern UI wants them. The output is deterministic.
"""
import importlib.util
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ICONS_PY = os.path.join(HERE, "..", "..", "src", "win32", "addin", "icons", "make_icons.py")

spec = importlib.util.spec_from_file_location("make_icons", ICONS_PY)
mi = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mi)

DEEP = (0x1E, 0x4E, 0x8C)
LIGHT = (0x3B, 0x82, 0xC4)


def ico(sizes):
    """An .ico with one 32-bit BGRA DIB per size (and the 1-bit mask Windows expects)."""
    images = []
    for n in sizes:
        rows = mi.render(mi.ICONS["sync"], n)
        xor = b"".join(bytes(px for i in range(0, len(r), 4)
                             for px in (r[i + 2], r[i + 1], r[i], r[i + 3]))
                       for r in reversed(rows))
        stride = ((n + 31) // 32) * 4
        mask = bytearray()
        for r in reversed(rows):
            bits = bytearray(stride)
            for x in range(n):
                if r[4 * x + 3] == 0:
                    bits[x // 8] |= 0x80 >> (x % 8)
            mask += bits
        head = struct.pack("<IiiHHIIiiII", 40, n, 2 * n, 1, 32, 0, len(xor) + len(mask),
                           0, 0, 0, 0)
        images.append((n, head + xor + bytes(mask)))
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for n, data in images:
        out += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(d for _, d in images)


def blend(bg, rgba):
    a = rgba[3] / 255.0
    return tuple(int(round(rgba[i] * a + bg[i] * (1 - a))) for i in range(3))


def bmp(w, h, pixel):
    """A bottom-up 24-bit BMP; pixel(x, y) -> (r, g, b), y = 0 at the top."""
    stride = (w * 3 + 3) & ~3
    data = bytearray()
    for y in range(h - 1, -1, -1):
        row = bytearray()
        for x in range(w):
            r, g, b = pixel(x, y)
            row += bytes((b, g, r))
        data += row + bytes(stride - len(row))
    head = struct.pack("<2sIHHI", b"BM", 14 + 40 + len(data), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(data), 2835, 2835, 0, 0)
    return head + info + bytes(data)


def wizard():
    w, h, n = 164, 314, 96
    mark = mi.render(mi.sync_shapes(mi.WHITE), n)
    x0, y0 = (w - n) // 2, 70

    def pixel(x, y):
        t = y / (h - 1)
        bg = tuple(int(round(DEEP[i] * (1 - t) + LIGHT[i] * t)) for i in range(3))
        if x0 <= x < x0 + n and y0 <= y < y0 + n:
            r = mark[y - y0]
            k = 4 * (x - x0)
            return blend(bg, tuple(r[k:k + 4]))
        return bg
    return bmp(w, h, pixel)


def header():
    w, h, n = 150, 57, 48
    mark = mi.render(mi.ICONS["sync"], n)
    x0, y0 = w - n - 6, (h - n) // 2

    def pixel(x, y):
        bg = (255, 255, 255)
        if x0 <= x < x0 + n and y0 <= y < y0 + n:
            r = mark[y - y0]
            k = 4 * (x - x0)
            return blend(bg, tuple(r[k:k + 4]))
        return bg
    return bmp(w, h, pixel)


def main():
    for name, data in (("olsync.ico", ico((16, 24, 32, 48, 64))), ("wizard.bmp", wizard()),
                       ("header.bmp", header())):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
