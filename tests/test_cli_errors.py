"""The CLI answers bad input with a clear error and goes on: no traceback, no lost line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from broadsheet.cli import app
from broadsheet.jobs import analyze as analyze_module

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "BROADSHEET_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "BROADSHEET_DATA_DIR": str(tmp_path),
        "BROADSHEET_SECRET_KEY": "test",
        "BROADSHEET_NLP_PROCESSES": "0",
    }


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi", "example.com/feed"]
)
def test_add_source_refuses_what_is_not_a_web_address(env: dict[str, str], url: str) -> None:
    result = runner.invoke(app, ["add-source", url], env=env)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "urls:" in " ".join(result.output.split())


def test_analyze_reports_each_bad_line_and_analyses_the_rest(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        b'["not", "an", "object"]',
        b'{"id": "latin", "text": "caf\xe9"}',
        b"[" * 100_000 + b"]" * 100_000,
        b"{not json",
        json.dumps({"id": "ok", "title": "Harbour", "text": "The harbour board met."}).encode(),
    ]
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", "--jsonl", str(source), "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [w.get("line") for w in written[:4]] == [1, 2, 3, 4]
    assert all("error" in w for w in written[:4])
    assert "not a JSON object" in written[0]["error"] and "UTF-8" in written[1]["error"]
    assert written[4]["id"] == "ok" and "error" not in written[4]


def test_analyze_missing_input_and_unwritable_output_are_clear_errors(
    env: dict[str, str], tmp_path: Path
) -> None:
    missing = runner.invoke(
        app, ["analyze", "--jsonl", str(tmp_path / "nope.jsonl"), "--out", "x"], env=env
    )
    assert missing.exit_code == 2 and "no such input file" in " ".join(missing.output.split())
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "x"}\n')
    blocked = runner.invoke(
        app, ["analyze", "--jsonl", str(source), "--out", str(tmp_path / "no" / "out")], env=env
    )
    assert blocked.exit_code == 2 and "cannot write" in " ".join(blocked.output.split())


def test_analyze_refuses_a_line_too_long_to_hold_and_reads_the_next(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyze_module, "MAX_LINE_BYTES", 1000)
    source = tmp_path / "in.jsonl"
    huge = json.dumps({"id": "huge", "text": "word " * 5000}).encode()
    ok = json.dumps({"id": "ok", "text": "The harbour board met."}).encode()
    source.write_bytes(huge + b"\n" + ok + b"\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", "--jsonl", str(source), "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert written[0] == {"id": None, "line": 1, "error": "line longer than 1000 bytes"}
    assert written[1]["id"] == "ok" and "error" not in written[1]
