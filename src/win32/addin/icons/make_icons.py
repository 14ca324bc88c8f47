#!/usr/bin/env python3
"""Draws the add-in's ribbon icons and writes them as PNG files plus icons.rc.

Standard library only (zlib, struct). Each icon is a list of vector shapes on a 32x32
design grid, rasterised with supersampling at every size the ribbon asks for: 16 px
(context menus) and 32 px (large buttons) at 100 %, 150 % and 200 % display scaling.
Run it from anywhere; it writes next to itself. The output is deterministic.
"""
import math
import os
import struct
import zlib

SIZES = (16, 24, 32, 48, 64)
HERE = os.path.dirname(os.path.abspath(__file__))

BLUE = (0x2B, 0x6C, 0xB0, 255)
GREEN = (0x2F, 0x85, 0x5A, 255)
ORANGE = (0xDD, 0x6B, 0x20, 255)
RED = (0xC5, 0x30, 0x30, 255)
GRAY = (0x4A, 0x55, 0x68, 255)
LIGHTGRAY = (0x8A, 0x94, 0xA6, 255)
YELLOW = (0xD6, 0x9E, 0x2E, 255)
DARKYELLOW = (0xB7, 0x79, 0x1F, 255)
PURPLE = (0x6B, 0x46, 0xC1, 255)
TEAL = (0x2C, 0x7A, 0x7B, 255)
WHITE = (255, 255, 255, 255)
CLEAR = None  # cuts a hole into what was drawn before


# ---- shapes: each is (inside(x, y) -> bool, colour) -------------------------------

def circle(cx, cy, r, col):
    return (lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r, col)


def _angle_in(a, a0, a1):
    a = (a - a0) % 360.0
    return a <= (a1 - a0) % 360.0 or (a1 - a0) % 360.0 == 0


def ring(cx, cy, r_out, r_in, col, a0=None, a1=None):
    """Annulus; with a0/a1 (degrees, counter-clockwise, 0 = east) only that arc."""
    def inside(x, y):
        d = (x - cx) ** 2 + (y - cy) ** 2
        if d > r_out * r_out or d < r_in * r_in:
            return False
        if a0 is None:
            return True
        return _angle_in(math.degrees(math.atan2(cy - y, x - cx)), a0, a1)
    return (inside, col)


def poly(points, col):
    def inside(x, y):
        c = False
        n = len(points)
        for i in range(n):
            x0, y0 = points[i]
            x1, y1 = points[(i + 1) % n]
            if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
                c = not c
        return c
    return (inside, col)


def line(x0, y0, x1, y1, w, col):
    """A stroke with round ends (a capsule)."""
    dx, dy = x1 - x0, y1 - y0
    ll = dx * dx + dy * dy or 1e-9

    def inside(x, y):
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / ll))
        px, py = x0 + t * dx, y0 + t * dy
        return (x - px) ** 2 + (y - py) ** 2 <= (w / 2) ** 2
    return (inside, col)


def rect(x0, y0, x1, y1, col, r=0.0):
    def inside(x, y):
        if x < x0 or x > x1 or y < y0 or y > y1:
            return False
        if r <= 0:
            return True
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    return (inside, col)


def arrowhead(cx, cy, radius, theta, length, half, col, forward=True):
    """A triangle at angle theta on a circle, pointing along the circle."""
    t = math.radians(theta)
    px, py = cx + radius * math.cos(t), cy - radius * math.sin(t)
    tx, ty = -math.sin(t), -math.cos(t)  # direction of growing angle (y down)
    if not forward:
        tx, ty = -tx, -ty
    nx, ny = math.cos(t), -math.sin(t)
    return poly([(px + nx * half, py + ny * half), (px + tx * length, py + ty * length),
                 (px - nx * half, py - ny * half)], col)


def moved(shapes, dx, dy, s=1.0):
    """The same shapes scaled by s around the origin, then shifted."""
    out = []
    for inside, col in shapes:
        out.append(((lambda f: lambda x, y: f((x - dx) / s, (y - dy) / s))(inside), col))
    return out


def folder(x, y, w, h, col):
    return [rect(x, y, x + w * 0.45, y + h * 0.4, col, r=1.0),
            rect(x, y + h * 0.2, x + w, y + h, col, r=1.5)]


def person(cx, top, scale, col):
    s = scale
    return [circle(cx, top + 5.5 * s, 5.5 * s, col),
            rect(cx - 10 * s, top + 12.5 * s, cx + 10 * s, top + 24 * s, col, r=5 * s)]


# ---- icons ------------------------------------------------------------------------

def sync_shapes(col):
    return [ring(16, 16, 12, 8, col, 25, 155), arrowhead(16, 16, 10, 155, 6.5, 5.5, col),
            ring(16, 16, 12, 8, col, 205, 335), arrowhead(16, 16, 10, 335, 6.5, 5.5, col)]


def gear():
    shapes = [circle(16, 16, 10, GRAY)]
    for k in range(8):
        a = math.radians(k * 45)
        ux, uy = math.cos(a), math.sin(a)
        vx, vy = -uy, ux
        pts = []
        for du, dv in ((8, -2.6), (14.5, -2.6), (14.5, 2.6), (8, 2.6)):
            pts.append((16 + ux * du + vx * dv, 16 + uy * du + vy * dv))
        shapes.append(poly(pts, GRAY))
    shapes.append(circle(16, 16, 4.5, CLEAR))
    return shapes


ICONS = {
    "sync": sync_shapes(BLUE),
    "foldertree": folder(2, 2, 17, 12, YELLOW) + [
        line(6, 14, 6, 26, 1.8, GRAY), line(6, 19.5, 12, 19.5, 1.8, GRAY),
        line(6, 26, 12, 26, 1.8, GRAY)] + folder(12, 15.5, 17, 7.5, DARKYELLOW)
        + folder(12, 23, 17, 7.5, DARKYELLOW),
    "activity": [circle(16, 13, 8.5, ORANGE), rect(7.5, 13, 24.5, 23, ORANGE),
                 rect(4, 21.5, 28, 25, ORANGE, r=1.5), circle(16, 27.5, 3, ORANGE),
                 circle(16, 4.5, 2.2, ORANGE)],
    "filter": [poly([(3, 5), (29, 5), (19.5, 16), (19.5, 26), (12.5, 29.5), (12.5, 16)], PURPLE)],
    "forward": [rect(2, 6, 22, 22, BLUE, r=1.5),
                line(3.5, 8, 12, 15, 1.6, WHITE), line(12, 15, 20.5, 8, 1.6, WHITE),
                poly([(14, 18), (22, 18), (22, 13.5), (30.5, 21.5), (22, 29.5), (22, 25),
                      (14, 25)], GREEN)],
    "autoreply": [ring(16, 16, 14, 11, TEAL), line(16, 16, 16, 8, 2.6, TEAL),
                  line(16, 16, 22, 19.5, 2.6, TEAL), circle(16, 16, 2, TEAL)],
    "newprofile": person(12, 6, 1.0, GRAY) + [rect(23, 1.5, 27, 15.5, GREEN, r=0.8),
                                            rect(18, 6.5, 32, 10.5, GREEN, r=0.8)],
    "bindprofile": [line(5, 25, 14, 16, 10, GRAY), line(5, 25, 14, 16, 4.5, CLEAR),
                    line(18, 16, 27, 7, 10, BLUE), line(18, 16, 27, 7, 4.5, CLEAR)],
    "license": [ring(9.5, 16, 7.5, 3.5, DARKYELLOW), rect(15, 14, 30, 18, DARKYELLOW),
                rect(22.5, 16, 25.5, 23, DARKYELLOW), rect(27, 16, 30, 21.5, DARKYELLOW)],
    "settings": gear(),
    "help": [circle(16, 16, 14.5, BLUE), ring(16, 12, 6.5, 3.4, WHITE, -55, 200),
             line(18.4, 16.8, 16, 19, 3.1, WHITE), line(16, 19, 16, 20.5, 3.1, WHITE),
             circle(16, 25.5, 2.1, WHITE)],
    "syncfolder": folder(1, 3, 24, 18, YELLOW) + [circle(22, 22, 10, WHITE)]
        + moved(sync_shapes(BLUE), 13, 13, 0.56),
    "clearignore": [ring(16, 16, 12.5, 8.5, ORANGE, 60, 360),
                    arrowhead(16, 16, 10.5, 60, 7, 6, ORANGE, forward=False),
                    line(12.5, 12.5, 19.5, 19.5, 2.6, GRAY), line(19.5, 12.5, 12.5, 19.5, 2.6, GRAY)],
    "share": person(21, 3, 0.85, LIGHTGRAY) + person(12, 7, 1.0, BLUE),
    "removeshared": person(12, 6, 1.0, GRAY) + [line(20, 4, 29, 13, 3.4, RED),
                                              line(29, 4, 20, 13, 3.4, RED)],
}


# ---- rasteriser and PNG writer ----------------------------------------------------

def render(shapes, n):
    ss = 8 if n <= 24 else 4
    unit = 32.0 / n
    rows = []
    for py in range(n):
        row = bytearray()
        for px in range(n):
            acc = [0.0, 0.0, 0.0, 0.0]  # premultiplied sums
            for sy in range(ss):
                for sx in range(ss):
                    x = (px + (sx + 0.5) / ss) * unit
                    y = (py + (sy + 0.5) / ss) * unit
                    col = None
                    for inside, c in shapes:
                        if inside(x, y):
                            col = c
                    if col is not None:
                        a = col[3] / 255.0
                        acc[0] += col[0] * a
                        acc[1] += col[1] * a
                        acc[2] += col[2] * a
                        acc[3] += a
            k = ss * ss
            alpha = acc[3] / k
            if alpha > 0:
                r, g, b = (acc[i] / acc[3] for i in range(3))
            else:
                r = g = b = 0
            row += bytes((int(round(r)), int(round(g)), int(round(b)), int(round(alpha * 255))))
        rows.append(bytes(row))
    return rows


def png(rows, n):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    rc = ["/* Generated by make_icons.py: one PNG resource per icon and size. */"]
    for name in sorted(ICONS):
        for n in SIZES:
            fname = "%s_%d.png" % (name, n)
            with open(os.path.join(HERE, fname), "wb") as f:
                f.write(png(render(ICONS[name], n), n))
            rc.append('%s_%d PNG "icons/%s"' % (name.upper(), n, fname))
    with open(os.path.join(HERE, "icons.rc"), "w") as f:
        f.write("\n".join(rc) + "\n")


if __name__ == "__main__":
    main()
