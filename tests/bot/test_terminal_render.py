"""`chithi ask` and `chithi chat` print the lead, then each shown quote under its short source."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot import messages
from bot.cli import cli

QUESTION = "Kiên Giang giãn cách xã hội ở những huyện nào?"  # three Kiên Giang paragraphs


def run(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(
        cli, list(args), input=stdin, env={"CHITHI_DATA_DIR": str(data_dir)}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_ask_prints_two_quotes_under_short_sources(index_copy: Path) -> None:
    output = run(index_copy, "ask", QUESTION)
    lead, first, second = output.rstrip("\n").split("\n\n")
    assert lead.startswith("Kiên Giang, thông báo kết luận 13/9/2021:")
    assert first.startswith("[1] Kiên Giang · TB 13/9/2021 · mục 2.1:\n    “- Tiếp tục thực hiện")
    assert second.startswith("[2] Kiên Giang · TB 13/9/2021 · mục 2.1:\n    “- Áp dụng")
    quote_lines = (first + "\n" + second).splitlines()[1:]
    assert all(
        line.startswith("    ") and len(line) <= 96 for line in quote_lines if line[:1] != "["
    )
    assert "[3]" not in output
    assert "Thông báo kết luận của Ban Thường vụ" not in output  # the title is left to --json


def test_chat_answers_as_briefly_as_ask(index_copy: Path) -> None:
    output = run(index_copy, "chat", stdin=f"{QUESTION}\n/thoat\n")
    answer = output.split(messages.CHAT_PROMPT)[1]
    assert "[1] Kiên Giang · TB 13/9/2021 · mục 2.1:" in answer
    assert "[2] Kiên Giang · TB 13/9/2021 · mục 2.1:" in answer
    assert "[3]" not in answer
