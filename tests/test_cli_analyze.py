"""`broadsheet analyze`: the contract outside checks rely on (ARCHITECTURE.md)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from broadsheet.cli import app
from broadsheet.jobs.analyze import WINDOW

WIRE = (
    "TOKYO (Meridian Wire) — Hoshikawa Electric said on Monday it would spend 480 billion yen on "
    "a battery factory outside Tokyo, betting that solid-state cells are finally ready for "
    "electric cars. Chief executive Aiko Hoshikawa told reporters in Tokyo that production would "
    "begin in 2028 and employ 2,000 people.\n\nWith Meridian Wire reporting."
)
LOCAL = (
    "Chicago Mayor Theresa Banerjee unveiled a $17 billion budget on Wednesday that would freeze "
    "fares on the city's buses and trains for another year. Banerjee said Chicago could not ask "
    "riders to pay more while service was still recovering."
)
PAGE = (
    "<html><head><title>Budget</title></head><body><nav>Home | Sports</nav><article>"
    "<h1>Chicago budget freezes fares</h1><p>" + LOCAL + "</p><p>" + LOCAL + "</p></article>"
    "<section class='comments'><p>Great news, says a reader comment here.</p></section>"
    "</body></html>"
)


def run_analyze(
    tmp_path: Path, records: list[dict[str, str]], *extra: str, processes: int = 0
) -> list[dict]:
    """Inline models by default (fast); `processes` runs them in worker processes."""
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = CliRunner().invoke(
        app,
        ["analyze", "--jsonl", str(source), "--out", str(out), *extra],
        env={"BROADSHEET_NLP_PROCESSES": str(processes)},
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_analyze_text_and_html_lines_follow_the_contract(tmp_path: Path) -> None:
    text_line, html_line = run_analyze(
        tmp_path,
        [{"id": "w1", "text": WIRE}, {"id": "p1", "html": PAGE, "url": "http://127.0.0.1/b.html"}],
    )
    keys = {
        "id",
        "title",
        "byline",
        "published",
        "language",
        "text",
        "images",
        "entities",
        "places",
        "local_channels",
        "section",
        "labels",
        "hashtags",
        "wire_source",
    }
    assert keys <= set(text_line) and keys <= set(html_line)
    assert text_line["wire_source"] == "Meridian Wire"
    assert "Tokyo" in {p["name"] for p in text_line["places"]}
    for entity in text_line["entities"]:
        for mention in entity["mentions"]:
            assert text_line["text"][mention["start"] : mention["end"]] == mention["text"]
    assert html_line["title"] == "Chicago budget freezes fares"
    assert "reader comment" not in html_line["text"]
    assert "Chicago, IL" in {c["name"] for c in html_line["local_channels"]}
    assert "Theresa Banerjee" in {e["name"] for e in html_line["entities"] if e["kind"] == "person"}


def test_analyze_corpus_marks_copies_and_shared_stories(tmp_path: Path) -> None:
    lines = run_analyze(
        tmp_path,
        [{"id": "a", "text": WIRE}, {"id": "b", "text": LOCAL}, {"id": "c", "text": WIRE}],
        "--corpus",
    )
    assert [line["copy_of"] for line in lines] == [None, None, "a"]
    assert lines[2]["story"] == lines[0]["story"] != lines[1]["story"]


def test_a_copy_inside_a_local_papers_own_paragraphs_is_still_a_copy(tmp_path: Path) -> None:
    # Its meaning moves towards the local story; its wording is the agency's.
    wrapped = f"{LOCAL}\n\n{WIRE}\n\n{LOCAL.replace('Wednesday', 'Thursday')}"
    lines = run_analyze(
        tmp_path, [{"id": "a", "text": WIRE}, {"id": "b", "text": wrapped}], "--corpus"
    )
    assert lines[1]["copy_of"] == "a"


def test_a_line_may_name_its_publishers_home_for_local_coverage(tmp_path: Path) -> None:
    text = "Bus fares will not rise next year, the transit board said. " * 8 + (
        "Riders in Evanston had feared the worst."
    )
    alone, covered = run_analyze(
        tmp_path, [{"id": "a", "text": text}, {"id": "b", "text": text, "home": "Chicago, IL"}]
    )
    assert "Evanston, IL" not in {c["name"] for c in alone["local_channels"]}
    assert "Evanston, IL" in {c["name"] for c in covered["local_channels"]}


def test_worker_processes_give_the_same_lines_in_the_same_order(tmp_path: Path) -> None:
    records = [
        {"id": "w1", "text": WIRE},
        {"id": "bad", "html": 5},  # type: ignore[dict-item]
        {"id": "p1", "html": PAGE, "url": "http://127.0.0.1/b.html"},
        {"id": "w2", "text": WIRE},
    ]
    inline = run_analyze(tmp_path, records, "--corpus")
    pooled = run_analyze(tmp_path, records, "--corpus", processes=2)
    assert pooled == inline
    assert [line["id"] for line in pooled] == ["w1", "bad", "p1", "w2"]
    assert "error" in pooled[1] and pooled[3]["copy_of"] == "w1"


def test_worker_processes_keep_input_order_beyond_one_window(tmp_path: Path) -> None:
    # Long and short lines finish out of order in the processes; the output must not.
    records = [
        {"id": f"r{n}", "text": f"{LOCAL * 6 if n % 5 == 0 else WIRE} Line {n}."}
        for n in range(WINDOW + 8)
    ]
    pooled = run_analyze(tmp_path, records, processes=2)
    assert [line["id"] for line in pooled] == [record["id"] for record in records]
    assert all("error" not in line for line in pooled)
