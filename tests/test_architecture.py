"""The import rules of docs/architecture.md, checked on the source (part of `make check`).

- Packages: bot → retrieval → {prompts, vectorstore}; nothing imports bot.
- Inside retrieval, stages import only earlier stages:
  text → parse → index → search → answer → llm → evaluation (types and errors: everyone).
- A package's internals stay behind its `__init__`: from outside a (sub)package, import only
  the names in its `__all__`, never one of its modules; nobody imports another module's
  private (`_name`) names.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "retrieval", "vectorstore", "prompts")
ALLOWED_PACKAGES = {
    "bot": {"bot", "retrieval", "vectorstore", "prompts"},
    "retrieval": {"retrieval", "vectorstore", "prompts"},
    "vectorstore": {"vectorstore"},
    "prompts": {"prompts"},
}
STAGES = ("text", "parse", "index", "search", "answer", "llm", "evaluation")
SHARED = ("types", "errors")  # value objects and errors every stage may use


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            yield ".".join(p for p in parts if p != "__init__"), path


def _imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module imported from, names) for every import, function-level ones too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []


def _is_package(module: str) -> bool:
    return (REPO / module.replace(".", "/") / "__init__.py").is_file()


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "retrieval" and len(parts) > 1 else None


def _violations() -> list[str]:
    found = []
    for module, path in _modules():
        package = module.split(".")[0]
        here = module if _is_package(module) else module.rpartition(".")[0]
        for line, target, names in _imports(path):
            where = f"{path.relative_to(REPO)}:{line} imports {target}"
            top = target.split(".")[0]
            if top not in PACKAGES:
                continue
            if top not in ALLOWED_PACKAGES[package]:
                found.append(f"{where}: {package} may not import {top}")
            mine, theirs = _stage(module), _stage(target)
            if mine in STAGES and theirs in STAGES and STAGES.index(theirs) > STAGES.index(mine):
                found.append(f"{where}: stage {mine} may not import the later stage {theirs}")
            # Reaching into another package's module instead of its __init__'s names.
            parent = target.rpartition(".")[0]
            inside = here == parent or here.startswith(parent + ".")
            if not _is_package(target) and _is_package(parent) and not inside:
                found.append(f"{where}: import from {parent}'s __all__, not its modules")
            if _is_package(target) and target != here and not here.startswith(target + "."):
                public = set(getattr(importlib.import_module(target), "__all__", ()))
                hidden = [n for n in names if n not in public and not _is_package(f"{target}.{n}")]
                if hidden:
                    found.append(f"{where}: {hidden} not in {target}.__all__")
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            if private:
                found.append(f"{where}: private names {private}")
    return found


def test_imports_follow_the_pipeline() -> None:
    assert _violations() == []


def test_every_package_says_what_it_is_and_lists_its_names() -> None:
    for module, path in _modules():
        if path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{module} has no docstring"
        if module.count(".") >= 1 or module == "retrieval":
            assert "__all__" in path.read_text(encoding="utf-8"), f"{module} has no __all__"


@pytest.mark.parametrize(
    ("importer", "target", "why"),
    [
        ("retrieval/text/tokens.py", "from retrieval.answer import Answerer", "later stage"),
        ("retrieval/search/query.py", "from retrieval.index.library import Library", "a module"),
        ("vectorstore/errors.py", "from retrieval import Library", "package"),
        ("retrieval/answer/compose.py", "from retrieval.text.normalize import _FOLD", "private"),
        ("bot/cli.py", "from retrieval.errors import LLMError", "a top-level module"),
    ],
)
def test_the_check_catches_a_wrong_import(
    importer: str, target: str, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule is not vacuous: each kind of wrong import is reported."""
    path = REPO / importer
    original = path.read_text(encoding="utf-8")
    real_read = Path.read_text

    def read_with_extra_import(self: Path, *args: object, **kwargs: object) -> str:
        text = real_read(self, *args, **kwargs)  # type: ignore[arg-type]
        return text + f"\n{target}\n" if self == path else text

    monkeypatch.setattr(Path, "read_text", read_with_extra_import)
    problems = [p for p in _violations() if importer in p]
    assert problems, f"{why}: {target} in {importer} was not reported"
    assert path.read_text(encoding="utf-8") != original  # the patch was in effect
