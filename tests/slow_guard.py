"""A pytest plugin (tests/conftest.py loads it): a test that starts a Jupyter kernel must be
marked ``slow``.

Every notebook run starts a kernel (papermill and nbclient both start one through
jupyter_client's ``KernelManager``), and ``make check`` deselects the slow tests to stay under two
minutes. A test without the mark that reaches a kernel start fails at once, naming the mark to add,
instead of slowing the developer loop by seconds per notebook.
"""

from __future__ import annotations

import pytest

MESSAGE = (
    "{test} starts a Jupyter kernel (a notebook run): mark it @pytest.mark.slow, which make check "
    "deselects (pyproject.toml, [tool.pytest.ini_options] markers)"
)


@pytest.fixture(autouse=True)
def _kernels_only_in_slow_tests(request, monkeypatch):
    if request.node.get_closest_marker("slow"):
        yield
        return
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    started = []

    def refuse(self, *args, **kwargs):
        started.append(type(self).__name__)
        raise RuntimeError(MESSAGE.format(test=request.node.nodeid))

    async def refuse_async(self, *args, **kwargs):
        refuse(self)

    monkeypatch.setattr(KernelManager, "start_kernel", refuse)
    monkeypatch.setattr(AsyncKernelManager, "start_kernel", refuse_async)
    yield
    if started:  # also when the test caught the error (a runner turns it into a failed run)
        pytest.fail(MESSAGE.format(test=request.node.nodeid), pytrace=False)
