"""The engine's error types. Only these leave the engine on bad input.

Every error carries the file and, where it applies, the tensor it is about, and its ``str()`` is one
sentence a journalist can read ("shard model-00003-of-00004.safetensors is truncated: ...").
"""

from __future__ import annotations


class FingerprintError(Exception):
    """Base class of every error the engine raises on bad input or an impossible request."""

    def __init__(self, message: str, *, path: str | None = None, tensor: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.tensor = tensor

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Keyword attributes survive pickling: an error raised in a worker process of the parallel
        # pass (``stats.fingerprint_checkpoint(processes=N)``) arrives whole in the parent.
        return (_restore, (type(self), dict(self.__dict__)))


def _restore(cls: type[FingerprintError], state: dict) -> FingerprintError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message"))
    error.__dict__.update(state)
    return error


class CheckpointFormatError(FingerprintError):
    """The bytes on disk are not a valid checkpoint (bad header, bad spans, unknown dtype...)."""


class TruncatedFileError(CheckpointFormatError):
    """A file is shorter than its header says."""


class MissingShardError(CheckpointFormatError):
    """The shard index names a file that is not there."""


class EmptyCheckpointError(CheckpointFormatError):
    """A folder with no weight files, or a file with no tensors."""


class UnknownLayoutError(FingerprintError):
    """Tensor names that no known architecture layout can place in (layer, role, expert)."""


class IncompatibleModelsError(FingerprintError):
    """A method cannot compare these two models (e.g. no attention tensors in common)."""


class TamperedWeightsError(FingerprintError):
    """Bytes read again (by HTTP range, from a hub) that are not the ones verified and fingerprinted
    before: never skipped as "does not apply", the report stops and says so."""


class UnsafePathError(FingerprintError):
    """A path the engine refuses to open (see the subclasses); the message names the file."""


class NotRegularFileError(UnsafePathError):
    """A FIFO, socket or device where a file or folder of weights was expected: opening one could
    block the reader forever or read without end."""


class OutsidePermittedFoldersError(UnsafePathError):
    """A file (or folder) that resolves, symlinks followed, outside the folders the caller allows
    the engine to read (the pipeline passes the model store)."""


class ParameterError(FingerprintError):
    """A report parameter outside its bounds, or unknown (see ``parameters``); names the parameter."""

    def __init__(self, message: str, *, parameter: str):
        super().__init__(message)
        self.parameter = parameter
