"""Ensembles and sweeps on a real Dask cluster (two single-threaded worker processes): the
distributed ensemble must equal the local one exactly, and a sweep the local runs."""

import pytest

pytest.importorskip  # noqa: B018  (dask is a test requirement: a missing import fails below)
from dask.distributed import Client, LocalCluster  # noqa: E402

import multivector as mv  # noqa: E402
import multivector.distributed as mvd  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as c:
            yield c


def test_the_distributed_ensemble_equals_the_local_one(client):
    sc = mv.scenario("kazakhstan").edit({("KAZ", "recognition"): {"salience": 70}})
    local = mv.run(sc, draws=300, seed=11)
    # Uneven chunks, so parts arrive out of order and of different sizes.
    far = mvd.ensemble(sc, draws=300, seed=11, client=client, chunk=37)
    assert far.to_json() == local.to_json()
    assert mvd.ensemble(sc, draws=300, seed=11, client=client).to_json() == local.to_json()
    assert mvd.chunks(10, 4) == [(0, 4), (4, 8), (8, 10)]


def test_sweeps_equal_local_runs(client):
    sc = mv.scenario("kazakhstan")
    variant = sc.variants["name"].iloc[0]
    df = mvd.sweep(sc, client, variants=[variant], draws=40, seed=2)
    ref = mv.compare(sc, variant, draws=40, seed=2)
    assert df["difference"].tolist() == ref["difference"].tolist()
    assert df["difference_p90"].tolist() == ref["difference_p90"].tolist()

    grid = {("KAZ", "recognition", "position"): [0.0, 20.0], ("RUS", "recognition", "salience"): [50, 90]}
    g = mvd.sweep(sc, client, grid=grid, draws=20, seed=2)
    assert g["point"].nunique() == 4
    one = g[(g["KAZ.recognition.position"] == 20.0) & (g["RUS.recognition.salience"] == 50)]
    edited = sc.edit({("KAZ", "recognition"): {"position": 20.0}, ("RUS", "recognition"): {"salience": 50}})
    loc = mv.run(edited, draws=20, seed=2)
    assert one["forecast"].tolist() == loc.forecasts["value"].tolist()
    assert one["median"].tolist() == loc.quantiles["median"].tolist()


def test_bad_sweeps_fail_before_any_task(client):
    sc = mv.scenario("kazakhstan")
    with pytest.raises(mv.ScenarioError):
        mvd.sweep(sc, client, grid={("KAZ", "recognition", "position"): [0.0, 1e9]}, draws=0)
    with pytest.raises(mv.SettingsError):
        mvd.sweep(sc, client, variants=["nope"])
    with pytest.raises(mv.SettingsError):
        mvd.ensemble(sc, draws=10, client="tcp://nowhere")
