"""The talking EPUB's zip: the EPUB writer's fixed entries, with the recording stored as is.

MP3 frames do not compress: deflating three megabytes of them at level 9 took most of a
warm build's time (0.16 s of 0.2 s). The audio is therefore given to ebooklib as empty
placeholders (so its manifest lists them) and written here, stored, with the same fixed
times and attributes as every other entry (OCF allows stored entries; mimetype stays first).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Mapping

from exporter.writers.epub import writer as plain

_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  #: earliest time a zip entry can hold


def rezip(raw: bytes, fixes: Mapping[str, Callable[[bytes], bytes]], when: dt.datetime,
          stored: Mapping[str, bytes]) -> bytes:
    """``plain.rezip`` of ebooklib's zip, then each entry named in ``stored`` given its bytes
    without compression."""
    fixed = plain.rezip(raw, fixes, when)
    stamp = max(when, _EPOCH).astimezone(dt.UTC)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(fixed)) as src, zipfile.ZipFile(out, "w") as dst:
        missing = set(stored) - set(src.namelist())
        if missing:
            raise ValueError(f"no placeholder for {sorted(missing)} in the package")
        for info in src.infolist():
            if info.filename in stored:
                entry = zipfile.ZipInfo(info.filename, date_time=date_time)
                entry.create_system = 3
                entry.external_attr = 0o100644 << 16
                entry.compress_type = zipfile.ZIP_STORED
                dst.writestr(entry, stored[info.filename])
            else:
                data = src.read(info.filename)
                dst.writestr(info, data, compresslevel=9)
    return out.getvalue()
