"""The service's JSON shapes (pydantic models, described in /openapi.json)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class FileInfo(BaseModel):
    """One downloadable file."""

    file: str
    url: str
    format: str
    page: str | None = None  #: the page it was made of (its source's name)
    options: dict[str, Any]
    bytes: int
    sha256: str
    built: str | None = None
    content_type: str
    facts: dict[str, Any]


class FileList(BaseModel):
    """Everything in output/, with stable addresses."""

    title: str | None
    source_sha256: str | None
    files: list[FileInfo]


class SchemeInfo(BaseModel):
    name: str
    label: str
    text: str
    background: str


class FormatInfo(BaseModel):
    name: str
    label: str
    options: list[str]  #: which of size, scheme, line_spacing change this format


class Formats(BaseModel):
    """What /api/variant and the request form accept."""

    formats: list[FormatInfo]
    size_min: int
    size_max: int
    size_default: int
    schemes: list[SchemeInfo]
    scheme_default: str
    line_spacings: list[float]
    line_spacing_default: float


class VariantInfo(BaseModel):
    """A file made on request."""

    key: str
    format: str
    options: dict[str, Any]
    cache: str  #: hit, built, or shared (another request built it)
    page: str
    files: list[FileInfo]


class Problem(BaseModel):
    field: str
    message: str
    allowed: list[str]


class ErrorBody(BaseModel):
    error: str
    problems: list[Problem] = []
