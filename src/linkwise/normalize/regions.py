"""States, provinces and other first-level regions to comparable codes.

US states (and DC, territories and military "states") become their two-letter USPS codes
from the code, the name or the usual abbreviations ("Calif.", "Mass", "N.Y."); Canadian
provinces likewise. Other countries' regions are only tidied (folded, upper-case): we hold
no list for them, and a wrong mapping would be worse than none.
"""

from __future__ import annotations

from linkwise.normalize._cache import memoize
from linkwise.normalize.text import fold

_US: dict[str, tuple[str, ...]] = {
    "AL": ("alabama", "ala"), "AK": ("alaska", "alas"), "AZ": ("arizona", "ariz"),
    "AR": ("arkansas", "ark"), "CA": ("california", "calif", "cal", "cali"),
    "CO": ("colorado", "colo", "col"), "CT": ("connecticut", "conn"),
    "DE": ("delaware", "del"), "DC": ("district of columbia", "washington dc", "d c", "wash dc"),
    "FL": ("florida", "fla", "flor"), "GA": ("georgia",), "HI": ("hawaii",),
    "ID": ("idaho", "ida"), "IL": ("illinois", "ill", "ills"), "IN": ("indiana", "ind"),
    "IA": ("iowa",), "KS": ("kansas", "kan", "kans"), "KY": ("kentucky", "ken", "kent"),
    "LA": ("louisiana",), "ME": ("maine",), "MD": ("maryland",),
    "MA": ("massachusetts", "mass"), "MI": ("michigan", "mich"),
    "MN": ("minnesota", "minn"), "MS": ("mississippi", "miss"), "MO": ("missouri",),
    "MT": ("montana", "mont"), "NE": ("nebraska", "neb", "nebr"), "NV": ("nevada", "nev"),
    "NH": ("new hampshire", "n h"), "NJ": ("new jersey", "n j"), "NM": ("new mexico", "n m",
    "n mex"), "NY": ("new york", "n y"), "NC": ("north carolina", "n c", "n car"),
    "ND": ("north dakota", "n d", "n dak"), "OH": ("ohio",), "OK": ("oklahoma", "okla"),
    "OR": ("oregon", "ore", "oreg"), "PA": ("pennsylvania", "penn", "penna"),
    "RI": ("rhode island", "r i"), "SC": ("south carolina", "s c", "s car"),
    "SD": ("south dakota", "s d", "s dak"), "TN": ("tennessee", "tenn"),
    "TX": ("texas", "tex"), "UT": ("utah",), "VT": ("vermont",), "VA": ("virginia",),
    "WA": ("washington", "wash"), "WV": ("west virginia", "w va", "w virginia"),
    "WI": ("wisconsin", "wis", "wisc"), "WY": ("wyoming", "wyo"),
    "PR": ("puerto rico",), "GU": ("guam",), "VI": ("virgin islands", "us virgin islands"),
    "AS": ("american samoa",), "MP": ("northern mariana islands",),
    "AA": ("armed forces americas",), "AE": ("armed forces europe",),
    "AP": ("armed forces pacific",),
}  # fmt: skip

_CA: dict[str, tuple[str, ...]] = {
    "AB": ("alberta", "alta"), "BC": ("british columbia", "colombie britannique"),
    "MB": ("manitoba", "man"), "NB": ("new brunswick", "nouveau brunswick"),
    "NL": ("newfoundland and labrador", "newfoundland", "nfld", "terre neuve et labrador"),
    "NS": ("nova scotia", "nouvelle ecosse"), "NT": ("northwest territories", "nwt"),
    "NU": ("nunavut",), "ON": ("ontario", "ont"), "PE": ("prince edward island", "pei",
    "ile du prince edouard"), "QC": ("quebec", "que", "pq"), "SK": ("saskatchewan", "sask"),
    "YT": ("yukon", "yukon territory"),
}  # fmt: skip


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out = {code.lower(): code for code in table}
    out.update({name: code for code, names in table.items() for name in names})
    return out


US_STATES: dict[str, str] = _lookup(_US)
"""Folded state code, name or abbreviation -> USPS code."""
CA_PROVINCES: dict[str, str] = _lookup(_CA)
"""Folded province code, name or abbreviation -> Canada Post code."""
US_STATE_CODES: frozenset[str] = frozenset(_US)


@memoize(maxsize=2**12)
def normalize_region(raw: str, country: str | None) -> str | None:
    """The comparable form of a region; ``None`` when empty or not a region of ``country``.

    ``country`` is an ISO alpha-2 code. For "US" and "CA" an unrecognised value is ``None``
    (the original stays on the record). Without a country, a US state or Canadian province
    is still recognised, US first, and anything else is tidied.
    """
    key = fold(raw)
    if not key:
        return None
    if country == "US":
        return US_STATES.get(key)
    if country == "CA":
        return CA_PROVINCES.get(key)
    if country is None:
        found = US_STATES.get(key) or CA_PROVINCES.get(key)
        if found:
            return found
    return key.upper()
