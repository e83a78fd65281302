"""A toy repository with one notebook, shared by the runner and record tests."""

import nbformat

TOY_PARAMS = "SEED = 0  # int >= 0\nMETRICS_PATH = 'm.json'\nX = 1  # int >= 0; a number\n"


def make_repo(tmp_path, params_src, profiles=None):
    chapter = tmp_path / "notebooks" / "09-toy"
    chapter.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params_src)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# toy"),
        cell,
        nbformat.v4.new_code_cell(
            "import json; json.dump({'notebook': 'toy', 'metrics': {'x': X}, "
            "'wall_time_s': 0.0}, open(METRICS_PATH, 'w'))"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, chapter / "toy.ipynb")
    if profiles is not None:
        (chapter / "profiles.yml").write_text(profiles)
    return chapter / "toy.ipynb"
