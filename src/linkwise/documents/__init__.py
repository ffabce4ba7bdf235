"""Unstructured documents: turning files into text (``files``), finding the people, dates,
phones, addresses and identifiers they mention (``extract``), and grouping each person's
mention with the details said about them into a row that resolution links like any other
(``people``). Pure of the database: the workspace stores what these functions return."""
