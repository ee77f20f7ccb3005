"""End to end: `python -m evaluation run` on the default dataset, run records, failures."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest

from conftest import SHORT_BOOTSTRAP, edit_csv
from evaluation.cli import main
from evaluation.metrics import read_metrics
from evaluation.paths import DEFAULT_DATASET
from evaluation.runs import RunError, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "default"
    result = run(DEFAULT_DATASET, out)
    assert result.ok, result.notebooks
    return out


def test_run_folder_holds_notebooks_html_metrics_and_record(default_run):
    names = sorted(p.name for p in default_run.iterdir())
    assert "00_dataset_overview.ipynb" in names and "00_dataset_overview.html" in names
    assert "metrics.json" in names and "run.json" in names
    record = json.loads((default_run / "run.json").read_text())
    assert record["status"] == "ok"
    for name, digest in record["dataset"]["files"].items():
        assert digest == hashlib.sha256((DEFAULT_DATASET / name).read_bytes()).hexdigest()
    assert {"pandas", "lifelines", "papermill", "python"} <= set(record["versions"])
    assert set(record["git"]) == {"commit", "dirty"}
    assert all(nb["status"] == "ok" and nb["seconds"] > 0 for nb in record["notebooks"])
    assert record["started"] <= record["ended"]


def test_a_run_records_the_locked_versions(default_run):
    """Issue 26: `make install` installs requirements/lock.txt exactly (hash-checked), so a run made
    in that environment records the lock's version of every package it names (scikit-survival,
    a benchmark peer outside the lock, as not installed)."""
    from evaluation.paths import ROOT

    lock = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)", (ROOT / "requirements" / "lock.txt").read_text(), re.M))
    lock = {name.lower().replace("_", "-"): version for name, version in lock.items()}
    recorded = json.loads((default_run / "run.json").read_text())["versions"]
    assert recorded["python"].rsplit(".", 1)[0] == (ROOT / ".python-version").read_text().strip()
    in_lock = {name: version for name, version in recorded.items() if name != "python"}
    assert {name: lock.get(name) for name in in_lock} == in_lock


def test_overview_metrics_are_the_counts_in_clients_csv(default_run):
    metrics = read_metrics(default_run)
    # counted independently of the package: read clients.csv with the csv module
    import csv

    with open(DEFAULT_DATASET / "clients.csv", newline="") as handle:
        outcomes = [row["outcome"] for row in csv.DictReader(handle)]
    employed = sum(o in ("employed_open", "employed_subsidised") for o in outcomes)
    assert metrics["clients.n"] == len(outcomes) == 150
    assert metrics["outcomes.employment.n"] == employed
    assert metrics["outcomes.employment.share"] == pytest.approx(employed / 150)
    groups = ("employment", "activation", "retirement", "other", "censored")
    assert sum(metrics[f"outcomes.{g}.n"] for g in groups) == 150
    assert sum(metrics[f"outcomes.{g}.share"] for g in groups) == pytest.approx(1.0)


def test_invalid_dataset_writes_nothing_and_keeps_the_earlier_run(default_run, tmp_path, capsys):
    before = (default_run / "metrics.json").read_bytes()
    bad = tmp_path / "bad"
    shutil.copytree(DEFAULT_DATASET, bad)
    edit_csv(bad / "clients.csv", 3, "outcome", "hired")
    assert main(["run", str(bad), "--out", str(default_run)]) == 2
    err = capsys.readouterr().err
    assert "clients.csv, line 3, column outcome: value 'hired'" in err
    assert "Traceback" not in err
    assert (default_run / "metrics.json").read_bytes() == before
    assert not list(default_run.parent.glob(".*partial"))


def test_unknown_parameter_is_refused_with_the_known_ones(tmp_path):
    with pytest.raises(RunError, match="unknown parameter.*horizonz"):
        run(DEFAULT_DATASET, tmp_path / "x", parameters={"horizonz": [1]})
    assert not (tmp_path / "x").exists()


def test_reproduction_metrics_and_figures(default_run):
    metrics = read_metrics(default_run)
    # the study's months of the official series (monthly.csv holds 2014-01..2020-12)
    assert metrics["monthly.period.start"] == "2016-06" and metrics["monthly.period.end"] == "2019-05"
    # by hand from monthly.csv: 2016-06 402 unemployed, 2019-05 208
    assert metrics["monthly.unemployed.start"] == 402 and metrics["monthly.unemployed.end"] == 208
    assert metrics["monthly.unemployed.change_pct"] == pytest.approx(100 * (208 - 402) / 402)
    assert metrics["monthly.source"] == "official"
    import csv

    with open(DEFAULT_DATASET / "placements.csv", newline="") as handle:
        company = sum(row["sector"] == "company" for row in csv.DictReader(handle))
    assert metrics["placements.company.n"] == company
    statuses = {k.split(".")[1]: v for k, v in metrics.items() if k.startswith("targets.") and k.endswith(".status")}
    assert statuses["unemployed_start"] == statuses["share_employed"] == "pass"
    assert statuses["activation_2019_01"] == "not reproducible from public statistics"
    # official context between like months, the project's first (2016-06) and the same month three
    # years later: Haapavesi 402 and 222, the country 366,086 and 254,176 (StatFin 12r5), so the rest
    # of the country gives 402 x (254,176 - 222) / (366,086 - 402) = about 279
    assert metrics["official.period.start"] == "2016-06" and metrics["official.period.end"] == "2019-06"
    assert metrics["official.unemployed.start"] == 402 and metrics["official.unemployed.end"] == 222
    assert metrics["official.trend.country.expected_end"] == pytest.approx(402 * (254_176 - 222) / (366_086 - 402))
    figures = {p.name for p in (default_run / "figures").iterdir()}
    for name in (
        "kaavio1_unemployed_by_month",
        "kaavio2_placements_by_sector",
        "unemployed_indexed_by_area",
        "activation_rate_by_month",
        "clients_by_outcome",
    ):
        assert {f"{name}.png", f"{name}.svg"} <= figures


def test_another_municipality_and_period_runs_without_targets(tmp_path):
    from conftest import another_municipality

    folder = another_municipality(tmp_path / "oulainen")  # dataset.yaml: language: en
    result = run(folder, tmp_path / "out")  # no lang given: the dataset's language (issue 17)
    assert result.ok, result.notebooks
    # the figure is the English one, byte for byte (figures are byte-stable)
    from evaluation import load_dataset
    from evaluation.figures import cumulative_incidence_panels, save_figure, use_style
    from evaluation.survival import competing_risks_data, cumulative_incidence

    use_style()
    ds = load_dataset(folder)
    cif = cumulative_incidence(*competing_risks_data(ds.clients))
    english = save_figure(
        cumulative_incidence_panels(cif, level=95, min_at_risk=10, lang="en", synthetic=True), tmp_path / "en", "panels"
    )
    run_svg = (tmp_path / "out" / "figures" / "cumulative_incidence_panels.svg").read_bytes()
    assert english["svg"].read_bytes() == run_svg
    metrics = read_metrics(tmp_path / "out")
    assert metrics["monthly.period.start"] == "2020-03"
    assert not [k for k in metrics if k.startswith("targets.")]
    html = (tmp_path / "out" / "01_reproduce_report_figures.html").read_text()
    assert "no published targets" in html


def test_strict_run_fails_on_a_missed_target_and_keeps_the_partial_notebook(tmp_path):
    bad = tmp_path / "missed"
    shutil.copytree(DEFAULT_DATASET, bad)
    edit_csv(bad / "placements.csv", 2, "subsidy_eur", "90000.00")  # the euro shares no longer 48/32 %
    good = tmp_path / "out"
    good.mkdir()  # an earlier good run
    (good / "run.json").write_text(json.dumps({"dataset": {}, "notebooks": [], "status": "ok"}))
    (good / "metrics.json").write_text('{"marker": "earlier good run"}')
    assert main(["run", str(bad), "--out", str(good), "--only", "01_reproduce_report_figures", "--strict"]) == 1
    assert (good / "metrics.json").read_text() == '{"marker": "earlier good run"}'
    failed = tmp_path / "out.failed"
    record = json.loads((failed / "run.json").read_text())
    assert record["status"] == "failed"
    (nb,) = record["notebooks"]
    assert nb["error"].startswith("TargetsMissed: 2 published target(s) missed: subsidy_share_company")
    assert (failed / "01_reproduce_report_figures.ipynb").exists()


def test_sector_metrics(default_run):
    metrics = read_metrics(default_run)
    import csv

    with open(DEFAULT_DATASET / "placements.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)]
    company = [r for r in rows if r["sector"] == "company"]
    continued = sum(r["continued"] == "true" for r in company)
    assert metrics["sectors.company.placements"] == len(company)
    assert metrics["sectors.company.continuation_rate"] == pytest.approx(continued / len(company))
    assert metrics["sectors.company.continuation_rate.lower"] < continued / len(company)
    euros = sum(float(r["subsidy_eur"]) for r in company) / sum(float(r["subsidy_eur"]) for r in rows)
    assert metrics["sectors.company.subsidy_share"] == pytest.approx(euros)
    for key in (
        "risk_difference",
        "risk_difference.lower",
        "risk_difference.upper",
        "odds_ratio",
        "odds_ratio.lower",
        "odds_ratio.upper",
        "fisher_p",
        "barnard_p",
    ):
        assert isinstance(metrics[f"sectors.company_vs_association.{key}"], float), key


def test_sector_notebook_with_a_missing_sector_and_all_continued(tmp_path):
    import pandas as pd

    folder = tmp_path / "nosector"
    shutil.copytree(DEFAULT_DATASET, folder)
    frame = pd.read_csv(folder / "placements.csv", dtype=str, keep_default_na=False)
    frame = frame.loc[frame["sector"] != "association"]
    frame.loc[frame["sector"] == "company", "continued"] = "true"
    frame.to_csv(folder / "placements.csv", index=False)
    result = run(folder, tmp_path / "out", only=["03_sector_outcomes"])
    assert result.ok, result.notebooks
    metrics = read_metrics(tmp_path / "out")
    assert "sectors.association.placements" not in metrics
    assert metrics["sectors.company.continuation_rate"] == 1.0
    assert metrics["sectors.company.continuation_rate.upper"] == 1.0
    assert metrics["sectors.company_vs_association.odds_ratio"] is None
    html = (tmp_path / "out" / "03_sector_outcomes.html").read_text()
    assert "not estimable" in html and "NaN" not in html


def test_survival_metrics(default_run):
    metrics = read_metrics(default_run)
    for g in ("employment", "activation", "retirement", "other"):
        for h in (180, 365):
            key = f"cif.{g}.{h}d"
            assert metrics[f"{key}.lower"] <= metrics[key] <= metrics[f"{key}.upper"]
        # fewer than min_at_risk (10) clients are still followed at 730 days: not estimable (issue 24, item 8)
        assert metrics[f"cif.{g}.730d"] is None
    assert metrics["km.employment_without_competing.median_days"] > 0
    for c in ("long_term_unemployed", "age_group", "sex", "health_limitations"):
        assert 0 <= metrics[f"logrank.employment.{c}.p"] <= 1
        assert 0 <= metrics[f"gray.employment.{c}.p"] <= 1
    assert metrics["cox.employment.hr.long_term_unemployed.lower"] < metrics["cox.employment.hr.long_term_unemployed"]
    assert "cox.employment.hr.education_level=tertiary.p" in metrics
    assert "finegray.employment.shr.age_at_entry.upper" in metrics
    assert 0 < metrics["rmst.180d"] <= 180 and metrics["rmst.365d"] <= 365 and metrics["rmst.730d"] is None


def test_survival_notebook_without_optional_columns(tmp_path):
    import pandas as pd

    folder = tmp_path / "lean"
    shutil.copytree(DEFAULT_DATASET, folder)
    frame = pd.read_csv(folder / "clients.csv", dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["age_at_entry", "sex", "education_level"])
    frame.to_csv(folder / "clients.csv", index=False)
    result = run(
        folder,
        tmp_path / "out",
        only=["02_time_to_employment"],
        parameters={"horizons": [90, 365, 5000], **SHORT_BOOTSTRAP},
    )
    assert result.ok, result.notebooks
    metrics = read_metrics(tmp_path / "out")
    assert metrics["cif.employment.5000d"] is None  # beyond follow-up: not estimable
    assert metrics["logrank.employment.sex.p"] is None
    assert "cox.employment.hr.long_term_unemployed" in metrics
    assert not [k for k in metrics if "age_at_entry" in k]


def test_relative_paths_typed_in_a_notebook_mean_the_repository(tmp_path, monkeypatch):
    """In JupyterLab a notebook runs in notebooks/: a researcher's "data/..." and "reports/..."
    are the repository's folders, never new folders inside the committed notebooks/."""
    from evaluation.paths import DEFAULT_DATASET, NOTEBOOKS, REPORTS, ROOT, default_output_dir, resolve_dataset

    monkeypatch.chdir(NOTEBOOKS)
    assert resolve_dataset("data/synthetic/wassup") == ROOT / "data/synthetic/wassup"
    assert resolve_dataset(None) == DEFAULT_DATASET
    assert resolve_dataset(str(tmp_path)) == tmp_path
    assert default_output_dir("reports/mine") == REPORTS / "mine"
    assert default_output_dir(None) == REPORTS / "interactive"
    assert default_output_dir(str(tmp_path)) == tmp_path


def test_every_duration_zero_gives_no_warning_in_the_notebook(dataset_copy, tmp_path):
    """Issue 17: matplotlib and numpy RuntimeWarnings in notebook 02 when every exit is on the
    day of enrolment (the PH test's time trend is then 0/0)."""
    import pandas as pd

    path = dataset_copy / "clients.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["exit_date"] = frame["enrolled"]
    frame.to_csv(path, index=False)
    result = run(dataset_copy, tmp_path / "out", only=["02_time_to_employment"], parameters=SHORT_BOOTSTRAP)
    assert result.ok, result.notebooks
    nb = json.loads((tmp_path / "out" / "02_time_to_employment.ipynb").read_text())
    streams = [
        ("".join(o.get("text", "")), o.get("name"))
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    ]
    assert not [text for text, name in streams if name == "stderr"]
    assert any("PH test not estimable: every event happened at the same time" in t for t, _ in streams)


def test_counterfactual_for_another_municipality_and_period(tmp_path, capsys):
    """Issue 14: `run DATASET --only 04_counterfactual -p treated 069 -p treatment_start 2015-01
    -p post_end 2017-12`: Haapajärvi, another window; 069 stays text (YAML reads 071 as octal)."""
    out = tmp_path / "haapajarvi"
    assert (
        main(
            [
                "run",
                str(DEFAULT_DATASET),
                "--out",
                str(out),
                "--only",
                "04_counterfactual",
                "-p",
                "treated",
                "069",
                "-p",
                "treatment_start",
                "2015-01",
                "-p",
                "post_end",
                "2017-12",
            ]
        )
        == 0
    )
    metrics = read_metrics(out)
    assert metrics["counterfactual.treated"] == "KU069"
    assert metrics["counterfactual.donors.n"] >= 100
    weights = [v for k, v in metrics.items() if k.startswith("counterfactual.scm.weights.")]
    assert sum(weights) == pytest.approx(1, abs=0.01) and "counterfactual.scm.weights.KU069" not in metrics
    html = (out / "04_counterfactual.html").read_text()
    assert "Haapajärvi" in html and "joulukuu 2017" in html  # the conclusion names the month in words


def test_a_code_typed_as_a_number_and_a_panel_relative_to_the_callers_folder(tmp_path, monkeypatch, capsys):
    """Issue 24 items 18 and 19, as the referee typed them: `-p treated 535` (YAML reads a
    number) was refused, and `-p panel <relative path>` was "missing" (the kernel runs in
    notebooks/).  Typed in a folder that is neither notebooks/ nor the repository: Nivala (535)
    is analysed on that panel file."""
    from evaluation.paths import STATFIN

    shutil.copy(STATFIN / "statfin_tyonv_12r5.csv.gz", tmp_path / "my_panel.csv.gz")
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            [
                "run",
                str(DEFAULT_DATASET),
                "--out",
                "nivala",
                "--only",
                "04_counterfactual",
                "-p",
                "treated",
                "535",
                "-p",
                "panel",
                "my_panel.csv.gz",
            ]
        )
        == 0
    ), capsys.readouterr().err
    record = json.loads((tmp_path / "nivala" / "run.json").read_text())
    assert record["parameters"] == {"treated": "535", "panel": str(tmp_path / "my_panel.csv.gz")}
    assert read_metrics(tmp_path / "nivala")["counterfactual.treated"] == "KU535"
    assert "Nivala" in (tmp_path / "nivala" / "04_counterfactual.html").read_text()


def test_counterfactual_of_a_municipality_not_in_the_panel_records_nothing(dataset_copy, tmp_path):
    meta = dataset_copy / "dataset.yaml"
    meta.write_text(meta.read_text().replace("municipality_code: '071'", "municipality_code: '999'"))
    result = run(dataset_copy, tmp_path / "out", only=["04_counterfactual"])
    assert result.ok, result.notebooks
    assert not [k for k in read_metrics(tmp_path / "out") if k.startswith("counterfactual.")]
    assert (
        "No counterfactual: the dataset's municipality code '999' is not in the official panel"
        in (tmp_path / "out" / "04_counterfactual.html").read_text()
    )


def test_an_explicit_treated_code_not_in_the_panel_fails_clearly(tmp_path):
    result = run(DEFAULT_DATASET, tmp_path / "out", only=["04_counterfactual"], parameters={"treated": "999"})
    assert not result.ok and "no municipality '999'" in result.error


def test_a_run_leaves_the_working_folder_as_it_was(tmp_path):
    """papermill's cwd is a process-wide chdir; notebooks run in threads restored it in any order
    and left a later relative path pointing into notebooks/ (found by `make reproduce`)."""
    import os

    before = os.getcwd()
    result = run(DEFAULT_DATASET, tmp_path / "out", only=["00_dataset_overview", "03_sector_outcomes"], workers=2)
    assert result.ok and os.getcwd() == before


def test_a_runs_metrics_match_the_r_fixtures(tmp_path):
    """metrics.json of a whole run of notebook 02 on the frozen reference dataset against the
    numbers R (survival, cmprsk) computed from the same file (tests/reference/survival.R)."""
    import numpy as np

    from evaluation.paths import ROOT

    reference = ROOT / "tests" / "reference"
    r = json.loads((reference / "survival.json").read_text())["synthetic"]
    result = run(reference / "dataset", tmp_path / "out", only=["02_time_to_employment"], parameters=SHORT_BOOTSTRAP)
    assert result.ok, result.notebooks
    metrics = read_metrics(result.out)
    times = np.array(r["times"], dtype=float)
    z = 1.959963984540054
    # clients still followed at h: R's n.risk at the first time at or after h (0 beyond the last)
    n_risk = np.array(r["km"]["n_risk"], dtype=float)
    followed = {h: (n_risk[np.searchsorted(times, h)] if h <= times.max() else 0) for h in (180, 365, 730)}
    for group, code in (("employment", "1"), ("activation", "2"), ("retirement", "3"), ("other", "4")):
        for h in (180, 365, 730):
            key = f"cif.{group}.{h}d"
            if followed[h] < 10:  # min_at_risk: not estimable (issue 24, item 8)
                assert metrics[key] is None and metrics[key + ".lower"] is None, key
                continue
            i = np.searchsorted(times, h, side="right") - 1  # the step in force at h
            f, var = r["cif"][code]["aj"][i], r["cif"][code]["var"][i]
            assert metrics[key] == pytest.approx(f, abs=1e-9), key
            # log(-log) interval from cmprsk's variance, written out
            scale = z * np.sqrt(var) / (f * np.log(f))
            assert metrics[key + ".lower"] == pytest.approx(f ** np.exp(-scale), abs=1e-6), key
            assert metrics[key + ".upper"] == pytest.approx(f ** np.exp(scale), abs=1e-6), key
    assert metrics["km.employment_without_competing.median_days"] == r["km"]["median"]
    for row in r["rmst"]:
        if followed[row["horizon"]] < 10:
            assert metrics[f"rmst.{row['horizon']}d"] is None
            continue
        assert metrics[f"rmst.{row['horizon']}d"] == pytest.approx(row["rmean"], abs=1e-6)
    for column, tests in r["tests"].items():
        assert metrics[f"logrank.employment.{column}.p"] == pytest.approx(tests["logrank_p"], abs=1e-6), column
        assert metrics[f"gray.employment.{column}.p"] == pytest.approx(tests["gray_p"], abs=1e-6), column


def test_the_summary_runs_after_the_notebooks_it_reads(default_run):
    """Notebook 06 reads metrics.json and figures/: it starts when 00-05 have finished, so every
    part of the summary is there (none is named as missing) and it states the run's numbers."""
    from evaluation.paths import NOTEBOOKS
    from evaluation.runs import notebooks, reads_the_run

    assert [p.stem for p in notebooks() if reads_the_run(p)] == ["06_summary"]
    page = (default_run / "summary.fi.html").read_text(encoding="utf-8")
    metrics = read_metrics(default_run)
    assert f"Hankkeessa oli {metrics['clients.n']} asiakasta" in page
    assert "Tässä ajossa ei ollut tietoja" not in page
    assert page.count("data:image/png;base64,") == 4
    assert reads_the_run(NOTEBOOKS / "06_summary.ipynb") and not reads_the_run(NOTEBOOKS / "04_counterfactual.ipynb")


def test_the_summary_follows_lang_and_names_what_did_not_run(tmp_path):
    """`-p lang en` with only notebook 00 before the summary: an English page that states the
    client counts and names the parts whose notebooks did not run."""
    out = tmp_path / "en"
    result = run(DEFAULT_DATASET, out, only=["00_dataset_overview", "06_summary"], parameters={"lang": "en"})
    assert result.ok, result.notebooks
    assert not (out / "summary.fi.html").exists()
    page = (out / "summary.en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "The project had 150 clients." in page
    assert (
        "This run had no data for: how fast they found work, companies and associations, official "
        "unemployment statistics, the comparison with other municipalities, the comparison of the clients with "
        "similar unemployed people."
    ) in page
    assert "Practice data." in page
