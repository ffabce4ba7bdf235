"""A generator of documents with known mentions, for developing and scoring extraction.

It shares nothing with the demo world's incident reports (``linkwise.demo.sources.reports``):
its own names, its own kinds of document (court filings, field-interview cards, e-mails,
letters, warrant memos, case notes) and its own phrasing, so the demo reports stay an
independent test. Every mention is recorded with its type, character offsets, normal value
and (for dates) its role, so precision and recall are exact-span.

The ``dev`` and ``test`` splits use disjoint name lists and disjoint phrasings of each kind
of document: the extraction rules were written looking at ``dev`` documents only; ``test``
documents are held out (scored, never read while developing).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Literal

Split = Literal["dev", "test"]

_GIVEN = {
    "dev": [
        "James",
        "Mary",
        "Robert",
        "Linda",
        "Michael",
        "Susan",
        "David",
        "Karen",
        "Daniel",
        "Nancy",
        "Kevin",
        "Laura",
        "Brian",
        "Angela",
        "Jose",
        "Rosa",
        "Luis",
        "Carmen",
        "Ahmed",
        "Fatima",
        "Wei",
        "Mei",
        "Hiroshi",
        "Yuki",
        "Olumide",
        "Ngozi",
        "Raj",
        "Priya",
        "Sergei",
        "Olga",
        "Pierre",
        "Amelie",
        "Giovanni",
        "Chiara",
        "Kwame",
        "Abena",
        "Tomasz",
        "Agnieszka",
        "Liam",
        "Siobhan",
        "Dmitri",
        "Anya",
        "Hamid",
        "Leila",
        "Thanh",
        "Linh",
        "Mateo",
        "Valentina",
    ],
    "test": [
        "William",
        "Patricia",
        "Richard",
        "Barbara",
        "Thomas",
        "Jennifer",
        "Charles",
        "Elizabeth",
        "Christopher",
        "Jessica",
        "Matthew",
        "Sarah",
        "Anthony",
        "Lisa",
        "Mark",
        "Betty",
        "Juan",
        "Lucia",
        "Carlos",
        "Elena",
        "Omar",
        "Aisha",
        "Jun",
        "Xiu",
        "Kenji",
        "Sakura",
        "Chidi",
        "Amara",
        "Arjun",
        "Deepa",
        "Ivan",
        "Natasha",
        "Louis",
        "Margaux",
        "Marco",
        "Giulia",
        "Kofi",
        "Esi",
        "Piotr",
        "Zofia",
        "Sean",
        "Aoife",
        "Yusuf",
        "Zainab",
        "Minh",
        "Huong",
        "Diego",
        "Camila",
    ],
}
_FAMILY = {
    "dev": [
        "Johnson",
        "Williams",
        "Brown",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "Thompson",
        "White",
        "Nakamura",
        "Chen",
        "Patel",
        "Okafor",
        "Ivanova",
        "Dubois",
        "Rossi",
        "Mensah",
        "Kowalski",
        "Murphy",
        "Petrov",
        "Haddad",
        "Nguyen",
        "Alvarez",
        "O'Brien",
        "McCarthy",
        "Schmidt",
        "Kim",
        "Singh",
        "Morales",
    ],
    "test": [
        "Smith",
        "Jones",
        "Gonzalez",
        "Perez",
        "Sanchez",
        "Ramirez",
        "Torres",
        "Flores",
        "Rivera",
        "Gomez",
        "Clark",
        "Lewis",
        "Walker",
        "Hall",
        "Allen",
        "Young",
        "King",
        "Wright",
        "Scott",
        "Green",
        "Tanaka",
        "Wang",
        "Sharma",
        "Adeyemi",
        "Volkova",
        "Laurent",
        "Bianchi",
        "Owusu",
        "Nowak",
        "Kelly",
        "Sokolov",
        "Khalil",
        "Tran",
        "Castillo",
        "O'Connor",
        "MacLeod",
        "Fischer",
        "Park",
        "Gupta",
        "Ortega",
    ],
}
_STREETS = {
    "dev": [
        "Maple",
        "Oak",
        "Cedar",
        "Elm",
        "Pine",
        "Walnut",
        "Hillcrest",
        "Lakeview",
        "Sunset",
        "Ridge",
    ],
    "test": [
        "Willow",
        "Chestnut",
        "Spruce",
        "Magnolia",
        "Highland",
        "Riverside",
        "Meadow",
        "Forest",
        "Park",
        "Valley",
    ],
}
_STREET_TYPES = ["St", "Street", "Ave", "Avenue", "Rd", "Dr", "Lane", "Blvd", "Ct", "Way"]
_CITIES = [
    ("Springfield", "IL", "627"),
    ("Columbus", "OH", "432"),
    ("Austin", "TX", "787"),
    ("Denver", "CO", "802"),
    ("Portland", "OR", "972"),
    ("Raleigh", "NC", "276"),
]
_AREA = ["217", "614", "512", "303", "503", "919", "312", "415"]
_TITLES = ["Mr.", "Ms.", "Mrs.", "Dr."]
_RANKS = ["Det.", "Sgt.", "Officer", "Deputy", "Lt."]


@dataclass
class Person:
    pid: str
    given: str
    middle: str | None
    family: str
    dob: dt.date
    phone: str
    address: str
    ssn: str
    passport: str
    licence: str
    alias: str | None


@dataclass
class TrueMention:
    type: str
    start: int
    end: int
    text: str
    value: str | None = None
    role: str | None = None
    person: str | None = None


@dataclass
class Doc:
    name: str
    text: str = ""
    mentions: list[TrueMention] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.text += text

    def mention(self, kind: str, text: str, *, value: str | None = None, role: str | None = None,
                person: str | None = None) -> None:  # fmt: skip
        start = len(self.text)
        self.text += text
        self.mentions.append(TrueMention(kind, start, len(self.text), text, value, role, person))


class Generator:
    def __init__(self, seed: int, split: Split) -> None:
        self.rng = random.Random(f"{seed}-{split}")
        self.split = split
        self.given, self.family = _GIVEN[split], _FAMILY[split]
        self.streets = _STREETS[split]
        self.count = 0

    # -- people -------------------------------------------------------------------------------

    def person(self) -> Person:
        r = self.rng
        self.count += 1
        city, state, zip3 = r.choice(_CITIES)
        digits = f"{r.randint(1, 665):03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"
        return Person(
            pid=f"G{self.count:07d}",
            given=r.choice(self.given),
            middle=r.choice(self.given) if r.random() < 0.3 else None,
            family=r.choice(self.family),
            dob=dt.date(1940, 1, 1) + dt.timedelta(days=r.randint(0, 60 * 365)),
            phone=f"{r.choice(_AREA)}{r.randint(200, 999)}{r.randint(0, 9999):04d}",
            address=f"{r.randint(1, 9999)} {r.choice(self.streets)} {r.choice(_STREET_TYPES)}, "
            f"{city}, {state} {zip3}{r.randint(0, 99):02d}",
            ssn=digits,
            passport=f"{r.choice('ACEX')}{r.randint(10**7, 10**8 - 1)}",
            licence=f"{r.choice('DSMW')}{r.randint(100, 999)}-{r.randint(1000, 9999)}-"
            f"{r.randint(1000, 9999)}",
            alias=r.choice(self.given) if r.random() < 0.15 else None,
        )

    # -- formatting ---------------------------------------------------------------------------

    def full_name(self, p: Person) -> str:
        r = self.rng
        middle = ""
        if p.middle and r.random() < 0.6:
            middle = " " + (p.middle if r.random() < 0.5 else p.middle[0] + ".")
        style = r.randrange(3)
        if style == 0:
            return f"{p.family.upper()}, {p.given}{middle}"
        return f"{p.given}{middle} {p.family}"

    def date_text(self, d: dt.date) -> str:
        style = self.rng.randrange(4 if self.split == "test" else 3)
        if style == 0:
            return f"{d.month:02d}/{d.day:02d}/{d.year}"
        if style == 1:
            return f"{d:%B} {d.day}, {d.year}"
        if style == 2:
            return d.isoformat()
        return f"{d.day} {d:%B} {d.year}"

    def phone_text(self, digits: str) -> str:
        a, b, c = digits[:3], digits[3:6], digits[6:]
        return self.rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}"])

    def ssn_text(self, digits: str) -> str:
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"

    # -- pieces that record mentions ----------------------------------------------------------

    def name(self, doc: Doc, p: Person, *, full: bool = True) -> None:
        if full:
            doc.mention("person", self.full_name(p), person=p.pid)
        else:
            doc.mention("person", p.family, person=p.pid)

    def dob(self, doc: Doc, p: Person, lead: str) -> None:
        doc.add(lead)
        d = p.dob
        doc.mention("date", self.date_text(d), value=d.isoformat(), role="dob", person=p.pid)

    def event(self, doc: Doc, d: dt.date) -> None:
        doc.mention("date", self.date_text(d), value=d.isoformat(), role="event")

    def phone(self, doc: Doc, p: Person) -> None:
        doc.mention("phone", self.phone_text(p.phone), value=f"+1{p.phone}", person=p.pid)

    def address(self, doc: Doc, p: Person) -> None:
        doc.mention("address", p.address, person=p.pid)

    def case_no(self, doc: Doc) -> str:
        r = self.rng
        year = r.randint(2005, 2024)
        text = r.choice(
            [f"{year}-CF-{r.randint(1, 99999):05d}", f"{year % 100:02d}CR{r.randint(1000, 99999)}"]
        )
        doc.mention("case_number", text, value=text.replace("-", ""))
        return text

    # -- documents ----------------------------------------------------------------------------

    def document(self, n: int) -> Doc:
        kinds = [self.court, self.card, self.email, self.letter, self.warrant, self.notes]
        return kinds[self.rng.randrange(len(kinds))](f"{self.split}-{n:06d}")

    def court(self, name: str) -> Doc:
        r, doc, p = self.rng, Doc(name + ".txt"), self.person()
        test = self.split == "test"
        doc.add("IN THE CIRCUIT COURT OF THE COUNTY\n" if test else "SUPERIOR COURT OF THE STATE\n")
        doc.add("STATE v. ")
        self.name(doc, p)
        doc.add("\nCase No. " if not test else "\nDocket Number: ")
        self.case_no(doc)
        doc.add("\n\n")
        doc.add("The defendant, " if not test else "Comes now the respondent, ")
        self.name(doc, p)
        self.dob(doc, p, ", born " if not test else ", date of birth ")
        doc.add(", residing at " if not test else ", whose last known address is ")
        self.address(doc, p)
        doc.add(", appeared on " if not test else ". The matter was heard on ")
        self.event(doc, dt.date(r.randint(2010, 2024), r.randint(1, 12), r.randint(1, 28)))
        doc.add(".")
        if r.random() < 0.5:
            doc.add(" The defendant's SSN is " if not test else " Social Security number: ")
            doc.mention("ssn", self.ssn_text(p.ssn), value=p.ssn, person=p.pid)
            doc.add(".")
        doc.add(f" {r.choice(_TITLES)} ")
        self.name(doc, p, full=False)
        doc.add(" was represented by counsel.\n" if not test else " did not contest the order.\n")
        return doc

    def card(self, name: str) -> Doc:
        r, doc, p = self.rng, Doc(name + ".txt"), self.person()
        test = self.split == "test"
        doc.add("FIELD INTERVIEW CARD\n" if not test else "CONTACT RECORD\n")
        doc.add("Name: " if not test else "Subject: ")
        self.name(doc, p)
        self.dob(doc, p, "\nDOB: " if not test else "\nDate of birth: ")
        doc.add("\nPhone: " if not test else "\nTel: ")
        self.phone(doc, p)
        doc.add("\nAddress: " if not test else "\nResidence: ")
        self.address(doc, p)
        if r.random() < 0.5:
            doc.add("\nDL: " if not test else "\nDriver's license number ")
            doc.mention(
                "drivers_licence", p.licence, value=p.licence.replace("-", ""), person=p.pid
            )
        doc.add("\nContact date: " if not test else "\nSeen on ")
        self.event(doc, dt.date(r.randint(2010, 2024), r.randint(1, 12), r.randint(1, 28)))
        doc.add("\n")
        return doc

    def email(self, name: str) -> Doc:
        r, doc = self.rng, Doc(name + ".txt")
        p, q = self.person(), self.person()
        test = self.split == "test"
        rank = r.choice(_RANKS)
        doc.add("Subject: follow-up\n\n" if not test else "Re: enquiry\n\n")
        doc.add("Team,\n" if not test else "Hello all,\n")
        doc.add(f"{rank} ")
        self.name(doc, q)
        doc.add(" interviewed " if not test else " met with ")
        self.name(doc, p)
        if p.alias:
            doc.add(' (aka "' if not test else ", also known as ")
            doc.mention("person", f"{p.alias} {p.family}", person=p.pid)
            doc.add('")' if not test else ",")
        doc.add(" on ")
        self.event(doc, dt.date(r.randint(2010, 2024), r.randint(1, 12), r.randint(1, 28)))
        doc.add(". ")
        self.name(doc, p, full=False)
        doc.add(" can be reached at " if not test else " gave a mobile number of ")
        self.phone(doc, p)
        doc.add(".\n")
        doc.add("Regards,\n" if not test else "Thanks,\n")
        self.name(doc, q)
        doc.add("\n")
        return doc

    def letter(self, name: str) -> Doc:
        r, doc, p = self.rng, Doc(name + ".txt"), self.person()
        test = self.split == "test"
        title = r.choice(_TITLES)
        self.event(doc, dt.date(r.randint(2010, 2024), r.randint(1, 12), r.randint(1, 28)))
        doc.add("\n\n")
        self.name(doc, p)
        doc.add("\n")
        self.address(doc, p)
        doc.add(f"\n\nDear {title} ")
        self.name(doc, p, full=False)
        doc.add(",\n\n")
        doc.add("Our records show passport number " if not test else "We hold Passport No. ")
        doc.mention("passport", p.passport, value=p.passport, person=p.pid)
        doc.add(" in your name. " if not test else " on file for you. ")
        doc.add("Please call us.\n\nSincerely,\n" if not test else "Kind regards,\n")
        officer = self.person()
        self.name(doc, officer)
        doc.add("\n")
        return doc

    def warrant(self, name: str) -> Doc:
        r, doc, p = self.rng, Doc(name + ".txt"), self.person()
        test = self.split == "test"
        number = f"W{r.randint(2005, 2024)}-{r.randint(100, 99999):05d}"
        doc.add("WARRANT MEMO\nWarrant No. " if not test else "Re: arrest warrant #")
        doc.mention("warrant_number", number, value=number.replace("-", ""))
        doc.add("\nA warrant was issued for " if not test else "\nThe court issued a warrant for ")
        self.name(doc, p)
        self.dob(doc, p, " (DOB " if not test else " (b. ")
        doc.add(") in connection with case ")
        self.case_no(doc)
        doc.add(". ")
        doc.add("Last known phone " if not test else "Possible contact number ")
        self.phone(doc, p)
        doc.add(". Serve at ")
        self.address(doc, p)
        doc.add(".\n")
        return doc

    def notes(self, name: str) -> Doc:
        r, doc = self.rng, Doc(name + ".txt")
        test = self.split == "test"
        people = [self.person() for _ in range(r.randint(2, 3))]
        doc.add("CASE NOTES\n" if not test else "Investigator's log\n")
        self.event(doc, dt.date(r.randint(2010, 2024), r.randint(1, 12), r.randint(1, 28)))
        doc.add(": ")
        for i, p in enumerate(people):
            doc.add(
                "Spoke to " if i == 0 else (" Also present was " if not test else " Present too: ")
            )
            self.name(doc, p)
            if r.random() < 0.5:
                self.dob(doc, p, ", born on " if not test else ", whose DOB is ")
            doc.add(".")
            if r.random() < 0.5:
                doc.add(f" {r.choice(_TITLES)} ")
                self.name(doc, p, full=False)
                doc.add(" said nothing further." if not test else " had no comment.")
        doc.add(" Nothing else to report.\n" if not test else " End of entry.\n")
        return doc


def generate(n: int, seed: int, split: Split) -> list[Doc]:
    gen = Generator(seed, split)
    return [gen.document(i) for i in range(n)]
