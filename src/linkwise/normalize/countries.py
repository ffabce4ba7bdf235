"""Country values to ISO 3166-1 alpha-2 codes.

Address handling decides the country before anything else (a British address must never
reach the US parser), so country columns need a dependable code whatever the source wrote:
"US", "USA", "U.S.A.", "United States of America", "UK", "Great Britain" ...
"""

from __future__ import annotations

import phonenumbers

from linkwise.normalize._cache import memoize
from linkwise.normalize.text import fold

# phonenumbers' region list is ISO 3166-1 alpha-2 plus a few telephone-only regions
# (Ascension "AC", Tristan da Cunha "TA") and less the uninhabited territories.
ALPHA2: frozenset[str] = (frozenset(phonenumbers.SUPPORTED_REGIONS) - {"AC", "TA"}) | {
    "AQ",
    "BV",
    "GS",
    "HM",
    "PN",
    "TF",
    "UM",
}

_NAMES: dict[str, str] = {
    "usa": "US", "us": "US", "united states": "US", "united states of america": "US",
    "america": "US", "u s": "US", "u s a": "US",
    "uk": "GB", "gbr": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "united kingdom of great britain and northern ireland": "GB", "u k": "GB",
    "can": "CA", "canada": "CA", "mex": "MX", "mexico": "MX", "aus": "AU", "australia": "AU",
    "nzl": "NZ", "new zealand": "NZ", "irl": "IE", "ireland": "IE", "republic of ireland": "IE",
    "deu": "DE", "ger": "DE", "germany": "DE", "deutschland": "DE", "fra": "FR",
    "france": "FR", "esp": "ES", "spain": "ES", "espana": "ES", "ita": "IT", "italy": "IT",
    "italia": "IT", "prt": "PT", "portugal": "PT", "nld": "NL", "netherlands": "NL",
    "the netherlands": "NL", "holland": "NL", "bel": "BE", "belgium": "BE", "che": "CH",
    "switzerland": "CH", "aut": "AT", "austria": "AT", "pol": "PL", "poland": "PL",
    "swe": "SE", "sweden": "SE", "nor": "NO", "norway": "NO", "dnk": "DK", "denmark": "DK",
    "fin": "FI", "finland": "FI", "grc": "GR", "greece": "GR", "tur": "TR", "turkey": "TR",
    "turkiye": "TR", "rus": "RU", "russia": "RU", "russian federation": "RU", "ukr": "UA",
    "ukraine": "UA", "rou": "RO", "romania": "RO", "chn": "CN", "china": "CN",
    "peoples republic of china": "CN", "jpn": "JP", "japan": "JP", "kor": "KR",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "ind": "IN",
    "india": "IN", "pak": "PK", "pakistan": "PK", "bgd": "BD", "bangladesh": "BD",
    "phl": "PH", "philippines": "PH", "vnm": "VN", "vietnam": "VN", "viet nam": "VN",
    "tha": "TH", "thailand": "TH", "idn": "ID", "indonesia": "ID", "mys": "MY",
    "malaysia": "MY", "sgp": "SG", "singapore": "SG", "bra": "BR", "brazil": "BR",
    "brasil": "BR", "arg": "AR", "argentina": "AR", "col": "CO", "colombia": "CO",
    "per": "PE", "peru": "PE", "chl": "CL", "chile": "CL", "ven": "VE", "venezuela": "VE",
    "cub": "CU", "cuba": "CU", "dom": "DO", "dominican republic": "DO", "gtm": "GT",
    "guatemala": "GT", "hnd": "HN", "honduras": "HN", "slv": "SV", "el salvador": "SV",
    "nic": "NI", "nicaragua": "NI", "hti": "HT", "haiti": "HT", "jam": "JM", "jamaica": "JM",
    "pri": "PR", "puerto rico": "PR", "nga": "NG", "nigeria": "NG", "gha": "GH",
    "ghana": "GH", "ken": "KE", "kenya": "KE", "eth": "ET", "ethiopia": "ET", "som": "SO",
    "somalia": "SO", "zaf": "ZA", "south africa": "ZA", "egy": "EG", "egypt": "EG",
    "mar": "MA", "morocco": "MA", "dza": "DZ", "algeria": "DZ", "isr": "IL", "israel": "IL",
    "sau": "SA", "saudi arabia": "SA", "are": "AE", "united arab emirates": "AE", "uae": "AE",
    "irn": "IR", "iran": "IR", "irq": "IQ", "iraq": "IQ", "syr": "SY", "syria": "SY",
    "afg": "AF", "afghanistan": "AF", "lbn": "LB", "lebanon": "LB", "jor": "JO",
    "jordan": "JO",
}  # fmt: skip


@memoize(maxsize=2**12)
def normalize_country(raw: str | None) -> str | None:
    """The ISO alpha-2 code for ``raw`` (a code, a common alpha-3 code or English name).

    ``None`` when the value is empty or not recognised; the caller keeps the original.
    """
    if raw is None:
        return None
    text = raw.strip()
    if len(text) == 2 and text.upper() in ALPHA2:
        return text.upper()
    return _NAMES.get(fold(text))
