"""Tabular data sets: Kaggle's house prices and NASA's airfoil self-noise, read from files the
user has, with the curriculum's (d2l's) preprocessing, plus the small CSV reader they use.

Nothing is downloaded: both loaders read from ``root``, a folder holding

    kaggle_house_pred_train.csv, kaggle_house_pred_test.csv   (Kaggle, "House Prices -
        Advanced Regression Techniques"; the same files as d2l's DATA_HUB)
    airfoil_self_noise.dat                                    (UCI, "Airfoil Self-Noise")

A file that is corrupt or truncated raises ValueError naming the file, the line and what is
wrong with it (wrong number of fields, a non-numeric value where numbers are expected, an empty
file, a missing header column, broken quoting).
"""

from __future__ import annotations

import csv
import itertools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from shendu.data.dataset import TensorDataset
from shendu.data.preprocessing import OneHotEncoder, StandardScaler, fill_missing

__all__ = ["Table", "read_csv", "house_price_features", "load_house_prices", "HousePrices",
           "load_airfoil", "Airfoil",
           "HOUSE_TRAIN_FILE", "HOUSE_TEST_FILE", "AIRFOIL_FILE", "AIRFOIL_COLUMNS"]

HOUSE_TRAIN_FILE = "kaggle_house_pred_train.csv"
HOUSE_TEST_FILE = "kaggle_house_pred_test.csv"
AIRFOIL_FILE = "airfoil_self_noise.dat"
AIRFOIL_COLUMNS = ("frequency", "angle_of_attack", "chord_length", "free_stream_velocity",
                   "suction_side_displacement_thickness", "scaled_sound_pressure_level")


# --------------------------------------------------------------------------- the CSV reader
@dataclass
class Table:
    """The columns of a delimited text file, as read: each a list of strings, ``None`` where
    the value is missing. ``line_numbers[i]`` is the file line of row i (1-based, counting
    the header), for error messages.

    ``numeric(name)`` parses a column to float64; ``is_numeric(name)`` says whether every
    non-missing value parses; ``categorical(name)`` gives an object array.
    """

    path: Path
    names: list[str]
    columns: dict[str, list[str | None]]
    line_numbers: list[int] = field(repr=False)

    def __len__(self) -> int:
        return len(self.line_numbers)

    def _column(self, name: str) -> list[str | None]:
        if name not in self.columns:
            raise ValueError(f"{self.path}: missing header column {name!r} (columns: "
                             f"{', '.join(self.names[:8])}{' ...' if len(self.names) > 8 else ''})")
        return self.columns[name]

    def is_numeric(self, name: str) -> bool:
        """Whether every non-missing value of column ``name`` parses as a float."""
        return all(v is None or _parse_float(v) is not None for v in self._column(name))

    def numeric(self, name: str) -> np.ndarray:
        """Column ``name`` as float64 (N,), NaN where missing; a value that is not a number
        raises ValueError naming the file, line and value."""
        values = self._column(name)
        out = np.empty(len(values), dtype=np.float64)
        for i, v in enumerate(values):
            number = np.nan if v is None else _parse_float(v)
            if number is None:
                raise ValueError(f"{self.path}, line {self.line_numbers[i]}: column {name!r} "
                                 f"holds numbers, but this row has {v!r}, which is not a "
                                 f"number")
            out[i] = number
        return out

    def categorical(self, name: str) -> np.ndarray:
        """Column ``name`` as an object array (N,) of strings, None where missing."""
        return np.array(self._column(name), dtype=object)

    def first_bad_number(self, name: str) -> tuple[int, str] | None:
        """(line, value) of the first non-missing value of ``name`` that is not a number."""
        for line, v in zip(self.line_numbers, self._column(name)):
            if v is not None and _parse_float(v) is None:
                return line, v
        return None


def _parse_float(text: str) -> float | None:
    """``float(text)``, or None when ``text`` is not a number."""
    try:
        return float(text)
    except ValueError:
        return None


def _header(path: Path, row: list[str], header: bool, names: Sequence[str] | None,
            line: int) -> list[str]:
    """The column names: the given ``names`` or the header row, checked."""
    if names is not None:
        columns = list(names)
    elif header:
        columns = row
    else:
        columns = [str(i) for i in range(len(row))]
    if header and names is not None and len(names) != len(row):
        raise ValueError(f"{path}, line {line}: header has {len(row)} columns, expected "
                         f"{len(names)} ({', '.join(names)})")
    blank = [i for i, c in enumerate(columns) if not c.strip()]
    if blank:
        raise ValueError(f"{path}, line {line}: header column(s) {blank} have no name")
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ValueError(f"{path}, line {line}: header names column(s) {duplicates} twice")
    return columns


def _records(path: Path, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    """(line number, fields) of every non-blank record; broken quoting, NUL bytes and text
    that is not UTF-8 raise ValueError with the line."""
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file, delimiter=delimiter, strict=True)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ValueError(f"{path}, line {reader.line_num}: malformed record "
                                 f"({exc}); is the file truncated or corrupt?") from None
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}, after line {reader.line_num}: not UTF-8 text "
                                 f"({exc.reason} at byte {exc.start} of a read block); is "
                                 f"the file corrupt?") from None
            if row:
                yield reader.line_num, row


def read_csv(path: str | os.PathLike, *, delimiter: str = ",", header: bool = True,
             names: Sequence[str] | None = None,
             na_values: Iterable[str] = ("NA", "")) -> Table:
    """Read a delimited text file (comma-separated by default) into a :class:`Table`.

    Quoted fields (``"a, b"``) follow the csv module's rules; blank lines are skipped; a
    field equal to one of ``na_values`` is missing (None). Every record must have as many
    fields as the header.

    Args:
        path: the file.
        delimiter: the field separator (``"\\t"`` for tab-separated files).
        header: whether the first record names the columns.
        names: column names to use (checked against the header's length when there is one;
            ``"0", "1", ...`` when neither is given).
        na_values: the strings that mean "missing" (pandas' default list includes "NA" and
            the empty string; pandas >= 2.0 also counts "None").

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: an empty file, a header without data rows, a record with the wrong number
            of fields, broken quoting, or text that is not UTF-8; the message names the file
            and line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"read_csv: no file at {path}")
    na = frozenset(na_values)
    records = iter(_records(path, delimiter))
    first = next(records, None)
    if first is None:
        raise ValueError(f"{path}: empty file (expected "
                         f"{'a header line and ' if header else ''}data rows)")
    columns = _header(path, first[1], header, names, first[0])
    rows = records if header else itertools.chain([first], records)
    values: list[list[str | None]] = [[] for _ in columns]
    lines: list[int] = []
    for line, row in rows:
        if len(row) != len(columns):
            raise ValueError(f"{path}, line {line}: expected {len(columns)} fields (as the "
                             f"{'header' if header else 'first row'}), got {len(row)}; is the "
                             f"file truncated or corrupt?")
        for column, v in zip(values, row):
            column.append(None if v in na else v)
        lines.append(line)
    if not lines:
        raise ValueError(f"{path}: a header but no data rows (truncated file?)")
    return Table(path, columns, dict(zip(columns, values)), lines)


# --------------------------------------------------------------------------- house prices
def _require_file(root: Path, name: str, origin: str) -> Path:
    path = root / name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found; put {name} ({origin}) in {root}, or "
                                f"pass root= the folder that holds it")
    return path


def _check_house_headers(train: Table, test: Table) -> None:
    """Train has Id first and SalePrice; test has the same columns without SalePrice."""
    for table, required in ((train, ("Id", "SalePrice")), (test, ("Id",))):
        for name in required:
            table._column(name)  # raises "missing header column"
    expected = [n for n in train.names if n != "SalePrice"]
    missing = [n for n in expected if n not in test.columns]
    extra = [n for n in test.names if n not in expected]
    if missing or extra:
        raise ValueError(f"{test.path}, line 1: the header should have the columns of "
                         f"{train.path.name} except SalePrice; missing {missing}, extra {extra}")


def _house_column(name: str, tables: Sequence[Table]) -> tuple[bool, np.ndarray]:
    """(is_numeric, values over all tables): numeric when every non-missing value of the
    column, in every table, parses as a number (as pandas infers a column's dtype).

    A column that is numeric except for a few values is taken as corrupt: if more of its
    values parse than not, the first one that does not raises ValueError with its line."""
    if all(t.is_numeric(name) for t in tables):
        return True, np.concatenate([t.numeric(name) for t in tables])
    values = [v for t in tables for v in t.columns[name] if v is not None]
    parsed = sum(_parse_float(v) is not None for v in values)
    if parsed > len(values) - parsed:
        table = next(t for t in tables if not t.is_numeric(name))
        line, bad = table.first_bad_number(name)
        raise ValueError(f"{table.path}, line {line}: column {name!r} holds numbers "
                         f"({parsed} of {len(values)} values), but this row has {bad!r}, "
                         f"which is not a number; is the file corrupt?")
    return False, np.concatenate([t.categorical(name) for t in tables])


def _labels(train: Table, log_labels: bool) -> np.ndarray:
    price = train.numeric("SalePrice")
    bad = np.flatnonzero(~(price > 0))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{train.path}, line {train.line_numbers[i]}: SalePrice must be a "
                         f"positive number, got {train.columns['SalePrice'][i]!r}")
    return np.log(price) if log_labels else price


def _ids(table: Table) -> np.ndarray:
    ids = table.numeric("Id")
    bad = np.flatnonzero(~np.isfinite(ids) | (ids != np.round(ids)))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{table.path}, line {table.line_numbers[i]}: Id must be an integer, "
                         f"got {table.columns['Id'][i]!r}")
    return ids.astype(np.int64)


def house_price_features(train: Table, test: Table) -> tuple[np.ndarray, list[str]]:
    """The curriculum's (d2l's) preprocessing of the Kaggle house-price features.

    1. Train and test features together (both files' rows, without Id and SalePrice).
    2. Numeric columns (every non-missing value a number) standardised with the mean and
       *sample* standard deviation (pandas' ``std``, ddof=1) of all those rows, NaN ignored:
       x <- (x - mean) / std.
    3. Missing numeric values filled with 0 (the mean, after step 2).
    4. Categorical columns one-hot encoded, categories sorted, with one more indicator for
       "missing" per column (pandas' ``get_dummies(dummy_na=True)``).

    The columns come out as pandas orders them: numeric columns in file order, then the
    indicator block of each categorical column in file order.

    Returns:
        features (N_train + N_test, F) float64, and the F column names ("LotArea",
        "MSZoning_RL", "MSZoning_nan", ...).
    """
    names = [n for n in train.names if n not in ("Id", "SalePrice")]
    numeric, categorical = {}, {}
    for name in names:
        is_numeric, values = _house_column(name, (train, test))
        (numeric if is_numeric else categorical)[name] = values
    X_num = np.stack(list(numeric.values()), axis=1)
    X_num = fill_missing(StandardScaler(ddof=1).fit_transform(X_num), 0.0)
    encoder = OneHotEncoder(dummy_na=True)
    X_cat = encoder.fit_transform(np.stack(list(categorical.values()), axis=1))
    feature_names = list(numeric) + encoder.get_feature_names_out(list(categorical))
    return np.concatenate([X_num, X_cat], axis=1), feature_names


def load_house_prices(root: str | os.PathLike, *, log_labels: bool = False,
                      na_values: Iterable[str] = ("NA", ""), dtype: DTypeLike = np.float32
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Kaggle's house prices (Ames, Iowa; De Cock 2011) with the curriculum's preprocessing
    (see :func:`house_price_features`): 79 raw features become 331 columns.

    With the default ``na_values`` ("NA" and the empty field, as pandas 1.x read the files
    for the book) the count is 331, what d2l prints. pandas >= 2.0 also reads the string
    "None" as missing, which merges MasVnrType's category "None" into its missing indicator:
    ``na_values=("NA", "", "None")`` reproduces that, with 330 columns.

    Args:
        root: the folder holding kaggle_house_pred_train.csv and kaggle_house_pred_test.csv.
        log_labels: return log(SalePrice) (the target of d2l's later editions) instead of
            the price in dollars (the target of its Adam/log-RMSE recipe, the default).
        na_values: strings read as missing.
        dtype: dtype of the features and labels.

    Returns:
        ``(train_features (1460, F), train_labels (1460, 1), test_features (1459, F),
        test_ids (1459,) int64, feature_names)``; F = 331.
    """
    root = Path(root)
    origin = "Kaggle's 'House Prices - Advanced Regression Techniques' data, as in d2l"
    na_values = tuple(na_values)
    train = read_csv(_require_file(root, HOUSE_TRAIN_FILE, origin), na_values=na_values)
    test = read_csv(_require_file(root, HOUSE_TEST_FILE, origin), na_values=na_values)
    _check_house_headers(train, test)
    labels = _labels(train, log_labels).reshape(-1, 1).astype(dtype)
    test_ids = _ids(test)
    _ids(train)
    features, feature_names = house_price_features(train, test)
    features = features.astype(dtype)
    n_train = len(train)
    return features[:n_train], labels, features[n_train:], test_ids, feature_names


class HousePrices(TensorDataset):
    """The house-price data of :func:`load_house_prices` as a Dataset: the training split's
    items are ``(features (F,), label (1,))``, the test split's ``(features (F,),)`` (Kaggle
    keeps its prices).

    Args:
        root: the folder holding the two Kaggle csv files.
        train: the training split (1460 houses) or the test split (1459).
        log_labels, na_values, dtype: as :func:`load_house_prices`.

    Attributes: ``feature_names`` (F names), ``ids`` (the test houses' Ids; None for train).
    """

    def __init__(self, root: str | os.PathLike, train: bool = True, *,
                 log_labels: bool = False, na_values: Iterable[str] = ("NA", ""),
                 dtype: DTypeLike = np.float32) -> None:
        X_train, y_train, X_test, test_ids, names = load_house_prices(
            root, log_labels=log_labels, na_values=na_values, dtype=dtype)
        self.train = train
        self.feature_names = names
        self.ids = None if train else test_ids
        super().__init__(*((X_train, y_train) if train else (X_test,)))


# --------------------------------------------------------------------------- airfoil
def load_airfoil(root: str | os.PathLike, n: int | None = 1500,
                 dtype: DTypeLike = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """NASA's airfoil self-noise data (UCI; 1503 rows of 5 features and the sound pressure)
    as d2l's ``get_data_ch11`` prepares it: every column, the target included, standardised
    with the mean and population standard deviation (ddof=0) of all 1503 rows,
    x <- (x - mean) / std, then the first ``n`` rows.

    Args:
        root: the folder holding airfoil_self_noise.dat (tab-separated, no header).
        n: how many rows to return (d2l: 1500); None for all.
        dtype: dtype of the result (d2l: float32).

    Returns:
        ``(X (n, 5), y (n,))``: features (frequency, angle of attack, chord length, free
        stream velocity, suction-side displacement thickness) and the standardised scaled
        sound pressure level.
    """
    path = _require_file(Path(root), AIRFOIL_FILE, "UCI's 'Airfoil Self-Noise' data, as in d2l")
    table = read_csv(path, delimiter="\t", header=False, names=AIRFOIL_COLUMNS, na_values=())
    data = np.stack([table.numeric(name) for name in AIRFOIL_COLUMNS], axis=1)
    if n is not None and not 0 < n <= len(data):
        raise ValueError(f"load_airfoil: n must be in [1, {len(data)}] (the rows of {path}) "
                         f"or None, got {n!r}")
    data = StandardScaler().fit_transform(data)[:n].astype(dtype)
    return data[:, :-1], data[:, -1]


class Airfoil(TensorDataset):
    """The airfoil data of :func:`load_airfoil` as a Dataset of ``(features (5,), target ())``
    items."""

    def __init__(self, root: str | os.PathLike, n: int | None = 1500,
                 dtype: DTypeLike = np.float32) -> None:
        super().__init__(*load_airfoil(root, n, dtype))
