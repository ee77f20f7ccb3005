"""Evaluation of the Wassup project (Haapavesi, 2016-2019).

Layers, each importing only those before it: ``dataset`` (the contract; the only reader of input
files) -> analyses (``describe``, ``targets``, ``survival``, ``sectors``) -> ``figures`` ->
notebooks -> ``runs`` (papermill orchestration).
"""

from .dataset import GROUPS, OUTCOME_GROUPS, SECTORS, Dataset, DatasetError, load_dataset

__all__ = ["GROUPS", "OUTCOME_GROUPS", "SECTORS", "Dataset", "DatasetError", "load_dataset"]
__version__ = "0.1.0"
