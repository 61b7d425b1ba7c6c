"""Make docs/view-run.png, docs/view-eval.png and docs/view-compare.png in headless Chromium.

    .venv/bin/python docs/make_screenshots.py

Uses the rules baseline on the repository's seeds and dev gold set (offline); state goes to a
temporary EXTRACTOR_HOME, never the user's. The sources are written in a temporary folder and
named relative to it (``records.jsonl``, ``eval.json``, ``compare.json``), so the pages show the
names the README's commands use, not a temporary path.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["EXTRACTOR_HOME"] = str(folder / "home")
        os.chdir(folder)  # the pages name their source as given: relative to here
        from tests import browser, view_fixtures

        reason = browser.missing()
        if reason:
            sys.exit(reason)
        sources = {
            "run": view_fixtures.seed_run(folder, "records.jsonl"),
            "eval": view_fixtures.eval_report(folder),
            "compare": view_fixtures.compare_report(folder),
        }
        pages = {
            name: view_fixtures.view(source.relative_to(folder), folder / f"{name}.html")
            for name, source in sources.items()
        }
        # where each screenshot looks: the run's first article; the eval's per-field table bottom
        # and a diff with its quote; the compare view's worklist and the article it opens
        scroll = {"run": None, "eval": "#field-table tfoot", "compare": "#worklist-total"}
        with browser.chromium(1400, 1000) as driver:
            for name, page in pages.items():
                browser.open_page(driver, page)
                if name == "eval":  # open a diff that has a quote to highlight
                    driver.execute_script(
                        "var d = JSON.parse(document.getElementById('view-data').textContent)"
                        ".diffs.find(x => x.quote);"
                        "document.querySelector('#field-table tr[data-field=\"' + d.field + '\"]')"
                        ".click();"
                        "document.querySelector('#diff-list li[data-path=\"' + d.path + '\"]"
                        "[data-doc=\"' + d.doc_id + '\"]').click();"
                    )
                if scroll[name]:
                    driver.execute_script(
                        "document.querySelector(arguments[0]).closest('section').scrollIntoView({block: 'start'});"
                        "document.querySelectorAll('#doc, #panel').forEach(e => e.scrollTop = 0);",
                        scroll[name],
                    )
                out = ROOT / "docs" / f"view-{name}.png"
                driver.save_screenshot(str(out))
                print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
