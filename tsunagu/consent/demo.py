"""The demo networks' purpose of use and privacy policy, accepted by every demo member, so the
re-consent gate lets the demo's people in."""

from __future__ import annotations

from django.utils import timezone

from tsunagu.tenancy.cache import forget_membership
from tsunagu.tenancy.models import Membership, Network

from .actions import do_publish_policy, do_save_draft
from .models import Consent, HowGiven

COMPANY_PURPOSE = """\
{company}（以下「当社」）は、{network}（以下「本ネットワーク」）の運営にあたり、ご登録いただいた\
個人情報を次の目的で利用します。

1. 本ネットワークへのご招待、ご本人の確認および会員の管理のため
2. 会員同士の交流の場（名簿、トークルーム、掲示板、イベント）を提供するため
3. 当社からのお知らせ、社内報、イベント、採用情報（カムバック採用を含みます）をご案内するため
4. アンケートを実施し、個人を特定しない統計を作成してサービスを改善するため
5. お問い合わせに対応するため
"""

COMPANY_POLICY = """\
## 取得する情報
氏名（漢字・カナ・ローマ字）、メールアドレス、在籍時の部署と在籍期間、現在の勤務先と役職、\
プロフィールにご記入いただいた内容、本ネットワークでの投稿と参加の記録。

## 第三者への提供
法令に基づく場合を除き、ご本人の同意なく第三者に提供することはありません。

## 公開範囲
プロフィールの項目ごとに、公開する範囲をご自身で選べます。「事務局のみ」とした項目は事務局の担当者\
だけが閲覧し、閲覧した記録を残します。

## 保存期間
退会後の投稿は、ご本人の選択により「退会したメンバー」として残すか、削除します。受諾されなかった\
招待の記録は24か月後に、通知は12か月後に削除します。

## 開示・訂正・削除のご請求
ご自身のデータは、いつでもダウンロードし、削除を請求できます。

## お問い合わせ窓口
{company} 人事部 アルムナイ事務局（{contact}）
"""


def seed_policy(network: Network, office: Membership, *, company: str, contact: str) -> None:
    """Publishes the network's first version and records every member's consent to it."""
    do_save_draft(
        office,
        purpose=COMPANY_PURPOSE.format(company=company, network=network.name),
        policy=COMPANY_POLICY.format(company=company, contact=contact),
    )
    version = do_publish_policy(office)
    now = timezone.now()
    members = list(Membership.objects.filter(network=network).values_list("pk", "user_id"))
    Consent.objects.bulk_create(
        Consent(
            network=network, membership_id=pk, version=version, accepted_at=now, how=HowGiven.DEMO
        )
        for pk, _user_id in members
    )
    for _pk, user_id in members:  # written in bulk, past the action that drops them
        forget_membership(network.pk, user_id)
