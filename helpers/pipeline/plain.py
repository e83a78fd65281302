"""Run a notebook's code cells in a plain Python process, without Jupyter or papermill.

For machines that have the scientific stack but not Jupyter (the lent GPU machine, a batch node):

    python -m helpers.pipeline.plain NOTEBOOK METRICS_PATH '{"NAME": value, ...}'

The cell tagged ``parameters`` runs first, then the given values replace its literals and
``METRICS_PATH`` is set; the Colab ``%pip`` cell is skipped; figures are drawn with the Agg backend
and closed after each cell; ``show_source`` becomes a no-op (it needs IPython). The chapter-3 GPU
record in ``book/records/`` was made this way (``KERAS_BACKEND=jax``).
"""

from __future__ import annotations

import json
import sys


def checked_parameters(nb_path: str, params: dict) -> dict:
    """``params`` converted to the declared types and checked against the declared domains, as
    :mod:`helpers.pipeline.run` checks them; a ``RunError`` names the first problem."""
    from pathlib import Path

    from helpers.pipeline.run import RunError, check_domain, coerce, read_declarations

    declared = read_declarations(Path(nb_path))
    unknown = sorted(set(params) - set(declared) | ({"METRICS_PATH"} & set(params)))
    if unknown:
        raise RunError(
            f"{nb_path}: parameters {unknown} are not settable (declared: {', '.join(sorted(declared))}; "
            "METRICS_PATH is the second argument)"
        )
    out = {}
    for name, value in params.items():
        out[name] = coerce(name, value, declared[name].default, nb_path)
        check_domain(declared[name], out[name], f"{nb_path} ({name})")
    return out


def run(nb_path: str, metrics_path: str, params: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.pipeline import notebook

    params = checked_parameters(nb_path, params)  # the runner's checks, before any cell runs
    notebook.show_source = lambda *objects: None
    with open(nb_path) as fh:
        nb = json.load(fh)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ValueError(f"{nb_path}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    ns: dict = {"__name__": "__main__"}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        if "%pip" in src:
            continue
        exec(compile(src, nb_path, "exec"), ns)
        if cell is tagged[0]:
            ns.update(params)
            ns["METRICS_PATH"] = metrics_path
            print("parameters:", params, flush=True)
        plt.close("all")


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (2, 3):
        raise SystemExit("usage: python -m helpers.pipeline.plain NOTEBOOK METRICS_PATH ['{\"NAME\": value}']")
    run(argv[0], argv[1], json.loads(argv[2]) if len(argv) == 3 else {})


if __name__ == "__main__":  # guard: worker processes started with "spawn" re-import this file
    main()
