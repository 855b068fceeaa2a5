"""Fixtures: the CLI binary the bindings are checked against, and small data files."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def cli_path() -> pathlib.Path:
    env = os.environ.get("MULTIVECTOR_BIN")
    candidates = [pathlib.Path(env)] if env else [ROOT / "target/release/multivector", ROOT / "target/debug/multivector"]
    for c in candidates:
        if c.is_file():
            return c
    # The CLI is the independent reference of these tests: without it they fail, never skip.
    raise RuntimeError(
        "the multivector CLI binary is needed as the reference: build it with "
        "`cargo build --release -p multivector-cli` or set MULTIVECTOR_BIN"
    )


@pytest.fixture(scope="session")
def cli():
    path = cli_path()

    def call(*args: str, parse: bool = True):
        out = subprocess.run([str(path), *args], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if parse else out.stdout

    return call


ROLLCALLS = (
    "rollcall_id,source,date,year,label,title\n"
    "r1,t,2021-03-01,2021,A/RES/1,One\nr2,t,2021-10-01,2021,A/RES/2,Two\n"
    "r3,t,2022-03-02,2022,A/RES/ES-11/1,Aggression\n"
)
VOTES = (
    "rollcall_id,iso3,vote\nr1,KAZ,Y\nr1,RUS,Y\nr1,USA,N\nr2,KAZ,A\nr2,RUS,N\nr2,USA,Y\n"
    "r3,KAZ,A\nr3,RUS,N\nr3,USA,Y\n"
)

# Two proposals of DEU's layout with three actors each (positions 0-100, saliences 0-100).
DEU = (
    "prnr\tisnr\tproc\tcounvte\tintro\tpcom\tpep\tpde\tpfr\tscom\tsep\tsde\tsfr\trp\tout\n"
    "p1\tp1i1\tCOD\tQMV\t26-01-00\t100\t0\t50\t20\t50\t50\t100\t60\t0\t60\n"
    "p1\tp1i2\tCOD\tQMV\t26-01-00\t0\t100\t30\t80\t70\t40\t90\t50\t50\t40\n"
    "p2\tp2i1\tCNS\tUNA\t03-05-05\t80\t20\t60\t\t60\t80\t50\t\t0\t70\n"
    "p2\tp2i2\tCNS\tUNA\t03-05-05\t10\t90\t40\t70\t30\t30\t90\t40\t100\t50\n"
)


@pytest.fixture()
def vote_dir(tmp_path):
    (tmp_path / "unga_votes_t.csv").write_text(VOTES)
    (tmp_path / "unga_rollcalls_t.csv").write_text(ROLLCALLS)
    return tmp_path


@pytest.fixture()
def deu_file(tmp_path):
    p = tmp_path / "deu.tsv"
    p.write_text(DEU)
    return p
