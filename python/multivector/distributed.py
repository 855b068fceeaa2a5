"""Ensembles and sweeps spread over a Dask cluster (``pip install ./python[dask]``).

Draw ``k`` of an ensemble is computed from the master seed and ``k`` alone (ChaCha8 on stream
``k``), so the draws can be cut into chunks, computed on any worker in any order, and joined in
draw order: ``ensemble`` returns the same report as ``multivector.run`` on one machine, bit for
bit. Any ``dask.distributed.Client`` works: a ``LocalCluster`` on a laptop, or a scheduler's
address in production::

    from dask.distributed import Client
    client = Client("tcp://scheduler.example:8786")
    rep = multivector.distributed.ensemble(sc, draws=1_000_000, seed=7, client=client)

Workers need the same ``multivector`` version installed (``pip install ./python``); a chunk
from another version is refused when joined.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

from . import Report, Scenario, SettingsError, _check_models, _core, _draws, _scenario

__all__ = ["ensemble", "sweep", "chunks"]


def chunks(draws: int, size: int) -> list[tuple[int, int]]:
    """The draw ranges ``[start, end)`` of ``size`` draws each (the last may be shorter)."""
    if size < 1:
        raise SettingsError(f"`chunk`: {size!r} draws per chunk; give 1 or more")
    return [(a, min(a + size, draws)) for a in range(0, draws, size)]


def _part(core: _core.Scenario, start: int, end: int, draws: int, seed: Optional[int]) -> bytes:
    # Runs on a worker: the scenario arrives pickled as its text and edits.
    # One thread per task: the worker's threads are the unit of parallelism.
    return _core.ensemble_part(core, start, end, draws, seed, 1)


def ensemble(
    sc: Union[Scenario, str],
    draws: int,
    seed: Optional[int] = None,
    client: Any = None,
    chunk: Optional[int] = None,
    models: Optional[Sequence[str]] = None,
) -> Report:
    """``multivector.run(sc, draws, seed)`` with the ensemble's draws computed on a Dask
    cluster: the draw indices are cut into chunks (``chunk`` draws each; default: about four
    chunks per worker thread), each chunk is computed on a worker, and the parts are joined in
    draw order. The report equals the local one, bit for bit."""
    from dask.distributed import Client

    sc = _scenario(sc)
    draws = _draws(draws)
    if client is None:
        raise SettingsError("`client`: give a dask.distributed.Client (a LocalCluster's, or a scheduler's)")
    if not isinstance(client, Client):
        raise SettingsError(f"`client`: expected a dask.distributed.Client, not {type(client).__name__}")
    if chunk is None:
        threads = max(1, sum(client.nthreads().values()))
        chunk = max(1, -(-draws // (4 * threads)))
    core = client.scatter(sc.core, broadcast=True, hash=False)
    futures = [client.submit(_part, core, a, b, draws, seed, pure=False) for a, b in chunks(draws, chunk)]
    parts = client.gather(futures)
    text = _core.run_with_parts(sc.core, parts, draws, seed)
    return Report(text, sc, _check_models(models))


def _one(core: _core.Scenario, edits: list, variant: Optional[str], draws: int, seed: Optional[int]) -> str:
    sc = Scenario(core)
    if edits:
        sc = Scenario(core.edit(edits, "sweep"))
    # One thread per task, as for ensemble chunks.
    if variant is not None:
        return _core.compare(sc.core, variant, draws, seed, 1)
    return _core.run(sc.core, draws, seed, False, None, None, 1)


def sweep(
    sc: Union[Scenario, str],
    client: Any,
    variants: Optional[Sequence[str]] = None,
    grid: Optional[Mapping[tuple, Iterable[float]]] = None,
    draws: int = 1000,
    seed: Optional[int] = None,
) -> pd.DataFrame:
    """Many runs on a Dask cluster, one task each, all from one seed (common random numbers).

    - ``variants``: each named variant against the baseline (as ``multivector.compare``);
      one row per variant, issue and model.
    - ``grid``: every combination of stance values, ``{(actor, issue, field): [values]}``
      (as ``multivector.run`` on the edited scenario); one row per point, issue and model,
      with the point's values as columns and the ensemble's median and 80% interval.
    """
    from dask.distributed import Client

    if not isinstance(client, Client):
        raise SettingsError(f"`client`: expected a dask.distributed.Client, not {type(client).__name__}")
    sc = _scenario(sc)
    draws = _draws(draws)
    if (variants is None) == (grid is None):
        raise SettingsError("give either `variants` or `grid`")
    core = client.scatter(sc.core, broadcast=True, hash=False)
    if variants is not None:
        names = [variants] if isinstance(variants, str) else list(variants)
        known = set(sc.core.variants())
        bad = [v for v in names if v not in known]
        if bad:
            raise SettingsError(f"`variants`: no variant {', '.join(bad)}; variants: {', '.join(sorted(known))}")
        futures = [client.submit(_one, core, [], v, draws, seed, pure=False) for v in names]
        frames = []
        for v, doc in zip(names, client.gather(futures)):
            for r in json.loads(doc)["rows"]:
                iv = r.get("difference_interval") or {}
                frames.append({"variant": v, "issue": r["issue"], "model": r["model"],
                               "baseline": r["baseline"], "forecast": r["variant"],
                               "difference": r["difference"], "difference_p10": iv.get("p10"),
                               "difference_median": iv.get("median"), "difference_p90": iv.get("p90")})
        return pd.DataFrame(frames)
    keys = list(grid)
    for k in keys:
        if not (isinstance(k, tuple) and len(k) == 3):
            raise SettingsError(f"grid key {k!r}: use (actor, issue, field) tuples")
    axes = [list(grid[k]) for k in keys]
    points = list(itertools.product(*axes))
    # Every edit is checked here, once, before any task is sent.
    for p in points:
        sc.core.edit([(a, i, f, float(v)) for (a, i, f), v in zip(keys, p)], "grid")
    futures = [
        client.submit(_one, core, [(a, i, f, float(v)) for (a, i, f), v in zip(keys, p)], None, draws, seed, pure=False)
        for p in points
    ]
    rows = []
    for n, (p, text) in enumerate(zip(points, client.gather(futures))):
        rep = Report(text, sc)
        q = rep.quantiles.set_index(["issue", "model"]) if draws > 0 else None
        for r in rep.forecasts.itertuples():
            row = {"point": n}
            row.update({f"{a}.{i}.{f}": v for (a, i, f), v in zip(keys, p)})
            row.update({"issue": r.issue, "model": r.model, "forecast": r.value})
            if q is not None and (r.issue, r.model) in q.index:
                qq = q.loc[(r.issue, r.model)]
                row.update({"median": qq["median"], "p10": qq["p10"], "p90": qq["p90"]})
            rows.append(row)
    return pd.DataFrame(rows)

