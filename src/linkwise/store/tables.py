"""Table definitions (SQLAlchemy Core). Alembic migrations create exactly these tables;
``tests/store/test_migrations.py`` fails if the two drift apart."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

Json = JSON().with_variant(JSONB(), "postgresql")
Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(63), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("kind", String(63), nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("owner", Text),
    Column("markings", Json, nullable=False),
    Column("retention_days", Integer),
    Column("manifest", Json, nullable=False),
    Column("manifest_path", Text, nullable=False),
    Column("manifest_hash", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

ingestion_runs = Table(
    "ingestion_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
    Column("manifest", Json, nullable=False),
    Column("manifest_hash", String(64), nullable=False),
    Column("location", Text, nullable=False),
    Column("encoding", String(32)),
    Column("batches", Integer, nullable=False, default=0),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("new_versions", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
    Column("notes", Json, nullable=False),
    Column("error", Text),
)

records = Table(
    "records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("source_key", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("run_id", ForeignKey("ingestion_runs.id"), nullable=False, index=True),
    Column("locator", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("raw", Json, nullable=False),
    Column("notes", Json, nullable=False),
    Column("facts", Json, nullable=False),
    Column("given_name", Text),
    Column("middle_name", Text),
    Column("family_name", Text),
    Column("name_suffix", String(8)),
    Column("full_name", Text),
    Column("name_original", Text),
    Column("dob", String(10)),
    Column("sex", String(1)),
    Column("address_line", Text),
    Column("city", Text),
    Column("region", Text),
    Column("postcode", String(16)),
    Column("country", String(2)),
    Column("phone", String(20)),
    Column("email", Text),
    Column("ingested_at", Timestamp, nullable=False),
    UniqueConstraint("source_id", "source_key", "version", name="uq_records_source_key_version"),
)
Index("ix_records_current", records.c.source_id, records.c.source_key, records.c.is_current)

record_identifiers = Table(
    "record_identifiers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("record_id", ForeignKey("records.id"), nullable=False, index=True),
    Column("type", String(32), nullable=False),
    Column("value", Text),
    Column("raw", Text, nullable=False),
    Column("valid", Boolean, nullable=False),
    Column("issue", Text),
)
Index("ix_record_identifiers_type_value", record_identifiers.c.type, record_identifiers.c.value)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("ingestion_runs.id"), nullable=False, index=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("locator", Text, nullable=False),
    Column("line", Integer),
    Column("source_key", Text),
    Column("column", Text),
    Column("reason", Text, nullable=False),
    Column("raw", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# --- identity resolution -------------------------------------------------------------------

resolution_runs = Table(
    "resolution_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
    Column("model_version", String(32)),
    Column("threshold", Float, nullable=False),
    Column("floor", Float, nullable=False),
    Column("records", Integer, nullable=False, default=0),
    Column("links", Integer, nullable=False, default=0),
    Column("entities", Integer, nullable=False, default=0),
    Column("stats", Json, nullable=False),
    Column("error", Text),
)

# How many times resolution has changed the entities (one row, name "entities"): every run
# that completes adds one, in the transaction that writes its entities, statuses and
# redirects (linkwise.store.resolution). A governed read reads it with its standing rows and
# follows an order's named subjects through the redirects again only when it has moved.
entity_generation = Table(
    "entity_generation",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("generation", Id, nullable=False),
)

models = Table(
    "models",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("created_at", Timestamp, nullable=False),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False),
    Column("engine", String(16), nullable=False),
    Column("settings", Json, nullable=False),
    # the settings' probability_two_random_records_match, for the governed reads that sum a
    # link's shown figures from it: reading it out of tens of kB of settings JSON took
    # longer than the rest of such a read (None for a model without one)
    Column("prior", Float, nullable=True),
)

links = Table(
    "links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False, index=True),
    Column("record_l", ForeignKey("records.id"), nullable=False, index=True),
    Column("record_r", ForeignKey("records.id"), nullable=False, index=True),
    Column("match_probability", Float, nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("model_version", String(32), nullable=False),
    Column("match_key", String(8)),
    Column("contributions", Json, nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("created_run", ForeignKey("resolution_runs.id"), nullable=False),
    Column("updated_run", ForeignKey("resolution_runs.id"), nullable=False),
    Column("size", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
)

entity_members = Table(
    "entity_members",
    metadata,
    Column("record_id", ForeignKey("records.id"), primary_key=True),
    Column("entity_id", ForeignKey("entities.id"), nullable=False, index=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False),
    Column("via_link", BigInteger().with_variant(Integer(), "sqlite")),
)

entity_redirects = Table(
    "entity_redirects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False),
    Column("old_id", String(24), nullable=False, index=True),
    Column("new_id", String(24)),
    Column("kind", String(16), nullable=False),
    Column("records", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

judgements = Table(
    "judgements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("left_source_id", ForeignKey("sources.id"), nullable=False),
    Column("left_key", Text, nullable=False),
    Column("right_source_id", ForeignKey("sources.id"), nullable=False),
    Column("right_key", Text, nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reviewer", Text, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)
Index(
    "ix_judgements_pair",
    judgements.c.left_source_id,
    judgements.c.left_key,
    judgements.c.right_source_id,
    judgements.c.right_key,
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("record_ids", Json, nullable=False),
    Column("priority", Float, nullable=False),
    Column("match_probability", Float),
    Column("reason", Text, nullable=False),
)

generic_values = Table(
    "generic_values",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False, index=True),
    Column("field", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("records", Integer, nullable=False),
    Column("people", Integer, nullable=False),
)

# --- governance (issue 4): users, tokens, cases, authorisations, audit log, policy versions

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("role", String(24), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", Timestamp),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", Text, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp),
    Column("last_used_at", Timestamp),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("assignee_id", ForeignKey("users.id")),
    Column("created_by", ForeignKey("users.id"), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# Case work (issue 5). Subjects name entities; an entity merged or split away leaves its
# row in place (status stays "active") until the assignee confirms which person the case
# concerns, which ends the row ("replaced", replaced_by the new row). Events are the case's
# history: status moves, assignment, subject changes, notes (kind + detail).
case_subjects = Table(
    "case_subjects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("entity_id", String(24), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("added_by", ForeignKey("users.id"), nullable=False),
    Column("added_at", Timestamp, nullable=False),
    Column("replaced_by", Id),
    Column("ended_by", ForeignKey("users.id")),
    Column("ended_at", Timestamp),
    Column("reason", Text, nullable=False),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", Timestamp, nullable=False),
    Column("actor_id", ForeignKey("users.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", Json, nullable=False),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("text", Text, nullable=False),
)

# Drafted documents: one row per version; a signed row is never changed again (a new version
# is a new row that supersedes it). Content is the structured draft (sentences with their
# citations); docx and pdf are the rendered files, each with its SHA-256.
documents = Table(
    "documents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(48), nullable=False),
    Column("version", Integer, nullable=False),
    Column("supersedes_id", Id),
    Column("status", String(16), nullable=False),
    Column("template", String(64), nullable=False),
    Column("template_sha256", String(64), nullable=False),
    Column("content", Json, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("docx", LargeBinary, nullable=False),
    Column("docx_sha256", String(64), nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("pdf_sha256", String(64), nullable=False),
    Column("created_by", ForeignKey("users.id"), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("signed_by", ForeignKey("users.id")),
    Column("signed_at", Timestamp),
    UniqueConstraint("case_id", "kind", "version", name="uq_documents_case_kind_version"),
)

# Disputes of a record's value or of a link, raised by a user (for themselves or on behalf
# of the person concerned), resolved by confirming (the correction is applied: a new record
# version or a judgement) or rejecting.
disputes = Table(
    "disputes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),
    Column("record_id", ForeignKey("records.id"), nullable=False, index=True),
    Column("other_record_id", ForeignKey("records.id")),
    Column("field", String(32)),
    Column("claimed_value", Text),
    Column("case_id", ForeignKey("cases.id")),
    Column("raised_by", ForeignKey("users.id"), nullable=False),
    Column("raised_at", Timestamp, nullable=False),
    Column("on_behalf_of", Text),
    Column("evidence", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("resolved_by", ForeignKey("users.id")),
    Column("resolved_at", Timestamp),
    Column("resolution", Text),
    Column("correction", Json),
)

authorisations = Table(
    "authorisations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("process", String(64), nullable=False),
    Column("issuing_authority", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("scope", Json, nullable=False),
    Column("valid_from", Timestamp, nullable=False),
    Column("valid_to", Timestamp, nullable=False),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Column("approved_by", ForeignKey("users.id")),
    Column("approved_at", Timestamp),
    Column("revoked_by", ForeignKey("users.id")),
    Column("revoked_at", Timestamp),
    Column("revocation_reason", Text),
    Column("notes", Text, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("at", Timestamp, nullable=False),
    Column("actor", Text, nullable=False),
    Column("case_id", Id),
    Column("action", String(64), nullable=False, index=True),
    Column("objects", Json, nullable=False),
    Column("decision", Json, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_events_actor", audit_events.c.actor)
Index("ix_audit_events_case_id", audit_events.c.case_id)
Index("ix_audit_events_at", audit_events.c.at)

# Who or what each event touched, for `linkwise audit search --subject` (see
# linkwise.store.audit). Derived from the hashed `objects`, so not hashed itself; no foreign
# key, so that a tampered log (events deleted by hand) still reads and verifies.
audit_subjects = Table(
    "audit_subjects",
    metadata,
    Column("subject", Text, primary_key=True),
    Column("seq", Id, primary_key=True, autoincrement=False),
)

# How far each index derived from the log has been brought: ``indexed_to`` is the last event
# whose subjects are in ``audit_subjects`` (see linkwise.store.audit: every 256th append and
# every read by subject bring it up to date). One row, name "subjects".
audit_index = Table(
    "audit_index",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("indexed_to", Id, nullable=False),
)

# (The disclosure record, which reads showed which records, is found through
# audit_subjects: see linkwise.store.disclosures. Migration 0008 dropped the separate
# `disclosures` table that held the same ids again.)

# Ed25519 signatures over (seq, that event's hash, time, previous checkpoint's seq), by a key
# held outside the database (linkwise.model.audit_checkpoints).
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("at", Timestamp, nullable=False),
    Column("event_hash", String(64), nullable=False),
    Column("prev_seq", Id, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("version", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("loaded_at", Timestamp, nullable=False),
    Column("loaded_by", Text, nullable=False),
)

# --- documents of `format: documents` sources (linkwise.store.source_documents) -----------
# One row per version of a file (or e-mail attachment): a changed file adds a version, an
# unchanged one (same SHA-256) adds nothing. A file that could not be read is stored too,
# with its status and error, so no file is ever skipped silently. (`documents` above are
# drafted legal documents, a different thing.)
source_documents = Table(
    "source_documents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("run_id", ForeignKey("ingestion_runs.id"), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("parent_id", ForeignKey("source_documents.id")),
    Column("type", String(16), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("seconds", Float, nullable=False),
    Column("text", Text),
    Column("ingested_at", Timestamp, nullable=False),
    UniqueConstraint("source_id", "path", "version", name="uq_source_documents_path_version"),
)
Index("ix_source_documents_current", source_documents.c.source_id, source_documents.c.is_current)

# What extraction found in a document's text, with character offsets. A person mention and
# the details said about them share `person`; `record_key` is the source_key of the mention
# record (a record of the document's source) that resolution links like any row.
mentions = Table(
    "mentions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("document_id", ForeignKey("source_documents.id"), nullable=False, index=True),
    Column("n", Integer, nullable=False),
    Column("type", String(24), nullable=False),
    Column("role", String(16)),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("value", Text),
    Column("refers_to", Integer),
    Column("person", Integer),
    Column("record_key", Text),
)
Index("ix_mentions_record_key", mentions.c.record_key)

# Full-text index of document text: one row per (word, document). Plain rows rather than
# SQLite FTS5 or PostgreSQL tsvector, so that search is the same SQL on both stores and the
# table is created and checked by the migrations like every other.
document_terms = Table(
    "document_terms",
    metadata,
    Column("term", String(64), primary_key=True),
    Column("document_id", Id, ForeignKey("source_documents.id"), primary_key=True),
)
Index("ix_document_terms_document_id", document_terms.c.document_id)

# --- people search (linkwise.search) -------------------------------------------------------
# The search index: one row per (kind of key, key, record). Keys are derived from a record's
# canonical values by linkwise.search.keys (name token pairs, sound keys, date of birth,
# identifiers, phone, e-mail, address, postcode; kind "r" marks the record as indexed), so a
# query reads only the rows under the keys it asks for. Derived data: no foreign key, and on
# SQLite the primary key is the table (WITHOUT ROWID), which halves its size.
search_keys = Table(
    "search_keys",
    metadata,
    Column("kind", String(2), primary_key=True),
    Column("a", Text, primary_key=True),
    Column("b", Text, primary_key=True),
    Column("record_id", Id, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)

# The vocabulary of indexed name words with their one-letter deletions (a SymSpell index):
# a misspelt query word finds the real words within two edits by looking up its own
# deletions here, instead of comparing it with every name in the workspace.
search_terms = Table(
    "search_terms",
    metadata,
    Column("variant", Text, primary_key=True),
    Column("term", Text, primary_key=True),
    sqlite_with_rowid=False,
)
