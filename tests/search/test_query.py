"""Reading the search box, and the pure parts of scoring: word levels and spelling slips."""

from __future__ import annotations

import pytest

from linkwise.search.keys import deletions, identifier_key, record_keys
from linkwise.search.query import SearchInputError, build_query, parse_query
from linkwise.search.scoring import edits, word_match


def test_dates_phones_and_identifiers_are_taken_out_and_the_rest_is_the_name() -> None:
    parsed = parse_query("jon smth 1980-03-02")
    assert parsed.name == "jon smth"
    assert parsed.dob == "1980-03-02"
    parsed = parse_query("Garcia, Maria 3/4/1975 (217) 555-0134 123-45-6789 X1234567 a@b.org")
    assert parsed.name == "Garcia, Maria"
    assert parsed.dob == "3/4/1975"
    assert parsed.phones == ("(217) 555-0134",)
    assert parsed.identifiers == ("123-45-6789", "X1234567")
    assert parsed.emails == ("a@b.org",)
    assert parse_query("smith 2 March 1980").dob == "2 March 1980"
    assert parse_query("ivanov 1969").dob == "1969"
    assert parse_query("smith 12").ignored == ("12",)


def test_the_query_is_normalised_and_names_the_fields_given() -> None:
    query = build_query("Garcia, María 3/4/1975", phone="217-555-0134")
    assert query.name is not None
    assert query.name.words == ("garcia", "maria")
    assert query.name.family_first
    assert query.dob is not None
    assert query.dob.iso() == "1975-03-04"
    assert query.phones == ("+12175550134",)
    assert query.fields == ("name", "dob", "phone")
    assert build_query(identifier="123-45-6789").identifiers == ("123456789",)
    assert build_query(address="12 Main Street").address == "12 MAIN ST"
    # a name in Han is read a syllable per character, family first, as stored names are
    han = build_query("刘磊").name
    assert han is not None
    assert (han.words, han.family_first) == (("liu", "lei"), True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"q": "12"}, "give a name"),
        ({"q": ""}, "give a name"),
        ({"dob": "the thirtieth of Smarch"}, "dob:"),
        ({"phone": "12"}, "phone:"),
    ],
)
def test_a_query_that_cannot_be_run_says_why(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(SearchInputError, match=message):
        build_query(**kwargs)


@pytest.mark.parametrize(
    ("q", "r", "level"),
    [
        ("william", "william", "exact"),
        ("bill", "william", "nickname"),
        ("mohamed", "muhammad", "nickname"),
        ("alexander", "aleksandr", "sounds alike"),
        ("yevgeny", "evgeniy", "sounds alike"),
        ("smtih", "smith", "sounds alike"),
        ("smitg", "smith", "spelling"),
        ("j", "john", "initial"),
        ("garcia", "nguyen", ""),
        ("bil", "polly", ""),  # one sound key, too many letters apart
    ],
)
def test_name_words_match_at_the_best_level(q: str, r: str, level: str) -> None:
    assert word_match(q, r)[1] == level


def test_spelling_slips_are_counted_up_to_a_bound() -> None:
    assert edits("smith", "smiht", 2) == 1  # two neighbours swapped
    assert edits("smith", "smyth", 2) == 1
    assert edits("smith", "smithson", 2) == 3  # more than the bound
    assert edits("catherine", "katherin", 2) == 2
    assert deletions("smith") & deletions("smyth") == {"smth"}


def test_a_record_has_keys_for_each_way_it_may_be_looked_up() -> None:
    keys = record_keys(
        {
            "given_name": "william",
            "family_name": "de la cruz",
            "dob": "1980-03",
            "phone": "+12175550134",
            "address_line": "12 MAIN ST",
            "postcode": "62704",
            "identifiers": [("ssn", "123456789")],
        }
    )
    assert ("n", "cruz", "william") in keys
    assert ("g", "william", "") in keys
    assert ("d", "1980", "03") in keys
    assert ("i", "123456789", "ssn") in keys
    assert ("p", "+12175550134", "") in keys
    assert ("r", "", "") in keys
    assert identifier_key("a-123 456") == "A123456"
