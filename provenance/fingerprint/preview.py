"""What acquiring a hub or git checkpoint will do, said before anything downloads: the commit, the
files and their size, whether the weights are kept in the model cache or fingerprinted shard by
shard, and which methods will be able to run.

``acquisition_mode`` is the one rule that decides between keeping the weights and fingerprinting
them shard by shard; the knowledge base's download task follows it, and ``preview`` states it.
No Django here.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .methods import METHODS
from .report import resolve_methods
from .sizes import human_bytes
from .sources.errors import SourceError, TooLargeForCacheError
from .sources.git import plan_git
from .sources.hub import plan
from .sources.naming import GitSource, HubSource, hub_for
from .sources.verification import RemoteFile

DOWNLOAD = "download"
SHARD_BY_SHARD = "shard_by_shard"


def shardable(files: list[RemoteFile]) -> bool:
    """Whether planned weights can be fingerprinted shard by shard: safetensors only (the pass
    reads every shard's safetensors header first; it does not read GGUF)."""
    return not any(f.name.endswith(".gguf") for f in files)


def acquisition_mode(*, source: HubSource | GitSource, total_bytes: int, budget: int, shardable: bool) -> str:
    """``download`` (the weights are kept in the cache) when they fit the budget (0: no budget),
    else ``shard_by_shard`` (fetched, fingerprinted and deleted one shard at a time). Larger than
    the budget, a git repository is refused (git-lfs fetches whole objects only, and the
    shard-by-shard pass needs every shard's header before the first shard is passed), and so are
    weights that are not ``shardable`` (GGUF: see ``shardable``)."""
    if not budget or total_bytes <= budget:
        return DOWNLOAD
    if isinstance(source, GitSource) or not shardable:
        why = "git" if isinstance(source, GitSource) else "gguf"
        raise TooLargeForCacheError(source=str(source), total=total_bytes, budget=budget, why=why)
    return SHARD_BY_SHARD


@dataclass
class Preview:
    source: str
    commit: str
    files: list[dict]  # [{name, size}]
    total_bytes: int
    largest_file: int
    mode: str
    disk_needed: int  # at most on disk while acquiring
    disk_free: int
    budget: int  # MODEL_CACHE_MAX_GB in bytes, 0: none
    range_reads: bool | None  # whether the hub answers Range requests (asked only when it matters)
    methods: list[str] = field(default_factory=list)  # the methods that can run on it
    skipped: dict[str, str] = field(default_factory=dict)  # the others, with why

    @property
    def summary(self) -> str:
        """One paragraph for the editor."""
        shards = [f for f in self.files if f["name"].endswith((".safetensors", ".gguf"))]
        head = (
            f"{self.source} is commit {self.commit[:12]}: {human_bytes(self.total_bytes)} in {len(self.files)} "
            f"files ({len(shards)} of weights, the largest {human_bytes(self.largest_file)})."
        )
        if self.mode == DOWNLOAD:
            where = (
                "They fit the model cache: they are downloaded, verified and kept while reports need them."
            )
        else:
            where = (
                f"They are larger than the model cache ({human_bytes(self.budget)}): each shard is downloaded, "
                f"verified, fingerprinted and deleted in turn, so at most {human_bytes(self.disk_needed)} is "
                "on disk at once."
            )
            where += (
                " The hub answers range requests: the methods that compare weights read the tensors they need "
                "from it again, each checked against the digest recorded when its shard was verified."
                if self.range_reads
                else " The hub does not answer range requests: the methods that compare weights cannot run."
            )
        if self.disk_needed > self.disk_free:
            where += f" The disk has only {human_bytes(self.disk_free)} free: the download would be refused."
        return f"{head} {where}"

    def to_dict(self) -> dict:
        return {**asdict(self), "summary": self.summary}


def preview(
    source: HubSource | GitSource,
    *,
    hubs: dict,
    git_hosts: list[str],
    cache_dir: Path,
    budget: int = 0,
    token: str = "",
) -> Preview:
    """Resolve ``source`` and say what acquiring it will do (see the module's docstring). Fetches
    the repository's listing only (for git, the LFS pointers), and for a model larger than the
    cache 8 bytes by range to learn whether the hub answers ranges. SourceError as ``plan`` and
    ``plan_git``, and for a git repository or GGUF weights larger than the budget."""
    from .remote import RangeReader
    from .shard_by_shard import disk_needed

    if isinstance(source, GitSource):
        planned = plan_git(source, git_hosts=git_hosts, cache_dir=cache_dir)
    else:
        planned = plan(source, hubs=hubs, token=token)
    files = [{"name": f.name, "size": f.size} for f in planned.files]
    total = planned.total_bytes
    mode = acquisition_mode(
        source=source, total_bytes=total, budget=budget, shardable=shardable(planned.files)
    )
    ranges = None
    needed = total
    if mode == SHARD_BY_SHARD:
        needed = disk_needed(planned)
        first = next(f for f in planned.files if f.name.endswith(".safetensors"))
        reader = RangeReader(source, planned.commit, hub_for(source, hubs), token)
        try:
            ranges = len(reader.read(first.name, 8, 15)) == 8
        except SourceError as exc:
            if "does not answer HTTP Range" not in str(exc):
                raise
            ranges = False
    methods = resolve_methods(None, weights=True)
    skipped = {}
    if ranges is False:
        skipped = {
            name: "the hub does not answer range requests and the weights are deleted once fingerprinted"
            for name in methods
            if METHODS[name].needs_weights
        }
        methods = [m for m in methods if m not in skipped]
    existing = Path(cache_dir)
    while not existing.exists():
        existing = existing.parent
    return Preview(
        source=str(source),
        commit=planned.commit,
        files=files,
        total_bytes=total,
        largest_file=max((f["size"] for f in files), default=0),
        mode=mode,
        disk_needed=needed,
        disk_free=shutil.disk_usage(existing).free,
        budget=budget,
        range_reads=ranges,
        methods=methods,
        skipped=skipped,
    )
