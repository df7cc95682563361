"""The request form: a format and the options it uses, with its problems after a bad request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from exporter.options import Rule, rules
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


def field_id(form: RequestForm, styles: Styles, name: str) -> str:
    """The id of the control an error message about field ``name`` should take the user to."""
    first = {
        "format": f"format-{slugify(form.formats[0].name)}" if form.formats else "size",
        "scheme": f"scheme-{slugify(next(iter(styles.schemes)))}",
        "line_spacing": "spacing-0",
    }
    return first.get(name, name)


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
    uses = [_lower_first(r.label) for n, r in table.items() if n in fmt.option_names]
    return ("Uses " + join_words(uses) + "." if uses
            else "The same for everyone: the choices below do not change it.")


def _lower_first(words: str) -> str:
    return words[:1].lower() + words[1:]


def render_form(form: RequestForm, styles: Styles) -> str:
    """The request form: fieldsets with legends for each choice, one label per control."""
    table = rules(styles)
    size, scheme, spacing = table["size"], table["scheme"], table["line_spacing"]
    v = form.values
    names = [f.name for f in form.formats]
    current = v.get("format") if v.get("format") in names else (names[0] if names else "")
    formats = [_radio("format", f"format-{slugify(f.name)}", f.name, f.label, f.name == current,
                      _format_hint(f, table))
               for f in form.formats]
    size_now = v.get("size") or str(styles.default_size)
    sizes = "".join(f'<option value="{attr(s)}"{" selected" if s == size_now else ""}>{t(s)} '
                    f"{size.unit}{' (standard)' if s == str(styles.default_size) else ''}</option>"
                    for s in size.presets)
    scheme_now = v.get("scheme") or styles.default_scheme
    schemes = [
        _radio("scheme", f"scheme-{slugify(s.name)}", s.name, s.label, s.name == scheme_now,
               extra=f'<span class="swatch swatch-{slugify(s.name)}" aria-hidden="true">Aa</span> ')
        for s in (styles.schemes[name] for name in scheme.presets)
    ]
    spacing_now = v.get("line_spacing") or f"{styles.line_spacing:g}"
    spacings = [
        _radio("line_spacing", f"spacing-{i}", x, f"{x} times the text size"
               + (" (double)" if float(x) == 2.0 else ""), x == spacing_now)
        for i, x in enumerate(spacing.presets)
    ]
    return f"""<form method="post" action="{attr(form.action)}" class="request">
{_page_choice(form)}<fieldset{_described(form, "format")}>
<legend>Format</legend>
{_error(form, "format")}
{chr(10).join(formats)}
</fieldset>
<div class="field">
<label for="size">{t(size.label)}</label>
<p class="hint" id="size-hint">From {size.low:g} to {size.high:g} {size.unit}. Large print is
usually 18 point or more; giant print 24 point or more.</p>
{_error(form, "size")}
<select id="size" name="size"{_described(form, "size", "size-hint")}>{sizes}</select>
</div>
<fieldset{_described(form, "scheme")}>
<legend>{t(scheme.label)}</legend>
{_error(form, "scheme")}
{chr(10).join(schemes)}
</fieldset>
<fieldset{_described(form, "line_spacing")}>
<legend>{t(spacing.label)}</legend>
{_error(form, "line_spacing")}
{chr(10).join(spacings)}
</fieldset>
<p class="hint" id="submit-hint">A new file can take up to a minute to make. The page will
wait until it is ready.</p>
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
