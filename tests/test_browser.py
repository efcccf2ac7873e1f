"""The built report in a real browser: headless Debian Chromium at a phone's width and a desktop's.

Debian's ``chromium`` and ``chromium-driver`` packages, driven by selenium with
the driver's path given, so Selenium Manager never runs and nothing is
downloaded at test time. ``.ci/run`` installs both packages (as root) before
``make test``; where they are missing the tests are skipped with a message
naming what is missing and how to install it.

At 420 px and 1,400 px the page is never wider than the window, everything
wider than the window sits inside its own horizontal scroll box, every image
loads, and no raw result text or code name reaches the reader; printed, nothing
is cut off. Screenshots go to ``screenshots/`` beside the built page and, for
the real report, to the repository's ``reports/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from analysis.config import load_config
from analysis.data import load_incidents
from analysis.scope import get_scope

# Drives a browser over a full report build: make test only (make test-fast leaves it out).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
WIDTHS = [420, 1400]
#: Text a reader must never see: result reprs and code names of models.
RAW = [
    "<PeriodComparison:",
    "<ChangepointResult",
    "<HawkesResult",
    "<ITSResult",
    "<TriggerResult",
    "<SelfExcitationResult",
    "Result:",
    "poisson_glm",
    "DataFrame",
    "Timestamp(",
    "dtype:",
]
#: Code names (column and period identifiers such as rate_per_30d, campaign_2020) in the visible text.
#: A code name: snake_case that is not part of a file name (data/context_events.csv is a name readers need).
CODE_NAMES = r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.(?:csv|py|toml|ipynb|md))"

#: Every element that reaches past the viewport and has no ancestor that scrolls horizontally.
OVERFLOWING = """
const vw = window.innerWidth, bad = [];
function scrolls(el) {
  for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const ox = getComputedStyle(a).overflowX;
    if (ox === 'auto' || ox === 'scroll') return true;
  }
  return false;
}
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.left >= -1 && r.right <= vw + 1) continue;
  if (!scrolls(el)) {
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
    bad.push(name + ' ' + Math.round(r.left) + '..' + Math.round(r.right) + 'px');
  }
}
return bad;
"""


def _chrome(user_data_dir: Path):
    """A headless Chromium session, or a skip that says exactly what is missing."""
    missing = [
        f"{p} (Debian package {pkg})"
        for p, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver"))
        if not p.exists()
    ]
    if missing:
        pytest.skip(
            "browser test skipped: missing "
            + " and ".join(missing)
            + "; install with `apt-get install -y chromium chromium-driver` (.ci/run does this as root)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("browser test skipped: selenium is not installed; `make .venv` installs the dev extra")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={user_data_dir}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = _chrome(tmp_path_factory.mktemp("chromium-profile"))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from analysis.report import build_report

    out = tmp_path_factory.mktemp("build") / "reports"
    return build_report(out)


def _open(driver, index: Path, width: int):
    """Load ``index`` with a viewport ``width`` px wide (a phone below 600 px, honouring the viewport tag)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.set_window_size(max(width, 500), 1000)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(index.as_uri())
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete' && Array.from(document.images).every(i => i.complete)"
        )
    )
    driver.execute_script("window.scrollTo(0, 0)")


def _screenshots(driver, index: Path, width: int, name: str) -> list[Path]:
    """The top of the page as a reader first sees it, and the whole page (capped at 16,000 px)."""
    height = min(driver.execute_script("return document.documentElement.scrollHeight"), 16000)
    shots = {
        f"{name}_{width}px.png": driver.get_screenshot_as_png(),
        f"{name}_{width}px_full.png": base64.b64decode(
            driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                },
            )["data"]
        ),
    }
    written = []
    folders = [index.parent / "screenshots"] + (
        [ROOT / "reports" / "screenshots"] if name == "report" else []
    )
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        for name, png in shots.items():
            (folder / name).write_bytes(png)
            written.append(folder / name)
    return written


def check_page(driver, index: Path, width: int, name: str = "report") -> dict:
    """Every check at one width; returns the measurements for the report."""
    _open(driver, index, width)
    inner, scroll_width = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]"
    )
    assert inner == width, f"viewport is {inner} px, not {width} px (is the viewport meta tag there?)"
    assert scroll_width <= inner, f"page is {scroll_width} px wide in a {inner} px window"
    assert driver.execute_script(OVERFLOWING) == [], "wider than the window outside a scroll box"

    broken = driver.execute_script(
        "return Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.getAttribute('src'))"
    )
    assert driver.execute_script("return document.images.length") > 0 and broken == [], broken

    text = driver.execute_script("return document.body.innerText")
    assert not [raw for raw in RAW if raw in text], [raw for raw in RAW if raw in text]

    shots = _screenshots(driver, index, width, name)
    assert all(p.stat().st_size > 10_000 for p in shots)
    return {"width": width, "innerWidth": inner, "scrollWidth": scroll_width, "screenshots": shots}


def check_structure(driver, index: Path):
    """Headline first, contents that link to the sections, sourced periods, a working appendix filter."""
    from selenium.webdriver.common.by import By

    _open(driver, index, 1400)
    assert driver.find_element(By.CSS_SELECTOR, 'meta[name="viewport"]')
    tops = driver.execute_script("""
        const y = s => document.querySelector(s).getBoundingClientRect().top;
        return [y('.headline'), y('nav.toc'), y('main section')];""")
    assert tops == sorted(tops), f"headline, contents and sections are out of order: {tops}"
    targets = driver.execute_script(
        "return Array.from(document.querySelectorAll('nav.toc a')).map(a => a.getAttribute('href'))"
    )
    assert len(targets) >= 5 and all(driver.find_elements(By.ID, t[1:]) for t in targets), targets
    assert driver.find_elements(By.CSS_SELECTOR, "section.question figure.chart figcaption .credit")
    assert driver.find_elements(By.CSS_SELECTOR, "section.question .scroll table")
    assert not driver.execute_script(
        "return Array.from(document.querySelectorAll('table')).filter(t => "
        "!['auto', 'scroll'].includes(getComputedStyle(t.parentElement).overflowX)).length"
    )

    periods = driver.find_elements(By.CSS_SELECTOR, "#periods tbody tr")
    assert periods and all(r.find_elements(By.CSS_SELECTOR, 'a[href^="http"]') for r in periods)

    rows = driver.execute_script("""
        return Array.from(document.querySelectorAll('#appendix-table tbody tr'))
          .map(r => r.querySelectorAll('a[href^="http"]').length);""")
    assert rows and all(rows), "every counted attack links to its pages"
    shown = (
        "return Array.from(document.querySelectorAll('#appendix-table tbody tr'))"
        ".filter(r => r.offsetParent !== null).map(r => r.textContent.toLowerCase())"
    )
    box = driver.find_element(By.ID, "appendix-filter")
    box.send_keys("Syria")
    syria = driver.execute_script(shown)
    assert 0 < len(syria) < len(rows) and all("syria" in t for t in syria)
    assert driver.find_element(By.ID, "appendix-count").text == f"{len(syria)} of {len(rows)} attacks shown"
    box.send_keys(" no such place anywhere")
    assert driver.execute_script(shown) == [] and driver.find_element(By.ID, "appendix-none").is_displayed()

    # Print on A4 (about 720 px between the margins): the search box goes, the scroll boxes open out, and the
    # tables wrap, so nothing is cut off: with no scroll box left, nothing may reach past the page.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 720, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert (
            driver.execute_script("return getComputedStyle(document.querySelector('.search')).display")
            == "none"
        )
        assert driver.execute_script(
            "return Array.from(document.querySelectorAll('.scroll')).every(b => getComputedStyle(b).overflowX === 'visible')"
        )
        assert driver.execute_script(OVERFLOWING) == [], "cut off in print"
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 720
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    return len(rows)


# -- the template alone, on a page built from the real data by tests/page_fixture.py -------------------------


@pytest.fixture(scope="module")
def fixture_page(tmp_path_factory):
    from page_fixture import build

    return build(tmp_path_factory.mktemp("fixture") / "reports")


@pytest.mark.parametrize("width", WIDTHS)
def test_template_fits_the_window(browser, fixture_page, width):
    check_page(browser, fixture_page, width, name="template")


def test_template_structure(browser, fixture_page):
    check_structure(browser, fixture_page)


# -- the real report, as `make report` builds it ---------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_report_fits_the_window(browser, report, width):
    measured = check_page(browser, report, width)
    print(
        f"report at {width} px: window {measured['innerWidth']} px, page {measured['scrollWidth']} px; "
        f"screenshots {', '.join(str(p) for p in measured['screenshots'])}"
    )


def test_report_text_has_no_code_names(browser, report):
    _open(browser, report, 1400)
    text = browser.execute_script("return document.body.innerText")
    assert sorted(set(re.findall(CODE_NAMES, text))) == []


def test_report_structure_and_every_counted_attack(browser, report):
    rows = check_structure(browser, report)
    cfg = load_config()
    assert rows == len(get_scope(cfg.scope).select(load_incidents(errors="exclude")))
