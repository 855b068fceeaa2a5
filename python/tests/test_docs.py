"""docs/python.md's worked example runs as written (every ```python block, in order, in one
namespace, in a scratch folder), so the documentation stays true."""

import os
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_worked_example_runs(tmp_path, monkeypatch):
    text = (ROOT / "docs/python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "__main__"}
    for block in blocks:
        exec(compile(block, "docs/python.md", "exec"), ns)
    # What the example claims it made.
    assert (tmp_path / "intervals.png").stat().st_size > 10_000
    assert (tmp_path / "report.html").read_text().lower().startswith("<!doctype html>")
    assert ns["store"].list()["id"].tolist() == [ns["run_id"]]
    assert ns["diff"]["difference"].notna().all()
    assert os.path.exists(tmp_path / "multivector.db")
