"""Print the sha256 of what pyproject.toml declares (dependencies, extras, requires-python).

`./tasks lock` writes it into requirements/lock.txt's first line; `./tasks` and
tests/test_environment.py compare it with pyproject.toml to tell when the lock is stale.
Standard library only: it runs before the environment exists.
"""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

PREFIX = "# pyproject-dependencies-sha256: "


def deps_hash(pyproject: Path) -> str:
    project = tomllib.loads(pyproject.read_text())["project"]
    declared = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest()


def recorded_hash(lock: Path) -> str | None:
    first = lock.read_text().splitlines()[0] if lock.is_file() else ""
    return first[len(PREFIX) :].strip() if first.startswith(PREFIX) else None


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if recorded_hash(root / "requirements/lock.txt") == deps_hash(root / "pyproject.toml") else 1)
    print(deps_hash(root / "pyproject.toml"))
