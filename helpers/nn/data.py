"""Data sets of chapter 1: logic-gate truth tables and scikit-learn's 8×8 digits."""

from __future__ import annotations

import numpy as np

#: Inputs of every two-input gate, in the order of the thesis's truth table (table 2.1).
GATE_INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)

_GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "NOR": np.array([1, 0, 0, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}


def truth_table(gate: str) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` for a two-input gate: X is (4, 2) of 0/1, y is (4,) of 0/1."""
    key = gate.upper() if isinstance(gate, str) else gate
    if key not in _GATES:
        raise ValueError(f"unknown gate {gate!r}; choose one of {', '.join(_GATES)}")
    return GATE_INPUTS.copy(), _GATES[key].copy()


def digits_split(n_train: int, n_val: int, n_test: int, *, seed: int):
    """Scikit-learn's 1,797 handwritten digits (8×8, 16 grey levels) split into three sets.

    Returns ``(x_train, y_train), (x_val, y_val), (x_test, y_test)`` with images scaled to [0, 1]
    and shaped (n, 8, 8, 1), labels as integers 0–9. The split is stratified and shuffled by
    ``seed``; the three sets never share an image. The data ship with scikit-learn (no download).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    total = n_train + n_val + n_test
    for name, n in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        if not isinstance(n, (int, np.integer)) or n < 10:
            raise ValueError(f"{name} must be an integer >= 10 (one per class), got {n!r}")
    if total > len(x):
        raise ValueError(f"n_train + n_val + n_test = {total} exceeds the {len(x)} digits available")
    x = (x / 16.0).astype("float32").reshape(-1, 8, 8, 1)
    rest_x, x_te, rest_y, y_te = train_test_split(x, y, test_size=n_test, stratify=y, random_state=seed)
    x_tr, x_va, y_tr, y_va = train_test_split(
        rest_x, rest_y, train_size=n_train, test_size=n_val, stratify=rest_y, random_state=seed + 1
    )
    return (x_tr, y_tr), (x_va, y_va), (x_te, y_te)
