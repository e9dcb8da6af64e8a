from __future__ import annotations

from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "tsunagu.consent"
    label = "consent"

    def ready(self) -> None:
        from tsunagu.tenancy.gates import add_member_gate, add_membership_value, add_network_value

        from .gate import consent_gate
        from .versions import accepted_number, current_number

        # The two numbers the gate compares come with the cached network and membership.
        add_network_value("policy_version", current_number)
        add_membership_value("accepted_policy_version", accepted_number)
        add_member_gate(consent_gate)
