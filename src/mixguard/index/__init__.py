"""The PyPI side (and conda packages' Python contents): pages, metadata, RECORDs, the cache.

- :mod:`.source`: the :class:`PackageIndex` / :class:`Prefetch` seam the resolver reads;
- :mod:`.client`: :class:`~.client.IndexClient`, pip's index reading behind a cache;
- :mod:`.links`, :mod:`.simple`: file names and PEP 503/691 pages;
- :mod:`.metadata`: core metadata (PEP 658, Range reads of wheels, sdists);
- :mod:`.transport`, :mod:`.cache`: HTTP and ``file://`` fetches, the verified cache;
- :mod:`.snapshot`: offline indexes; :mod:`.conda_package`, :mod:`.conda_dists`: what a conda
  package installs for pip to see.

Submodules are imported on use: ``import mixguard.index`` stays cheap.
"""

from .source import Index, NoPrefetch, PackageIndex, Prefetch

__all__ = ["Index", "NoPrefetch", "PackageIndex", "Prefetch"]
