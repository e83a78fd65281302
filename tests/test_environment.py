"""The environment is declared in one place and locked: pyproject.toml → requirements/lock.txt."""

import ast
import json
import re
import runpy
import sys
import tomllib
from importlib import metadata

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Imported only on a path this environment does not take (the module is not installed here).
NOT_INSTALLED = {"jax": "jax"}  # KERAS_BACKEND=jax, helpers.pipeline.backend; the [jax] extra
# our own modules: the helpers package and the test support modules beside the tests
LOCAL = {"helpers"} | {p.stem for p in (ROOT / "tests").glob("*.py")}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = PYPROJECT["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return {_norm(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group()) for r in reqs}


def _top_level_imports(source: str) -> set[str]:
    # notebook magics (%pip, !cmd) are not Python: keep the line count, drop the magic
    lines = [re.sub(r"^(\s*)[%!].*", r"\1pass", line) for line in source.splitlines()]
    names = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _imports_by_file() -> dict[str, set[str]]:
    out = {}
    for path in sorted([*(ROOT / "helpers").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]):
        out[str(path.relative_to(ROOT))] = _top_level_imports(path.read_text())
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        out[str(path.relative_to(ROOT))] = _top_level_imports(code)
    return out


def test_every_third_party_import_is_declared_in_pyproject():
    declared = _declared()
    owners = metadata.packages_distributions()
    undeclared = {}
    for where, modules in _imports_by_file().items():
        for module in modules - LOCAL - set(sys.stdlib_module_names):
            dists = {_norm(d) for d in owners.get(module, [])} or {_norm(NOT_INSTALLED.get(module, module))}
            if not dists & declared:
                undeclared.setdefault(module, []).append(where)
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_lock_was_made_from_this_pyproject():
    depshash = runpy.run_path(str(ROOT / "requirements" / "depshash.py"))
    recorded = depshash["recorded_hash"](ROOT / "requirements" / "lock.txt")
    assert recorded == depshash["deps_hash"](ROOT / "pyproject.toml"), (
        "pyproject.toml's dependencies changed since requirements/lock.txt was made: run ./tasks lock"
    )


def test_lock_pins_every_package_with_hashes():
    text = (ROOT / "requirements" / "lock.txt").read_text()
    entries = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?: \\\n\s+--hash=sha256:[0-9a-f]{64})+)", text, re.M)
    names = re.findall(r"^[A-Za-z0-9]", text, re.M)
    assert entries and len(entries) == len(names), "every line of the lock is name==version with its hashes"
    assert _declared() - {_norm(n) for n, _, _ in entries} == {"jax", "dask-jobqueue", "physml-helpers"}, (
        "every declared package (but the optional extras jax and cluster, and this package itself) is in the lock"
    )


def test_pre_commit_runs_the_locked_ruff():
    pinned = next(r for r in PYPROJECT["project"]["optional-dependencies"]["test"] if r.startswith("ruff=="))
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    hooks = re.findall(r'additional_dependencies: \["(ruff==[^"]+)"\]', config)
    assert hooks and set(hooks) == {pinned}
