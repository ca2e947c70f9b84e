"""Sphinx extension: a "Zitiervorschlag" (citation suggestion) at the end of every chapter.

The text is built from ``CITATION.cff`` in the repository root (title, authors, version,
release year, repository), so it never drifts from the citation metadata. The start page
and the reference list get none. Example::

    Beitragende des Projekts sozialanalyse (2026): „Daten und Quellen“. In: sozialanalyse:
    ein offenes Forschungskompendium …, Version 0.1.0. Online:
    https://github.com/sozialanalyse/sozialanalyse (Kapiteldatei book/daten_und_quellen.ipynb).

:func:`suggestion` is importable for the tests.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes

#: Documents without a citation suggestion.
SKIP = {"book/index", "book/literatur"}


def _authors(cff: dict) -> str:
    names = []
    for author in cff.get("authors", []) or []:
        if "name" in author:
            name = str(author["name"])
            if name.endswith(" contributors"):
                name = f"Beitragende des Projekts {name.removesuffix(' contributors')}"
            names.append(name)
        else:
            names.append(f"{author.get('family-names', '')}, {author.get('given-names', '')}")
    if len(names) > 1:
        return "; ".join(names[:-1]) + " und " + names[-1]
    return names[0] if names else "o. V."


def read_cff(path: Path) -> dict:
    """CITATION.cff as a dict (empty when missing)."""
    import yaml

    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def suggestion(cff: dict, chapter: str, source: str) -> str:
    """The citation suggestion for one chapter (plain text)."""
    year = str(cff.get("date-released", ""))[:4] or "o. J."
    parts = [f"{_authors(cff)} ({year}): „{chapter}“. In: {cff.get('title', '')}"]
    if cff.get("version"):
        parts[0] += f", Version {cff['version']}"
    text = parts[0] + "."
    url = cff.get("url") or cff.get("repository-code")
    if url:
        text += f" Online: {url} (Kapiteldatei {source})."
    if cff.get("doi"):
        text += f" DOI: {cff['doi']}."
    return text


def _add(app, doctree) -> None:  # noqa: ANN001
    docname = app.env.docname
    if docname in SKIP or not docname.startswith("book/"):
        return
    cff = read_cff(Path(app.srcdir) / "CITATION.cff")
    if not cff:
        return
    title_node = next(iter(doctree.findall(nodes.title)), None)
    chapter = title_node.astext() if title_node is not None else docname
    source = Path(app.env.doc2path(docname, base=False)).as_posix()
    box = nodes.container(classes=["zitiervorschlag"])
    box += nodes.rubric(text="Zitiervorschlag")
    # Plain text, not a link: the theme would shorten a GitHub link to "owner/repo", and a
    # citation is copied, not clicked.
    box += nodes.paragraph(text=suggestion(cff, chapter, source))
    sections = list(doctree.findall(nodes.section))
    (sections[0] if sections else doctree).append(box)


def setup(app):  # noqa: ANN001, ANN201
    app.connect("doctree-read", _add)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
