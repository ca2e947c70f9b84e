"""sozialanalyse: social-burden indices and case-count evaluation for Sozialraumorientierung.

The package has two halves:

* indicator construction (composite social-burden indices such as a
  Dresden-style Prekarisierungsindex, area types, priority areas, uncertainty);
* before-and-after evaluation of case counts of Hilfen zur Erziehung (HzE)
  in the style of the Bremen model project ESPQ.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
