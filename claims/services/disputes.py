"""Writes of a dispute together with its party roles (the ``DisputeParty`` rows), and the steps of
the guided start that add to a dispute in one go (``dispute_add_party``, ``claim_add_source``).

Roles are updated in place, keyed by (party, role), the key the database keeps unique: a role that
stays keeps its row, its id and its history (only a changed note is a new history entry), a role
that goes is deleted, a new one created, each history entry naming the editor. Replacing the whole
list by delete-and-recreate would give every kept role a new id and a history that says it was
removed and added again on each edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction

from claims.models import Claim, Dispute, DisputeParty, EvidenceArtifact, EvidenceLink, Party
from claims.services.content import public_write
from claims.services.records import record_create, record_delete, record_save, record_update


@public_write
@transaction.atomic
def dispute_save(
    *,
    dispute: Dispute | None,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None,
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
    roles: Iterable[Mapping[str, Any]] | None = None,
) -> Dispute:
    """A new draft dispute (``dispute`` None) or ``dispute`` changed, from ``data``, with its models
    at stake (``m2m``); ``roles``, when given, becomes its whole list of party roles."""
    if dispute is None:
        dispute = record_create(model=Dispute, data=data, user=user, m2m=m2m)
    else:
        dispute = record_update(record=dispute, data=data, user=user, m2m=m2m)
    if roles is not None:
        dispute_set_roles(dispute=dispute, roles=roles, user=user)
    return dispute


@public_write
@transaction.atomic
def dispute_set_roles(
    *, dispute: Dispute, roles: Iterable[Mapping[str, Any]], user: AbstractBaseUser | None
) -> list[DisputeParty]:
    """Make ``roles`` (each ``{"party": Party, "role": str, "note": str}``, note optional) the
    dispute's whole list of party roles, updating in place (see the module docstring). Returns the
    rows in the order given. A (party, role) pair listed twice is a ``ValidationError``."""
    wanted: dict[tuple[int, str], Mapping[str, Any]] = {}
    for entry in roles:
        key = (entry["party"].pk, entry["role"])
        if key in wanted:
            raise ValidationError(
                f"{entry['party']} is listed twice as {DisputeParty.Role(entry['role']).label}: "
                "give each role of a party once."
            )
        wanted[key] = entry
    # From the table, not ``dispute.roles``: a view may have prefetched only the roles readers see.
    rows = DisputeParty.objects.filter(dispute=dispute).select_related("party")
    existing = {(row.party_id, row.role): row for row in rows}
    for key, row in existing.items():
        if key not in wanted:
            record_delete(record=row, user=user)
    result = []
    for key, entry in wanted.items():
        row = existing.get(key) or DisputeParty(dispute=dispute, party=entry["party"], role=entry["role"])
        note = entry.get("note", "")
        if row.pk is None or row.note != note:
            row.note = note
            record_save(record=row, user=user)
        result.append(row)
    return result


@public_write
@transaction.atomic
def dispute_add_party(
    *,
    dispute: Dispute,
    party: Party | None,
    new_party: Mapping[str, Any] | None,
    role: str,
    note: str = "",
    user: AbstractBaseUser | None,
) -> DisputeParty:
    """Give ``dispute`` one more party role: an existing ``party``, or a new draft party made from
    ``new_party`` (``{"name": …, "kind": …}``); the dispute's other roles are kept. All or nothing
    (the guided start's "parties" step, ``claims.admin.guided``)."""
    if (party is None) == (not new_party):
        raise ValidationError("Choose an existing party or name a new one (one of the two).")
    if party is None:
        party = record_create(model=Party, data=dict(new_party), user=user)
    current = [
        {"party": row.party, "role": row.role, "note": row.note}
        for row in DisputeParty.objects.filter(dispute=dispute).select_related("party").order_by("pk")
    ]
    rows = dispute_set_roles(
        dispute=dispute, roles=[*current, {"party": party, "role": role, "note": note}], user=user
    )
    return rows[-1]


@public_write
@transaction.atomic
def claim_add_source(
    *,
    claim: Claim,
    evidence: Mapping[str, Any],
    stance: str,
    note: str = "",
    user: AbstractBaseUser | None,
) -> EvidenceLink:
    """A new draft evidence record made from ``evidence`` (title, kind, URL…), linked to ``claim`` with
    ``stance``: both or neither (the guided start's "sources" step, ``claims.admin.guided``)."""
    artifact = record_create(model=EvidenceArtifact, data=dict(evidence), user=user)
    return record_create(
        model=EvidenceLink,
        data={"claim": claim, "evidence": artifact, "stance": stance, "note": note},
        user=user,
    )
