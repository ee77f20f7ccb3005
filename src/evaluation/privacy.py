"""Privacy by default: refuse identifying columns, and disclosure control for real data.

Client registers are personal data about unemployed people (health, pensions).  The loader calls
:func:`identifying_columns` on every table and refuses a dataset that carries direct
identifiers; the notebooks pass every table, figure label and metric made from a non-synthetic
dataset through :class:`DisclosureControl`.  Every key a run records in metrics.json has a class
(:data:`METRIC_CLASSES`, by pattern; :func:`metric_class`) that says which rule it follows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["DisclosureControl", "PSEUDONYMISE", "identifying_columns"]

#: Header words that name a direct identifier (Finnish and English).
IDENTIFYING_NAMES = re.compile(
    r"^(nimi|etunimi|etunimet|sukunimi|kutsumanimi|name|first_?name|last_?name|surname|full_?name|"
    r"hetu|henkilotunnus|henkilötunnus|ssn|personal_?id(entity)?_?code|sotu|"
    r"email|e_?mail|sahkoposti|sähköposti|phone|puhelin|puh|puhelinnumero|mobile|gsm|"
    r"osoite|lahiosoite|lähiosoite|address|street_?address)$",
    re.IGNORECASE,
)
# a pre-filter only: whether a value is an identity code is decided by stdnum.fi.hetu
_HETU_SHAPE = r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Z]"
_EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
_PHONE = r"(\+358|00358|0)[\s-]?\d{1,3}[\s-]?\d{3,4}[\s-]?\d{3,4}"
PSEUDONYMISE = (
    "pseudonymise before loading: replace the identity code by a salted hash as client_id "
    "(as person_id in comparison.csv; e.g. sha256(salt + henkilötunnus), the salt kept outside "
    "this repository) and drop "
    "names, e-mail addresses, phone numbers and street addresses"
)


def identifying_columns(frame: pd.DataFrame, typed_columns: set[str]) -> list[tuple[str, int | None, str]]:
    """Columns that hold direct identifiers: (column, first line, what was found).

    ``frame`` holds the table's cells indexed by line number: text, or typed values for columns
    a Parquet file stored as dates, numbers or flags (these are not searched).  A column is refused when
    its header names an identifier, or when any value is a valid Finnish personal identity code
    (``stdnum.fi.hetu``: a look-alike with a wrong check character is not one, and is not
    taken for a phone number either, though ``010160-1006`` has a phone number's digits), an e-mail
    address, or (outside the contract's typed columns) a Finnish phone number.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from stdnum.fi import hetu

    found = []
    for column in frame.columns:
        name = str(column).strip()
        if IDENTIFYING_NAMES.match(name.replace(" ", "_")):
            found.append((name, 1, "the column name says it holds a direct identifier"))
            continue
        if name in typed_columns and not (pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object):
            continue  # the contract's dates, numbers and flags, typed by Parquet: no identifiers
        # each distinct value is looked at once (a code column has a handful); lines are
        # looked up only for the values found
        column_values = frame[column].astype("string[pyarrow]")
        values = pd.Series(pd.arrays.ArrowStringArray(pc.unique(pa.array(column_values.array))))

        def where(found_values) -> tuple[int, int]:
            # called only within this iteration, so the late binding of column_values is wanted
            hits = column_values.isin(list(found_values)).to_numpy(dtype=bool)  # noqa: B023
            return int(column_values.index[hits][0]), int(hits.sum())  # noqa: B023

        shaped = values.str.fullmatch(_HETU_SHAPE).fillna(False).to_numpy(dtype=bool)
        valid = [v for v in values[shaped] if hetu.is_valid(v)]
        if valid:
            line, count = where(valid)
            found.append((name, line, f"{count} valid Finnish personal identity code(s)"))
            continue
        emails = values.str.fullmatch(_EMAIL).fillna(False).to_numpy(dtype=bool)
        if emails.any():
            line, count = where(values[emails])
            found.append((name, line, f"{count} e-mail address(es)"))
            continue
        if name not in typed_columns:
            # identity-code-shaped values that failed the checksum are not identity codes (the
            # contract's decision, stdnum's rule), and are not phone numbers either
            phones = values.str.fullmatch(_PHONE).fillna(False).to_numpy(dtype=bool) & ~shaped
            if phones.any():
                line, count = where(values[phones])
                found.append((name, line, f"{count} phone number(s)"))
    return found


# ------------------------------------------------------------------ what each metric is
#: The classes of the numbers a run records in metrics.json, and the rule each follows on real
#: register data (tests/test_privacy.py checks every rule on a run over a five-client register).
#: Statistics are checked by class, as in output checking (Green et al. 2023, *The SACRO guide
#: to statistical output checking*, doi:10.5281/zenodo.10054629; Hundepool et al. 2012,
#: *Statistical Disclosure Control*, Wiley): a quantile, like a maximum, is a single unit's value.
COUNT = "count"  # people or placements: hidden from 1 to min_cell - 1, with complements
ESTIMATE = "estimate"  # a share, probability, rate, ratio, mean or difference made from k of n
# people, and its limits: hidden when k, n - k or n is a small count,
# and with the count it is made from
INDIVIDUAL = "individual value"  # a day read off a curve (quantile, median, their limits): one
# person's exit day: hidden unless min_cell events before it and
# min_cell people followed after it, then rounded to whole weeks
P_VALUE = "p-value"  # a test's p-value: in 0..1, hidden with the comparison it tests
PUBLIC = "public"  # from public official statistics (StatFin), shown as published
TARGET = "published target"  # a published number recomputed (notebook 01): a count follows the
# count rule, a share of the register's clients or placements the
# estimate rule, an official value is public; a hidden value hides
# its pass and status too (DisclosureControl.targets)
DESCRIPTION = "description"  # no number about people: a parameter echoed, a name, a source, a
# period, a flag or a status (text, true/false or null)

#: Every metric key pattern and its class.  A pattern is a dotted key whose segments may hold
#: ``*`` (any characters but a dot), ``?`` and ``[...]`` as in :mod:`fnmatch`; a last segment
#: ``**`` stands for one or more segments.  Order does not matter: a key matched by patterns of
#: two classes is an error, and so is a key matched by none (:func:`metric_class`).  A new
#: metric gets one line here, with the class whose rule its notebook applies.
METRIC_CLASSES: dict[str, str] = {
    # notebook 00: the clients and their outcomes
    "clients.n": COUNT,
    "outcomes.*.n": COUNT,
    "outcomes.*.share": ESTIMATE,
    "dataset.synthetic": DESCRIPTION,
    "dataset.language": DESCRIPTION,
    "dataset.*_source": DESCRIPTION,
    # notebook 01: the report's numbers; the monthly series are official statistics
    "monthly.**": PUBLIC,
    "official.**": PUBLIC,
    "placements.*.n": COUNT,
    "targets.*.value": TARGET,
    "targets.*.lower": TARGET,
    "targets.*.upper": TARGET,
    "targets.*.pass": TARGET,
    "targets.*.status": TARGET,
    # notebook 02: time to employment
    "cif.*.*[0-9]d": ESTIMATE,
    "cif.*.*[0-9]d.lower": ESTIMATE,
    "cif.*.*[0-9]d.upper": ESTIMATE,
    "cif.*.quantile_*_days": INDIVIDUAL,
    "cif.*.quantile_*_days.lower": INDIVIDUAL,
    "cif.*.quantile_*_days.upper": INDIVIDUAL,
    "km.*.median_days": INDIVIDUAL,
    "km.*.median_days.lower": INDIVIDUAL,
    "km.*.median_days.upper": INDIVIDUAL,
    "logrank.*.*.p": P_VALUE,
    "logrank.*.*.p_holm": P_VALUE,
    "gray.*.*.p": P_VALUE,
    "gray.*.*.p_holm": P_VALUE,
    "cox.*.hr.*": ESTIMATE,
    "cox.*.hr.*.lower": ESTIMATE,
    "cox.*.hr.*.upper": ESTIMATE,
    "cox.*.hr.*.p": P_VALUE,
    "cox.*.hr.*.p_holm": P_VALUE,
    "cox.*.wald.*.p": P_VALUE,  # one joint Wald test per variable (branch surv-inference)
    "cox.*.wald.*.p_holm": P_VALUE,
    "cox.*.ph_global.p": P_VALUE,  # the global test of proportional hazards
    "finegray.*.wald.*.p": P_VALUE,
    "finegray.*.wald.*.p_holm": P_VALUE,
    "finegray.*.shr.*": ESTIMATE,
    "finegray.*.shr.*.lower": ESTIMATE,
    "finegray.*.shr.*.upper": ESTIMATE,
    "finegray.*.predicted_*[0-9]d.*": ESTIMATE,
    "finegray.*.predicted_*[0-9]d.*.lower": ESTIMATE,
    "finegray.*.predicted_*[0-9]d.*.upper": ESTIMATE,
    "rmst.*[0-9]d": ESTIMATE,
    "sensitivity.*.*[0-9]d.*": ESTIMATE,
    "sensitivity.*.*d.*.lower": ESTIMATE,
    "sensitivity.*.*d.*.upper": ESTIMATE,
    "sensitivity.*.cohorts.gray_p": P_VALUE,
    # notebook 03: pay-subsidy placements by sector
    "sectors.*.placements": COUNT,
    "sectors.*.continued": COUNT,
    "sectors.*.subsidy_share": ESTIMATE,
    "sectors.*.continuation_rate": ESTIMATE,
    "sectors.*.continuation_rate.lower": ESTIMATE,
    "sectors.*.continuation_rate.upper": ESTIMATE,
    "sectors.*_vs_*.risk_difference": ESTIMATE,
    "sectors.*_vs_*.risk_difference.lower": ESTIMATE,
    "sectors.*_vs_*.risk_difference.upper": ESTIMATE,
    "sectors.*_vs_*.odds_ratio": ESTIMATE,
    "sectors.*_vs_*.odds_ratio.lower": ESTIMATE,
    "sectors.*_vs_*.odds_ratio.upper": ESTIMATE,
    "sectors.*_vs_*.*_p": P_VALUE,
    "sectors.*_vs_*.*_p_holm": P_VALUE,
    "sectors.*_vs_*.adjusted.odds_ratio": ESTIMATE,  # Firth's, adjusted (branch sectors)
    "sectors.*_vs_*.adjusted.odds_ratio.lower": ESTIMATE,
    "sectors.*_vs_*.adjusted.odds_ratio.upper": ESTIMATE,
    "sectors.*_vs_*.adjusted.odds_ratio.p": P_VALUE,
    "sectors.*_vs_*.detectable_difference.*": ESTIMATE,  # made from the sectors' counts: hidden with them
    "sectors.*_vs_*.power.*": ESTIMATE,
    "sectors.*_vs_*.ended_early.risk_difference": ESTIMATE,
    "sectors.*_vs_*.ended_early.risk_difference.lower": ESTIMATE,
    "sectors.*_vs_*.ended_early.risk_difference.upper": ESTIMATE,
    # notebook 04: the official statistics of every municipality (no client data)
    "counterfactual.**": PUBLIC,
}


class UnclassifiedMetric(KeyError):
    """A metric key that :data:`METRIC_CLASSES` does not classify, or classifies twice."""

    def __str__(self) -> str:
        return str(self.args[0])


def _pattern_regex(pattern: str) -> re.Pattern:
    parts = pattern.split(".")
    pieces = [
        r"[^.]+(?:\.[^.]+)*" if part == "**" and i == len(parts) - 1 else _segment_regex(part)
        for i, part in enumerate(parts)
    ]
    return re.compile(r"\.".join(pieces) + r"\Z")


def _segment_regex(part: str) -> str:
    """One segment of a pattern as a regular expression: ``*`` and ``?`` never match a dot."""
    out, i = [], 0
    while i < len(part):
        c = part[i]
        if c == "*":
            out.append(r"[^.]*")
        elif c == "?":
            out.append(r"[^.]")
        elif c == "[" and "]" in part[i + 1 :]:
            j = part.index("]", i + 1)
            inside = part[i + 1 : j]
            out.append("[" + ("^" + inside[1:] if inside.startswith("!") else inside) + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


_COMPILED: dict[str, re.Pattern] = {}


def metric_class(key: str, classes: dict[str, str] | None = None) -> str:
    """The class of a metrics.json key (one of :data:`COUNT`, :data:`ESTIMATE`,
    :data:`INDIVIDUAL`, :data:`P_VALUE`, :data:`TARGET`, :data:`PUBLIC`, :data:`DESCRIPTION`) by the patterns of
    ``classes`` (default :data:`METRIC_CLASSES`).

    Raises :class:`UnclassifiedMetric` for a key no pattern matches, or that patterns of two
    classes match, saying what to add where."""
    classes = METRIC_CLASSES if classes is None else classes
    found = {}
    for pattern, kind in classes.items():
        if pattern not in _COMPILED:
            _COMPILED[pattern] = _pattern_regex(pattern)
        if _COMPILED[pattern].match(key):
            found[pattern] = kind
    if not found:
        raise UnclassifiedMetric(
            f"metric {key!r} is not classified for disclosure control: add a line "
            f'"<pattern>": <class> for it to METRIC_CLASSES in src/evaluation/privacy.py, with the class '
            f"whose rule its notebook applies on real data ({', '.join(KINDS)}), and apply that rule"
        )
    if len(set(found.values())) > 1:
        said = ", ".join(f"{p!r} ({k})" for p, k in found.items())
        raise UnclassifiedMetric(
            f"metric {key!r} is classified twice, differently: by {said}; "
            "make the patterns in METRIC_CLASSES (src/evaluation/privacy.py) narrower"
        )
    return next(iter(found.values()))


#: The classes, in the order the docs list them.
KINDS = (COUNT, ESTIMATE, INDIVIDUAL, P_VALUE, TARGET, PUBLIC, DESCRIPTION)


@dataclass
class DisclosureControl:
    """Small-cell suppression for tables, labels and metrics made from real data.

    Counts from 1 to ``min_cell - 1`` are suppressed (primary suppression); where a suppressed
    cell could be recovered from a total (it is the only suppressed cell of its row or column),
    the next smallest cell there is suppressed too (complementary suppression).  With
    ``active=False`` (a synthetic dataset) everything passes unchanged.
    """

    active: bool
    min_cell: int = 5

    @classmethod
    def for_dataset(cls, dataset, min_cell: int = 5) -> DisclosureControl:
        """Active for a dataset that is not synthetic, and for a synthetic one any of whose
        tables comes from a ``register`` (``sources``: a real comparison register beside
        synthetic clients is personal data all the same)."""
        return cls(active=dataset.personal_data, min_cell=min_cell)

    def small(self, n) -> bool:
        """Whether a count must not be shown."""
        return self.active and n is not None and n == n and 0 < n < self.min_cell

    def suppress_mask(self, counts: np.ndarray) -> np.ndarray:
        """Cells to suppress in a 1-D or 2-D array of counts whose row and column totals are known."""
        counts = np.atleast_2d(np.asarray(counts, dtype=float))
        mask = np.zeros(counts.shape, dtype=bool)
        if not self.active:
            return mask
        mask |= (counts > 0) & (counts < self.min_cell)
        changed = True
        while changed:  # complementary suppression until no line has exactly one suppressed cell
            changed = False
            for axis in (0, 1):
                lines = mask if axis == 1 else mask.T
                values = counts if axis == 1 else counts.T
                for i in range(lines.shape[0]):
                    if lines[i].sum() == 1 and lines.shape[1] > 1:
                        candidates = np.where(~lines[i] & (values[i] > 0), values[i], np.inf)
                        if np.isfinite(candidates).any():
                            lines[i, int(np.argmin(candidates))] = True
                            changed = True
        return mask

    def column(self, table: pd.DataFrame, column: str, derived: list[str] | None = None) -> pd.DataFrame:
        """Suppress small counts in one column of ``table`` whose total is known.

        The column is suppressed as a 1-D table: its small cells and, where only one would be
        hidden, the next smallest too.  ``derived`` columns (shares, rates, intervals, euros
        computed from the count) are hidden with it, and a ``note`` column says so.
        """
        if not self.active or table.empty or column not in table.columns:
            return table
        values = pd.to_numeric(table[column], errors="coerce").fillna(0).to_numpy()
        mask = self.suppress_mask(values.reshape(-1, 1)).ravel()
        return self._hide(
            table.astype(object).copy(),
            list(mask),
            [column, *(derived or [])],
            f"counts under {self.min_cell} suppressed",
        )

    def proportions(self, table: pd.DataFrame, k: str, n: str, derived: list[str]) -> pd.DataFrame:
        """Hide each row's ``k`` and its ``derived`` columns (a rate, its interval, a cost per
        ``k``) where the estimate is made from ``k`` of ``n`` people and :meth:`hides` says so:
        ``k`` or ``n - k`` small.  ``n`` stays: with it, ``k`` would give ``n - k`` back."""
        if not self.active or table.empty or k not in table.columns or n not in table.columns:
            return table
        out = table.astype(object).copy()
        mask = [not (_missing(vk) or _missing(vn)) and self.hides(int(vk), int(vn)) for vk, vn in zip(out[k], out[n])]
        return self._hide(out, mask, [k, *derived], f"{k} or {n} - {k} under {self.min_cell}: suppressed")

    def comparison(self, table: pd.DataFrame, groups: pd.DataFrame, rows: list[str], k: str, n: str) -> pd.DataFrame:
        """Hide a comparison of the ``rows`` of ``groups`` (its estimates, intervals and
        p-values) when any of them has its ``n`` shown but its ``k`` hidden: a difference or a
        ratio beside the other group's value would give the hidden one back."""
        if not self.active or table.empty:
            return table
        present = groups.reindex(rows)
        hidden = any(not _missing(vn) and _missing(vk) for vk, vn in zip(present[k], present[n]))
        # every result of the comparison: a Holm-adjusted p gives the raw one back (min(1, 2 p))
        values = [
            c
            for c in table.columns
            if c in ("estimate", "lower", "upper", "p", "odds_ratio") or c.startswith("p_") or c.endswith("_p")
        ]
        return self._hide(
            table.astype(object).copy(),
            [hidden] * len(table),
            values,
            "suppressed: a group compared is hidden by disclosure control",
        )

    def flow(self, table: pd.DataFrame, count: str, removed: str) -> pd.DataFrame:
        """A sample flow (``count`` left after each step, ``removed`` by it): a small ``removed``
        is hidden, and so is every ``count`` from that step on (two totals would give it back)."""
        if not self.active or table.empty:
            return table
        out = table.astype(object).copy()
        small = [not _missing(v) and self.small(int(v)) for v in out[removed]]
        after = list(pd.Series(small, index=out.index).cummax())
        out = self._hide(out, small, [removed], f"counts under {self.min_cell} suppressed")
        return self._hide(out, after, [count], f"counts under {self.min_cell} suppressed")

    def _hide(self, out: pd.DataFrame, mask: list[bool], columns: list[str], text: str) -> pd.DataFrame:
        """Blank ``columns`` in the rows of ``mask`` and add ``text`` to their ``note`` (once)."""
        mask = pd.Series(mask, index=out.index, dtype=bool)
        if not mask.any():
            return out
        for name in columns:
            if name in out.columns:
                out.loc[mask, name] = None
        note = out["note"].fillna("").astype(str) if "note" in out.columns else pd.Series("", index=out.index)
        out["note"] = [
            (v + "; " + text if v and text not in v else (v or text)) if m else v for v, m in zip(note, mask)
        ]
        return out

    def columns(self, table: pd.DataFrame, spec: dict[str, list[str]]) -> pd.DataFrame:
        """:meth:`column` for each count column of ``spec`` (count column -> derived columns)."""
        for column, derived in spec.items():
            table = self.column(table, column, derived)
        return table

    def text_column(self, table: pd.DataFrame, column: str) -> pd.DataFrame:
        """:meth:`text_counts` applied to a text column of summaries."""
        if not self.active or column not in table.columns:
            return table
        out = table.copy()
        out[column] = [self.text_counts(v) for v in out[column]]
        return out

    def targets(self, table: pd.DataFrame, dataset=None) -> pd.DataFrame:
        """Hide computed target values that are small counts of people.

        With ``dataset`` (whose ``meta["targets"]`` say how each value is computed), a share of
        the register's clients or placements is an estimate made from ``k`` of ``n``
        (:meth:`hides`): a share of clients in an outcome group (``n`` the clients), a sector's
        continuation share (``n`` its placements, ``k`` those continued), a sector's share of the
        subsidy euros (hidden when the sector's count of placements is, with the complement, as
        the sector table hides it).  A hidden share takes with it its reason (which states the
        value) and its status and pass (a target met within a tolerance would give the value
        back): the status becomes ``"suppressed"``, as it does for a hidden count.
        """
        if not self.active or table.empty:
            return table
        out = table.astype(object).copy()
        listed = (dataset.meta.get("targets") or []) if dataset is not None else []
        specs = {t["id"]: t.get("compute", {}) for t in listed}
        hidden = [
            not _missing(v)
            and (
                (u == "count" and self.small(v))
                or (dataset is not None and self._target_hidden(specs.get(i, {}), dataset))
            )
            for i, u, v in zip(out["id"], out["unit"], out["computed"])
        ]
        if any(hidden):
            mask = pd.Series(hidden, index=out.index)
            for column in ("computed", "computed_lower", "computed_upper"):
                if column in out.columns:
                    out.loc[mask, column] = None
            out.loc[mask, "reason"] = f"made from fewer than {self.min_cell} people or placements on a side: not shown"
            out.loc[mask, "status"] = "suppressed"
            out.loc[mask, "pass"] = False
        return out

    def _target_hidden(self, spec: dict, dataset) -> bool:
        kind = spec.get("kind")
        if kind == "group_share":  # as the outcome table hides it: the count, or its complement
            counts = dataset.clients["outcome_group"].astype(str).value_counts()
            mask = dict(zip(counts.index, self.suppress_mask(counts.to_numpy().reshape(-1, 1)).ravel()))
            k = int(counts.get(spec.get("group"), 0))
            return bool(mask.get(spec.get("group"), False)) or self.hides(k, int(counts.sum()))
        placements = dataset.placements
        if kind == "continuation_share":
            sector = placements.loc[placements["sector"] == spec.get("sector"), "continued"].astype(bool)
            return self.hides(int(sector.sum()), len(sector))
        if kind == "subsidy_share":
            counts = placements["sector"].value_counts()
            mask = self.suppress_mask(counts.to_numpy().reshape(-1, 1)).ravel()
            return bool(dict(zip(counts.index, mask)).get(spec.get("sector"), False))
        return False

    def restricted_means(self, values, time, exited):
        """Restricted means (the mean days without an exit up to a horizon ``h``) made safe to
        show: ``values`` maps each horizon (days) to its mean, or is a table indexed by horizon
        with a ``restricted_mean_days`` column.  A mean up to ``h`` is an estimate made from the
        ``k`` clients who exited by ``h`` of the ``n`` followed (with one client exiting, it is
        that client's exit day, recoverable from ``n`` and ``h``): it becomes None when
        :meth:`hides` (``k``, ``n``) holds.  ``time`` and ``exited`` are the clients' days of
        follow-up and whether each had any exit.  Synthetic data: unchanged."""
        if not self.active:
            return values
        time = np.asarray(time, dtype=float)
        exited = np.asarray(exited, dtype=bool)

        def hidden(h) -> bool:
            return self.hides(int((exited & (time <= float(h))).sum()), int(time.size))

        if isinstance(values, pd.DataFrame):
            out = values.astype(object).copy()
            mask = [hidden(h) and not _missing(v) for h, v in zip(out.index, out["restricted_mean_days"])]
            return self._hide(
                out,
                mask,
                ["restricted_mean_days"],
                f"restricted mean made from fewer than {self.min_cell} people: suppressed",
            )
        return {h: (None if hidden(h) else v) for h, v in values.items()}

    def hides(self, k: int, n: int) -> bool:
        """Whether an estimate made from ``k`` of ``n`` people (a share, a cumulative incidence,
        a Kaplan–Meier value) must not be shown: ``k`` or ``n - k`` is a small count, or the
        group itself is.  (Times ``n`` it would give the small count back.)"""
        return self.small(k) or self.small(n - k) or self.small(n)

    def count(self, n) -> str:
        """A count as text: ``"<5"`` when it must not be shown."""
        return f"<{self.min_cell}" if self.small(n) else str(n)

    def note(self) -> str:
        """What the reader is told about disclosure control in this run."""
        if not self.active:
            return "Synthetic data: no disclosure control is needed; every count is shown."
        return (
            f"Real register data: counts from 1 to {self.min_cell - 1} are suppressed (with "
            f"complementary suppression), and curves are not drawn for groups under {self.min_cell} clients. "
            f"A day read off a curve (the days by which a share had found work, a median, and their "
            f"limits) is one person's exit day: it is shown only when at least {self.min_cell} clients had "
            f"the outcome by then and at least {self.min_cell} were still followed after it, and then "
            f"rounded to whole weeks ({DAYS_PER_WEEK} days; a lower limit down, an upper limit up)."
        )

    def day_hidden(self, day, time, event) -> bool:
        """Whether ``day`` (days since enrolment: a quantile of a curve, a median or one of their
        limits, read where a step curve crosses a level) must not be shown.

        Such a day is an event time, one person's exit day (or the midpoint of two).  It is shown
        only when it rests on at least ``min_cell`` people on each side: ``min_cell`` events
        (``event`` True) at or before it, and ``min_cell`` people (``time``) followed beyond it.
        """
        if not self.active or _missing(day):
            return False
        time = np.asarray(time, dtype=float)
        event = np.asarray(event, dtype=bool)
        before = int((event & (time <= float(day))).sum())
        after = int((time > float(day)).sum())
        return before < self.min_cell or after < self.min_cell

    def days(self, values, time, event, columns=("days", "median", "lower", "upper")):
        """Individual values (a quantile, a median and their limits, in days) made safe to show.

        ``values`` is a mapping (as :func:`evaluation.survival.median_time` returns) or a table
        (as :func:`evaluation.survival.cif_quantiles`); of it, the ``columns`` present are days.
        On real data each day for which :meth:`day_hidden` holds becomes None (a table's ``note``
        says so); the others are rounded to whole weeks (:func:`round_to_weeks`): the estimate
        to the nearest week, a ``lower`` limit down and an ``upper`` limit up, so that the
        interval still covers what it covered.  ``time`` and ``event`` are the clients' days of
        follow-up and whether each had the outcome whose curve was read.  Synthetic data: the
        values pass unchanged.
        """
        if not self.active:
            return values

        def safe(column, day):
            if _missing(day) or self.day_hidden(day, time, event):
                return None
            return round_to_weeks(day, {"lower": "down", "upper": "up"}.get(column, "nearest"))

        if isinstance(values, pd.DataFrame):
            out = values.astype(object).copy()
            present = [c for c in columns if c in out.columns]
            hidden = [
                any(not _missing(out.at[i, c]) and self.day_hidden(out.at[i, c], time, event) for c in present)
                for i in out.index
            ]
            for c in present:
                out[c] = pd.Series([safe(c, v) for v in out[c]], index=out.index, dtype=object)
            shown = [any(not _missing(out.at[i, c]) for c in present) for i in out.index]
            notes = out["note"].fillna("").astype(str) if "note" in out.columns else pd.Series("", index=out.index)
            hidden_text = f"a day resting on fewer than {self.min_cell} people on a side suppressed"
            out["note"] = [
                "; ".join(filter(None, [v, hidden_text if h else "", "rounded to whole weeks" if w else ""]))
                for v, h, w in zip(notes, hidden, shown)
            ]
            return out
        return {k: (safe(k, v) if k in columns else v) for k, v in values.items()}

    def text_counts(self, text: str) -> str:
        """Suppress the small counts in a "label count, label count" summary, with the complement
        (the counts of one summary add up to a known total)."""
        if not self.active or not isinstance(text, str):
            return text
        # a count stands alone or after a label and before a comma: "X 2", "true 3, false 40"
        pattern = re.compile(r"(?:(?<=\s)|^)(\d+)(?=,|$)")
        found = list(pattern.finditer(text))
        if not found:
            return text
        mask = self.suppress_mask(np.array([[int(m.group(1))] for m in found])).ravel()
        pieces, last = [], 0
        for m, hidden in zip(found, mask):
            pieces += [text[last : m.start(1)], f"<{self.min_cell}" if hidden else m.group(1)]
            last = m.end(1)
        return "".join(pieces) + text[last:]

    def metrics(self, metrics: dict, count_names=("n", "placements", "continued")) -> dict:
        """Suppress small counts in a metrics mapping, with complementary suppression among
        siblings (``outcomes.<group>.n`` for all groups is one family, whose total is known),
        and every key derived from a suppressed item (its shares, rates and intervals)."""
        if not self.active:
            return metrics
        families: dict[tuple[str, str], dict[str, float]] = {}
        for key, value in metrics.items():
            parts = key.split(".")
            if (
                len(parts) >= 3
                and parts[-1] in count_names
                and isinstance(value, (int, float))
                and not isinstance(value, bool)
            ):
                families.setdefault((".".join(parts[:-2]), parts[-1]), {})[parts[-2]] = value
        out = dict(metrics)
        for (prefix, _), items in families.items():
            names = list(items)
            mask = self.suppress_mask(np.array([[items[n]] for n in names])).ravel()
            for name, hidden in zip(names, mask):
                if hidden:
                    stem = f"{prefix}.{name}."
                    for key in metrics:
                        if key.startswith(stem):
                            out[key] = None
        return out


#: Days in a week: individual values (days) of real data are rounded to whole weeks.
DAYS_PER_WEEK = 7


def round_to_weeks(days: float, direction: str = "nearest") -> int:
    """``days`` rounded to a whole number of weeks, in days: ``"nearest"`` (half a week up),
    ``"down"`` or ``"up"``.  ``round_to_weeks(10.5) == 14``, ``round_to_weeks(10, "down") == 7``."""
    weeks = float(days) / DAYS_PER_WEEK
    rounded = {"nearest": math.floor(weeks + 0.5), "down": math.floor(weeks), "up": math.ceil(weeks)}
    if direction not in rounded:
        raise ValueError(f"direction must be 'nearest', 'down' or 'up', got {direction!r}")
    return int(rounded[direction]) * DAYS_PER_WEEK


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA
