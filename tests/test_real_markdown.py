"""Real Markdown documents installed on this machine (READMEs, guides, API pages), written by
other people for other tools: each exports and passes `exporter check`, or is refused with
`file:line: ... Fix: ...` lines for genuine reasons only, never a crash or a false refusal."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from exporter.readback import run_checks

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(sysconfig.get_path("purelib"))
#: Varied documents: plain READMEs, guides with code, a quotation-heavy page, long API and
#: process pages with many links to their own headings, READMEs with badges and raw HTML.
#: Each is skipped (with the reason) where its package is not installed.
DOCUMENTS = (
    Path("/usr/share/doc/python3-yaml/README.md"),  # short README, code blocks
    Path("/usr/share/doc/git/README.md"),  # badge image, then the title
    Path("/usr/share/doc/espeak-ng/docs/guide.md"),  # a user guide with commands
    Path("/usr/share/doc/espeak-ng/docs/markup.md"),  # contents list linking to headings
    Path("/usr/share/doc/python3-pip/html/installation.md"),  # MyST directives in fences
    Path("/usr/share/doc/nodejs/api/path.md"),  # API reference, HTML comments, anchors
    Path("/usr/share/doc/procps/bugs.md"),  # quotations
    Path("/usr/share/doc/systemd/DISTRO_PORTING.md"),  # lists of links
    Path("/usr/share/doc/fonts-dejavu-core/README.md"),  # badge, no title heading
    Path("/usr/share/doc/tk8.6/README.md"),  # badges and raw HTML anchors
    Path("/usr/share/doc/nodejs/contributing/releases.md"),  # GitHub alerts, long process
    SITE / "mdit_py_plugins" / "container" / "README.md",  # a library's README with badges
)
FORMATS = "html,epub,docx"
#: Refusals a reader would agree with: the document needs something the tool cannot give
#: safely (network images, markup the writers cannot vouch for), or lacks what every format
#: needs (a title), or is broken (a link to a heading that does not exist).
GENUINE = {
    "a picture from the network": r"image '.*' is not a file beside the source",
    "raw HTML": r"raw HTML is not allowed",
    "no title": r"the page has no title|text comes before the title heading",
    "a link to a heading that does not exist": r"link to '#.*', but no heading has that id",
    "a link with a scheme that is not a web address": r"link address '.*' is not allowed",
    "a link to a page that does not exist": r"link to the page '.*', but ",
    "a link to a section another page does not have": r"link to '.*', but the page '.*' has no "
                                                      r"section",
}
PROBLEM = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<message>.+?)\. Fix: (?P<fix>.+)$")
SUMMARY = re.compile(r"^exporter: \d+ problems? in the source; nothing was written\.$")


def github_ids(titles: list[str]) -> set[str]:
    """The ids GitHub (and pandoc's gfm_auto_identifiers) give headings: lower case,
    punctuation dropped, spaces as hyphens, repeats numbered -1, -2 ... (github-slugger)."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for title in titles:
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        if slug in seen:
            while f"{slug}-{seen[slug] + 1}" in seen:
                seen[slug] += 1
            seen[slug] += 1
            slug = f"{slug}-{seen[slug]}"
        seen[slug] = 0
        out.add(slug)
    return out


def heading_titles(text: str) -> list[str]:
    """Every heading's visible text, as a Markdown renderer shows it."""
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

    def words(node: SyntaxTreeNode) -> str:
        if node.type in ("text", "code_inline"):
            return node.content
        return "".join(words(c) for c in node.children)

    tree = SyntaxTreeNode(MarkdownIt("commonmark").enable("table").parse(text))
    return [words(n) for n in tree.walk() if n.type == "heading"]


def false_refusal(message: str, anchors: set[str]) -> str:
    """Why a refusal is not genuine ("" when it is)."""
    kind = next((k for k, p in GENUINE.items() if re.search(p, message)), None)
    if kind is None:
        return "not a reason to refuse a document"
    target = re.search(r"link to '#(.*)', but", message)
    if target and target.group(1) in anchors:
        return ("the heading exists: the document links to it by the id GitHub gives it "
                f"('#{target.group(1)}')")
    return ""


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.parent.name + "/" + p.name)
def test_real_document_exports_or_is_refused_for_genuine_reasons(document: Path,
                                                                 tmp_path: Path) -> None:
    if not document.is_file():
        pytest.skip(f"{document} is not installed on this machine")
    out = tmp_path / "output"
    done = subprocess.run(
        [sys.executable, "-m", "exporter", "export", str(document), "--to", FORMATS,
         "-o", str(out), "-j", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode == 0:
        report = run_checks(out, document, reuse=False)
        assert report.ok, "\n".join(f"{f.check} {f.file}: {f.detail}" for f in report.failures)
        return
    assert done.returncode == 2, f"exit {done.returncode}:\n{done.stderr[-4000:]}"
    assert not out.exists() or not any(out.iterdir()), "files written after a refusal"
    anchors = github_ids(heading_titles(document.read_text(encoding="utf-8")))
    wrong: list[str] = []
    errors = 0
    for line in done.stderr.splitlines():
        m = PROBLEM.match(line)
        if m is None:
            if not SUMMARY.match(line):
                wrong.append(f"not a file:line problem: {line[:200]}")
            continue
        if m.group("file") != str(document):
            wrong.append(f"names another file: {line[:200]}")
        if m.group("message").startswith("warning: "):
            continue
        errors += 1
        why = false_refusal(m.group("message"), anchors)
        if why:
            wrong.append(f"line {m.group('line')}: {m.group('message')[:120]}: {why}")
    assert errors, f"exit 2 without an error:\n{done.stderr[-2000:]}"
    assert not wrong, "\n".join(wrong)
