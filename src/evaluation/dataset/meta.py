"""``dataset.yaml`` and the published targets' format."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import warnings
from pathlib import Path
from typing import Any

import yaml

from ..paths import PUBLISHED_TARGETS
from ..vocabulary import TABLE_SOURCES
from .columns import TABLES
from .reading import _decode
from .violations import _Collector

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["DatasetWarning", "load_published_targets", "municipality_code", "target_problems"]

META_REQUIRED = (
    "name",
    "municipality",
    "municipality_code",
    "study_start",
    "study_end",
    "synthetic",
    "language",
    "description",
)
#: Optional keys: where each table comes from, the published targets, the project's total cost
#: (the comparison's cost per job), and what the synthetic generator records (its seed, its
#: process file, how many candidates the conditioning drew, the outcome groups).
META_OPTIONAL = ("sources", "targets", "costs", "seed", "process", "conditioning", "groups")
#: ``costs``' keys: the total in euros (a number > 0), what it covers and where it is published.
COST_KEYS = ("total_eur", "what", "source")
#: Where the comparison table may come from: drawn, or a real register (never "official").
COMPARISON_SOURCES = ("synthetic", "register")
META_KEYS = META_REQUIRED + META_OPTIONAL


#: dataset.yaml is written by hand: its dates are ISO only (the tables also read D.M.YYYY).
_META_DATE_RULE = "must be a date written YYYY-MM-DD (ISO 8601), e.g. 2017-03-31"


class DatasetWarning(UserWarning):
    """A synthetic dataset's ``dataset.yaml`` has something the contract does not know (in a
    real dataset the same is refused)."""


def _read_meta(folder: Path, out: _Collector) -> dict | None:
    path = folder / "dataset.yaml"
    name = "dataset.yaml"
    if not path.is_file():
        out.add(name, None, None, None, f"missing: every dataset folder needs a dataset.yaml ({path})")
        return None
    text = _decode(path.read_bytes())
    try:
        meta = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        out.add(name, None if mark is None else mark.line + 1, None, None, f"is not valid YAML: {exc}")
        return None
    if not isinstance(meta, dict):
        out.add(name, None, None, None, "must be a mapping of keys (name:, municipality:, ...)")
        return None
    if _anchors_and_aliases(text, name, out):
        return None
    _unknown_keys(text, meta, name, out)
    for key in META_REQUIRED:
        if key not in meta or meta[key] is None or meta[key] == "":
            out.add(name, None, key, None, "required key is missing or empty")
    for key in ("study_start", "study_end"):
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                out.add(name, None, key, value, _META_DATE_RULE)
                continue
        if not isinstance(value, dt.date):
            out.add(name, None, key, value, _META_DATE_RULE)
            continue
        meta[key] = value
    if isinstance(meta.get("study_start"), dt.date) and isinstance(meta.get("study_end"), dt.date):
        if meta["study_end"] < meta["study_start"]:
            out.add(name, None, "study_end", str(meta["study_end"]), "must be on or after study_start")
    if "synthetic" in meta and not isinstance(meta["synthetic"], bool):
        out.add(name, None, "synthetic", meta["synthetic"], "must be true or false")
    if "language" in meta and meta["language"] not in ("fi", "en"):
        out.add(name, None, "language", meta["language"], "must be fi or en")
    sources = meta.get("sources")
    if sources is not None:
        if not isinstance(sources, dict) or set(sources) - set(TABLES) or set(sources.values()) - set(TABLE_SOURCES):
            out.add(
                name,
                None,
                "sources",
                None,
                f"must map tables ({', '.join(TABLES)}) to where they come from: "
                f"{', '.join(TABLE_SOURCES)}, e.g. sources: {{monthly: official}}",
            )
        elif meta.get("synthetic") is False and "synthetic" in sources.values():
            out.add(name, None, "sources", None, "a dataset with synthetic: false cannot have a synthetic table")
        elif sources.get("comparison", "synthetic") not in COMPARISON_SOURCES:
            out.add(
                name,
                None,
                "sources",
                None,
                f"sources.comparison must be one of {', '.join(COMPARISON_SOURCES)}: the comparison's "
                "spells are drawn or come from a register (data/README.md)",
            )
    if "costs" in meta:
        for problem in _cost_problems(meta["costs"]):
            out.add(name, None, "costs", None, problem)
    if meta.get("municipality_code") is not None:
        # as written in the file: an unquoted 071 is the octal number 57 to a YAML reader
        written = _written_scalar(text, "municipality_code")
        code = municipality_code(written if written is not None else meta["municipality_code"])
        if code is None:
            out.add(
                name,
                None,
                "municipality_code",
                written,
                "must be a municipality code: three digits (071), with or without leading zeros "
                "(71) or StatFin's prefix (KU071)",
            )
        else:
            meta["municipality_code"] = code
    targets = meta.get("targets")
    if targets is not None:
        for problem in target_problems(targets):
            out.add(name, None, "targets", None, problem)
    return meta


def _cost_problems(costs: Any) -> list[str]:
    """Every way ``costs`` breaks its form: ``{total_eur: <number > 0>, what: <text>, source: <text>}``."""
    form = 'write costs: {total_eur: 1234567, what: "what the total covers", source: "where it is published"}'
    if not isinstance(costs, dict):
        return [f"must be a mapping; {form}"]
    problems = [
        f"costs.{key} is not a key of costs (known: {', '.join(COST_KEYS)}); {form}"
        for key in costs
        if key not in COST_KEYS
    ]
    total = costs.get("total_eur")
    if isinstance(total, bool) or not isinstance(total, (int, float)) or not math.isfinite(total) or total <= 0:
        problems.append(f"costs.total_eur must be a number of euros greater than 0 (found {total!r}); {form}")
    for key in ("what", "source"):
        text = costs.get(key)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"costs.{key} must be non-empty text (found {text!r}); {form}")
    return problems


def municipality_code(value) -> str | None:
    """A Finnish municipality code as three-digit text: ``71``, ``"071"``, ``"KU071"`` -> ``"071"``.

    None for anything else.  Read codes as text before calling this: a YAML reader turns an
    unquoted ``071`` into the octal number 57 (the dataset contract reads the scalar as written).
    """
    if isinstance(value, bool):
        return None
    text = str(value).strip().upper()
    match = re.fullmatch(r"(?:KU)?(\d{1,3})", text)
    return match.group(1).zfill(3) if match else None


# --------------------------------------------------------------------------- published targets' format
#: compute kind -> the keys it needs besides ``kind``.
KINDS: dict[str, tuple[str, ...]] = {
    "client_count": (),
    "group_count": ("group",),
    "group_share": ("group",),
    "monthly_value": ("column", "month"),
    "monthly_ratio": ("column", "start", "end"),
    "subsidy_share": ("sector",),
    "continuation_share": ("sector",),
}
COMPARISONS = ("approx", "greater_than")
REQUIRED = ("id", "fact", "value", "unit", "compute", "comparison")


def load_published_targets(path: str | Path | None = None) -> list[dict]:
    """The report's targets from ``data/published/wassup_report.yaml``."""
    path = path or PUBLISHED_TARGETS
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    targets = document["targets"]
    problems = target_problems(targets)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return targets


def target_problems(targets: Any) -> list[str]:
    """Every way ``targets`` breaks the format above (empty list when valid)."""
    if not isinstance(targets, list):
        return ["targets must be a list of mappings"]
    problems = []
    seen = set()
    for i, target in enumerate(targets, start=1):
        where = f"target {i}"
        if not isinstance(target, dict):
            problems.append(f"{where} must be a mapping")
            continue
        where = f"target {target.get('id', i)!s}"
        problems += [f"{where}: key {key!r} is missing" for key in REQUIRED if key not in target]
        if target.get("id") in seen:
            problems.append(f"{where}: id appears twice")
        seen.add(target.get("id"))
        compute = target.get("compute")
        if not isinstance(compute, dict) or compute.get("kind") not in KINDS:
            problems.append(f"{where}: compute.kind must be one of {', '.join(KINDS)}")
        else:
            problems += [f"{where}: compute.{key} is missing" for key in KINDS[compute["kind"]] if key not in compute]
        if target.get("comparison") not in COMPARISONS:
            problems.append(f"{where}: comparison must be one of {', '.join(COMPARISONS)}")
        if target.get("comparison") == "approx" and not isinstance(target.get("tolerance"), (int, float)):
            problems.append(f"{where}: an approx comparison needs a numeric tolerance")
        if not isinstance(target.get("value"), (int, float)) or isinstance(target.get("value"), bool):
            problems.append(f"{where}: value must be a number")
    return problems


def _written_scalar(text: str, key: str) -> str | None:
    """The text of a top-level scalar ``key`` exactly as written in a YAML document."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.ScalarNode):
            return v.value
    return None


def _anchors_and_aliases(text: str, name: str, out: _Collector) -> bool:
    """Refuse YAML anchors (``&name``), aliases (``*name``) and merge keys (``<<: *name``), each
    with its line: no dataset needs them, and an alias makes one value stand for another
    where a reader of the file sees only a name."""
    found = False
    for event in yaml.parse(text):
        if isinstance(event, yaml.AliasEvent):
            what = f"the alias *{event.anchor}"
        elif getattr(event, "anchor", None):
            what = f"the anchor &{event.anchor}"
        else:
            continue
        found = True
        out.add(
            name,
            event.start_mark.line + 1,
            None,
            None,
            f"{what}: YAML anchors and aliases are not accepted in dataset.yaml; write each value out "
            "in full where it is used",
        )
    return found


def _unknown_keys(text: str, meta: dict, name: str, out: _Collector) -> None:
    """Name every top-level key the contract does not know (a misspelt ``soruces:`` would
    silently change what a run does), with the line, the likely key and the known keys: a real
    dataset is refused, a synthetic one gets a :class:`DatasetWarning` and a note."""
    unknown = [k for k in meta if k not in META_KEYS]
    if not unknown:
        return
    lines = _key_lines(text)
    real = meta.get("synthetic") is not True
    for key in unknown:
        close = difflib.get_close_matches(str(key), META_KEYS, n=1, cutoff=0.6)
        rule = (
            f"is not a key of dataset.yaml{f' (did you mean {close[0]}?)' if close else ''}; "
            f"known keys: {', '.join(META_KEYS)} (data/README.md)"
        )
        if real:
            out.add(
                name,
                lines.get(str(key)),
                str(key),
                None,
                rule + ". Correct or remove it: a dataset of real data has only these keys",
            )
        else:
            line = lines.get(str(key))
            message = f"{name}{f', line {line}' if line else ''}: key {key!r} {rule}; it is ignored"
            out.notes.append(message)
            warnings.warn(message, DatasetWarning, stacklevel=5)  # at the caller of load_dataset


def _key_lines(text: str) -> dict[str, int]:
    """Top-level key -> the line it is written on (1-based)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in root.value if isinstance(k, yaml.ScalarNode)}


def _meta_ok(meta: dict, out: _Collector) -> bool:
    return not any(v.file == "dataset.yaml" for v in out.violations)
