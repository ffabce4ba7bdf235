"""Word lists the name splitter consults.

Kept apart from the splitting logic so that extending a list (a new rank, a particle from a
language we had not met) is a one-line change reviewed on its own.
"""

from __future__ import annotations

# Honorifics, ranks and offices that precede a name. Keys are lower-case without dots.
# Words that are also common given names (Don, Dean, Sheikh) are left out on purpose: "Dean
# Smith" is a person called Dean far more often than an academic dean.
TITLES: frozenset[str] = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "master", "mstr", "mme", "mlle", "herr", "frau",
        "sr", "sra", "srta", "dr", "doctor", "prof", "professor", "sir", "dame", "lord",
        "lady", "hon", "honourable", "honorable", "rev", "revd", "reverend", "fr", "father",
        "pastor", "rabbi", "imam", "bishop", "msgr", "sister", "brother", "judge", "justice",
        "sen", "senator", "rep", "representative", "gov", "governor", "mayor", "pres",
        "president", "amb", "ambassador", "sheriff", "deputy", "dep", "officer", "ofc",
        "constable", "const", "trooper", "agent", "special", "police", "detective", "det",
        "inspector", "insp", "chief", "superintendent", "supt", "sergeant", "sgt", "serjeant",
        "corporal", "cpl", "private", "pvt", "pte", "lieutenant", "lieut", "lt", "captain",
        "capt", "cpt", "major", "maj", "colonel", "col", "general", "gen", "admiral", "adm",
        "commander", "cmdr", "cdr", "commissioner", "marshal", "warden",
    }
)  # fmt: skip

# Abbreviations that are ranks only when written in capitals ("PC John Smith"); in lower
# case several of them are particles or given names ("Di", "Ds").
CAPS_TITLES: frozenset[str] = frozenset(
    {"PC", "WPC", "PCSO", "DC", "DS", "DI", "DCI", "DSI", "DSU", "SA", "SSA", "SGT"}
)

# Letters after a name: degrees and honours are titles, not suffixes.
POST_NOMINALS: frozenset[str] = frozenset(
    {
        "esq", "esquire", "phd", "md", "dds", "dmd", "jd", "llb", "llm", "rn", "cpa", "mba",
        "qc", "kc", "obe", "mbe", "cbe", "kbe", "dbe", "ret", "retd", "usa", "usn", "usmc",
        "usaf",
    }
)  # fmt: skip

# Generational suffixes and the normal token each one maps to.
SUFFIXES: dict[str, str] = {
    "jr": "jr", "jnr": "jr", "junior": "jr",
    "sr": "sr", "snr": "sr", "senior": "sr",
    "ii": "ii", "2nd": "ii",
    "iii": "iii", "3rd": "iii",
    "iv": "iv", "4th": "iv",
    "v": "v", "5th": "v",
}  # fmt: skip

# Particles that open a surname ("de la Cruz", "van der Berg", "bin Salman", "al Sayed").
# Lower-case keys; compared with a token lower-cased and stripped of dots.
PARTICLES: frozenset[str] = frozenset(
    {
        "de", "del", "della", "delle", "dei", "degli", "di", "da", "das", "do", "dos", "du",
        "des", "la", "las", "le", "lo", "los", "van", "vander", "von", "der", "den", "ter",
        "ten", "te", "bin", "binti", "bint", "ibn", "al", "el", "st", "ste", "mac",
        "بن", "ابن", "بنت",
    }
)  # fmt: skip

# Particles as they look after fold(), for surname_tokens. "st" and "mac" are left out: in
# "St John" and "Mac Donald" they carry the name rather than decorate it.
FOLDED_PARTICLES: frozenset[str] = frozenset(
    p for p in PARTICLES if p.isascii() and p not in {"st", "ste", "mac"}
) | {"y", "e", "i"}

# The Spanish/Portuguese connector in "Ortega y Gasset", "Pinto e Silva".
CONNECTORS: frozenset[str] = frozenset({"y", "e", "i"})

# Arabic-script words that never stand alone as a given name: "عبد الله" is one name.
ARABIC_BOUND: frozenset[str] = frozenset({"عبد"})

# Two-character Chinese surnames (simplified and traditional), the rare exception to
# "the first character is the family name".
CHINESE_COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "司徒", "夏侯", "皇甫",
        "尉迟", "尉遲", "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "东方", "東方",
        "令狐", "端木", "轩辕", "軒轅", "南宫", "南宮", "西门", "西門", "澹台", "呼延",
        "百里", "万俟", "萬俟", "申屠", "钟离", "鍾離",
    }
)  # fmt: skip

# Two-syllable Korean surnames.
KOREAN_COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방"}
)

# Endings of Russian/Ukrainian/Belarusian patronymics ("Сергеевич", "Ивановна").
PATRONYMIC_ENDINGS: tuple[str, ...] = ("ич", "вна", "чна")
