"""The house rules a newcomer can rely on: no module over 600 lines, no function over 60 code lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"
MAX_MODULE_LINES = 600
MAX_FUNCTION_CODE_LINES = 60


def code_lines(source: str, node: ast.AST) -> int:
    """Lines of a function that are neither blank, nor comments, nor its docstring."""
    first = node.body[0]
    doc = set()
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        doc = set(range(first.lineno, first.end_lineno + 1))
    lines = source.splitlines()[node.lineno - 1 : node.end_lineno]
    return sum(
        1
        for number, line in enumerate(lines, start=node.lineno)
        if line.strip() and not line.strip().startswith("#") and number not in doc
    )


def test_code_lines_counts_only_code():
    source = 'def f():\n    """Doc\n    string."""\n    # why\n\n    return 1\n'
    assert code_lines(source, ast.parse(source).body[0]) == 2


def test_no_module_or_function_is_too_long():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(PACKAGE.parent)
        if len(source.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{name}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = code_lines(source, node)
                if n > MAX_FUNCTION_CODE_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}: {n} code lines")
    assert not too_long, "\n".join(too_long)
