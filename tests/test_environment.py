"""The environment files agree: pyproject.toml, environment.yml and requirements.lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs.extend(extra)
    return {canonicalize_name(Requirement(r).name): Requirement(r) for r in reqs}


def _environment_requirements() -> dict[str, Requirement]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip section"
    reqs = [r for r in pip_sections[0] if not r.startswith("-e")]
    return {canonicalize_name(Requirement(r).name): Requirement(r) for r in reqs}


def _locked_versions() -> dict[str, str]:
    locked = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            locked[canonicalize_name(m.group(1))] = m.group(2)
    return locked


def test_environment_yml_names_the_same_dependencies_as_pyproject() -> None:
    py, env = _pyproject_requirements(), _environment_requirements()
    assert set(py) == set(env), (
        f"only in pyproject: {set(py) - set(env)}; only in environment.yml: {set(env) - set(py)}"
    )
    for name in py:
        assert py[name].specifier == env[name].specifier, f"{name}: {py[name]} vs {env[name]}"


def test_environment_yml_pins_python_311() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]


def test_lock_file_pins_every_dependency_within_its_range() -> None:
    locked = _locked_versions()
    for name, req in _pyproject_requirements().items():
        assert name in locked, f"{name} is missing from requirements.lock"
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"requirements.lock pins {name}=={locked[name]}, outside {req.specifier}"
        )


def test_jupyter_book_is_pinned_to_1x() -> None:
    req = _pyproject_requirements()["jupyter-book"]
    assert not req.specifier.contains("2.0.0"), "jupyter-book must stay below 2 (another product)"
    assert req.specifier.contains("1.0.4.post1")
    assert _locked_versions()["jupyter-book"].startswith("1.")


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert "make test" in commands, ".ci/run must call the README's test command"
