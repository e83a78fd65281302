"""The book's settings that pages and notebooks must agree on (no notebook run, no book build)."""

import json
import re

import yaml

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))


def test_every_notebook_installs_helpers_from_the_configured_repository():
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        code = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        installs = [src for src in code if "git+" in src]
        assert installs, f"{path.relative_to(ROOT)}: no install cell for a notebook opened alone"
        for src in installs:
            named = [u.rstrip("/") for u in re.findall(r"git\+([^\s\"'@]+)", src)]
            assert named and all(u == url for u in named), (
                f"{path.relative_to(ROOT)}: installs from {named}, but _config.yml's repository.url is {url}"
            )


def test_notebooks_carry_the_kernel_metadata_jupyterlab_writes():
    """JupyterLab rewrites kernelspec and language_info when a kernel starts and marks the notebook
    modified if they differ; committed with the values it writes, opening a notebook changes nothing."""
    for path in NOTEBOOKS:
        meta = json.loads(path.read_text())["metadata"]
        assert meta.get("kernelspec") == {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        }, f"{path.relative_to(ROOT)}: kernelspec"
        info = meta.get("language_info", {})
        for key, value in {
            "name": "python",
            "file_extension": ".py",
            "mimetype": "text/x-python",
            "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3",
            "codemirror_mode": {"name": "ipython", "version": 3},
        }.items():
            assert info.get(key) == value, f"{path.relative_to(ROOT)}: language_info.{key}"
        assert info.get("version", "").startswith(("3.11", "3.12")), f"{path.relative_to(ROOT)}: language_info.version"
