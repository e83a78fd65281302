"""The runner validates everything before any kernel starts, and names what is wrong."""

import subprocess
import sys
import time

import pytest

from conftest import ROOT
from helpers.pipeline import run
from helpers.pipeline.run import RunError, coerce, parse_value, plan, read_parameters
from toy_notebooks import TOY_PARAMS
from toy_notebooks import make_repo as _make_repo

NB = "notebooks/01-perceptron-to-cnn/01-perceptron.ipynb"


@pytest.fixture
def toy_repo(tmp_path, monkeypatch):
    monkeypatch.setenv("PHYSML_ROOT", str(tmp_path))
    return tmp_path


def test_parameters_are_read_as_literals():
    params = read_parameters(ROOT / NB)
    assert params["SEED"] == 0 and isinstance(params["LEARNING_RATE"], float)


@pytest.mark.parametrize(
    "raw,expected", [("3", 3), ("0.5", 0.5), ("true", True), ("'a'", "a"), ("adam", "adam"), ("[1, 2]", [1, 2])]
)
def test_parse_value(raw, expected):
    assert parse_value(raw) == expected


@pytest.mark.parametrize(
    "value,default,ok",
    [
        (3, 1, 3),
        (3, 1.0, 3.0),
        (2.0, 1, 2),
        ("x", "y", "x"),
        (True, False, True),
        ([1, 2], [0], [1, 2]),
    ],
)
def test_coerce_accepts(value, default, ok):
    assert coerce("P", value, default, "nb") == ok


@pytest.mark.parametrize("value,default", [("x", 1), (2.5, 1), (True, 1), (1, True), ([1], 1.0), (["a"], [0])])
def test_coerce_rejects_with_name(value, default):
    with pytest.raises(RunError, match=r"parameter P"):
        coerce("P", value, default, "nb")


def test_unknown_profile():
    with pytest.raises(RunError, match="unknown profile 'fast'"):
        plan([NB], "fast")


def test_undeclared_parameter_is_named():
    with pytest.raises(RunError, match="EPOCHZ is not declared"):
        plan([NB], "smoke", {"EPOCHZ": 3})
    with pytest.raises(RunError, match="did you mean N_BINS"):  # a near miss is suggested
        plan(["notebooks/05-omnifold/01-why-unfold.ipynb"], "smoke", {"NBINS": 3})


def test_wrong_type_is_named():
    with pytest.raises(RunError, match=r"N_STARTS = 'many' \(str\) does not match .* 50 \(int\)"):
        plan([NB], "smoke", {"N_STARTS": "many"})


def test_metrics_path_is_reserved():
    with pytest.raises(RunError, match="METRICS_PATH is set by the runner"):
        plan([NB], "book", {"METRICS_PATH": "x.json"})


def test_plan_merges_profile_and_overrides():
    jobs = plan(["01"], "smoke", {"N_STARTS": 7})
    assert [j.stem for j in jobs] == ["01-perceptron", "02-neural-networks", "03-cnn-layers", "04-overfitting"]
    p = jobs[0].parameters
    assert p["N_STARTS"] == 7 and p["GRID_POINTS"] == 11  # override beats profile, profile kept
    assert p["METRICS_PATH"].endswith("runs/smoke/01-perceptron-to-cnn/01-perceptron.metrics.json")
    assert plan(["01"], "book")[0].parameters.keys() == {"METRICS_PATH"}


def test_unknown_target():
    with pytest.raises(RunError, match="target 'chapter-x'"):
        plan(["chapter-x"], "book")


def test_non_literal_parameters_cell(toy_repo):
    _make_repo(toy_repo, "SEED = 0  # int >= 0\nMETRICS_PATH = 'm.json'\nX = 2 * 3  # int\n")
    with pytest.raises(RunError, match="parameter X .* is not a literal"):
        plan(["all"], "book")


def test_parameter_assigned_twice(toy_repo):
    _make_repo(toy_repo, TOY_PARAMS + "X = 2  # int >= 0\n")
    with pytest.raises(RunError, match="parameter X is assigned twice"):
        plan(["all"], "book")


def test_missing_required_parameters(toy_repo):
    _make_repo(toy_repo, "X = 1  # int\n")
    with pytest.raises(RunError, match="lacks SEED, METRICS_PATH"):
        plan(["all"], "book")


@pytest.mark.parametrize(
    "profiles,match",
    [
        ("book:\n  toy: {X: 2}\n", "unknown profile 'book'"),
        ("smoke:\n  other: {X: 2}\n", "names notebook 'other'"),
        ("smoke:\n  toy: {Y: 2}\n", "sets Y for toy, which does not declare it"),
        ("smoke:\n  toy: {X: 'two'}\n", r"X = 'two' \(str\)"),
        ("smoke: [\n", "not valid YAML"),
        # the reproductions: each silently ran book-scale defaults or kept the last key
        ("", "has no 'smoke' section"),
        ("paper:\n  toy: {X: 2}\n", "has no 'smoke' section"),
        ("smoke:\n  {}\n", "has no entry for toy"),
        ("smoke:\n  toy: {X: 2}\n  toy: {X: 3}\n", "line 3: key 'toy' appears twice"),
        ("smoke:\n  toy: {X: 2, X: 3}\n", "key 'X' appears twice"),
        ("smoke:\n  toy: {X: .nan}\n", "not finite|does not match"),
    ],
)
def test_bad_profiles_file(toy_repo, profiles, match):
    _make_repo(toy_repo, TOY_PARAMS, profiles)
    with pytest.raises(RunError, match=match):
        plan(["all"], "smoke")


def test_toy_notebook_runs_with_profile(toy_repo):
    _make_repo(toy_repo, TOY_PARAMS, "smoke:\n  toy: {X: 5}\n")
    assert run.main(["all", "--profile", "smoke"]) == 0
    from helpers.pipeline.metrics import read_metrics

    out = read_metrics(toy_repo / "runs" / "smoke" / "09-toy" / "toy.metrics.json")
    assert out["metrics"]["x"] == 5


@pytest.mark.parametrize(
    "args,message",
    [
        (["--profile", "fast"], "unknown profile 'fast'"),
        (["--profile", "smoke", "-p", "EPOCHZ=3"], "EPOCHZ is not declared"),
        (["--profile", "smoke", "-p", "N_STARTS=0.5"], "N_STARTS = 0.5 (float)"),
    ],
)
def test_cli_fails_fast_before_any_kernel(args, message, tmp_path):
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "helpers.pipeline.run", NB, "--out", str(tmp_path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 2
    assert message in proc.stderr
    assert elapsed < 15, f"validation took {elapsed:.1f} s: a kernel must not have started"
    assert not any(tmp_path.rglob("*.ipynb")), "nothing may be executed after a validation error"


# ---------------------------------------------------------------------------------------------
# Domains: declared in the parameters cell, checked for defaults, profiles and -p alike
# ---------------------------------------------------------------------------------------------

from helpers.pipeline.domains import DomainSyntaxError, parse_domain, split_comment  # noqa: E402


@pytest.mark.parametrize(
    "text,inside,outside",
    [
        ("int >= 1", [1, 5], [0, -3, 1.5, True]),
        ("int >= 2", [2], [1]),
        ("float > 0", [3e-4, 1], [0.0, -1.0, float("nan"), float("inf")]),
        ("float", [0.0, -7.5], [float("nan"), float("-inf"), "1"]),
        ("float in (0, 1)", [0.5], [0.0, 1.0]),
        ("float in [0, 1)", [0.0], [1.0]),
        ("float in [0, 1]", [0.0, 1.0], [1.01]),
        ("float > 0 and <= 1", [1.0], [0.0, 1.5]),
        ("int in [2, 100]", [2, 100], [1, 101]),
        ('one of "fixed", "random"', ["fixed"], ["Fixed", 1]),
        ('str one of "a;b", "c"', ["a;b"], ["a"]),
        ("str", ["", "x"], [1]),
        ("bool", [True, False], [1, "true"]),
        ("list of float in (0, 1)", [[0.7, 0.1, 0.2]], [[], [0.7, 1.2], [float("nan")], 0.5]),
        ("list of int >= 10", [[30, 60]], [[5]]),
        ("dict", [{"beam": ["mono", 40.0, 40.0, True]}], [{}, [1], "x"]),
    ],
)
def test_domain_grammar(text, inside, outside):
    d = parse_domain(text)
    for v in inside:
        assert d.problem(v) is None, (text, v)
    for v in outside:
        assert d.problem(v) is not None, (text, v)


@pytest.mark.parametrize(
    "text",
    [
        "integer >= 1",
        "int => 1",
        "int >= one",
        "str >= 1",
        "one of",
        "one of adam, sgd",
        "float in [0, 1",
        "list of list of int",
        "",
    ],
)
def test_bad_domain_syntax(text):
    with pytest.raises(DomainSyntaxError):
        parse_domain(text)


def test_split_comment():
    assert split_comment("# int >= 1; epochs; more") == ("int >= 1", "epochs; more")
    assert split_comment('# one of "a;b", "c"; text') == ('one of "a;b", "c"', "text")
    assert split_comment("# float > 0") == ("float > 0", "")


@pytest.mark.parametrize(
    "args,message",
    [
        # each was accepted by the runner before domains existed, and failed (or misled) inside the kernel
        (
            ["-p", "BATCH_SIZE=0"],
            "02-neural-networks.ipynb (-p BATCH_SIZE): parameter BATCH_SIZE = 0 is "
            "outside its domain 'int >= 1': 0 is not >= 1",
        ),
        (
            ["-p", "LEARNING_RATE=1e999"],
            "parameter LEARNING_RATE = inf is outside its domain 'float > 0': inf is not finite",
        ),
        (["-p", "NOISE=-0.1"], "parameter NOISE = -0.1 is outside its domain 'float >= 0'"),
        (["-p", "N_SEEDS=1"], "parameter N_SEEDS = 1 is outside its domain 'int >= 2'"),
    ],
)
def test_override_outside_domain_is_named(args, message):
    with pytest.raises(RunError) as err:
        plan(["notebooks/01-perceptron-to-cnn/02-neural-networks.ipynb"], "smoke", run._parse_overrides(args[1::2]))
    assert message in str(err.value)


def test_choice_and_list_domains_of_real_notebooks():
    with pytest.raises(RunError, match=r"OPTIMIZER = 'adamw' is outside its domain 'one of \"adam\", \"sgd\"'"):
        plan(["notebooks/03-galaxy-zoo/02-cnn-and-uncertain.ipynb"], "book", {"OPTIMIZER": "adamw"})
    with pytest.raises(RunError, match=r"SIZES = \[\] is outside its domain 'list of int >= 10': the list is empty"):
        plan(["notebooks/04-resolution/02-sample-size.ipynb"], "book", {"SIZES": []})
    with pytest.raises(RunError, match=r"VAL_FRACTION = 1.0 is outside its domain 'float in \(0, 1\)'"):
        plan(["notebooks/04-resolution/02-sample-size.ipynb"], "book", {"VAL_FRACTION": 1})


@pytest.mark.parametrize(
    "profiles,match",
    [
        ("smoke:\n  toy: {X: -1}\n", r"profiles.yml \[smoke\] toy: parameter X = -1 is outside its domain 'int >= 0'"),
        ("smoke:\n  toy: {F: .nan}\n", r"parameter F = nan is outside its domain 'float': nan is not finite"),
        ("paper:\n  toy: {F: .inf}\n", r"parameter F = inf is outside its domain 'float': inf is not finite"),
    ],
)
def test_profile_value_outside_domain(toy_repo, profiles, match):
    _make_repo(toy_repo, TOY_PARAMS + "F = 0.5  # float\n", profiles)
    with pytest.raises(RunError, match=match):
        plan(["all"], "smoke" if "smoke" in profiles else "paper")


@pytest.mark.parametrize(
    "src,match",
    [
        (TOY_PARAMS + "Y = 3\n", r"parameter Y \(line 4\) declares no domain"),
        (
            TOY_PARAMS + "Y = 3  # the number of things\n",
            r"parameter Y \(line 4\): the comment must start "
            r"with the parameter's domain",
        ),
        (TOY_PARAMS + "Y = 0  # int >= 1\n", r"parameter Y = 0 \(line 4\) is outside its own domain 'int >= 1'"),
        (
            TOY_PARAMS + "Y = 1  # float > 0\n",
            r"Y = 1 \(line 4\) is outside its own domain 'float > 0': a float "
            r"domain needs float literals",
        ),
        (TOY_PARAMS + "Y = 'ada'  # one of 'adam', 'sgd'\n", r"Y = 'ada' \(line 4\) is outside its own domain"),
        ("SEED = 0\nMETRICS_PATH = 'm.json'\n", r"parameter SEED \(line 1\) declares no domain"),
    ],
)
def test_notebook_domains_are_required_and_checked(toy_repo, src, match):
    _make_repo(toy_repo, src)
    with pytest.raises(RunError, match=match):
        plan(["all"], "book")


def test_domain_errors_come_before_any_kernel(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers.pipeline.run",
            NB,
            "--out",
            str(tmp_path),
            "--profile",
            "smoke",
            "-p",
            "LEARNING_RATE=-1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "parameter LEARNING_RATE = -1.0 is outside its domain 'float > 0'" in proc.stderr
    assert not any(tmp_path.rglob("*.ipynb"))


def test_targets_by_chapter_and_stem_and_a_near_miss_is_suggested():
    """`chapter/stem` (no notebooks/, no .ipynb) names a notebook; a misspelt one gets a suggestion."""
    (nb,) = run.resolve_targets(["02-gaps-antiparticles/02-cnn-classifier"])
    assert nb == ROOT / "notebooks" / "02-gaps-antiparticles" / "02-cnn-classifier.ipynb"
    with pytest.raises(RunError, match="did you mean 02-gaps-antiparticles/02-cnn-classifier\\?"):
        run.resolve_targets(["02-gaps-antiparticles/02-cnn-clasifier"])
    with pytest.raises(RunError) as err:
        run.resolve_targets(["no-such-thing-at-all"])
    assert "did you mean" not in str(err.value)


def test_a_parameter_given_twice_on_the_command_line_is_refused():
    with pytest.raises(RunError, match="BATCH_SIZE is set twice"):
        run._parse_overrides(["BATCH_SIZE=1", "BATCH_SIZE=2"])
