"""A small ctypes binding to liblouis (Debian's liblouis20): translate to braille and back."""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from exporter.writers.base import WriterError

#: The shared library to load; set EXPORTER_LIBLOUIS to another path (tests hide it this way).
LIBRARY_ENV = "EXPORTER_LIBLOUIS"
LIBRARY = "liblouis.so.20"
#: What to install when the library or its tables are missing (Debian and Ubuntu names).
PACKAGES = ("liblouis20", "liblouis-data", "liblouis-bin")
INSTALL = f"sudo apt-get install {' '.join(PACKAGES)}"

# liblouis.h translation modes
_DOTS_IO = 4  #: input or output cells as 0x8000 | dot bits
_UC_BRL = 64  #: output cells as Unicode braille (U+2800 + dot bits)
_NO_UNDEFINED = 128  #: drop characters the table does not define, instead of \xNNNN

#: Typeform bits (liblouis' emphasis classes in the UEB tables: italic, underline, bold).
ITALIC, UNDERLINE, BOLD = 1, 2, 4

_LOG = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p)
_LOG_ERROR = 40000  # LOU_LOG_ERROR


class LouisMissing(WriterError):
    """liblouis (the library or its tables) is not installed."""


@dataclass
class Louis:
    """One loaded liblouis; calls are serialised (liblouis keeps global state)."""

    lib: ctypes.CDLL
    version: str
    char_size: int  #: bytes per widechar: 2 or 4, as the library was built
    messages: list[str] = field(default_factory=list)  #: errors liblouis logged
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def _encoding(self) -> str:
        return "utf-32-le" if self.char_size == 4 else "utf-16-le"

    def has_table(self, table: str) -> bool:
        """True when liblouis can find and compile ``table`` (a file name or list)."""
        with self.lock:
            self.messages.clear()
            return bool(self.lib.lou_getTable(table.encode()))

    def find_table(self, query: str) -> str | None:
        """The best table for a metadata query such as "language:cy grade:2", or None."""
        self.lib.lou_findTable.restype = ctypes.c_char_p
        with self.lock:
            found = self.lib.lou_findTable(query.encode())
        return os.path.basename(found.decode()) if found else None

    def table_info(self, table: str, key: str) -> str | None:
        """A table's metadata value ("language", "grade" ...), or None."""
        self.lib.lou_getTableInfo.restype = ctypes.c_char_p
        with self.lock:
            value = self.lib.lou_getTableInfo(table.encode(), key.encode())
        return value.decode() if value else None

    def translate(self, table: str, text: str, typeform: Sequence[int] | None = None,
                  *, drop_undefined: bool = False) -> str:
        """``text`` in braille, as Unicode braille cells (U+2800..U+28FF); spaces are U+2800."""
        mode = _DOTS_IO | _UC_BRL | (_NO_UNDEFINED if drop_undefined else 0)
        return self._call(self.lib.lou_translateString, table, text, mode, typeform)

    def back(self, table: str, cells: str) -> str:
        """Unicode braille ``cells`` back-translated to print."""
        dots = "".join(chr(0x8000 | (ord(c) - 0x2800)) if "\u2800" <= c <= "\u28ff" else c
                       for c in cells)
        return self._call(self.lib.lou_backTranslateString, table, dots, _DOTS_IO, None)

    def _call(self, function: ctypes._NamedFuncPointer, table: str, text: str, mode: int,
              typeform: Sequence[int] | None) -> str:
        if not text:
            return ""
        data = text.encode(self._encoding, errors="surrogatepass")
        n = len(data) // self.char_size
        unit = ctypes.c_uint32 if self.char_size == 4 else ctypes.c_uint16
        inbuf = (unit * n).from_buffer_copy(data)
        capacity = 4 * n + 64
        while True:
            outbuf = (unit * capacity)()
            inlen, outlen = ctypes.c_int(n), ctypes.c_int(capacity)
            forms = (ctypes.c_ushort * capacity)(*typeform) if typeform else None
            with self.lock:
                self.messages.clear()
                ok = function(table.encode(), inbuf, ctypes.byref(inlen), outbuf,
                              ctypes.byref(outlen), forms, None, mode)
                problems = list(self.messages)
            if not ok:
                raise WriterError(f"liblouis could not translate with {table}: "
                                  + ("; ".join(problems) or "no reason given"))
            if inlen.value >= n and outlen.value < capacity:
                break
            capacity *= 4  # the output filled the buffer: the text may be cut short
        raw = bytes(outbuf)[: outlen.value * self.char_size]
        return raw.decode(self._encoding, errors="surrogatepass")


@cache
def _load(path: str) -> Louis:
    try:
        lib = ctypes.CDLL(path)
        lib.lou_version.restype = ctypes.c_char_p
        version = (lib.lou_version() or b"").decode()
        char_size = int(lib.lou_charSize())
    except (OSError, AttributeError) as exc:
        raise LouisMissing(
            f"braille needs liblouis, which is not installed ({path}: {exc}). "
            f"Install the Debian packages {', '.join(PACKAGES)}: {INSTALL}") from exc
    louis = Louis(lib, version, char_size)

    def log(level: int, message: bytes | None) -> None:
        if level >= _LOG_ERROR and message:
            louis.messages.append(message.decode(errors="replace"))

    callback = _LOG(log)
    lib.lou_registerLogCallback(callback)
    louis._callback = callback  # type: ignore[attr-defined]  # kept alive with the library
    lib.lou_getTable.restype = ctypes.c_void_p
    return louis


def load() -> Louis:
    """The liblouis library (loaded once per process); LouisMissing names what to install."""
    return _load(os.environ.get(LIBRARY_ENV) or LIBRARY)


def require_table(louis: Louis, table: str) -> None:
    """LouisMissing unless liblouis can compile ``table``."""
    if not louis.has_table(table):
        raise LouisMissing(
            f"liblouis {louis.version} cannot load the braille table {table} "
            f"({'; '.join(louis.messages) or 'not found'}); the tables come in the Debian "
            f"package liblouis-data: {INSTALL}")
