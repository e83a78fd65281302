"""One executor for independent tasks: a local Dask cluster of 2 workers, and local worker
processes, give exactly the serial numbers for repeated trainings, Pythia chunks and galaxy
rendering (every task carries its own seed); bad scheduler addresses are named."""

import numpy as np
import pytest

from helpers.pipeline import executor as E


def _square(x):
    return x * x


def test_backend_choice_and_order(monkeypatch):
    monkeypatch.delenv(E.SCHEDULER_ENV, raising=False)
    assert E.choose(1, 10) == "serial" and E.choose(None, 10) == "serial"
    assert E.choose(4, 10) == "processes" and E.choose(4, 1) == "serial"
    assert E.choose(1, 10, scheduler="tcp://h:8786") == "dask"
    monkeypatch.setenv(E.SCHEDULER_ENV, "tcp://h:8786")
    assert E.choose(1, 10) == "dask"
    with pytest.raises(ValueError, match=r"'h:8786' \(from PHYSML_DASK_SCHEDULER\): expected a URL"):
        monkeypatch.setenv(E.SCHEDULER_ENV, "h:8786")
        E.choose(1, 10)
    with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
        E.choose(0, 3)
    seen = []
    out = E.run_tasks(_square, range(7), workers=2, on_result=lambda i, r: seen.append((i, r)), backend="processes")
    assert out == [0, 1, 4, 9, 16, 25, 36] and seen == list(enumerate(out))


def test_local_processes_take_closures_in_the_function_and_in_the_tasks():
    """A notebook hands repeat_fit a lambda that builds its model; it travels inside the task."""
    offset = 10
    tasks = [lambda k=k: k * k + offset for k in range(4)]  # closures: plain pickle refuses them
    assert E.run_tasks(lambda t: t() - offset, tasks, workers=2, backend="processes") == [0, 1, 4, 9]


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as lc:
        yield lc.scheduler_address


def _tiny_trainings(**kw):
    import keras

    from helpers.nn.training import repeat_fit
    from helpers.pipeline.repro import set_seed

    set_seed(0, threads=1)  # deterministic ops on, one thread (as the workers will be set up)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(120, 4)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int64")

    def build():
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
        m.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        return m

    return repeat_fit(build, (x[:80], y[:80], x[80:], y[80:]), seeds=[3, 4, 5], epochs=3, batch_size=16, **kw)


@pytest.mark.dask
def test_repeated_training_on_dask_equals_serial(cluster, monkeypatch):
    monkeypatch.delenv(E.SCHEDULER_ENV, raising=False)
    serial = _tiny_trainings()
    monkeypatch.setenv(E.SCHEDULER_ENV, cluster)
    dask = _tiny_trainings(workers=2)
    assert sorted(dask.history) == sorted(serial.history) and "val_loss" in serial.history
    for key in serial.history:
        np.testing.assert_array_equal(dask.history[key], serial.history[key], err_msg=key)
    for key in serial.final:
        np.testing.assert_array_equal(dask.final[key], serial.final[key], err_msg=key)
    # the three seeds really train differently: equality above is not three copies of one run
    assert len({round(float(v), 7) for v in serial.history["loss"][:, -1]}) == 3


@pytest.mark.dask
def test_pythia_chunks_on_dask_equal_serial(cluster, monkeypatch):
    from helpers.zjets import generate as G

    monkeypatch.setattr(G, "CHUNK", 20)  # 3 chunks of 20 events, each with its own seed
    monkeypatch.delenv(E.SCHEDULER_ENV, raising=False)
    serial = G.generate("mc", 60, 9, processes=1, progress=False)
    monkeypatch.setenv(E.SCHEDULER_ENV, cluster)
    dask = G.generate("mc", 60, 9, processes=1, progress=False)
    assert sorted(dask) == sorted(serial)
    for key in serial:
        np.testing.assert_array_equal(dask[key], serial[key], err_msg=key)


@pytest.mark.dask
def test_rendering_on_dask_equals_serial(cluster, monkeypatch):
    from helpers.galaxies.sky import data as D
    from helpers.galaxies.sky import render as R

    cat = D.load_catalogue(200, seed=3)
    idx = list(range(0, 120, 2))  # 60 galaxies: 3 tasks of 25, 25, 10
    monkeypatch.delenv(E.SCHEDULER_ENV, raising=False)
    serial = R.render(cat, idx, ("sdss",), workers=1, progress=False)
    monkeypatch.setenv(E.SCHEDULER_ENV, cluster)
    dask = R.render(cat, idx, ("sdss",), workers=1, progress=False)
    np.testing.assert_array_equal(dask["sdss"], serial["sdss"])
    assert serial["sdss"].shape[0] == 60 and np.ptp(serial["sdss"].sum(axis=(1, 2))) > 0


@pytest.mark.dask
def test_training_refuses_a_dask_worker_with_several_threads():
    """Keras seeds and sessions are per process: two trainings in threads of one worker would mix."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from helpers.nn import training

    with LocalCluster(n_workers=1, processes=False, threads_per_worker=2, dashboard_address=None) as lc:
        with Client(lc) as client:
            fut = client.submit(training._single_threaded_worker, pure=False)
            with pytest.raises(RuntimeError, match="runs 2 tasks at once in threads"):
                fut.result()
