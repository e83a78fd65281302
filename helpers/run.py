"""``python -m helpers.run`` is ``python -m helpers.pipeline.run`` (the spelling of issue 19)."""

from helpers.pipeline.run import main

if __name__ == "__main__":
    raise SystemExit(main())
