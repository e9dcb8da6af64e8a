"""Rich, believable Japanese profiles for the demo and for large benchmark networks."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from tsunagu.tenancy.models import Network

from .indexing import reindex
from .models import CareerEntry, LifeUpdate, Profile, Tag
from .normalize import normalize

# The names of generated members (seed_demo, seed_scale); READINGS has a reading for each.
FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "前田",
    "藤田",
    "小川",
    "岡田",
    "長谷川",
    "村上",
    "近藤",
    "石井",
    "坂本",
    "遠藤",
]
GIVEN = [
    "翔太",
    "美咲",
    "大輔",
    "陽菜",
    "健一",
    "由美",
    "拓海",
    "さくら",
    "直樹",
    "麻衣",
    "悠斗",
    "彩",
    "亮",
    "恵",
    "隆之",
    "真由美",
    "光",
    "結衣",
    "和也",
    "千尋",
    "誠",
    "奈々",
    "浩二",
    "理沙",
]

READINGS = {
    "佐藤": ("さとう", "Sato"),
    "鈴木": ("すずき", "Suzuki"),
    "高橋": ("たかはし", "Takahashi"),
    "田中": ("たなか", "Tanaka"),
    "伊藤": ("いとう", "Ito"),
    "渡辺": ("わたなべ", "Watanabe"),
    "山本": ("やまもと", "Yamamoto"),
    "中村": ("なかむら", "Nakamura"),
    "小林": ("こばやし", "Kobayashi"),
    "加藤": ("かとう", "Kato"),
    "吉田": ("よしだ", "Yoshida"),
    "山田": ("やまだ", "Yamada"),
    "佐々木": ("ささき", "Sasaki"),
    "山口": ("やまぐち", "Yamaguchi"),
    "松本": ("まつもと", "Matsumoto"),
    "井上": ("いのうえ", "Inoue"),
    "木村": ("きむら", "Kimura"),
    "林": ("はやし", "Hayashi"),
    "斎藤": ("さいとう", "Saito"),
    "清水": ("しみず", "Shimizu"),
    "山崎": ("やまざき", "Yamazaki"),
    "森": ("もり", "Mori"),
    "池田": ("いけだ", "Ikeda"),
    "橋本": ("はしもと", "Hashimoto"),
    "阿部": ("あべ", "Abe"),
    "石川": ("いしかわ", "Ishikawa"),
    "前田": ("まえだ", "Maeda"),
    "藤田": ("ふじた", "Fujita"),
    "小川": ("おがわ", "Ogawa"),
    "岡田": ("おかだ", "Okada"),
    "長谷川": ("はせがわ", "Hasegawa"),
    "村上": ("むらかみ", "Murakami"),
    "近藤": ("こんどう", "Kondo"),
    "石井": ("いしい", "Ishii"),
    "坂本": ("さかもと", "Sakamoto"),
    "遠藤": ("えんどう", "Endo"),
    "翔太": ("しょうた", "Shota"),
    "美咲": ("みさき", "Misaki"),
    "大輔": ("だいすけ", "Daisuke"),
    "陽菜": ("ひな", "Hina"),
    "健一": ("けんいち", "Kenichi"),
    "由美": ("ゆみ", "Yumi"),
    "拓海": ("たくみ", "Takumi"),
    "さくら": ("さくら", "Sakura"),
    "直樹": ("なおき", "Naoki"),
    "麻衣": ("まい", "Mai"),
    "悠斗": ("ゆうと", "Yuto"),
    "彩": ("あや", "Aya"),
    "亮": ("りょう", "Ryo"),
    "恵": ("めぐみ", "Megumi"),
    "隆之": ("たかゆき", "Takayuki"),
    "真由美": ("まゆみ", "Mayumi"),
    "光": ("ひかる", "Hikaru"),
    "結衣": ("ゆい", "Yui"),
    "和也": ("かずや", "Kazuya"),
    "千尋": ("ちひろ", "Chihiro"),
    "誠": ("まこと", "Makoto"),
    "奈々": ("なな", "Nana"),
    "浩二": ("こうじ", "Koji"),
    "理沙": ("りさ", "Risa"),
    "花子": ("はなこ", "Hanako"),
    "健太": ("けんた", "Kenta"),
    "一郎": ("いちろう", "Ichiro"),
}

DEPARTMENTS = [
    "人事部",
    "経営企画部",
    "営業本部 第一営業部",
    "営業本部 第二営業部",
    "マーケティング部",
    "情報システム部",
    "DX推進室",
    "経理部",
    "法務部",
    "広報部",
    "海外事業部",
    "商品開発部",
]
TITLES = ["", "主任", "係長", "課長代理", "課長", "部長", "マネージャー"]
EMPLOYERS = [
    ("株式会社みらいテック", "IT・通信"),
    ("青葉コンサルティング", "コンサルティング"),
    ("東都銀行", "金融"),
    ("さくら食品株式会社", "食品・飲料"),
    ("フリーランス", "フリーランス"),
    ("NPO法人つなぐ未来", "NPO・公益"),
    ("株式会社ミライ人材", "人材サービス"),
    ("北斗物流", "物流"),
    ("株式会社ひかりデザイン", "デザイン・クリエイティブ"),
    ("自営（カフェ経営）", "飲食"),
    ("グローバル商事", "商社"),
    ("株式会社DXパートナーズ", "IT・通信"),
]
ROLES = [
    "人事マネージャー",
    "事業開発",
    "エンジニア",
    "経営者",
    "コンサルタント",
    "営業部長",
    "CFO",
    "広報",
]
LOCATIONS = ["東京都", "神奈川県", "大阪府", "愛知県", "福岡県", "北海道", "シンガポール", "京都府"]
SKILLS = [
    "簿記2級",
    "社会保険労務士",
    "Python",
    "法人営業",
    "採用",
    "SQL",
    "PMP",
    "TOEIC 900",
    "中小企業診断士",
    "Webマーケティング",
    "DX推進",
    "労務管理",
    "IR",
    "デザイン思考",
]
INTERESTS = [
    "朝活",
    "ランニング",
    "子育て",
    "地方創生",
    "ボランティア",
    "キャンプ",
    "読書会",
    "副業",
    "スタートアップ",
]
HELP = [
    "採用や人事制度の相談に乗れます。",
    "補助金の申請について経験があります。",
    "業務システムの選定（SaaS比較）ならお手伝いできます。",
    "海外拠点の立ち上げ経験を共有できます。",
    "副業・業務委託の案件をご紹介できます。",
]
LOOKING = [
    "地方での新規事業のパートナーを探しています。",
    "同じ業界の方と情報交換したいです。",
    "朝活仲間を募集中です。",
    "業務委託でお手伝いいただける方を探しています。",
]
UPDATES = [
    "転職しました！",
    "結婚しました。",
    "独立して会社を立ち上げました。",
    "福岡に引っ越しました。",
    "第二子が生まれました。",
]


def _reading(name: str) -> tuple[str, str]:
    parts = name.split()
    kana = " ".join(READINGS.get(p, (p, ""))[0] for p in parts)
    romaji = " ".join(READINGS.get(p, ("", ""))[1] for p in reversed(parts)).strip()
    return kana, romaji


def fill_profile(profile: Profile, rng: random.Random, tags: dict[str, Tag], role: str) -> None:
    name = profile.membership.user.name
    kana, romaji = _reading(name)
    joined = datetime.date(rng.randint(1995, 2018), 4, 1)
    profile.name_kanji = name
    profile.name_kana = kana
    profile.name_romaji = romaji
    profile.joined_on = joined
    profile.last_department = rng.choice(DEPARTMENTS)
    profile.last_title = rng.choice(TITLES)
    profile.location = rng.choice(LOCATIONS)
    if role == "employee":
        profile.current_employer, profile.industry = "三ツ葉商事", "商社"
        profile.current_role = profile.last_title or "メンバー"
    else:
        profile.left_on = joined + datetime.timedelta(days=rng.randint(700, 7000))
        profile.current_employer, profile.industry = rng.choice(EMPLOYERS)
        profile.current_role = rng.choice(ROLES)
    profile.can_help_with = rng.choice(HELP)
    profile.looking_for = rng.choice(LOOKING)
    profile.introduction = (
        f"{profile.last_department}で{joined.year}年から働いていました。"
        f"いまは{profile.current_employer}で{profile.current_role}をしています。**よろしくお願いします！**"
    )
    profile.employer_confirmed_at = timezone.now() - datetime.timedelta(days=rng.randint(0, 200))
    profile.save()
    profile.tags.set(
        [tags[s] for s in rng.sample(SKILLS, 3)] + [tags[i] for i in rng.sample(INTERESTS, 2)]
    )
    CareerEntry.objects.create(
        profile=profile,
        network_id=profile.network_id,
        department=rng.choice(DEPARTMENTS),
        title="",
        started_on=joined,
        ended_on=joined + datetime.timedelta(days=1000),
    )
    reindex(profile)


def network_tags(network: Network) -> dict[str, Tag]:
    tags = {}
    for kind, names in (("skill", SKILLS), ("interest", INTERESTS)):
        for name in names:
            tags[name], _ = Tag.objects.get_or_create(
                network=network, kind=kind, normalized=normalize(name), defaults={"name": name}
            )
    return tags


def fill_demo_profiles(network: Network, rng: random.Random) -> None:
    tags = network_tags(network)
    profiles = Profile.objects.filter(network=network).select_related("membership__user")
    for profile in profiles.order_by("membership_id"):
        fill_profile(profile, rng, tags, profile.membership.role)
        if rng.random() < 0.3:
            LifeUpdate.objects.create(
                network=network, membership=profile.membership, body=rng.choice(UPDATES)
            )
