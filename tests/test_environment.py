"""The environment files agree: pyproject.toml, environment.yml and the lock files.

``requirements.lock`` pins the default environment (dependencies and the extras ``book`` and
``dev``); ``requirements-lab.lock`` pins the extra ``lab`` (JupyterLab) on top of it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


LAB_EXTRAS = {"lab"}


def _pyproject_requirements(extras: set[str] | None = None) -> dict[str, Requirement]:
    """Requirements of pyproject.toml: all, or the dependencies plus the named extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for name, extra in project["optional-dependencies"].items():
        if extras is None or name in extras:
            reqs.extend(extra)
    return {canonicalize_name(Requirement(r).name): Requirement(r) for r in reqs}


def _default_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return _pyproject_requirements(set(project["optional-dependencies"]) - LAB_EXTRAS)


def _environment_requirements() -> dict[str, Requirement]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip section"
    reqs = [r for r in pip_sections[0] if not r.startswith("-e")]
    return {canonicalize_name(Requirement(r).name): Requirement(r) for r in reqs}


def _locked_versions(name: str = "requirements.lock") -> dict[str, str]:
    locked = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
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
    for name, req in _default_requirements().items():
        assert name in locked, f"{name} is missing from requirements.lock"
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"requirements.lock pins {name}=={locked[name]}, outside {req.specifier}"
        )


def test_lab_lock_pins_the_lab_extra_on_top_of_the_main_lock() -> None:
    main, lab = _locked_versions(), _locked_versions("requirements-lab.lock")
    both = {**main, **lab}
    for name, req in _pyproject_requirements(LAB_EXTRAS).items():
        assert name in both, f"{name} is missing from requirements-lab.lock"
        assert req.specifier.contains(both[name], prereleases=True), (
            f"the lock files pin {name}=={both[name]}, outside {req.specifier}"
        )
    assert not set(main) & set(lab), f"pinned twice: {sorted(set(main) & set(lab))}"
    lines = (ROOT / "requirements-lab.lock").read_text(encoding="utf-8").splitlines()
    assert "-c requirements.lock" in lines, "the lab lock must be constrained by the main lock"


def test_every_locked_package_is_needed_once() -> None:
    """No stray pins: every entry of the locks names who needs it (uv's "# via" comments)."""
    for lock in ("requirements.lock", "requirements-lab.lock"):
        text = (ROOT / lock).read_text(encoding="utf-8")
        entries = re.findall(r"^([A-Za-z0-9_.\-]+)==\S+\n    # via", text, flags=re.M)
        pinned = re.findall(r"^([A-Za-z0-9_.\-]+)==", text, flags=re.M)
        assert entries == pinned, f"{lock}: entries without a '# via' line"
        assert len(pinned) == len(set(pinned)), f"{lock}: a package is pinned twice"


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
