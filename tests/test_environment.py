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


def test_github_ci_uses_the_runners_chrome_and_installs_no_browser() -> None:
    """On GitHub's Ubuntu images `apt-get install chromium` is a snap stub: the workflows must
    point the tests and the PDF at the preinstalled Google Chrome instead."""
    for name in ("tests.yml", "pages.yml"):
        text = (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
        workflow = yaml.safe_load(text)
        commands = " ".join(
            step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]
        )
        assert "apt-get" not in commands, f"{name} installs packages with apt-get"
        envs = [job.get("env", {}) for job in workflow["jobs"].values()]
        if "make" in commands:
            assert any(e.get("SOZIALANALYSE_CHROMIUM") == "/usr/bin/google-chrome" for e in envs)


def test_book_config_for_stored_outputs_only_switches_execution_off(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "config.yml"
    subprocess.run([sys.executable, str(ROOT / "tools" / "book_config.py"), str(out)],
                   check=True, cwd=ROOT)
    original = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    copy = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert copy["execute"]["execute_notebooks"] == "off"
    for name, path in (copy["sphinx"].get("local_extensions") or {}).items():
        assert Path(path).is_absolute() and Path(path) == (ROOT / original["sphinx"][
            "local_extensions"][name]).resolve()
    copy["execute"]["execute_notebooks"] = original["execute"]["execute_notebooks"]
    copy["sphinx"]["local_extensions"] = original["sphinx"].get("local_extensions")
    assert copy == original


def test_make_test_runs_every_notebook_through_nbval_and_the_html_step() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "timed,lint" in recipe
    chains = {name: makefile.split(f"\n{name}:", 1)[1].split("\n", 2)[1]
              for name in ("test-chain-pytest", "test-chain-book", "test-chain-reproduce")}
    for name in chains:
        assert name in recipe, name
    assert "timed,pytest" in chains["test-chain-pytest"]
    # the HTML tests run after the book (HTML and PDF) they test
    assert "$(call timed,html-pdf) && $(call timed,html-tests)" in chains["test-chain-book"]
    assert "timed,reproduce" in chains["test-chain-reproduce"]
    pytest_rule = makefile.split("\npytest:", 1)[1].split("\n\n", 1)[0]
    assert "$(NBVAL)" in pytest_rule and "$(NOTEBOOKS)" in pytest_rule
    assert "--nbval " in makefile and "--dist loadscope" in makefile
