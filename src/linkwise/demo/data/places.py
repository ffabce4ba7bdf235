"""US cities with their real state, ZIP prefix and area codes, and street names.

A city line is ``city|state|ZIP prefix|area codes|relative population|origin boosts``.
ZIP codes are the prefix plus two invented digits, and phone numbers use the city's real
area codes, so addresses and phones pass structural validation (``phonenumbers`` accepts
them) while pointing at no real household. Origin boosts make, for example, Vietnamese
households likelier in Garden Grove and Arabic ones in Dearborn, so that a city's mix of
names looks plausible.
"""

from __future__ import annotations

CITIES = """
Springfield|IL|627|217,447|6|
Chicago|IL|606|312,773,872|40|hispanic=1.5,arabic=1.5,south_asian=1.5,other=1.5
Houston|TX|770|713,832,281|35|hispanic=2.5,vietnamese=3,south_asian=1.5
Dallas|TX|752|214,469,972|20|hispanic=2,vietnamese=1.5
San Antonio|TX|782|210,726|22|hispanic=3.5
El Paso|TX|799|915|10|hispanic=5
Los Angeles|CA|900|213,323,310|50|hispanic=3,chinese=1.5,other=2,russian=1.5
San Diego|CA|921|619,858|20|hispanic=2
Fresno|CA|937|559|8|hispanic=3
Sacramento|CA|958|916,279|9|russian=3,hispanic=1.5
San Jose|CA|951|408,669|14|vietnamese=4,chinese=2,south_asian=2
Oakland|CA|946|510,341|6|chinese=3
San Francisco|CA|941|415,628|12|chinese=5,russian=1.5
Sunnyvale|CA|940|408,650|3|south_asian=6,chinese=3
Garden Grove|CA|928|714,657|3|vietnamese=12,other=2
Westminster|CA|926|714,657|2|vietnamese=12
Phoenix|AZ|850|602,480,623|25|hispanic=2.5
Tucson|AZ|857|520|8|hispanic=2.5
Albuquerque|NM|871|505|9|hispanic=3
Denver|CO|802|303,720|12|hispanic=1.5
Seattle|WA|981|206|12|chinese=2,vietnamese=2,russian=2,other=1.5
Portland|OR|972|503,971|10|russian=2.5,vietnamese=1.5
Miami|FL|331|305,786|9|hispanic=5
Orlando|FL|328|407,321|5|hispanic=2
Tampa|FL|336|813,656|6|hispanic=1.5
Atlanta|GA|303|404,470,678|8|other=1.5
Charlotte|NC|282|704,980|14|
Raleigh|NC|276|919,984|7|south_asian=2
Nashville|TN|372|615,629|11|arabic=1.5
Memphis|TN|381|901|10|
Louisville|KY|402|502|9|
Columbus|OH|432|614,380|14|other=1.5
Cleveland|OH|441|216|6|arabic=1.5
Detroit|MI|482|313|10|arabic=3
Dearborn|MI|481|313|2|arabic=25
Minneapolis|MN|554|612|7|other=2.5
Milwaukee|WI|532|414|9|
St. Louis|MO|631|314|5|
Kansas City|MO|641|816|8|
Omaha|NE|681|402,531|7|
Oklahoma City|OK|731|405|10|
New Orleans|LA|701|504|6|vietnamese=2
Boston|MA|021|617,857|11|chinese=1.5,other=1.5
Worcester|MA|016|508,774|3|
Providence|RI|029|401|3|hispanic=1.5
Hartford|CT|061|860,959|2|hispanic=2
Newark|NJ|071|973,862|4|hispanic=2
Paterson|NJ|075|973,862|2|arabic=8,hispanic=2
Jersey City|NJ|073|201,551|4|south_asian=4
Edison|NJ|088|732,848|2|south_asian=10,chinese=2
Philadelphia|PA|191|215,267,445|25|russian=2,vietnamese=1.5
Pittsburgh|PA|152|412,878|5|
Baltimore|MD|212|410,443,667|9|
Richmond|VA|232|804|4|
Buffalo|NY|142|716|4|arabic=1.5
Rochester|NY|146|585|3|
Brooklyn|NY|112|718,347,929|40|russian=6,chinese=2,other=1.5,hispanic=1.5
Flushing|NY|113|718,347,929|8|chinese=8,other=4,south_asian=3
Las Vegas|NV|891|702,725|10|hispanic=1.5,other=1.5
Salt Lake City|UT|841|801,385|3|
Boise|ID|837|208,986|4|
Indianapolis|IN|462|317,463|14|
"""

STREETS = """
Oak Maple Pine Cedar Elm Washington Lincoln Main Park Lake Hill Sunset Jefferson Madison
Franklin Church Highland Ridge Spring Walnut Chestnut Willow River Meadow Forest Adams
Jackson Grant Center Mill Broad Market Locust Hickory Sycamore Birch Magnolia Dogwood Poplar
Laurel Cherry Vine Prospect Pleasant Valley Green Orchard Garfield Monroe Harrison Cleveland
Taylor Wilson Kennedy Liberty Commerce Union College Academy School Bridge Water Front
Railroad Depot Fairview Hillcrest Lakeview Riverside Woodland Glenwood Greenwood Rosewood
Westwood Kingston Ashland Belmont Clinton Douglas Hamilton Lafayette Marion Morgan Porter
"""

STREET_SUFFIXES = """
St Street
Ave Avenue
Rd Road
Dr Drive
Blvd Boulevard
Ln Lane
Ct Court
Pl Place
Way Way
Ter Terrace
Cir Circle
Pkwy Parkway
"""

DIRECTIONS = ("N", "S", "E", "W")

SHELTER = ("1500", "Mercy", "Way", "Springfield", "IL", "62703")
"""The one address a few hundred unrelated people give: a (fictional) shelter."""
