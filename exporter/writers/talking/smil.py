"""SMIL documents: EPUB 3 media overlays (SMIL 3.0) and DAISY 2.02 (SMIL 1.0) files."""

from __future__ import annotations

from collections.abc import Sequence

from exporter.html import attr
from exporter.writers.talking.timeline import Par, clock, hms, npt


def overlay(pars: Sequence[Par], text_href: str, audio_href: Sequence[str], rate: int) -> bytes:
    """An EPUB 3 media overlay for one content document.

    text_href: the content document relative to the overlay; audio_href: each track's file
    relative to the overlay; pars' text is "file#id" (the file is the content document's).
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<smil xmlns="http://www.w3.org/ns/SMIL" '
             'xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">',
             f'<body epub:textref="{attr(text_href)}">']
    for n, p in enumerate(pars, start=1):
        fragment = p.text.partition("#")[2]
        lines.append(
            f'<par id="par-{n}"><text src="{attr(text_href)}#{attr(fragment)}"/>'
            f'<audio src="{attr(audio_href[p.track])}" clipBegin="{clock(p.begin, rate)}" '
            f'clipEnd="{clock(p.end, rate)}"/></par>')
    lines += ["</body>", "</smil>", ""]
    return "\n".join(lines).encode()


def daisy(pars: Sequence[Par], title: str, identifier: str, audio: str, rate: int,
          elapsed: float, prefix: str) -> bytes:
    """One DAISY 2.02 SMIL file: the pars of one section, in one sequence."""
    seconds = sum(p.end - p.begin for p in pars) / rate
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" '
        '"http://www.w3.org/TR/REC-smil/SMIL10.dtd">',
        "<smil>", "<head>",
        '<meta name="dc:format" content="Daisy 2.02"/>',
        f'<meta name="dc:title" content="{attr(title)}"/>',
        f'<meta name="dc:identifier" content="{attr(identifier)}"/>',
        f'<meta name="ncc:totalElapsedTime" content="{clock_daisy(elapsed)}"/>',
        f'<meta name="ncc:timeInThisSmil" content="{clock_daisy(seconds)}"/>',
        '<layout><region id="txtView"/></layout>',
        "</head>", "<body>",
        f'<seq dur="{seconds:.3f}s">',
    ]
    body = [
        f'<par endsync="last" id="{prefix}par-{n}">'
        f'<text src="{attr(p.text)}" id="{prefix}txt-{n}"/>'
        f'<audio src="{attr(audio)}" clip-begin="{npt(p.begin, rate)}" '
        f'clip-end="{npt(p.end, rate)}" id="{prefix}aud-{n}"/></par>'
        for n, p in enumerate(pars, start=1)]
    return "\n".join([*head, *body, "</seq>", "</body>", "</smil>", ""]).encode()


def master(files: Sequence[tuple[str, str]], title: str, identifier: str,
           total: int) -> bytes:
    """master.smil: every section's SMIL file in order, (file, title) each."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" '
        '"http://www.w3.org/TR/REC-smil/SMIL10.dtd">',
        "<smil>", "<head>",
        '<meta name="dc:format" content="Daisy 2.02"/>',
        f'<meta name="dc:title" content="{attr(title)}"/>',
        f'<meta name="dc:identifier" content="{attr(identifier)}"/>',
        f'<meta name="ncc:timeInThisSmil" content="{hms(total)}"/>',
        '<layout><region id="txtView"/></layout>',
        "</head>", "<body>",
    ]
    lines += [f'<ref src="{attr(f)}" title="{attr(t)}" id="ms-{n}"/>'
              for n, (f, t) in enumerate(files, start=1)]
    return "\n".join([*lines, "</body>", "</smil>", ""]).encode()


def clock_daisy(seconds: float) -> str:
    """DAISY 2.02's "h:mm:ss.sss" (a clock value to the millisecond)."""
    ms = round(seconds * 1000)
    secs, ms = divmod(ms, 1000)
    minutes, secs = divmod(secs, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}.{ms:03d}"
