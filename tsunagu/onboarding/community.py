"""The operators' community (seed 001): a network of the kind "operators" on the same
installation, which only active operators of active alumni networks may apply to, with the
founding note's eligibility questions, approved by the community's own operators through the
ordinary applications queue (``do_apply``, ``do_decide_application``). Its boards start with
the four places the note names for sharing between networks: venues, PR, speakers, openings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django_scopes import scope

from tsunagu.boards.models import Category
from tsunagu.tenancy.actions import do_add_member, do_create_network
from tsunagu.tenancy.models import Network, NetworkKind, Role

if TYPE_CHECKING:
    from tsunagu.accounts.models import User

NAME = "企業アルムナイ運営者コミュニティ"
SLUG = "alumni-operators"
TAGLINE = "運営者同士で、アルムナイの課題解決を助け合う場"

DESCRIPTION = """\
企業アルムナイの運営者が互いの課題解決を支援し合い、価値を生み出すアルムナイを増やすための場です。

- **実践知の共有**：立ち上げ・活性化・運営の考え方や進め方
- **アセットの相互利用**：会場、広報、登壇者の紹介、採用や業務委託などの機会
- **知見共有と相談**：企画や運営の壁打ち

参加は個人としてのもので、所属アルムナイとしての公式な連携ではありません。参加に伴う費用や義務はありません。
"""

ELIGIBILITY = "\n".join(
    [
        "企業・官公庁の卒業生コミュニティ（アルムナイ）の運営メンバーの方が対象です。"
        "次の条件をすべて満たす方がご参加いただけます。",
        "1. 相応の登録者数とイベントなどの活動実績がある"
        "（設立前、人数が少ない、活動実績が乏しい段階の方には、別の初心者向けの場をおすすめします）",
        "2. 公式性がある（会社主催に限らず、会社から公式に近い認知・後援を受けている有志運営も"
        "含みます。元同僚の私的な集まりや、会社と関わりのない集まりは対象外です）",
        "3. 参加資格が企業・官公庁の卒業生である（学校や研修プログラムの修了者の会、"
        "卒業生でも現役社員でもない方が参加できる会は対象外です）",
        "4. ビジネスなどで現役の方を対象に、価値の共創を目的としている"
        "（懐かしむことが中心の場は対象外です）",
        "5. 定常的に運営に携わっている（単発のイベントの幹事のみの方は対象外です）",
        "このサイトで運営者を務めているアルムナイネットワークのアカウントからお申し込みください。",
    ]
)

QUESTIONS = [
    "運営しているアルムナイの登録者数と、直近1年の主な活動（イベントの回数など）を教えてください",
    "会社主催ですか、有志による運営ですか。有志の場合は、会社からの認知や後援の状況を教えてください",
    "参加資格は企業・官公庁の卒業生（と現役社員）に限られていますか",
    "アルムナイの目的を教えてください（ビジネスでの共創、情報交換など）",
    "運営でのあなたの役割と、関わっている期間・頻度を教えてください",
]

CATEGORIES = [
    ("会場", "イベント会場の提供・募集（広さ、設備、費用）"),
    ("広報", "公式サイトやSNSでの相互発信、記事・動画などのコンテンツ化"),
    ("登壇者", "セミナーや交流会の登壇者の紹介・募集"),
    ("求人・案件", "採用・業務委託などの機会の共有とマッチング"),
]


@transaction.atomic
def create_operators_community(
    organiser: User, *, name: str = NAME, slug: str = SLUG
) -> tuple[Network, bool]:
    """The community with ``organiser`` as its first operator, its questions and its board
    categories; an existing one at ``slug`` is returned as it is (False: not created)."""
    existing = Network.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, False
    network = do_create_network(
        name=name,
        slug=slug,
        kind=NetworkKind.OPERATORS,
        tagline=TAGLINE,
        description=DESCRIPTION,
        eligibility=ELIGIBILITY,
        join_questions=QUESTIONS,
        brand_color="#3d6b4f",
    )
    with scope(network=network):
        do_add_member(network, organiser, role=Role.OPERATOR)
        for position, (title, text) in enumerate(CATEGORIES):
            Category.objects.create(
                network=network, name=title, description=text, position=position
            )
    return network, True
