"""The request form: a format and the options it uses, with its problems after a bad request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from exporter.options import Rule, defaults, rules
from exporter.outline import slugify
from exporter.service.formats import Format
from exporter.service.markup import attr, join_words
from exporter.service.markup import text as t
from exporter.styles import Styles


@dataclass(frozen=True)
class RequestForm:
    """What the request form offers, and (after a bad request) the values and problems."""

    formats: Sequence[Format]  #: the formats that can be made on request
    action: str = "/request"
    values: Mapping[str, str] = field(default_factory=dict)  #: as sent, to fill the form again
    errors: Mapping[str, str] = field(default_factory=dict)  #: field name -> message
    #: a collection's pages to choose from, (name, title, subject); none for a single page
    pages: Sequence[tuple[str, str, str]] = ()


#: The order of the choices on the form, after the format (each an Options field).
FIELDS = ("size", "scheme", "font", "line_spacing", "letter_spacing", "word_spacing", "grade")
#: Line spacing, letter and word spacing and the braille grade are radio buttons with ids
#: "<prefix>-<n>" (n counts the choices from 0); the rest are named by their value.
_NUMBERED = {"line_spacing": "spacing", "letter_spacing": "letter-spacing",
             "word_spacing": "word-spacing", "grade": "grade"}


def offered(form: RequestForm, styles: Styles) -> list[str]:
    """The choices the form shows: those at least one of its formats uses, in form order."""
    used = set().union(*(f.option_names for f in form.formats)) if form.formats else set()
    table = rules(styles)
    return [n for n in FIELDS if n in used and n in table]


def needs(form: RequestForm, styles: Styles) -> str:
    """The sentence pointing a reader to the form, naming what it lets them choose."""
    table = rules(styles)
    words = [_lower_first(table[n].label) for n in offered(form, styles)]
    what = (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]) \
        if words else "format"
    return (f"If you need a different {t(what)}, "
            '<a href="#request">make a file with your own settings</a>.')


def field_id(form: RequestForm, styles: Styles, name: str) -> str:
    """The id of the control an error message about field ``name`` should take the user to:
    the field itself, or the first choice of a group."""
    table = rules(styles)
    if name == "format" or (name in table and name not in offered(form, styles)):
        # a choice no format here uses has no control: its message sits in the summary, and
        # the link goes to the formats
        return f"format-{slugify(form.formats[0].name)}" if form.formats else "format"
    if name in _NUMBERED:
        return f"{_NUMBERED[name]}-0"
    if name in ("scheme", "font") and table[name].presets:
        return f"{slugify(name)}-{slugify(table[name].presets[0])}"
    return name


def _error(form: RequestForm, name: str) -> str:
    msg = form.errors.get(name)
    return f'<p class="error-message" id="{name}-error"><span class="visually-hidden">Error: ' \
        f'</span>{t(msg)}</p>' if msg else ""


def _described(form: RequestForm, name: str, hint: str | None = None) -> str:
    ids = ([hint] if hint else []) + ([f"{name}-error"] if name in form.errors else [])
    invalid = ' aria-invalid="true"' if name in form.errors else ""
    return (f' aria-describedby="{" ".join(ids)}"' if ids else "") + invalid


def _radio(name: str, rid: str, value: str, label: str, checked: bool, hint: str = "",
           extra: str = "") -> str:
    hint_id = f"{rid}-hint"
    described = f' aria-describedby="{hint_id}"' if hint else ""
    hint_html = f'<p class="hint" id="{hint_id}">{t(hint)}</p>' if hint else ""
    return (f'<div class="choice"><input type="radio" name="{name}" id="{rid}" '
            f'value="{attr(value)}"{" checked" if checked else ""}{described}/> '
            f'<label for="{rid}">{extra}{t(label)}</label>{hint_html}</div>')


def _format_hint(fmt: Format, table: Mapping[str, Rule]) -> str:
    uses = [_lower_first(table[n].label) for n in FIELDS if n in fmt.option_names and n in table]
    return ("Uses " + join_words(uses) + "." if uses
            else "The same for everyone: the choices below do not change it.")


def _lower_first(words: str) -> str:
    return words[:1].lower() + words[1:]


def _used_by(form: RequestForm, name: str) -> str:
    """"Used in: Large print PDF and Word document.": which formats a choice changes."""
    users = [f.label for f in form.formats if name in f.option_names]
    if len(users) == len(form.formats):
        return "Used in every format."
    return f"Used in: {join_words(users)}." if users else ""


def _now(form: RequestForm, name: str, default: str) -> str:
    """The value to show chosen: as sent after a bad request, else the default."""
    sent = form.values.get(name)
    return sent.strip() if sent is not None and sent.strip() else default


def _fieldset(form: RequestForm, name: str, legend: str, hint: str, choices: list[str]) -> str:
    """A group of radio buttons: legend, hint, error, then the choices (GOV.UK's pattern)."""
    hint_id = f"{slugify(name)}-hint"
    return (f'<fieldset{_described(form, name, hint_id)}>\n<legend>{t(legend)}</legend>\n'
            f'<p class="hint" id="{hint_id}">{t(hint)}</p>\n{_error(form, name)}\n'
            + "\n".join(choices) + "\n</fieldset>")


def _size(form: RequestForm, styles: Styles, rule: Rule) -> str:
    now = _now(form, "size", str(styles.default_size))
    sizes = "".join(f'<option value="{attr(s)}"{" selected" if s == now else ""}>{t(s)} '
                    f"{rule.unit}{' (standard)' if s == str(styles.default_size) else ''}"
                    "</option>" for s in rule.presets)
    assert rule.low is not None and rule.high is not None
    return (f'<div class="field">\n<label for="size">{t(rule.label)}</label>\n'
            f'<p class="hint" id="size-hint">From {rule.low:g} to {rule.high:g} {rule.unit}. '
            "Large print is usually 18 point or more; giant print 24 point or more. "
            f"{t(_used_by(form, 'size'))}</p>\n{_error(form, 'size')}\n"
            f'<select id="size" name="size"{_described(form, "size", "size-hint")}>{sizes}'
            "</select>\n</div>")


def _scheme(form: RequestForm, styles: Styles, rule: Rule) -> str:
    now = _now(form, "scheme", styles.default_scheme)
    choices = [
        _radio("scheme", f"scheme-{slugify(s.name)}", s.name, s.label, s.name == now,
               extra=f'<span class="swatch swatch-{slugify(s.name)}" aria-hidden="true">Aa'
                     "</span> ")
        for s in (styles.schemes[name] for name in rule.presets)]
    return _fieldset(form, "scheme", rule.label, "The colour of the text and of the paper or "
                     f"screen behind it. {_used_by(form, 'scheme')}", choices)


def _font(form: RequestForm, styles: Styles, rule: Rule) -> str:
    now = _now(form, "font", styles.default_font)
    choices = [_radio("font", f"font-{slugify(name)}", name,
                      rule.label_of(name) + (" (standard)" if name == styles.default_font
                                             else ""), name == now)
               for name in rule.presets]
    return _fieldset(form, "font", rule.label, "The typeface the text is printed in. "
                     f"{_used_by(form, 'font')}", choices)


def _spacing(form: RequestForm, name: str, rule: Rule, default: float, words: str) -> str:
    """Line, letter or word spacing: its presets as radio buttons, in words people use."""
    now = _now(form, name, f"{default:g}")
    choices = []
    for i, value in enumerate(rule.presets):
        number = float(value)
        if name == "line_spacing":
            label = f"{value} times the text size" + (" (double)" if number == 2.0 else "")
        elif number == 0:
            label = "Standard: the font’s own spacing"
        else:
            label = f"{number * 100:g}% of the text size added"
            label += " (the widest)" if value == rule.presets[-1] else ""
        if number == default and name == "line_spacing":
            label += " (standard)"
        choices.append(_radio(name, f"{_NUMBERED[name]}-{i}", value, label, value == now))
    return _fieldset(form, name, rule.label, f"{words} {_used_by(form, name)}", choices)


def _grade(form: RequestForm, rule: Rule) -> str:
    now = _now(form, "grade", "2")
    words = {"1": "Grade 1: uncontracted, every letter spelt out",
             "2": "Grade 2: contracted, what most adult braille readers use (standard)"}
    choices = [_radio("grade", f"grade-{i}", value, words.get(value, f"Grade {value}"),
                      value == now) for i, value in enumerate(rule.presets)]
    return _fieldset(form, "grade", rule.label, "Unified English Braille. "
                     f"{_used_by(form, 'grade')}", choices)


def render_form(form: RequestForm, styles: Styles) -> str:
    """The request form: fieldsets with legends for each choice, one label per control; a
    choice is shown when at least one format uses it, with the formats it changes."""
    table = rules(styles)
    names = [f.name for f in form.formats]
    current = form.values.get("format") if form.values.get("format") in names else \
        (names[0] if names else "")
    formats = [_radio("format", f"format-{slugify(f.name)}", f.name, f.label, f.name == current,
                      _format_hint(f, table))
               for f in form.formats]
    usual = defaults(styles)
    parts = []
    for name in offered(form, styles):
        rule = table[name]
        if name == "size":
            parts.append(_size(form, styles, rule))
        elif name == "scheme":
            parts.append(_scheme(form, styles, rule))
        elif name == "font":
            parts.append(_font(form, styles, rule))
        elif name == "grade":
            parts.append(_grade(form, rule))
        else:
            words = {"line_spacing": "The space from one line to the next.",
                     "letter_spacing": "Extra space between the letters of a word.",
                     "word_spacing": "Extra space between words."}[name]
            parts.append(_spacing(form, name, rule, float(getattr(usual, name)), words))
    choices = "\n".join(parts)
    return f"""<form method="post" action="{attr(form.action)}" class="request">
{_page_choice(form)}<fieldset{_described(form, "format")}>
<legend>Format</legend>
{_error(form, "format")}
{chr(10).join(formats)}
</fieldset>
{choices}
<p class="hint" id="submit-hint">A format uses only the choices it names; the others leave it
as it is. A new file can take up to a minute to make. The page will wait until it is
ready.</p>
<button type="submit" aria-describedby="submit-hint">Make my file</button>
</form>"""


def _page_choice(form: RequestForm) -> str:
    """A collection's pages as a list to choose from, grouped by subject."""
    if not form.pages:
        return ""
    chosen = form.values.get("page", "")
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, title, subject in form.pages:
        groups.setdefault(subject or "Other pages", []).append((name, title))
    order = sorted((g for g in groups if g != "Other pages"), key=str.casefold) + \
        (["Other pages"] if "Other pages" in groups else [])
    options = ['<option value="">Choose a page</option>']
    for group in order:
        items = "".join(f'<option value="{attr(n)}"{" selected" if n == chosen else ""}>'
                        f"{t(title)}</option>"
                        for n, title in sorted(groups[group], key=lambda x: x[1].casefold()))
        options.append(f'<optgroup label="{attr(group)}">{items}</optgroup>')
    return (f'<div class="field">\n<label for="page">Page</label>\n'
            f'<p class="hint" id="page-hint">The page to make the file of.</p>\n'
            f'{_error(form, "page")}\n<select id="page" name="page" required'
            f'{_described(form, "page", "page-hint")}>{"".join(options)}</select>\n</div>\n')


def swatch_css(styles: Styles) -> str:
    """Colours of the scheme samples, as rules (a strict CSP refuses style attributes)."""
    return "\n".join(f".swatch-{slugify(s.name)} {{ color: {s.text}; background: {s.background}; }}"
                     for s in styles.schemes.values())


def render_error_summary(form: RequestForm, styles: Styles) -> str:
    """A list of the problems at the top of the page, each linking to its field."""
    if not form.errors:
        return ""
    items = "\n".join(f'<li><a href="#{field_id(form, styles, k)}">{t(m)}</a></li>'
                      for k, m in form.errors.items())
    return (f'<div class="error-summary" role="alert" aria-labelledby="error-summary-title" '
            f'tabindex="-1">\n<h2 id="error-summary-title">There is a problem with your '
            f"choices</h2>\n<ul>\n{items}\n</ul>\n</div>")
