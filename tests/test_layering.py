"""The import layering of docs/dev/ARCHITECTURE.md holds: no module of
slimkeras imports from a package on a higher level (read from the source,
so lazy imports inside functions count too)."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
LEVEL = {
    # 1 foundations
    "activations": 1, "initializers": 1, "backend_ops": 1, "patterns": 1,
    "naming": 1, "scopes": 1, "not_ported": 1,
    # 2 variables and regularizers
    "regularizers": 2, "variables": 2, "utils": 2,
    # 3 layers and models
    "layers": 3, "model": 3, "model_summary": 3, "losses": 3, "metrics": 3,
    # 4 checkpoints
    "checkpoints": 4,
    # 5 nets
    "nets": 5, "inference": 5, "mixed_precision": 5,
    # 6 data
    "data": 6, "datasets": 6, "preprocessing": 6,
    # 7 training, evaluation, export
    "learning": 7, "evaluation": 7, "export": 7,
    # 8 programs
    "cli": 8, "__main__": 8,
}


def _imports(path: pathlib.Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module.split(".")[0] == "slimkeras"):
            parts = node.module.split(".")
            names = [parts[1]] if len(parts) > 1 else [
                a.name for a in node.names]
            yield from ((n, node.lineno) for n in names)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("slimkeras."):
                    yield a.name.split(".")[1], node.lineno


def test_every_package_has_a_level_and_the_page_names_it():
    page = (ROOT / "docs" / "dev" / "ARCHITECTURE.md").read_text()
    found = {p.stem if p.is_file() else p.name
             for p in (ROOT / "slimkeras").iterdir()
             if (p.suffix == ".py" and p.stem != "__init__")
             or (p.is_dir() and (p / "__init__.py").exists())}
    assert found == set(LEVEL), (found ^ set(LEVEL))
    unnamed = [n for n in LEVEL if f"`{n}" not in page]
    assert not unnamed, unnamed


def test_no_import_goes_up_a_level():
    upward = []
    for path in (ROOT / "slimkeras").rglob("*.py"):
        rel = path.relative_to(ROOT / "slimkeras")
        unit = rel.parts[0].removesuffix(".py")
        if unit == "__init__":
            continue  # the top-level package re-exports everything
        for target, line in _imports(path):
            if target != unit and LEVEL[target] > LEVEL[unit]:
                upward.append(f"slimkeras/{rel}:{line}: {unit} (level "
                              f"{LEVEL[unit]}) imports {target} (level "
                              f"{LEVEL[target]})")
    assert not upward, "\n".join(upward)
