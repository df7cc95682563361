"""What may be asked for: working writers and Options rules; a form or query -> writer, Options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from exporter import options as opts
from exporter.options import Options, OptionsError, Rule, shown
from exporter.service.formats import Format
from exporter.service.models import FormatInfo, Formats, OptionInfo, Problem, SchemeInfo
from exporter.styles import Styles

#: The field naming the writer; every other field is an Options field.
FORMAT = "format"


@dataclass(frozen=True)
class Choices:
    """The formats that can be made on request, and what each option accepts."""

    formats: Mapping[str, Format]  #: writers that load, in name order
    styles: Styles

    @cached_property
    def rules(self) -> dict[str, Rule]:
        """What each option accepts, with ranges and names from styles/."""
        return opts.rules(self.styles)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field a form or query may send: the format, then each option."""
        return (FORMAT, *self.rules)

    @property
    def defaults(self) -> Options:
        """The options used for a field nobody sent."""
        return opts.defaults(self.styles)

    def allowed(self, name: str) -> list[str]:
        """The values (or range) accepted for a field."""
        return list(self.formats) if name == FORMAT else list(self.rules[name].allowed)

    def label(self, name: str) -> str:
        """A field's name in words: "Print size"."""
        return "Format" if name == FORMAT else self.rules[name].label

    def parse(self, items: Sequence[tuple[str, str]]) -> tuple[str, Options] | list[Problem]:
        """The writer and options asked for, or every problem found (field, message, allowed)."""
        given: dict[str, list[str]] = {}
        for k, v in items:
            if k in self.fields:
                given.setdefault(k, []).append(v)
        problems: list[Problem] = []
        values: dict[str, str] = {}
        for name in self.fields:
            sent = given.get(name, [])
            if len(sent) > 1:
                problems.append(self.problem(name, f"{self.label(name)} was given more than "
                                             "once; give one value"))
            elif sent:
                values[name] = sent[0].strip()
        writer = values.pop(FORMAT, None)
        if FORMAT not in given:
            problems.append(self.problem(FORMAT, "Choose a format"))
        elif writer is not None and writer not in self.formats:
            problems.append(self.problem(FORMAT, f"Format {shown(writer)} is not available"))
        try:
            chosen = opts.parse(values, self.styles, self.defaults)
        except OptionsError as exc:
            problems += [self.problem(p.field, p.message, p.allowed) for p in exc.problems]
        if problems or writer is None:
            return problems
        return writer, chosen

    def problem(self, name: str, message: str, allowed: Sequence[str] | None = None) -> Problem:
        """A problem with one field; its message says what is allowed (once)."""
        values = list(allowed) if allowed is not None else self.allowed(name)
        allowed_text = ", ".join(values)
        return Problem(field=name, allowed=values,
                       message=f"{message}." if message.endswith(allowed_text) else
                       f"{message}. Allowed: {allowed_text}.")

    def described(self) -> Formats:
        """/api/formats: the formats that can be asked for and what each option accepts."""
        size, spacing, chosen = self.rules["size"], self.rules["line_spacing"], self.defaults
        assert size.low is not None and size.high is not None
        return Formats(
            formats=[FormatInfo(name=f.name, label=f.label, options=sorted(f.option_names))
                     for f in self.formats.values()],
            size_min=int(size.low), size_max=int(size.high), size_default=chosen.size,
            schemes=[SchemeInfo(name=s.name, label=s.label, text=s.text, background=s.background)
                     for s in (self.styles.schemes[n] for n in self.rules["scheme"].choices)],
            scheme_default=chosen.scheme,
            line_spacings=[float(x) for x in spacing.presets],
            line_spacing_default=chosen.line_spacing,
            options=[OptionInfo(name=name, label=rule.label, help=rule.help,
                                allowed=list(rule.allowed), presets=list(rule.presets),
                                preset_labels=[rule.label_of(v) for v in rule.presets],
                                default=_text(getattr(chosen, name)),
                                formats=[f.name for f in self.formats.values()
                                         if name in f.option_names])
                     for name, rule in self.rules.items()])

    def query_parameters(self) -> list[dict[str, Any]]:
        """The fields as query parameters in the OpenAPI description, from the Options rules."""
        params = [_param(FORMAT, "writer name", {"enum": list(self.formats)})]
        for name, rule in self.rules.items():
            whole = isinstance(rule.low, int) and isinstance(rule.high, int)
            schema = ({"enum": list(rule.choices)} if rule.choices
                      else {"pattern": "^[0-9]+$" if whole else r"^[0-9]+(\.[0-9]+)?$"})
            params.append(_param(name, f"{rule.help}: {', '.join(rule.allowed)}", schema))
        return params


def _text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _param(name: str, description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", **schema}}
