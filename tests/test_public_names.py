"""Issue 26, item 8: what notebooks and other modules import from a module is in its ``__all__``.

``__all__`` is the module's public interface: what the notebooks (the readers' code) and the other
modules may rely on. A notebook importing a name its module does not list relies on an internal
that may change without notice; so does a module reaching into a sibling's internals, except for
the underscored helpers listed in ``PRIVATE_SHARED`` below, each with the reason it is shared.
"""

from __future__ import annotations

import ast
import importlib
import json

import pytest

from evaluation.paths import NOTEBOOKS, ROOT

SRC = ROOT / "src" / "evaluation"

# Underscored helpers imported across packages on purpose, with the reason beside each. Within one
# package (evaluation.dataset's readers and rules, evaluation.survival's estimators and models) the
# modules share their underscored helpers freely: a package is one unit whose __init__ says what
# it offers, and the layers contract (pyproject.toml) keeps those imports one-way.
PRIVATE_SHARED: dict[tuple[str, str], str] = {}


def _same_package(importer: str, module: str) -> bool:
    parent = module.rpartition(".")[0]
    return parent != "evaluation" and (importer == parent or importer.startswith(parent + "."))


def _imports(tree: ast.AST, package: str | None = None) -> list[tuple[str, str, int]]:
    """(module, name, line) of every ``from module import name``; relative imports resolved
    against ``package`` (the importing module's package)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        if module == "evaluation" or module.startswith("evaluation."):
            found += [(module, alias.name, node.lineno) for alias in node.names]
    return found


def _public(module: str) -> set[str] | None:
    return getattr(importlib.import_module(module), "__all__", None)


def _notebook_imports() -> list[tuple[str, str, str, int]]:
    found = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for number, cell in enumerate(cells, start=1):
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                found += [(f"{path.name}, cell {number}", m, n, line) for m, n, line in _imports(ast.parse(source))]
    return found


def _module_imports() -> list[tuple[str, str, str, int, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        package = ".".join(parts if parts[-1] == "__init__" else parts[:-1])
        package = package.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [(str(path.relative_to(ROOT)), m, n, line, package) for m, n, line in _imports(tree, package)]
    return found


def test_the_notebooks_import_something():
    # the check below would pass on notebooks whose imports it failed to find
    assert {module for _, module, _, _ in _notebook_imports()} >= {
        "evaluation.notebook",
        "evaluation.sectors",
        "evaluation.counterfactual",
    }


def test_notebooks_import_only_public_names():
    wrong = [
        f"{where}, line {line}: {name} is not in {module}.__all__"
        for where, module, name, line in _notebook_imports()
        if name not in (_public(module) or ())
    ]
    assert not wrong, "add each name to its module's __all__ or stop importing it:\n" + "\n".join(wrong)


def test_modules_import_only_public_names_of_their_siblings():
    wrong = []
    for where, module, name, line, package in _module_imports():
        try:
            importlib.import_module(f"{module}.{name}")
            continue  # a submodule (from . import cox), not a name
        except ModuleNotFoundError:
            pass
        if name.startswith("_") and _same_package(package, module):
            continue
        public = _public(module)
        if public is None:
            wrong.append(f"{where}, line {line}: {module} has no __all__ (imported: {name})")
        elif name not in public and (module, name) not in PRIVATE_SHARED:
            wrong.append(f"{where}, line {line}: {name} is not in {module}.__all__")
    assert not wrong, (
        "add each name to its module's __all__, or, for an underscored helper shared on "
        "purpose, to PRIVATE_SHARED with the reason:\n" + "\n".join(wrong)
    )


@pytest.mark.parametrize("module", sorted({found[1] for found in _module_imports() + _notebook_imports()}))
def test_every_listed_name_exists(module):
    missing = [name for name in _public(module) or () if not hasattr(importlib.import_module(module), name)]
    assert not missing, f"{module}.__all__ lists names it does not define: {missing}"
