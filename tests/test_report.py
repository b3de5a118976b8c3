"""The plain HTML report: self-contained, escaped, and checked in a real headless Chromium."""

import copy
import tomllib
from pathlib import Path

import pytest

from feasibility import load_case, parse_case, run
from feasibility.i18n import Formatter
from feasibility.report import render_report

DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT = DATA / "kota_serang.toml"

PAYLOAD = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">&amp;\"'"


@pytest.fixture(scope="module")
def case():
    return load_case(DEFAULT)


@pytest.fixture(scope="module")
def reports(case, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    text = DEFAULT.read_text(encoding="utf-8")
    paths = {}
    for lang in ("id", "en"):
        p = out / f"report.{lang}.html"
        p.write_text(render_report(case, text, lang), encoding="utf-8")
        paths[lang] = p
    return paths


def open_page(browser, path):
    """Load a file in a fresh page, recording every request and console error."""
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, [u for u in requests if u != path.as_uri()], errors


def test_money_and_percent_are_formatted_for_the_locale():
    # Indonesian: comma decimals, dot thousands; English the other way round
    assert Formatter("id").money(-597_514_020_924) == "Rp -597,5 miliar"
    assert Formatter("en").money(-597_514_020_924) == "IDR -597.5 billion"
    assert Formatter("id").percent(0.125) == "12,5%"
    assert Formatter("en").money(1.25e12) == "IDR 1.25 trillion"
    assert Formatter("id").value(float("nan"), "fraction") == "t/a"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_in_browser(browser, reports, case, lang, tmp_path):
    page, external, errors = open_page(browser, reports[lang])
    try:
        assert external == [], f"the report loaded external resources: {external}"
        assert errors == [], f"console errors: {errors}"
        assert page.evaluate("document.documentElement.lang") == lang
        # the FNPV shown is the model's, formatted for the language
        fnpv = run(case).metrics["fnpv_idr"]
        shown = page.inner_text("#metric-fnpv_idr td.num")
        assert shown == Formatter(lang).money(fnpv)
        # the key messages state the verdict on FNPV, cash and PAD in the report's language
        key = page.locator("#key-messages li").all_inner_texts()
        assert len(key) >= 3 and Formatter(lang).money(fnpv) in key[0]
        title = "Kota Serang saat ini tidak memiliki wilayah laut" if lang == "id" else "Kota Serang has no sea territory at present"
        assert title in page.inner_text("#notes")
        # one row per business line, with the PV of its contribution from the model
        res = run(case)
        lines = page.locator("#lines tbody tr").all_inner_texts()
        assert len(lines) == 2
        assert Formatter(lang).money(res.metrics["pv_contribution_lab_idr"]) in lines[1]
        # every year of the model has a row
        assert page.locator("#annual tbody tr").count() == len(case.timeline.years)
        # every number of the case is in the register
        assert page.locator("#register tbody tr").count() == len(list(case.quantities()))
        # the exact case file is embedded
        assert page.inner_text("#case-text").strip() == DEFAULT.read_text(encoding="utf-8").strip()
        shot = tmp_path / f"report.{lang}.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
        pdf = page.pdf(format="A4")
        assert pdf[:5] == b"%PDF-" and len(pdf) > 20_000
    finally:
        page.close()


def test_report_has_no_external_references(reports):
    html = reports["id"].read_text(encoding="utf-8")
    for needle in ("<script", "http://", "https://", "<link", "@import", "url("):
        assert needle not in html, needle
    assert 'http-equiv="Content-Security-Policy"' in html


def test_user_strings_are_escaped(browser, tmp_path):
    d = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    hostile = copy.deepcopy(d)
    hostile["case"]["name"] = PAYLOAD
    hostile["case"]["description"] = PAYLOAD
    hostile["notes"]["sea_territory"]["title"] = PAYLOAD
    hostile["notes"]["sea_territory"]["text"] = PAYLOAD
    hostile["notes"]["sea_territory"]["source"] = PAYLOAD
    hostile["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["source"] = PAYLOAD
    hostile["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["note"] = PAYLOAD
    case = parse_case(hostile)
    p = tmp_path / "hostile.html"
    p.write_text(render_report(case, PAYLOAD, "en"), encoding="utf-8")
    page, external, errors = open_page(browser, p)
    try:
        assert page.evaluate("window.__pwned") is None
        assert external == []
        body = page.inner_text("body")
        # the payload shows as literal text, once per place it was put
        assert body.count("<script>window.__pwned = 1</script>") >= 7
        assert page.locator("img").count() == 0
        assert page.locator("script").count() == 0
    finally:
        page.close()
