"""Sphinx tweaks of physml-book (a local extension named in _config.yml).

MathJax only on pages with maths: Sphinx's math domain counts a page as having equations when any
page of its toctree has them (so that a single-page build gets MathJax), which loads the 1.5 MB of
MathJax on the landing page and on every chapter page whose notebooks hold maths. Here a page has
equations when it holds maths itself; the single-page builder is unaffected (Jupyter Book loads
MathJax on every page there).
"""

from __future__ import annotations

from sphinx.domains.math import MathDomain


class PageMathDomain(MathDomain):
    def has_equations(self, docname: str | None = None) -> bool:
        if docname is None:
            return any(self.data["has_equations"].values())
        return self.data["has_equations"].get(docname, False)


def setup(app):
    app.add_domain(PageMathDomain, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
