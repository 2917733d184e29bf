"""The Dask executor: page OCR and file parsing sent to a ``dask.distributed`` scheduler.

Dask is an optional extra (``pip install 'foiatool[cluster]'``) and is imported here only,
and only when a DaskCluster is made: an index built without ``--cluster`` never loads it.
Workers read the inputs by path, so the dump must sit on a filesystem every worker sees,
under the same path. They return plain records (FileResult, PageText); only the calling
process writes the index.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ..errors import FoiatoolError, UsageError

T = TypeVar("T")
R = TypeVar("R")

INSTALL = "pip install 'foiatool[cluster]'"
ENVIRONMENT = "FOIATOOL_CLUSTER"
# A task that raises is run again this many times (on any worker). A task whose worker
# dies is rescheduled by the scheduler itself, up to its ``allowed-failures`` (3 by default),
# and then fails with KilledWorker: the item is given up, as LocalPool gives it up.
RETRIES = 2


def _load_distributed() -> Any:
    try:
        import distributed
    except ImportError as error:
        raise UsageError(f"--cluster needs Dask's distributed scheduler, which is not installed: {INSTALL}") from error
    return distributed


class DaskCluster:
    """The scheduler at ``address`` (``tcp://host:8786``), or an existing ``distributed.Client``.

    ``run`` submits every item as its own task and yields ``(item, result)`` in the order
    they finish; an item whose task failed on every try comes back as ``(item, None)``.
    The connection is made on first use, so a command that has nothing to send never
    contacts the scheduler.
    """

    def __init__(self, address: str | None = None, *, client: Any = None, retries: int = RETRIES) -> None:
        if address is None and client is None:
            raise ValueError("DaskCluster needs an address or a client")
        self.address = address or client.scheduler.address
        self.retries = retries
        self._distributed = _load_distributed()
        self._client = client
        self._own_client = client is None

    @property
    def client(self) -> Any:
        return self.connect()

    def connect(self) -> Any:
        """The client, connected now if it was not; FoiatoolError names the address when the scheduler
        cannot be reached (after Dask's connect timeout: 30 s, or $DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)."""
        if self._client is None:
            try:
                self._client = self._distributed.Client(self.address, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as error:
                raise FoiatoolError(f"cannot reach the Dask scheduler at {self.address}: {error}") from error
        return self._client

    def run(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[T, R | None]]:
        if not items:
            return
        client = self.client
        futures = client.map(fn, list(items), retries=self.retries, pure=False)
        index = {future.key: position for position, future in enumerate(futures)}
        try:
            for future in self._distributed.as_completed(futures, loop=client.loop):
                position = index[future.key]
                if future.status == "finished":
                    try:
                        result = future.result()
                    except Exception:  # lost between finishing and being fetched (its worker died): run once more
                        result = self._once_more(fn, items[position])
                else:
                    self._raise_setup_error(future)
                    result = None  # raised on every try, or its worker died too many times (KilledWorker)
                future.release()
                yield items[position], result
        finally:
            # Interrupted, or the consumer stopped: the tasks still queued are cancelled on the cluster.
            client.cancel([future for future in futures if not future.done()])

    def _raise_setup_error(self, future: Any) -> None:
        # A worker without tesseract (or another tool) is set up wrong, not given a bad page:
        # the run stops and says so, rather than listing every page as failed.
        try:
            error = future.exception()
        except Exception:  # cancelled, or the exception itself could not be fetched
            return
        if isinstance(error, FoiatoolError):
            raise FoiatoolError(f"a worker of the Dask cluster at {self.address} failed: {error}") from error

    def _once_more(self, fn: Callable[[T], R], item: T) -> R | None:
        try:
            return self.client.submit(fn, item, retries=self.retries, pure=False).result()
        except Exception:
            return None

    def close(self) -> None:
        if self._client is not None and self._own_client:
            self._client.close()
            self._client = None


__all__ = ["ENVIRONMENT", "INSTALL", "RETRIES", "DaskCluster"]
