"""Checkpoints that live on a model hub: name them, fetch the files the engine reads, verify them.

A source is ``hf:Org/Name@revision`` (a Hugging Face-compatible hub; ``hf:`` is the hub named
``huggingface``, ``hub:<name>:Org/Name@rev`` any hub the operator configured), and
``hf:Org/Name@rev:file.gguf`` names one GGUF model of a repository holding several quantisations
(any part of a split set names the whole set). The hubs are the operator's list (``HUBS``:
``name=https://host[|redirect-host|...]`` separated by commas): a source names a hub, never a URL,
so nobody can point the server at an arbitrary address, and a file is fetched only from the hub
itself or from a host the operator listed for its redirects (a CDN).

Acquisition goes through the unmodified ``huggingface_hub`` client: ``HfApi.repo_info`` resolves
the revision to a commit and lists the files with their sizes and hashes, ``get_hf_file_metadata``
makes the same HEAD call ``hf_hub_download`` makes, and ``http_get`` (the function
``hf_hub_download`` downloads with) streams each file into a writer of ours that computes the
file's SHA-256 - and its git blob id, which the hub publishes for files not in LFS - as the bytes
arrive, so no file is read twice. ``hf_hub_download`` itself cannot be used for that: it writes
to a file of its own and hands a progress bar only the byte counts.

Only what the engine reads is fetched: safetensors shards, their index, config.json and the
tokenizer files; or the GGUF model the source names (every part of its split set) - or, in a
repository without safetensors, its only GGUF model - with config.json and the tokenizer files.
Pickles (``*.bin``, ``*.pt``, ``*.pth``, ``*.pkl``) are never fetched: opening one can run code.
A file whose hash is not the published one is deleted and the acquisition fails naming the file
and both hashes; an interrupted download keeps ``<file>.partial`` and resumes from it (its bytes
are hashed once more, never the whole file).

No Django here: the knowledge base's pipeline (``claims.pipeline.downloads.runner``) and the command line
(``compare hf:Org/Name@rev``) both call ``acquire``.

The package, by concern: ``naming`` (sources, hubs, git hosts, what a report records), ``selection``
(which files of a repository), ``hub`` (the hub client: plan, fetch, verify), ``git`` (git and
git-lfs), ``verification`` (hashing while writing, partial files, free space) and ``errors`` (one
``SourceError`` subclass per reason, each sentence written there). This module is the package's
public interface; importing it loads neither NumPy nor the hub client (the settings read HUBS).
"""

from .errors import SourceError
from .git import GitPlan, acquire_git, plan_git
from .hub import Plan, acquire, hub_requests, plan, snapshot_folder
from .naming import (
    DEFAULT_GIT_HOSTS,
    DEFAULT_HUBS,
    HUB_TIMEOUT,
    GitSource,
    Hub,
    HubSource,
    commit_label,
    git_allowed,
    git_source,
    hub_for,
    hub_source,
    is_source,
    parse_git_hosts,
    parse_hubs,
    parse_source,
    source_record,
)
from .selection import select_files
from .verification import PARTIAL, Acquired, Progress, RemoteFile

__all__ = [
    "DEFAULT_GIT_HOSTS",
    "DEFAULT_HUBS",
    "HUB_TIMEOUT",
    "PARTIAL",
    "Acquired",
    "GitPlan",
    "GitSource",
    "Hub",
    "HubSource",
    "Plan",
    "Progress",
    "RemoteFile",
    "SourceError",
    "acquire",
    "acquire_git",
    "commit_label",
    "git_allowed",
    "git_source",
    "hub_for",
    "hub_requests",
    "hub_source",
    "is_source",
    "parse_git_hosts",
    "parse_hubs",
    "parse_source",
    "plan",
    "plan_git",
    "select_files",
    "snapshot_folder",
    "source_record",
]
