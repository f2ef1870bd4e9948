"""The founding dispute's two real layouts (provenance/fingerprint/synthetic/real_layouts.py): the
configurations give the published sizes, the engine places every tensor of both skeletons, and
the sources an editor types for the real checkpoints are accepted."""

from __future__ import annotations

import pytest

from provenance.fingerprint.fingerprint import Role
from provenance.fingerprint.sources import GitSource, HubSource, parse_source
from provenance.fingerprint.stats import fingerprint_checkpoint
from provenance.fingerprint.synthetic import write_model
from provenance.fingerprint.synthetic.real_layouts import (
    PANGU_PRO_MOE,
    QWEN2_5_14B,
    REAL_SOURCES,
    checkpoint_bytes,
    founding_skeletons,
    parameter_count,
)


def test_the_configurations_give_the_published_parameter_counts_and_download_sizes():
    # Qwen2.5-14B's model card: 14.7 B; Pangu Pro MoE's technical report: 71.99 B.
    assert round(parameter_count(QWEN2_5_14B) / 1e9, 2) == 14.77
    assert round(parameter_count(PANGU_PRO_MOE) / 1e9, 2) == 71.99
    assert round(checkpoint_bytes(QWEN2_5_14B) / 1e9, 1) == 29.5
    assert round(checkpoint_bytes(PANGU_PRO_MOE) / 1e9, 1) == 144.0


@pytest.fixture(scope="module")
def skeletons(tmp_path_factory):
    root = tmp_path_factory.mktemp("founding")
    return {
        name: fingerprint_checkpoint(write_model(m, root / name)) for name, m in founding_skeletons().items()
    }


def test_the_engine_places_every_tensor_of_pangu_pro_moe(skeletons):
    fp = skeletons["pangu-pro-moe"]
    assert fp.num_layers == 4
    experts = {p.expert for p in fp.parts if p.role == Role.GATE}
    assert experts == {*range(8), -1}  # 8 routed experts (64 / 8 in the skeleton) and the shared one
    assert len([p for p in fp.parts if p.role == Role.ROUTER]) == 4
    for role in (Role.Q, Role.K, Role.V, Role.O):
        assert len(fp.parts_by(role=role)) == 4, role
    # The router scale is the only tensor no role describes; everything else is placed.
    assert {t.name.rsplit(".", 1)[-1] for t in fp.tensors if _role_of(fp, t.name) == "other"} == {
        "router_scale"
    }


def test_the_engine_places_every_tensor_of_qwen2_5_14b(skeletons):
    fp = skeletons["qwen2.5-14b"]
    assert fp.family == "qwen2" and fp.num_layers == 4
    assert {p.expert for p in fp.parts if p.role == Role.GATE} == {None}
    assert not [t for t in fp.tensors if _role_of(fp, t.name) == "other"]


def test_the_sources_an_editor_types_for_the_real_checkpoints_are_accepted():
    qwen, pangu = parse_source(REAL_SOURCES["qwen2.5-14b"]), parse_source(REAL_SOURCES["pangu-pro-moe"])
    assert qwen == HubSource("huggingface", "Qwen/Qwen2.5-14B", "main")
    assert (
        isinstance(pangu, GitSource) and pangu.url == "https://gitcode.com/ascend-tribe/pangu-pro-moe-model"
    )
    assert pangu.revision == "15e45a97fa314d86804f93f7faba107b43f8d25c"


def _role_of(fp, tensor_name: str) -> str | None:
    roles = {p.role for p in fp.parts if p.tensor == tensor_name}
    return roles.pop() if len(roles) == 1 else None
