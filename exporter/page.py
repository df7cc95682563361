"""One complete page around the shared markup: head, skip link, contents, main text, footer."""

from __future__ import annotations

from html import escape

from exporter.html import Markup, attr, keep_together
from exporter.locale import Messages, messages
from exporter.model import Document, Heading, Outline

#: Stands for a value that is marked up after the message around it is escaped.
_SLOT = "\ue000"


def head_meta(doc: Document) -> str:
    """<title> and <meta> lines for a page's head from the front matter (missing values omitted)."""
    m = doc.meta
    lines = ['<meta charset="utf-8"/>', f"<title>{escape(m.title, quote=False)}</title>"]
    if m.summary.strip():
        lines.append(f'<meta name="description" content="{attr(m.summary)}"/>')
    if m.publisher.strip():
        lines.append(f'<meta name="author" content="{attr(m.publisher)}"/>')
    if m.keywords:
        lines.append(f'<meta name="keywords" content="{attr(", ".join(m.keywords))}"/>')
    if m.subject:
        lines.append(f'<meta name="subject" content="{attr(m.subject)}"/>')
    if m.updated:
        lines.append(f'<meta name="dcterms.modified" content="{m.updated.isoformat()}"/>')
    return "\n".join(lines)


def footer(doc: Document, words: Messages | None = None) -> str:
    """The closing lines every page format prints: the publisher and the update date, each only
    when the source gives it, in the page's language."""
    m = words or messages(doc.meta.language)
    parts = []
    if doc.meta.publisher.strip():
        parts.append(f"<p>{keep_together(m('published_by', publisher=doc.meta.publisher))}</p>")
    if doc.meta.updated:
        # The date stays on one line whatever the language's month names (UKAAF).
        date = f'<span class="nowrap">{escape(m.date(doc.meta.updated), quote=False)}</span>'
        parts.append(f"<p>{keep_together(m('last_updated', date=_SLOT)).replace(_SLOT, date)}</p>")
    return "\n".join(parts)


def page(doc: Document, outline: Outline, *, css: str, contents_label: str | None = None,
         screen: bool = True, markup: Markup | None = None) -> str:
    """One complete page: skip link, title, contents nav, main content, notes, footer.

    The contents label is not a heading, so the page's headings stay exactly the outline; it
    and every other interface word come from the page language's catalogue unless
    ``contents_label`` is given. ``screen=False`` leaves out what only a browser uses
    (viewport, skip link), for print. ``markup`` lets a format render with its own subclass.
    """
    m = messages(doc.meta.language)
    mk = markup if markup is not None else Markup(outline, words=m, keep_words=True)
    title, rest = doc.blocks[0], doc.blocks[1:]
    assert isinstance(title, Heading)  # the reader guarantees the body starts with the title
    lang = attr(doc.meta.language)
    label = escape(contents_label if contents_label is not None else m("contents"))
    main_id, label_id = mk.free_id("main"), mk.free_id("contents-label")
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
    skip = (f'<a class="skip-link" href="#{main_id}">'
            f'{escape(m("skip_to_content"), quote=False)}</a>\n')
    viewport, skip, main_attrs = (viewport, skip, f' id="{main_id}" tabindex="-1"') if screen \
        else ("", "", "")
    body = mk.blocks(rest)
    notes = mk.notes_part(doc.notes)  # after the text, so the markers it links back to exist
    body += f"\n{notes}" if notes else ""
    entries = mk.contents()
    # A page with no sections has nothing to list: no empty navigation landmark.
    nav = (f'<nav class="contents" aria-labelledby="{label_id}">\n'
           f'<p class="contents-label" id="{label_id}"><strong>{label}</strong></p>\n'
           f'{entries}\n</nav>\n' if entries else "")
    closing = footer(doc, m)
    foot = f"<footer>\n{closing}\n</footer>\n" if closing else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}" xml:lang="{lang}" xmlns="http://www.w3.org/1999/xhtml">
<head>
{head_meta(doc)}
{viewport}<style>
{css}
</style>
</head>
<body>
{skip}<header>
{mk.heading(title)}
</header>
{nav}<main{main_attrs}>
{body}
</main>
{foot}</body>
</html>
"""
