"""`extractor view` pages in a real headless Chromium: highlights, numbers, safety, no network."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from extractor import PredictionLine
from extractor.evidence import normalise
from tests import browser
from tests.view_fixtures import ARTICLES, compare_report, eval_report, seed_run, view

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser.missing() is not None, reason=browser.missing() or ""),
]


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Any:
    downloads = tmp_path_factory.mktemp("downloads")
    with browser.chromium(downloads=downloads) as d:
        d.downloads = downloads
        yield d


def load(driver: Any, page: Path) -> None:
    """Open the page, then check it fetched nothing and the console logged no error (no CSP block)."""
    driver.get_log("performance")  # drop entries of earlier pages
    driver.get_log("browser")
    browser.open_page(driver, page)
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        url = message.get("params", {}).get("request", {}).get("url", "")
        # chrome:// is the browser's own UI resources (a search box's clear icon), and data: URLs
        # are decoded in place (Chromium sometimes logs one for its own placeholder image, seen
        # under load): neither leaves the machine
        if message["method"] == "Network.requestWillBeSent" and not url.startswith(
            ("chrome://", "data:")
        ):
            urls.append(url)
    assert urls == [page.resolve().as_uri()], urls
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def marked_text(driver: Any) -> dict[int, str]:
    """Span index -> the text of every highlighted piece that span covers, joined in order."""
    pieces = driver.execute_script(
        "return Array.from(document.querySelectorAll('#doc mark'))"
        ".map(m => [m.dataset.spans, m.textContent]);"
    )
    joined: dict[int, str] = {}
    for spans, text in pieces:
        for index in spans.split():
            joined[int(index)] = joined.get(int(index), "") + text
    return joined


def painted(element: Any) -> tuple[int, int, int]:
    """The colour most of an element's screenshot is painted in (its background, around glyphs)."""
    from PIL import Image

    image = Image.open(io.BytesIO(element.screenshot_as_png)).convert("RGB")
    return max(image.getcolors(image.width * image.height))[1]  # type: ignore[no-any-return]


def as_shown(value: Any) -> str:
    """How the page writes a value: null, [] and lists joined by ", ", JSON booleans."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return ", ".join(map(as_shown, value)) if value else "[]"
    if isinstance(value, bool):
        return json.dumps(value)
    return str(value)


def css_rgb(value: str) -> tuple[int, int, int]:
    parts = value[value.index("(") + 1 : value.index(")")].split(",")
    return tuple(round(float(p)) for p in parts[:3])  # type: ignore[return-value]


def test_run_view_highlights_every_evidence_span_of_a_seed_run(driver: Any, tmp_path: Path):
    predictions = seed_run(tmp_path)
    lines = [PredictionLine.from_json(x) for x in predictions.read_text().splitlines()]
    page = view(predictions, tmp_path / "run.html")
    load(driver, page)
    assert driver.find_element("css selector", "[data-stat=articles]").text == "3"
    texts = {p.stem: p for p in Path(ARTICLES[0]).glob("*.txt")}
    checked = 0
    for line in sorted(lines, key=lambda x: x.doc_id):
        driver.find_element("css selector", f"#article-list li[data-doc='{line.doc_id}']").click()
        items = driver.find_elements("css selector", "#panel li[data-span]")
        assert len(items) == len(line.evidence)
        body = driver.find_element("css selector", "#doc .text").text
        assert body.split()[:5] == texts[line.doc_id].read_text().split()[2:7]  # after "date ..."
        highlighted = marked_text(driver)
        for item in items:
            path = item.find_element("css selector", "code").text
            evidence = line.evidence[path]
            assert evidence.grounded
            got = highlighted[int(item.get_attribute("data-span"))]
            assert normalise(got) == normalise(evidence.quote), path
            checked += 1
    assert checked == sum(len(line.evidence) for line in lines) > 40
    # the screenshot shows each highlight in its field's colour
    mark = driver.find_element("css selector", "#doc mark")
    assert painted(mark) == css_rgb(mark.value_of_css_property("background-color"))


def test_run_view_filters_failed_empty_ungrounded_and_by_value(driver: Any, tmp_path: Path):
    good = [PredictionLine.from_json(x) for x in seed_run(tmp_path).read_text().splitlines()]
    ungrounded = good[1].model_copy(deep=True)
    ungrounded.evidence["city"].grounded = False
    ungrounded.evidence["city"].start = ungrounded.evidence["city"].end = None
    failed = PredictionLine(
        doc_id="broken",
        model="rules",
        error={"type": "DocumentError", "message": "broken.txt: the article is empty"},
    )
    empty = good[2].model_copy(update={"record": type(good[2].record)(), "evidence": {}})
    file = tmp_path / "mixed.jsonl"
    file.write_text("".join(x.to_json() + "\n" for x in [good[0], ungrounded, empty, failed]))
    load(driver, view(file, tmp_path / "mixed.html"))

    def listed() -> list[str]:
        items = driver.find_elements("css selector", "#article-list li")
        return [li.get_attribute("data-doc") for li in items]

    assert len(listed()) == 4
    toggle = {name: driver.find_element("css selector", f"[data-filter={name}]") for name in ("failed", "ungrounded", "empty")}  # fmt: skip
    toggle["failed"].click()
    assert listed() == ["broken"]
    error = driver.find_element("css selector", "#article-error").text
    assert error == "DocumentError: broken.txt: the article is empty"
    toggle["failed"].click()
    toggle["ungrounded"].click()
    assert listed() == [ungrounded.doc_id]
    marked = driver.find_element("css selector", "#panel li.ungrounded")
    assert marked.find_element("css selector", "code").text == "city"
    assert "ungrounded" in marked.text
    toggle["ungrounded"].click()
    toggle["empty"].click()
    assert listed() == [empty.doc_id]
    toggle["empty"].click()
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "filter-field")).select_by_visible_text("people.age")
    ages = sorted(d for d in listed())
    assert ages == sorted(x.doc_id for x in [good[0], ungrounded] if any(".age" in p for p in x.evidence))  # fmt: skip
    driver.find_element("id", "filter-value").send_keys("no such value")
    assert listed() == []


def test_eval_view_numbers_equal_the_json_report_and_diffs_open_the_article(
    driver: Any, tmp_path: Path
):
    report_path = eval_report(tmp_path)
    report = json.loads(report_path.read_text())
    load(driver, view(report_path, tmp_path / "eval.html"))
    rows = driver.find_elements("css selector", "#field-table tbody tr")
    assert [r.get_attribute("data-field") for r in rows] == list(report["fields"])
    for row in rows:
        numbers = report["fields"][row.get_attribute("data-field")]
        for cell in row.find_elements("css selector", "td[data-col]"):
            expected = numbers[cell.get_attribute("data-col")]
            shown = cell.text
            if isinstance(expected, float):
                assert shown == f"{expected:.3f}"
            else:
                assert shown == ("–" if expected is None else str(expected))
    micro = driver.find_element("css selector", "[data-stat=micro-f1]").text
    assert micro == f"{report['micro']['f1']:.3f}"

    quoted = next(d for d in report["diffs"] if d["quote"])
    field_diffs = [d for d in report["diffs"] if d["field"] == quoted["field"]]
    driver.find_element("css selector", f"#field-table tr[data-field='{quoted['field']}']").click()
    items = driver.find_elements("css selector", "#diff-list li[data-doc]")
    assert len(items) == len(field_diffs)
    index = field_diffs.index(quoted)
    items[index].click()
    shown = {
        role: driver.find_element("css selector", f"#gold-vs-predicted [data-role={role}]").text
        for role in ("gold", "predicted", "outcome")
    }
    assert shown["outcome"] == quoted["outcome"]
    assert shown["gold"] == as_shown(quoted["gold"])
    assert shown["predicted"] == as_shown(quoted["predicted"])
    assert normalise(marked_text(driver)[0]) == normalise(quoted["quote"])


def test_compare_view_columns_tests_and_worklist_export(driver: Any, tmp_path: Path):
    report_path = compare_report(tmp_path)
    report = json.loads(report_path.read_text())
    load(driver, view(report_path, tmp_path / "compare.html"))
    labels = [s["label"] for s in report["sides"]]
    head = driver.find_elements("css selector", "#sides-table thead th")
    assert [h.text for h in head[1:]] == labels
    pair = report["pairs"][0]
    for row in driver.find_elements("css selector", "#field-table tbody tr"):
        name = row.get_attribute("data-field")
        f1s = [c.text for c in row.find_elements("css selector", "td[data-col=f1]")]
        assert f1s == [("–" if s["fields_f1"][name] is None else f"{s['fields_f1'][name]:.3f}") for s in report["sides"]]  # fmt: skip
        test = pair["fields"][name]
        delta = row.find_element("css selector", "td[data-col=delta]").text
        assert delta == ("–" if test["delta"] is None else f"{test['delta']:+.3f}")
        p = row.find_element("css selector", "td[data-col=p]").text
        assert p == ("–" if test["p_value"] is None else f"{test['p_value']:.3f}")
    ci = driver.find_element("css selector", "#pairs-table tbody").text
    assert f"[{pair['ci_low']:.3f}, {pair['ci_high']:.3f}]" in ci

    rows = driver.find_elements("css selector", "#worklist tbody tr")
    assert len(rows) == len(report["disagreements"])
    # the first row's article opens with the first side's evidence highlighted
    rows[0].click()
    first = report["disagreements"][0]
    quotes = [
        q.text for q in rows[0].find_elements("css selector", f"td[data-side='{labels[0]}'] q")
    ]
    assert quotes, "the rules side's evidence is shown"
    assert [normalise(t) for t in marked_text(driver).values()] == [normalise(q) for q in quotes]

    from selenium.webdriver.support.ui import Select, WebDriverWait

    Select(driver.find_element("id", "worklist-field")).select_by_visible_text(first["field"])
    wanted = [d for d in report["disagreements"] if d["field"] == first["field"]]
    assert len(driver.find_elements("css selector", "#worklist tbody tr")) == len(wanted)
    driver.find_element("id", "export-jsonl").click()
    target = driver.downloads / "worklist.jsonl"
    WebDriverWait(driver, 10).until(lambda _: target.exists() and target.stat().st_size > 0)
    exported = [json.loads(x) for x in target.read_text().splitlines()]
    assert [(e["doc_id"], e["field"], e["values"]) for e in exported] == [
        (d["doc_id"], d["field"], d["values"]) for d in wanted
    ]
    assert all(e["evidence"][labels[0]] for e in exported if e["values"].get(labels[0]))


HOSTILE = (
    "Officers shot a man in Springfield, Illinois on Tuesday, police said.\n\n"
    '<script>window.__pwned = 1; document.title = "pwned";</script></article></main>'
    '<img src=x onerror="window.__pwned = 2"><style>body{display:none}</style>\n\n'
    "The man was taken to a hospital."
)


def test_hostile_article_renders_as_text_and_runs_nothing(driver: Any, tmp_path: Path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "evil.txt").write_text(HOSTILE)
    out = tmp_path / "evil.jsonl"
    from tests.view_fixtures import cli

    cli("run", str(folder), "-o", str(out), "--model", "rules")
    line = PredictionLine.from_json(out.read_text())
    line.evidence["city"] = line.evidence["city"].model_copy(update={"quote": "</script>"})
    out.write_text(line.to_json() + "\n")
    page = view(out, tmp_path / "evil.html", folder)
    html = page.read_text()
    assert html.count("</script>") == 2  # the data block's and the script's own closing tags
    load(driver, page)
    assert driver.title == f"Run: {out}"
    assert driver.execute_script("return window.__pwned === undefined")
    assert len(driver.find_elements("css selector", "script")) == 2
    assert driver.find_elements("css selector", "#doc img, #doc style, #doc script") == []
    text = driver.find_element("css selector", "#doc .text").get_attribute("textContent")
    assert "<script>window.__pwned = 1;" in text and "</article></main><img src=x" in text
    # the layout holds: the value panel is still beside the article, inside the same section
    panel = driver.find_element("css selector", ".browser > #panel")
    assert panel.is_displayed() and panel.rect["x"] > driver.find_element("id", "doc").rect["x"]
    quotes = [q.text for q in driver.find_elements("css selector", "#panel blockquote")]
    assert "</script>" in quotes  # model text is shown as text too


def test_every_value_shows_its_quote_also_when_the_article_text_is_missing(
    driver: Any, tmp_path: Path
):
    # the page stores a quote as a span of the text when it can: without the text, it must not
    predictions = seed_run(tmp_path)
    lines = {
        x.doc_id: x for x in map(PredictionLine.from_json, predictions.read_text().splitlines())
    }
    for name, folders in (("with-text", ARTICLES), ("without-text", [tmp_path / "empty"])):
        (tmp_path / "empty").mkdir(exist_ok=True)
        load(driver, view(predictions, tmp_path / f"{name}.html", *folders))
        for doc_id, line in sorted(lines.items()):
            driver.find_element("css selector", f"#article-list li[data-doc='{doc_id}']").click()
            shown = {
                item.find_element("css selector", "code").text: item.find_element(
                    "css selector", "blockquote"
                ).text
                for item in driver.find_elements("css selector", "#panel li[data-span]")
            }
            assert shown == {path: e.quote for path, e in line.evidence.items()}, (name, doc_id)
