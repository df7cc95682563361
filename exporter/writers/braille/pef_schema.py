"""PEF 1.0 validity: the structure and two Schematron rules of its schema, and RELAX NG if found."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from exporter.writers.braille.pef import DC, MEDIA_TYPE, NS

#: Where the PEF 1.0 RELAX NG schema (pef-2008-1-full.rng, by DAISY) is found: the Debian package
#: libbrailleutils-java ships it inside brailleUtils-core.jar. EXPORTER_PEF_SCHEMA may name an
#: .rng file or a jar instead.
SCHEMA_ENV = "EXPORTER_PEF_SCHEMA"
SCHEMA_JARS = ("/usr/share/java/brailleUtils-core.jar",)
SCHEMA_IN_JAR = "org/daisy/braille/pef/resource-files/pef-2008-1-full.rng"


def schema_text() -> bytes | None:
    """The PEF 1.0 RELAX NG schema's bytes, or None when it is not installed."""
    named = os.environ.get(SCHEMA_ENV)
    for place in ([named] if named else list(SCHEMA_JARS)):
        path = Path(place)
        if not path.is_file():
            continue
        if path.suffix == ".rng":
            return path.read_bytes()
        try:
            with zipfile.ZipFile(path) as jar:
                return jar.read(SCHEMA_IN_JAR)
        except (OSError, KeyError, zipfile.BadZipFile):
            continue
    return None


@cache
def _relaxng(data: bytes) -> Any:
    from lxml import etree

    return etree.RelaxNG(etree.fromstring(data))


def validate_pef(data: bytes) -> list[str]:
    """Problems that make ``data`` invalid PEF 1.0 (empty when valid).

    With the schema installed, lxml validates against it (RELAX NG). Its two Schematron rules
    (rows per page, cells per row) need XPath 2, so they are checked here, as is the structure
    the schema requires, whether or not the schema is installed.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    problems = _structure(root)
    schema = schema_text()
    if schema is not None:
        from lxml import etree

        rng = _relaxng(schema)
        if not rng.validate(etree.fromstring(data)):
            problems += [f"RELAX NG: line {e.line}: {e.message}" for e in rng.error_log][:5]
    return problems


def _structure(root: ET.Element) -> list[str]:
    if root.tag != f"{{{NS}}}pef" or root.get("version") != "2008-1":
        return ["the root is not <pef version=\"2008-1\"> in the PEF namespace"]
    problems = []
    meta = root.find(f"{{{NS}}}head/{{{NS}}}meta")
    if meta is None or meta.findtext(f"{{{DC}}}format") != MEDIA_TYPE or \
            not (meta.findtext(f"{{{DC}}}identifier") or "").strip():
        problems.append(f"head/meta needs dc:format {MEDIA_TYPE} and a dc:identifier")
    volumes = root.findall(f"{{{NS}}}body/{{{NS}}}volume")
    if not volumes:
        problems.append("no volume in the body")
    for volume in volumes:
        cols, rows = int(volume.get("cols", "0")), int(volume.get("rows", "0"))
        for n, page in enumerate(volume.iter(f"{{{NS}}}page"), start=1):
            page_rows = page.findall(f"{{{NS}}}row")
            if len(page_rows) > rows:
                problems.append(f"[Rule 1] page {n}: {len(page_rows)} rows, the volume has "
                                f"{rows}")
            for i, row in enumerate(page_rows, start=1):
                text = row.text or ""
                if len(text) > cols:
                    problems.append(f"[Rule 2] page {n} row {i}: {len(text)} cells, the "
                                    f"volume has {cols}")
                if any(not "\u2800" <= c <= "\u28ff" for c in text):
                    problems.append(f"page {n} row {i}: a character that is not braille")
    return problems[:10]
