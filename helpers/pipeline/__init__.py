"""Running notebooks and building the book: the papermill runner with its profiles (``run``),
parameter domains (``domains``), the book builder (``book``), the regression check
(``regression``), the first and last call of every notebook (``notebook``), metrics JSON files
(``metrics``), the data cache (``cache``), seeds and threads (``repro``), Keras-backend specifics
(``backend``), repository paths (``paths``) and a Jupyter-free notebook runner (``plain``)."""
