"""The studio as a consultant sees it: notebooks/03_studio.ipynb served by Voila, driven in headless Chromium.

Voila runs on 127.0.0.1 (no network), Chromium is Debian's (the session
``browser`` fixture of conftest.py). The notebook is served from a copy in a
temporary folder, which is then the studio's project folder: the scenarios the
test saves land there, never in the repository.

Voila serves it as ``feasibility studio --app`` does (the package's template:
no request leaves 127.0.0.1, which the tests check with the console errors).

The English studio: every one of the six input tabs is opened (its inputs
visible, labelled and filled, a value typed into each and undone), a slider
dragged and values typed on three tabs move the cards, the charts' text is at
least 11 px; a scenario is saved as a variant, loaded and reset from the page;
screenshots at 1280x720 and 1600x900. The workbench: guard rails, undo, a named
scenario, a comparison, goal seek, the annual table's CSV and the report
downloaded, a Monte Carlo that turns stale. The Indonesian studio: the same
page and its workbench without English words. The options of the long list.
And the notebook run in JupyterLab, as ``feasibility studio`` serves it: every
tab and the same working session as in Voila.

Missing Voila or Chromium fails the tests: they never skip. Set
``FEASIBILITY_STUDIO_SCREENSHOTS`` to a folder to keep the screenshots.
"""

import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feasibility.cli import voila_command
from feasibility.present.i18n import catalog

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03_studio.ipynb"
TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
TARIFF_CLASS = "fs-" + TARIFF.replace(".", "--")
LAB_SHARE_CLASS = "fs-lab--revenue--lab_tests--build_up--capture_share"
WHARF_CLASS = "fs-port--capex--wharf--amount_idr"
RATE_CLASS = "fs-financing--loans--regional_bank--interest_rate"
TABS = ("demand", "tariffs", "capex", "opex", "financing", "tax")
SIZES = ((1280, 720), (1600, 900))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, timeout: float) -> None:
    """Wait until Voila accepts connections (a GET of its page would run the notebook in a kernel of its own)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"Voila exited with code {proc.returncode} before listening on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"Voila did not listen on port {port} within {timeout:.0f} s")


def _notebook_copy(folder: Path, lang: str) -> Path:
    """The studio notebook, in ``lang``, in its own folder (the studio's project folder while it runs)."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = "".join(cell["source"])
            assert 'Studio(lang="en")' in src, "the studio notebook should create Studio(lang=\"en\")"
            cell["source"] = src.replace('Studio(lang="en")', f'Studio(lang="{lang}")')
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NOTEBOOK.name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.fixture
def voila(tmp_path):
    """Start Voila on a copy of the studio notebook in a language; yields a function lang -> (url, project folder)."""
    try:
        import voila  # noqa: F401
    except ImportError:
        pytest.fail("voila is not installed: python3 -m pip install -e '.[test]'")
    procs = []

    def serve(lang: str) -> tuple[str, Path]:
        folder = tmp_path / f"project_{lang}"
        notebook = _notebook_copy(folder, lang)
        port = _free_port()
        log = (tmp_path / f"voila_{lang}.log").open("wb")
        cmd, env = voila_command(notebook, port, no_browser=True)  # as `feasibility studio --app` serves it: no CDN
        # a private Jupyter home: no user configuration, runtime files or signing key of the machine's
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
            env[var] = str(tmp_path / f"{var.lower()}_{lang}")
        proc = subprocess.Popen(
            cmd,
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its kernel and chart workers share the group, stopped together below
        )
        procs.append((proc, log))
        _wait_for(port, proc, timeout=90)
        return f"http://127.0.0.1:{port}/", folder

    yield serve
    for proc, log in procs:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # what is left of the group Voila led (its kernel, chart workers)
        except ProcessLookupError:
            pass
        log.close()


def _shots_dir(tmp_path: Path) -> Path:
    d = Path(os.environ.get("FEASIBILITY_STUDIO_SCREENSHOTS") or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _shot(page, folder: Path, name: str, *, full: bool = False) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    assert path.stat().st_size > 10_000
    return path


def _num(text: str, lang: str = "en") -> float:
    """A number as the studio writes it in its language (``71,000.5`` / ``71.000,5``)."""
    t = text.strip().replace("\xa0", "")
    t = t.replace(",", "") if lang == "en" else t.replace(".", "").replace(",", ".")
    return float(t)


def _watch(page) -> list[str]:
    """The page's errors as they come: page errors, console errors, any request that leaves 127.0.0.1."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)

    def outside(request) -> None:
        if not request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")):
            errors.append(f"request leaving the machine: {request.url}")

    page.on("request", outside)
    return errors


def _studio_ready(page, done_text: str) -> None:
    """Wait for the studio's cards, its first chart and its status line."""
    page.locator(".fs-card-fnpv .fs-value").wait_for(timeout=240_000)
    page.wait_for_selector(".fs-chart-cash svg", timeout=120_000)
    page.wait_for_function(
        "t => document.querySelector('.fs-status') && document.querySelector('.fs-status').innerText.includes(t)",
        arg=done_text, timeout=30_000,
    )  # showing the sliders changed no input


def _open_studio(browser, url: str, size: tuple[int, int], done_text: str):
    """The studio's page in Voila, and the list of its errors (see :func:`_watch`)."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors = _watch(page)
    # Voila runs the notebook before it sends the page: on two busy cores that can take a minute or two
    page.goto(url, wait_until="domcontentloaded", timeout=240_000)
    _studio_ready(page, done_text)
    return page, errors


def _idr(card: str) -> float:
    """An English money card in rupiah: "minus IDR 625 billion" -> -625e9, "minus IDR 1.11 trillion" -> -1.11e12."""
    words = card.split()
    sign = -1.0 if words[0] == "minus" else 1.0
    number, scale = words[2 if sign < 0 else 1:][:2] + [""][: 2 - len(words[2 if sign < 0 else 1:][:2])]
    return sign * float(number.replace(",", "")) * {"million": 1e6, "billion": 1e9, "trillion": 1e12}.get(scale, 1.0)


def _card(page, key: str) -> str:
    return page.locator(f".fs-card-{key} .fs-value").inner_text()


def _wait_card_change(page, key: str, before: str) -> str:
    """The card's new value, once it has changed and stayed put for a second (a drag sends several values)."""
    page.wait_for_function(
        "([k, b]) => document.querySelector(`.fs-card-${k} .fs-value`).innerText !== b", arg=[key, before], timeout=30_000
    )
    value = _card(page, key)
    for _ in range(30):
        page.wait_for_timeout(1000)
        now = _card(page, key)
        if now == value:
            return now
        value = now
    return value


def _open_tab(page, title: str, tab: str):
    """Click a tab's title; its panel is shown with its inputs."""
    page.locator(".fs-studio .lm-TabBar-tab", has_text=re.compile(rf"^\s*{re.escape(title)}\s*$")).click()
    panel = page.locator(f".fs-tab-{tab}")
    panel.wait_for(state="visible", timeout=10_000)
    return panel


def _chart_text_px(page) -> float:
    """The smallest text of the studio's charts as shown, in CSS pixels (font size in the SVG times the SVG's scale)."""
    return page.evaluate(
        """() => {
        let least = Infinity;
        for (const svg of document.querySelectorAll('.fs-chart svg')) {
            const box = svg.getBoundingClientRect();
            const vb = svg.viewBox && svg.viewBox.baseVal;
            if (!box.width || !vb || !vb.width) continue;
            const scale = box.width / vb.width;
            for (const t of svg.querySelectorAll('text')) {
                const size = parseFloat(getComputedStyle(t).fontSize);
                if (size && t.textContent.trim()) least = Math.min(least, size * scale);
            }
        }
        return least;
    }"""
    )


def _open_workbench(page, title: str):
    """Click a tab of the workbench under the inputs (compare, goal seek, annual table, ...)."""
    tabs = page.locator(".fs-workbench .lm-TabBar-tab")
    titles = [x.strip() for x in tabs.all_inner_texts()]
    tabs.nth(titles.index(title)).click()
    page.locator(f".fs-workbench.fs-ready-{titles.index(title)}").wait_for(state="attached", timeout=60_000)  # the tab is up to date


def _shot_workbench(page, shots: Path, name: str) -> None:
    """A screenshot of the workbench's open tab: the workbench scrolled to the top of the window."""
    page.locator(".fs-workbench").evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(200)
    _shot(page, shots, name)


def _check_panel(panel, tab: str, lang: str = "en") -> None:
    """Every input of an open tab is visible, labelled and holds a number; the first ones are on screen."""
    inputs = panel.locator("input[type=number], input[type=text]")
    n = inputs.count()
    assert n > 0, tab
    for i in range(min(n, 6)):
        field = inputs.nth(i)
        assert field.is_visible(), (tab, i)
        value = field.input_value()
        assert value.strip() and math.isfinite(_num(value, lang)), (tab, i, value)
    labels = panel.locator(".widget-html-content span[title]")
    assert labels.count() > 0 and all(labels.nth(i).inner_text().strip() for i in range(min(labels.count(), 6))), tab


def _type_into_every_tab(page, words: dict[str, str], shots: Path, name: str) -> None:
    """Each of the six tabs opens on its own inputs, which take what is typed (then undone); a screenshot of each."""
    for tab in TABS:  # each of the six tabs opens on its own inputs, which take what is typed (then undone)
        panel = _open_tab(page, words[f"tab_{tab}"], tab)
        _check_panel(panel, tab)
        field = panel.locator("input[type=text]").first
        old = field.input_value()
        field.fill(f"{_num(old) * 0.9:,.6g}")
        field.press("Enter")
        page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('1 input(s) changed')", timeout=30_000)
        page.locator("button.fs-undo").click()
        page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('All inputs')", timeout=30_000)
        assert field.input_value() == old, (tab, old, field.input_value())  # one undo: a snapped slider changed nothing
        assert not [p for p in _layout_problems(page) if not p.startswith("card")], tab
        _shot(page, shots, f"{name}_{tab}")


def _layout_problems(page) -> list[str]:
    """Things a person would see as broken: a cut-off tab title, card text or label, overlapping input rows."""
    return page.evaluate(
        """() => {
        const out = [];
        const visible = el => el.offsetParent !== null && el.getBoundingClientRect().width > 0;
        for (const el of document.querySelectorAll('.fs-studio .lm-TabBar-tab')) {
            if (el.scrollWidth > el.clientWidth + 1) out.push('tab title cut: ' + el.innerText);
        }
        for (const bar of document.querySelectorAll('.fs-studio .lm-TabBar-content')) {
            const tops = new Set([...bar.children].filter(visible).map(t => Math.round(t.getBoundingClientRect().top)));
            if (tops.size > 1) out.push('tab bar wraps onto ' + tops.size + ' rows: ' + bar.textContent);
        }
        for (const el of document.querySelectorAll('.fs-card')) {
            const box = el.querySelector('div');
            if (box && (box.scrollWidth > box.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
                out.push('card overflows: ' + el.innerText.slice(0, 40));
        }
        for (const el of document.querySelectorAll('.fs-tab span[title], .fs-group')) {
            if (visible(el) && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline')
                out.push('label cut: ' + el.innerText.slice(0, 60));
        }
        for (const el of document.querySelectorAll('.fs-tab input')) {
            if (visible(el) && el.scrollWidth > el.clientWidth + 1) out.push('number cut in its field: ' + el.value);
        }
        for (const r of [...document.querySelectorAll('.fs-tab > .widget-vbox')].filter(visible)) {
            if (r.scrollHeight > r.clientHeight + 1) out.push('input row squeezed: ' + r.innerText.slice(0, 60));
        }
        const rows = [...document.querySelectorAll('.fs-tab > .widget-vbox')].filter(visible).map(r => r.getBoundingClientRect());
        for (let i = 1; i < rows.length; i++) {
            if (rows[i].top < rows[i - 1].bottom - 1) out.push('input rows overlap at ' + i);
        }
        for (const w of document.querySelectorAll('.fs-tab .widget-hbox')) {
            if (!visible(w)) continue;
            const r = w.getBoundingClientRect();
            for (const c of w.children) {
                const b = c.getBoundingClientRect();
                if (b.width && b.right > r.right + 2) out.push('control sticks out of its row: ' + (c.className || '').slice(0, 60));
            }
        }
        return out;
    }"""
    )


def test_studio_in_a_browser_every_tab_scenarios_and_screenshots(browser, voila, tmp_path):
    url, project = voila("en")
    words = catalog("en")["studio"]
    shots = _shots_dir(tmp_path)
    page, errors = _open_studio(browser, url, SIZES[0], "All inputs")
    try:
        page.locator(".fs-tab-demand input").first.wait_for(state="visible", timeout=30_000)
        _shot(page, shots, "studio_en_1280x720")
        fnpv0 = _card(page, "fnpv")
        assert fnpv0.startswith(("IDR ", "minus IDR "))
        verdict0 = _card(page, "verdict")
        assert verdict0.startswith("Not feasible: ")
        chart_gen = page.locator(".fs-chart-cash .fs-svg").get_attribute("data-gen")

        _type_into_every_tab(page, words, shots, "studio_en_1280x720")

        # tariffs: drag the slider right -> a higher tariff, a better FNPV
        _open_tab(page, words["tab_tariffs"], "tariffs")
        handle = page.locator(f".fs-slider.{TARIFF_CLASS} .noUi-handle")
        handle.wait_for(state="visible", timeout=10_000)
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 90, y, steps=6)
        page.mouse.up()
        fnpv1 = _wait_card_change(page, "fnpv", fnpv0)
        tariff = _num(page.locator(f".{TARIFF_CLASS} input").first.input_value())
        assert tariff > 71_000
        assert _idr(fnpv1) > _idr(fnpv0)
        page.wait_for_function(
            "g => document.querySelector('.fs-chart-cash .fs-svg').dataset.gen !== g", arg=chart_gen, timeout=30_000
        )  # the charts followed

        # capex: type a dearer wharf -> a worse FNPV
        _open_tab(page, words["tab_capex"], "capex")
        wharf = page.locator(f".{WHARF_CLASS} input").first
        assert "[IDR billion]" in page.locator(".fs-tab-capex").inner_text()
        wharf.fill("260")  # IDR billion
        wharf.press("Enter")
        fnpv2 = _wait_card_change(page, "fnpv", fnpv1)
        assert _idr(fnpv2) < _idr(fnpv1)

        # financing: a dearer loan -> another minimum DSCR (a negative cover moves towards zero as debt service grows)
        _open_tab(page, words["tab_financing"], "financing")
        dscr1 = _card(page, "dscr")
        rate = page.locator(f".{RATE_CLASS} input").first
        rate.fill("0.12")
        rate.press("Enter")
        assert _wait_card_change(page, "dscr", dscr1) != dscr1
        page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('3 input(s) changed')", timeout=10_000)
        fnpv3 = _card(page, "fnpv")  # the loan's rate moves the WACC, so the FNPV too
        _open_workbench(page, words["tool_files"])
        assert "tariff, base-year prices" in page.locator(".fs-diff").inner_text()
        _shot(page, shots, "studio_en_1280x720_changed")
        assert not _layout_problems(page), _layout_problems(page)

        # the scenario: save into the project folder, load it back, reset
        save = page.locator(".fs-save-path input")
        assert save.input_value() == "kota_serang_scenario.toml"  # the project folder, not the package's
        save.fill("browser_scenario.toml")
        page.locator("button.fs-save").click()
        page.wait_for_function("() => document.querySelector('.fs-save-status').innerText.includes('Saved')", timeout=30_000)
        saved = project / "data" / "browser_scenario.toml"  # the studio saves into the project's data/ only
        saved_text = saved.read_text(encoding="utf-8")  # a variant: the default case as its base, three changed values
        assert saved.exists() and 'source = "studio: changed from 71000' in saved_text
        assert 'base = "default"' in saved_text and saved_text.count("[variant.set.") == 3
        page.locator(".fs-save-path").scroll_into_view_if_needed()
        _shot(page, shots, "studio_en_1280x720_scenario")
        load = page.locator(".fs-load-path input")
        load.fill("")
        load.click()
        options = page.locator(".fs-load-path datalist option")
        assert "data/browser_scenario.toml" in [options.nth(i).get_attribute("value") for i in range(options.count())]
        load.fill("data/browser_scenario.toml")
        page.locator("button.fs-load").click()
        page.wait_for_function("() => document.querySelector('.fs-load-status').innerText.includes('Loaded')", timeout=30_000)
        page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('All inputs as in data/browser_scenario.toml')",
                               timeout=30_000)
        assert _card(page, "fnpv") == fnpv3  # the saved scenario gives the numbers it was saved with
        _open_tab(page, words["tab_tariffs"], "tariffs")
        field = page.locator(f".{TARIFF_CLASS} input").first
        saved_tariff = field.input_value()
        field.fill("60000")
        field.press("Enter")
        page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('1 input(s) changed')", timeout=30_000)
        page.locator("button.fs-reset").click()
        page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('All inputs')", timeout=30_000)
        assert field.input_value() == saved_tariff and _card(page, "fnpv") == fnpv3

        assert _chart_text_px(page) >= 11, _chart_text_px(page)
        page.set_viewport_size({"width": SIZES[1][0], "height": SIZES[1][1]})
        _open_tab(page, words["tab_tariffs"], "tariffs")
        page.wait_for_timeout(500)
        _shot(page, shots, "studio_en_1600x900")
        assert not _layout_problems(page), _layout_problems(page)
        assert 11 <= _chart_text_px(page) < 20, _chart_text_px(page)  # readable, and not blown up on a wide screen
        if os.environ.get("FEASIBILITY_STUDIO_SCREENSHOT"):  # e.g. docs/studio.png for the README
            shutil.copyfile(shots / "studio_en_1600x900.png", os.environ["FEASIBILITY_STUDIO_SCREENSHOT"])
        assert not errors, errors
    finally:
        page.close()


#: English words of the studio that must not show in the Indonesian studio
ENGLISH = ("Tariffs", "Demand", "Financing", "Save", "Load", "Verdict", "criteria", "feasible", "inputs", "billion", "tariff",
           "base-year prices", "operating cost", "per tonne", "per year", "share of", "Cargo handling", "capex ›", "opex ›")


def test_indonesian_studio_in_a_browser(browser, voila, tmp_path):
    url, _project = voila("id")
    words = catalog("id")["studio"]
    shots = _shots_dir(tmp_path)
    page, errors = _open_studio(browser, url, SIZES[0], "Semua masukan")
    try:
        for size in SIZES:  # one page, resized: the layout at each size
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.wait_for_timeout(300)
            assert "Rp" in _card(page, "fnpv") and _card(page, "verdict").startswith("Tidak layak: ")
            for tab in TABS:
                panel = _open_tab(page, words[f"tab_{tab}"], tab)
                _check_panel(panel, tab, "id")
                text = page.locator(".fs-studio").inner_text()
                found = [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)]
                assert not found, (tab, found)
            _open_tab(page, words["tab_demand"], "demand")
            page.wait_for_timeout(300)
            _shot(page, shots, f"studio_id_{size[0]}x{size[1]}")
            assert not _layout_problems(page), _layout_problems(page)
            _open_workbench(page, words["tool_files"])
            page.locator(".fs-save-path").scroll_into_view_if_needed()
            _shot(page, shots, f"studio_id_{size[0]}x{size[1]}_scenario")
            assert page.locator(".fs-save-path input").input_value() == "kota_serang_scenario.toml"
            assert page.locator(".fs-load-path input").get_attribute("placeholder") == words["load_placeholder"]
        for tool in ("tool_compare", "tool_goal", "tool_annual", "tool_mc", "tool_files", "tool_export"):  # the workbench, in Indonesian
            _open_workbench(page, words[tool])
            text = page.locator(".fs-workbench").inner_text()
            found = [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)]
            assert not found, (tool, found)
        assert not errors, errors
    finally:
        page.close()


def test_studio_options_switch_and_compare_in_a_browser(browser, voila, tmp_path):
    """The long list in the page: pick an option (its own inputs, cards and charts), compare them all."""
    url, _project = voila("en")
    words = catalog("en")["studio"]
    report = catalog("en")["report"]
    shots = _shots_dir(tmp_path)
    page, errors = _open_studio(browser, url, SIZES[0], "All inputs")
    try:
        select = page.locator(".fs-option select")
        select.wait_for(state="visible", timeout=30_000)
        # ipywidgets writes the labels with no-break spaces
        labels = [o.replace("\xa0", " ").strip() for o in select.locator("option").all_inner_texts()]
        assert labels[0] == "The plan of the case file (kota_serang.toml)" and "Lab-only BUMD" in labels and len(labels) == 11
        fnpv0 = _card(page, "fnpv")
        # the lab-only BUMD: another FNPV, no port inputs, the lab's tariff on the tariffs tab
        select.select_option(index=labels.index("Lab-only BUMD"))
        fnpv1 = _wait_card_change(page, "fnpv", fnpv0)
        assert fnpv1 != fnpv0 and "A small perseroda" in page.locator(".fs-option-note").inner_text()
        assert "Option shown: Lab-only BUMD" in page.locator(".fs-studio h2 + div").first.inner_text().replace("\xa0", " ")
        panel = _open_tab(page, words["tab_tariffs"], "tariffs")
        _check_panel(panel, "tariffs")
        assert page.locator(".fs-tab-tariffs [class*='fs-port--']").count() == 0
        assert page.locator(".fs-tab-tariffs [class*='fs-lab--revenue--lab_tests--tariff']").count() > 0
        assert not [p for p in _layout_problems(page) if not p.startswith("card")]
        _shot(page, shots, "studio_en_1280x720_option_lab")
        # the stake: its own inputs on the financing tab
        select.select_option(index=labels.index("Minority stake in a joint port company with Kabupaten Serang"))
        page.wait_for_function("() => document.querySelector('.fs-option-note').innerText.includes('minority stake')", timeout=30_000)
        page.wait_for_timeout(500)  # the new tabs are in place
        panel = _open_tab(page, words["tab_financing"], "financing")
        page.locator(".fs-tab-financing [class*='fs-participations--joint_port--dividend_yield_nominal'] input").first.wait_for(
            state="visible", timeout=30_000)
        _check_panel(panel, "financing")
        # compare every option: the table with the preferred option and the rule
        page.locator("button.fs-compare").click()
        page.locator(".fs-compare-result").wait_for(timeout=120_000)
        result = page.locator(".fs-compare-result")
        text = result.inner_text()
        assert report["opt_lead"].format(label="Do nothing (status quo)") in text
        assert "Options are ranked by region's NPV" in text
        assert result.locator("tbody tr").count() == 10
        assert result.locator("tbody tr[data-key='full_plan'] td").nth(1).inner_text() == "Full plan (port and lab)"
        result.scroll_into_view_if_needed()
        _shot(page, shots, "studio_en_1280x720_compare")
        # back to the file's plan: its FNPV again
        before = _card(page, "fnpv")
        select.select_option(index=0)
        assert _wait_card_change(page, "fnpv", before) == fnpv0
        page.set_viewport_size({"width": SIZES[1][0], "height": SIZES[1][1]})
        page.wait_for_timeout(500)
        result.scroll_into_view_if_needed()
        _shot(page, shots, "studio_en_1600x900_compare")
        box = result.locator("table").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= SIZES[1][0]
        assert not errors, errors
    finally:
        page.close()


def _download(page, link) -> bytes:
    """Click a download link of the page; the file's bytes."""
    with page.expect_download(timeout=60_000) as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def _consultant_session(page, words: dict[str, str], shots: Path, name: str, project: Path) -> None:
    """A consultant's working session on an open English studio: guard rails, undo, a named scenario, a comparison,
    goal seek, the annual table's CSV, a Monte Carlo that turns stale, a variant saved and loaded, the report downloaded."""
    verdict0, fnpv0 = _card(page, "verdict"), _card(page, "fnpv")
    _open_tab(page, words["tab_tariffs"], "tariffs")
    row = page.locator(".fs-tab-tariffs > .widget-vbox", has=page.locator(f".{TARIFF_CLASS}"))
    field = row.locator(f".{TARIFF_CLASS} input").first
    # a value the schema forbids: refused with a message, the model keeps 71,000
    field.fill("-5000")
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('refused')", timeout=30_000)
    assert "at least 0" in row.locator(".fs-message").inner_text() and _card(page, "fnpv") == fnpv0
    # an absurd tariff the schema allows: marked, and the verdict is no verdict
    field.fill("999,999,999,999,999")
    field.press("Enter")
    verdict1 = _wait_card_change(page, "verdict", verdict0)
    assert verdict1.startswith("Not established") and "plausible range" in row.locator(".fs-message").inner_text()
    _shot(page, shots, f"{name}_guard_rails")
    # undo: back to the case's tariff
    page.locator("button.fs-undo").click()
    page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('All inputs')", timeout=30_000)
    assert field.input_value() == "71,000" and _card(page, "verdict") == verdict0
    # a named scenario from the toolbar
    scenario = page.locator(".fs-scenario select")
    labels = [o.replace("\xa0", " ").strip() for o in scenario.locator("option").all_inner_texts()]
    assert labels[:1] == ["As in the case file"] and "Low" in labels
    scenario.select_option(index=labels.index("Low"))
    page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('3 input(s) changed')", timeout=30_000)
    page.wait_for_function("() => document.querySelector('.fs-scenario-note').innerText.includes('Low')", timeout=30_000)
    assert field.input_value() == "55,000" and "Scenario \u201cLow\u201d applied" in page.locator(".fs-scenario-note").inner_text()
    page.wait_for_timeout(1500)  # the sliders have had time to send back whatever they would
    assert page.locator(f".{LAB_SHARE_CLASS} input").first.input_value() == "0.1667"  # outside its slider's old span, kept
    page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('3 input(s) changed')", timeout=1_000)

    # compare: current inputs (the low scenario), the case file and the high scenario side by side
    _open_workbench(page, words["tool_compare"])
    choice = page.locator(".fs-compare-choice select")
    names = [o.replace("\xa0", " ").strip() for o in choice.locator("option").all_inner_texts()]
    choice.select_option(index=[names.index("Current inputs"), names.index("Case file as loaded"), names.index("Scenario: High")])
    page.locator("button.fs-compare-variants").click()
    table = page.locator("table.fs-compare-variants")
    table.wait_for(timeout=60_000)
    text = table.inner_text()
    assert "Scenario: High" in text and "FNPV" in text and "port.revenue" not in text
    # a label reads on a line or two, not a word a line beside the long list of changed inputs
    assert table.locator("td").first.bounding_box()["width"] >= 150, table.locator("td").first.bounding_box()
    assert table.locator("td").first.bounding_box()["height"] <= 60, table.locator("td").first.bounding_box()
    _shot_workbench(page, shots, f"{name}_compare_variants")

    # goal seek: the tariff for FNPV = 0 lies outside the plausible range: said plainly
    _open_workbench(page, words["tool_goal"])
    goal_input = page.locator(".fs-goal-input select")
    inputs = [o.replace("\xa0", " ").strip() for o in goal_input.locator("option").all_inner_texts()]
    goal_input.select_option(index=next(i for i, x in enumerate(inputs) if x.startswith("Cargo handling") and "tariff" in x))
    page.locator("button.fs-goal-solve").click()
    page.wait_for_function("() => document.querySelector('.fs-goal-result').innerText.includes('not reachable')", timeout=60_000)
    _shot_workbench(page, shots, f"{name}_goal_seek")

    # the annual table, and its CSV downloaded from the page
    _open_workbench(page, words["tool_annual"])
    page.locator("table.fs-annual-table tbody tr").nth(29).wait_for(timeout=60_000)  # computed when the tab opens
    data = _download(page, page.locator(".fs-annual-download a"))
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Year,") and len(lines) >= 31
    # the Excel workbook of the current inputs, made on request and downloaded
    page.locator("button.fs-annual-xlsx").click()
    page.locator(".fs-annual-xlsx-link a").wait_for(timeout=60_000)
    book = project / f"{name}_studio.xlsx"
    book.write_bytes(_download(page, page.locator(".fs-annual-xlsx-link a")))
    import openpyxl

    sheets = openpyxl.load_workbook(book).sheetnames
    assert sheets[:3] == ["Assumptions", "Annual model", "Metrics"], sheets
    _shot_workbench(page, shots, f"{name}_annual")

    # Monte Carlo of the current inputs; stale once an input changes
    _open_workbench(page, words["tool_mc"])
    iters = page.locator(".fs-risk-mc-iterations input")
    iters.fill("500")
    iters.press("Enter")
    page.locator("button.fs-risk-mc-run").click()
    page.wait_for_function("() => document.querySelector('.fs-mc-stale').innerText.includes('current inputs')", timeout=120_000)
    assert "P(FNPV < 0)" in page.locator(".fs-risk-mc-summary").inner_text()
    _shot_workbench(page, shots, f"{name}_monte_carlo")
    _open_tab(page, words["tab_tariffs"], "tariffs")
    field.fill("60,000")
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('.fs-mc-stale').innerText.includes('earlier inputs')", timeout=30_000)

    # the current inputs saved as a variant file, loaded back
    _open_workbench(page, words["tool_files"])
    page.locator(".fs-save-path input").fill("session_scenario.toml")
    page.locator("button.fs-save").click()
    page.wait_for_function("() => document.querySelector('.fs-save-status').innerText.includes('Saved')", timeout=30_000)
    saved = (project / "data" / "session_scenario.toml").read_text(encoding="utf-8")
    assert 'base = "default"' in saved and f'[variant.set."{TARIFF}"]' in saved and "value = 60000" in saved, saved
    assert "value = 0.1667" in saved and "value = 0.5\n" in saved, saved  # the low scenario's
    fnpv_saved = _card(page, "fnpv")
    page.locator(".fs-load-path input").fill("data/session_scenario.toml")
    page.locator("button.fs-load").click()
    page.wait_for_function("() => document.querySelector('.fs-status').innerText.includes('All inputs as in data/session_scenario.toml')",
                           timeout=30_000)
    assert _card(page, "fnpv") == fnpv_saved
    _shot_workbench(page, shots, f"{name}_save_load")

    # the council report, written and downloaded from the page
    _open_workbench(page, words["tool_export"])
    iters = page.locator(".fs-export-iterations input")
    iters.fill("200")
    iters.press("Enter")
    page.locator("button.fs-export").click()
    link = page.locator(".fs-export-link a")
    link.wait_for(timeout=240_000)
    report = _download(page, link)
    assert report.startswith(b"<!DOCTYPE html>") and b"feasibility-report" in report[:5000]
    _shot_workbench(page, shots, f"{name}_export")
    assert not _layout_problems(page), _layout_problems(page)


def test_studio_workbench_in_a_browser(browser, voila, tmp_path):
    """A consultant's working session in Voila (see :func:`_consultant_session`); no error, nothing leaves 127.0.0.1."""
    url, project = voila("en")
    page, errors = _open_studio(browser, url, SIZES[0], "All inputs")
    try:
        _consultant_session(page, catalog("en")["studio"], _shots_dir(tmp_path), "studio_en_1280x720", project)
        assert not errors, errors
    finally:
        page.close()


@pytest.fixture
def jupyterlab(tmp_path):
    """``feasibility studio FOLDER`` (JupyterLab) on a copy of the studio notebook; yields (url, project folder)."""
    folder = tmp_path / "notebooks"
    _notebook_copy(folder, "en")
    port, token = _free_port(), "test-token-not-secret"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["JUPYTER_TOKEN"] = token
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):  # a private Jupyter home
        env[var] = str(tmp_path / var.lower())
    log = (tmp_path / "lab.log").open("wb")
    exe = Path(sys.executable).with_name("feasibility")
    proc = subprocess.Popen([str(exe), "studio", str(folder), "--no-browser", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(port, proc, timeout=120)
        yield f"http://127.0.0.1:{port}/lab/tree/03_studio.ipynb?token={token}", folder
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


def _run_first_cell(page, shots: Path) -> None:
    """Run the notebook's studio cell as a person does (click it, Shift+Enter), once the kernel is idle.

    JupyterLab shows the notebook before its kernel has started; a Shift+Enter
    pressed then is lost (a new environment's first kernel starts slowly), so
    the test waits for "Idle" in the status bar and checks that the cell runs.
    """
    cell = page.locator(".jp-CodeCell").first
    cell.locator(".cm-content").wait_for(timeout=240_000)
    page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(timeout=240_000)
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    prompt = cell.locator(".jp-InputPrompt")
    try:
        page.wait_for_function("el => !el.innerText.includes('[ ]')", arg=prompt.element_handle(), timeout=30_000)
    except Exception:
        _shot(page, shots, "jupyterlab_cell_not_run")
        raise


def test_studio_in_jupyterlab(browser, jupyterlab, tmp_path):
    """The studio notebook run in JupyterLab, as `feasibility studio` serves it: every input tab typed into and undone,
    then the consultant's session of the Voila test; no page or console error, no request leaving 127.0.0.1."""
    url, project = jupyterlab
    shots = _shots_dir(tmp_path)
    words = catalog("en")["studio"]
    page = browser.new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    errors = _watch(page)
    try:
        page.goto(url, wait_until="domcontentloaded", timeout=240_000)
        _run_first_cell(page, shots)
        _studio_ready(page, "All inputs")
        assert not page.get_by_text("official Jupyter news").count()  # feasibility studio turns the question off
        _type_into_every_tab(page, words, shots, "studio_jupyterlab_1280x720")
        _consultant_session(page, words, shots, "studio_jupyterlab_1280x720", project)
        assert not errors, errors
    finally:
        page.close()
