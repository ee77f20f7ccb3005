"""Progress of long steps, for a researcher watching a large register being analysed.

One mechanism for every long step (loading a dataset, testing every grouping): a single line on
stderr that updates in place, in a terminal and in JupyterLab.  It is shown only when the work is
large, so the default dataset's notebooks print nothing and their committed outputs stay stable.
"""

from __future__ import annotations

import sys

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["LARGE_CLIENTS", "Steps"]

#: Clients from which the analyses report their steps (a few seconds per step and more).
LARGE_CLIENTS = 200_000


class Steps:
    """``Steps(total, "loading the dataset", enabled)``; ``step(text)`` before each step,
    ``close()`` at the end (also when a step fails: use it in ``try``/``finally``)."""

    def __init__(self, total: int, what: str, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                file=sys.stderr,
                leave=True,
                unit="step",
                mininterval=0,
                miniters=1,
                bar_format=what + ": {desc} ({n}/{total}, {elapsed})",
            )

    def step(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(text, refresh=False)
            self.bar.update()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.set_description_str("done", refresh=False)
            self.bar.close()
            self.bar = None
