"""The package as a user installs it: a wheel that carries its styles and catalogues and works
in a fresh virtual environment that cannot see this checkout."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: What the package needs of the project to build; tests, sources and caches stay out.
PROJECT_FILES = ("pyproject.toml", "README.md", "exporter", "styles")
#: Entries of the project's environment that belong to this checkout's own (editable) install:
#: linking them would make the checkout importable from the new environment.
OWN_INSTALL = ("__editable__", "hsct_exporter", "exporter", "__pycache__")


def run(args: list[str | Path], cwd: Path, env: Mapping[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.args, result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the project (the checkout gets no build/ or egg-info)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in PROJECT_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    # No build isolation: setuptools comes from this environment, so no index is needed.
    ok(run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
            "--no-build-isolation", src, "-w", base / "dist"], cwd=base))
    [built] = (base / "dist").glob("hsct_exporter-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh environment holding the wheel, its dependencies linked from this environment."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    ok(run([sys.executable, "-m", "venv", "--without-pip", env_dir], cwd=env_dir.parent))
    target = Path(sysconfig.get_path("purelib", vars={"base": str(env_dir),
                                                      "platbase": str(env_dir)}))
    here = Path(sysconfig.get_path("purelib"))
    assert target.is_dir() and here.is_dir() and target != here
    for entry in here.iterdir():
        if not entry.name.startswith(OWN_INSTALL):
            (target / entry.name).symlink_to(entry)
    python = env_dir / "bin" / "python"
    # --no-deps: pip must never touch the linked dependencies (they are this environment's);
    # `pip check` below proves the wheel's requirements are all met.
    ok(run([python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", wheel],
           cwd=env_dir.parent))
    return env_dir


def clean_env(home: Path) -> dict[str, str]:
    """The environment without anything that could put the checkout on sys.path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV")) and k != "PATH"}
    return {**env, "HOME": str(home), "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1",
            "SOURCE_DATE_EPOCH": "1700000000"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder outside the checkout, with a copy of the HSCT page."""
    d = tmp_path_factory.mktemp("user")
    shutil.copy2(ROOT / "source" / "hsct.md", d / "hsct.md")
    return d


def test_wheel_carries_the_styles_and_catalogues(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for path in sorted(p for p in (ROOT / "styles").rglob("*") if p.is_file()):
            inside = f"exporter/default_styles/{path.relative_to(ROOT / 'styles').as_posix()}"
            assert inside in names, f"{inside} is not in the wheel"
            info = z.getinfo(inside)
            assert (info.external_attr >> 16) & 0o170000 != 0o120000, f"{inside} is a link"
            assert z.read(inside) == path.read_bytes(), f"{inside} differs from styles/"
        for path in sorted((ROOT / "exporter" / "messages").glob("*.yaml")):
            inside = f"exporter/messages/{path.name}"
            assert inside in names and z.read(inside) == path.read_bytes()
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        declared = z.read(entry_points).decode()
    assert "[exporter.writers]" in declared and "exporter = exporter.cli:main" in declared
    # Nothing of the checkout besides the package itself.
    assert not [n for n in names if n.startswith(("tests/", "source/", "styles/", "bench/"))]


def test_installed_package_is_the_wheel_not_the_checkout(venv: Path, workdir: Path) -> None:
    python = venv / "bin" / "python"
    code = ("import exporter, exporter.styles as s, importlib.metadata as m; "
            "print(exporter.__file__); print(s.DEFAULT_STYLES_DIR); "
            "print(sorted(e.name for e in m.entry_points(group='exporter.writers')))")
    where, styles_dir, writers = ok(run([python, "-c", code], workdir,
                                        clean_env(workdir))).splitlines()
    assert Path(where).is_relative_to(venv), where
    assert not Path(where).resolve().is_relative_to(ROOT)
    assert Path(styles_dir).resolve().is_relative_to(venv.resolve())
    assert (Path(styles_dir) / "settings.yaml").is_file()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    expected = sorted(declared["project"]["entry-points"]["exporter.writers"])
    assert ast.literal_eval(writers) == expected  # each writer once: no copy of the checkout's
    problems = [line for line in run([python, "-m", "pip", "check"], workdir).stdout.splitlines()
                if line.lower().startswith("hsct-exporter")]
    assert not problems, problems


def test_installed_wheel_exports_and_checks(venv: Path, workdir: Path) -> None:
    exporter = venv / "bin" / "exporter"
    env = clean_env(workdir)
    ok(run([exporter, "export", "hsct.md", "--to", "html,pdf", "--size", "18", "-o", "out"],
           workdir, env))
    assert {p.suffix for p in (workdir / "out").iterdir()} >= {".html", ".pdf", ".json"}
    report = ok(run([exporter, "check", "out", "--source", "hsct.md"], workdir, env))
    assert report.startswith("check: all "), report[:500]


def test_a_projects_own_styles_override_the_shipped_ones(venv: Path, tmp_path: Path) -> None:
    """./styles wins file by file; its settings.yaml is merged into the shipped one."""
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "html.css").write_text("/* our own house style */\nbody { }\n",
                                                  encoding="utf-8")
    (tmp_path / "styles" / "settings.yaml").write_text(
        "base_url: https://www.example.org.uk/help/\n", encoding="utf-8")
    (tmp_path / "page.md").write_text(
        "---\ntitle: Leaflets\nlanguage: en-GB\n---\n\n# Leaflets\n\n"
        "Order [our fatigue leaflet](leaflets/fatigue) by post.\n", encoding="utf-8")
    ok(run([venv / "bin" / "exporter", "export", "page.md", "--to", "html", "-o", "out"],
           tmp_path, clean_env(tmp_path)))
    html = (tmp_path / "out" / "page.html").read_text(encoding="utf-8")
    assert "our own house style" in html
    assert 'href="https://www.example.org.uk/help/leaflets/fatigue"' in html
