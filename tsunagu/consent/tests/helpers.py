from __future__ import annotations

from django_scopes import scope

from tsunagu.consent.actions import do_publish_policy, do_save_draft
from tsunagu.consent.models import PolicyVersion
from tsunagu.tenancy.models import Membership


def publish(operator: Membership, purpose: str = "会員の交流のために利用します。",
            policy: str = "第三者には提供しません。") -> PolicyVersion:  # fmt: skip
    with scope(network=operator.network):
        do_save_draft(operator, purpose=purpose, policy=policy)
        return do_publish_policy(operator)
