"""Why a checkpoint source cannot be acquired: one ``SourceError`` subclass per reason, each carrying
the facts a caller needs (the hub, the file, the hashes...) and each sentence written here, once.

As huggingface_hub's ``errors.py``: callers catch ``SourceError`` (every class below is one) or a
subclass when they act on the reason; ``str()`` is one sentence saying what to do next. The facts
are attributes of the error (``error.revision``, ``error.expected``) and survive pickling
(``FingerprintError.__reduce__``). A plain ``SourceError("...")`` is still raised where a sentence
belongs to one caller only (the command line's HUBS, the pipeline's cache).
"""

from __future__ import annotations

import string
from typing import Any, ClassVar

from ..errors import FingerprintError
from ..sizes import human_bytes


class SourceError(FingerprintError):
    """A checkpoint source that cannot be acquired: a bad name, a hub that refuses, a file that is
    not what the hub published. ``str()`` is one sentence saying what to do."""

    def __init__(self, message: str | None = None, **facts: Any) -> None:
        self.__dict__.update(facts)
        super().__init__(self.sentence() if message is None else message)

    template: ClassVar[str] = ""
    """The sentence, ``str.format`` ed with the facts; a subclass whose sentence depends on them
    overrides ``sentence`` instead."""

    def sentence(self) -> str:
        """The message, from the facts."""
        if not self.template:
            raise TypeError(f"{type(self).__name__} needs a message")
        return _SENTENCES.vformat(self.template, (), self.__dict__)


class _Sentences(string.Formatter):
    """``str.format`` with one more spec: ``{size:bytes}`` is ``human_bytes(size)`` ("4.9 GB")."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return human_bytes(value) if format_spec == "bytes" else super().format_field(value, format_spec)


_SENTENCES = _Sentences()


def _listed(names: list[str], shown: int = 3) -> str:
    return ", ".join(names[:shown]) + (", …" if len(names) > shown else "")


# -- naming: what a source, a hub or a host may be ------------------------------------------------


class InvalidSourceError(SourceError):
    """A part of a source's name that is not well formed: ``part`` is "source", "hub", "repo",
    "revision", "file" or "git_url", ``value`` what was given."""

    part: str
    value: str
    _HINTS = {
        "source": "is not a hub source: write hf:Org/Name@revision.",
        "hub": "is not a hub's name: use one of the operator's HUBS, e.g. huggingface.",
        "repo": "is not a repository ID: write Org/Name, e.g. Qwen/Qwen2.5-14B.",
        "revision": "is not a revision: give a branch, a tag or a commit.",
        "file": "is not a GGUF file of a repository: give its name, e.g. model-Q4_K_M.gguf or "
        "Q4_K_M/model-Q4_K_M-00001-of-00002.gguf.",
        "git_url": "is not a git repository address: give https://host/org/name(.git).",
    }

    def sentence(self) -> str:
        return f"{self.value!r} {self._HINTS[self.part]}"


class UnknownHubError(SourceError):
    """A source names a hub the operator did not configure (``known``: the configured names)."""

    hub: str
    known: list[str]

    def sentence(self) -> str:
        return (
            f"The hub {self.hub!r} is not one this server may download from (configured: "
            f"{', '.join(self.known) or 'none'}); an operator adds hubs with the HUBS setting."
        )


class GitHostNotAllowedError(SourceError):
    """A git URL outside the operator's ``GIT_HOSTS`` prefixes."""

    host: str

    template = (
        "{host} is not a git host this server may download from; an operator adds hosts with the "
        "GIT_HOSTS setting."
    )


class RedirectRefusedError(SourceError):
    """A hub sent a request (or one of its redirect hops) to a host not listed for it in ``HUBS``."""

    hub: str
    what: str
    host: str

    template = (
        "{hub} redirected {what} to {host}, a host it is not known to use: refused (an operator "
        "lists a hub's download hosts in HUBS)."
    )


# -- the repository: what is there and who may read it -------------------------------------------


class RepositoryNotFoundError(SourceError):
    """No such repository (on a hub: or a private one, ``hint_token`` when no token was sent; in
    git: ``git_message`` is git's own line)."""

    where: str
    hint_token: bool = False
    git_message: str | None = None

    def sentence(self) -> str:
        if self.git_message is not None:
            return f"{self.where} is not a git repository this server can read ({self.git_message})."
        private = " or it is private or gated (then an operator must set HF_TOKEN)" if self.hint_token else ""
        return f"{self.where} does not exist{private}."


class RevisionNotFoundError(SourceError):
    """The repository has no such branch, tag or commit."""

    where: str
    revision: str

    template = "{where} has no revision {revision!r}: check the branch, tag or commit."


class GatedRepoError(SourceError):
    """A gated repository whose terms the operator's token has not accepted (401/403)."""

    where: str

    template = (
        "{where} is gated: an operator must set HF_TOKEN to a token that has accepted its terms "
        "(the hub answered 401/403)."
    )


class AccessDeniedError(SourceError):
    """The hub refused the token (``status`` 401 or 403)."""

    where: str
    status: int

    template = "{where} refused access ({status}): an operator must set HF_TOKEN to a token with access."


class EntryNotFoundError(SourceError):
    """A file the listing names that the hub then cannot find."""

    where: str
    detail: str

    template = "A file of {where} is listed but cannot be found: {detail}"


class HubUnreadableError(SourceError):
    """Any other failure of the hub's client (``detail``: the exception's type and text)."""

    where: str
    detail: str

    template = "{where} could not be read: {detail}"


class NotAHubError(SourceError):
    """An answer that is not a Hugging Face-compatible hub's listing: ``problem`` is "json" (a
    field of the wrong shape, ``detail`` says which), "commit" (no commit named) or "size" (a file
    without its size, ``file``)."""

    endpoint: str
    source: str
    problem: str
    detail: str = ""
    file: str = ""

    def sentence(self) -> str:
        if self.problem == "commit":
            return f"{self.endpoint} did not name the commit of {self.source}: is it a Hugging Face-compatible hub?"
        if self.problem == "size":
            return f"{self.endpoint} did not give the size of {self.file}."
        return (
            f"{self.endpoint} answered the listing of {self.source} with JSON that is not a Hugging Face-compatible "
            f"hub's ({self.detail}): nothing was downloaded."
        )


# -- selection: which files of the repository the engine reads ------------------------------------


class NoWeightsError(SourceError):
    """No safetensors or GGUF weights (``pickles``: the pickle checkpoints it holds instead, never
    downloaded)."""

    source: str
    pickles: list[str]

    def sentence(self) -> str:
        if self.pickles:
            return (
                f"{self.source} holds only pickle checkpoints ({_listed(self.pickles)}): opening a pickle can "
                "run code, so Provenance never downloads them. Ask for a revision with safetensors or GGUF weights."
            )
        return f"{self.source} has no safetensors or GGUF weights: nothing to analyse."


class GgufNotHeldError(SourceError):
    """The source names a GGUF file the repository does not list (``models``: the first file of
    each GGUF model it holds)."""

    source: str
    file: str
    models: list[str]

    def sentence(self) -> str:
        there = f"its GGUF files are {_listed(self.models, 5)}" if self.models else "it holds no GGUF file"
        return f"{self.source} names {self.file}, which the repository does not hold: {there}."


class AmbiguousGgufError(SourceError):
    """Several GGUF models and none named (``example``: the source naming the first one, for a hub)."""

    source: str
    models: list[str]
    split: bool
    example: str = ""

    def sentence(self) -> str:
        kind = "models" if self.split else "files"
        example = f" (the source's file, e.g. {self.example})" if self.example else ""
        return (
            f"{self.source} holds {len(self.models)} GGUF {kind} ({_listed(self.models, 5)}): "
            f"name the one to analyse{example}."
        )


class IncompleteSplitError(SourceError):
    """A split GGUF set of which the repository lists only some parts."""

    source: str
    parts: list[str]
    missing: list[str]

    def sentence(self) -> str:
        return (
            f"{self.source} lists {len(self.parts) - len(self.missing)} of the {len(self.parts)} parts of the "
            f"split GGUF {self.parts[0]} (missing: {_listed(self.missing)}): it cannot be read."
        )


class OutsideRepositoryError(SourceError):
    """A listed file name that leaves the repository (``/etc/x``, ``../x``)."""

    source: str
    file: str

    template = "{source} lists a file outside the repository: {file!r}."


# -- verification: the bytes that arrive -----------------------------------------------------------


class WrongCommitError(SourceError):
    """The hub served a file of another commit than the one the listing resolved."""

    hub: str
    file: str
    served: str
    commit: str

    template = "{hub} served {file} of commit {served}, not {commit}."


class ConflictingHashesError(SourceError):
    """The listing and the file's headers publish two different SHA-256 (nothing downloaded)."""

    hub: str
    file: str
    listed: str
    header: str

    template = (
        "{hub} gives two hashes for {file}: {listed} in the listing, {header} in the file's "
        "headers. Nothing was downloaded."
    )


class HashMismatchError(SourceError):
    """A downloaded file whose hash (``kind``: "SHA-256" or "git blob id") is not the published one."""

    hub: str
    file: str
    kind: str
    got: str
    expected: str

    template = (
        "{file} does not match what {hub} publishes: {kind} {got} downloaded, {expected} "
        "published. The file was deleted."
    )


class SizeMismatchError(SourceError):
    """A file of another size than announced: ``how`` is "short" (the body ended early), "long"
    (the hub sent more than it lists) or "pointer" (an LFS object of another size than its pointer)."""

    file: str
    size: int
    how: str
    got: int = 0
    hub: str = ""

    def sentence(self) -> str:
        if self.how == "long":
            return (
                f"{self.hub} sent more than the {self.size} bytes it lists for {self.file} (a listing that lies "
                "about the size): the download was stopped there and nothing was kept."
            )
        if self.how == "pointer":
            return (
                f"{self.file} has {self.got} bytes but its LFS pointer says {self.size}: the pointer lies "
                "about the size; nothing was kept."
            )
        return (
            f"{self.file} arrived with {self.got} bytes, not the {self.size} the hub announced "
            "(a body cut short, or a listing that lies about the size): nothing was kept."
        )


class HtmlAnswerError(SourceError):
    """An HTML page (a login or error page) where a weight file was expected; nothing kept."""

    hub: str
    file: str

    template = "{hub} answered an HTML page instead of {file} (a login or error page?): nothing was kept."


class DownloadInterruptedError(SourceError):
    """A connection dropped mid-file; the partial file is kept and the next attempt resumes it."""

    hub: str
    file: str
    detail: str

    template = "The download of {file} from {hub} stopped: {detail}"


class DiskFullError(SourceError):
    """The disk filled while a file was written (the partial file removed)."""

    file: str
    size: int
    folder: str

    template = (
        "The disk is full: {file} ({size:bytes}) could not be written to {folder}; the partial file "
        "was removed. An operator must free space there."
    )


class NotEnoughSpaceError(SourceError):
    """Refused before anything downloads: what is still to fetch does not fit the free space
    (``one_shard``: even fetched and passed one shard at a time, ``shard_by_shard``)."""

    source: str
    missing: int
    folder: str
    free: int
    one_shard: bool = False

    def sentence(self) -> str:
        if self.one_shard:
            return (
                f"{self.source} needs {human_bytes(self.missing)} on disk even one shard at a time and "
                f"{self.folder} has {human_bytes(self.free)} free: nothing was downloaded."
            )
        return (
            f"{self.source} needs {human_bytes(self.missing)} more on disk and {self.folder} has "
            f"{human_bytes(self.free)} free: nothing was downloaded. An operator must free space or point "
            "MODEL_CACHE_DIR elsewhere."
        )


class TooLargeForCacheError(SourceError):
    """Weights larger than the whole model cache that cannot be passed shard by shard either
    (``why``: "git", git-lfs fetches whole files; "gguf", only safetensors can be)."""

    source: str
    total: int
    budget: int
    why: str

    def sentence(self) -> str:
        larger = (
            f"{self.source} holds {human_bytes(self.total)} of weights, more than the whole model cache "
            f"(MODEL_CACHE_MAX_GB: {human_bytes(self.budget)}), and"
        )
        if self.why == "git":
            return (
                f"{larger} a git repository cannot be fingerprinted shard by shard (git-lfs fetches whole "
                "files only): an operator must raise the budget."
            )
        return (
            f"{larger} GGUF weights cannot be fingerprinted shard by shard (only safetensors can): an "
            "operator must raise the budget."
        )


# -- reading single tensors by HTTP range (``remote``) --------------------------------------------


class RangesRefusedError(SourceError):
    """The hub answers a Range request with the whole file (or an error status)."""

    hub: str
    file: str
    status: int

    template = (
        "{hub} does not answer HTTP Range requests for {file} (status {status}): single tensors "
        "cannot be read without downloading the whole file."
    )


class RangeReadFailedError(SourceError):
    """Range reads of a file dropped more often than they are retried."""

    hub: str
    file: str
    attempts: int
    detail: str

    template = "Reading {file} from {hub} by range stopped {attempts} times: {detail}"


class NotSafetensorsError(SourceError):
    """A remote file whose first bytes are not a safetensors header that fits it."""

    hub: str
    file: str
    size: int

    template = (
        "{file} on {hub} does not start with a safetensors header that fits the file ({size:bytes}): "
        "not a safetensors file."
    )


# -- git -------------------------------------------------------------------------------------------


class GitCommandError(SourceError):
    """``git`` (or git-lfs) failed; ``git_message`` is its first error line."""

    command: str
    source: str
    git_message: str

    def sentence(self) -> str:
        return f"git {self.command} of {self.source} failed: {self.git_message or 'no message'}"


class LfsObjectMissingError(SourceError):
    """git-lfs ended without the object a pointer names."""

    file: str
    oid: str
    url: str

    template = "git-lfs did not fetch {file} (object {oid}) from {url}."
