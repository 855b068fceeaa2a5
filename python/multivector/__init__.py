"""multivector for notebooks: the Rust library's models, ensembles and scores as pandas
DataFrames.

Every call runs the same library as the ``multivector`` command line (the facade crate), with
the GIL released while Rust runs, so the numbers are the CLI's, bit for bit. Results keep the
JSON document the CLI prints (``.to_json()``) and offer its parts as DataFrames in long format.

>>> import multivector as mv
>>> sc = mv.scenario("kazakhstan")
>>> rep = mv.run(sc, draws=200, seed=7)
>>> rep.bottom_line[["issue", "forecast"]].head(2)   # doctest: +SKIP

See ``docs/python.md`` for a worked example, and ``multivector.distributed`` for ensembles
and sweeps on a Dask cluster.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

from . import _core
from ._core import ScenarioError, SettingsError, StoreError

__all__ = [
    "Scenario",
    "Report",
    "Result",
    "Store",
    "ScenarioError",
    "SettingsError",
    "StoreError",
    "MODELS",
    "DEFAULT_SEED",
    "scenario",
    "load",
    "run",
    "compare",
    "sensitivity",
    "opinion",
    "calibrate",
    "backtest",
    "align",
    "votes",
]

__version__: str = _core.version()
#: The standard models, in report order.
MODELS: list[str] = list(_core.model_names())
#: The master seed used when none is given (recorded with every result).
DEFAULT_SEED: int = _core.default_seed()

_FIELDS = ("position", "salience", "capability")


def _frame(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


class Scenario:
    """A validated scenario. Its parts are DataFrames; ``edit`` returns a new scenario.

    Saliences are shown on the scenario's own salience scale (0-100 or 0-1), as its file
    writes them; edits use the same scale.
    """

    def __init__(self, core: _core.Scenario):
        self._core = core
        self._doc: Optional[dict] = None

    def __reduce__(self):
        return (Scenario, (self._core,))

    @property
    def core(self) -> _core.Scenario:
        """The compiled scenario (what the functions of ``multivector._core`` take)."""
        return self._core

    @property
    def id(self) -> str:
        """The scenario's id."""
        return self._core.id

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self._core.name

    @property
    def doc(self) -> dict:
        """The scenario as a dict (the library's model: indices, saliences on 0-1)."""
        if self._doc is None:
            self._doc = json.loads(self._core.to_json())
        return self._doc

    @property
    def salience_scale(self) -> float:
        """The top of the scenario's salience scale (1 or 100)."""
        return self._core.salience_scale

    @property
    def actors(self) -> pd.DataFrame:
        """One row per actor: id, name, kind, capability, vector, description, evidence."""
        return _frame(
            (
                {
                    "id": a["id"],
                    "name": a["name"],
                    "kind": a["kind"],
                    "capability": a["capability"],
                    "vector": a["vector"],
                    "description": a["description"],
                    "evidence": ";".join(a["evidence"]),
                    "assumption": a["assumption"],
                }
                for a in self.doc["actors"]
            ),
            ["id", "name", "kind", "capability", "vector", "description", "evidence", "assumption"],
        )

    @property
    def issues(self) -> pd.DataFrame:
        """One row per issue: id, question, scale, status quo and outcome (when known)."""
        rows = []
        for i in self.doc["issues"]:
            out = i.get("outcome") or {}
            rows.append(
                {
                    "id": i["id"],
                    "question": i["question"],
                    "scale_min": i["scale"]["min"],
                    "scale_max": i["scale"]["max"],
                    "unit": i["scale"].get("unit"),
                    "status_quo": i.get("status_quo"),
                    "outcome": out.get("value"),
                    "outcome_date": out.get("date"),
                }
            )
        cols = ["id", "question", "scale_min", "scale_max", "unit", "status_quo", "outcome", "outcome_date"]
        return _frame(rows, cols)

    @property
    def stances(self) -> pd.DataFrame:
        """One row per stance: actor, issue, position, salience (on the scenario's scale),
        capability (the stance's own, else the actor's), the declared uncertainty, evidence."""
        d = self.doc
        scale = self.salience_scale
        rows = []
        for st in d["stances"]:
            actor = d["actors"][st["actor"]]
            u = st.get("uncertainty") or {}
            rows.append(
                {
                    "actor": actor["id"],
                    "issue": d["issues"][st["issue"]]["id"],
                    "position": st["position"],
                    "salience": st["salience"] * scale,
                    "capability": st["capability"] if st.get("capability") is not None else actor["capability"],
                    "position_spread": json.dumps(u.get("position")) if u.get("position") else None,
                    "salience_spread": json.dumps(u.get("salience")) if u.get("salience") else None,
                    "evidence": ";".join(st["evidence"]),
                    "assumption": st.get("assumption"),
                }
            )
        cols = ["actor", "issue", "position", "salience", "capability", "position_spread",
                "salience_spread", "evidence", "assumption"]
        return _frame(rows, cols)

    @property
    def evidence(self) -> pd.DataFrame:
        """One row per evidence item: id, source file, title, publisher, date, locator,
        paraphrase."""
        return _frame(
            (
                {
                    "id": e["id"],
                    "file": e["source"]["file"],
                    "title": e["source"]["title"],
                    "publisher": e["source"]["publisher"],
                    "date": e["source"]["date"],
                    "locator": e["locator"],
                    "paraphrase": e["paraphrase"],
                }
                for e in self.doc["evidence"]
            ),
            ["id", "file", "title", "publisher", "date", "locator", "paraphrase"],
        )

    @property
    def variants(self) -> pd.DataFrame:
        """One row per variant: name, description, number of changes."""
        return _frame(
            (
                {"name": v["name"], "description": v["description"], "changes": len(v["changes"])}
                for v in self.doc["variants"]
            ),
            ["name", "description", "changes"],
        )

    @property
    def edits(self) -> pd.DataFrame:
        """The edits made since the scenario was read (actor, issue, field, value)."""
        return _frame(
            ({"actor": a, "issue": i, "field": f, "value": v} for a, i, f, v in self._core.edits),
            ["actor", "issue", "field", "value"],
        )

    def edit(self, changes: Union[pd.DataFrame, Mapping[Any, Any]]) -> "Scenario":
        """A new scenario with stances changed; this one is left as it was.

        ``changes`` is either a DataFrame with columns ``actor``, ``issue`` and any of
        ``position``, ``salience``, ``capability`` (or the long form ``actor, issue, field,
        value``), or a dict ``{(actor, issue): {"position": 30, "salience": 80}}``. Every
        problem (an unknown actor, a stance that does not exist, a value off its scale, NaN)
        raises one ``ScenarioError`` listing them all, each with its edit number as ``line``.
        """
        rows = _edit_rows(changes)
        return Scenario(self._core.edit(rows, "DataFrame" if isinstance(changes, pd.DataFrame) else "dict"))

    def __repr__(self) -> str:
        return repr(self._core)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise SettingsError(f"{where}: {value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{where}: {value!r} is not a number") from None


def _edit_rows(changes: Any) -> list[tuple[str, str, str, float]]:
    out: list[tuple[str, str, str, float]] = []
    if isinstance(changes, pd.DataFrame):
        cols = set(changes.columns)
        missing = {"actor", "issue"} - cols
        if missing:
            raise SettingsError(f"the edits need the columns actor and issue; missing: {', '.join(sorted(missing))}")
        long = {"field", "value"} <= cols
        fields = [f for f in _FIELDS if f in cols]
        unknown = cols - {"actor", "issue", "field", "value", *_FIELDS}
        if unknown:
            raise SettingsError(
                f"unknown edit columns: {', '.join(sorted(map(str, unknown)))} (use position, salience, capability)"
            )
        if not long and not fields:
            raise SettingsError("the edits name no field: give a position, salience or capability column")
        for n, rec in enumerate(changes.to_dict("records"), start=1):
            who = f"edit {n} ({rec['actor']} on {rec['issue']})"
            if long:
                out.append((str(rec["actor"]), str(rec["issue"]), str(rec["field"]), _number(rec["value"], who)))
            for f in fields:
                out.append((str(rec["actor"]), str(rec["issue"]), f, _number(rec[f], f"{who}, {f}")))
        return out
    if isinstance(changes, Mapping):
        for key, vals in changes.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise SettingsError(f"edit key {key!r}: use (actor, issue) tuples")
            if not isinstance(vals, Mapping):
                raise SettingsError(f"edit of {key!r}: give a dict of fields, e.g. {{'position': 30}}")
            for f, v in vals.items():
                out.append((str(key[0]), str(key[1]), str(f), _number(v, f"edit of {key[0]} on {key[1]}, {f}")))
        return out
    raise SettingsError(f"edits are a DataFrame or a dict, not {type(changes).__name__}")


def scenario(name: str = "kazakhstan") -> Scenario:
    """A built-in scenario (``kazakhstan``, ``ec-emissions``)."""
    return Scenario(_core.builtin(name))


def load(path: str) -> Scenario:
    """A scenario file: TOML, or a BDM or KTAB CSV. Errors raise ``ScenarioError`` with the
    file, line, field and a hint."""
    return Scenario(_core.load(str(path)))


def _scenario(sc: Union[Scenario, str]) -> Scenario:
    if isinstance(sc, Scenario):
        return sc
    if isinstance(sc, str):
        return scenario(sc)
    raise SettingsError(f"expected a Scenario (mv.scenario or mv.load), not {type(sc).__name__}")


class Result:
    """A result document: the JSON the CLI prints, as text (``to_json``) and as a dict."""

    def __init__(self, text: str):
        self._text = text
        self.doc: dict = json.loads(text)

    def to_json(self) -> str:
        """The document, exactly as the CLI's ``--format json`` prints it."""
        return self._text

    def __repr__(self) -> str:
        return f"<multivector {type(self).__name__}: {', '.join(self.doc)}>"


class Report(Result):
    """A run: forecasts of every model on every issue, their scores against what happened,
    the multi-vector profile and (with draws) the ensemble. Parts are long DataFrames."""

    def __init__(self, text: str, sc: Scenario, models: Optional[Sequence[str]] = None):
        super().__init__(text)
        self.scenario = sc
        self.models = list(models) if models else list(MODELS)

    def _keep(self, df: pd.DataFrame) -> pd.DataFrame:
        if "model" in df.columns:
            df = df[df["model"].isin(self.models) | df["model"].isna()].reset_index(drop=True)
        return df

    @property
    def settings(self) -> dict:
        """The settings the run was made with (seed, draws, model options)."""
        return self.doc["settings"]

    @property
    def bottom_line(self) -> pd.DataFrame:
        """The answer first: one row per issue in words, with the 80% interval, the threshold
        probabilities and how far the models agree."""
        rows = json.loads(_core.bottom_lines(self.scenario.core, self._text))
        return pd.DataFrame(rows)

    @property
    def forecasts(self) -> pd.DataFrame:
        """Point forecasts: issue, model, value, label, rounds, note."""
        return self._keep(
            _frame(
                (
                    {"issue": i["id"], "model": m, "value": f["value"], "label": f["label"],
                     "rounds": f["rounds"], "note": f.get("note")}
                    for i in self.doc["issues"]
                    for m, f in i["forecasts"].items()
                ),
                ["issue", "model", "value", "label", "rounds", "note"],
            )
        )

    @property
    def trajectories(self) -> pd.DataFrame:
        """Round-by-round forecasts of the models that bargain in rounds: issue, model,
        round, value."""
        return self._keep(
            _frame(
                (
                    {"issue": i["id"], "model": m, "round": r, "value": v}
                    for i in self.doc["issues"]
                    for m, f in i["forecasts"].items()
                    for r, v in enumerate(f.get("trajectory") or [])
                ),
                ["issue", "model", "round", "value"],
            )
        )

    @property
    def fans(self) -> pd.DataFrame:
        """The ensemble's distribution after each round (the first 1,000 draws' runs) of
        the models that bargain in rounds: issue, model, round, p025, p10, median, p90,
        p975."""
        ens = self.doc.get("ensemble") or {}
        return self._keep(
            _frame(
                (
                    {"issue": e["issue"], "model": e["model"], "round": r, **{k: b[k] for k in ("p025", "p10", "median", "p90", "p975")}}
                    for e in ens.get("issues", [])
                    for r, b in enumerate(e.get("by_round") or [])
                ),
                ["issue", "model", "round", "p025", "p10", "median", "p90", "p975"],
            )
        )

    @property
    def quantiles(self) -> pd.DataFrame:
        """The ensemble's quantiles: issue, model, p025, p10, median, p90, p975 (empty
        without draws)."""
        e = self.doc.get("ensemble") or {"issues": []}
        return self._keep(
            _frame(
                ({"issue": r["issue"], "model": r["model"], **r["forecast"]} for r in e["issues"]),
                ["issue", "model", "p025", "p10", "median", "p90", "p975"],
            )
        )

    @property
    def thresholds(self) -> pd.DataFrame:
        """Probability of each threshold in the ensemble: issue, model, threshold,
        probability."""
        e = self.doc.get("ensemble") or {"issues": []}
        return self._keep(
            _frame(
                (
                    {"issue": r["issue"], "model": r["model"], "threshold": t[0], "probability": t[1]}
                    for r in e["issues"]
                    for t in r["thresholds"]
                ),
                ["issue", "model", "threshold", "probability"],
            )
        )

    @property
    def retrodiction(self) -> pd.DataFrame:
        """Forecasts against what happened: issue, model, forecast, observed, error,
        error_scaled, thresholds_correct (of thresholds)."""
        return self._keep(
            _frame(
                (
                    {"issue": i["id"], "model": m, "forecast": r["forecast"], "observed": r["observed"],
                     "error": r["error"], "error_scaled": r["error_scaled"],
                     "thresholds_correct": sum(t["correct"] for t in r["thresholds"]),
                     "thresholds": len(r["thresholds"])}
                    for i in self.doc["issues"]
                    for m, r in i["retrodiction"].items()
                ),
                ["issue", "model", "forecast", "observed", "error", "error_scaled",
                 "thresholds_correct", "thresholds"],
            )
        )

    @property
    def profile(self) -> pd.DataFrame:
        """Distances of each forecast to each vector's position: issue, model, actor,
        position, distance (share of the scale)."""
        return self._keep(
            _frame(
                (
                    {"issue": i["id"], "model": m, "actor": d["actor"], "position": d["position"],
                     "distance": d["distance"]}
                    for i in self.doc["issues"]
                    for m, p in i["profile"].items()
                    for d in p["distances"]
                ),
                ["issue", "model", "actor", "position", "distance"],
            )
        )

    @property
    def scores(self) -> pd.DataFrame:
        """Per model: mean scaled error over the issues with an outcome, issues scored, the
        equidistance index, and (with draws) the Brier score of the threshold probabilities."""
        brier = {b["model"]: b["brier"] for b in (self.doc.get("ensemble") or {}).get("brier", [])}
        return self._keep(
            _frame(
                (
                    {"model": m["model"], "mean_error_scaled": m["mean_error_scaled"],
                     "issues_scored": m["issues_scored"], "equidistance": m["equidistance"],
                     "brier": brier.get(m["model"])}
                    for m in self.doc["models"]
                ),
                ["model", "mean_error_scaled", "issues_scored", "equidistance", "brier"],
            )
        )

    @property
    def warnings(self) -> pd.DataFrame:
        """What a reader should be warned about: issue, model, kind, message."""
        return _frame(self.doc.get("warnings", []), ["issue", "model", "kind", "message"])

    def text(self) -> str:
        """The run as ``multivector run`` prints it (the same tables, from the same code):
        the bottom line first, then the forecasts, how they fared and the ensemble."""
        return _core.report_text(self.scenario.core, self._text)

    def report_html(self, view: Optional[str] = None) -> str:
        """The HTML report (what ``multivector run --report`` writes); ``view`` names the
        actor whose position the profile is read from."""
        return _core.report_html(self.scenario.core, self._text, view)

    def plot_intervals(self, model: str = "mean", ax: Any = None) -> Any:
        """The ensemble's 80% and 95% intervals and the point forecast of one model, one row
        per issue, each on its own scale's share (matplotlib)."""
        import matplotlib.pyplot as plt

        q = self.quantiles
        q = q[q["model"] == model]
        if q.empty:
            raise SettingsError(f"no ensemble of model `{model}` in this report (run with draws > 0)")
        issues = self.scenario.issues.set_index("id")
        pt = self.forecasts.set_index(["issue", "model"])["value"]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.45 * len(q) + 1))
        for y, r in enumerate(q.itertuples()):
            lo, hi = issues.loc[r.issue, "scale_min"], issues.loc[r.issue, "scale_max"]
            s = lambda v: 100 * (v - lo) / (hi - lo)  # noqa: E731
            ax.plot([s(r.p025), s(r.p975)], [y, y], color="#9bb", lw=2)
            ax.plot([s(r.p10), s(r.p90)], [y, y], color="#377", lw=6)
            ax.plot(s(pt[(r.issue, model)]), y, "o", color="#c33")
        ax.set_yticks(range(len(q)))
        ax.set_yticklabels(list(q["issue"]))
        ax.set_xlim(0, 100)
        ax.invert_yaxis()  # the first issue on top, as in the tables
        ax.set_xlabel("share of each issue's scale (%)")
        ax.set_title(f"{model}: 80% (thick) and 95% intervals, point forecast (dot)")
        return ax

    def save(self, store: "Store") -> int:
        """Saves the run in a store; returns its id."""
        return store.save(self)


def _check_models(models: Optional[Sequence[str]]) -> Optional[list[str]]:
    if models is None:
        return None
    models = [models] if isinstance(models, str) else list(models)
    bad = [m for m in models if m not in MODELS]
    if bad:
        raise SettingsError(f"`models`: no model {', '.join(bad)}; models: {', '.join(MODELS)}")
    return models


def _draws(draws: Any) -> int:
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 0:
        raise SettingsError(f"`draws`: {draws!r} is not a whole number of draws (0 or more)")
    return draws


def run(
    sc: Union[Scenario, str],
    draws: int = 1000,
    seed: Optional[int] = None,
    models: Optional[Sequence[str]] = None,
    two_level: bool = False,
    population: Optional[str] = None,
    population_variant: Optional[str] = None,
) -> Report:
    """The main job (``multivector run``): every model on every issue, scored against what
    happened, profiled against the vectors, and an ensemble of ``draws`` draws from ``seed``.

    ``models`` limits the DataFrames to some models (all five are run: the bottom line and
    the warnings compare them). ``two_level`` adds the population and bargaining on one time
    axis (``population``: a built-in population or a file; default: the scenario's id).
    """
    sc = _scenario(sc)
    text = _core.run(sc.core, _draws(draws), seed, two_level, population, population_variant)
    return Report(text, sc, _check_models(models))


def compare(sc: Union[Scenario, str], variant: str, draws: int = 1000, seed: Optional[int] = None) -> pd.DataFrame:
    """A variant against the baseline on common random numbers (``multivector compare``):
    one row per issue and model with both point forecasts, their difference and the 80%
    interval of the per-draw difference. The document is in ``.attrs['doc']``."""
    sc = _scenario(sc)
    doc = json.loads(_core.compare(sc.core, variant, _draws(draws), seed))
    rows = []
    for r in doc["rows"]:
        iv = r.get("difference_interval") or {}
        rows.append({k: r[k] for k in ("issue", "model", "baseline", "variant", "difference")}
                    | {"difference_p10": iv.get("p10"), "difference_median": iv.get("median"),
                       "difference_p90": iv.get("p90")})
    df = pd.DataFrame(rows)
    df.attrs["doc"] = doc
    return df


def sensitivity(
    sc: Union[Scenario, str], issue: str, model: str = "bdm-scholz", trajectories: int = 20, seed: Optional[int] = None
) -> pd.DataFrame:
    """Which uncertain inputs move one issue's forecast most (``multivector sensitivity``):
    one row per input with its one-at-a-time swing and Morris mu* (mean absolute change of the
    forecast when the input crosses its range) and sigma, largest mu* first."""
    sc = _scenario(sc)
    doc = json.loads(_core.sensitivity(sc.core, issue, model, trajectories, seed))
    return _frame(
        (
            {"actor": e["input"]["actor"], "field": e["input"]["field"], "base": e["input"]["base"],
             "low": e["input"]["low"], "high": e["input"]["high"], "swing": e["swing"],
             "mu_star": e["mu_star"], "sigma": e["sigma"]}
            for e in doc
        ),
        ["actor", "field", "base", "low", "high", "swing", "mu_star", "sigma"],
    )


class OpinionResult(Result):
    """A simulated population (``multivector opinion``): opinion on a 0-1 scale per group,
    item and sweep, and each poll published beside simulated."""

    @property
    def series(self) -> pd.DataFrame:
        """sweep, date, group (``national``: census-weighted), item, opinion (0-1)."""
        items = self.doc["items"]
        rows = []
        for p in self.doc["series"]:
            for g, vals in list(p["groups"].items()) + [("national", p["national"])]:
                for item, v in zip(items, vals):
                    rows.append({"sweep": p["sweep"], "date": p["date"], "group": g, "item": item, "opinion": v})
        return _frame(rows, ["sweep", "date", "group", "item", "opinion"])

    @property
    def polls(self) -> pd.DataFrame:
        """One row per poll: id, date, sweep, published figures and simulated shares."""
        return _frame(
            (
                {"id": p["id"], "date": p["date"], "sweep": p["sweep"],
                 "observed": json.dumps(p["observed"]), "simulated": p["simulated"]}
                for p in self.doc["polls"]
            ),
            ["id", "date", "sweep", "observed", "simulated"],
        )


def opinion(
    population: str = "kazakhstan", agents: Optional[int] = None, sweeps: Optional[int] = None, seed: Optional[int] = None
) -> OpinionResult:
    """Simulates a population scenario (built-in name or file)."""
    return OpinionResult(_core.opinion(str(population), agents, sweeps, seed))


class CalibrationResult(Result):
    """A calibration (``multivector calibrate``): fitted parameters with approximate 95%
    intervals, and every poll against the fitted model."""

    def text(self) -> str:
        """The calibration as ``multivector calibrate`` prints it (the same code)."""
        return _core.calibration_text(self._text)

    @property
    def params(self) -> pd.DataFrame:
        """name, best, low, high (95% interval)."""
        d = self.doc
        return _frame(
            (
                {"name": p["name"], "best": b, "low": iv[0], "high": iv[1]}
                for p, b, iv in zip(d["params"], d["best"], d["intervals"])
            ),
            ["name", "best", "low", "high"],
        )

    @property
    def polls(self) -> pd.DataFrame:
        """Every poll against the fitted model."""
        return pd.DataFrame(self.doc["polls"])

    @property
    def posterior(self) -> pd.DataFrame:
        """name, median, low90, high90, rhat (empty without a posterior)."""
        d = self.doc
        post = d.get("posterior")
        if post is None:
            return _frame([], ["name", "median", "low90", "high90", "rhat"])
        return _frame(
            (
                {"name": p["name"], "median": m, "low90": iv[0], "high90": iv[1], "rhat": r}
                for p, m, iv, r in zip(d["params"], post["median"], post["interval90"], post["rhat"])
            ),
            ["name", "median", "low90", "high90", "rhat"],
        )

    @property
    def bands(self) -> pd.DataFrame:
        """One row per published figure: poll, answer, published, simulated, band_low,
        band_high (the 90% posterior predictive band), inside, held_out."""
        rows = []
        for p in self.doc["polls"]:
            for k, o in enumerate(p["observed"]):
                band = p.get("bands") or []
                inside = p.get("inside") or []
                rows.append({
                    "poll": p["id"], "answer": o["answer"], "published": o["share"],
                    "simulated": p["simulated"][o["answer"]],
                    "band_low": band[k][0] if k < len(band) else float("nan"),
                    "band_high": band[k][1] if k < len(band) else float("nan"),
                    "inside": inside[k] if k < len(inside) else None,
                    "held_out": p["held_out"],
                })
        return _frame(rows, ["poll", "answer", "published", "simulated", "band_low", "band_high", "inside", "held_out"])


def calibrate(
    population: str = "kazakhstan", agents: int = 5000, budget: int = 200, seed: Optional[int] = None,
    hold_out: Optional[str] = None, chains: int = 4, steps: int = 700, burn: int = 200,
) -> CalibrationResult:
    """Fits the population's free parameters to its polls, one poll held out, then samples
    their posterior (``chains=0`` skips it) for intervals and predictive bands."""
    return CalibrationResult(
        _core.calibrate(str(population), agents, budget, seed, hold_out, chains, steps, burn)
    )


class BacktestResult(Result):
    """Every model scored against real outcomes (``multivector backtest``)."""

    @property
    def scores(self) -> pd.DataFrame:
        """Per model: n, MAE, RMSE, median absolute error, share closer than the weighted
        mean, and MAE minus the mean's, each with its 95% bootstrap interval."""
        rows = []
        for s in self.doc["scores"]:
            row = {"model": s["model"], "n": s["n"]}
            for k in ("mae", "rmse", "median_ae", "closer_than_mean", "mae_minus_mean"):
                row[k] = s[k]["value"]
                row[f"{k}_low"] = s[k]["low"]
                row[f"{k}_high"] = s[k]["high"]
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def rows(self) -> pd.DataFrame:
        """One row per issue and model (long format)."""
        return pd.DataFrame(self.doc["rows"])

    @property
    def probabilistic(self) -> pd.DataFrame:
        """CRPS, coverage and PIT per model (empty without draws)."""
        return pd.DataFrame(self.doc["probabilistic"])


def backtest(
    path: str, capabilities: str = "equal", missing_salience: str = "drop", bootstrap: int = 1000,
    draws: int = 0, seed: Optional[int] = None, folds: int = 10,
) -> BacktestResult:
    """Scores every shipped model on a DEU file of real EU decisions and their outcomes."""
    return BacktestResult(_core.backtest(str(path), capabilities, missing_salience, bootstrap, _draws(draws), seed, folds))


def align(
    data: str, focal: str, vs: Sequence[str], by: str = "year", start: Optional[int] = None, end: Optional[int] = None
) -> pd.DataFrame:
    """Agreement of ``focal`` with each partner in UN General Assembly votes (``multivector
    align``): period, partner, roll calls, joint votes, agreement, half-agreement, S-score,
    kappa. ``vs`` takes ISO3 codes, UN names, or ``EU``."""
    vs = [vs] if isinstance(vs, str) else list(vs)
    rows = json.loads(_core.align(str(data), focal, vs, by, start, end))
    out = []
    for r in rows:
        d = r.get("dyad") or {}
        out.append({"period": r["period"], "partner": r["partner"], "rollcalls": r["rollcalls"],
                    "joint": d.get("joint", 0), "agreement": d.get("agreement"),
                    "half_agreement": d.get("half_agreement"), "s_score": d.get("s_score"),
                    "kappa": d.get("kappa")})
    return _frame(out, ["period", "partner", "rollcalls", "joint", "agreement", "half_agreement", "s_score", "kappa"])


def votes(data: str, symbol: str) -> pd.DataFrame:
    """How every state voted on the roll calls whose label matches ``symbol`` (``multivector
    votes``): one row per roll call and state; totals in ``.attrs['totals']``."""
    doc = json.loads(_core.votes(str(data), symbol))
    df = _frame(
        ({"date": r["date"], "label": r["label"], "state": s, "vote": v} for r in doc for s, v in r["votes"]),
        ["date", "label", "state", "vote"],
    )
    df.attrs["totals"] = [{k: r[k] for k in ("date", "label", "yes", "no", "abstain", "absent", "non_member")} for r in doc]
    return df


class Store:
    """The run store (SQLite), shared with the CLI's ``runs`` commands and the web app."""

    def __init__(self, path: str):
        self._core = _core.Store(str(path))
        self.path = str(path)

    def list(self) -> pd.DataFrame:
        """Every run: id, created, command, scenario, scenario_hash, seed, draws."""
        return _frame(json.loads(self._core.list()),
                      ["id", "created", "command", "scenario", "scenario_hash", "seed", "draws"])

    def save(self, report: Report) -> int:
        """Saves a run report; returns its id. Edits made in Python are kept in the document."""
        return self._core.save(report.scenario.core, report.to_json(), "run")

    def load(self, id: int) -> Report:
        """Run ``id`` as a report (with its scenario rebuilt from the stored text and edits)."""
        text = self._core.document(id)
        edits = [(e["actor"], e["issue"], e["field"], e["value"]) for e in json.loads(text).get("edits", [])]
        sc = Scenario(_core.Scenario(f"run {id}", self._core.scenario_text(id), "auto", edits))
        return Report(text, sc)

    def delete(self, id: int) -> None:
        """Deletes run ``id``."""
        self._core.delete(id)

