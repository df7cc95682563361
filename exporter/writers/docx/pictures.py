"""Pictures: the image file in the package, sized for large print, with its alt text."""

from __future__ import annotations

from exporter.model import Image
from exporter.writers.docx.flow import Flow
from exporter.writers.docx.settings import Element, Metrics

EMU_PER_TWIP = 635
#: The size a picture is meant for, as browsers show it: 96 pixels an inch (1440 twips).
TWIPS_PER_PIXEL = 1440 / 96


def picture_size(px_width: int, px_height: int, m: Metrics, width: int) -> tuple[int, int]:
    """(width, height) in twips: as large as fits ``width`` and the page, enlarged at most
    ``image_max_scale`` times beyond its own size (a small bitmap blurs past that)."""
    w, h = max(px_width, 1) * TWIPS_PER_PIXEL, max(px_height, 1) * TWIPS_PER_PIXEL
    # Room on one page for the picture and a caption of a few lines under it.
    tallest = m.text_height - m.twips(4 * m.line_spacing)
    scale = min(m.cfg.image_max_scale, width / w, tallest / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def picture(body: Flow, image: Image, *, title: str = "") -> Element:
    """A run holding the picture inline: ``descr`` is its alt text, ``title`` its caption."""
    from docx.oxml import OxmlElement
    from docx.oxml.shape import CT_Inline
    from docx.shared import Emu

    rid, found = body.relations.image(body.part, image.path)
    cx, cy = picture_size(found.px_width, found.px_height, body.m, body.width)
    body.shape_id += 1
    body.counts["images"] += 1
    inline = CT_Inline.new_pic_inline(body.shape_id, rid, found.filename,
                                      Emu(cx * EMU_PER_TWIP), Emu(cy * EMU_PER_TWIP))
    # Word's alt text: screen readers read descr; title is the picture's short name.
    doc_pr = inline.docPr
    doc_pr.set("name", f"Picture {body.shape_id}")
    doc_pr.set("descr", image.alt)
    if title:
        doc_pr.set("title", title)
    r = OxmlElement("w:r")
    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    r.append(drawing)
    return r
