"""Users, roles, passwords, lockout and API tokens (linkwise.govern.users), the workspace
functions over them, and `linkwise user`; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import Connection, Engine, select
from typer.testing import CliRunner

from linkwise.cli import common
from linkwise.cli.users import user_app
from linkwise.govern import audit, passwords
from linkwise.govern import users as gu
from linkwise.govern.users import (
    AccountStateError,
    AuthenticationError,
    InvalidFieldError,
    PasswordPolicyError,
    RoleRequiredError,
    User,
)
from linkwise.model.roles import Role
from linkwise.store.engine import make_engine, migrate
from linkwise.store.tables import api_tokens, audit_events, users
from linkwise.workspace import Workspace
from linkwise.workspace import users as wu

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
ADMIN_PW = "admin passphrase one"
ANALYST_PW = "analyst passphrase two"


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id with the cheapest parameters: the default costs ~0.3 s per hash."""
    monkeypatch.setattr(passwords, "hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def admin(engine: Engine) -> User:
    with engine.begin() as conn:
        return gu.add_user(conn, None, "root", "Root Admin", Role.ADMINISTRATOR, ADMIN_PW)


@pytest.fixture
def analyst(engine: Engine, admin: User) -> User:
    with engine.begin() as conn:
        return gu.add_user(conn, admin, "ann", "Ann Analyst", Role.ANALYST, ANALYST_PW)


def _events(engine: Engine, action: str | None = None) -> list[dict[str, Any]]:
    query = select(audit_events).order_by(audit_events.c.seq)
    if action is not None:
        query = query.where(audit_events.c.action == action)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def _user_row(engine: Engine, username: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).one()
    return dict(row._mapping)


@contextmanager
def _committed(engine: Engine) -> Iterator[Connection]:
    """A transaction that commits even when a refusal is raised, as the workspace does."""
    with engine.connect() as conn:
        conn.begin()
        try:
            yield conn
        finally:
            conn.commit()


def _login(engine: Engine, username: str, password: str, now: dt.datetime = T0) -> User:
    with _committed(engine) as conn:
        return gu.authenticate(conn, username, password, now=now)


def _token_login(engine: Engine, secret: str, now: dt.datetime = T0) -> User:
    with _committed(engine) as conn:
        return gu.authenticate_token(conn, secret, now=now)


# -- passwords -----------------------------------------------------------------------------


def test_password_is_stored_as_an_argon2id_hash_never_as_itself(
    engine: Engine, admin: User
) -> None:
    stored = _user_row(engine, "root")["password_hash"]
    assert stored.startswith("$argon2id$")
    assert ADMIN_PW not in stored
    assert passwords.hasher.verify(stored, ADMIN_PW)
    # Two users with one password get different hashes (a salt each).
    with engine.begin() as conn:
        gu.add_user(conn, admin, "twin", "", Role.AUDITOR, ADMIN_PW)
    assert _user_row(engine, "twin")["password_hash"] != stored
    assert _login(engine, "twin", ADMIN_PW).username == "twin"


def test_by_default_hashes_use_argon2id_with_the_library_parameters(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.undo()  # the real hasher, once
    with engine.begin() as conn:
        gu.add_user(conn, None, "root", "", Role.ADMINISTRATOR, ADMIN_PW)
    stored = _user_row(engine, "root")["password_hash"]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not PasswordHasher().check_needs_rehash(stored)
    assert _login(engine, "root", ADMIN_PW).username == "root"


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short pw", "at least 12 characters (this one has 8)"),
        ("            ", "only spaces"),
        ("my name is newbie!", "must not contain the username"),
        ("x" * 1025, "at most 1024"),
        # bytes of another encoding, as read from a terminal or the environment
        (b"caf\xe9 au lait, two".decode("utf-8", "surrogateescape"), "not valid UTF-8 text"),
    ],
)
def test_password_policy_refuses_weak_passwords_by_field(
    engine: Engine, admin: User, password: str, words: str
) -> None:
    with engine.begin() as conn, pytest.raises(PasswordPolicyError) as caught:
        gu.add_user(conn, admin, "newbie", "", Role.ANALYST, password)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "password"
    assert words in str(caught.value)
    with engine.connect() as conn:
        assert gu.get_user_by_name(conn, "newbie") is None


def test_only_usernames_of_four_or_more_characters_are_searched_for() -> None:
    passwords.check_policy("planning a long trip", "ann")
    with pytest.raises(PasswordPolicyError, match="must not contain the username"):
        passwords.check_policy("Anna's long passphrase", "anna")


def test_outdated_hash_is_replaced_at_the_next_login(
    engine: Engine, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    cheap = _user_row(engine, "root")["password_hash"]
    stronger = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "hasher", stronger)
    _login(engine, "root", ADMIN_PW)
    renewed = _user_row(engine, "root")["password_hash"]
    assert renewed != cheap
    assert "m=1024,t=2,p=1" in renewed
    assert not stronger.check_needs_rehash(renewed)
    (ok,) = _events(engine, "login.ok")
    assert ok["decision"] == {"rehashed": True}
    assert _login(engine, "root", ADMIN_PW).id == admin.id


# -- logging in ----------------------------------------------------------------------------


def test_right_password_logs_in_and_wrong_ones_fail_alike(engine: Engine, analyst: User) -> None:
    assert _login(engine, "ann", ANALYST_PW) == analyst
    messages = set()
    for name, password in (("ann", "not the password"), ("nobody", ANALYST_PW)):
        with pytest.raises(AuthenticationError) as caught:
            _login(engine, name, password)
        messages.add(str(caught.value))
    assert len(messages) == 1  # nothing says whether the user exists
    failed = _events(engine, "login.failed")
    assert [e["decision"]["reason"] for e in failed] == ["wrong password", "unknown user"]
    assert failed[0]["actor"] == "ann"
    assert failed[1]["objects"]["user"] == "nobody"
    assert _user_row(engine, "ann")["failed_logins"] == 1


def test_a_display_name_is_one_line_without_control_characters(engine: Engine, admin: User) -> None:
    with engine.begin() as conn:
        made = gu.add_user(
            conn, admin, "eve", "evil\x1b[31m red\n\tname", Role.ANALYST, "a long enough pw"
        )
    assert made.display_name == "evil [31m red name"


def test_a_password_that_is_not_text_fails_like_a_wrong_one(engine: Engine, analyst: User) -> None:
    garbled = (ANALYST_PW.encode() + b"\xff").decode("utf-8", "surrogateescape")
    with pytest.raises(AuthenticationError):
        _login(engine, "ann", garbled)
    (failed,) = _events(engine, "login.failed")
    assert failed["decision"]["reason"] == "wrong password"
    assert _user_row(engine, "ann")["failed_logins"] == 1


def test_a_string_that_cannot_be_a_username_is_not_written_to_the_log(
    engine: Engine, admin: User
) -> None:
    with pytest.raises(AuthenticationError):
        _login(engine, "Secret Pass 123!", "whatever")
    (event,) = _events(engine, "login.failed")
    assert event["objects"]["user"] is None
    assert "Secret" not in json.dumps(event, default=str)


def test_lockout_after_five_failures_and_unlock_after_fifteen_minutes(
    engine: Engine, analyst: User
) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            _login(engine, "ann", "wrong password!")
    assert _login(engine, "ann", ANALYST_PW) == analyst  # a success resets the count
    assert _user_row(engine, "ann")["failed_logins"] == 0
    for minute in range(gu.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            _login(engine, "ann", "wrong password!", T0 + dt.timedelta(minutes=minute))
    (locked,) = _events(engine, "user.locked")
    until = T0 + dt.timedelta(minutes=4) + gu.LOCKOUT
    assert locked["decision"] == {"failed_logins": 5, "locked_until": until.isoformat()}
    # While locked, even the right password fails, with the same message as a wrong one.
    with pytest.raises(AuthenticationError) as caught:
        _login(engine, "ann", ANALYST_PW, until - dt.timedelta(seconds=1))
    assert str(caught.value) == str(AuthenticationError())
    assert _events(engine, "login.failed")[-1]["decision"]["reason"] == "account locked"
    with engine.connect() as conn:
        (account,) = [
            a
            for a in gu.list_accounts(conn, until - dt.timedelta(minutes=1))
            if a.user.username == "ann"
        ]
    assert account.locked_until == until
    assert _login(engine, "ann", ANALYST_PW, until) == analyst
    row = _user_row(engine, "ann")
    assert (row["failed_logins"], row["locked_until"]) == (0, None)


def test_lockout_window_gives_a_full_set_of_attempts_afterwards(
    engine: Engine, analyst: User
) -> None:
    for _ in range(gu.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            _login(engine, "ann", "wrong password!")
    after = T0 + gu.LOCKOUT
    with pytest.raises(AuthenticationError):
        _login(engine, "ann", "wrong password!", after)
    assert _user_row(engine, "ann")["failed_logins"] == 1
    assert len(_events(engine, "user.locked")) == 1
    assert _login(engine, "ann", ANALYST_PW, after) == analyst


def test_disabled_user_cannot_log_in_until_enabled(
    engine: Engine, admin: User, analyst: User
) -> None:
    with engine.begin() as conn:
        assert gu.disable_user(conn, admin, analyst).disabled
    with pytest.raises(AuthenticationError) as caught:
        _login(engine, "ann", ANALYST_PW)
    assert str(caught.value) == str(AuthenticationError())
    assert _events(engine, "login.failed")[-1]["decision"] == {"reason": "account disabled"}
    with engine.begin() as conn, pytest.raises(AccountStateError, match="already disabled"):
        gu.disable_user(conn, admin, analyst)
    with engine.begin() as conn:
        assert not gu.enable_user(conn, admin, analyst).disabled
    assert _login(engine, "ann", ANALYST_PW) == analyst


def test_enable_lifts_a_lockout(engine: Engine, admin: User, analyst: User) -> None:
    for _ in range(gu.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            _login(engine, "ann", "wrong password!")
    with engine.begin() as conn:
        gu.enable_user(conn, admin, analyst, now=T0)
    (event,) = _events(engine, "user.enable")
    assert event["decision"] == {"was_disabled": False, "was_locked": True}
    assert _login(engine, "ann", ANALYST_PW) == analyst


# -- roles ---------------------------------------------------------------------------------


def test_an_analyst_cannot_manage_users(engine: Engine, admin: User, analyst: User) -> None:
    attempts: list[tuple[str, Callable[[Connection], object]]] = [
        ("user.add", lambda c: gu.add_user(c, analyst, "eve", "", Role.ANALYST, ANALYST_PW)),
        ("user.disable", lambda c: gu.disable_user(c, analyst, admin)),
        ("user.enable", lambda c: gu.enable_user(c, analyst, admin)),
        ("user.role", lambda c: gu.set_role(c, analyst, analyst, Role.ADMINISTRATOR)),
        ("user.password", lambda c: gu.set_password(c, analyst, admin, "taken over now!")),
    ]
    for action, attempt in attempts:
        with _committed(engine) as conn, pytest.raises(RoleRequiredError) as caught:
            attempt(conn)
        assert isinstance(caught.value, PermissionError)
        assert (
            str(caught.value)
            == f"{action} needs the administrator role"
            + (" (or to be the user concerned)" if action == "user.password" else "")
            + "; ann is analyst"
        )
    denied = _events(engine, "permission.denied")
    assert [e["objects"]["action"] for e in denied] == [a for a, _ in attempts]
    assert all(e["actor"] == "ann" and e["decision"]["needs"] == ["administrator"] for e in denied)
    with engine.connect() as conn:
        assert [u.username for u in gu.list_users(conn)] == ["ann", "root"]
        assert gu.get_user(conn, admin.id) == admin
    assert _login(engine, "root", ADMIN_PW) == admin


def test_role_is_read_from_the_store_not_trusted_from_the_caller(
    engine: Engine, admin: User, analyst: User
) -> None:
    forged = User(analyst.id, "ann", "Ann", Role.ADMINISTRATOR, disabled=False)
    with engine.begin() as conn, pytest.raises(RoleRequiredError, match="ann is analyst"):
        gu.add_user(conn, forged, "eve", "", Role.ANALYST, ANALYST_PW)
    with engine.begin() as conn:
        gu.set_role(conn, admin, analyst, Role.ADMINISTRATOR)
        gu.disable_user(conn, admin, analyst)
    with engine.begin() as conn, pytest.raises(RoleRequiredError, match="account is disabled"):
        gu.add_user(conn, forged, "eve", "", Role.ANALYST, ANALYST_PW)


def test_bootstrap_only_in_an_empty_workspace_and_only_an_administrator(
    engine: Engine,
) -> None:
    with engine.begin() as conn, pytest.raises(InvalidFieldError) as caught:
        gu.add_user(conn, None, "first", "", Role.SUPERVISOR, ADMIN_PW)
    assert caught.value.field == "role"
    assert "must be an administrator" in str(caught.value)
    with engine.begin() as conn:
        first = gu.add_user(conn, None, "first", "", "administrator", ADMIN_PW)
    assert first.role is Role.ADMINISTRATOR
    assert first.display_name == "first"
    assert _user_row(engine, "first")["created_by"] == "(bootstrap)"
    (added,) = _events(engine, "user.add")
    assert (added["actor"], added["decision"]) == (
        "first",
        {"role": "administrator", "bootstrap": True},
    )
    with _committed(engine) as conn, pytest.raises(RoleRequiredError, match="nobody is acting"):
        gu.add_user(conn, None, "second", "", Role.ADMINISTRATOR, ADMIN_PW)
    assert _events(engine, "permission.denied")[0]["actor"] == "(anonymous)"
    with engine.connect() as conn:
        assert [u.username for u in gu.list_users(conn)] == ["first"]


def test_the_last_administrator_can_be_neither_disabled_nor_demoted(
    engine: Engine, admin: User, analyst: User
) -> None:
    with engine.begin() as conn, pytest.raises(AccountStateError, match="only enabled admin"):
        gu.disable_user(conn, admin, admin)
    with engine.begin() as conn, pytest.raises(AccountStateError, match="only enabled admin"):
        gu.set_role(conn, admin, admin, Role.AUDITOR)
    with engine.begin() as conn:
        promoted = gu.set_role(conn, admin, analyst, "administrator")
        assert promoted.role is Role.ADMINISTRATOR
        gu.set_role(conn, analyst, admin, Role.AUDITOR)
    (change, _) = _events(engine, "user.role")
    assert change["decision"] == {"from": "analyst", "to": "administrator"}
    with engine.connect() as conn:
        assert gu.get_user(conn, admin.id).role is Role.AUDITOR  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("username", "role", "field", "words"),
    [
        ("Bad Name", Role.ANALYST, "username", "lowercase letters"),
        ("", Role.ANALYST, "username", "not allowed"),
        ("x" * 65, Role.ANALYST, "username", "1 to 64"),
        ("root", Role.ANALYST, "username", "'root' is taken"),
        ("newbie", "wizard", "role", "'wizard' is not one of analyst, supervisor"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    engine: Engine, admin: User, username: str, role: str, field: str, words: str
) -> None:
    with engine.begin() as conn, pytest.raises(InvalidFieldError) as caught:
        gu.add_user(conn, admin, username, "", role, ANALYST_PW)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert words in str(caught.value)


def test_users_change_their_own_password(engine: Engine, analyst: User) -> None:
    with engine.begin() as conn:
        gu.set_password(conn, analyst, analyst, "a brand new passphrase")
    with pytest.raises(AuthenticationError):
        _login(engine, "ann", ANALYST_PW)
    assert _login(engine, "ann", "a brand new passphrase") == analyst
    (event,) = _events(engine, "user.password")
    assert (event["actor"], event["decision"]) == ("ann", {"by": "self"})


# -- API tokens ----------------------------------------------------------------------------


def test_token_secret_is_returned_once_and_only_its_hash_stored(
    engine: Engine, admin: User, analyst: User
) -> None:
    with engine.begin() as conn:
        secret = gu.issue_token(
            conn, admin, analyst, "nightly export", dt.timedelta(days=30), now=T0
        )
    assert secret.startswith("lw_")
    assert len(secret) > 40
    with engine.connect() as conn:
        (row,) = conn.execute(select(api_tokens)).mappings()
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())
    assert row["expires_at"].replace(tzinfo=dt.UTC) == T0 + dt.timedelta(days=30)
    assert row["last_used_at"] is None
    later = T0 + dt.timedelta(days=1)
    assert _token_login(engine, secret, later) == analyst
    with engine.connect() as conn:
        (token,) = gu.list_tokens(conn, analyst)
    assert (token.name, token.last_used_at, token.status(later)) == (
        "nightly export",
        later,
        "active",
    )
    with engine.connect() as conn:
        assert gu.token_of(conn, secret) == token
    ok = _events(engine, "login.ok")[-1]
    assert ok["objects"] == {
        "method": "token",
        "token_id": token.id,
        "user_id": analyst.id,
        "user": "ann",
    }


def test_expired_token_fails(engine: Engine, analyst: User) -> None:
    with engine.begin() as conn:
        secret = gu.issue_token(conn, analyst, analyst, "laptop", dt.timedelta(days=1), now=T0)
    assert _token_login(engine, secret, T0 + dt.timedelta(hours=23)) == analyst
    with pytest.raises(AuthenticationError):
        _token_login(engine, secret, T0 + dt.timedelta(days=1))
    assert _events(engine, "login.failed")[-1]["decision"] == {"reason": "token expired"}


def test_each_request_keeps_last_used_within_its_step_without_a_login_event(
    engine: Engine, analyst: User
) -> None:
    with engine.begin() as conn:
        secret = gu.issue_token(conn, analyst, analyst, "script", now=T0)

    def request(at: dt.datetime) -> dt.datetime | None:
        with _committed(engine) as conn:
            gu.authenticate_token(conn, secret, now=at, record_use=False)
            (used,) = conn.execute(select(api_tokens.c.last_used_at)).scalars()
        return None if used is None else used.replace(tzinfo=dt.UTC)

    assert request(T0) == T0
    assert request(T0 + dt.timedelta(minutes=5)) == T0  # within the step: nothing written
    later = T0 + dt.timedelta(minutes=16)
    assert request(later) == later
    assert _events(engine, "login.ok") == []


def test_revoked_token_fails_and_only_owner_or_administrator_may_revoke(
    engine: Engine, admin: User, analyst: User
) -> None:
    with engine.begin() as conn:
        mine = gu.issue_token(conn, analyst, analyst, "script", dt.timedelta(days=5))
        admins = gu.issue_token(conn, admin, admin, "ops", dt.timedelta(days=5))
        mine_id = gu.token_of(conn, mine).id  # type: ignore[union-attr]
        admins_id = gu.token_of(conn, admins).id  # type: ignore[union-attr]
    with engine.begin() as conn, pytest.raises(RoleRequiredError, match=r"token\.revoke"):
        gu.revoke_token(conn, analyst, admins_id)
    with engine.begin() as conn:
        revoked = gu.revoke_token(conn, analyst, mine_id, now=T0)
    assert revoked.revoked_at == T0
    assert revoked.status() == "revoked"
    with pytest.raises(AuthenticationError):
        _token_login(engine, mine)
    assert _events(engine, "login.failed")[-1]["decision"] == {"reason": "token revoked"}
    with engine.begin() as conn, pytest.raises(AccountStateError, match="already revoked"):
        gu.revoke_token(conn, admin, mine_id)
    with engine.begin() as conn, pytest.raises(gu.UnknownTokenError, match="no API token 999"):
        gu.revoke_token(conn, admin, 999)
    assert _token_login(engine, admins) == admin


def test_token_of_a_disabled_user_fails(engine: Engine, admin: User, analyst: User) -> None:
    with engine.begin() as conn:
        secret = gu.issue_token(conn, admin, analyst, "ci", dt.timedelta(days=5))
        gu.disable_user(conn, admin, analyst)
    with pytest.raises(AuthenticationError):
        _token_login(engine, secret)
    assert _events(engine, "login.failed")[-1]["decision"] == {"reason": "account disabled"}
    with engine.begin() as conn, pytest.raises(AccountStateError, match="enable the account"):
        gu.issue_token(conn, admin, analyst, "ci", dt.timedelta(days=5))


def test_unknown_and_foreign_tokens_fail(engine: Engine, analyst: User) -> None:
    for secret in ("lw_" + "A" * 43, "ghp_somebody_elses_token"):
        with pytest.raises(AuthenticationError):
            _token_login(engine, secret)
    reasons = [e["decision"]["reason"] for e in _events(engine, "login.failed")]
    assert reasons == ["unknown token", "not a linkwise token"]


def test_token_issue_rules(engine: Engine, admin: User, analyst: User) -> None:
    with engine.begin() as conn, pytest.raises(RoleRequiredError, match="or to be the user"):
        gu.issue_token(conn, analyst, admin, "sneaky", dt.timedelta(days=1))
    for name, ttl, field in (
        ("  ", dt.timedelta(days=1), "name"),
        ("ok", dt.timedelta(0), "ttl"),
        ("ok", dt.timedelta(days=367), "ttl"),
    ):
        with engine.begin() as conn, pytest.raises(InvalidFieldError) as caught:
            gu.issue_token(conn, analyst, analyst, name, ttl)
        assert caught.value.field == field
    with engine.connect() as conn:
        assert gu.list_tokens(conn, analyst) == []


# -- the audit trail -----------------------------------------------------------------------


def test_every_change_is_audited_and_no_event_holds_a_secret(
    engine: Engine, admin: User, analyst: User
) -> None:
    with engine.begin() as conn:
        secret = gu.issue_token(conn, admin, analyst, "ci", dt.timedelta(days=5))
        token_id = gu.token_of(conn, secret).id  # type: ignore[union-attr]
        gu.set_role(conn, admin, analyst, Role.SUPERVISOR)
        gu.set_password(conn, admin, analyst, "reset by the admin")
    _token_login(engine, secret)
    with engine.begin() as conn:
        gu.revoke_token(conn, admin, token_id)
        gu.disable_user(conn, admin, analyst)
        gu.enable_user(conn, admin, analyst)
    _login(engine, "ann", "reset by the admin")
    for _ in range(gu.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            _login(engine, "ann", ANALYST_PW)
    events = _events(engine)
    assert [e["action"] for e in events] == [
        "user.add",
        "user.add",
        "token.issue",
        "user.role",
        "user.password",
        "login.ok",
        "token.revoke",
        "user.disable",
        "user.enable",
        "login.ok",
        *["login.failed"] * gu.MAX_FAILED_LOGINS,
        "user.locked",
    ]
    assert [e["actor"] for e in events[:10]] == ["root"] * 2 + ["root"] * 3 + ["ann"] + [
        "root"
    ] * 3 + ["ann"]
    text = json.dumps(events, default=str)
    with engine.connect() as conn:
        stored = [r.password_hash for r in conn.execute(select(users.c.password_hash))]
        hashes = [r.token_hash for r in conn.execute(select(api_tokens.c.token_hash))]
    for forbidden in (ADMIN_PW, ANALYST_PW, "reset by the admin", secret, *stored, *hashes):
        assert forbidden not in text
    assert "$argon2" not in text
    with engine.connect() as conn:
        assert audit.verify(conn).ok


# -- the workspace functions ---------------------------------------------------------------


def test_workspace_keeps_refusals_in_the_log_and_rolls_back_bad_changes(
    workspace: Workspace,
) -> None:
    assert not wu.has_users(workspace)
    wu.add_user(workspace, None, None, "root", "Root", Role.ADMINISTRATOR, ADMIN_PW)
    assert wu.has_users(workspace)
    with pytest.raises(RoleRequiredError):
        wu.add_user(workspace, None, None, "intruder", "", Role.ADMINISTRATOR, ADMIN_PW)
    wu.add_user(workspace, "root", ADMIN_PW, "ann", "Ann", Role.ANALYST, ANALYST_PW)
    with pytest.raises(AuthenticationError):
        wu.add_user(workspace, "root", "wrong password", "bob", "", Role.ANALYST, ANALYST_PW)
    with pytest.raises(RoleRequiredError):
        wu.disable_user(workspace, "ann", ANALYST_PW, "root")
    with pytest.raises(PasswordPolicyError):
        wu.add_user(workspace, "root", ADMIN_PW, "bob", "", Role.ANALYST, "short")
    with pytest.raises(gu.UnknownUserError, match="no user named 'ghost'"):
        wu.disable_user(workspace, "root", ADMIN_PW, "ghost")
    with pytest.raises(RoleRequiredError, match="administrator or auditor"):
        wu.list_accounts(workspace, "ann", ANALYST_PW)
    accounts = wu.list_accounts(workspace, "root", ADMIN_PW)
    assert [(a.user.username, a.created_by) for a in accounts] == [
        ("ann", "root"),
        ("root", "(bootstrap)"),
    ]
    actions = [e["action"] for e in _events(workspace.engine)]
    assert actions == [
        "policy.load",  # creating the workspace recorded its policy pack
        "user.add",
        "permission.denied",  # a second bootstrap
        "login.ok",
        "user.add",
        "login.failed",  # wrong password: recorded though the operation never ran
        "login.ok",
        "permission.denied",  # analyst disabling the administrator
        "login.ok",  # then the short password rolled back its whole operation
        "login.ok",
        "login.ok",
        "permission.denied",  # analyst listing users
        "login.ok",
    ]


def test_workspace_tokens(workspace: Workspace) -> None:
    wu.add_user(workspace, None, None, "root", "Root", Role.ADMINISTRATOR, ADMIN_PW)
    wu.add_user(workspace, "root", ADMIN_PW, "ann", "Ann", Role.ANALYST, ANALYST_PW)
    token, secret = wu.create_token(workspace, "ann", ANALYST_PW, "ann", "notebook", 7)
    assert token.name == "notebook"
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    assert wu.login_with_token(workspace, secret).username == "ann"
    assert [t.id for t in wu.list_tokens(workspace, "root", ADMIN_PW, "ann")] == [token.id]
    wu.revoke_token(workspace, "root", ADMIN_PW, token.id)
    with pytest.raises(AuthenticationError):
        wu.login_with_token(workspace, secret)
    assert _events(workspace.engine, "login.failed")[-1]["decision"]["reason"] == "token revoked"


# -- the command line ----------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "width", 200)
    monkeypatch.setattr(common.err_console, "width", 200)


def _cli(ws: Path, *args: str, stdin: str | None = None, **env: str) -> tuple[int, str]:
    result = runner.invoke(
        user_app,
        [*args, "--workspace", str(ws)],
        input=stdin,
        env={"LINKWISE_USER": None, "LINKWISE_PASSWORD": None, **env},
    )
    return result.exit_code, result.output


@pytest.mark.usefixtures("_wide_console")
def test_cli_add_list_disable_round_trip(workspace: Workspace) -> None:
    ws = workspace.root
    code, out = _cli(
        ws, "add", "root", "--role", "administrator", "--password-stdin", stdin=ADMIN_PW + "\n"
    )
    assert code == 0, out
    assert "no users yet: root will be its first administrator" in out
    assert "added user root (administrator)" in out
    as_root = {"LINKWISE_USER": "root", "LINKWISE_PASSWORD": ADMIN_PW}
    code, out = _cli(
        ws,
        "add",
        "ann",
        "--role",
        "analyst",
        "--display-name",
        "Ann Analyst",
        "--password-stdin",
        stdin=ANALYST_PW + "\n",
        **as_root,
    )
    assert (code, out) == (0, "added user ann (analyst)\n")
    code, out = _cli(ws, "list", **as_root)
    assert code == 0, out
    assert "Ann Analyst" in out
    assert "(bootstrap)" in out
    assert out.count("active") == 2
    code, out = _cli(ws, "disable", "ann", **as_root)
    assert (code, out) == (0, "disabled user ann\n")
    code, out = _cli(ws, "list", **as_root)
    assert "disabled" in out
    assert out.count("active") == 1
    with pytest.raises(AuthenticationError):
        wu.login(workspace, "ann", ANALYST_PW)
    code, out = _cli(ws, "enable", "ann", **as_root)
    assert (code, out) == (0, "enabled user ann\n")
    assert wu.login(workspace, "ann", ANALYST_PW).display_name == "Ann Analyst"


@pytest.mark.usefixtures("_wide_console")
def test_cli_refusals_are_clear(workspace: Workspace) -> None:
    ws = workspace.root
    _cli(ws, "add", "root", "--role", "administrator", "--password-stdin", stdin=ADMIN_PW + "\n")
    code, out = _cli(
        ws, "add", "bob", "--role", "analyst", "--password-stdin", stdin=ANALYST_PW + "\n"
    )
    assert code == 2
    assert "say who is acting with --as NAME" in out
    code, out = _cli(
        ws,
        "add",
        "bob",
        "--role",
        "analyst",
        "--password-stdin",
        "--as",
        "root",
        stdin=ANALYST_PW + "\n",
        LINKWISE_PASSWORD="wrong password",
    )
    assert code == 2
    assert "authentication failed" in out
    code, out = _cli(
        ws,
        "add",
        "bob",
        "--role",
        "analyst",
        "--password-stdin",
        "--as",
        "root",
        stdin="short\n",
        LINKWISE_PASSWORD=ADMIN_PW,
    )
    assert code == 2
    assert "password: must be at least 12 characters" in out
    code, out = _cli(ws, "add", "bob", "--role", "wizard", "--as", "root")
    assert code == 2
    assert "wizard" in out
    # The acting password may also be typed at a hidden prompt.
    code, out = _cli(ws, "disable", "root", "--as", "root", stdin=ADMIN_PW + "\n")
    assert code == 2
    assert "only enabled administrator" in out
    assert ADMIN_PW not in out
    # ... and with nothing to read it from, the command says so rather than "Aborted."
    code, out = _cli(ws, "disable", "root", "--as", "root", stdin="")
    assert code == 2
    assert "no password for root: set LINKWISE_PASSWORD, or type it when asked" in out


@pytest.mark.usefixtures("_wide_console")
def test_cli_prompts_twice_for_a_new_password_and_manages_tokens(workspace: Workspace) -> None:
    ws = workspace.root
    code, out = _cli(
        ws, "add", "root", "--role", "administrator", stdin=f"{ADMIN_PW}\n{ADMIN_PW}\n"
    )
    assert code == 0, out
    assert ADMIN_PW not in out
    as_root = {"LINKWISE_USER": "root", "LINKWISE_PASSWORD": ADMIN_PW}
    result = runner.invoke(
        user_app,
        ["token-create", "root", "--name", "backup job", "--days", "30", "--workspace", str(ws)],
        env=as_root,
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("lw_")
    assert "cannot be shown again" in result.stderr
    assert wu.login_with_token(workspace, secret).username == "root"
    code, out = _cli(ws, "tokens", "root", **as_root)
    assert code == 0, out
    assert "backup job" in out
    assert "active" in out
    assert secret not in out
    code, out = _cli(ws, "token-revoke", "1", **as_root)
    assert (code, out) == (0, "revoked token 1 (backup job)\n")
    code, out = _cli(ws, "token-revoke", "1", **as_root)
    assert code == 2
    assert "already revoked" in out
    with pytest.raises(AuthenticationError):
        wu.login_with_token(workspace, secret)


@pytest.mark.usefixtures("_wide_console")
def test_cli_role_and_password(workspace: Workspace) -> None:
    ws = workspace.root
    _cli(ws, "add", "root", "--role", "administrator", "--password-stdin", stdin=ADMIN_PW + "\n")
    as_root = {"LINKWISE_USER": "root", "LINKWISE_PASSWORD": ADMIN_PW}
    _cli(
        ws,
        "add",
        "ann",
        "--role",
        "analyst",
        "--password-stdin",
        stdin=ANALYST_PW + "\n",
        **as_root,
    )
    code, out = _cli(ws, "role", "ann", "legal_reviewer", **as_root)
    assert (code, out) == (0, "ann is now legal_reviewer\n")
    # Ann changes her own password: she is the actor by default and gives the current one.
    code, out = _cli(
        ws,
        "password",
        "ann",
        "--password-stdin",
        stdin="her new passphrase\n",
        LINKWISE_PASSWORD=ANALYST_PW,
    )
    assert (code, out) == (0, "password of ann changed\n")
    assert wu.login(workspace, "ann", "her new passphrase").role is Role.LEGAL_REVIEWER
    code, out = _cli(
        ws,
        "password",
        "root",
        "--as",
        "ann",
        "--password-stdin",
        stdin="hijacked passphrase\n",
        LINKWISE_PASSWORD="her new passphrase",
    )
    assert code == 2
    assert "user.password needs the administrator role" in out
    assert wu.login(workspace, "root", ADMIN_PW).username == "root"
