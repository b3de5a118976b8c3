"""Tests for feasibility.domain.distributions.

Every number asserted here comes from an independent source: a closed form
written out in the test (PERT, triangular, uniform, lognormal and truncated
normal moments), scipy.stats.spearmanr, the definition of a Latin hypercube, or
a property that must hold whatever the implementation (hypothesis). No test
compares the code with its own earlier output.

Sampling tolerances are stated where used; all samples are seeded, so the tests
are deterministic, and each tolerance is several standard errors wide so that a
different (equally valid) seed would pass too.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from feasibility.domain import distributions as D

# local settings (not a global profile: other test modules load their own)
_settings = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

N_BIG = 100_000


# ---------------------------------------------------------------------------
# closed-form moments of the frozen distributions

PERT_CASES = [  # low, mode, high, shape
    (1.0, 2.0, 4.0, 4.0),
    (0.0, 0.0, 10.0, 4.0),  # mode at low: alpha = 1
    (-5.0, 5.0, 5.0, 4.0),  # mode at high: beta = 1
    (2e9, 3.5e9, 7e9, 4.0),  # rupiah-sized numbers
    (0.02, 0.05, 0.11, 2.5),  # non-default shape (fractions, e.g. a growth rate)
    (10.0, 11.0, 30.0, 8.0),
]

TRI_CASES = [(1.0, 2.0, 4.0), (0.0, 0.0, 1.0), (0.0, 1.0, 1.0), (-3e8, 1e8, 5e8), (0.1, 0.25, 0.3)]


@pytest.mark.parametrize("low, mode, high, shape", PERT_CASES)
def test_pert_moments_closed_form(low, mode, high, shape):
    # Vose (2008): mean = (low + shape*mode + high)/(shape + 2), var = (mean-low)(high-mean)/(shape+3)
    d = D.make("pert", low=low, mode=mode, high=high, shape=shape)
    mean = (low + shape * mode + high) / (shape + 2)
    var = (mean - low) * (high - mean) / (shape + 3)
    assert d.mean() == pytest.approx(mean, rel=1e-12)
    assert d.var() == pytest.approx(var, rel=1e-12)
    assert d.support() == (low, high)


def test_pert_default_shape_is_four():
    # classic PERT: mean = (a + 4m + b)/6
    d = D.make("pert", low=1, mode=2, high=4)
    assert d.mean() == pytest.approx((1 + 4 * 2 + 4) / 6, rel=1e-12)
    assert d.describe() == "PERT(low=1, mode=2, high=4)"


@pytest.mark.parametrize("a, c, b", TRI_CASES)
def test_triangular_moments_closed_form(a, c, b):
    # mean (a+b+c)/3, var (a²+b²+c²-ab-ac-bc)/18
    d = D.make("triangular", low=a, mode=c, high=b)
    assert d.mean() == pytest.approx((a + b + c) / 3, rel=1e-12)
    assert d.var() == pytest.approx((a * a + b * b + c * c - a * b - a * c - b * c) / 18, rel=1e-12)
    assert d.support() == (a, b)


def test_uniform_normal_moments():
    u = D.make("uniform", low=2, high=10)
    assert u.mean() == pytest.approx(6, rel=1e-12)
    assert u.var() == pytest.approx(8**2 / 12, rel=1e-12)
    n = D.make("normal", mean=5, sd=2)
    assert (n.mean(), n.var(), n.support()) == (5, 4, (-math.inf, math.inf))


@pytest.mark.parametrize("mean, sd", [(100.0, 30.0), (1.0, 2.0), (7.1e9, 1.2e9), (0.05, 0.001)])
def test_lognormal_mean_and_sd_are_of_the_variable(mean, sd):
    d = D.make("lognormal", mean=mean, sd=sd)
    assert d.mean() == pytest.approx(mean, rel=1e-10)
    assert math.sqrt(d.var()) == pytest.approx(sd, rel=1e-10)
    # independent: the median of a lognormal is exp(mu) = mean / sqrt(1 + sd²/mean²)
    assert d.ppf(0.5) == pytest.approx(mean / math.sqrt(1 + (sd / mean) ** 2), rel=1e-10)


def test_lognormal_shift_moves_the_whole_distribution():
    d = D.make("lognormal", mean=100, sd=30, shift=-20)
    assert d.mean() == pytest.approx(80, rel=1e-10)
    assert math.sqrt(d.var()) == pytest.approx(30, rel=1e-10)
    assert d.support() == (-20, math.inf)


def test_truncated_normal_bounds_and_mean():
    m, s, lo, hi = 10.0, 4.0, 8.0, 20.0
    d = D.make("truncated_normal", mean=m, sd=s, low=lo, high=hi)
    # closed form: mean = m + s (phi(a) - phi(b)) / (Phi(b) - Phi(a)), a, b standardised
    a, b = (lo - m) / s, (hi - m) / s
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    Phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    assert d.mean() == pytest.approx(m + s * (phi(a) - phi(b)) / (Phi(b) - Phi(a)), rel=1e-10)
    assert d.support() == (lo, hi)
    x = D.sample([d], 20_000, seed=3)[:, 0]
    assert x.min() >= lo and x.max() <= hi
    q = d.ppf(np.linspace(0, 1, 1001))
    assert q[0] == lo and q[-1] == hi and np.all((q >= lo) & (q <= hi))


def test_truncated_normal_one_sided():
    d = D.make("truncated_normal", mean=0, sd=1, low=0)  # half-normal: mean sqrt(2/pi)
    assert d.mean() == pytest.approx(math.sqrt(2 / math.pi), rel=1e-10)
    assert d.support() == (0, math.inf)
    up = D.make("truncated_normal", mean=0, sd=1, high=1, low=None)
    assert up.support() == (-math.inf, 1)
    assert up.describe() == "TruncatedNormal(mean=0, sd=1, high=1)"


def test_discrete_ppf_definition_and_moments():
    # given unsorted: values sorted ascending with their probabilities -> 1:0.5, 2:0.3, 3:0.2
    d = D.make("discrete", values=[3, 1, 2], probabilities=[0.2, 0.5, 0.3])
    u = np.array([0.0, 0.25, 0.5, 0.5000001, 0.8, 0.8000001, 1.0, 1.5, np.nan])
    np.testing.assert_array_equal(d.ppf(u), [1, 1, 1, 2, 2, 3, 3, np.nan, np.nan])
    assert d.mean() == pytest.approx(0.5 * 1 + 0.3 * 2 + 0.2 * 3, rel=1e-12)
    assert d.var() == pytest.approx(0.5 * 1 + 0.3 * 4 + 0.2 * 9 - 1.7**2, rel=1e-12)
    assert d.support() == (1, 3)


def test_discrete_sample_frequencies():
    values, probs = [10, 20, 35, 50], [0.1, 0.45, 0.25, 0.2]
    x = D.sample([D.make("discrete", values=values, probabilities=probs)], N_BIG, seed=5)[:, 0]
    freq = [(x == v).mean() for v in values]
    np.testing.assert_allclose(freq, probs, atol=0.01)  # tolerance: 1 percentage point


@pytest.mark.parametrize("kind", ["triangular", "pert", "uniform"])
def test_degenerate_range_is_a_point_mass(kind):
    params = {"low": 7.5, "high": 7.5} | ({"mode": 7.5} if kind != "uniform" else {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 RuntimeWarning
        d = D.make(kind, **params)
        np.testing.assert_array_equal(d.ppf([0, 0.3, 1]), [7.5, 7.5, 7.5])
        assert (d.mean(), d.var(), d.support()) == (7.5, 0.0, (7.5, 7.5))
        assert np.all(D.sample([d], 100, seed=1) == 7.5)


def test_ppf_scalar_in_scalar_out_and_nan_outside():
    d = D.make("triangular", low=0, mode=1, high=2)
    assert np.ndim(d.ppf(0.5)) == 0 and float(d.ppf(0.5)) == pytest.approx(1.0)
    assert np.isnan(d.ppf(-0.1)) and np.isnan(d.ppf(1.1))
    assert d.ppf(np.full((2, 3), 0.5)).shape == (2, 3)


def test_describe():
    assert D.make("triangular", low=1, mode=2.5, high=4).describe() == "Triangular(low=1, mode=2.5, high=4)"
    assert D.make("pert", low=1, mode=2, high=4, shape=6).describe() == "PERT(low=1, mode=2, high=4, shape=6)"
    assert D.make("lognormal", mean=100, sd=30).describe() == "Lognormal(mean=100, sd=30)"
    assert (
        D.make("discrete", values=[1, 2], probabilities=[0.25, 0.75]).describe()
        == "Discrete(values=[1, 2], probabilities=[0.25, 0.75])"
    )


def test_dists_are_frozen_and_compare_by_parameters():
    d = D.make("pert", low=1, mode=2, high=4)
    with pytest.raises(AttributeError):
        d.kind = "normal"
    assert d == D.make("pert", low=1.0, mode=2.0, high=4.0)
    assert d != D.make("pert", low=1, mode=2, high=5)


# ---------------------------------------------------------------------------
# sample moments at n = 100 000


@pytest.mark.parametrize(
    "kind, params, mean, sd",
    [
        ("pert", dict(low=1, mode=2, high=4), 13 / 6, math.sqrt((13 / 6 - 1) * (4 - 13 / 6) / 7)),
        ("pert", dict(low=0, mode=0.5, high=10, shape=3), 11.5 / 5, math.sqrt((2.3 - 0) * (10 - 2.3) / 6)),
        ("triangular", dict(low=1, mode=2, high=4), 7 / 3, math.sqrt((1 + 16 + 4 - 4 - 2 - 8) / 18)),
        ("triangular", dict(low=0, mode=10, high=10), 20 / 3, math.sqrt((100 + 100 - 100) / 18)),
    ],
)
def test_sample_moments_match_closed_form(kind, params, mean, sd):
    # tolerances: mean within 0.2 % of the range, sd within 1 % (LHS makes both far tighter than plain MC)
    x = D.sample([D.make(kind, **params)], N_BIG, seed=11)[:, 0]
    width = params["high"] - params["low"]
    assert abs(x.mean() - mean) <= 0.002 * width
    assert x.std() == pytest.approx(sd, rel=0.01)
    assert x.min() >= params["low"] and x.max() <= params["high"]


def test_sample_lognormal_and_uniform_moments():
    x = D.sample([D.make("lognormal", mean=100, sd=30), D.make("uniform", low=-1, high=3)], N_BIG, seed=2)
    assert x[:, 0].mean() == pytest.approx(100, rel=0.002)
    assert x[:, 0].std() == pytest.approx(30, rel=0.01)
    assert x[:, 1].mean() == pytest.approx(1, abs=0.002 * 4)
    assert x[:, 1].var() == pytest.approx(16 / 12, rel=0.01)


# ---------------------------------------------------------------------------
# parameter errors


def test_error_names_every_problem_at_once():
    with pytest.raises(D.DistributionError) as e:
        D.make("pert", low=1, mode=5, high=4, shape=-1)
    assert str(e.value) == (
        "pert: mode must be between low and high, got mode=5 (low=1, high=4); shape must be > 0, got -1"
    )
    assert len(e.value.problems) == 2
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize(
    "kind, params, expected",
    [
        ("triangular", dict(low=5, mode=5, high=1), ["low must be <= high, got low=5, high=1"]),
        ("uniform", dict(low=3, high=math.nan), ["high must be a finite number, got nan"]),
        ("normal", dict(mean=0, sd=-2), ["sd must be > 0, got -2"]),
        ("lognormal", dict(mean=-10, sd=0), ["sd must be > 0, got 0", "mean must be > 0 (before shift), got -10"]),
        ("truncated_normal", dict(mean=0, sd=1, low=2, high=1), ["low must be < high, got low=2, high=1"]),
        ("triangular", dict(low="1", mode=2, high=3), ["low must be a finite number, got '1'"]),
        ("pert", dict(low=1, mode=4.0000001, high=4), [
            "mode must be between low and high, got mode=4.0000001 (low=1, high=4)"]),
        (
            "discrete",
            dict(values=[1, 2, 2], probabilities=[0.5, 0.6]),
            [
                "values must be distinct, got 2 more than once",
                "probabilities must sum to 1 (within 1e-9), got 1.1",
                "values and probabilities must have the same length, got 3 values and 2 probabilities",
            ],
        ),
        ("discrete", dict(values=[1, 2], probabilities=[1.5, -0.5]),
         ["probabilities must be numbers in [0, 1], got 1.5 (entry 0)"]),
    ],
)
def test_check_names_parameter_and_value(kind, params, expected):
    assert D.check(kind, params) == expected
    with pytest.raises(D.DistributionError, match=f"^{kind}: "):
        D.make(kind, **params)


def test_unknown_kind_and_parameter_names_list_the_allowed_ones():
    (msg,) = D.check("beta", {})
    assert "'beta'" in msg and "triangular, pert, normal, truncated_normal, lognormal, uniform, discrete" in msg
    problems = D.check("pert", {"low": 1, "mod": 2, "high": 4})
    assert problems == [
        "unknown parameter 'mod'; allowed: low, mode, high, shape",
        "missing required parameter 'mode' (required: low, mode, high)",
    ]
    with pytest.raises(D.DistributionError, match="unknown parameter 'mod'"):
        D.make("pert", low=1, mod=2, high=4)


def test_discrete_probabilities_within_tolerance_accepted():
    assert D.check("discrete", {"values": [1, 2, 3], "probabilities": [0.1, 0.2, 0.7 + 5e-10]}) == []
    assert D.check("discrete", {"values": [1, 2, 3], "probabilities": [0.1, 0.2, 0.7 + 5e-9]}) != []
    d = D.make("discrete", values=[1, 2, 3], probabilities=[0.1, 0.2, 0.7 - 5e-10])
    assert d.ppf(1.0) == 3  # the slack never leaves u near 1 without a value


def test_kinds_table():
    assert D.KINDS["pert"] == (("low", "mode", "high"), ("shape",))
    assert D.KINDS["truncated_normal"] == (("mean", "sd"), ("low", "high"))


# ---------------------------------------------------------------------------
# hypothesis: PERT / triangular for any valid parameters

_low = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
_width = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e9))
_frac = st.floats(min_value=0.0, max_value=1.0)
_shape = st.floats(min_value=0.1, max_value=50)


@st.composite
def _three_point(draw):
    low, width, f = draw(_low), draw(_width), draw(_frac)
    high = low + width
    mode = min(max(low + f * width, low), high)
    return low, mode, high


@_settings
@given(_three_point(), _shape, st.sampled_from(["pert", "triangular"]))
def test_ppf_monotone_and_inside_range(lmh, shape, kind):
    low, mode, high = lmh
    params = dict(low=low, mode=mode, high=high) | ({"shape": shape} if kind == "pert" else {})
    assert D.check(kind, params) == []
    d = D.make(kind, **params)
    u = np.concatenate([[0.0, 1e-12, 0.5, 1 - 1e-12, 1.0], np.linspace(0, 1, 257)])
    u.sort()
    q = d.ppf(u)
    assert np.all(np.isfinite(q))
    assert np.all(np.diff(q) >= 0)
    assert np.all((q >= low) & (q <= high))


@_settings
@given(_three_point(), st.floats(min_value=1e-6, max_value=1e6), st.booleans(), st.sampled_from(["pert", "triangular"]))
def test_check_flags_mode_outside_range(lmh, gap, above, kind):
    low, _, high = lmh
    mode = high + gap if above else low - gap
    if mode == (high if above else low):  # gap lost to rounding at this magnitude
        return
    problems = D.check(kind, dict(low=low, mode=mode, high=high))
    assert any(p.startswith("mode must be between low and high") for p in problems)
    with pytest.raises(D.DistributionError):
        D.make(kind, low=low, mode=mode, high=high)


# ---------------------------------------------------------------------------
# Latin hypercube


@pytest.mark.parametrize("n, d", [(1, 1), (10, 3), (1000, 5)])
def test_lhs_one_point_per_stratum(n, d):
    u = D.latin_hypercube(n, d, seed=42)
    assert u.shape == (n, d)
    assert np.all((u > 0) & (u < 1))
    strata = np.floor(u * n).astype(int)
    for j in range(d):
        np.testing.assert_array_equal(np.sort(strata[:, j]), np.arange(n))


def test_lhs_reproducible():
    a, b, c = (D.latin_hypercube(500, 4, s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    g1, g2 = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(D.latin_hypercube(50, 2, g1), D.latin_hypercube(50, 2, g2))


@pytest.mark.parametrize("bad", [None, 1.5, "7", np.random.RandomState(1)])
def test_lhs_requires_explicit_seed(bad):
    with pytest.raises(TypeError, match="seed"):
        D.latin_hypercube(10, 2, bad)


def test_lhs_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        D.latin_hypercube(0, 2, 1)
    with pytest.raises(ValueError, match="d must be"):
        D.latin_hypercube(10, 2.0, 1)


# ---------------------------------------------------------------------------
# correlation matrices

TARGET4 = np.array(
    [
        [1.0, 0.7, -0.4, 0.3],
        [0.7, 1.0, 0.0, 0.0],
        [-0.4, 0.0, 1.0, 0.3],
        [0.3, 0.0, 0.3, 1.0],
    ]
)


def test_check_correlation_valid():
    assert D.check_correlation(TARGET4) == []
    assert D.check_correlation(np.eye(3)) == []
    assert D.check_correlation([[1, 1], [1, 1]]) == []  # PSD though singular


def test_non_psd_is_reported_with_eigenvalue_and_names():
    bad = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]
    (msg,) = D.check_correlation(bad, names=["tariff", "volume", "capex"])
    assert "positive semi-definite" in msg
    # independent: eigenvalues of this matrix are -0.8, 1.9, 1.9
    assert "-0.8" in msg
    assert all(name in msg for name in ("tariff", "volume", "capex"))
    with pytest.raises(D.CorrelationError, match="positive semi-definite"):
        D.iman_conover(np.random.default_rng(0).random((100, 3)), bad, seed=1)


def test_non_psd_names_only_the_clashing_variables():
    # x0, x1, x2 are inconsistent; x3 is uncorrelated with all of them and must not be blamed
    bad = np.eye(4)
    bad[:3, :3] = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]
    (msg,) = D.check_correlation(bad)
    assert "x0" in msg and "x1" in msg and "x2" in msg and "x3" not in msg


def test_check_correlation_names_pairs_and_values():
    m = [[1, 0.5, 2], [0.4, 1, 0], [2, 0, 0.9]]
    problems = D.check_correlation(m, names=["a", "b", "c"])
    assert "diagonal (c, c) must be 1, got 0.9" in problems
    assert "not symmetric: (a, b)=0.5 but (b, a)=0.4" in problems
    assert "correlation (a, c) must be in [-1, 1], got 2" in problems
    with pytest.raises(D.CorrelationError) as e:
        D.iman_conover(np.random.default_rng(0).random((50, 3)), m, seed=1)
    assert len(e.value.problems) == 3  # all problems at once (default names x0.. in the message)
    assert "not symmetric: (x0, x1)=0.5 but (x1, x0)=0.4" in str(e.value)


def test_check_correlation_shape_and_names():
    assert D.check_correlation([[1, 0.2, 0.1], [0.2, 1, 0.3]]) == [
        "correlation must be a square matrix, got shape (2, 3)"
    ]
    assert D.check_correlation(np.eye(2), names=["a"]) == ["names: need 2 names for a 2x2 matrix, got 1"]
    assert D.check_correlation([[1, np.nan], [np.nan, 1]])[0].startswith("entry (x0, x1) must be a finite number")
    with pytest.raises(D.CorrelationError, match="must be 3x3 to match 3 sample columns"):
        D.iman_conover(np.zeros((10, 3)), np.eye(2), seed=1)


# ---------------------------------------------------------------------------
# Iman-Conover


def _spearman(x):
    return np.atleast_2d(stats.spearmanr(x).statistic)


def test_iman_conover_reaches_target_and_keeps_marginals():
    rng = np.random.default_rng(123)
    n = 10_000
    x = np.column_stack([rng.lognormal(size=n), rng.normal(size=n), rng.integers(0, 10**6, n), rng.random(n)])
    y = D.iman_conover(x, TARGET4, seed=9)
    # tolerance 0.02 per entry: about 4 standard errors of a Spearman coefficient at n = 10 000
    np.testing.assert_allclose(_spearman(y), TARGET4, atol=0.02)
    np.testing.assert_array_equal(np.sort(y, axis=0), np.sort(x, axis=0))  # only the order changed
    np.testing.assert_array_equal(D.iman_conover(x, TARGET4, seed=9), y)  # deterministic
    assert not np.array_equal(D.iman_conover(x, TARGET4, seed=10), y)
    assert not np.shares_memory(x, y)


def test_iman_conover_identity_removes_spurious_correlation():
    n = 2000
    base = np.linspace(0, 1, n)
    x = np.column_stack([base, base**2, -base])  # perfectly rank-correlated (+1, -1) on input
    y = D.iman_conover(x, np.eye(3), seed=4)
    off = _spearman(y)[~np.eye(3, dtype=bool)]
    # from +-1 to about 0: the scores' Pearson correlation is exactly 0, their ranks' is within
    # 0.02 (one standard error of a Spearman coefficient between independent columns at n = 2000)
    assert np.abs(off).max() < 0.02


@pytest.mark.parametrize("rho", [1.0, -1.0])
def test_iman_conover_perfect_correlation(rho):
    target = np.array([[1, rho, 0.3 * rho], [rho, 1, 0.3], [0.3 * rho, 0.3, 1]])
    assert D.check_correlation(target) == []
    y = D.iman_conover(np.random.default_rng(1).random((5000, 3)), target, seed=2)
    s = _spearman(y)
    assert rho * s[0, 1] >= 0.999
    assert s[0, 2] == pytest.approx(0.3 * rho, abs=0.03)


def test_iman_conover_small_n_and_one_column():
    y = D.iman_conover(np.arange(3.0)[:, None] * [1, 10], [[1, 0.5], [0.5, 1]], seed=0)
    np.testing.assert_array_equal(np.sort(y, axis=0), [[0, 0], [1, 10], [2, 20]])
    z = D.iman_conover(np.arange(5.0)[:, None], [[1]], seed=0)
    np.testing.assert_array_equal(np.sort(z[:, 0]), np.arange(5.0))


# ---------------------------------------------------------------------------
# sample()


def test_sample_reproducible_and_correlated():
    dists = [
        D.make("pert", low=1, mode=2, high=4),
        D.make("triangular", low=0, mode=3, high=4),
        D.make("lognormal", mean=100, sd=30),
        D.make("uniform", low=0, high=1),
    ]
    a = D.sample(dists, 10_000, seed=17, correlation=TARGET4)
    np.testing.assert_array_equal(a, D.sample(dists, 10_000, seed=17, correlation=TARGET4))
    assert not np.array_equal(a, D.sample(dists, 10_000, seed=18, correlation=TARGET4))
    np.testing.assert_allclose(_spearman(a), TARGET4, atol=0.02)  # same tolerance as above
    # the reordered uniforms are still a Latin hypercube: column 3 is U(0, 1) itself
    np.testing.assert_array_equal(np.sort(np.floor(a[:, 3] * 10_000).astype(int)), np.arange(10_000))


def test_sample_uncorrelated_columns_are_independent_lhs():
    x = D.sample([D.make("uniform", low=0, high=1)] * 3, 5000, seed=1)
    for j in range(3):
        np.testing.assert_array_equal(np.sort(np.floor(x[:, j] * 5000).astype(int)), np.arange(5000))
    assert np.abs(_spearman(x)[~np.eye(3, dtype=bool)]).max() < 0.05


def test_sample_rejects_non_dists():
    with pytest.raises(TypeError, match="Dist"):
        D.sample([("pert", 1, 2, 4)], 10, seed=1)
    with pytest.raises(TypeError, match="Dist"):
        D.sample([], 10, seed=1)


# -- the fast PERT inverse CDF -----------------------------------------------------------


@pytest.mark.parametrize("low,mode,high", [(0, 0, 1), (0, 1, 1), (2, 3, 7), (0.0, 0.66, 0.66), (1e9, 2e9, 2.6e9), (0, 0.5, 1)])
def test_pert_ppf_matches_the_exact_incomplete_beta_inverse(low, mode, high):
    from scipy import special

    d = D.make("pert", low=low, mode=mode, high=high)
    a = 1 + 4 * (mode - low) / (high - low)
    b = 1 + 4 * (high - mode) / (high - low)
    u = np.concatenate([np.linspace(0, 1, 100_001), [1e-15, 1e-9, 1 - 1e-9, 1 - 1e-15]])
    exact = low + (high - low) * special.betaincinv(a, b, u)
    # the interpolated inverse is within 1e-11 of the range of the exact one
    np.testing.assert_allclose(d.ppf(u), exact, rtol=0, atol=1e-11 * (high - low))
    assert np.all(np.diff(d.ppf(np.linspace(0, 1, 10_001))) >= 0)
    assert np.isnan(d.ppf(np.array([-0.1, 1.1, np.nan]))).all()


# ---------------------------------------------------------------------------
# PERT and triangular given by their 10th and 90th percentiles (issue 18)


def test_triangular_from_percentiles_closed_form():
    # symmetric, mode 0, P10 -1, P90 1: ends -w, w with F(-1) = (w - 1)^2 / (2 w^2) = 0.1,
    # so w = 1 / (1 - sqrt(0.2))
    d = D.make("triangular", p10=-1, mode=0, p90=1)
    w = 1 / (1 - math.sqrt(0.2))
    assert d.support() == pytest.approx((-w, w), rel=1e-12)
    np.testing.assert_allclose(d.ppf([0.1, 0.5, 0.9]), [-1, 0, 1], atol=1e-12)


def test_pert_from_percentiles_against_the_beta_quantile():
    # symmetric PERT is beta(3, 3) on [-w, w]; its P10 is -w + 2 w q with q = beta(3, 3).ppf(0.1)
    q = stats.beta.ppf(0.1, 3, 3)
    d = D.make("pert", p10=-1, mode=0, p90=1)
    assert d.support() == pytest.approx((-1 / (1 - 2 * q), 1 / (1 - 2 * q)), rel=1e-12)
    # skewed: the percentiles are met and the mode kept
    d = D.make("pert", p10=10, mode=12, p90=20)
    lo, hi = d.support()
    np.testing.assert_allclose(d.ppf([0.1, 0.9]), [10, 20], rtol=1e-10)
    assert 1 + 4 * (12 - lo) / (hi - lo) == pytest.approx(d._rv.args[0], rel=1e-12)  # alpha from the mode


def test_percentile_parameters_are_checked():
    assert D.check("pert", {"p10": 5, "mode": 4, "p90": 6}) == [
        "mode must lie between p10 and p90, and p10 below p90, got p10=5, mode=4, p90=6"
    ]
    assert D.check("triangular", {"p10": 5, "mode": 5.5, "high": 6}) == [
        "unknown parameter 'high'; allowed: p10, mode, p90",
        "missing required parameter 'p90' (required: p10, mode, p90)",
    ]
    assert D.make("pert", p10=3, mode=3, p90=3).support() == (3, 3)  # all equal: a point mass
