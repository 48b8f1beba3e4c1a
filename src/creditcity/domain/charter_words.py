"""The words by which real data sets name what the charter forbids.

Kept apart from :mod:`creditcity.domain.charter` (the rules) so the lists can
grow without touching the logic. Each list is a space-separated string per
charter category: English words and their other forms and abbreviations,
pinyin for a Chinese deployment, then Chinese terms (matched as substrings,
since Chinese names have no word breaks). Words are lower case.

Why some common words are *not* here, on purpose:

- ``employment`` / ``emp``: how long someone has held work is history, not
  occupation (German credit's ``present_employment_since``, Lending Club's
  ``emp_length``); only a job *title* marks occupation (see :data:`PAIRS`).
- ``residence``: German credit's ``present_residence_since`` is stability;
  an address, region or postcode is location.
- ``category``, ``purchases``: a loan's purpose category or a spending total
  is not the category of things bought; only the two together are.
- ``national``: ``national_id`` is how creditcity names a person; only
  national *origin* (``origin``) or ``nationality`` is forbidden.
- ``city``, ``state``, ``country`` alone: the city is creditcity's own unit;
  a *person's* city or state is location (see :data:`PAIRS`).
- ``single``, ``senior``: a single payment and senior debt are credit terms.
"""

from __future__ import annotations

__all__ = [
    "AGE",
    "AGE_COMPOUND_PREFIXES",
    "AGE_COMPOUND_SUFFIXES",
    "CHINESE",
    "DISTINCTIVE",
    "HISTORY_OBJECTS",
    "MISSING_VALUES",
    "PAIRS",
    "PHRASES",
    "VALUE_CODES",
    "WORDS",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


OCCUPATION = "occupation or profession"
SEX = "sex or gender"
AGE = "age"
MARITAL = "marital or family status"
ETHNICITY = "ethnicity"
NATIONALITY = "nationality or national origin"
RELIGION = "religion"
POLITICS = "political views or speech"
SOCIAL = "social connections"
HEALTH = "health"
LOCATION = "location history"
PURCHASES = "categories of things bought"
BIOMETRIC = "biometric identification"

#: Word-parts that mark a category on their own.
WORDS: dict[str, str] = {
    OCCUPATION: "occupation occupations occup profession professions job jobs employer "
    "employers industry designation zhiye zhiwu zhicheng hangye",
    SEX: "sex sexe sexo gender genders gndr male males female females man men woman women xingbie",
    AGE: "age ages aged dob yob birth births birthdate birthday birthyear born elderly youth "
    "juvenile nianling chusheng shengri",
    MARITAL: "marital marriage marriages married marit mrtl spouse spouses spousal husband "
    "wife widow widowed widower divorce divorced family families fam children child kids "
    "dependants dependents hunyin peiou zinv jiating",
    ETHNICITY: "ethnicity ethnicities ethnic race races racial tribe tribal caste minzu",
    NATIONALITY: "nationality nationalities foreign foreigner foreigners citizenship citizen "
    "citizens immigrant immigrants immigration migrant migrants origin birthplace native "
    "hukou huji jiguan guoji",
    RELIGION: "religion religions religious faith church zongjiao xinyang",
    POLITICS: "political politics party speech opinion opinions posts vote voter voters voting "
    "zhengzhi dangyuan mianmao",
    SOCIAL: "friends friend contacts social network followers follower haoyou pengyou tongxunlu",
    HEALTH: "health medical diagnosis disability disabled illness disease diseases pregnant "
    "pregnancy jiankang jibing canji",
    LOCATION: "location locations gps geolocation geo geohash trajectory whereabouts address "
    "addresses addr zip zipcode postcode postal street latitude longitude lat lng region "
    "regions district province county neighbourhood neighborhood dizhi zhuzhi weizhi dingwei",
    PURCHASES: "merchant merchants mcc basket",
    BIOMETRIC: "biometric biometrics face facial fingerprint fingerprints iris voiceprint "
    "renlian zhiwen",
}

#: Word-part sequences that mark a category only as a whole.
PHRASES: dict[str, str] = {
    "personal status": MARITAL,
    "personalstatus": MARITAL,
    # the industry of the shop a loan paid (Home Credit): what was bought, not a job
    "seller industry": PURCHASES,
}

#: ``(category, any of these, together with any of these)``: two word-parts
#: that are harmless alone and mark the category together.
PAIRS: tuple[tuple[str, str, str], ...] = (
    (OCCUPATION, "emp employment employee work position", "title titles"),
    (OCCUPATION, "organization organisation org", "type sector"),
    (OCCUPATION, "gongzuo", "danwei"),
    (MARITAL, "is has", "single"),
    (MARITAL, "mar", "status stat"),
    (AGE, "senior", "citizen citizens"),
    (AGE, "years yrs", "old"),
    (
        LOCATION,
        "city state town country",
        "borrower applicant customer client home live living reg residence res work member",
    ),
    (NATIONALITY, "country", "birth citizenship"),
    (
        PURCHASES,
        "category categories",
        "goods purchase purchases product products item items spending spend shopping",
    ),
)

#: An ``age`` beside one of these is the age of an account, a trade or a car
#: (history length, or property), not a person's age.
HISTORY_OBJECTS = _words(
    "account accounts acct accts acc trade trades tradeline tradelines tl credit credits cr "
    "loan loans card cards line lines file history relationship oldest newest youngest recent "
    "mortgage mortgages obligation obligations contract contracts record records debt debts "
    "balance arrears delinquency delinquencies dlq bill bills invoice invoices car cars "
    "vehicle auto house home property building realty installment instalment"
)

#: Concatenated names (``maritalstatus``, ``dateofbirth``, ``hunyinzhuangkuang``):
#: a long word-part that starts or ends with one of these marks its category.
#: Only words that do not start or end ordinary words are here (not ``origin``,
#: which starts ``original``, nor ``age``, which ends ``mortgage``).
DISTINCTIVE = _words(
    "gender female marital marriage married spouse ethnic ethnicity religion religious "
    "nationality citizenship occupation profession birth birthday birthdate xingbie nianling "
    "hunyin zongjiao minzu zhiye jiguan chusheng shengri jiankang zhengzhi dangyuan hukou "
    "dependants dependents children"
)
#: ``agegroup``, ``ageband``...: ``age`` followed by one of these.
AGE_COMPOUND_SUFFIXES = ("group", "grp", "band", "bucket", "cat", "range", "years", "yrs", "bin")
#: ``customerage``, ``clientage``...: one of these followed by ``age``.
AGE_COMPOUND_PREFIXES = ("customer", "client", "applicant", "borrower", "cust", "person")

#: Chinese terms, matched as substrings (账龄, an account's age, is not 年龄).
CHINESE: dict[str, str] = {
    OCCUPATION: "职业 职务 职称 行业 工作单位",
    SEX: "性别",
    AGE: "年龄 出生 生日 岁数",
    MARITAL: "婚姻 婚否 配偶 子女 家庭",
    ETHNICITY: "民族 种族",
    NATIONALITY: "国籍 籍贯 户籍 户口",
    RELIGION: "宗教 信仰",
    POLITICS: "政治 党员 党派",
    SOCIAL: "好友 通讯录 社交",
    HEALTH: "健康 疾病 残疾",
    LOCATION: "地址 住址 位置 定位 轨迹",
    PURCHASES: "商品类别 消费类别",
    BIOMETRIC: "人脸 指纹",
}

#: Values that, when most of a categorical column's distinct values are made
#: of them, show the column holds that attribute whatever it is called.
VALUE_CODES: dict[str, str] = {
    SEX: "m f male female man woman men women 男 女 男性 女性",
    MARITAL: "single married divorced widowed widow widower separated unmarried "
    "cohabiting marriage 未婚 已婚 离婚 离异 丧偶 单身 初婚 再婚",
}

#: Values that say nothing (they do not count for or against a column).
MISSING_VALUES = frozenset(["", "not specified", *_words("na n/a nan null none unknown xna")])
MISSING_VALUES |= _words("other others ? - missing u 未知 其他 不详")
