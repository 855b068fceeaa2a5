"""Every call of the Python API against the CLI's JSON on the same inputs (the CLI is the
independent front end over the same library: the documents must be equal, character for
character), the errors a notebook user meets, pickling, and the GIL released while Rust runs."""

import json
import math
import pickle
import threading

import pandas as pd
import pytest

import multivector as mv


def test_run_equals_the_cli_document(cli):
    sc = mv.scenario("kazakhstan")
    rep = mv.run(sc, draws=200, seed=7)
    text = cli("run", "--draws", "200", "--seed", "7", "--format", "json", "--no-store", "-q", parse=False)
    assert rep.to_json() == text
    # The DataFrames are the document's numbers, in long format.
    doc = json.loads(text)
    f = rep.forecasts.set_index(["issue", "model"])["value"]
    assert f[("recognition", "smp")] == doc["issues"][0]["forecasts"]["smp"]["value"]
    assert len(rep.forecasts) == len(doc["issues"]) * len(mv.MODELS)
    q = rep.quantiles.set_index(["issue", "model"])
    e0 = doc["ensemble"]["issues"][0]
    assert q.loc[(e0["issue"], e0["model"]), "p90"] == e0["forecast"]["p90"]
    th = rep.thresholds
    assert set(th.columns) == {"issue", "model", "threshold", "probability"}
    assert th["probability"].between(0, 1).all()
    assert rep.retrodiction["error"].ge(0).all()
    assert set(rep.profile["actor"]) >= {"RUS", "CHN", "EU", "USA"}
    tr = rep.trajectories
    assert set(tr["model"]) == {"bdm-scholz", "bdm-paper", "smp"}
    fan = rep.fans
    assert set(fan["model"]) == {"bdm-scholz", "bdm-paper", "smp"}
    assert (fan["p10"] <= fan["median"]).all() and (fan["median"] <= fan["p90"]).all()
    assert rep.bottom_line["issue"].tolist() == [i["id"] for i in doc["issues"]]
    assert set(rep.scores["model"]) == set(mv.MODELS)
    assert rep.settings["seed"] == 7


def test_models_limit_the_frames_and_unknown_models_are_refused():
    rep = mv.run("kazakhstan", draws=0, models=["smp", "mean"])
    assert set(rep.forecasts["model"]) == {"smp", "mean"}
    assert rep.quantiles.empty
    with pytest.raises(mv.SettingsError, match="no model bdm"):
        mv.run("kazakhstan", draws=0, models=["bdm"])


def test_two_level_equals_the_cli(cli):
    rep = mv.run("kazakhstan", draws=0, two_level=True)
    text = cli("run", "--draws", "0", "--two-level", "--format", "json", "--no-store", "-q", parse=False)
    assert rep.to_json() == text
    assert rep.doc["two_level"]["points"] if "points" in rep.doc["two_level"] else rep.doc["two_level"]


def test_compare_sensitivity_equal_the_cli(cli):
    sc = mv.scenario("kazakhstan")
    variant = sc.variants["name"].iloc[0]
    df = mv.compare(sc, variant, draws=100, seed=3)
    doc = cli("compare", "--variant", variant, "--draws", "100", "--seed", "3", "--format", "json", "-q")
    assert df.attrs["doc"] == doc
    assert len(df) == len(doc["rows"])
    assert df["difference"].tolist() == [r["difference"] for r in doc["rows"]]

    s = mv.sensitivity(sc, "recognition", model="smp", trajectories=5, seed=2)
    doc = cli("sensitivity", "--issue", "recognition", "--model", "smp", "--trajectories", "5", "--seed", "2",
              "--format", "json", "-q")
    rows = doc["effects"] if isinstance(doc, dict) else doc
    assert s["mu_star"].tolist() == [r["mu_star"] for r in rows]
    assert s["actor"].tolist() == [r["input"]["actor"] for r in rows]


def test_opinion_and_calibration_equal_the_cli(cli):
    o = mv.opinion(agents=2000, sweeps=30, seed=4)
    assert o.doc == cli("opinion", "--agents", "2000", "--sweeps", "30", "--seed", "4", "--format", "json", "-q")
    s = o.series
    assert set(s["group"]) >= {"national"}
    assert s["opinion"].between(0, 1).all()

    c = mv.calibrate(agents=500, budget=4, seed=4)
    assert c.doc == cli("calibrate", "--agents", "500", "--budget", "4", "--seed", "4", "--format", "json", "-q")
    p = c.params
    assert (p["low"] <= p["best"]).all() and (p["best"] <= p["high"]).all()
    with pytest.raises(mv.SettingsError, match="budget"):
        mv.calibrate(budget=0)


def test_backtest_equals_the_cli(cli, deu_file):
    b = mv.backtest(deu_file, bootstrap=50, seed=1)
    assert b.doc == cli("backtest", str(deu_file), "--bootstrap", "50", "--seed", "1", "--format", "json", "-q")
    sc = b.scores.set_index("model")
    assert sc.loc["mean", "n"] == 4
    # Issue p1i1 by hand: salience-weighted mean of 100 (50), 0 (50), 50 (100), 20 (60)
    # = (5000 + 0 + 5000 + 1200) / 260 = 43.0769...; the outcome is 60.
    rows = b.rows
    r = rows[(rows["issue"] == "p1i1") & (rows["model"] == "mean")].iloc[0]
    assert math.isclose(r["forecast"], 11200 / 260, rel_tol=1e-12)


def test_align_and_votes_match_the_cli(cli, vote_dir):
    a = mv.align(vote_dir, "Kazakhstan", ["RUS", "USA"])
    row = a[(a["period"] == 2021) & (a["partner"] == "RUS")].iloc[0]
    # 2021 vs RUS: (Y,Y), (A,N): agreement 1/2, half-agreement 3/4 (by hand).
    assert (row["agreement"], row["half_agreement"]) == (0.5, 0.75)
    doc = cli("align", "--data", str(vote_dir), "--focal", "KAZ", "--vs", "RUS,USA", "--format", "json", "-q")
    flat = json.dumps(doc)
    assert str(row["s_score"]) in flat
    v = mv.votes(vote_dir, "A/RES/ES-11/1")
    assert dict(zip(v["state"], v["vote"])) == {"KAZ": "A", "RUS": "N", "USA": "Y"}
    t = v.attrs["totals"][0]
    ref = cli("votes", "--data", str(vote_dir), "--resolution", "A/RES/ES-11/1", "--format", "json", "-q")
    rc = ref["rollcalls"][0]
    assert (t["yes"], t["no"], t["abstain"]) == (rc["yes"], rc["no"], rc["abstain"]) == (1, 1, 1)
    with pytest.raises(mv.SettingsError, match="Atlantis"):
        mv.align(vote_dir, "Atlantis", ["RUS"])


def test_scenario_frames_and_edits():
    sc = mv.scenario("kazakhstan")
    st = sc.stances
    assert len(st) == 110 and sc.salience_scale == 100.0
    assert set(sc.actors["id"]) >= {"KAZ", "RUS", "CHN"}
    assert len(sc.issues) == 11 and not sc.evidence.empty
    base = st[(st["actor"] == "KAZ") & (st["issue"] == "recognition")].iloc[0]
    edited = sc.edit(pd.DataFrame({"actor": ["KAZ"], "issue": ["recognition"], "position": [3.0], "salience": [40]}))
    est = edited.stances
    row = est[(est["actor"] == "KAZ") & (est["issue"] == "recognition")].iloc[0]
    assert (row["position"], row["salience"]) == (3.0, 40.0)
    # The original is untouched; a dict edit does the same.
    assert sc.stances.equals(st)
    same = sc.edit({("KAZ", "recognition"): {"position": 3.0, "salience": 40}})
    assert same.stances.equals(est)
    assert edited.edits.to_dict("records")[0] == {"actor": "KAZ", "issue": "recognition", "field": "position", "value": 3.0}
    # The edit reaches the models: the weighted mean moves by the hand-computed amount.
    r0 = mv.run(sc, draws=0).forecasts.set_index(["issue", "model"])["value"]
    r1 = mv.run(same, draws=0).forecasts.set_index(["issue", "model"])["value"]
    assert r0[("recognition", "mean")] != r1[("recognition", "mean")]
    assert base["position"] != 3.0


def test_bad_edits_raise_located_errors():
    sc = mv.scenario("kazakhstan")
    with pytest.raises(mv.ScenarioError) as e:
        sc.edit({("ZZZ", "recognition"): {"position": 1}})
    assert isinstance(e.value, ValueError)
    assert (e.value.field, e.value.line, e.value.file) == ("actor", 1, "dict")
    assert "KAZ" in e.value.hint
    with pytest.raises(mv.ScenarioError) as e:
        sc.edit(pd.DataFrame({"actor": ["KAZ", "KAZ"], "issue": ["recognition", "recognition"],
                              "salience": [50, float("nan")]}))
    assert (e.value.field, e.value.line, e.value.record) == ("salience", 2, "stance of `KAZ` on `recognition`")
    assert len(e.value.errors) == 1
    with pytest.raises(mv.SettingsError, match="not a number"):
        sc.edit({("KAZ", "recognition"): {"position": "high"}})
    with pytest.raises(mv.SettingsError):
        sc.edit({("KAZ", "recognition"): {"mood": 3}})
    with pytest.raises(mv.SettingsError):
        sc.edit([("KAZ", "recognition", "position", 3)])
    with pytest.raises(mv.SettingsError, match="draws"):
        mv.run(sc, draws=-5)
    with pytest.raises(mv.SettingsError, match="draws"):
        mv.run(sc, draws=10**9)
    with pytest.raises(mv.SettingsError, match="no variant"):
        mv.compare(sc, "nope", draws=0)
    with pytest.raises(mv.SettingsError, match="threads"):
        mv._core.run(sc.core, 10, None, False, None, None, 0)


def test_bad_files_raise_located_errors(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('format_version = 1\n[scenario]\nid = "x"\nname = "X"\nsalience_scale = "0-100"\n'
                 '[[actors]]\nid = "A"\nkind = "state"\ncapability = "lots"\n')
    with pytest.raises(mv.ScenarioError) as e:
        mv.load(p)
    assert (e.value.file, e.value.line) == (str(p), 9)
    assert "lots" in str(e.value) and "without quotes" in e.value.hint
    with pytest.raises(mv.ScenarioError):
        mv.load(tmp_path / "missing.toml")
    with pytest.raises(mv.SettingsError):
        mv.scenario("atlantis")


def test_scenarios_pickle_with_their_edits():
    sc = mv.scenario("kazakhstan").edit({("KAZ", "recognition"): {"position": 3.0}})
    back = pickle.loads(pickle.dumps(sc))
    assert back.stances.equals(sc.stances)
    assert mv.run(back, draws=20, seed=1).to_json() == mv.run(sc, draws=20, seed=1).to_json()


def test_store_round_trip_and_report(tmp_path, cli):
    store = mv.Store(tmp_path / "runs.db")
    sc = mv.scenario("kazakhstan").edit({("KAZ", "recognition"): {"position": 3.0}})
    rep = mv.run(sc, draws=50, seed=9)
    rid = rep.save(store)
    runs = store.list()
    assert runs["id"].tolist() == [rid] and runs["seed"].tolist() == [9]
    back = store.load(rid)
    assert back.forecasts.equals(rep.forecasts)
    assert back.scenario.edits.equals(sc.edits)
    # The CLI reads the same store.
    listed = cli("runs", "list", "--db", str(tmp_path / "runs.db"), "--format", "json", "-q")
    assert [r["id"] for r in (listed["runs"] if isinstance(listed, dict) else listed)] == [rid]
    html = rep.report_html()
    assert html.lower().startswith("<!doctype html>") and "recognition" in html


def test_the_gil_is_released_while_rust_runs():
    sc = mv.scenario("kazakhstan")
    done = threading.Event()
    ticks = 0

    def work():
        mv.run(sc, draws=3000, seed=1)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
    t.join()
    # Holding the GIL for the whole run would leave this thread a handful of switches.
    assert ticks > 10_000, ticks


def test_the_text_is_what_the_cli_prints(cli):
    # One renderer under both front ends: the notebook's text and the shell's table agree
    # to the byte on the same run.
    rep = mv.run(mv.scenario("kazakhstan"), draws=40, seed=5)
    shell = cli("run", "--draws", "40", "--seed", "5", "--no-store", "-q", parse=False)
    assert rep.text() == shell
    assert rep.text().startswith("Bottom line for `kazakhstan`")


def test_the_calibration_text_is_what_the_cli_prints(cli):
    cal = mv.calibrate(agents=400, budget=6, chains=0, seed=3)
    shell = cli("calibrate", "--agents", "400", "--budget", "6", "--chains", "0", "--seed", "3", "-q", parse=False)
    assert cal.text() == shell
    assert cal.text().startswith("Calibration of `kazakhstan-population`")
