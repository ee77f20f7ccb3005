"""The notebooks' parameters checked before any kernel starts: type and range of every value.

A notebook declares each parameter's type in its ``parameters`` cell (``alpha: float = 0.05``);
papermill reports it as a type name.  :func:`parameter_problems` checks a value against that
type and against the range rule of its name in :data:`RULES`, and returns one sentence per
problem, so ``-p alpha 1.5`` fails at once instead of ten seconds later inside a notebook.
Imports nothing of this package.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable

__all__ = ["RULES", "parameter_problems"]


def _positive_days(value: Any) -> str | None:
    if not value or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        return "must be a non-empty list of whole numbers of days above 0, e.g. [180, 365, 730]"
    return None


def _open_unit(value: Any) -> str | None:
    return None if 0 < value < 1 else "must be between 0 and 1 (0.05 gives 95 % intervals)"


def _power(value: Any) -> str | None:
    return None if 0 < value < 1 else "must be between 0 and 1 (0.8: 80 % power)"


def _at_least_one(value: Any) -> str | None:
    return None if value >= 1 else "must be at least 1"


def _language(value: Any) -> str | None:
    return None if value in (None, "fi", "en") else "must be fi or en (or null: the dataset's language)"


def _names(value: Any) -> str | None:
    if value is None or (value and all(isinstance(v, str) and v for v in value)):
        return None
    return "must be a non-empty list of column names, or null for every covariate present"


def _month(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value.strip()):
        return None
    return "must be a month written YYYY-MM, e.g. 2016-07"


def _municipality(value: Any) -> str | None:
    if value is None or re.fullmatch(r"(KU)?\d{1,3}", str(value).strip(), flags=re.IGNORECASE):
        return None
    return "must be a municipality code (three digits, e.g. '071'), or null for the dataset's"


#: Range rules by parameter name (the type comes from the notebook's declaration).
RULES: dict[str, Callable[[Any], str | None]] = {
    "horizons": _positive_days,
    "alpha": _open_unit,
    "power": _power,
    "min_cell": _at_least_one,
    "lang": _language,
    "covariates": _names,
    "treatment_start": _month,
    "post_end": _month,
    "pre_start": _month,
    "treated": _municipality,
}

_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,), "float": (int, float), "str": (str,), "bool": (bool,), "list": (list,),
    "dict": (dict,),
}


def _type_problem(value: Any, declared: str) -> str | None:
    optional = declared.startswith("Optional[") and declared.endswith("]")
    base = declared[len("Optional["):-1] if optional else declared
    if value is None:
        return None if optional or base == "None" else f"must not be null (type {declared})"
    allowed = _TYPES.get(base)
    if allowed is None:  # a type papermill could not name: nothing to check
        return None
    if isinstance(value, bool) and bool not in allowed:
        return f"must be of type {declared}, not true/false"
    if isinstance(value, (dt.date, dt.datetime)) and str in allowed:
        return None  # YAML reads 2016-07-01 as a date: the notebook takes it as text
    if not isinstance(value, allowed):
        example = {"list": "[180, 365]", "float": "0.05", "int": "5", "str": '"fi"', "bool": "true"}.get(base, "")
        return (f"must be of type {declared} (got {type(value).__name__} {value!r})"
                + (f", e.g. {example}" if example else ""))
    return None


def parameter_problems(parameters: dict[str, Any], declared: dict[str, str]) -> list[str]:
    """One sentence per problem with ``parameters`` (name -> value), given the declared type of
    each name (``declared``: name -> papermill's type name).  Names not declared are not checked
    here (the runner refuses them with the list of known ones)."""
    problems = []
    for name, value in parameters.items():
        if name not in declared:
            continue
        problem = _type_problem(value, declared[name])
        if problem is None and value is not None and name in RULES:
            try:
                problem = RULES[name](value)
            except TypeError:
                problem = f"has a value of the wrong kind: {value!r}"
        if problem:
            problems.append(f"parameter {name} {problem}")
    return problems
