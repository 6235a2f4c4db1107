"""Inline SVG charts for the report: sparkline, trend radar, bar chart. Pure functions: data -> str.

Every chart is a self-contained ``<svg>`` element (no scripts, no external references, no CSS
``url()``), readable without JavaScript and scalable through its ``viewBox``. Any text that came
from outside (topic labels, sector names) goes through :func:`esc`, which XML-escapes it and
defuses scheme and event-handler look-alikes (``javascript:``, ``onerror=``) even inside text.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

# Sector colours: dark enough for white numbers on blips (contrast >= 4.5 against white),
# distinct enough side by side; the last one is for topics outside the taxonomy's fields.
PALETTE = (
    "#1f5f9e",  # blue
    "#b34700",  # burnt orange
    "#9c2a2a",  # red
    "#0d7268",  # teal
    "#2f6b2f",  # green
    "#6d3a8c",  # purple
    "#7a5c00",  # ochre
    "#a3195b",  # magenta
    "#5d4037",  # brown
    "#37505f",  # blue grey
    "#5f6b6d",  # grey (other)
)
OTHER_COLOR = "#5f6b6d"
# average advance of a bold sans-serif letter in em, generous (DejaVu Sans Bold is ~0.6)
LABEL_EM = 0.62
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, DejaVu Sans, Arial, sans-serif"

_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|livescript)(\s*):")
_HANDLER = re.compile(r"(?i)(?<![a-z])(on[a-z]+)(\s*)=")


def defuse(escaped: str) -> str:
    """Break ``javascript:`` and ``on…=`` in already escaped text (the reader sees the same text)."""
    return _HANDLER.sub(r"\1\2&#61;", _SCHEME.sub(r"\1\2&#58;", escaped))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not allowed in XML


def esc(text: object) -> str:
    """XML/HTML-escape a value for text or a quoted attribute (never a URL attribute)."""
    return defuse(html.escape(_CONTROL.sub("", "" if text is None else str(text)), quote=True))


def _n(x: float) -> str:
    """A compact coordinate."""
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


# -- sparkline ---------------------------------------------------------------------------------------
def sparkline(
    values: Sequence[float],
    *,
    labels: Sequence[str] = (),
    partial_last: bool = False,
    width: int = 132,
    height: int = 30,
    color: str = "#1f5f9e",
    title: str = "",
) -> str:
    """A small line of counts (oldest first) with the last point marked.

    A partial (still running) last quarter is drawn dashed, since its count is not final."""
    values = [float(v or 0) for v in values]
    if not values:
        return ""
    pad = 4.0
    top = max(values) or 1.0
    step = (width - 2 * pad) / max(1, len(values) - 1)
    pts = [
        (pad + i * step, height - pad - (v / top) * (height - 2 * pad))
        for i, v in enumerate(values)
    ]
    if len(pts) == 1:
        pts.append((width - pad, pts[0][1]))
    solid = pts[:-1] if partial_last and len(pts) > 2 else pts
    line = " ".join(f"{_n(x)},{_n(y)}" for x, y in solid)
    area = f"{_n(solid[0][0])},{_n(height - pad)} {line} {_n(solid[-1][0])},{_n(height - pad)}"
    label = title or " · ".join(
        f"{q}: {int(v) if v == int(v) else v}" for q, v in zip(labels, values)
    )
    out = [
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{esc(label)}</title>",
        f'<polygon points="{area}" fill="{color}" fill-opacity="0.12"/>',
        f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="1.8" '
        'stroke-linejoin="round" stroke-linecap="round"/>',
    ]
    if solid is not pts:
        (x1, y1), (x2, y2) = pts[-2], pts[-1]
        out.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{color}" '
            'stroke-width="1.5" stroke-dasharray="2 2"/>'
        )
    x, y = pts[-1] if len(values) > 1 else pts[0]
    out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.6" fill="{color}"/>')
    out.append("</svg>")
    return "".join(out)


def sparkline_text(values: Sequence[float]) -> str:
    """The same line as block characters, for Markdown and terminals."""
    bars = "▁▂▃▄▅▆▇█"
    top = max(values) if values else 0
    if not top:
        return "▁" * len(values)
    return "".join(bars[min(7, int(round(v / top * 7)))] for v in values)


# -- bar chart ---------------------------------------------------------------------------------------
def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str = "",
    partial: Sequence[bool] = (),
    width: int = 640,
    height: int = 220,
    color: str = "#1f5f9e",
    value_format=lambda v: f"{int(v)}",
    partial_note: str = "",
) -> str:
    """Vertical bars with the value on top and the label below (e.g. articles per quarter)."""
    if not items:
        return ""
    left, right, top, bottom = 10.0, 10.0, 34.0 if title else 18.0, 30.0
    plot_h = height - top - bottom
    slot = (width - left - right) / len(items)
    bar_w = min(56.0, slot * 0.7)
    peak = max(v for _, v in items) or 1.0
    label = title or " · ".join(f"{k}: {value_format(v)}" for k, v in items)
    out = [
        f'<svg class="bars" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(label)}" '
        f'font-family="{FONT}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{esc(label)}</title>",
    ]
    if title:
        out.append(
            f'<text x="{_n(left)}" y="18" font-size="14" font-weight="600" fill="#222">{esc(title)}</text>'
        )
    base = top + plot_h
    out.append(
        f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{_n(width - right)}" y2="{_n(base)}" stroke="#888"/>'
    )
    for i, (name, value) in enumerate(items):
        h = (value / peak) * (plot_h - 16)
        x = left + i * slot + (slot - bar_w) / 2
        is_partial = i < len(partial) and partial[i]
        fill = f'fill="{color}"' + (' fill-opacity="0.45"' if is_partial else "")
        dash = ' stroke="#1f5f9e" stroke-dasharray="3 2"' if is_partial else ""
        out.append(
            f'<rect x="{_n(x)}" y="{_n(base - h)}" width="{_n(bar_w)}" height="{_n(h)}" {fill}{dash}>'
            f"<title>{esc(name)}: {esc(value_format(value))}"
            f"{esc(' (' + partial_note + ')') if is_partial and partial_note else ''}</title></rect>"
        )
        cx = x + bar_w / 2
        out.append(
            f'<text x="{_n(cx)}" y="{_n(base - h - 4)}" font-size="12" text-anchor="middle" '
            f'fill="#222">{esc(value_format(value))}{"*" if is_partial else ""}</text>'
        )
        out.append(
            f'<text x="{_n(cx)}" y="{_n(base + 17)}" font-size="12" text-anchor="middle" '
            f'fill="#444">{esc(name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


# -- radar -------------------------------------------------------------------------------------------
def _split_label(text: str, limit: int = 14) -> list[str]:
    """One or two lines for a sector name (split at the space nearest the middle)."""
    if len(text) <= limit or " " not in text:
        return [text]
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return [text[:cut], text[cut + 1 :]]


def _cell_points(
    r0: float,
    r1: float,
    a0: float,
    a1: float,
    n: int,
    radius: float,
    keepout: Sequence[tuple[float, float, float, float]] = (),
) -> list[tuple[float, float]]:
    """n well-spread points (polar: r, angle) inside one ring-sector cell, at least 2.6 radii apart.

    Candidates lie on arcs 2.6 radii apart, spaced 2.6 radii along each arc, away from the cell's
    edges; [] when fewer than n fit (the caller then shrinks the blips). From the candidates, n are
    chosen greedily and then improved a few rounds: each point wants its nearest neighbour far
    (up to 4 radii, beyond that it does not matter) and itself near the cell's centre.
    `keepout`: boxes (x0, y0, x1, y1, relative to the radar's centre) no blip may touch (labels)."""
    gap = radius * 2.6
    cands: list[tuple[float, float]] = []
    r = r1 - radius * 1.4
    while r >= max(r0 + radius * 1.3, radius * 1.6):
        margin = (radius * 1.4) / r
        span = (a1 - a0) - 2 * margin
        if span >= 0:
            k = int(span * r // gap) + 1
            if k == 1:
                cands.append((r, (a0 + a1) / 2))
            else:
                step = span / (k - 1)
                cands.extend((r, a0 + margin + j * step) for j in range(k))
        r -= gap
    if r0 == 0 and not cands:
        cands.append((radius * 1.6, (a0 + a1) / 2))
    cands = [
        (cr, ca)
        for cr, ca in cands
        if not any(
            x0 - radius <= cr * math.cos(ca) <= x1 + radius
            and y0 - radius <= cr * math.sin(ca) <= y1 + radius
            for x0, y0, x1, y1 in keepout
        )
    ]
    if len(cands) < n:
        return []
    xy = [(cr * math.cos(ca), cr * math.sin(ca)) for cr, ca in cands]
    rc = (r0 + r1) / 2 if r0 else r1 * 0.55
    ac = (a0 + a1) / 2
    cx, cy = rc * math.cos(ac), rc * math.sin(ac)
    centre = [math.hypot(x - cx, y - cy) for x, y in xy]
    cap = radius * 4.0

    def dist(i: int, j: int) -> float:
        return math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1])

    def score(i: int, others: list[int]) -> float:
        near = min((dist(i, j) for j in others), default=cap)
        return min(near, cap) - 0.15 * centre[i]

    chosen = [min(range(len(cands)), key=lambda i: (centre[i], i))]
    while len(chosen) < n:
        free = [i for i in range(len(cands)) if i not in chosen]
        chosen.append(max(free, key=lambda i: (score(i, chosen), -i)))
    for _ in range(3):
        changed = False
        for k in range(len(chosen)):
            others = chosen[:k] + chosen[k + 1 :]
            free = [i for i in range(len(cands)) if i not in chosen or i == chosen[k]]
            best = max(free, key=lambda i: (score(i, others), -i))
            if best != chosen[k] and score(best, others) > score(chosen[k], others) + 1e-9:
                chosen[k], changed = best, True
        if not changed:
            break
    return [cands[i] for i in chosen]


def radar(
    sectors: Sequence[dict],
    rings: Sequence[str],
    blips: Sequence[dict],
    *,
    title: str = "",
    new_label: str = "new",
    moved_in_label: str = "moved in",
    moved_out_label: str = "moved out",
) -> str:
    """The trend radar: sectors clockwise from 12 o'clock, rings from the centre outwards.

    sectors: [{"name", "color"}]; rings: names, innermost first.
    blips: [{"number", "sector" (index), "ring" (index), "label", "href" ("#anchor" only),
             "is_new", "moved" ("in" | "out" | None)}]. Blips are numbered circles linking to their
    topic's section: a ring around the circle marks a new topic, a triangle a topic that moved ring
    (pointing inwards = moved to a more mature ring)."""
    width, height = 1140, 1000
    cx, cy, big_r = width / 2, height / 2 + 10, 410.0
    fractions = (0.34, 0.57, 0.79, 1.0)[-len(rings) :] if len(rings) <= 4 else None
    if fractions is None:
        fractions = tuple((i + 1) / len(rings) for i in range(len(rings)))
    radii = [0.0] + [f * big_r for f in fractions]
    n_sec = max(1, len(sectors))
    sweep = 2 * math.pi / n_sec
    start = -math.pi / 2

    def xy(r: float, a: float) -> tuple[float, float]:
        return cx + r * math.cos(a), cy + r * math.sin(a)

    out = [
        f'<svg class="radar" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(title)}" font-family="{FONT}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{esc(title)}</title>",
    ]
    # rings (outer first so inner ones paint over), alternating greys
    shades = ("#eef1f4", "#e2e7ec", "#d6dde4", "#cad3dc")
    for k in range(len(rings) - 1, -1, -1):
        out.append(
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radii[k + 1])}" '
            f'fill="{shades[k % len(shades)]}" stroke="#fff" stroke-width="2"/>'
        )
    # sector dividers and labels; a long name beside 3 or 9 o'clock can reach past the picture's
    # edge ("Infrastruktur" once the "other" sector shifts the sectors): the box grows to hold it
    left, right = 0.0, float(width)
    for s, sec in enumerate(sectors):
        a = start + s * sweep
        x, y = xy(big_r, a)
        out.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" stroke="#fff" stroke-width="3"/>'
        )
        mid = a + sweep / 2
        lx, ly = xy(big_r + 22, mid)
        cos = math.cos(mid)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        lines = _split_label(str(sec["name"]))
        text_w = max(len(line) for line in lines) * 20 * LABEL_EM + 8
        share = {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor]
        left, right = min(left, lx - share * text_w), max(right, lx + (1 - share) * text_w)
        dy0 = -(len(lines) - 1) * 11 + (6 if math.sin(mid) > 0.3 else 0)
        if math.sin(mid) < -0.3:
            dy0 -= 6
        tspans = "".join(
            f'<tspan x="{_n(lx)}" dy="{0 if i == 0 else 22}">{esc(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        out.append(
            f'<text x="{_n(lx)}" y="{_n(ly + dy0 + 7)}" font-size="20" font-weight="600" '
            f'text-anchor="{anchor}" fill="{sec["color"]}">{tspans}</text>'
        )
        # a coloured rim arc so the sector's colour is visible next to its blips
        a0, a1 = a + 0.01, a + sweep - 0.01
        x0, y0 = xy(big_r + 6, a0)
        x1, y1 = xy(big_r + 6, a1)
        large = 1 if sweep > math.pi else 0
        out.append(
            f'<path d="M{_n(x0)},{_n(y0)} A{_n(big_r + 6)},{_n(big_r + 6)} 0 {large} 1 {_n(x1)},{_n(y1)}" '
            f'fill="none" stroke="{sec["color"]}" stroke-width="6"/>'
        )
    # ring names along the 12 o'clock axis, centred in their band; blips keep clear of them
    keepout: list[tuple[float, float, float, float]] = []
    for k, name in enumerate(rings):
        r_mid = (radii[k] + radii[k + 1]) / 2 if k else radii[1] * 0.45
        half = len(str(name)) * 17 * LABEL_EM / 2 + 4
        keepout.append((-half, -r_mid - 12, half, -r_mid + 8))
        out.append(
            f'<text x="{_n(cx)}" y="{_n(cy - r_mid + 6)}" font-size="17" font-weight="700" '
            'text-anchor="middle" fill="#3b4650" stroke="#fff" stroke-width="4" '
            f'paint-order="stroke" letter-spacing="0.5">{esc(name)}</text>'
        )
    # blips, cell by cell
    cells: dict[tuple[int, int], list[dict]] = {}
    for b in blips:
        cells.setdefault((int(b["sector"]), int(b["ring"])), []).append(b)
    for (s, k), members in sorted(cells.items()):
        members = sorted(members, key=lambda b: b["number"])
        a0, a1 = start + s * sweep, start + (s + 1) * sweep
        radius, points = 17.0, []
        while radius >= 7.0:
            points = _cell_points(radii[k], radii[k + 1], a0, a1, len(members), radius, keepout)
            if points:
                break
            radius *= 0.88
        if not points:  # hopelessly crowded: spiral inside the cell, overlapping
            points = [
                (
                    radii[k] + (radii[k + 1] - radii[k]) * (0.2 + 0.6 * ((i * 0.618) % 1)),
                    a0 + (a1 - a0) * (0.1 + 0.8 * ((i * 0.382) % 1)),
                )
                for i in range(len(members))
            ]
        points = sorted(points, key=lambda p: (round(p[1], 2), -p[0]))  # numbers run clockwise
        color = sectors[s]["color"] if s < len(sectors) else OTHER_COLOR
        for b, (r, a) in zip(members, points):
            x, y = xy(r, a)
            out.append(_blip(b, x, y, radius, color, new_label, moved_in_label, moved_out_label))
    out.append("</svg>")
    if (left, right) != (0, width):
        out[0] = out[0].replace(
            f'viewBox="0 0 {width} {height}"', f'viewBox="{_n(left)} 0 {_n(right - left)} {height}"'
        )
    return "".join(out)


def _blip(
    b: dict, x: float, y: float, radius: float, color: str, new: str, moved_in: str, moved_out: str
) -> str:
    href = str(b.get("href") or "")
    if not href.startswith("#"):
        href = ""
    notes = [new] if b.get("is_new") else []
    if b.get("moved") == "in":
        notes.append(moved_in)
    elif b.get("moved") == "out":
        notes.append(moved_out)
    tip = f"{b['number']}. {b.get('label', '')}" + (f" ({', '.join(notes)})" if notes else "")
    parts = [f"<title>{esc(tip)}</title>"]
    if b.get("moved") in ("in", "out"):
        h = radius * 1.25
        if b["moved"] == "in":  # pointing to the centre of the radar is not needed: up = inwards
            pts = [(x, y - h * 1.15), (x - h, y + h * 0.8), (x + h, y + h * 0.8)]
        else:
            pts = [(x, y + h * 1.15), (x - h, y - h * 0.8), (x + h, y - h * 0.8)]
        parts.append(
            f'<polygon points="{" ".join(f"{_n(px)},{_n(py)}" for px, py in pts)}" fill="{color}" '
            'stroke="#fff" stroke-width="1.5"/>'
        )
        ty = y + (radius * 0.22 if b["moved"] == "in" else -radius * 0.12)
    else:
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(radius)}" fill="{color}" stroke="#fff" stroke-width="1.5"/>'
        )
        ty = y
    if b.get("is_new"):
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(radius + 4)}" fill="none" stroke="{color}" stroke-width="2.2"/>'
        )
    size = radius * (0.95 if b["number"] < 100 else 0.8)
    parts.append(
        f'<text x="{_n(x)}" y="{_n(ty + size * 0.36)}" font-size="{_n(size)}" font-weight="700" '
        f'text-anchor="middle" fill="#fff">{int(b["number"])}</text>'
    )
    body = "".join(parts)
    if href:
        return f'<a href="{esc(href)}" class="blip">{body}</a>'
    return f'<g class="blip">{body}</g>'


def legend_icon(kind: str, color: str = "#37505f") -> str:
    """A small icon for the radar legend: 'blip', 'new', 'in', 'out'."""
    parts = [
        '<svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    if kind == "in":
        parts.append(f'<polygon points="12,3 3,19 21,19" fill="{color}"/>')
    elif kind == "out":
        parts.append(f'<polygon points="12,21 3,5 21,5" fill="{color}"/>')
    else:
        parts.append(f'<circle cx="12" cy="12" r="{6 if kind == "new" else 8}" fill="{color}"/>')
        if kind == "new":
            parts.append(
                f'<circle cx="12" cy="12" r="10" fill="none" stroke="{color}" stroke-width="2"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
