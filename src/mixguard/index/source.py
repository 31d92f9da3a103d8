"""The seam between the resolver and wherever distributions come from.

:class:`PackageIndex` is what resolution and the findings read (pages, metadata, RECORDs);
:class:`Prefetch` is what may be fetched ahead of need. :class:`~.client.IndexClient`
implements both; a fake index (tests, a snapshot) subclasses :class:`NoPrefetch` and gets the
prefetch side as no-ops. The resolver never probes an index for optional methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .client import ProjectFiles
    from .links import DistributionFile
    from .metadata import MetadataResult

__all__ = ["Index", "NoPrefetch", "PackageIndex", "Prefetch"]


@runtime_checkable
class PackageIndex(Protocol):
    """Pages, core metadata and RECORDs, as pip reads them."""

    def project_files(self, name: str) -> ProjectFiles:
        """Files of ``name`` in pip's priority order."""
        ...

    def metadata(self, file: DistributionFile) -> MetadataResult:
        """The file's core metadata, or why it is unknown."""
        ...

    def record(self, file: DistributionFile) -> tuple[str, ...] | None:
        """The wheel's RECORD paths, None when they cannot be read."""
        ...


@runtime_checkable
class Prefetch(Protocol):
    """Work an index may start before it is asked (never changes what is decided)."""

    def warm(
        self,
        name: str,
        then: Callable[[ProjectFiles], DistributionFile | None] | None = None,
        *,
        priority: int = 0,
    ) -> None:
        """Start ``name``'s page, then the METADATA of the file ``then`` picks; a lower
        ``priority`` number starts first (0: what the resolver is about to need)."""
        ...

    def warm_record(self, file: DistributionFile) -> None: ...

    def warm_metadata(self, file: DistributionFile) -> None: ...

    def prefetch_records(self, files: Iterable[DistributionFile]) -> None: ...

    def warming(self) -> AbstractContextManager[None]:
        """A resolution's span: when the last open span ends, the background fetches not yet
        started are dropped (two resolutions may run at once: one ending must not drop the
        other's)."""
        ...


class NoPrefetch:
    """:class:`Prefetch` that fetches nothing ahead: for indexes with nothing to overlap."""

    def warm(
        self,
        name: str,
        then: Callable[[ProjectFiles], DistributionFile | None] | None = None,
        *,
        priority: int = 0,
    ) -> None:
        return None

    def warm_record(self, file: DistributionFile) -> None:
        return None

    def warm_metadata(self, file: DistributionFile) -> None:
        return None

    def prefetch_records(self, files: Iterable[DistributionFile]) -> None:
        return None

    def warming(self) -> AbstractContextManager[None]:
        return nullcontext()


class Index(PackageIndex, Prefetch, Protocol):
    """Both sides: what :func:`mixguard.resolve.resolve` takes."""
