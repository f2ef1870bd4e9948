"""The guided start: "New dispute, step by step" for an editor recording a dispute end to end.

Five steps, each its own page and its own save through the services, so an editor who stops after
any of them leaves whole drafts behind, never half a record:

1. **The dispute**: title, summary, when it started (``dispute_save``);
2. **Parties and roles**: an existing party or a new one, and its role (``dispute_add_party``);
3. **Claims**: who asserted what, when (``record_create``; the claimant among the dispute's parties);
4. **Sources**: an evidence record with its URL, linked to a claim with its stance (``claim_add_source``);
5. **Right of reply**: whom the newsroom asked to answer a claim, by when (``record_create``).

Steps 2-4 take as many entries as the editor adds ("Save and add another"); step 5 may be skipped.
The flow ends on the dispute's change page with what publishing it still needs
(``publish_requirements``), each record linked. The state lives in the database: the address
carries the dispute's id, so the flow can be resumed from its change page ("Continue the guided
start"). Every page needs the add permission of what its step creates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from claims.errors import ProvenanceError
from claims.models import (
    AIModel,
    Claim,
    Dispute,
    DisputeParty,
    EvidenceArtifact,
    EvidenceLink,
    Party,
    RightOfReply,
)
from claims.services import claim_add_source, dispute_add_party, dispute_save, record_create
from claims.services.records import publish_requirements


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    model: type  # what the step creates: its add permission opens the page
    intro: str
    repeat: bool = True  # "Save and add another"
    optional: bool = False


STEPS = [
    Step(
        "dispute",
        "The dispute",
        Dispute,
        "What the dispute is about, in a title and a few sentences. Everything you save on these pages is "
        "a draft: nothing reaches readers until you publish it.",
        repeat=False,
    ),
    Step(
        "parties",
        "Parties and roles",
        DisputeParty,
        "Who is involved: the accuser, the accused, the developers of the models at stake, whoever "
        "responded. Choose a party already recorded, or name a new one.",
    ),
    Step(
        "claims",
        "Claims",
        Claim,
        "What each party asserted, one claim at a time, as close to their words as you can. You assess the "
        "claims later, on each claim's page.",
    ),
    Step(
        "sources",
        "Sources",
        EvidenceLink,
        "Where each claim was made or is backed up: the paper, the post, the statement. Give its address so "
        "it can be archived, and say whether it supports or refutes the claim, or gives context.",
    ),
    Step(
        "reply",
        "Right of reply",
        RightOfReply,
        "Whom you asked to answer a claim, and by when. Past the deadline the editors' desk suggests "
        '"no response as of" that day. Skip this step if nobody has been asked yet.',
        optional=True,
    ),
]
BY_KEY = {step.key: step for step in STEPS}


class DisputeStepForm(forms.ModelForm):
    class Meta:
        model = Dispute
        fields = ["title", "summary", "started_on", "started_on_precision", "models_at_stake"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["models_at_stake"].required = False
        self.fields["models_at_stake"].help_text = (
            "The AI models the dispute is about, if recorded (AI models → Add). Claims that one model derives "
            "from another name them."
        )

    def save_new(self, user) -> Dispute:
        data = {k: v for k, v in self.cleaned_data.items() if k != "models_at_stake"}
        return dispute_save(
            dispute=None, data=data, user=user, m2m={"models_at_stake": self.cleaned_data["models_at_stake"]}
        )


class PartyStepForm(forms.Form):
    party = forms.ModelChoiceField(
        Party.objects.order_by("name"), required=False, help_text="A party already recorded."
    )
    new_party_name = forms.CharField(
        max_length=200, required=False, label="Or a new party", help_text="Its name, as it calls itself."
    )
    new_party_kind = forms.ChoiceField(
        choices=[("", "---------"), *Party.Kind.choices], required=False, label="New party's kind"
    )
    role = forms.ChoiceField(choices=DisputeParty.Role.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Markdown.")

    def __init__(self, *args, dispute: Dispute, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if bool(data.get("party")) == bool(data.get("new_party_name", "").strip()):
            raise ValidationError("Choose a party already recorded, or name a new one: one of the two.")
        if data.get("new_party_name", "").strip() and not data.get("new_party_kind"):
            self.add_error("new_party_kind", "Say what kind of party the new one is.")
        return data

    def save(self, dispute: Dispute, user) -> DisputeParty:
        data = self.cleaned_data
        name = data["new_party_name"].strip()
        return dispute_add_party(
            dispute=dispute,
            party=data["party"],
            new_party={"name": name, "kind": data["new_party_kind"]} if name else None,
            role=data["role"],
            note=data["note"],
            user=user,
        )


def _parties(dispute: Dispute):
    return Party.objects.filter(dispute_roles__dispute=dispute).distinct().order_by("name")


def _claims(dispute: Dispute):
    return Claim.objects.filter(dispute=dispute).order_by("made_on", "pk")


def _latest_claim(dispute: Dispute) -> int | None:
    """The claim added last: what the next source or request for reply is most likely about."""
    return Claim.objects.filter(dispute=dispute).order_by("-pk").values_list("pk", flat=True).first()


class ClaimStepForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = [
            "claimant", "kind", "title", "statement", "made_on", "date_precision", "venue", "responds_to",
            "subject_model", "alleged_source_model",
        ]  # fmt: skip
        widgets = {"statement": forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"})}

    def __init__(self, *args, dispute: Dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.dispute = dispute  # the model's own validation sees the dispute
        self.fields["claimant"].queryset = _parties(dispute)
        self.fields["claimant"].help_text = "One of the dispute's parties (add parties in the step before)."
        self.fields["responds_to"].queryset = _claims(dispute)
        self.fields[
            "responds_to"
        ].help_text = "For a denial, an admission or a counter-analysis: the claim it answers."
        for name in ("subject_model", "alleged_source_model"):
            self.fields[name].queryset = AIModel.objects.order_by("name")

    def save(self, dispute: Dispute, user) -> Claim:  # type: ignore[override]
        return record_create(model=Claim, data={**self.cleaned_data, "dispute": dispute}, user=user)


class SourceStepForm(forms.Form):
    claim = forms.ModelChoiceField(Claim.objects.none(), help_text="The claim this source bears on.")
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(
        choices=[c for c in EvidenceArtifact.Kind.choices if c[0] != EvidenceArtifact.Kind.ANALYSIS]
    )
    url = forms.URLField(max_length=500, required=False, assume_scheme="https", label="URL")
    published_on = forms.DateField(required=False, help_text="When the source was published, if known.")
    stance = forms.ChoiceField(choices=EvidenceLink.Stance.choices, help_text="What it does to the claim.")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Markdown. What in the source bears on the claim.",
    )

    def __init__(self, *args, dispute: Dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = _claims(dispute)
        self.fields["claim"].initial = _latest_claim(dispute)

    def save(self, dispute: Dispute, user) -> EvidenceLink:
        data = self.cleaned_data
        evidence = {k: data[k] for k in ("title", "kind", "url", "published_on")}
        return claim_add_source(
            claim=data["claim"], evidence=evidence, stance=data["stance"], note=data["note"], user=user
        )


class ReplyStepForm(forms.ModelForm):
    class Meta:
        model = RightOfReply
        fields = ["claim", "party", "asked_on", "reply_by", "date_precision"]

    def __init__(self, *args, dispute: Dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = _claims(dispute)
        self.fields["claim"].initial = _latest_claim(dispute)
        self.fields["party"].queryset = _parties(dispute)
        self.fields["party"].help_text = "Whom you asked: usually the party the claim is about."

    def save(self, dispute: Dispute, user) -> RightOfReply:  # type: ignore[override]
        return record_create(model=RightOfReply, data=self.cleaned_data, user=user)


FORMS = {
    "parties": PartyStepForm,
    "claims": ClaimStepForm,
    "sources": SourceStepForm,
    "reply": ReplyStepForm,
}


def _saved(dispute: Dispute | None, key: str) -> list:
    """What this step has saved so far, for the page's "already saved" list."""
    if dispute is None:
        return []
    if key == "parties":
        return list(DisputeParty.objects.filter(dispute=dispute).select_related("party").order_by("pk"))
    if key == "claims":
        return list(_claims(dispute).select_related("claimant"))
    if key == "sources":
        return list(
            EvidenceLink.objects.filter(claim__dispute=dispute)
            .select_related("claim", "evidence")
            .order_by("pk")
        )
    if key == "reply":
        return list(RightOfReply.objects.filter(claim__dispute=dispute).select_related("claim", "party"))
    return []


def step_url(dispute: Dispute, key: str) -> str:
    return reverse("admin:claims_dispute_guided_step", args=[dispute.pk, key])


def guided_view(admin, request, pk: int | None = None, step: str = "dispute"):
    """One step of the guided start (see the module docstring); ``admin`` is the DisputeAdmin."""
    current = BY_KEY.get(step)
    if current is None or (pk is None) != (step == "dispute"):
        raise Http404
    if not request.user.has_perm(f"claims.add_{current.model._meta.model_name}"):
        raise PermissionDenied
    dispute = None
    if pk is not None:
        dispute = Dispute.objects.filter(pk=pk).first()
        if dispute is None or not admin.has_change_permission(request, dispute):
            raise Http404
    index = STEPS.index(current)
    following = STEPS[index + 1] if index + 1 < len(STEPS) else None
    if current.key == "dispute":
        form = DisputeStepForm(request.POST or None)
    else:
        form = FORMS[current.key](request.POST or None, dispute=dispute)
    if request.method == "POST" and form.is_valid():
        try:
            if current.key == "dispute":
                dispute = form.save_new(request.user)
            else:
                form.save(dispute, request.user)
        except (ValidationError, ProvenanceError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            if "_another" in request.POST and current.repeat:
                messages.success(request, "Saved as a draft. Add another, or continue.")
                return HttpResponseRedirect(step_url(dispute, current.key))
            return _next(request, dispute, following)
    context = {
        **admin.admin_site.each_context(request),
        "opts": Dispute._meta,
        "title": f"New dispute, step by step: {current.title.lower()}",
        "dispute": dispute,
        "steps": STEPS,
        "step": current,
        "number": index + 1,
        "form": form,
        "saved": _saved(dispute, current.key),
        "next_url": (step_url(dispute, following.key) if following else _finish_url(dispute))
        if dispute
        else "",
        "following": following,
        "media": admin.media + form.media,
    }
    return TemplateResponse(request, "admin/claims/dispute/guided.html", context)


def _finish_url(dispute: Dispute) -> str:
    return reverse("admin:claims_dispute_guided_done", args=[dispute.pk])


def _next(request, dispute: Dispute, following: Step | None) -> HttpResponseRedirect:
    return HttpResponseRedirect(step_url(dispute, following.key) if following else _finish_url(dispute))


def _links(records) -> str:
    return format_html_join(
        ", ",
        '<a href="{}">{}</a> ({})',
        (
            (reverse(f"admin:claims_{r._meta.model_name}_change", args=[r.pk]), str(r), r._meta.verbose_name)
            for r in records
        ),
    )


def guided_done(admin, request, pk: int):
    """The end of the flow: the dispute's change page, saying what publishing it still needs and which
    of its records are still drafts (readers see each only once it is published), each linked."""
    dispute = Dispute.objects.filter(pk=pk).first()
    if dispute is None or not admin.has_change_permission(request, dispute):
        raise Http404
    needed = publish_requirements(dispute)
    drafts = [
        *Party.objects.drafts().filter(dispute_roles__dispute=dispute).distinct().order_by("name"),
        *_claims(dispute).drafts(),
        *EvidenceArtifact.objects.drafts().filter(links__claim__dispute=dispute).distinct().order_by("pk"),
    ]
    first = format_html(": publishing it needs {} published first", _links(needed)) if needed else ""
    later = (
        format_html(" Still drafts, which readers see only once each is published: {}.", _links(drafts))
        if drafts
        else ""
    )
    messages.info(
        request,
        format_html("The dispute is saved as a draft{}. Publish it with the button below.{}", first, later),
    )
    return HttpResponseRedirect(reverse("admin:claims_dispute_change", args=[dispute.pk]))
