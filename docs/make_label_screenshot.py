"""Make docs/label.png: the label page on a seed article, pre-filled from two runs, in headless
Chromium.

    .venv/bin/python docs/make_label_screenshot.py

Uses the rules baseline on the repository's seeds and a second run that disagrees with it on three
fields (tests/label_fixtures.py), offline; state and gold go to a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from tests import browser

    if browser.missing():
        sys.exit(browser.missing())
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EXTRACTOR_HOME"] = str(Path(tmp, "home"))  # never the user's run store
        shoot(Path(tmp))


def shoot(folder: Path) -> None:
    """Serve the label app on the seeds, make one decision, and take the screenshot."""
    from extractor.label import LabelServer, LabelSession
    from tests import browser
    from tests.label_fixtures import SEEDS, write_runs

    runs = write_runs(folder)
    session = LabelSession(
        [SEEDS],
        folder / "gold",
        sources=[str(p) for p in runs],
        guidelines=ROOT / "evals" / "GUIDELINES.md",
    )
    with LabelServer(session) as server, browser.chromium(1500, 1000) as driver:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.support.ui import WebDriverWait

        driver.get(server.url)
        WebDriverWait(driver, 10).until(
            lambda d: d.execute_script("return document.documentElement.dataset.ready === '1'")
        )
        ActionChains(driver).send_keys("1").perform()  # one decision made, two to go
        driver.execute_script(
            "document.querySelector('.browser.label').scrollIntoView();"
            "document.activeElement.scrollIntoView({ block: 'center' });"
        )
        target = ROOT / "docs" / "label.png"
        driver.save_screenshot(str(target))
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
