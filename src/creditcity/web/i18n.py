"""Every string of the portal in Chinese and English; ``?lang=zh|en`` switches.

Record descriptions, reason sentences and policy texts are data written by
the catalogue, the model and the operator's policy, and are shown as written;
everything the portal itself says is here, in both languages (a unit test
checks that no key lacks either).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

STRINGS: Mapping[str, tuple[str, str]] = {
    # frame
    "brand": ("城市信用", "CreditCity"),
    "tagline": ("看得见、说得清、可申诉的城市信用", "City credit you can see, check and dispute"),
    "nav.home": ("首页", "Home"),
    "nav.scorecard": ("评分表", "Points table"),
    "nav.policy": ("信用等级", "Tiers"),
    "nav.me": ("我的信用", "My credit"),
    "nav.file": ("我的档案", "My file"),
    "nav.operator": ("信用办", "Office"),
    "nav.signin": ("登录", "Sign in"),
    "nav.signout": ("退出", "Sign out"),
    "lang.switch": ("English", "中文"),
    "footer": (
        "开源城市信用系统 · 评分表与政策公开",
        "Open-source city credit · points table and policy are public",
    ),
    # home
    "home.title": ("免押金，凭信用", "No deposit: your record is enough"),
    "home.lead": (
        "记录良好的居民可以免押金借单车、充电宝、雨伞和图书，租房免押金免中介费，看病、乘车先享后付。",
        "With a good record you borrow bikes, power banks, umbrellas and books without a deposit, "
        "rent without deposit or agency fee, and pay later at clinics and on transit.",
    ),
    "home.rights": ("你的权利", "Your rights"),
    "home.right1": (
        "查看你的全部档案，以及谁在什么目的下查询过你",
        "See your whole file and who looked at it, and why",
    ),
    "home.right2": ("了解每个决定的原因", "Know the reasons for every decision"),
    "home.right3": (
        "对错误记录提出异议；逾期未处理即按你的异议处理",
        "Dispute a wrong record; unanswered in time, you win",
    ),
    "home.right4": ("自愿数据可随时撤回授权", "Withdraw consent for voluntary data at any time"),
    "home.right5": ("自己决定是否出示信用证明", "Choose whom to show a credit certificate"),
    "home.never": ("本系统从不使用", "This system never uses"),
    "home.never_list": (
        "职业、性别、年龄、婚姻家庭、民族、国籍、宗教、政治观点与言论、社会关系、健康、位置轨迹、消费类别",
        "occupation, sex, age, family status, ethnicity, nationality, religion, political views "
        "or speech, social connections, health, location history, or what you buy",
    ),
    "home.check_score": ("查看我的信用", "See my credit"),
    "home.see_table": ("亲手计算评分", "Recompute a score by hand"),
    "home.see_tiers": ("各等级能享受什么", "What each tier unlocks"),
    # scorecard
    "sc.title": ("评分表：亲手算出你的分数", "Points table: recompute your score by hand"),
    "sc.how": (
        "分数 = 基础分 + 每一项所落区间的分数之和（{min}–{max} 分）。",
        "Score = base points + the points of the range each of your values falls in ({min}–{max}).",
    ),
    "sc.base": ("基础分", "Base points"),
    "sc.model": ("模型版本", "Model version"),
    "sc.feature": ("项目", "Item"),
    "sc.range": ("区间", "Range"),
    "sc.points": ("分数", "Points"),
    "sc.none": (
        "尚未训练模型，暂无评分表。",
        "No model has been trained yet, so there is no points table.",
    ),
    "sc.validation": ("验证", "Validation"),
    "sc.max_dim": ("本维度最高 {high} 分", "up to {high} points in this dimension"),
    "sc.json": ("机器可读版本（JSON）", "Machine-readable (JSON)"),
    # policy
    "po.title": ("信用等级与服务", "Tiers and what they unlock"),
    "po.version": ("政策版本", "Policy version"),
    "po.tier": ("等级", "Tier"),
    "po.scores": ("分数", "Scores"),
    "po.cap": ("免押总额上限", "Total waived at once"),
    "po.service": ("服务", "Service"),
    "po.kind": ("类型", "Kind"),
    "po.thin": ("尚无评分时", "With no score yet"),
    "po.thin_services": ("可用服务", "Services"),
    "po.restrictions": ("限制（仅限经裁决的记录）", "Restrictions (adjudicated records only)"),
    "po.blocks": ("限制的服务", "Blocks"),
    "po.expires": ("最长期限", "At most"),
    "po.days": ("天", "days"),
    "po.appeal": ("申诉途径", "Appeal"),
    "po.deadline": ("异议处理期限：{days} 天", "Disputes are answered within {days} days"),
    "kind.deposit_waiver": ("免押金", "Deposit waived"),
    "kind.fee_waiver": ("免费用", "Fee waived"),
    "kind.pay_later": ("先享后付", "Pay later"),
    # sign in
    "si.title": ("登录", "Sign in"),
    "si.key": ("你的访问密钥", "Your access key"),
    "si.submit": ("登录", "Sign in"),
    "si.demo": ("演示账户", "Demo accounts"),
    "si.demo_note": (
        "仅用于演示：一键以演示居民或信用办身份登录。",
        "Demo only: sign in as a demo resident or the office in one tap.",
    ),
    "si.bad": ("密钥无效。", "That key is not valid."),
    "si.none": ("本服务未配置任何密钥。", "This service has no keys configured."),
    "si.as": ("已登录：{who}", "Signed in as {who}"),
    # my credit
    "me.title": ("我的信用", "My credit"),
    "me.score": ("信用分", "Score"),
    "me.tier": ("等级", "Tier"),
    "me.percentile": ("高于本市 {p}% 的居民", "Higher than {p}% of residents of the city"),
    "me.as_of": ("截至 {d} · 模型 {m}", "As of {d} · model {m}"),
    "me.dimensions": ("五个维度", "Five dimensions"),
    "me.dim_note": (
        "每条为该维度得分 / 该维度最高分",
        "Each bar: points in this dimension / the most it can give",
    ),
    "me.reasons": ("影响分数的主要原因", "What kept your score down"),
    "me.lost": ("少 {n} 分", "{n} points short"),
    "me.restrictions": ("当前限制", "Active restrictions"),
    "me.no_restrictions": ("没有限制。", "No restrictions."),
    "me.thin": ("尚无评分：记录还不够。", "No score yet: not enough records."),
    "me.thin_note": (
        "尚无评分时仍可免押借用雨伞和充电宝。",
        "Without a score you can still borrow umbrellas and power banks deposit-free.",
    ),
    "me.unlocks": ("你的等级可以享受", "Your tier unlocks"),
    "me.up_to": ("最高 {n} 元", "up to {n} yuan"),
    "me.actions": ("我还可以", "I can also"),
    "me.see_file": ("查看全部记录、决定和查询", "See every record, decision and query"),
    "me.consents": ("管理授权", "Manage consents"),
    "me.certificate": ("开具信用证明", "Issue a credit certificate"),
    "dim.payment_history": ("还款与履约", "Payment history"),
    "dim.obligations_capacity": ("负债与能力", "Obligations and capacity"),
    "dim.history_length": ("信用历史长度", "History length"),
    "dim.new_obligations": ("新增负债稳定性", "New obligations"),
    "dim.public_records": ("公共记录", "Public records"),
    "dim.unassigned": ("其他", "Other"),
    # my file
    "file.title": ("我的档案", "My file"),
    "file.summary": ("共 {n} 条记录，{c} 条计入评分", "{n} records, {c} of them count"),
    "file.records": ("记录", "Records"),
    "file.counts": ("计入", "Counts"),
    "file.excluded": ("不计入", "Excluded"),
    "file.basis": ("依据", "Basis"),
    "basis.statutory": ("法定", "statutory"),
    "basis.contract": ("合同", "contract"),
    "basis.consent": ("授权", "consent"),
    "file.source": ("来源", "Source"),
    "file.occurred": ("发生", "Occurred"),
    "file.until": ("计入至", "Counts until"),
    "file.dispute": ("提出异议", "Dispute"),
    "file.decisions": ("对我的决定", "Decisions about me"),
    "file.approved": ("批准", "approved"),
    "file.declined": ("拒绝", "declined"),
    "file.accesses": ("谁查询过我的档案", "Who looked at my file"),
    "file.when": ("时间", "When"),
    "file.who": ("谁", "Who"),
    "file.purpose": ("目的", "Purpose"),
    "file.action": ("操作", "Action"),
    "file.disputes": ("我的异议", "My disputes"),
    "file.none": ("没有。", "None."),
    "file.full": ("完整报告（可打印）", "Full report (printable)"),
    # dispute
    "dis.title": ("对记录提出异议", "Dispute a record"),
    "dis.entry": ("记录编号", "Record number"),
    "dis.statement": ("说明哪里不对", "Say what is wrong"),
    "dis.submit": ("提交异议", "Open the dispute"),
    "dis.opened": (
        "异议 #{id} 已提交，处理期限 {d}。在此期间该记录不计入评分。",
        "Dispute #{id} opened, to be answered by {d}. Until then the record does not count.",
    ),
    # consents
    "con.title": ("授权管理", "Consents"),
    "con.note": (
        "撤回授权只影响自愿提供的数据；法定和合同记录不受影响。",
        "Withdrawing consent removes only voluntary data; "
        "statutory and contract records are unaffected.",
    ),
    "con.active": ("当前授权", "Consented now"),
    "con.source": ("数据来源（如 card_issuer:unionpay）", "Source (e.g. card_issuer:unionpay)"),
    "con.grant": ("授权", "Grant"),
    "con.withdraw": ("撤回", "Withdraw"),
    "con.history": ("记录", "History"),
    "con.action.grant": ("授权", "granted"),
    "con.action.withdraw": ("撤回", "withdrawn"),
    # certificate
    "cert.title": ("信用证明", "Credit certificate"),
    "cert.note": (
        "证明只写明你的等级和有效期，不含其他信息。由你决定给谁看。",
        "It states your tier and its validity, nothing more. You choose whom to show it.",
    ),
    "cert.audience": ("给谁（可选，如 landlord:anju）", "For whom (optional, e.g. landlord:anju)"),
    "cert.days": ("有效天数", "Valid for (days)"),
    "cert.issue": ("开具", "Issue"),
    "cert.issued": (
        "已开具：等级 {tier}，有效至 {until}",
        "Issued: tier {tier}, valid until {until}",
    ),
    "cert.token": ("证明（复制后发给对方）", "Certificate (copy it to the verifier)"),
    "cert.verify": (
        "对方可用城市公钥离线验证",
        "They verify it offline against the city's public keys",
    ),
    # operator
    "op.title": ("信用办", "City credit office"),
    "op.distribution": ("分数分布（{city}）", "Score distribution ({city})"),
    "op.all_cities": ("全部城市", "all cities"),
    "op.people": ("{n} 人", "{n} people"),
    "op.waived": ("免除的押金（按服务）", "Deposits waived, by service"),
    "op.total": ("合计 {n} 元", "Total {n} yuan"),
    "op.approval": ("各等级批准率", "Approval rate by tier"),
    "op.exposure": ("未归还（风险敞口）", "Still owed back (exposure)"),
    "op.restrictions": (
        "限制：{a} 项生效，{l} 项已解除，{n} 份通知",
        "Restrictions: {a} active, {l} lifted, {n} notices sent",
    ),
    "op.looked": ("{n} 位居民查看过自己的档案", "{n} residents looked at their own file"),
    "op.disputes": ("待处理异议", "Disputes to answer"),
    "op.deadline": ("期限", "Deadline"),
    "op.note": ("处理说明", "Resolution note"),
    "op.uphold": ("支持异议（撤回记录）", "Uphold (withdraw the record)"),
    "op.reject": ("驳回", "Reject"),
    "op.resolved": ("异议 #{id}：{status}", "Dispute #{id}: {status}"),
    "op.fairness": ("公平性审查", "Fairness audit"),
    "op.fair_note": (
        "上传在服务器上的分组文件路径（national_id 与分组列）；分组标签只在内存中使用，不会保存。",
        "Path on the server of a group file (national_id and a label column); "
        "labels are used in memory only and never stored.",
    ),
    "op.fair_path": ("文件路径", "File path"),
    "op.fair_attr": ("分组列", "Label column"),
    "op.fair_run": ("运行审查", "Run the audit"),
    "op.group": ("分组", "Group"),
    "op.count": ("人数", "People"),
    "op.median": ("中位数", "Median"),
    "op.flagged": ("需关注（批准率比 < 0.8）", "Flagged (approval ratio < 0.8)"),
    "op.none_flagged": ("没有需关注的差异。", "No disparity flagged."),
    "op.none": ("暂无。", "None yet."),
    # common
    "common.back": ("返回", "Back"),
    "common.error": ("出错了", "Something is wrong"),
    "common.signin_needed": ("请先登录。", "Please sign in first."),
    "common.forbidden": ("此账户无权查看本页。", "This account may not see this page."),
    "common.yuan": ("元", "yuan"),
}


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)`` in ``lang``; an unknown key shows itself (and a test fails)."""
    index = 0 if lang == "zh" else 1

    def t(key: str, **values: object) -> str:
        pair = STRINGS.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def service_name(service: str, lang: str) -> str:
    """A service id in words."""
    names = SERVICE_NAMES.get(service)
    return names[0 if lang == "zh" else 1] if names else service


SERVICE_NAMES: Mapping[str, tuple[str, str]] = {
    "bike_deposit": ("单车押金", "Bike deposit"),
    "power_bank_deposit": ("充电宝押金", "Power-bank deposit"),
    "umbrella_deposit": ("雨伞押金", "Umbrella deposit"),
    "library_deposit": ("图书馆押金", "Library deposit"),
    "rental_deposit": ("租房押金", "Rental deposit"),
    "agency_fee": ("中介费", "Agency fee"),
    "pay_later_clinic": ("看病先享后付", "Clinic: pay later"),
    "pay_later_transit": ("乘车先享后付", "Transit: pay later"),
    "pay_later_public_office": ("政务先享后付", "Public office: pay later"),
}


TIER_NAMES: Mapping[str, tuple[str, str]] = {
    "building": ("积累中", "Building"),
    "fair": ("中等", "Fair"),
    "good": ("良好", "Good"),
    "very_good": ("优秀", "Very good"),
    "excellent": ("极好", "Excellent"),
    "thin_file": ("尚无评分", "No score yet"),
}


def tier_name(tier: str | None, lang: str) -> str:
    """A tier of the default policy in words; other policies' tier names are shown as written."""
    if tier is None:
        tier = "thin_file"
    names = TIER_NAMES.get(tier)
    return names[0 if lang == "zh" else 1] if names else tier
