"""Official monthly municipal statistics: StatFin table 12r5, every area, 2006-01 onwards.

The panel (``data/public/statfin/``) is the Ministry of Economic Affairs and Employment's
employment service statistics (Työnvälitystilasto) as Statistics Finland publishes them in table
12r5: one row per area (whole country ``SSS``, regions ``MKxx``, sub-regions ``SKxxx``,
municipalities ``KUxxx`` in the 2022 division, and others) and month, one column per variable.
A cell the source suppressed (".." or "...": a count from 1 to 4) is missing, never zero.

:func:`load_panel` is the only reader of the panel; it validates it as :func:`load_dataset`
validates a dataset and raises :class:`PanelError` naming every bad row.  Everything else here
is a pure function of the loaded :class:`Panel`.

Activation rate (aktivointiaste), the published definition: persons in services /
(unemployed + persons in services), services = the six ``...LOP`` columns.  A suppressed
service cell holds 1 to 4 persons (the panel shows no count between 1 and 4 anywhere, and shows
zeros), so the rate is given exactly when no service cell is suppressed and otherwise as
bounds: every suppressed cell counted as 1 (lower) and as 4 (upper); ``activation_rate`` is then
missing.  Pure, public data: nothing here is about a person.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import municipality_code
from .paths import STATFIN, resolve_input

__all__ = [
    "Panel",
    "PanelError",
    "load_panel",
    "municipality_code",
    "find_municipality",
    "monthly_series",
    "area_series",
    "trend_benchmark",
    "like_months",
    "municipal_spread",
    "Spread",
    "context",
    "context_metrics",
    "trend_sentences",
    "SERVICES",
    "SOURCE_LINE",
    "SUPPRESSED_MIN",
    "SUPPRESSED_MAX",
    "PANEL_FILE",
]

PANEL_FILE = "statfin_tyonv_12r5.csv.gz"
#: The six columns of persons in services at the end of the month (the activation rate's numerator).
SERVICES = ("TYOLLISTETTYLOP", "TYOHARJOITTELULOP", "KOKEILULOP", "TVKOULUTUSLOP", "VALMENNUSLOP", "MTPPALVELUTLOP")
#: A suppressed cell holds a count in this range.
SUPPRESSED_MIN, SUPPRESSED_MAX = 1, 4
#: The variables the evaluation uses, and the names it gives them.
USED = {
    "TYOTTOMATLOPUSSA": "unemployed",
    "PITKAAIKAISTYOTTOMAT": "long_term_unemployed",
    "TYOTTOMAT25": "under_25_unemployed",
    "TYOVOIMATK": "labour_force",
}
SOURCE_LINE = {
    "fi": "Lähde: TEM, Työnvälitystilasto; Tilastokeskus StatFin 12r5 (CC BY 4.0)",
    "en": "Source: Ministry of Economic Affairs and Employment, Employment Service Statistics; "
    "Statistics Finland, StatFin 12r5 (CC BY 4.0)",
}
_PERCENT = {"TYOTOSUUS"}
_MAX_LISTED = 30


class PanelError(ValueError):
    """The panel breaks its rules; ``problems`` lists each (file, line, column, rule)."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.problems = problems
        n = len(problems)
        lines = [f"  - {p}" for p in problems[:_MAX_LISTED]]
        if n > _MAX_LISTED:
            lines.append(f"  ... and {n - _MAX_LISTED} more")
        super().__init__(
            "\n".join(
                [
                    f"The official panel {path} is not usable ({n} problem{'s' * (n != 1)}):",
                    *lines,
                    "Restore it from git (data/public/statfin/) or re-run `python -m evaluation statfin update`.",
                ]
            )
        )


@dataclass
class Panel:
    """The validated panel.

    Attributes
    ----------
    data : DataFrame
        One row per area and month: ``area`` (str), ``month`` (``Period[M]``), then every
        variable code; counts as nullable ``Int64`` (missing = suppressed), ``TYOTOSUUS`` float.
    areas : DataFrame
        ``code`` -> ``name`` (Finnish) for every area of the table.
    key : DataFrame
        The municipalities of 2022: ``municipality_code`` (three-digit text), names, region,
        sub-region and urban–rural group codes and names.
    path : Path
        The panel file.
    """

    data: pd.DataFrame
    areas: pd.DataFrame
    key: pd.DataFrame
    path: Path
    variables: list[str] = field(default_factory=list)

    @property
    def months(self) -> pd.PeriodIndex:
        return pd.PeriodIndex(sorted(self.data["month"].unique()), freq="M")

    @functools.cached_property
    def municipalities(self) -> pd.DataFrame:
        """The rows of municipalities (``KUxxx``), once per panel."""
        return self.data.loc[self.data["area"].str.startswith("KU")]


def load_panel(folder: str | Path | None = None, file: str | Path | None = None) -> Panel:
    """Read and validate the panel (default: the committed ``data/public/statfin/``).

    ``file`` is another panel file in the same format (e.g. a notebook's ``panel`` parameter);
    the area list and municipality key come from ``folder``.  Raises :class:`PanelError` for an
    unknown area code, a duplicate area-month, a gap in an area's months, a negative count, or a
    missing column, each with the file and line.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    folder = Path(folder) if folder is not None else STATFIN
    path = resolve_input(file) if file is not None else folder / PANEL_FILE  # as a dataset folder is
    name = path.name
    if not path.is_file():
        raise PanelError(path, [f"{path}: missing"])
    variables = pd.read_csv(folder / "variables.csv", dtype=str)["code"].tolist()
    areas = pd.read_csv(folder / "areas.csv", dtype=str, keep_default_na=False)
    key = pd.read_csv(folder / "municipality_key_2022.csv", dtype={"municipality_code": str})
    key["municipality_code"] = key["municipality_code"].str.zfill(3)
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={"alue": pa.string(), "month": pa.string(), **{v: pa.float64() for v in variables}}
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise PanelError(path, [f"{name}: cannot be read as the panel's CSV: {str(exc).splitlines()[0]}"]) from None
    frame = table.to_pandas()
    problems = []
    missing = [c for c in ("alue", "month", *variables) if c not in frame.columns]
    if missing:
        raise PanelError(path, [f"{name}, line 1: column(s) {', '.join(missing)} missing from the header"])
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # line numbers, the header is line 1
    unknown = ~frame["alue"].isin(set(areas["code"]))
    problems += [
        f"{name}, line {i}, column alue: unknown area code {v!r} (not in areas.csv)"
        for i, v in frame.loc[unknown, "alue"].items()
    ]
    bad_month = ~frame["month"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").fillna(False)
    problems += [
        f"{name}, line {i}, column month: {v!r} is not a month YYYY-MM"
        for i, v in frame.loc[bad_month, "month"].items()
    ]
    dupes = frame.duplicated(["alue", "month"], keep="first")
    problems += [
        f"{name}, line {i}: area {a} month {m} appears more than once"
        for i, (a, m) in frame.loc[dupes, ["alue", "month"]].iterrows()
    ]
    counts = [v for v in variables if v not in _PERCENT]
    negative = (frame[counts] < 0).to_numpy()
    for r, c in zip(*np.nonzero(negative)):
        problems.append(
            f"{name}, line {frame.index[r]}, column {counts[c]}: negative count "
            f"{frame.iat[r, frame.columns.get_loc(counts[c])]:g}"
        )
    if problems:
        raise PanelError(path, sorted(problems, key=_line_of))
    ordinal = (
        (frame["month"].str.slice(0, 4).astype(int).to_numpy() - 1970) * 12
        + frame["month"].str.slice(5, 7).astype(int).to_numpy()
        - 1
    )
    frame["month"] = pd.PeriodIndex.from_ordinals(ordinal, freq="M")
    order = np.lexsort((ordinal, frame["alue"].to_numpy()))
    sorted_frame = frame.iloc[order]
    same_area = sorted_frame["alue"].to_numpy()[1:] == sorted_frame["alue"].to_numpy()[:-1]
    gap = np.flatnonzero(same_area & (np.diff(ordinal[order]) != 1))
    for g in gap:
        before, after = sorted_frame.iloc[g], sorted_frame.iloc[g + 1]
        problems.append(
            f"{name}, line {sorted_frame.index[g + 1]}: area {after['alue']} jumps from "
            f"{before['month']} to {after['month']} (months must be consecutive)"
        )
    if problems:
        raise PanelError(path, sorted(problems, key=_line_of))
    data = frame.rename(columns={"alue": "area"}).reset_index(drop=True)
    for v in counts:  # nullable whole numbers: a suppressed cell stays missing, never 0
        values = data[v].to_numpy(dtype=float)
        missing = np.isnan(values)
        data[v] = pd.arrays.IntegerArray(np.where(missing, 0, values).astype("int64"), missing)
    return Panel(data=data, areas=areas, key=key, path=path, variables=variables)


def _line_of(problem: str) -> int:
    match = re.search(r"line (\d+)", problem)
    return int(match.group(1)) if match else 0


def find_municipality(panel: Panel, municipality: str) -> pd.Series:
    """The municipality key row of a code (``71``, ``071``, ``KU071``) or Finnish name
    (``Haapavesi``, any case).  Raises ``LookupError`` naming close matches when there is none."""
    code = municipality_code(municipality)
    key = panel.key
    if code is not None:
        hit = key.loc[key["municipality_code"] == code]
    else:
        hit = key.loc[key["municipality_name_fi"].str.casefold() == str(municipality).strip().casefold()]
    if hit.empty:
        import difflib

        close = difflib.get_close_matches(str(municipality).strip().title(), key["municipality_name_fi"].tolist(), 3)
        raise LookupError(
            f"no municipality {municipality!r} in the 2022 municipality key"
            + (
                f"; did you mean {', '.join(close)}?"
                if close
                else " (give the three-digit code, e.g. 071, or the Finnish name, e.g. Haapavesi)"
            )
        )
    return hit.iloc[0]


def _window(panel: Panel, area: str, start: str | None, end: str | None) -> pd.DataFrame:
    rows = panel.data.loc[panel.data["area"] == area].sort_values("month")
    if rows.empty:
        raise LookupError(f"area {area} is not in the panel {panel.path.name}")
    first, last = rows["month"].iloc[0], rows["month"].iloc[-1]
    lo = pd.Period(start, freq="M") if start else first
    hi = pd.Period(end, freq="M") if end else last
    if lo > hi:
        raise ValueError(f"the window {lo}..{hi} is empty: the first month is after the last")
    if lo < first or hi > last:
        raise ValueError(
            f"the window {lo}..{hi} is outside the panel's months {first}..{last} "
            "(python -m evaluation statfin update fetches newer months)"
        )
    return rows.loc[(rows["month"] >= lo) & (rows["month"] <= hi)].reset_index(drop=True)


def activation(rows: pd.DataFrame) -> pd.DataFrame:
    """``activation_rate`` (percent; missing when a service cell is suppressed) with
    ``activation_rate_lower`` and ``activation_rate_upper`` (suppressed cells as 1 and as 4)."""
    services = rows[list(SERVICES)]
    suppressed = services.isna().sum(axis=1).to_numpy(dtype=float)
    known = services.fillna(0).sum(axis=1).to_numpy(dtype=float)
    unemployed = rows["TYOTTOMATLOPUSSA"].to_numpy(dtype=float, na_value=np.nan)

    def rate(s: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return 100 * s / (unemployed + s)

    lower = rate(known + SUPPRESSED_MIN * suppressed)
    upper = rate(known + SUPPRESSED_MAX * suppressed)
    exact = np.where(suppressed == 0, lower, np.nan)
    return pd.DataFrame(
        {"activation_rate": exact, "activation_rate_lower": lower, "activation_rate_upper": upper}, index=rows.index
    )


def monthly_series(panel: Panel, municipality: str, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """A municipality's ``monthly.csv`` of the dataset contract from the panel.

    Columns: ``month`` (text ``YYYY-MM``), ``unemployed``, ``long_term_unemployed``,
    ``under_25_unemployed``, ``labour_force`` (missing where suppressed), ``activation_rate``,
    ``activation_rate_lower``, ``activation_rate_upper`` (percent, rounded to 0.01; see the
    module docstring for suppressed cells) and ``source`` = ``official``.
    """
    row = find_municipality(panel, municipality)
    rows = _window(panel, f"KU{row['municipality_code']}", start, end)
    out = pd.DataFrame({"month": rows["month"].astype(str)})
    for code, name in USED.items():
        out[name] = rows[code].astype("Int64")
    rates = activation(rows).round(2)
    out = pd.concat([out, rates], axis=1)
    out["source"] = "official"
    return out


def area_codes(panel: Panel, municipality: str) -> dict[str, str]:
    """The areas around a municipality: ``municipality``, ``subregion``, ``region``, ``country``
    -> panel area codes (``KU071``, ``SK175``, ``MK17``, ``SSS``)."""
    row = find_municipality(panel, municipality)
    return {
        "municipality": f"KU{row['municipality_code']}",
        "subregion": f"SK{int(row['seutukunta_code']):03d}",
        "region": f"MK{int(row['maakunta_code']):02d}",
        "country": "SSS",
    }


def area_series(
    panel: Panel,
    municipality: str,
    start: str | None = None,
    end: str | None = None,
    column: str = "TYOTTOMATLOPUSSA",
    base: str | None = None,
) -> pd.DataFrame:
    """One row per month and area: the municipality, and the **rest** of its sub-region, region
    and country (the area's value minus the municipality's, so the municipality is never
    compared with itself: in a small sub-region it is a large part of the total).

    Columns ``month``, ``area`` (``municipality``, ``subregion``, ``region``, ``country``),
    ``code``, ``name``, ``value`` and ``index`` (value / value in ``base`` x 100; ``base``
    defaults to the first month).  A month where the municipality's value is suppressed has no
    value for the rests either.
    """
    names = dict(zip(panel.areas["code"], panel.areas["name"]))
    codes = area_codes(panel, municipality)
    own = _window(panel, codes["municipality"], start, end)[["month", column]].set_index("month")[column]
    own = own.astype("float64")
    base_month = pd.Period(base, freq="M") if base else own.index[0]
    frames = []
    for kind, code in codes.items():
        rows = _window(panel, code, start, end).set_index("month")[column].astype("float64")
        values = rows if kind == "municipality" else rows - own
        at_base = values.get(base_month)
        if at_base is None or pd.isna(at_base) or at_base == 0:
            raise ValueError(f"{code} has no {column} value in the base month {base_month}")
        frames.append(
            pd.DataFrame(
                {
                    "month": values.index,
                    "area": kind,
                    "code": code,
                    "name": names.get(code, code),
                    "value": values.to_numpy(),
                    "index": 100 * values.to_numpy() / at_base,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def trend_benchmark(
    panel: Panel, municipality: str, start: str, end: str, column: str = "TYOTTOMATLOPUSSA"
) -> pd.DataFrame:
    """Had the municipality followed the rest of each larger area from ``start`` to ``end``: one
    row per area (``subregion``, ``region``, ``country``) with the rest's ``start``, ``end`` and
    ``ratio`` end/start, the municipality's ``actual_start``, ``expected_end`` = actual_start x
    ratio, the municipality's ``actual_end`` and ``difference`` = actual - expected (persons)."""
    series = area_series(panel, municipality, start, end, column)
    first = series.loc[series["month"] == pd.Period(start, freq="M")].set_index("area")["value"]
    last = series.loc[series["month"] == pd.Period(end, freq="M")].set_index("area")["value"]
    own_start, own_end = first["municipality"], last["municipality"]
    rows = []
    for area in ("subregion", "region", "country"):
        ratio = last[area] / first[area]
        rows.append(
            {
                "area": area,
                "code": series.loc[series["area"] == area, "code"].iloc[0],
                "start": first[area],
                "end": last[area],
                "ratio": ratio,
                "actual_start": own_start,
                "expected_end": own_start * ratio,
                "actual_end": own_end,
                "difference": own_end - own_start * ratio,
            }
        )
    return pd.DataFrame(rows).set_index("area")


def like_months(first: str, last: str, available: str | None = None) -> tuple[str, str]:
    """The months a change over a project is measured between: its first month and the same
    calendar month whole years later (the number of years the project lasted, rounded, at least
    one; fewer when the later month is after ``available``, the panel's last month).

    Unemployment is seasonal (in Finland highest in June–July, lowest in spring and autumn), so
    a change between unlike months (July 2016 to March 2019) mixes the season into the trend;
    the same month a year apart compares like with like.  The first month is the project's
    first (the dataset's ``study_start``), as in notebook 00's monthly change and notebook 04's
    ``treatment_start``: one start throughout.  A project of June 2016 to May 2019 (36 months)
    gives ``("2016-06", "2019-06")``."""
    lo, hi = pd.Period(first, freq="M"), pd.Period(last, freq="M")
    if hi < lo:
        raise ValueError(f"the project's last month {hi} is before its first {lo}")
    years = max(1, int(np.floor(((hi - lo).n + 1) / 12 + 0.5)))
    if available is not None:
        while years > 1 and lo + 12 * years > pd.Period(available, freq="M"):
            years -= 1
    return str(lo), str(lo + 12 * years)


@dataclass
class Spread:
    """How the municipality's change sits among municipalities of similar size
    (:func:`municipal_spread`).  Ratios are end / start; ``rank`` 1 is the largest fall."""

    municipalities: int  # others of similar size with both values (the municipality left out)
    rank: int  # the municipality's place among them and itself, 1 = largest fall
    ratio: float  # the municipality's end / start
    lower: float  # the others' ratio at the (1 - coverage) / 2 quantile
    upper: float  # ... and at (1 + coverage) / 2
    coverage: float  # share of the others between lower and upper (0..1)
    size_min: float  # the labour-force band (persons, in the start month)
    size_max: float

    @property
    def within(self) -> bool:
        """Whether the municipality's change lies within the others' central range."""
        return self.lower <= self.ratio <= self.upper


def municipal_spread(
    panel: Panel,
    municipality: str,
    start: str,
    end: str,
    column: str = "TYOTTOMATLOPUSSA",
    coverage: float = 0.95,
    size: tuple[float, float] = (0.5, 2.0),
) -> Spread:
    """The change ``end`` / ``start`` of ``column`` in every other municipality whose labour
    force (``TYOVOIMATK``) in ``start`` is from ``size[0]`` to ``size[1]`` times the
    municipality's, against the municipality's own: the range that ordinary municipal
    variation gives, without any model.

    The range is the central ``coverage`` of the others' ratios: sample quantiles with linear
    interpolation (R's ``quantile(type = 7)``, Hyndman and Fan 1996, numpy's default).  A
    municipality with either value suppressed or a start of zero is left out.  Smaller towns
    vary more in relative terms, hence the size band (half to twice the labour force by default).
    This is a reference range, not a confidence interval: a change inside it is not told apart
    from the others; notebook 04's placebo tests answer the same question with a model."""
    if not 0 < coverage < 1:
        raise ValueError(f"coverage must be between 0 and 1, not {coverage}")
    code = area_codes(panel, municipality)["municipality"]
    rows = panel.municipalities
    at = {m: rows.loc[rows["month"] == pd.Period(m, freq="M")].set_index("area") for m in (start, end)}
    if code not in at[start].index or code not in at[end].index:
        raise ValueError(f"{code} has no values in {start} and {end}")
    first = at[start][column].astype("float64")
    last = at[end][column].reindex(first.index).astype("float64")
    force = at[start]["TYOVOIMATK"].astype("float64")
    ratio = (last / first.where(first > 0)).dropna()
    own_ratio, own_force = float(ratio.get(code, np.nan)), float(force.get(code, np.nan))
    if np.isnan(own_ratio) or np.isnan(own_force):
        raise ValueError(f"{code} has no {column} or labour force in {start} and {end}")
    lo, hi = size[0] * own_force, size[1] * own_force
    others = ratio.drop(code)
    others = others[force.reindex(others.index).between(lo, hi)]
    if len(others) < 2:
        raise ValueError(f"fewer than two municipalities of a labour force {lo:.0f}..{hi:.0f} to compare {code} with")
    q = np.quantile(others.to_numpy(), [(1 - coverage) / 2, (1 + coverage) / 2])
    return Spread(
        municipalities=len(others),
        rank=int((others < own_ratio).sum()) + 1,
        ratio=own_ratio,
        lower=float(q[0]),
        upper=float(q[1]),
        coverage=coverage,
        size_min=lo,
        size_max=hi,
    )


@dataclass
class Context:
    """A municipality's official series beside its sub-region, region and the country.

    ``series`` (:func:`area_series`, indexed to ``start`` = 100) over ``window``; ``trend``
    (:func:`trend_benchmark`) and ``spread`` (:func:`municipal_spread`) from ``start`` to
    ``end``; ``note`` says why they are missing."""

    series: pd.DataFrame | None
    trend: pd.DataFrame | None
    start: str
    end: str
    note: str = ""
    spread: Spread | None = None

    @property
    def available(self) -> bool:
        return self.trend is not None


def context(
    municipality,
    start: str,
    end: str,
    window: tuple[str, str] | None = None,
    panel: Panel | None = None,
    panel_file: str | Path | None = None,
    like: bool = False,
) -> Context:
    """The official context of a municipality, or a :class:`Context` whose ``note`` says in one
    line why there is none (a code not in the panel: a fictional, merged or foreign
    municipality; months outside the panel).  Never raises for those: the caller's other
    results stand.

    With ``like``, ``start`` and ``end`` are the project's first and last months and the change
    is measured between :func:`like_months` of them (the same calendar month whole years apart)."""
    try:
        panel = panel or load_panel(file=panel_file)
        if like:
            start, end = like_months(start, end, available=str(panel.months[-1]))
        lo, hi = window or (start, end)
        series = area_series(panel, str(municipality), lo, hi, base=start)
        trend = trend_benchmark(panel, str(municipality), start, end)
    except (LookupError, ValueError) as exc:
        return Context(None, None, start, end, note=f"No official comparison: {exc}")
    try:  # the benchmarks stand without it (e.g. a labour force suppressed in the start month)
        spread, note = municipal_spread(panel, str(municipality), start, end), ""
    except ValueError as exc:
        spread, note = None, f"No municipal range: {exc}"
    return Context(series, trend, start, end, note=note, spread=spread)


def context_metrics(ctx: Context) -> dict:
    """The ``official.*`` keys of metrics.json (nothing when the context is not available).

    ``official.period.start`` / ``.end`` the compared months (``YYYY-MM``),
    ``official.unemployed.start`` / ``.end`` the municipality's counts then,
    ``official.trend.<area>.ratio`` and ``.expected_end`` for the rest of its sub-region, region
    and country (:func:`trend_benchmark`), ``official.spread.*`` (:class:`Spread`: ratios
    ``ratio``, ``lower``, ``upper``; ``coverage`` 0..1; ``municipalities``, ``rank``; the
    labour-force band ``size_min`` / ``size_max`` in persons).  Public statistics, no person's
    data: disclosure control leaves them as they are (no key ends in a count name)."""
    if not ctx.available:
        return {}
    t = ctx.trend
    m = {
        "official.period.start": ctx.start,
        "official.period.end": ctx.end,
        "official.unemployed.start": float(t["actual_start"].iloc[0]),
        "official.unemployed.end": float(t["actual_end"].iloc[0]),
    }
    for area, row in t.iterrows():
        m |= {
            f"official.trend.{area}.expected_end": float(row["expected_end"]),
            f"official.trend.{area}.ratio": float(row["ratio"]),
        }
    if ctx.spread is not None:
        m |= {f"official.spread.{k}": v for k, v in vars(ctx.spread).items()}
    return m


def trend_sentences(ctx: Context, name: str) -> list[str]:
    """The trend benchmark in words, every number from ``ctx`` (English)."""
    if not ctx.available:
        return [ctx.note]
    t = ctx.trend
    actual, own_start = t["actual_end"].iloc[0], t["actual_start"].iloc[0]
    lines = [
        f"{name}: {own_start:,.0f} unemployed in {ctx.start}, {actual:,.0f} in {ctx.end} "
        f"(ratio {actual / own_start:.3f}, a fall of {100 * (1 - actual / own_start):.0f} %)."
    ]
    words = {
        "subregion": "the rest of its sub-region",
        "region": "the rest of its region",
        "country": "the rest of the country",
    }
    for area, row in t.iterrows():
        lines.append(
            f"Had {name} followed {words[area]} ({row['code']}, ratio {row['ratio']:.3f}), "
            f"{ctx.end} would have had {row['expected_end']:,.0f} unemployed; it had {actual:,.0f}, "
            f"{abs(row['difference']):,.0f} {'fewer' if row['difference'] < 0 else 'more'}."
        )
    sp = ctx.spread
    if sp is None and ctx.note:
        lines.append(ctx.note)
    if sp is not None:
        lines.append(
            f"In the {sp.municipalities} other municipalities of a labour force {sp.size_min:,.0f} to "
            f"{sp.size_max:,.0f}, the central {100 * sp.coverage:.0f} % of changes ran from "
            f"{100 * (sp.lower - 1):+.1f} % to {100 * (sp.upper - 1):+.1f} %; {name}'s "
            f"{100 * (sp.ratio - 1):+.1f} % is {'within' if sp.within else 'outside'} that range "
            f"(rank {sp.rank} of {sp.municipalities + 1}, 1 = the largest fall)."
        )
    return lines
