"""`extractor label` in a real headless Chromium: a whole seed article labeled from two runs by
keyboard (and one click), a server restart in the middle, a valid gold file at the end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extractor.label import LabelServer, LabelSession
from tests import browser
from tests.label_fixtures import DOC, REPO, SEEDS, rules_record, write_runs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser.missing() is not None, reason=browser.missing() or ""),
]
GUIDELINES = REPO / "evals" / "GUIDELINES.md"
SUMMARY = "An off-duty Chicago officer was shot in an alley shootout; COPA released video."


class Labeler:
    """Drives the page like a person: every key press and click is counted."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.actions = 0
        self.typed = 0

    def type(self, text: str) -> None:
        """Type a value: counted as one action (its characters are counted apart)."""
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.driver).send_keys(text).perform()
        self.actions += 1
        self.typed += len(text)

    def press(self, *keys: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        for key in keys:
            ActionChains(self.driver).send_keys(key).perform()
            self.actions += 1

    def click(self, element: Any) -> None:
        element.click()
        self.actions += 1

    def click_at(self, x: float, y: float) -> None:
        """Click a point of the window (viewport coordinates)."""
        from selenium.webdriver.common.actions.action_builder import ActionBuilder

        actions = ActionBuilder(self.driver)
        actions.pointer_action.move_to_location(int(x), int(y)).click()
        actions.perform()
        self.actions += 1

    def wait(self, script: str) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, 10).until(lambda d: d.execute_script(script))

    def load(self, url: str) -> None:
        self.driver.get(url)
        self.wait("return document.documentElement.dataset.ready === '1'")

    def focused(self) -> str:
        return str(self.driver.execute_script("return document.activeElement.dataset.key || ''"))

    def row(self, key: str) -> Any:
        return self.driver.find_element("css selector", f'#form [data-key="{key}"]')

    def draft_saved(self) -> None:
        self.wait("return document.getElementById('draft-state').dataset.draft === 'saved'")


def test_label_a_seed_article_end_to_end(tmp_path: Path) -> None:
    rules, other = write_runs(tmp_path)
    gold_dir = tmp_path / "gold"

    def session() -> LabelSession:
        return LabelSession(
            [SEEDS], gold_dir, sources=[str(rules), str(other)], guidelines=GUIDELINES
        )

    server = LabelServer(session()).start()
    port = server.port
    with browser.chromium() as driver:
        you = Labeler(driver)
        you.load(server.url)
        # the article the runs disagree on comes first, its first undecided field focused
        assert driver.execute_script("return document.documentElement.dataset.doc") == DOC
        assert you.focused() == "incident_time"
        assert driver.find_element("id", "undecided-count").get_attribute("data-count") == "3"
        assert "21:30" in you.row("incident_time").text  # each candidate is offered
        assert "label" not in you.row("city").get_attribute("class")
        assert "accepted" in you.row("city").get_attribute("class")  # agreed: pre-accepted
        guide = you.row("city").find_element("css selector", "a[data-guide]")
        assert guide.get_attribute("href").endswith("/guidelines#city-state-location-neighborhood")

        you.press("1")  # incident_time: the rules run's null
        assert you.focused() == "arrests"
        you.press("e", "1", "\ue007")  # arrests: neither run is right, edit to 1
        you.draft_saved()

        # the server restarts mid-article: the draft is on disk, the page picks it up
        server.stop()
        server = LabelServer(session(), port=port).start()
        you.driver.refresh()
        you.wait("return document.documentElement.dataset.ready === '1'")
        assert driver.find_element("id", "draft-state").get_attribute("data-draft") == "restored"
        assert "edited" in you.row("arrests").get_attribute("class")
        assert you.focused() == "people[0].gender"

        # the quote of arrests: focus it, click its sentence in the article
        you.click(you.row("arrests"))
        x, y = driver.execute_script(
            "var t = document.querySelector('#doc .text'), w = document.createTreeWalker(t, 4), n;"
            "while ((n = w.nextNode())) { var i = n.data.indexOf('No one has been arrested');"
            "  if (i < 0) { continue; }"
            "  var r = document.createRange(); r.setStart(n, i + 3); r.setEnd(n, i + 4);"
            "  var doc = t.closest('.doc'); doc.scrollIntoView({ block: 'start' });"
            "  doc.scrollTop += r.getBoundingClientRect().top - doc.getBoundingClientRect().top - 40;"
            "  var b = r.getBoundingClientRect(); return [b.left + 2, b.top + b.height / 2]; }"
        )
        you.click_at(x, y)
        assert you.row("arrests").find_element("css selector", "[data-role=quote]").text == (
            "No one has been arrested in connection with the shootout."
        )

        you.press("n", "a", "1")  # gender: null also counts, and the rules run's male is the value
        you.press("P")  # a person: the shooter the article mentions
        assert you.focused() == "people[1].role"
        you.press("e", "s", "\ue007")
        you.press("s")  # refused: the gold format wants a summary, and the rules run has none
        you.wait("return document.getElementById('message').textContent.indexOf('summary') >= 0")
        assert "record.summary" in driver.find_element("id", "message").text
        you.press("m")
        you.type(SUMMARY)
        you.press("\ue00c", "s")  # Esc back to the form, save
        you.wait("return document.getElementById('draft-state').dataset.draft === 'gold'")
        actions, typed = you.actions, you.typed
    server.stop()

    saved = json.loads((gold_dir / f"{DOC}.json").read_text(encoding="utf-8"))
    record = rules_record(rules)
    record["arrests"] = 1
    record["summary"] = SUMMARY
    record["people"].append(
        {
            "role": "subject", "name": None, "age": None, "gender": None, "on_duty": None,
            "fired_weapon": None, "armed_with": [], "outcome": None, "shot_by_police": None,
            "arrested": None,
        }
    )  # fmt: skip
    assert saved == {
        "doc_id": DOC,
        "record": record,
        "alternatives": {"people[0].gender": [None]},
        "notes": "Pre-filled from rules, other with extractor label.",
    }
    check = subprocess.run(
        [sys.executable, str(REPO / "evals" / "check_gold.py"), "--gold", str(gold_dir)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    evidence = json.loads((gold_dir / ".evidence" / f"{DOC}.json").read_text(encoding="utf-8"))
    assert (
        evidence["arrests"]["quote"] == "No one has been arrested in connection with the shootout."
    )
    assert not (gold_dir / ".drafts" / f"{DOC}.json").exists()
    # every shortcut key and click counts one, a typed value (here only the summary) one
    assert actions <= 40, actions
    print(
        f"labeled {DOC} in {actions} key presses, clicks and typed values ({typed} characters typed)"
    )
