"""The Word writer's settings (styles/word.yaml) and sizes in Word's units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape as _escape
from typing import Any

from exporter.contrast import parse_hex, ratio
from exporter.fonts import Font
from exporter.styles import MIN_CONTRAST
from exporter.writers.base import Job, WriterError


def escape(text: str) -> str:
    """XML character data (xml.sax.saxutils would pull in urllib.request at start-up)."""
    return _escape(text, quote=False)


def quoteattr(text: str) -> str:
    """A double-quoted XML attribute value."""
    return f'"{_escape(text, quote=True)}"'

#: lxml elements from python-docx's oxml layer (python-docx ships no type information).
Element = Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_XMLNS = f'xmlns:w="{W_NS}"'
#: Page sizes in twips (1/20 pt).
PAGE_SIZES: dict[str, tuple[int, int]] = {"A4": (11906, 16838)}
#: WCAG 1.4.11: borders and other non-text parts need 3:1 against what is next to them.
MIN_NON_TEXT_CONTRAST = 3.0
NBSP = "\u00a0"
#: Height of the page-number line as a multiple of the body size (single line spacing).
FOOTER_LINE = 1.25
#: What a contents entry's page number shows until Word updates its fields (LibreOffice
#: computes the real number itself): unknown, never a guess.
UNKNOWN_PAGE = "?"
#: Space inside a table cell left and right of its text, in multiples of the body size: the
#: table style's cell margins (block_styles.py) and the column widths (tables.py) agree on it.
CELL_SIDE = 0.3
APP_XML = "docProps/app.xml"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest time a zip entry can hold


@dataclass(frozen=True)
class WordSettings:
    """styles/word.yaml, checked, plus the print settings Word shares with the PDF."""

    fallback_font: str  #: what a reader without the embedded face sees (w:altName)
    page: tuple[int, int]  #: width, height in twips
    margin: int  #: twips
    wide_margin: int  #: twips left and right on the landscape pages of a wide table
    heading_scale: tuple[float, ...]  #: Heading 1.. size relative to the body
    paragraph_space: float
    list_item_space: float
    indent: float
    link_colour: str  #: "RRGGBB", as Word writes it
    callout_border: str
    callout_fill: str
    code_font: str  #: a monospace face with plain letterforms, for code
    code_fill: str  #: behind code blocks
    quote_border: str  #: the bar beside a quotation
    table_border: str
    rule_colour: str  #: the rule of a thematic break
    image_max_scale: float  #: how far a picture may be enlarged beyond 96 pixels an inch


@dataclass(frozen=True)
class Colours:
    """The colours of one document, "RRGGBB": the scheme's text and page, and word.yaml's
    colours wherever they still read on that page (else the scheme's own)."""

    text: str
    page: str
    link: str
    callout_border: str
    callout_fill: str
    code_fill: str
    quote_border: str
    table_border: str
    rule: str

    @classmethod
    def of(cls, cfg: WordSettings, text: str = "#000000", page: str = "#FFFFFF") -> Colours:
        """Colours for a scheme: text on page ("#RRGGBB"), as styles/settings.yaml gives it."""
        fg, bg = text[1:].upper(), page[1:].upper()

        def fill(value: str) -> str:  # behind text: the text must still read on it
            return value if _ratio(fg, value) >= MIN_CONTRAST else bg

        def line(value: str) -> str:  # a border or rule: seen against the page
            return value if _ratio(value, bg) >= MIN_NON_TEXT_CONTRAST else fg

        link = cfg.link_colour if _ratio(cfg.link_colour, bg) >= MIN_CONTRAST else fg
        callout = fill(cfg.callout_fill)
        border = cfg.callout_border if _ratio(cfg.callout_border, callout) >= \
            MIN_NON_TEXT_CONTRAST else fg
        return cls(fg, bg, link, border, callout, fill(cfg.code_fill),
                   line(cfg.quote_border), line(cfg.table_border), line(cfg.rule_colour))


def _ratio(a: str, b: str) -> float:
    return ratio(parse_hex(f"#{a}"), parse_hex(f"#{b}"))


@dataclass(frozen=True)
class Metrics:
    """Sizes in Word's units for one body size: half-points for text, twips for space; and
    the reader's other choices (face, colours, spacing) in Word's terms."""

    size: int  #: body size in points
    line_spacing: float
    cfg: WordSettings
    family: str = "Arial"  #: the face of the text (embedded unless it is the fallback)
    colours: Colours | None = None  #: None: word.yaml's colours, black on white
    letter_spacing: float = 0.0  #: extra space after each character, in ems
    word_spacing: float = 0.0  #: extra space after each space between words, in ems
    #: heading level -> the largest size (half-points) at which its widest word still fits
    #: the line in the chosen face (giant print: a long word would otherwise be broken)
    heading_limits: Mapping[int, int] = field(default_factory=dict)
    face: Font | None = None  #: the chosen face, to measure words with (else Helvetica's widths)

    def em_width(self, text: str, bold: bool = False) -> float:
        """How wide ``text`` prints in ems of the body size: the chosen face's widths (a
        little more, for kerning), plus the letter and word spacing asked for."""
        from exporter.writers.docx.measure import SAFETY, text_width

        if self.face is None:
            base = text_width(text, bold)
        else:
            base = self.face.text_width(text, "bold" if bold else "regular") * SAFETY
        return base + self.letter_spacing * len(text) + self.word_spacing * text.count(" ")

    @property
    def palette(self) -> Colours:
        return self.colours if self.colours is not None else Colours.of(self.cfg)

    def letter_twips(self, half_points: int) -> int:
        """Word's character spacing (twentieths of a point) for text of this size."""
        return round(self.letter_spacing * half_points * 10)

    def space_twips(self, half_points: int) -> int:
        """Character spacing of a space between words: the letter and the word spacing."""
        return round((self.letter_spacing + self.word_spacing) * half_points * 10)

    def half_points(self, scale: float = 1.0) -> int:
        return round(self.size * scale * 2)

    def twips(self, multiple: float) -> int:
        return round(self.size * multiple * 20)

    def heading_half_points(self, level: int) -> int:
        scale = self.cfg.heading_scale[min(level, len(self.cfg.heading_scale)) - 1]
        wanted = min(self.half_points(scale), self.heading_limits.get(level, 10**6))
        # Every heading stays larger than the body, however the scale is set.
        return max(wanted, self.half_points() + 2)

    @property
    def line(self) -> int:
        return round(240 * self.line_spacing)  # "auto" line rule: 240 = single spacing

    @property
    def step(self) -> int:
        return self.twips(self.cfg.indent)

    @property
    def text_width(self) -> int:
        """Twips between the margins of a portrait page."""
        return self.cfg.page[0] - 2 * self.cfg.margin

    @property
    def landscape_width(self) -> int:
        """Twips between the side margins of a wide table's landscape page."""
        return self.cfg.page[1] - 2 * self.cfg.wide_margin

    @property
    def footer_distance(self) -> int:
        """Twips from the foot of the page to the page-number line."""
        return self.cfg.margin // 2

    @property
    def bottom_margin(self) -> int:
        """Twips from the foot of the page to the text: below the page-number line (one line
        at body size) and a blank line at body size between it and the text, at any size
        (at 24pt the text ran to 5 mm above the page number)."""
        footer_line = round(self.size * FOOTER_LINE * 20)
        return max(self.cfg.margin, self.footer_distance + footer_line + self.twips(1.0))

    @property
    def text_height(self) -> int:
        return self.cfg.page[1] - self.cfg.margin - self.bottom_margin


def load_settings(job: Job) -> WordSettings:
    """Read styles/word.yaml and check every value a reader's document depends on."""
    raw = job.styles.section("word")
    where = "styles/word.yaml"
    try:
        page_name = str(raw.get("page", "A4"))
        if page_name not in PAGE_SIZES:
            raise WriterError(f"{where}: page {page_name!r} is not offered; use one of "
                              f"{', '.join(PAGE_SIZES)}")
        scale = raw.get("heading_scale", job.styles.settings["print"]["heading_scale"])
        cfg = WordSettings(
            fallback_font=str(raw.get("fallback_font", "Arial")).strip(),
            page=PAGE_SIZES[page_name],
            margin=round(float(raw.get("margins_cm", 2.0)) / 2.54 * 1440),
            wide_margin=round(float(raw.get("wide_table_margins_cm", 1.27)) / 2.54 * 1440),
            heading_scale=tuple(float(s) for s in scale),
            paragraph_space=float(raw.get("paragraph_space", 1.0)),
            list_item_space=float(raw.get("list_item_space", 0.5)),
            indent=float(raw.get("indent", 2.0)),
            link_colour=colour(str(raw.get("link_colour", "#0B3D91")), where),
            callout_border=colour(str(raw.get("callout_border", "#000000")), where),
            callout_fill=colour(str(raw.get("callout_fill", "#FFFFFF")), where),
            code_font=str(raw.get("code_font", "Consolas")).strip(),
            code_fill=colour(str(raw.get("code_fill", "#FFFFFF")), where),
            quote_border=colour(str(raw.get("quote_border", "#000000")), where),
            table_border=colour(str(raw.get("table_border", "#000000")), where),
            rule_colour=colour(str(raw.get("rule_colour", "#000000")), where),
            image_max_scale=float(raw.get("image_max_scale", 2.0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise WriterError(f"{where}: missing or malformed setting: {exc}") from exc
    check_settings(cfg, where)
    return cfg


def colour(value: str, where: str) -> str:
    try:
        parse_hex(value)
    except ValueError as exc:
        raise WriterError(f"{where}: {exc}; write colours as \"#RRGGBB\"") from exc
    return value[1:].upper()


def check_settings(cfg: WordSettings, where: str) -> None:
    from exporter.checks.common import is_serif

    if not cfg.fallback_font or not cfg.code_font or not cfg.heading_scale:
        raise WriterError(f"{where}: fallback_font, code_font and heading_scale must not be "
                          "empty")
    for name, font in (("fallback_font", cfg.fallback_font), ("code_font", cfg.code_font)):
        if is_serif(font):
            raise WriterError(f"{where}: {name} {font!r} is a serif face; large print needs "
                              "a sans-serif one (code: a monospace face such as Consolas)")
    if not 567 <= cfg.margin <= 2835:
        raise WriterError(f"{where}: margins_cm must be between 1 and 5")
    if not 567 <= cfg.wide_margin <= cfg.margin:
        raise WriterError(f"{where}: wide_table_margins_cm must be between 1 and margins_cm")
    if not 1.0 <= cfg.image_max_scale <= 4.0:
        raise WriterError(f"{where}: image_max_scale must be between 1 and 4")
    white, black = (255, 255, 255), (0, 0, 0)
    checks = [
        ("link_colour on white", ratio(parse_hex("#" + cfg.link_colour), white), MIN_CONTRAST),
        ("black text on callout_fill", ratio(parse_hex("#" + cfg.callout_fill), black),
         MIN_CONTRAST),
        ("callout_border on callout_fill", ratio(parse_hex("#" + cfg.callout_border),
                                                 parse_hex("#" + cfg.callout_fill)),
         MIN_NON_TEXT_CONTRAST),
        ("black text on code_fill", ratio(parse_hex("#" + cfg.code_fill), black), MIN_CONTRAST),
        *((f"{name} on white", ratio(parse_hex("#" + value), white), MIN_NON_TEXT_CONTRAST)
          for name, value in (("quote_border", cfg.quote_border),
                              ("table_border", cfg.table_border),
                              ("rule_colour", cfg.rule_colour))),
    ]
    for label, got, need in checks:
        if got < need:
            raise WriterError(f"{where}: {label} has contrast {got:.2f}:1, below {need}:1; "
                              "choose a darker or lighter colour")
