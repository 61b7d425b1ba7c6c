"""`extractor view SOURCE`: what the source is, told by content, and what the page embeds."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from extractor.store import RunStore
from tests.view_fixtures import ARTICLES, seed_run, view

runner = CliRunner()


def test_a_run_id_views_the_stored_run_with_its_own_inputs(tmp_path: Path):
    seed_run(tmp_path)
    with RunStore() as store:
        run_id = store.runs(1)[0].run_id
    out = tmp_path / "run.html"
    result = runner.invoke(app, ["view", run_id[:15], "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "run view written to" in result.output
    html = out.read_text()
    assert f"<title>Run {run_id}</title>" in html
    assert 'id="missing-texts"' not in html  # the run's recorded inputs still hold every text


def test_a_missing_article_text_is_said_on_the_page(tmp_path: Path):
    page = view(seed_run(tmp_path), tmp_path / "run.html", tmp_path)  # no articles under tmp_path
    assert '<p class="warn" id="missing-texts">3 article text(s) not found' in page.read_text()


def test_a_file_that_is_none_of_the_sources_is_one_line_naming_it(tmp_path: Path):
    for name, content in [("notes.json", '{"hello": 1}'), ("list.json", "[1, 2]"), ("x.txt", "hi")]:
        path = tmp_path / name
        path.write_text(content)
        result = runner.invoke(app, ["view", str(path), "-o", str(tmp_path / "o.html")])
        assert result.exit_code == 1
        first = result.output.splitlines()[0]
        assert first == f"error: {path}: not a predictions file, an eval report or a compare report"
        assert not (tmp_path / "o.html").exists()


def test_an_unknown_run_id_is_one_line(tmp_path: Path):
    result = runner.invoke(app, ["view", "20990101-nope", "-o", str(tmp_path / "o.html")])
    assert result.exit_code == 2
    assert result.output.startswith("error: no run matches '20990101-nope' in ")


def test_a_malformed_predictions_line_is_named_by_number(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    good = seed_run(tmp_path).read_text().splitlines()[0]
    path.write_text(good + "\n" + '{"doc_id": "x"}\n')
    result = runner.invoke(app, ["view", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {path}:2: not a valid prediction line")


def test_the_embedded_data_cannot_close_its_script_block(tmp_path: Path):
    lines = seed_run(tmp_path).read_text().splitlines()
    line = json.loads(lines[0])
    line["evidence"]["city"]["quote"] = "</script><script>alert(1)</script>"
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(line) + "\n")
    html = view(path, tmp_path / "x.html", *ARTICLES).read_text()
    data = html.split('<script type="application/json" id="view-data">', 1)[1].split("</script>")[0]
    article = json.loads(data)["articles"][0]
    assert article["values"][1]["q"] == "</script><script>alert(1)</script>"
    assert "alert(1)" not in html.replace(data, "")


def _data(page: Path) -> dict:
    html = page.read_text()
    return json.loads(html.split('id="view-data">', 1)[1].split("</script>")[0])


def test_eval_and_compare_html_write_the_page_view_makes_from_their_json(tmp_path: Path):
    from tests.view_fixtures import GOLD, cli

    articles = [arg for path in ARTICLES for arg in ("--articles", str(path))]
    common = [*articles, "--gold", str(GOLD)]
    cli("eval", "--model", "rules", *common, "--json", str(tmp_path / "e.json"), "--html", str(tmp_path / "e.html"))  # fmt: skip
    viewed = view(tmp_path / "e.json", tmp_path / "e-view.html")
    assert _data(tmp_path / "e.html") == _data(viewed)
    assert _data(viewed)["diffs"]

    seed_run(tmp_path)
    with RunStore() as store:
        run_id = next(r.run_id for r in store.runs() if r.kind == "run")
    cli("compare", "rules", run_id, *common, "--json", str(tmp_path / "c.json"), "--html", str(tmp_path / "c.html"))  # fmt: skip
    viewed = view(tmp_path / "c.json", tmp_path / "c-view.html")
    assert _data(tmp_path / "c.html") == _data(viewed)
    assert any(item["evidence"]["rules"] for item in _data(viewed)["worklist"])


def test_the_run_page_embeds_each_quote_once_as_a_span_of_its_article(tmp_path: Path):
    predictions = seed_run(tmp_path)
    lines = [json.loads(x) for x in predictions.read_text().splitlines()]
    data = _data(view(predictions, tmp_path / "run.html", *ARTICLES))
    by_id = {a["doc_id"]: a for a in data["articles"]}
    for line in lines:
        article = by_id[line["doc_id"]]
        for value in article["values"]:
            evidence = line["evidence"][value["p"]]
            assert "q" not in value, value  # the rules quote exactly, so the span says it all
            assert article["text"][value["s"] : value["e"]] == evidence["quote"]
