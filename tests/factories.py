"""factory_boy factories for every knowledge-base model, and users for the three personas."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from claims import models as m


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Editor{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


def editor(**kwargs) -> User:
    return UserFactory(groups=["Editors"], **kwargs)


class PublishedMixin(factory.django.DjangoModelFactory):
    class Params:
        published = factory.Trait(status="published", published_at=factory.LazyFunction(timezone.now))


class PartyFactory(PublishedMixin):
    class Meta:
        model = m.Party

    name = factory.Sequence(lambda n: f"Party {n}")
    slug = factory.Sequence(lambda n: f"party-{n}")
    kind = m.Party.Kind.ORGANISATION


class AIModelFactory(PublishedMixin):
    class Meta:
        model = m.AIModel

    name = factory.Sequence(lambda n: f"Model {n}")
    slug = factory.Sequence(lambda n: f"model-{n}")
    developer = factory.SubFactory(PartyFactory)


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Checkpoint

    model = factory.SubFactory(AIModelFactory)
    revision = factory.Sequence(lambda n: f"rev-{n}")


class DisputeFactory(PublishedMixin):
    class Meta:
        model = m.Dispute

    title = factory.Sequence(lambda n: f"Dispute {n}")
    slug = factory.Sequence(lambda n: f"dispute-{n}")


class DisputePartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.DisputeParty

    dispute = factory.SubFactory(DisputeFactory)
    party = factory.SubFactory(PartyFactory)
    role = m.DisputeParty.Role.ACCUSER


class EvidenceArtifactFactory(PublishedMixin):
    class Meta:
        model = m.EvidenceArtifact

    title = factory.Sequence(lambda n: f"Evidence {n}")
    slug = factory.Sequence(lambda n: f"evidence-{n}")
    kind = m.EvidenceArtifact.Kind.PAPER
    url = "https://example.org/paper"


class ClaimFactory(PublishedMixin):
    class Meta:
        model = m.Claim

    # A claim is public only in a public dispute: a published claim gets a published one.
    dispute = factory.Maybe(
        "published", factory.SubFactory(DisputeFactory, published=True), factory.SubFactory(DisputeFactory)
    )
    claimant = factory.SubFactory(PartyFactory)
    kind = m.Claim.Kind.OTHER
    title = factory.Sequence(lambda n: f"Claim {n}")
    slug = factory.Sequence(lambda n: f"claim-{n}")
    statement = "Something was asserted."


class EvidenceLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.EvidenceLink

    claim = factory.SubFactory(ClaimFactory)
    evidence = factory.SubFactory(EvidenceArtifactFactory)
    stance = m.EvidenceLink.Stance.SUPPORTS


class RightOfReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.RightOfReply

    claim = factory.SubFactory(ClaimFactory)
    party = factory.SubFactory(PartyFactory)


class ModelFingerprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ModelFingerprint

    checkpoint = factory.SubFactory(CheckpointFactory)
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    engine_version = "1.0"


class FingerprintReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.FingerprintReport

    checkpoint_a = factory.SubFactory(CheckpointFactory)
    checkpoint_b = factory.SubFactory(CheckpointFactory)
    methods = ["attn_std"]


class SourceCaptureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SourceCapture

    evidence = factory.SubFactory(EvidenceArtifactFactory, published=True)
    url = factory.SelfAttribute("evidence.url")


class SourceSuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SourceSuggestion

    evidence = factory.SubFactory(EvidenceArtifactFactory, published=True)
    kind = m.SourceSuggestion.Kind.REMOVED
    observed_on = factory.LazyFunction(lambda: timezone.now().date())


FACTORIES = {
    m.Party: PartyFactory,
    m.AIModel: AIModelFactory,
    m.Checkpoint: CheckpointFactory,
    m.Dispute: DisputeFactory,
    m.DisputeParty: DisputePartyFactory,
    m.EvidenceArtifact: EvidenceArtifactFactory,
    m.Claim: ClaimFactory,
    m.EvidenceLink: EvidenceLinkFactory,
    m.RightOfReply: RightOfReplyFactory,
    m.ModelFingerprint: ModelFingerprintFactory,
    m.FingerprintReport: FingerprintReportFactory,
    m.SourceCapture: SourceCaptureFactory,
    m.SourceSuggestion: SourceSuggestionFactory,
}
