"""The label app over real HTTP on 127.0.0.1: who may talk to it, drafts, saving, the worklist."""

from __future__ import annotations

import http.client
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import ConfigError, GoldFileError
from extractor.label import INSTALL, LabelServer, LabelSession, require_extra
from tests.label_fixtures import DOC, REPO, SEEDS, write_runs

GUIDELINES = REPO / "evals" / "GUIDELINES.md"


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    return write_runs(tmp_path)


@pytest.fixture
def server(tmp_path: Path, runs: tuple[Path, Path]) -> Any:
    session = LabelSession(
        [SEEDS], tmp_path / "gold", sources=[str(p) for p in runs], guidelines=GUIDELINES
    )
    with LabelServer(session) as running:
        yield running


def request(
    server: LabelServer, method: str, path: str, body: Any = None, **headers: str
) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers.setdefault("Host", f"127.0.0.1:{server.port}")
    payload = None if body is None else json.dumps(body)
    if payload is not None:
        headers.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def state(server: LabelServer) -> dict[str, Any]:
    status, text = request(server, "GET", f"/api/article/{DOC}")
    assert status == 200
    loaded: dict[str, Any] = json.loads(text)["state"]
    return loaded


def test_binds_to_loopback_only(server: LabelServer) -> None:
    assert server.socket.getsockname()[0] == "127.0.0.1"


def test_a_foreign_host_is_refused(server: LabelServer) -> None:
    """A page on another name that resolves here (DNS rebinding) gets nothing."""
    status, text = request(server, "GET", "/api/worklist", Host=f"attacker.example:{server.port}")
    assert status == 403 and "Host 'attacker.example" in text
    assert request(server, "GET", "/api/worklist", Host=f"localhost:{server.port}")[0] == 200


def test_another_tab_cannot_write(server: LabelServer, tmp_path: Path) -> None:
    body = state(server)
    status, text = request(
        server, "PUT", f"/api/draft/{DOC}", body, Origin="http://attacker.example"
    )
    assert status == 403 and "Origin" in text
    status, _ = request(
        server, "POST", f"/api/gold/{DOC}", body, **{"Sec-Fetch-Site": "cross-site"}
    )
    assert status == 403
    status, _ = request(server, "PUT", f"/api/draft/{DOC}", body, **{"Content-Type": "text/plain"})
    assert status == 403  # a cross-site form can only send text/plain or form data
    assert not (tmp_path / "gold" / ".drafts").exists()
    own = f"http://127.0.0.1:{server.port}"
    assert request(server, "PUT", f"/api/draft/{DOC}", body, Origin=own)[0] == 200
    assert (tmp_path / "gold" / ".drafts" / f"{DOC}.json").is_file()


def test_a_draft_survives_a_restart(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    def session() -> LabelSession:
        return LabelSession([SEEDS], tmp_path / "gold", sources=[str(p) for p in runs])

    with LabelServer(session()) as first:
        body = state(first)
        body["fields"]["arrests"].update(value=5, status="edited")
        assert request(first, "PUT", f"/api/draft/{DOC}", body)[0] == 200
    with LabelServer(session()) as second:
        status, text = request(second, "GET", f"/api/article/{DOC}")
        assert status == 200
        article = json.loads(text)
    assert article["origin"] == "draft"
    assert article["state"]["fields"]["arrests"] == body["fields"]["arrests"]


def test_saving_refuses_undecided_fields_and_bad_values(
    server: LabelServer, tmp_path: Path
) -> None:
    body = state(server)
    status, text = request(server, "POST", f"/api/gold/{DOC}", body)
    assert status == 422
    error = json.loads(text)
    assert "3 field(s) still undecided: incident_time, arrests, people[0].gender" in error["error"]
    for entry in (body["fields"]["incident_time"], body["fields"]["arrests"]):
        entry["status"] = "accepted"
    body["people"][0]["fields"]["gender"]["status"] = "accepted"
    body["people"][0]["fields"]["age"].update(value=430, status="edited")
    body["summary"] = "A summary."
    status, text = request(server, "POST", f"/api/gold/{DOC}", body)
    assert status == 422 and "record.people[0].age" in json.loads(text)["error"]
    assert not (tmp_path / "gold" / f"{DOC}.json").exists()
    body["people"][0]["fields"]["age"]["value"] = 43
    body["notes"] = " "
    status, text = request(server, "POST", f"/api/gold/{DOC}", body)
    assert status == 422 and "'notes' is empty" in json.loads(text)["error"]
    body["notes"] = "Age from the second paragraph."
    body["alternatives"] = {"people[3].age": [40]}
    status, text = request(server, "POST", f"/api/gold/{DOC}", body)
    assert status == 422 and "people[3]" in json.loads(text)["error"]
    body["alternatives"] = {"arrests": [1]}
    status, text = request(server, "POST", f"/api/gold/{DOC}", body)
    assert status == 200, text
    saved = json.loads((tmp_path / "gold" / f"{DOC}.json").read_text(encoding="utf-8"))
    assert list(saved) == ["doc_id", "record", "alternatives", "notes"]
    assert saved["record"]["people"][0]["age"] == 43 and saved["alternatives"] == {"arrests": [1]}


def test_worklist_order(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    """No gold first; then gold the runs disagree on; then the rest, lowest confidence first."""
    gold = tmp_path / "gold"
    gold.mkdir()
    for doc_id in ("000_da9441d524ed042a", "001_d8457e1c72a139c8", "002_05d79c17f497fcab"):
        shutil.copy(REPO / "evals" / "gold" / f"{doc_id}.json", gold)
    (gold / "002_05d79c17f497fcab.json").unlink()
    rules, other = runs
    lines = [json.loads(t) for t in rules.read_text(encoding="utf-8").splitlines()]
    lines[1]["confidence"] = {"city": 0.4}  # 001: a field the runs agree on, but doubtfully
    rules.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    session = LabelSession([SEEDS], gold, sources=[str(rules), str(other)])
    order = [
        (w["doc_id"][:3], w["gold"], w["disagreements"], w["confidence"]) for w in session.worklist
    ]
    assert order == [
        ("002", False, [], 1.0),  # no line carries confidence: the runs agree on all
        ("000", True, ["arrests", "incident_time", "people.gender"], 0.5),  # 1 of 2
        ("001", True, [], 0.4),
    ]


def test_guidelines_are_served_at_each_fields_section(server: LabelServer) -> None:
    status, page = request(server, "GET", "/")
    assert status == 200 and "guidelines" in page
    status, guidelines = request(server, "GET", "/guidelines")
    assert status == 200 and '<h2 id="people">People</h2>' in guidelines


def test_a_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    with pytest.raises(ConfigError) as caught:
        require_extra()
    assert caught.value.hint == f"install the label extra: {INSTALL}"
    result = CliRunner().invoke(app, ["label", str(SEEDS), "--gold", "g", "--no-open"])
    assert result.exit_code == 2
    assert "pip install 'extractor[label]'" in result.output


def test_cli_names_a_bad_source(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["label", str(SEEDS), "--gold", str(tmp_path), "--from", "nope.jsonl", "--no-open"]
    )
    assert result.exit_code == 2
    assert "error: no run matches 'nope.jsonl' in " in result.output


def test_doc_ids_cannot_escape_the_gold_folder(tmp_path: Path) -> None:
    session = LabelSession([SEEDS], tmp_path / "gold")
    with pytest.raises(GoldFileError):
        session.store.gold_path("../evil")
