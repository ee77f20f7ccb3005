"""The notebooks' parameters checked before any kernel starts: type and range of every value.

A notebook declares each parameter's type in its ``parameters`` cell (``alpha: float = 0.05``);
papermill reports it as a type name.  :func:`parameter_problems` checks a value against that
type and against the range rule of its name in :data:`RULES`, and returns one sentence per
problem, so ``-p alpha 1.5`` fails at once instead of ten seconds later inside a notebook.
Every problem gives an example of that parameter's own kind (:data:`EXAMPLES`).

:func:`normalise_parameters` first reads a value as the parameter means it: a municipality code
given as a number (``-p treated 71``; YAML reads it as the integer 71) is the code ``"071"``,
as ``dataset.yaml`` reads ``municipality_code: 71``.  The runner resolves the parameters that
name a file (:data:`PATH_PARAMETERS`) where the command was typed.  Imports nothing of this package.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from .vocabulary import CLIENTS_AS_COMPARISONS, COMPARISON_ESTIMATORS

__all__ = ["EXAMPLES", "PATH_PARAMETERS", "RULES", "normalise_parameters", "parameter_problems"]

#: Parameters that name a file or folder (besides ``dataset`` and ``output_dir``, which the
#: runner sets): a relative path is taken from where the command was typed, else from the
#: repository root, as ``dataset`` is (the kernel itself runs in ``notebooks/``).
PATH_PARAMETERS = ("panel",)

#: An example value of each parameter, written as it is typed after ``-p NAME``.
EXAMPLES: dict[str, str] = {
    "panel": "data/public/statfin/statfin_tyonv_12r5.csv.gz",
    "horizons": "[180, 365, 730]",
    "covariates": "[age_at_entry, sex]",
    "alpha": "0.05",
    "lang": "fi",
    "min_cell": "5",
    "min_at_risk": "10",
    "bootstrap_reps": "500",
    "seed": "2016",
    "strict": "true",
    "treated": "071",
    "treatment_start": "2016-07",
    "post_end": "2019-05",
    "pre_start": "2013-01",
    "exclude_neighbours": "true",
    "exclude_aland": "true",
    "sensitivity_starts": "[2008-01, 2012-01]",
    "power": "0.8",
    "estimator": "matching",
    "ratio": "1",
    "caliper": "0.2",
    "replace": "true",
    "reps": "200",
    "sensitivity_reps": "50",
    "clients_as_comparisons": "censor",
}


def _positive_days(value: Any) -> str | None:
    if not value or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        return "must be a non-empty list of whole numbers of days above 0, e.g. [180, 365, 730]"
    return None


def _open_unit(value: Any) -> str | None:
    return None if 0 < value < 1 else "must be between 0 and 1 (0.05 gives 95 % intervals)"


def _power(value: Any) -> str | None:
    return None if 0 < value < 1 else "must be a share between 0 and 1 (80 % power is 0.8)"


def _at_least_one(value: Any) -> str | None:
    return None if value >= 1 else "must be at least 1"


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    def rule(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return rule


def _positive(value: Any) -> str | None:
    return None if value > 0 else "must be above 0"


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
    if value is None or _municipality_code(value) is not None:
        return None
    return "must be a municipality code (three digits, e.g. 071, or 71, or KU071), or null for the dataset's"


def _municipality_code(value: Any) -> str | None:
    """``71``, ``"071"``, ``"KU071"`` -> ``"071"``; None for anything else.  The same reading as
    :func:`evaluation.dataset.municipality_code` (a test keeps the two in step)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    match = re.fullmatch(r"(?:KU)?(\d{1,3})", str(value).strip().upper())
    return match.group(1).zfill(3) if match else None


#: How a value is read before it is checked, by parameter name.
_READERS: dict[str, Callable[[Any], Any]] = {
    "treated": lambda v: _municipality_code(v) or v,
}


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
    "estimator": _one_of(COMPARISON_ESTIMATORS),
    "clients_as_comparisons": _one_of(CLIENTS_AS_COMPARISONS),
    "ratio": _at_least_one,
    "reps": _at_least_one,
    "sensitivity_reps": _at_least_one,
    "caliper": _positive,
}

_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def _type_problem(value: Any, declared: str) -> str | None:
    optional = declared.startswith("Optional[") and declared.endswith("]")
    base = declared[len("Optional[") : -1] if optional else declared
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
        return f"must be of type {declared} (got {type(value).__name__} {value!r})"
    return None


def normalise_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """``parameters`` with each value read as its parameter means it (see the module's text);
    a value that cannot be read so is left as it is, for :func:`parameter_problems` to name."""
    return {
        name: (_READERS[name](value) if name in _READERS and value is not None else value)
        for name, value in parameters.items()
    }


def parameter_problems(parameters: dict[str, Any], declared: dict[str, str]) -> list[str]:
    """One sentence per problem with ``parameters`` (name -> value), given the declared type of
    each name (``declared``: name -> papermill's type name).  Names not declared are not checked
    here (the runner refuses them with the list of known ones).  Each sentence ends with an
    example of that parameter (:data:`EXAMPLES`), e.g. ``-p treated 071``."""
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
            example = EXAMPLES.get(name)
            if example and "e.g." not in problem:
                problem += f", e.g. -p {name} {example}"
            problems.append(f"parameter {name} {problem}")
    return problems
