"""The ``allocate`` subcommand (sozialanalyse.cli.allocate_cmd)."""

from __future__ import annotations

import argparse

import pandas as pd
import pytest

from sozialanalyse.cli import main
from sozialanalyse.cli._common import GermanParser


@pytest.fixture()
def files(tmp_path):
    data = tmp_path / "gebiete.csv"
    data.write_text("area;population;index\nA;4000;0,2\nB;3000;1,5\nC;2000;-0,3\nD;1000;0,9\n",
                    encoding="utf-8")
    cur = tmp_path / "heute.csv"
    cur.write_text("area;current\nA;4\nB;3\nC;2\nD;1\n", encoding="utf-8")
    return data, cur, tmp_path / "out.csv"


def test_register_adds_parser_with_run():
    parser = GermanParser(prog="x")
    sub = parser.add_subparsers(dest="command")
    from sozialanalyse.cli import allocate_cmd

    allocate_cmd.register(sub)
    args = parser.parse_args(["allocate", "f.csv", "--total", "10"])
    assert callable(args.run) and args.unit == 0.25 and args.method == "hamilton"


def test_allocate_writes_breakdown(files, capsys):
    data, cur, out = files
    code = main(["allocate", str(data), "--total", "10", "--unit", "0.25", "--method",
                 "webster", "--floor", "1.5", "--current", str(cur), "--damping", "0.5",
                 "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "Webster/Sainte-Laguë" in text and "10,00" in text
    table = pd.read_csv(out)
    assert table["Zuteilung"].sum() == pytest.approx(10.0)
    assert (table["Zuteilung"] >= 1.5).all()
    parts = table[["nach Köpfen", "Bedarfszuschlag", "Wirkung Unter-/Obergrenze",
                   "Wirkung Dämpfung", "Wirkung Rundung"]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(table["Zuteilung"].to_numpy())


def test_per_capita(files, capsys):
    data, _, out = files
    assert main(["allocate", str(data), "--total", "5", "--unit", "0.5", "--per-capita",
                 "--out", str(out)]) == 0
    assert pd.read_csv(out)["Zuteilung"].tolist() == [2.0, 1.5, 1.0, 0.5]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [(["--total", "10.1"], "Vielfaches"),
     (["--total", "10", "--need-column", "bedarf"], "bedarf"),
     (["--total", "10", "--damping", "0.5"], "--current"),
     (["--total", "10", "--floor", "3"], "Untergrenzen")],
)
def test_user_errors_exit_2_in_german(files, capsys, extra, needle):
    data, _, _ = files
    assert main(["allocate", str(data), *extra]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_bad_option_value(files, capsys):
    data, _, _ = files
    with pytest.raises(SystemExit) as exc:
        main(["allocate", str(data), "--total", "-3"])
    assert exc.value.code == 2
    assert "größer als null" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "value"),
                         [("12,5", 12.5), ("12.5", 12.5), ("1.000,25", 1000.25), ("10", 10.0)])
def test_number_options_read_german_and_international_decimals(text, value):
    from sozialanalyse.cli.allocate_cmd import _positive

    assert _positive(text) == value


@pytest.mark.parametrize("text", ["zehn", "", "k.A.", "12 %"])
def test_number_options_reject_non_numbers(text):
    from sozialanalyse.cli.allocate_cmd import _positive

    with pytest.raises(argparse.ArgumentTypeError, match="keine Zahl"):
        _positive(text)


def test_module_imports_only_light_things():
    import importlib
    import sys

    mod = importlib.import_module("sozialanalyse.cli.allocate_cmd")
    assert isinstance(mod.register, type(test_register_adds_parser_with_run))
    assert "argparse" in sys.modules
    assert not hasattr(mod, "pd") and not hasattr(mod, "np")
    assert isinstance(argparse.ArgumentParser, type)
