"""Where a link leads in each kind of format, and what print adds after a link to another page.

A link to another page of the collection (``Link.page``, resolved by exporter.collection)
leads, in the HTML pages published together, to the other page's file
("other-page.html#section"); in every other format to its published address (base_url +
that file), or nowhere when the page has none. Print cannot be clicked, so it also names the
page: "(see: Other page, https://…)", in the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from exporter.locale import Messages, messages
from exporter.model import Document, Link, iter_inlines, plain_text
from exporter.sentences import normalise

#: "html": web pages published side by side; "print": PDF, Word, braille (shown on paper,
#: so the page is named); "ebook": any other format that can hold a web address (EPUB, audio).
Kind = Literal["html", "print", "ebook"]


def link_target(link: Link, kind: Kind = "html") -> str:
    """The address a format puts on a link; "" when it can have none (a link to another page
    without a published address, outside HTML): the format shows the link's text alone."""
    page = link.page
    if page is None:
        return link.href
    if not page.name:  # not resolved: only a document read outside a collection has these
        return ""
    return page.file if kind == "html" else page.address


def page_reference(link: Link, words: Messages) -> str:
    """What print shows in brackets after the text of a link to another page: "see: Other page,
    https://…", "see: Other page" without an address, "" for any other link.

    The title is left out when the link's text already is that title.
    """
    page = link.page
    if page is None or not page.name:
        return ""
    text = normalise(plain_text(link.children)).casefold()
    named = bool(page.title) and normalise(page.title).casefold() != text
    if named and page.address:
        return words("see_page", title=page.title, address=page.address)
    if named:
        return words("see_page_title", title=page.title)
    if page.address:
        return words("see_address", address=page.address)
    return ""


def page_references(doc: Document) -> list[str]:
    """Every reference print adds after a link to another page in ``doc`` (checks take them
    out before comparing the source's sentences with what a format shows)."""
    words = messages(doc.meta.language)
    blocks = (*doc.blocks, *(b for n in doc.notes for b in n.blocks))
    found = (page_reference(n, words) for n in iter_inlines(blocks) if isinstance(n, Link))
    return sorted({r for r in found if r}, key=len, reverse=True)


def reference_patterns(doc: Document,
                       fold: Callable[[str], str] = lambda s: s) -> list[re.Pattern[str]]:
    """Regular expressions finding, in text read back from a format, each reference print
    added after a link to another page, with the space before it: spaces may differ, and
    the address may come back changed (braille reads "https://" back as "httpscc//").

    ``fold`` is applied to the words first, as the caller folds the text it searches.
    """
    words = messages(doc.meta.language)
    blocks = (*doc.blocks, *(b for n in doc.notes for b in n.blocks))
    found: dict[str, re.Pattern[str]] = {}
    for node in iter_inlines(blocks):
        if not isinstance(node, Link) or node.page is None:
            continue
        reference = page_reference(node, words)
        if not reference or reference in found:
            continue
        address = node.page.address
        before, _, after = reference.partition(address) if address else (reference, "", "")
        parts = [_loose(fold(before)), r"\S+?" if address else "", _loose(fold(after))]
        found[reference] = re.compile(rf"\s*\(\s*{''.join(parts)}\s*\)")
    return [found[r] for r in sorted(found, key=len, reverse=True)]


def _loose(text: str) -> str:
    """``text`` as a pattern whose spaces match any run of white space."""
    return r"\s+".join(re.escape(w) for w in text.split(" ")) if text.strip() else \
        re.escape(text)
