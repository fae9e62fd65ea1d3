"""Read back the text of the gateway's credential slips (fpdf2, embedded TrueType subsets, Identity-H):
each page's strings in order, decoded through the fonts' ToUnicode maps. Enough for the slips, not a
general PDF reader."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n", re.S)
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if match is None:
        return b""
    # The data is exactly /Length bytes: compressed data may itself end in CR or LF, so trimming the
    # line break before «endstream» by pattern cut a stream short now and then (zlib error -5).
    length = re.search(rb"/Length (\d+)", match.group(1))
    assert length is not None, "a stream without /Length"
    data = body[match.end() : match.end() + int(length.group(1))]
    return zlib.decompress(data) if b"FlateDecode" in match.group(1) else data


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    """Return the bytes of the PDF literal string opening at `start` and the index after it."""
    out, i, depth = bytearray(), start + 1, 1
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash
            nxt = data[i + 1]
            if 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
                assert digits is not None
                out.append(int(digits.group(0), 8) & 0xFF)
                i += 1 + len(digits.group(0))
                continue
            if nxt in (0x0D, 0x0A):
                i += 2
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(c)
        i += 1
    raise ValueError("unterminated string")


def page_strings(pdf: bytes) -> list[list[str]]:
    """Return, page by page, every shown string in order."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    to_unicode: dict[int, dict[int, str]] = {}
    for number, body in objects.items():
        ref = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if ref:
            cmap = _stream(objects[int(ref.group(1))])
            to_unicode[number] = {
                int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be")
                for a, b in re.findall(
                    rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", cmap.split(b"beginbfchar", 1)[-1]
                )
            }
    fonts = {
        int(name): to_unicode.get(int(ref), {})
        for body in objects.values()
        for name, ref in re.findall(rb"/F(\d+) (\d+) 0 R", body)
    }
    pages: list[list[str]] = []
    for body in objects.values():
        if not re.search(rb"/Type /Page\b(?!s)", body):
            continue
        content = re.search(rb"/Contents (\d+) 0 R", body)
        assert content is not None
        data = _stream(objects[int(content.group(1))])
        strings: list[str] = []
        font: dict[int, str] = {}
        i = 0
        while i < len(data):
            if data[i] == 0x2F and (tf := re.match(rb"/F(\d+) [\d.]+ Tf", data[i : i + 30])):
                font = fonts[int(tf.group(1))]
                i += len(tf.group(0))
            elif data[i] == 0x28:
                raw, i = _literal(data, i)
                strings.append(
                    "".join(
                        font.get(int.from_bytes(raw[j : j + 2], "big"), "?") for j in range(0, len(raw), 2)
                    )
                )
            else:
                i += 1
        pages.append(strings)
    return pages


def after(strings: list[str], label: str) -> str:
    """Return the string shown right after a label on a page («Логин:» → the login)."""
    return strings[strings.index(label) + 1]
