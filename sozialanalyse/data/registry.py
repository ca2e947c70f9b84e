"""Registry of the raw files the compendium carries in ``data/raw/``.

Each raw file has a ``source_id`` (the key used in the derived tables, in
``data/datapackage.json`` and in ``book/references/daten.bib``), a path
relative to ``data/raw/`` and a short description. The ids follow the
pattern of the source collection (``OD_*`` = Dresden open-data table,
``GEO_*`` = geodata); where the collection already named a file
(``OD_HH_KINDER_2016``, ``OD_KBU_EINKOMMEN``, ``GEO_COLOURING_DD`` …) the same
id is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

OPENDATA_DIR = "dresden-opendata"
GEO_DIR = "dresden-geo"

LICENCE_DL_DE_BY = {
    "name": "dl-de-by-2.0",
    "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
    "path": "https://www.govdata.de/dl-de/by-2-0",
}
ATTRIBUTION_OPENDATA = (
    "Datenquelle: Landeshauptstadt Dresden, opendata.dresden.de, "
    "Datenlizenz Deutschland – Namensnennung 2.0 (dl-de/by-2-0)"
)
ATTRIBUTION_GEO = "Geodaten: Landeshauptstadt Dresden, opendata.dresden.de, dl-de/by-2-0"
MIRROR_COMMIT = "08924fe38246e02b425fa65426f893924c5d52c4"
PORTAL_URL = "https://opendata.dresden.de/dcat-ap/dataset/de-sn-dresden-{stem}/content.csv"

#: Survey and register years available per table family.
HOUSEHOLD_YEARS: tuple[int, ...] = tuple(range(2014, 2026))
MIGRATION_YEARS: tuple[int, ...] = (2014, 2016, 2018, 2020, 2022, 2024, 2025)


@dataclass(frozen=True)
class RawFile:
    """One byte-exact raw file.

    Parameters
    ----------
    source_id
        Key of the file (bib key, ``source_id`` column in derived tables).
    path
        Path relative to ``data/raw/``.
    title
        Title of the dataset (German, as published).
    year
        Data year, if the file holds a single year.
    """

    source_id: str
    path: str
    title: str
    year: int | None = None

    @property
    def is_geo(self) -> bool:
        """Whether the file is geodata (GeoJSON) rather than an open-data table."""
        return self.path.startswith(GEO_DIR)

    @property
    def url(self) -> str:
        """Download address on the Dresden portal (or the geodata origin)."""
        if self.is_geo:
            return (
                "https://github.com/grubl2f/colouring-dresden/blob/"
                "c42cead9092f7d3061693672cbd1653967e11c0f/app/public/geometries/boroughs.geojson"
            )
        return PORTAL_URL.format(stem=Path(self.path).stem)


def _od(source_id: str, name: str, title: str, year: int | None = None) -> RawFile:
    return RawFile(source_id, f"{OPENDATA_DIR}/{name}", title, year)


def _build_registry() -> tuple[RawFile, ...]:
    files: list[RawFile] = [
        _od(
            "OD_ARBEITSLOSE_2012_2017",
            "arbeitslose_2012_-_2017_md1_4_quartal.csv",
            "Arbeitslose nach Stadtbezirken, 4. Quartal 2012–2017",
        ),
        _od(
            "OD_ARBEITSLOSE_2018FF",
            "arbeitslose_2018ff_md1_quartalszahlen.csv",
            "Arbeitslose nach Stadtbezirken, Quartalszahlen ab 2018",
        ),
        _od(
            "OD_PROGNOSE_STB",
            "einwohner-prognose_md9_open_data_stadtbezirk_mit_zugeordneten_ortschaften_-_gerundet.csv",
            "Bevölkerungsprognose nach Stadtbezirken (gerundet)",
        ),
    ]
    for year in HOUSEHOLD_YEARS:
        files.append(
            _od(
                f"OD_HH_KINDER_{year}",
                f"einwohner_-_haushalte_md21e_{year}_od_bevoelkerung_ab_stadtbezirk_kinderanzahl.csv",
                f"Haushalte nach Kinderanzahl {year}",
                year,
            )
        )
    for year in HOUSEHOLD_YEARS:
        files.append(
            _od(
                f"OD_HH_ALLEINERZ_{year}",
                f"einwohner_-_haushalte_md24e_{year}_ab_stadtbezirk_allein_erziehende_haushalte_"
                "kinderanzahl.csv",
                f"Haushalte (Alleinerziehend) nach Kinderanzahl {year}",
                year,
            )
        )
    for year in MIGRATION_YEARS:
        files.append(
            _od(
                f"OD_MIGRATION_SR_{year}",
                f"einwohner___md105e_{year}_migrationshintergrund_od_bevoelkerung_hauptwohner_"
                "stadtraum_3_altersklassen.csv",
                f"Bevölkerung am Ort der Hauptwohnung nach Migrationshintergrund und "
                f"3 Altersklassen {year}",
                year,
            )
        )
    files += [
        _od(
            "OD_EW_STT_ALTER_2025",
            "einwohner___md_21e_2025_-_3112_od_bevoelkerung__ab_stadtteil_hauptwohner_"
            "13_altersklassen.csv",
            "Bevölkerung am Ort der Hauptwohnung nach 13 Altersklassen zum 31.12.2025",
            2025,
        ),
        _od(
            "OD_EW_SR_JAHRGAENGE_2025",
            "einwohner___md_31e_2025_-_3112_od_bevoelkerung_ab_stadtraum_hauptwohner_alter_"
            "jahrgaenge_85_u_aelter_zusammengefasst.csv",
            "Bevölkerung am Ort der Hauptwohnung nach Alter (Jahrgänge) zum 31.12.2025",
            2025,
        ),
        _od(
            "OD_EW_STT_2025",
            "einwohner___md_34e_2025_-_3112_od_bevoelkerung_ab_stadtteil_hauptwohner_geschlecht_"
            "deutsche__auslaender.csv",
            "Bevölkerung am Ort der Hauptwohnung nach Geschlecht und 1. Staatsangehörigkeit "
            "(Deutsche / Ausländer) zum 31.12.2025",
            2025,
        ),
        _od(
            "OD_KBU_EINKOMMEN",
            "kbu_-_einkommen_aequivalenz-_1993ff_stadtraum.csv",
            "Kommunale Bürgerumfrage – Einkommen (Äquivalenz-) 1993ff nach Stadtraum",
        ),
        RawFile(
            "GEO_COLOURING_DD",
            f"{GEO_DIR}/stadtteile.geojson",
            "Stadtteile der Landeshauptstadt Dresden (64 Flächen, GeoJSON)",
        ),
    ]
    return tuple(files)


RAW_FILES: tuple[RawFile, ...] = _build_registry()
_BY_ID = {f.source_id: f for f in RAW_FILES}


ROOT_ENV = "SOZIALANALYSE_ROOT"


class CompendiumDataMissingError(FileNotFoundError):
    """The compendium's own data (``data/`` of a repository clone) cannot be found.

    Raised by the functions that read the compendium's Dresden data when the package is
    installed from a wheel (no repository next to it) and ``$SOZIALANALYSE_ROOT`` is not
    set. The methods (index, evaluation, disclosure) do not need these data.
    """


def _has_data(root: Path) -> bool:
    return (root / "data" / "datapackage.json").is_file()


def repo_root() -> Path:
    """Return the root of the compendium (the directory holding ``data/``).

    ``$SOZIALANALYSE_ROOT`` names it explicitly (for an installed package, point it at a
    clone of the repository); otherwise the directory above the package is used when it
    holds ``data/datapackage.json`` (a source checkout or an editable install).

    Raises
    ------
    CompendiumDataMissingError
        If neither place holds the compendium's data (German message saying what to do).
    """
    env = os.environ.get(ROOT_ENV)
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / "data").is_dir():
            raise CompendiumDataMissingError(
                f"{ROOT_ENV}={env} enthält keinen Ordner „data“. Die Variable muss auf das "
                "Wurzelverzeichnis eines Klons des Repositoriums sozialanalyse zeigen "
                "(dort liegen data/ und book/)."
            )
        return root
    root = Path(__file__).resolve().parents[2]
    if _has_data(root):
        return root
    raise CompendiumDataMissingError(
        "Die Daten des Kompendiums (data/datapackage.json) wurden nicht gefunden: das Paket ist "
        "offenbar ohne das Repositorium installiert. Die Methoden (Index, Evaluation, "
        "Geheimhaltung) arbeiten mit Ihren eigenen Daten auch so; für die Dresdner Daten des "
        f"Kompendiums klonen Sie das Repositorium und setzen {ROOT_ENV} auf sein "
        "Wurzelverzeichnis."
    )


def data_dir() -> Path:
    """Return ``<root>/data``."""
    return repo_root() / "data"


def raw_dir() -> Path:
    """Return ``<root>/data/raw``."""
    return data_dir() / "raw"


def derived_dir() -> Path:
    """Return ``<root>/data/derived``."""
    return data_dir() / "derived"


def raw_file(source_id: str) -> RawFile:
    """Look up a raw file by its ``source_id``.

    Raises
    ------
    KeyError
        If the id is unknown.
    """
    try:
        return _BY_ID[source_id]
    except KeyError:
        raise KeyError(f"unknown raw source_id {source_id!r}") from None


def raw_path(source_id: str, root: Path | None = None) -> Path:
    """Absolute path of a raw file (under ``root`` or :func:`raw_dir`)."""
    return (root or raw_dir()) / raw_file(source_id).path
