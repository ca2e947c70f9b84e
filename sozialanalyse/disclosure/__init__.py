"""Statistical disclosure control for tables of case counts per small area.

Case counts of Hilfen zur Erziehung (HzE) per Stadtraum are small numbers about
identifiable families. Every table of such counts shown in the book passes through
this module.

Practice we follow
------------------
German official statistics protect small cells under the statistical secrecy of
section 16 BStatG ("Geheimhaltung"). The common sign table
("Zeichenerklärung") of the statistical offices of the Bund and the Länder uses

* ``.`` -- "Zahlenwert unbekannt oder geheim zu halten" (value unknown or kept
  secret), e.g. IT.NRW's tables of the youth-welfare statistics on
  Gefährdungseinschätzungen nach § 8a SGB VIII
  (https://www.it.nrw/gefaehrdungseinschaetzungen-nach-ss-8a-absatz-1-sgb-viii-91346)
  and the sign list of the Landesamt für Statistik Niedersachsen
  (https://statistik.niedersachsen.de/ueber_statistik/abkuerzungen_und_zeichenerklaerungenabkurzungen-und-zeichenerklarungen-115987.html);
* ``-`` -- exactly zero ("nichts vorhanden").

For the youth-welfare statistics, commentary on § 103 SGB VIII notes that tables
whose cells hold a single case ("Tabelleneinsen") may only be passed on at a coarse
regional level (Haufe, SGB VIII commentary on § 103). Destatis publishes other social
statistics with rounding to multiples of 5 ("5er-Rundung", Sozialhilfe/BuT from 2020,
https://destatis.de/DE/Themen/Gesellschaft-Umwelt/Soziales/Sozialhilfe/Glossar/Geheimhaltung_HLU_BUT_ab2020.html).
We could not verify from a stored public source which rounding base the
Kinder- und Jugendhilfestatistik currently uses, so we do not round.

Rules chosen here (documented defaults)
---------------------------------------
* Primary suppression: counts ``1 .. threshold-1`` are suppressed; the default
  ``threshold=3`` suppresses the values 1 and 2, the smallest rule that hides single
  cases and pairs of cases.
* Zeros are published (shown as ``–``) by default; ``suppress_zeros=True`` treats
  them as primary cells too.
* Secondary suppression: row and column totals are assumed to be known (they may be
  published elsewhere, e.g. the city-wide total), so every row and column with a
  suppressed cell gets at least two. The partner is an interior cell (totals stay
  published where possible), preferably one whose crossing row or column already
  holds a suppression (so no new line is opened), else the smallest non-zero cell.
  In addition an attacker check by linear programming (the published cells and totals
  as equations, counts non-negative) must leave every primary cell an interval of
  possible values that reaches the threshold; otherwise more cells are suppressed.
* Rates computed from suppressed counts are suppressed too (:func:`suppress_rates`).
* Suppressed cells are shown as ``.``.

The algorithm is a greedy heuristic, deterministic and independent of row order
(ties are broken by the row and column labels), not an optimal cell-suppression
solver such as tau-ARGUS.

Modules
-------
:mod:`~sozialanalyse.disclosure.grid`
    Constants, input checks (counts through :func:`sozialanalyse.validation.check_counts`)
    and the table with its margins.
:mod:`~sozialanalyse.disclosure.attacker`
    The attacker model: feasible intervals of suppressed cells by linear programming.
:mod:`~sozialanalyse.disclosure.suppression`
    Primary and secondary suppression, suppressed rates, the rules as a table.
:mod:`~sozialanalyse.disclosure.display`
    The suppressed table for the book (HTML, German numbers via
    :mod:`sozialanalyse.formatting`).
"""

from __future__ import annotations

from sozialanalyse.disclosure.attacker import protection_intervals
from sozialanalyse.disclosure.display import CaseCountTable, case_count_table
from sozialanalyse.disclosure.grid import (
    DEFAULT_THRESHOLD,
    SECRECY_SYMBOL,
    TOTAL_LABEL,
    ZERO_SYMBOL,
)
from sozialanalyse.disclosure.suppression import (
    disclosure_rules,
    suppress,
    suppress_rates,
    suppression_mask,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "SECRECY_SYMBOL",
    "ZERO_SYMBOL",
    "TOTAL_LABEL",
    "CaseCountTable",
    "case_count_table",
    "disclosure_rules",
    "protection_intervals",
    "suppress",
    "suppress_rates",
    "suppression_mask",
]
