"""A relation filter matches through records the reader may see (claims/selectors/filters.py): a draft's
slug answers exactly as an unknown slug does, for every relation filter of every collection; an
editor who sees the related model's drafts may filter by them."""

from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def _world():
    """Public rows, each related to a draft through one relation filter; returns (filter URL with the
    draft's slug, the same with an unknown slug, the same with a public record's slug)."""
    draft_party = f.PartyFactory(slug="draft-party")
    draft_dispute = f.DisputeFactory(slug="draft-dispute")
    draft_model = f.AIModelFactory(slug="draft-model", developer=f.PartyFactory(published=True))
    public_party = f.PartyFactory(published=True, slug="public-party")
    public_dispute = f.DisputeFactory(published=True, slug="public-dispute")
    public_model = f.AIModelFactory(published=True, slug="public-model", developer=public_party)

    f.PartyFactory(published=True, parent=draft_party)
    f.PartyFactory(published=True, parent=public_party)
    for dispute in (draft_dispute, public_dispute):
        f.DisputePartyFactory(dispute=dispute, party=f.PartyFactory(published=True))
    f.AIModelFactory(
        published=True, developer=draft_party, declared_base=draft_model, declared_relation="fine_tune"
    )
    f.AIModelFactory(
        published=True, developer=public_party, declared_base=public_model, declared_relation="fine_tune"
    )
    shown = f.AIModelFactory(published=True)
    draft_dispute.models_at_stake.add(shown)
    public_dispute.models_at_stake.add(shown)
    for party, model in ((draft_party, draft_model), (public_party, public_model)):
        dispute = f.DisputeFactory(published=True)
        f.DisputePartyFactory(dispute=dispute, party=party)
        dispute.models_at_stake.add(model)
    draft_claim = f.ClaimFactory(slug="draft-claim", dispute=f.DisputeFactory(published=True))
    public_claim = f.ClaimFactory(published=True, slug="public-claim", claimant=public_party)
    f.ClaimFactory(published=True, claimant=draft_party, subject_model=draft_model, responds_to=draft_claim)
    f.ClaimFactory(
        published=True, claimant=public_party, subject_model=public_model, responds_to=public_claim
    )
    f.EvidenceArtifactFactory(published=True, author=draft_party)
    f.EvidenceArtifactFactory(published=True, author=public_party)


FILTERS = [
    ("parties", "dispute", "dispute"),
    ("parties", "parent", "party"),
    ("models", "developer", "party"),
    ("models", "party", "party"),
    ("models", "declared_base", "model"),
    ("models", "dispute", "dispute"),
    ("disputes", "party", "party"),
    ("disputes", "model", "model"),
    ("claims", "claimant", "party"),
    ("claims", "party", "party"),
    ("claims", "model", "model"),
    ("claims", "responds_to", "claim"),
    ("evidence", "author", "party"),
    ("evidence", "party", "party"),
]


@pytest.mark.parametrize(("collection", "name", "kind"), FILTERS, ids=[f"{c}-{n}" for c, n, _k in FILTERS])
def test_a_relation_filter_answers_a_drafts_slug_as_an_unknown_slug(anon, editor, collection, name, kind):
    _world()
    url = f"/api/v1/{collection}/?{name}="
    public = anon.get(f"{url}public-{kind}").json()["results"]
    assert public, "the filter matches through a public record"
    unknown = anon.get(f"{url}no-such-{kind}")
    draft = anon.get(f"{url}draft-{kind}")
    assert draft.status_code == unknown.status_code == 200
    assert draft.json() == unknown.json()
    assert draft.json()["results"] == []
    # An editor sees the drafts of the related model: the filter finds rows through them.
    assert editor.get(f"{url}draft-{kind}").json()["results"]
