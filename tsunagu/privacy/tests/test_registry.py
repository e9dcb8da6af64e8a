"""Every model that refers to a person says what export and erasure do with its rows."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from tsunagu.privacy.registry import ALL, Erase, covered, rules
from tsunagu.tenancy.models import Membership


def references_to_people() -> set[tuple[str, str]]:
    people = (get_user_model(), Membership)
    return {
        (model._meta.label, f.name)
        for model in apps.get_models(include_auto_created=True)
        for f in model._meta.concrete_fields
        if (f.many_to_one or f.one_to_one) and f.related_model in people
    }


def test_every_reference_to_a_person_has_an_export_or_erasure_rule() -> None:
    missing = sorted(references_to_people() - covered())
    assert not missing, (
        "declare these in the app's personal_data.py (see tsunagu/privacy/registry.py): "
        + ", ".join(f"{label}.{name}" for label, name in missing)
    )


def test_every_rule_leads_to_a_person_and_names_real_fields() -> None:
    people = (get_user_model(), Membership)
    for rule in rules():
        assert rule.target() in people, f"{rule.model}.{rule.owner} does not lead to a person"
        model = rule.model_class
        for name in (*rule.files, *rule.blank):
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                raise AssertionError(f"{rule.model} has no field {name}") from None
        if rule.kind and rule.export != ALL:
            model.objects.none().values(*rule.export)  # raises on an unknown field
        for name in rule.files:
            assert isinstance(model._meta.get_field(name), models.FileField), name
        if rule.erase in (Erase.TOMBSTONE, Erase.BLANK) and rule.erase_with is None:
            assert rule.blank, f"{rule.model}.{rule.owner}: say which fields are emptied"
