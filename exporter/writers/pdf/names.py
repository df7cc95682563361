"""Picture names that depend on the picture, not on the folder it was read from.

WeasyPrint names an image XObject after the MD5 of its URL, so the same page built in another
checkout (another absolute path) gives other bytes. Each picture is renamed after its own
data here; a page without pictures is left exactly as it was.
"""

from __future__ import annotations

import hashlib
from typing import Any

# Imported at module top on purpose: only the PDF writer imports this module, inside render().
import pikepdf


def stable_image_names(pdf: pikepdf.Pdf) -> int:
    """Rename every image XObject after a digest of its data; return how many were renamed."""
    renames: dict[str, str] = {}
    holders: list[Any] = []
    for page in pdf.pages:
        _collect(page.obj.get("/Resources"), renames, holders, set())
    if not renames:
        return 0
    for xobjects in holders:
        items = list(xobjects.items())
        for name, _ in items:
            if name in renames:
                del xobjects[name]
        for name, value in items:
            xobjects[renames.get(name, name)] = value
    for page in pdf.pages:
        _rewrite(pdf, page.obj, renames)
    return len(renames)


def _collect(resources: Any, renames: dict[str, str], holders: list[Any],
             seen: set[tuple[int, int]]) -> None:
    if not isinstance(resources, pikepdf.Dictionary):
        return
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, pikepdf.Dictionary) or (
            xobjects.objgen in seen and xobjects.objgen != (0, 0)):
        return
    seen.add(xobjects.objgen)
    holders.append(xobjects)
    for name, xobject in xobjects.items():
        if xobject.get("/Subtype") == "/Image":
            digest = hashlib.sha256(xobject.read_raw_bytes()).hexdigest()[:24]
            renames.setdefault(name, f"/Im{digest}")
        elif xobject.get("/Subtype") == "/Form":
            _collect(xobject.get("/Resources"), renames, holders, seen)


def _rewrite(pdf: pikepdf.Pdf, holder: Any, renames: dict[str, str]) -> None:
    """Rename the operands of ``Do`` in a page's (or a form's) content, forms included."""
    resources = holder.get("/Resources")
    if isinstance(resources, pikepdf.Dictionary):
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form":
                _rewrite(pdf, xobject, renames)
    is_page = holder.get("/Type") == "/Page"
    target = pikepdf.Page(holder) if is_page else holder
    ops = pikepdf.parse_content_stream(target)
    if not any(str(op.operator) == "Do" and str(op.operands[0]) in renames for op in ops):
        return
    out = [([pikepdf.Name(renames[str(op.operands[0])])], op.operator)
           if str(op.operator) == "Do" and str(op.operands[0]) in renames else op for op in ops]
    data = pikepdf.unparse_content_stream(out)
    if is_page:
        holder.Contents = pdf.make_stream(data)
    else:
        holder.write(data)
