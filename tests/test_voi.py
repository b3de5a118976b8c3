"""Value of information (feasibility.analysis.voi) against closed forms.

The constructed two-option case: option 0 has net benefit 0, option 1 has
``a + b X + c Y`` with X, Y independent standard normal. With Z ~ N(m, s^2),
``E[max(0, Z)] = s phi(m/s) + m Phi(m/s)``, so

* EVPI = E[max(0, a + bX + cY)] - max(0, a), with s = sqrt(b^2 + c^2);
* EVPPI(X) = E_X[max(0, a + bX)] - max(0, a) (E[.|X] = a + bX), with s = |b|;
* EVPPI(X, Y) = EVPI (both known: nothing left uncertain).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from feasibility.analysis.voi import evpi, evppi


def expected_positive(m: float, s: float) -> float:
    return s * norm.pdf(m / s) + m * norm.cdf(m / s)


def case(a: float, b: float, c: float, n: int = 20_000, seed: int = 1):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(n), rng.standard_normal(n)
    nb = np.column_stack([np.zeros(n), a + b * x + c * y])
    return nb, x, y


@pytest.mark.parametrize(("a", "b", "c"), [(0.0, 1.0, 1.0), (-1.0, 2.0, 0.5), (0.5, 0.3, 1.5)])
def test_evpi_and_evppi_match_the_closed_forms_within_their_monte_carlo_error(a, b, c):
    nb, x, y = case(a, b, c)
    want_evpi = expected_positive(a, np.hypot(b, c)) - max(0.0, a)
    got = evpi(nb)
    assert abs(got.value - want_evpi) < 4 * got.se
    want_x = expected_positive(a, abs(b)) - max(0.0, a)
    got_x = evppi(nb, x)
    # the sample's own error (the regression fits this sample's X) plus the estimator's
    assert abs(got_x.value - want_x) < 4 * np.hypot(got_x.se, got.se) + 0.01 * want_x, (got_x, want_x)
    got_xy = evppi(nb, np.column_stack([x, y]))
    assert abs(got_xy.value - want_evpi) < 4 * np.hypot(got_xy.se, got.se) + 0.01 * want_evpi


def test_an_input_that_does_not_move_the_decision_is_worth_nothing():
    nb, x, y = case(0.0, 0.0, 1.0)  # only Y matters
    assert evppi(nb, x).value < 0.01 * evpi(nb).value + 3 * evppi(nb, x).se
    assert evppi(nb, y).value == pytest.approx(evpi(nb).value, rel=0.05)


@settings(max_examples=25, deadline=None)
@given(st.floats(-2, 2), st.floats(0.1, 3), st.floats(0.1, 3))
def test_partial_information_is_worth_no_more_than_perfect(a, b, c):
    nb, x, _ = case(a, b, c, n=2_000)
    full, part = evpi(nb), evppi(nb, x)
    assert 0.0 <= part.value <= full.value + 4 * (full.se + part.se)


def test_bad_input_is_refused_with_what_is_wrong():
    with pytest.raises(ValueError, match="need \\(iterations >= 10, options >= 2\\)"):
        evpi([[1.0, 2.0]])
    with pytest.raises(ValueError, match="not finite"):
        evpi(np.array([[0.0, np.nan]] * 20))
    nb, x, _ = case(0.0, 1.0, 1.0, n=100)
    with pytest.raises(ValueError, match="need 100 finite rows"):
        evppi(nb, x[:50])


def test_an_option_beaten_in_every_iteration_adds_no_value_however_its_fit_rings():
    """EVPPI drops options another beats in every draw (exact): a never-chosen option's jumpy net benefit adds no bias."""
    rng = np.random.default_rng(3)
    n = 600
    x = rng.uniform(size=n)
    # option 2 loses everywhere, by a step at x = 0.5 that splines cannot follow (they ring above 0 near the jump)
    loser = np.where(x > 0.5, -1e-3, -1e3) + rng.normal(scale=1e-4, size=n)
    nb = np.column_stack([np.zeros(n), loser])
    assert evpi(nb).value == 0
    assert evppi(nb, x) == evppi(np.zeros((n, 1)).repeat(2, axis=1), x) == type(evppi(nb, x))(0.0, 0.0)
