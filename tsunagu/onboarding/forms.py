from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import PlainErrors
from tsunagu.core.text import SingleLineField
from tsunagu.core.widgets import FileInput
from tsunagu.tenancy.models import Network, Role

from .dates import DateError, parse_date
from .models import InvitationStatus, OnboardingSettings
from .roster import EMAIL_MAX, MAX_BYTES


class UploadForm(PlainErrors, forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "CSV (UTF-8 or Shift_JIS) or Excel (.xlsx), at most 5 MB and 20,000 rows. "
            "A title or a date above the column names is fine: they are found by their words."
        ),
        widget=FileInput,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Split it into several files.")
            )
        return upload


class SegmentForm(forms.Form):
    """Which invitees to look at (and to invite): a segment of the roster."""

    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *InvitationStatus.choices]
    )
    left_within = forms.IntegerField(
        label=_("Left within the last … months"), required=False, min_value=1, max_value=600
    )
    department = forms.CharField(label=_("Department"), required=False, max_length=100)


class LinkForm(PlainErrors, forms.Form):
    label = SingleLineField(
        label=_("Label"),
        max_length=100,
        help_text=_("For you: where you share it, e.g. “LINE group of the 2015 intake”."),
    )
    role = forms.ChoiceField(
        label=_("Role of those who join"),
        choices=[(Role.ALUMNI, Role.ALUMNI.label), (Role.EMPLOYEE, Role.EMPLOYEE.label)],
    )
    max_uses = forms.IntegerField(
        label=_("Number of uses"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("1 for a personal link; empty for no limit."),
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), required=False, min_value=1, max_value=365, initial=30
    )

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("valid_days")
        return timezone.now() + datetime.timedelta(days=days) if days else None


class ExitCodeForm(forms.Form):
    name = SingleLineField(
        label=_("Leaver's name"),
        max_length=100,
        required=False,
        help_text=_("For the office's own list; the leaver may correct it."),
    )
    left_on = forms.CharField(
        label=_("Leaving date"), max_length=40, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_left_on(self) -> datetime.date:
        try:
            day = parse_date(self.cleaned_data["left_on"])
        except DateError:
            day = None
        if day is None:
            raise forms.ValidationError(_("Write the date like 2025-03-31."))
        if day < timezone.localdate() - datetime.timedelta(days=365):
            raise forms.ValidationError(_("The leaving date is more than a year ago."))
        return day


class ExitRegistrationForm(PlainErrors, forms.Form):
    """What the leaver types on their phone."""

    email = forms.CharField(
        label=_("Private e-mail address"),
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text=_("An address you will keep after leaving: not the company's."),
    )
    name = SingleLineField(
        label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    consent = forms.BooleanField(label=_("I have read the purpose of use and agree to it."))
    keep_domain = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, company_domain: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company_domain = company_domain
        self.warn_domain = False

    def clean_email(self) -> str:
        email = unicodedata.normalize("NFKC", self.cleaned_data["email"]).strip().lower()
        validate_email(email)
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email = data.get("email") or ""
        if (
            self.company_domain
            and email.rsplit("@", 1)[-1] == self.company_domain
            and not data.get("keep_domain")
        ):
            # A warning, not a refusal: some people keep a company address after leaving.
            self.warn_domain = True
            data_again = dict(self.data.items())
            data_again["keep_domain"] = "1"  # sent again as it is, it is kept
            self.data = data_again
            raise forms.ValidationError(
                _(
                    "This looks like a company address, which usually stops working when you "
                    "leave. Enter a private address, or send the form again to keep this one."
                )
            )
        return data


class DoNotInviteForm(forms.Form):
    addresses = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=50_000,
        help_text=_("One per line, or separated by commas."),
    )

    def clean_addresses(self) -> list[str]:
        words = [w.strip() for w in re.split(r"[\s,、，;]+", self.cleaned_data["addresses"])]
        addresses = [w for w in words if w]
        wrong = []
        for address in addresses:
            try:
                validate_email(unicodedata.normalize("NFKC", address))
            except forms.ValidationError:
                wrong.append(address)
        if wrong:
            raise forms.ValidationError(
                _("These are not e-mail addresses: %(list)s")
                % {"list": "、".join(w[:60] for w in wrong[:10])}
            )
        if len(addresses) > 1000:
            raise forms.ValidationError(_("Enter at most 1,000 addresses at once."))
        return addresses


class HeaderChoiceForm(forms.Form):
    """Another sheet of the workbook, or another row as the header, when the guess was wrong."""

    sheet = forms.TypedChoiceField(label=_("Sheet"), coerce=int, required=False)
    header_line = forms.IntegerField(
        label=_("Row with the column names"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text=_("Leave it empty to look for it by its words in the first 20 rows."),
    )

    def __init__(self, *args: Any, sheets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(sheets) > 1:
            sheet = self.fields["sheet"]
            assert isinstance(sheet, forms.TypedChoiceField)
            sheet.choices = list(enumerate(sheets))
        else:
            del self.fields["sheet"]


class MemberInviteForm(PlainErrors, forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=EMAIL_MAX)
    name = SingleLineField(label=_("Name"), max_length=100)
    message = forms.CharField(
        label=_("Personal message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApplyForm(PlainErrors, forms.Form):
    def __init__(
        self, *args: Any, network: Network, operated: list[Network] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The operators' community asks which network the applicant runs, among those they
        # run now (access.operated_networks()).
        self.operated = {str(n.pk): n.name for n in operated or []}
        if network.is_operators_community:
            self.fields["operated"] = forms.ChoiceField(
                label=_("The alumni network you operate"),
                choices=list(self.operated.items()),
                error_messages={"required": _("Choose the network you operate.")},
            )
        self.questions = list(network.join_questions or [])
        for index, question in enumerate(self.questions):
            self.fields[f"q{index}"] = forms.CharField(
                label=question, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["declaration"] = forms.BooleanField(
            label=_("I meet the conditions for joining described above."),
            error_messages={
                "required": _("Please confirm that you meet the conditions for joining.")
            },
        )

    def answers(self) -> list[dict[str, str]]:
        operated = []
        if "operated" in self.fields:
            name = self.operated[self.cleaned_data["operated"]]
            operated = [{"question": str(self.fields["operated"].label), "answer": name}]
        return operated + [
            {"question": q, "answer": self.cleaned_data[f"q{i}"].strip()}
            for i, q in enumerate(self.questions)
        ]


NOTE_MAX = 2000


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    # No max_length here: browsers count a line break as one character against the textarea's
    # maxlength and send it as two, so the limit is checked on the text with plain breaks.
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].replace("\r\n", "\n")
        if len(note) > NOTE_MAX:
            raise forms.ValidationError(
                _("Write at most %(count)d characters.") % {"count": NOTE_MAX}
            )
        return note


class OnboardingSettingsForm(forms.ModelForm):
    class Meta:
        model = OnboardingSettings
        fields = ["who_may_invite", "approval_note", "rejection_note"]
        widgets = {
            "approval_note": forms.Textarea(attrs={"rows": 3}),
            "rejection_note": forms.Textarea(attrs={"rows": 3}),
        }


class OffboardingForm(forms.Form):
    """What an HR system posts about a leaver (JSON or form-encoded)."""

    email = forms.EmailField(max_length=EMAIL_MAX)
    name = SingleLineField(max_length=100)
    name_kana = SingleLineField(max_length=100, required=False)
    name_romaji = SingleLineField(max_length=100, required=False)
    department = SingleLineField(max_length=100, required=False)
    title = SingleLineField(max_length=100, required=False)
    joined_on = forms.CharField(max_length=40, required=False)
    left_on = forms.CharField(max_length=40)
    role = forms.ChoiceField(
        choices=[(Role.ALUMNI, Role.ALUMNI), (Role.EMPLOYEE, Role.EMPLOYEE)], required=False
    )
    # Second version of the hook: all optional, so first-version callers are unchanged.
    private_email = forms.EmailField(max_length=EMAIL_MAX, required=False)
    consent = forms.BooleanField(required=False)
    consent_at = forms.DateTimeField(required=False)
    do_not_invite = forms.BooleanField(required=False)
    external_id = SingleLineField(max_length=100, required=False)

    def clean_private_email(self) -> str:
        return (
            unicodedata.normalize("NFKC", self.cleaned_data.get("private_email") or "")
            .strip()
            .lower()
        )

    def _date(self, name: str) -> datetime.date | None:
        try:
            return parse_date(self.cleaned_data.get(name) or None)
        except DateError:
            raise forms.ValidationError(_("Write the date like 2025-03-31.")) from None

    def clean_joined_on(self) -> datetime.date | None:
        return self._date("joined_on")

    def clean_left_on(self) -> datetime.date | None:
        return self._date("left_on")

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or Role.ALUMNI
