"""The studio's cards and verdict card follow the one rule of the council report; files go where a person expects.

The expected tones and verdicts are computed here independently of the
studio: from the model (``run``), the report's criteria (``assess`` and
``verdict``) and the hurdles written out by hand.
"""

import html
import math
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from feasibility import load_case, parse_case, run
from feasibility.analysis.criteria import CRITERION_METRIC, assess, verdict
from feasibility.case import DEFAULT_CASE
from feasibility.case.edit import case_data
from feasibility.metrics import registry
from feasibility.present.i18n import Formatter, catalog
from feasibility.studio import CARD_METRICS, Studio, tab_of
from feasibility.studio.cards import card_metrics, metric_cards
from feasibility.studio.inputs import description, group_title, input_label, unit_label

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
#: the metric each card shows
CARD_OF = {"fnpv": "fnpv_idr", "firr": "firr", "dscr": "dscr_min", "pad": "region_pv_dividends_idr"}


@pytest.fixture(scope="module")
def case():
    return load_case()


def studio_of(case, lang="en"):
    return Studio(case, lang=lang, chart_workers=0, draw_charts=False)  # cards and words only


def tone_of(card_html: str) -> str:
    m = re.search(r'class="fs-tone-(\w+)"', card_html)
    assert m, card_html
    return m.group(1)


def value_of(card_html: str) -> str:
    return html.unescape(re.search(r'class="fs-value"[^>]*>(.*?)</div>', card_html).group(1))


def subs_of(card_html: str) -> list[str]:
    return [html.unescape(s) for s in re.findall(r'class="fs-sub"[^>]*>(.*?)</div>', card_html)]


def by_hand(case, m) -> dict[str, str]:
    """The card tones written out: the hurdles of the council report's criteria."""
    def t(ok):
        return "neutral" if ok is None else "good" if ok else "bad"

    return {
        "fnpv": t(m["fnpv_idr"] > 0),  # strictly: FNPV = 0 is not feasible
        # no IRR: its NPV at the hurdle (the FNPV at the WACC) decides
        "firr": t(m["firr"] > m["wacc"] if math.isfinite(m["firr"]) else m["fnpv_idr"] > 0 if math.isfinite(m["fnpv_idr"]) else None),
        "dscr": t(m["dscr_min"] >= case.criteria.min_dscr if math.isfinite(m["dscr_min"]) else None),
        "pad": t(m["region_pv_dividends_idr"] >= m["region_pv_injection_idr"]),
    }


# ---------------------------------------------------------------------------
# metric cards


@pytest.mark.parametrize("tariff", [71_000, 120_000, 1_000_000])
def test_card_tones_are_the_registry_hurdles(case, tariff):
    s = studio_of(case)
    try:
        s.set(TARIFF, tariff)
        m = run(case, {TARIFF: tariff}).metrics
        expected = by_hand(case, m)
        for key, metric in CARD_OF.items():
            passed = registry.passes(metric, m[metric], case, m)
            assert tone_of(s.cards[key].value) == {True: "good", False: "bad", None: "neutral"}[passed] == expected[key], (key, tariff)
    finally:
        s.close()


def fake_result(case, **metrics):
    base = dict(run(case).metrics)
    base.update(metrics)
    return SimpleNamespace(metrics=base, price_basis="real", undefined=[{"metric": "firr", "reason": "no_irr", "count": 1}])


def test_an_fnpv_of_exactly_zero_is_not_green(case):
    """The report's verdict needs FNPV > 0: the card no longer calls FNPV = 0 feasible."""
    cards = metric_cards(case, fake_result(case, fnpv_idr=0.0), "en")
    assert tone_of(cards["fnpv"]) == "bad"
    assert tone_of(metric_cards(case, fake_result(case, fnpv_idr=1.0), "en")["fnpv"]) == "good"


def test_an_undefined_firr_is_judged_by_the_fnpv_and_says_why(case):
    cards = metric_cards(case, fake_result(case, firr=math.nan, fnpv_idr=-1e9), "en")
    assert tone_of(cards["firr"]) == "bad"  # registry: no IRR, and the FNPV at the WACC is below zero
    assert value_of(cards["firr"]).startswith("undefined: no IRR vs ")
    assert tone_of(metric_cards(case, fake_result(case, firr=math.nan, fnpv_idr=1e9), "en")["firr"]) == "good"
    no_debt = metric_cards(case, fake_result(case, dscr_min=math.nan), "id")
    assert tone_of(no_debt["dscr"]) == "neutral" and value_of(no_debt["dscr"]) == "tidak ada pembayaran utang"


def test_the_dscr_threshold_is_the_registrys(case):
    data = case_data(case)
    data["criteria"]["min_dscr"] = 4.0
    data["risk"].pop("dscr_threshold", None)  # a deprecated alias that must equal min_dscr
    strict = parse_case(data, "strict lender", base_dir=DEFAULT_CASE.parent)
    s = studio_of(strict)
    try:
        s.set(TARIFF, 1_000_000)  # DSCR about 3.6: passes a 1.3 lender, fails a 4.0 one
        m = run(strict, {TARIFF: 1_000_000}).metrics
        assert registry.threshold("dscr_min", strict, m) == 4.0
        assert 1.3 < m["dscr_min"] < 4.0
        assert tone_of(s.cards["dscr"].value) == "bad"
        assert subs_of(s.cards["dscr"].value) == ["lender's threshold 4.00"]
        assert catalog("en")["criterion"]["dscr"] in " ".join(subs_of(s.cards["verdict"].value))
    finally:
        s.close()


def test_card_metrics_hold_every_metric_the_criteria_need(case):
    model = {m for m in CRITERION_METRIC.values() if registry.METRICS[m].compute is not None}
    assert model <= set(CARD_METRICS)
    assert {"bcr", "payback_years", "enpv_idr"} <= set(card_metrics(case))
    hand = load_case(HAND)
    assert getattr(hand, "economic", None) is None and "enpv_idr" not in card_metrics(hand)
    s = studio_of(hand)
    try:
        assert math.isnan(s.metrics["enpv_idr"])  # every card metric is there, NaN when the case lacks it
        enpv = next(c for c in s.criteria if c.key == "enpv")
        assert enpv.passed is None  # no economic analysis: the criterion does not apply
    finally:
        s.close()


# ---------------------------------------------------------------------------
# the verdict card


def expected_verdict(case, over, lang):
    """The verdict card's words, from assess/verdict and the catalog, computed here."""
    m = run(case, over).metrics
    criteria = assess(case, m)
    v = verdict(criteria)
    msg = catalog(lang)
    failed = [msg["criterion"][c.key] for c in criteria if c.passed is False]
    return v, criteria, failed


def test_verdict_card_of_the_default_case(case):
    for lang, head in (("en", "Not feasible: {n} of {m} criteria fail"), ("id", "Tidak layak: {n} dari {m} kriteria tidak terpenuhi")):
        s = studio_of(case, lang)
        try:
            v, criteria, failed = expected_verdict(case, {}, lang)
            assert v == "not_feasible" and s.verdict == v
            assert [(c.key, c.passed) for c in s.criteria] == [(c.key, c.passed) for c in criteria]
            card = s.cards["verdict"].value
            assert tone_of(card) == "bad"
            assert value_of(card) == head.format(n=len(failed), m=len(criteria))
            subs = subs_of(card)
            fails = {"en": "Fails: ", "id": "Tidak terpenuhi: "}[lang]
            assert subs[0] == fails + "; ".join(failed) + "."
            # a criterion whose metric has no value (an IRR the flows never reach) is named as not tested
            untested = [catalog(lang)["criterion"][c.key] for c in criteria if c.passed is None and c.key != "risk"]
            k = 1 + bool(untested)
            if untested:
                assert subs[1] == catalog(lang)["studio"]["verdict_not_tested"].format(items="; ".join(untested))
            assert "Monte Carlo" in subs[k] and ("not computed in the studio" in subs[k] or "tidak dihitung di studio" in subs[k])
            assert len(subs) == k + 1  # every input is plausible: nothing more to say
        finally:
            s.close()


def test_an_absurd_tariff_does_not_turn_the_verdict_green(case):
    """A tariff 12 times the top of its plausible range makes FNPV positive; the verdict card must not go green on it."""
    over = {TARIFF: 1_000_000}
    q = case.quantity(TARIFF)
    assert over[TARIFF] > q.high
    for lang in ("en", "id"):
        s = studio_of(case, lang)
        try:
            s.set(TARIFF, 1_000_000)
            v, criteria, _ = expected_verdict(case, over, lang)
            assert s.verdict == v and v != "feasible"  # the risk criterion is not tested in the studio
            assert tone_of(s.cards["fnpv"].value) == "good"
            card = s.cards["verdict"].value
            assert tone_of(card) in ("warn", "bad")
            fmt = Formatter(lang)
            subs = " ".join(subs_of(card))
            assert s.outside == [(TARIFF, 1_000_000.0, float(q.low), float(q.high))]
            n_word = {"en": "rests on 1 input(s) outside their plausible range", "id": "bergantung pada 1 masukan di luar rentang wajarnya"}
            assert n_word[lang] in subs
            assert fmt.money(1_000_000) in subs and fmt.money(q.low) in subs and fmt.money(q.high) in subs
            assert input_label(case, TARIFF, lang) in subs  # the input is named
            if v == "feasible_partly_tested":
                n_untested = sum(c.passed is None for c in criteria)
                head = {"en": f"{len(criteria) - n_untested} of {len(criteria)} criteria pass; {n_untested} not tested",
                        "id": f"{len(criteria) - n_untested} dari {len(criteria)} kriteria terpenuhi; {n_untested} belum diuji"}[lang]
                assert value_of(card) == head and tone_of(card) == "warn"
        finally:
            s.close()


def test_the_verdict_card_is_green_only_when_every_criterion_is_tested_and_passes_on_plausible_inputs(case):
    data = case_data(case)
    data["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["high"] = 1_200_000  # a case that declares it plausible
    # no Monte Carlo in the studio; and a tariff is a transfer for the cargo diverted from other ports, so no tariff
    # makes the economy gain: leave both criteria out, and every other one can pass
    data["criteria"]["apply"] = [k for k in data["criteria"]["apply"] if k not in ("risk", "enpv")]
    wide = parse_case(data, "wide", base_dir=DEFAULT_CASE.parent)
    s = studio_of(wide)
    try:
        s.set(TARIFF, 1_000_000)
        v, criteria, _ = expected_verdict(wide, {TARIFF: 1_000_000}, "en")
        assert v == "feasible" and s.verdict == "feasible" and s.outside == []
        assert value_of(s.cards["verdict"].value) == f"Feasible: all {len(criteria)} criteria pass"
        assert tone_of(s.cards["verdict"].value) == "good"
        s.set(TARIFF, 1_250_000)  # above the case's own high: still feasible, no longer green
        assert s.verdict == "feasible" and tone_of(s.cards["verdict"].value) == "warn"
    finally:
        s.close()


# ---------------------------------------------------------------------------
# the Indonesian studio speaks Indonesian


@pytest.mark.parametrize("path", [DEFAULT_CASE, HAND], ids=lambda p: p.name)
def test_every_input_has_indonesian_words(path):
    c = load_case(path)
    fields, units = catalog("id")["studio_fields"], catalog("id")["studio_units"]
    for p, q in c.quantities():
        if tab_of(p) is None:
            continue
        assert description(c, p) in fields, p
        assert q.unit in units, q.unit
        title = group_title(c, p, "id")
        assert "_" not in title, title  # every part of the heading has a word, not a key
    assert unit_label("IDR per tonne", "id") == "Rp per ton"


def test_studio_catalog_sections_have_the_same_keys_in_both_languages():
    en, id_ = catalog("en"), catalog("id")
    for section in ("studio", "studio_risk", "studio_demand", "studio_groups"):
        assert set(en[section]) == set(id_[section]), section


# ---------------------------------------------------------------------------
# files go where a person expects


@pytest.fixture
def project(monkeypatch, tmp_path):
    """A project folder of a consultant: two case files, a pyproject.toml and a TOML file that is not a case."""
    from feasibility.present import export

    monkeypatch.setattr(export, "ROOT", tmp_path)
    monkeypatch.setattr(export, "REPORTS_DIR", tmp_path / "reports")
    text = DEFAULT_CASE.read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mine'\n", encoding="utf-8")
    (tmp_path / "settings.toml").write_text("[tool]\nx = 1\n", encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "low_tariff.toml").write_text(text, encoding="utf-8")
    (tmp_path / "a_case.toml").write_text(text, encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "old.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_scenarios_of_the_default_case_go_to_the_project_folder(case, project):
    s = Studio(lang="en", chart_workers=0)  # the default case, inside the package
    try:
        assert s.case_path == DEFAULT_CASE
        assert s.save_path.value == "kota_serang_scenario.toml"  # a name in the project's data/ folder
        assert s.save_dir == (project / "data").resolve() and str(s.save_dir) in s.save_where.value
        s.set(TARIFF, 80_000)
        s.save_button.click()
        written = project / "data" / "kota_serang_scenario.toml"
        assert written.exists(), s.save_status.value
        assert not (DEFAULT_CASE.parent / "kota_serang_scenario.toml").exists()
        s.load(DEFAULT_CASE)
        assert s.save_path.value == "kota_serang_scenario_2.toml"  # the first name is taken
    finally:
        s.close()


def test_the_studio_refuses_to_save_into_the_package(case, project):
    s = studio_of(case)
    try:
        target = DEFAULT_CASE.parent / "mine.toml"
        s.save_dir = DEFAULT_CASE.parent  # a save folder inside the package (set by mistake) is still refused
        s.save_path.value = "mine.toml"
        s.overwrite.value = True
        s.save_button.click()
        assert not target.exists()
        shown = html.unescape(s.save_status.value)
        assert "inside the installed package" in shown and str(project) in shown
        with pytest.raises(PermissionError):
            s.save(DEFAULT_CASE, overwrite=True)
        assert load_case(DEFAULT_CASE).quantity(TARIFF).value == 71_000
    finally:
        s.close()


def test_the_load_box_lists_the_default_case_and_the_projects_case_files(case, project):
    s = Studio(lang="id", chart_workers=0)
    try:
        opts = list(s.load_path.options)
        assert opts[0].endswith("(kasus bawaan)")
        assert opts[1:] == ["a_case.toml", "scenarios/low_tariff.toml"]  # no pyproject, no other TOML, nothing hidden
        s.load_path.value = "scenarios/low_tariff.toml"
        s.load_button.click()
        assert s.case_path == project / "scenarios" / "low_tariff.toml"
        assert s.save_path.value == "low_tariff_scenario.toml"  # a name in the save folder
        s.load_path.value = opts[0]
        s.load_button.click()
        assert s.case_path == DEFAULT_CASE and "Dimuat" in s.load_status.value
    finally:
        s.close()
