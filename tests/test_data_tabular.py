"""Tabular data: the scalers, OneHotEncoder and imputers against hand-computed values, KFold and
train_test_split, the CSV reader on crafted good and bad files, the house-price and airfoil
loaders on the real files, and the house-price check: 5-fold cross-validated log-RMSE of
d2l's linear model <= 0.175 and of an MLP <= 0.16."""

from __future__ import annotations

import math
import runpy
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import shendu
from shendu.data.datasets.tabular import (
    Airfoil,
    HousePrices,
    load_airfoil,
    load_house_prices,
    read_csv,
)
from shendu.data.preprocessing import (
    DecimalScaler,
    MeanNormalizer,
    MinMaxScaler,
    OneHotEncoder,
    SimpleImputer,
    StandardScaler,
    fill_missing,
)
from shendu.data.split import KFold, train_test_split

NAN = float("nan")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "house_prices.py"


# --------------------------------------------------------------------------- scalers
def test_standard_scaler_population_std_constant_column_and_inverse():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    scaler = StandardScaler().fit(X)
    z = 1 / math.sqrt(2 / 3)                      # (3 - 2) / population std sqrt(2/3)
    np.testing.assert_allclose(scaler.transform(X), [[-z, 0], [0, 0], [z, 0]])
    np.testing.assert_allclose(scaler.mean_, [2, 5])
    np.testing.assert_allclose(scaler.transform([[5.0, 7.0]]), [[3 * z, 2.0]])  # constant: /1
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X)
    assert scaler.transform(X).dtype == np.float64


def test_standard_scaler_sample_std_ignores_nan():
    X = np.array([[1.0], [NAN], [3.0], [5.0]])    # mean 3, sample std 2
    out = StandardScaler(ddof=1).fit_transform(X)
    np.testing.assert_allclose(out, [[-1.0], [NAN], [0.0], [1.0]])
    assert StandardScaler(dtype=np.float32).fit_transform(X).dtype == np.float32


def test_min_max_scaler_to_a_range():
    X = np.array([[2.0, 1.0], [4.0, 1.0], [6.0, 1.0]])
    scaler = MinMaxScaler(feature_range=(-1, 1)).fit(X)
    # x' = -1 + (x - 2) * (1 - (-1)) / (6 - 2); a constant column goes to new_min
    np.testing.assert_allclose(scaler.transform(X), [[-1, -1], [0, -1], [1, -1]])
    np.testing.assert_allclose(scaler.transform([[8.0, 1.0]]), [[2.0, -1.0]])  # not clipped
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X)
    np.testing.assert_allclose(MinMaxScaler().fit_transform([[10.0], [NAN], [20.0]]),
                               [[0.0], [NAN], [1.0]])


def test_mean_normalizer():
    X = np.array([[1.0], [2.0], [6.0]])           # mean 3, max - min 5
    scaler = MeanNormalizer().fit(X)
    np.testing.assert_allclose(scaler.transform(X), [[-0.4], [-0.2], [0.6]])
    np.testing.assert_allclose(scaler.inverse_transform([[-0.4], [1.0]]), [[1.0], [8.0]])


def test_decimal_scaler_hand_values():
    X = np.array([[-986.0, 1000.0, 0.5, 0.0, 999.9], [917.0, 3.0, -0.2, 0.0, 1.0]])
    scaler = DecimalScaler().fit(X)
    assert scaler.exponent_.tolist() == [3, 4, 0, 0, 3]
    np.testing.assert_allclose(scaler.transform(X)[:, 0], [-0.986, 0.917])
    np.testing.assert_allclose(scaler.transform(X)[:, 1], [0.1, 0.0003])
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X)


@pytest.mark.parametrize("k", range(-3, 16))
def test_decimal_scaler_exponent_is_the_smallest(k):
    for value in (10.0 ** k, 10.0 ** k * 0.999999, 10.0 ** k * 1.000001):
        j = int(DecimalScaler().fit([[value]]).exponent_[0])
        assert value / 10.0 ** j < 1
        assert j == 0 or value / 10.0 ** (j - 1) >= 1, (value, j)


def test_imputers():
    X = np.array([[1.0, NAN], [NAN, 4.0], [3.0, 8.0], [NAN, 6.0]])
    np.testing.assert_array_equal(fill_missing(X), [[1, 0], [0, 4], [3, 8], [0, 6]])
    assert np.isnan(X).sum() == 3                  # a copy: the input keeps its NaNs
    np.testing.assert_array_equal(SimpleImputer("mean").fit_transform(X)[:, 0], [1, 2, 3, 2])
    imputer = SimpleImputer("median").fit(X)
    np.testing.assert_array_equal(imputer.statistics_, [2, 6])
    np.testing.assert_array_equal(imputer.transform([[NAN, NAN]]), [[2, 6]])
    np.testing.assert_array_equal(SimpleImputer("constant", fill_value=-1).fit_transform(X)[0],
                                  [1, -1])


@pytest.mark.parametrize("make, X, match", [
    (StandardScaler, [1.0, 2.0], "2-d array.*reshape"),
    (MinMaxScaler, [[NAN, 1.0], [NAN, 2.0]], r"column\(s\) \[0\] have no non-missing"),
    (SimpleImputer, [["a"]], "cannot be converted"),
    (MeanNormalizer, np.zeros((0, 2)), "all columns have no non-missing"),
])
def test_scaler_fit_errors(make, X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make().fit(X)


def test_scaler_use_errors():
    with pytest.raises(RuntimeError, match="StandardScaler is not fitted"):
        StandardScaler().transform([[1.0]])
    with pytest.raises(ValueError, match="fitted on 2 features.*got an array with 3"):
        MinMaxScaler().fit([[1.0, 2.0]]).transform([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler(feature_range=(1, 0))
    with pytest.raises(ValueError, match="strategy"):
        SimpleImputer("mode")
    with pytest.raises(ValueError, match="ddof"):
        StandardScaler(ddof=2)


def test_scalers_accept_tensors():
    out = StandardScaler().fit_transform(shendu.tensor([[1.0], [3.0]]))
    np.testing.assert_allclose(out, [[-1.0], [1.0]])


# --------------------------------------------------------------------------- one-hot
def test_one_hot_sorted_categories_and_missing_indicator():
    X = [["b", "x"], ["a", None], ["b", "y"]]
    enc = OneHotEncoder(dummy_na=True).fit(X)
    assert enc.categories_ == [["a", "b"], ["x", "y"]]
    # blocks: [a, b, nan] [x, y, nan]; column 0 has no missing value but keeps its indicator
    np.testing.assert_array_equal(enc.transform(X), [[0, 1, 0, 1, 0, 0],
                                                     [1, 0, 0, 0, 0, 1],
                                                     [0, 1, 0, 0, 1, 0]])
    assert enc.get_feature_names_out(["c", "d"]) == ["c_a", "c_b", "c_nan", "d_x", "d_y", "d_nan"]
    np.testing.assert_array_equal(enc.transform([[NAN, "y"]]), [[0, 0, 1, 0, 1, 0]])
    back = enc.inverse_transform(enc.transform(X))
    assert back.tolist() == [["b", "x"], ["a", None], ["b", "y"]]


def test_one_hot_without_missing_indicator_and_unknowns():
    enc = OneHotEncoder().fit([[1], [3], [2], [None]])
    assert enc.categories_ == [[1, 2, 3]]
    np.testing.assert_array_equal(enc.transform([[3], [None]]), [[0, 0, 1], [0, 0, 0]])
    with pytest.raises(ValueError, match="column 0 has category 7, not seen at fit"):
        enc.transform([[7]])
    ignore = OneHotEncoder(handle_unknown="ignore").fit([["u"], ["v"]])
    np.testing.assert_array_equal(ignore.transform([["w"], ["v"]]), [[0, 0], [0, 1]])
    assert ignore.get_feature_names_out() == ["x0_u", "x0_v"]


def test_one_hot_errors():
    with pytest.raises(RuntimeError, match="not fitted"):
        OneHotEncoder().transform([["a"]])
    with pytest.raises(ValueError, match="fitted on 1 columns, got an array with 2"):
        OneHotEncoder().fit([["a"]]).transform([["a", "b"]])
    with pytest.raises(ValueError, match="2-d"):
        OneHotEncoder().fit(["a", "b"])
    with pytest.raises(ValueError, match="handle_unknown"):
        OneHotEncoder(handle_unknown="zeros")


# --------------------------------------------------------------------------- splitting
@pytest.mark.parametrize("n, k", [(7, 3), (10, 5), (1460, 5), (5, 5), (11, 2)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_sizes_disjoint_and_covering(n, k, shuffle):
    generator = np.random.default_rng(0) if shuffle else None
    folds = list(KFold(k, shuffle=shuffle, generator=generator).split(n))
    assert len(folds) == k
    sizes = [len(val) for _, val in folds]
    assert sizes == [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    every = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(np.sort(every), np.arange(n))  # each sample validated once
    for train, val in folds:
        assert train.dtype == val.dtype == np.int64
        assert not np.intersect1d(train, val).size
        np.testing.assert_array_equal(np.union1d(train, val), np.arange(n))


def test_kfold_contiguous_like_d2l_when_k_divides_n():
    folds = list(KFold(5).split(np.zeros((20, 3))))
    for i, (train, val) in enumerate(folds):
        np.testing.assert_array_equal(val, np.arange(4 * i, 4 * i + 4))  # d2l's slice j*4:(j+1)*4
        np.testing.assert_array_equal(train, np.setdiff1d(np.arange(20), val))


def test_kfold_shuffle_is_deterministic_given_the_seed():
    def folds(**kw):
        return [v.tolist() for _, v in KFold(4, shuffle=True, **kw).split(30)]
    assert folds(generator=np.random.default_rng(3)) == folds(generator=np.random.default_rng(3))
    shendu.manual_seed(5)
    first = folds()
    shendu.manual_seed(5)
    assert folds() == first
    assert first != [v.tolist() for _, v in KFold(4).split(30)]


def test_kfold_errors():
    with pytest.raises(ValueError, match="n_splits must be an int >= 2"):
        KFold(1)
    with pytest.raises(ValueError, match="cannot cut 3 samples into 4 folds"):
        list(KFold(4).split(3))
    with pytest.raises(ValueError, match="shuffle=False"):
        KFold(3, generator=np.random.default_rng(0))


def test_train_test_split_rows_stay_together():
    X, y = np.arange(20).reshape(10, 2), np.arange(10) * 10
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25,
                                              generator=np.random.default_rng(0))
    assert len(X_te) == 3 and len(X_tr) == 7     # ceil(0.25 * 10) test rows
    np.testing.assert_array_equal(X_tr[:, 0] * 5, y_tr)
    np.testing.assert_array_equal(X_te[:, 0] * 5, y_te)
    assert sorted(y_tr.tolist() + y_te.tolist()) == y.tolist()
    a_tr, a_te = train_test_split(shendu.arange(6), test_size=2, shuffle=False)
    assert isinstance(a_te, shendu.Tensor) and a_te.tolist() == [4, 5] and len(a_tr) == 4


def test_train_test_split_errors():
    with pytest.raises(ValueError, match="same first dimension"):
        train_test_split(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="both need >= 1"):
        train_test_split(np.zeros(3), test_size=3)
    with pytest.raises(ValueError, match="test_size must be"):
        train_test_split(np.zeros(3), test_size=1.5)


# --------------------------------------------------------------------------- the CSV reader
def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_read_csv_quotes_missing_values_and_blank_lines(tmp_path):
    path = write(tmp_path / "t.csv",
                 'id,name,size\n1,"Smith, J.",2.5\n\n2,NA,\n3,"say ""hi""",-1e3\n')
    table = read_csv(path)
    assert table.names == ["id", "name", "size"] and len(table) == 3
    assert table.categorical("name").tolist() == ["Smith, J.", None, 'say "hi"']
    np.testing.assert_array_equal(table.numeric("size"), [2.5, NAN, -1000.0])
    assert table.is_numeric("id") and not table.is_numeric("name")
    assert table.line_numbers == [2, 4, 5]


def test_read_csv_tab_separated_without_header(tmp_path):
    path = write(tmp_path / "t.dat", "1\t2\r\n3\t4\r\n")
    table = read_csv(path, delimiter="\t", header=False, names=["a", "b"], na_values=())
    np.testing.assert_array_equal(table.numeric("b"), [2, 4])


@pytest.mark.parametrize("text, match", [
    ("", "empty file"),
    ("a,b\n", "a header but no data rows"),
    ("a,b\n1,2\n3,4\n5\n", r"line 4: expected 2 fields \(as the header\), got 1"),
    ("a,b\n1,2\n3,4,5\n", "line 3: expected 2 fields"),
    ('a,b\n1,"unterminated\n', r"line 2: malformed record"),
    ("a,a\n1,2\n", r"names column\(s\) \['a'\] twice"),
    ("a,,c\n1,2,3\n", r"header column\(s\) \[1\] have no name"),
])
def test_read_csv_bad_files_name_file_line_and_problem(tmp_path, text, match):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=match) as info:
        read_csv(path)
    assert "bad.csv" in str(info.value)


def test_read_csv_non_numeric_value_and_bad_bytes(tmp_path):
    table = read_csv(write(tmp_path / "t.csv", "a\n1\n2\nx7\n"))
    with pytest.raises(ValueError, match=r"t.csv, line 4: column 'a' holds numbers.*'x7'"):
        table.numeric("a")
    with pytest.raises(ValueError, match="missing header column 'b'"):
        table.numeric("b")
    (tmp_path / "bin.csv").write_bytes(b"a,b\n1,2\n\xff\xfe,3\n")
    with pytest.raises(ValueError, match="bin.csv.*not UTF-8"):
        read_csv(tmp_path / "bin.csv")
    with pytest.raises(FileNotFoundError, match="no file at"):
        read_csv(tmp_path / "absent.csv")


# --------------------------------------------------------------------------- house prices, small
def small_house_files(root: Path, train_rows: str | None = None) -> Path:
    """Two tiny files in the Kaggle layout: Id, a numeric column A, a categorical column B."""
    write(root / "kaggle_house_pred_train.csv", "Id,A,B,SalePrice\n" + (
        train_rows or "1,1,x,100\n2,NA,y,200\n3,3,NA,400\n"))
    write(root / "kaggle_house_pred_test.csv", "Id,A,B\n4,5,x\n5,7,y\n")
    return root


def test_house_preprocessing_by_hand(tmp_path):
    X_train, y_train, X_test, ids, names = load_house_prices(small_house_files(tmp_path),
                                                             dtype=np.float64)
    assert names == ["A", "B_x", "B_y", "B_nan"]
    # A over both files: 1, NaN, 3, 5, 7 -> mean 4, sample std sqrt(20/3); NaN -> 0
    s = math.sqrt(20 / 3)
    np.testing.assert_allclose(X_train[:, 0], [-3 / s, 0.0, -1 / s])
    np.testing.assert_allclose(X_test[:, 0], [1 / s, 3 / s])
    np.testing.assert_array_equal(X_train[:, 1:], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(X_test[:, 1:], [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(y_train, [[100], [200], [400]])
    assert ids.tolist() == [4, 5] and ids.dtype == np.int64
    logs = load_house_prices(tmp_path, log_labels=True)[1]
    np.testing.assert_allclose(logs.ravel(), np.log([100, 200, 400]), rtol=1e-6)
    assert logs.dtype == np.float32


@pytest.mark.parametrize("rows, match", [
    ("1,1,x,100\n2,2x,y,200\n3,3,z,400\n", r"train.csv, line 3: column 'A' holds numbers.*'2x'"),
    ("1,1,x,100\n2,2,y,cheap\n", r"train.csv, line 3: column 'SalePrice' holds numbers"),
    ("1,1,x,100\n2,2,y,0\n", r"train.csv, line 3: SalePrice must be a positive number"),
    ("1,1,x,100\n2.5,2,y,200\n", r"train.csv, line 3: Id must be an integer"),
    ("1,1,x,100\n2,2,y", r"train.csv, line 3: expected 4 fields"),
])
def test_house_corrupt_files(tmp_path, rows, match):
    with pytest.raises(ValueError, match=match):
        load_house_prices(small_house_files(tmp_path, rows))


def test_house_missing_column_and_missing_files(tmp_path):
    small_house_files(tmp_path)
    write(tmp_path / "kaggle_house_pred_test.csv", "Id,A\n4,5\n")
    with pytest.raises(ValueError, match=r"test.csv, line 1: .*missing \['B'\]"):
        load_house_prices(tmp_path)
    with pytest.raises(FileNotFoundError, match="kaggle_house_pred_train.csv: file not found"):
        load_house_prices(tmp_path / "nowhere")


# --------------------------------------------------------------------------- the real files
@pytest.mark.data
def test_house_prices_real_files(shared_data):
    root = shared_data / "tabular"
    X_train, y_train, X_test, ids, names = load_house_prices(root)
    # d2l: "this conversion increases the number of features from 79 to 331" (pandas 1.x)
    assert X_train.shape == (1460, 331) and X_test.shape == (1459, 331) and len(names) == 331
    assert y_train.shape == (1460, 1) and X_train.dtype == np.float32
    assert ids[0] == 1461 and ids[-1] == 2919
    assert names[:3] == ["MSSubClass", "LotFrontage", "LotArea"] and "MasVnrType_None" in names
    X = np.concatenate([X_train, X_test]).astype(np.float64)
    np.testing.assert_allclose(X[:, :36].mean(axis=0), 0, atol=1e-6)  # 36 standardised columns
    onehot = X[:, 36:]
    assert set(np.unique(onehot)) == {0.0, 1.0}
    assert onehot.sum() == 2919 * 43  # one 1 per row in each of the 43 categorical blocks
    np.testing.assert_allclose(y_train[:3].ravel(), [208500, 181500, 223500])
    # pandas >= 2.0 reads the string "None" as missing too: MasVnrType loses a category
    assert load_house_prices(root, na_values=("NA", "", "None"))[0].shape == (1460, 330)
    data = HousePrices(root)
    assert len(data) == 1460 and data[0][0].shape == (331,) and data[0][1].shape == (1,)
    test = HousePrices(root, train=False)
    assert len(test) == 1459 and len(test[0]) == 1 and test.ids[0] == 1461


@pytest.mark.data
def test_house_prices_truncated_real_file(shared_data, tmp_path):
    for name in ("kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv"):
        text = (shared_data / "tabular" / name).read_text()
        write(tmp_path / name, text[:len(text) // 2])   # cut in the middle of a record
    with pytest.raises(ValueError, match=r"train.csv, line \d+: expected 81 fields"):
        load_house_prices(tmp_path)


@pytest.mark.data
def test_airfoil_as_d2l(shared_data):
    raw = np.loadtxt(shared_data / "tabular" / "airfoil_self_noise.dat", delimiter="\t")
    assert raw.shape == (1503, 6)
    whitened = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    X, y = load_airfoil(shared_data / "tabular")
    assert X.shape == (1500, 5) and y.shape == (1500,) and X.dtype == np.float32
    np.testing.assert_allclose(X, whitened[:1500, :5], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y, whitened[:1500, 5], rtol=1e-5, atol=1e-6)
    X_all, _ = load_airfoil(shared_data / "tabular", n=None, dtype=np.float64)
    np.testing.assert_allclose(X_all.std(axis=0), 1.0)
    assert len(Airfoil(shared_data / "tabular", n=10)) == 10
    with pytest.raises(ValueError, match=r"n must be in \[1, 1503\]"):
        load_airfoil(shared_data / "tabular", n=2000)


def test_airfoil_bad_value(tmp_path):
    write(tmp_path / "airfoil_self_noise.dat", "800\t0\t0.3\t71.3\t0.002\t126.2\n"
                                               "1000\t0\t\t71.3\t0.002\t125.2\n")
    with pytest.raises(ValueError, match=r"line 2: column 'chord_length' holds numbers.*''"):
        load_airfoil(tmp_path)


# --------------------------------------------------------------------------- the accuracy check
def load_example() -> SimpleNamespace:
    """The recipes and the cross-validation loop of examples/house_prices.py."""
    return SimpleNamespace(**runpy.run_path(str(EXAMPLE)))


@pytest.mark.data
@pytest.mark.parametrize("recipe_name, threshold", [("LINEAR", 0.175), ("MLP", 0.16)])
def test_house_prices_cross_validated_log_rmse(shared_data, recipe_name, threshold):
    """d2l's linear recipe (Adam lr 5, batch 64, 100 epochs, squared loss on prices) and an MLP
    (examples/house_prices.py), 5-fold cross-validated on the 1460 training houses."""
    example = load_example()
    X, y, *_ = load_house_prices(shared_data / "tabular")
    recipe = getattr(example, recipe_name)
    start = time.perf_counter()
    scores = example.k_fold(X, y, recipe, k=5, seed=0)
    example.print_table(recipe, scores, time.perf_counter() - start)
    valid = float(np.mean([v for _, v in scores]))
    assert valid <= threshold, f"{recipe.name}: 5-fold log-RMSE {valid:.4f} > {threshold}"
