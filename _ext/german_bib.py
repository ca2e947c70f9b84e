"""Sphinx extension: German bibliography for sphinxcontrib-bibtex.

Registers two pybtex plugins and one event handler:

* the formatting style ``german`` (``bibtex_default_style: german``): entries as
  "Nachname, Vorname; Nachname, Vorname und Nachname, Vorname (2016a): Titel. …",
  editors as "(Hrsg.)", editions as "2. Aufl.", pages as "S.", "abgerufen am"
  instead of "visited on", "o. J." for a missing year; titles keep their case
  (German nouns are capitalised, pybtex's ``capitalize`` would lower them);
* the reference style ``author_year_de`` (``bibtex_reference_style: author_year_de``):
  "(Becker und Smith, 2022)", "(Ward u. a., 1963)";
* on ``env-updated`` (before sphinxcontrib-bibtex formats the entries) every cited
  entry without a year gets "o. J.", and cited entries with the same authors and
  year get the suffixes a, b, … (ordered by title), so that two different sources
  never look like the same citation.

The suffix logic is also importable (:func:`year_suffixes`) for the tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pybtex.backends.plaintext import Backend as PlaintextBackend
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import field as bfield
from pybtex.style.template import (
    first_of,
    href,
    join,
    names,
    optional,
    optional_field,
    sentence,
    tag,
    words,
)
from pybtex_docutils import Backend as DocutilsBackend
from sphinxcontrib.bibtex.plugin import register_plugin as register_sphinx_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

NO_YEAR = "o. J."
ORIGINAL_YEAR = "origyear"  # field keeping the year as written in the .bib file


def _dashify(text):  # noqa: ANN001, ANN202 - pybtex rich text
    import re

    from pybtex.richtext import Symbol

    return Text(Symbol("ndash")).join(text.split(re.compile(r"-+")))


_pages = bfield("pages", apply_func=_dashify)
_year = first_of[optional[bfield("year")], NO_YEAR]


class GermanStyle(PlainStyle):
    """pybtex formatting style writing German author-year references."""

    default_name_style = "lastfirst"
    default_sorting_style = "author_year_title"

    def format_names(self, role, as_sentence=True):  # noqa: ANN001, ANN201
        formatted = names(role, sep="; ", sep2=" und ", last_sep=" und ")
        return sentence[formatted] if as_sentence else formatted

    def format_editor(self, e, as_sentence=True):  # noqa: ANN001, ANN201
        result = join(sep=" ")[self.format_names("editor", as_sentence=False), "(Hrsg.)"]
        return sentence[result] if as_sentence else result

    def _head(self, e):  # noqa: ANN001, ANN202
        """'Autor (Jahr):' or 'Herausgeber (Hrsg.) (Jahr):' or just '(Jahr):'."""
        who = first_of[
            optional[self.format_names("author", as_sentence=False)],
            optional[self.format_editor(e, as_sentence=False)],
        ]
        return join[join(sep=" ")[who, join["(", _year, ")"]], ":"]

    def format_title(self, e, which_field, as_sentence=True):  # noqa: ANN001, ANN201
        title = bfield(which_field)
        return sentence[title] if as_sentence else title

    def format_edition(self, e):  # noqa: ANN001, ANN201
        def ordinal(text):  # noqa: ANN001, ANN202
            return text + "." if str(text).isdigit() else text

        return optional[words[bfield("edition", apply_func=ordinal), "Aufl."]]

    def format_chapter_and_pages(self, e):  # noqa: ANN001, ANN201
        return join(sep=", ")[
            optional[words["Kap.", bfield("chapter")]],
            optional[words["S.", _pages]],
        ]

    def format_url(self, e):  # noqa: ANN001, ANN201
        url = bfield("url", raw=True)
        return words["Online:", href(url)[url]]

    def format_web_refs(self, e):  # noqa: ANN001, ANN201
        return sentence[
            optional[self.format_url(e), optional[" (abgerufen am ", bfield("urldate"), ")"]],
            optional[self.format_doi(e)],
        ]

    def get_article_template(self, e):  # noqa: ANN001, ANN201
        volume = optional[join[bfield("volume"), optional[" (", bfield("number"), ")"]],]
        return join(sep=" ")[
            self._head(e),
            self.format_title(e, "title"),
            sentence[
                join(sep=" ")["In:", tag("em")[bfield("journal")], volume],
                optional[words["S.", _pages]],
            ],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_book_template(self, e):  # noqa: ANN001, ANN201
        return join(sep=" ")[
            self._head(e),
            sentence[tag("em")[bfield("title")]],
            optional[sentence[self.format_edition(e)]],
            optional[sentence[bfield("series")]],
            sentence[join(sep=": ")[optional_field("address"), optional_field("publisher")],],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_misc_template(self, e):  # noqa: ANN001, ANN201
        return join(sep=" ")[
            self._head(e),
            optional[self.format_title(e, "title")],
            optional[sentence[bfield("howpublished")]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_online_template(self, e):  # noqa: ANN001, ANN201
        return self.get_misc_template(e)

    def get_techreport_template(self, e):  # noqa: ANN001, ANN201
        return join(sep=" ")[
            self._head(e),
            self.format_title(e, "title"),
            sentence[optional_field("institution"), optional[words["Bericht", bfield("number")]]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]


@dataclass
class GermanAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """Author-year citations with "und" and "u. a."."""

    person: PersonStyle = field(
        default_factory=lambda: PersonStyle(sep2=" und ", last_sep=" und ", other=" u. a.")
    )


def _author_key(entry) -> str:  # noqa: ANN001
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    return " / ".join(str(p) for p in persons) or entry.fields.get("title", "")


def year_suffixes(entries: Mapping[str, object]) -> dict[str, str]:
    """The year shown for each entry: "o. J." when missing, a/b/… for same author and year.

    Parameters
    ----------
    entries
        Mapping key -> pybtex entry (only the cited ones should be passed).

    Returns
    -------
    dict
        key -> year text, for example ``{"X": "2016a", "Y": "2016b", "Z": "o. J."}``.
    """
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    years: dict[str, str] = {}
    for key, entry in entries.items():
        fields = entry.fields  # type: ignore[attr-defined]
        year = str(fields.get(ORIGINAL_YEAR, fields.get("year", ""))).strip() or NO_YEAR
        years[key] = year
        groups[(_author_key(entry), year)].append(key)
    out = dict(years)
    for (_, year), keys in groups.items():
        if len(keys) < 2:
            continue
        ordered = sorted(keys, key=lambda k: (str(entries[k].fields.get("title", "")).lower(), k))  # type: ignore[attr-defined]
        sep = " " if year == NO_YEAR else ""
        for i, key in enumerate(ordered):
            out[key] = f"{year}{sep}{chr(ord('a') + i)}"
    return out


def _cited_keys(domain) -> Iterable[str]:  # noqa: ANN001
    for ref in domain.citation_refs:
        yield from (target.key for target in ref.targets)


def _apply_years(app, env) -> list[str]:  # noqa: ANN001
    domain = env.get_domain("cite")
    entries = domain.bibdata.data.entries
    cited = {k: entries[k] for k in set(_cited_keys(domain)) if k in entries}
    for entry in entries.values():  # restore what an earlier run changed
        if ORIGINAL_YEAR in entry.fields:
            original = entry.fields[ORIGINAL_YEAR]
            if original:
                entry.fields["year"] = original
            else:
                entry.fields.pop("year", None)
    for key, year in year_suffixes(cited).items():
        fields = cited[key].fields
        if ORIGINAL_YEAR not in fields:
            fields[ORIGINAL_YEAR] = fields.get("year", "")
        fields["year"] = year
    return []


def setup(app):  # noqa: ANN001, ANN201
    register_plugin("pybtex.style.formatting", "german", GermanStyle, force=True)
    # sphinxcontrib-bibtex looks up the plain-text backend once per citation, and pybtex
    # scans every installed package's entry points on each lookup (about 15 ms; 3 to 5 s
    # per build). Registered at run time, the same class is found without the scan.
    for name, backend in (("plaintext", PlaintextBackend), ("docutils", DocutilsBackend)):
        register_plugin("pybtex.backends", name, backend, force=True)
    register_sphinx_plugin(
        "sphinxcontrib.bibtex.style.referencing",
        "author_year_de",
        GermanAuthorYearReferenceStyle,
        force=True,
    )
    app.connect("env-updated", _apply_years, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
