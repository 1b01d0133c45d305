"""The sparse path's scans on a Dask cluster (the ``dask`` extra): :class:`DaskScans`.

The candidate pass, the pricing scans and the exact checks are blockwise maps (one block of
mentees against the mentors at a time); on a :class:`~concurrent.futures.ThreadPoolExecutor`
they share the process's memory. On a cluster the score source — the mentor and mentee
factors of the screen, the keyed tables, the cohort for exact scores — is what each block
needs, and it is large (about 0.3 GB at 100 000 per side), so :class:`DaskScans`:

- **installs the source once per solve on every worker** (``Client.run``), and the tasks
  carry it as a token (:meth:`DaskScans.remote`);
- sends each scan's function — the potentials and thresholds of that round — **once per
  worker** (``Client.scatter(..., broadcast=True)``), and the blocks in a few batches per
  worker (:attr:`DaskScans.batches_per_worker`), so a round costs a few messages, not one
  per block;
- returns only what the blocks return: each block's kept and violating pairs.

The flow solves and the certificate stay in the calling process. The answer is the
threaded path's: the same blocks, in the same order, with the same arithmetic.

Dask is never imported by the core: this module imports ``distributed`` only when a
:class:`DaskScans` is built.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import Any

from ...errors import SolverError

__all__ = ["DaskScans"]

#: On each worker: the score sources installed for the solves under way, by token.
_SOURCES: dict[str, Any] = {}


def _install(token: str, source: Any) -> None:
    _SOURCES[token] = source


def _uninstall(token: str) -> None:
    _SOURCES.pop(token, None)


def _installed(token: str) -> Any:
    """The source a task refers to (how a :class:`_Remote` unpickles on a worker)."""
    try:
        return _SOURCES[token]
    except KeyError:
        raise SolverError(
            "a scan task reached a Dask worker that does not hold the solve's score source "
            "(a worker that joined during the solve?)",
            method="sparse",
        ) from None


class _Remote:
    """A score source that pickles as a token (the workers hold the source itself); in the
    calling process every attribute is the source's."""

    on_workers = True  # solve_sparse does not install it again

    def __init__(self, token: str, source: Any) -> None:
        self._token = token
        self._source = source
        self.shape = source.shape

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._source, name)

    def __reduce__(self) -> tuple[Callable[[str], Any], tuple[str]]:
        return _installed, (self._token,)


def _batch(items: list, fn: Callable[[Any], Any]) -> list:
    return [fn(x) for x in items]


class DaskScans(Executor):
    """An executor for :func:`rm_match.match` (and :func:`~rm_match.solvers.solve_source`)
    that runs the sparse path's scans as tasks on a Dask cluster.

    Parameters
    ----------
    client : distributed.Client
        The cluster's client. Workers need ``rm_match`` importable (the same version).
    batches_per_worker : int, default 4
        Tasks per worker for each blockwise map (more: finer load balance, more messages).

    Notes
    -----
    ``submit`` runs on ``client.get_executor()``: when the rules split the cohort into
    independent parts, the parts are tasks on the cluster too (each solved in its task).
    Set one BLAS thread per worker thread (``OPENBLAS_NUM_THREADS=1`` in the workers'
    environment) when workers share a machine's cores.

    Examples
    --------
    >>> import rm_match as rm
    >>> from distributed import Client, LocalCluster
    >>> from rm_match.solvers.sparse.cluster import DaskScans
    >>> mentors, mentees = rm.synthetic.cohort(300, 300, rng=0)
    >>> with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                   dashboard_address=None) as cluster, Client(cluster) as client:
    ...     m = rm.match(mentors, mentees, method="sparse", executor=DaskScans(client))
    >>> m.status, len(m)
    ('optimal', 300)
    """

    def __init__(self, client: Any, batches_per_worker: int = 4) -> None:
        import distributed  # noqa: F401 - the dask extra; a clear ImportError without it

        if batches_per_worker < 1:
            raise ValueError(f"batches_per_worker must be at least 1, not {batches_per_worker}")
        self.client = client
        self.batches_per_worker = int(batches_per_worker)
        self._inner = client.get_executor()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """``fn(*args, **kwargs)`` as one task on the cluster (``client.get_executor()``)."""
        return self._inner.submit(fn, *args, **kwargs)

    def map(
        self,
        fn: Callable[..., Any],
        *iterables: Iterable[Any],
        timeout: float | None = None,
        chunksize: int = 1,
    ) -> Iterator[Any]:
        """``fn`` over the items, in order: ``fn`` sent once to each worker, the items in
        ``batches_per_worker`` contiguous batches per worker."""
        items = list(iterables[0]) if len(iterables) == 1 else list(zip(*iterables, strict=True))
        if len(iterables) > 1:
            fn = _Star(fn)
        if not items:
            return iter([])
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        n = min(len(items), workers * self.batches_per_worker)
        step, extra = divmod(len(items), n)
        batches, start = [], 0
        for b in range(n):
            size = step + (b < extra)
            batches.append(items[start : start + size])
            start += size
        shared = self.client.scatter(fn, broadcast=True, hash=False)
        futures = self.client.map(_batch, batches, fn=shared, pure=False)
        results = self.client.gather(futures)
        return iter([r for batch in results for r in batch])

    @contextmanager
    def remote(self, source: Any) -> Iterator[Any]:
        """``source`` installed on every worker for the block: tasks carry a token, not the
        source (the calling process keeps using the source itself)."""
        token = uuid.uuid4().hex
        self.client.run(_install, token, source)
        try:
            yield _Remote(token, source)
        finally:
            self.client.run(_uninstall, token)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the inner executor down (the client and its cluster stay up)."""
        self._inner.shutdown(wait=wait)


class _Star:
    """``fn(*item)`` as a one-argument function (picklable)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, item: tuple) -> Any:
        return self.fn(*item)
