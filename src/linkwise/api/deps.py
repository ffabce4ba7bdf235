"""What every API route stands on: the workspace, the user a bearer token speaks for, the
case a request is made in, and the governed session those make.

A route that shows person data takes ``Governed`` (a ``WorkspaceSession`` for the token's
user in the request's case): the case is named by the ``X-Linkwise-Case`` header or the
``case`` query parameter, and its purpose decides what the answer may show. Routes that
manage things (users, authorisations, the audit log) take ``ApiUser`` and call the
workspace's operations, which check the role themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from linkwise.api.problems import ApiProblemError
from linkwise.govern.accounts import User
from linkwise.workspace import Workspace
from linkwise.workspace import users as ws_users
from linkwise.workspace.session import WorkspaceSession

bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`linkwise user token create`); its secret starts `lw_`.",
)


def get_workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


WS = Annotated[Workspace, Depends(get_workspace)]


def get_api_user(
    ws: WS, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> User:
    """The user the request's bearer token speaks for (401 without a valid one)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiProblemError(
            401, "unauthenticated", "send an API token as `Authorization: Bearer lw_...`"
        )
    return ws_users.login_with_token(ws, credentials.credentials, record_use=False)


ApiUser = Annotated[User, Depends(get_api_user)]


MAX_ID = 2**63 - 1
"""The largest id a store column holds (a larger one could name no case)."""


def get_case_id(
    request: Request,
    x_linkwise_case: Annotated[
        int | None,
        Header(
            description="The case the request is made in; its purpose decides what is shown.",
            ge=1,
            le=MAX_ID,
        ),
    ] = None,
    case: Annotated[
        int | None, Query(description="The case, when a header cannot be sent.", ge=1, le=MAX_ID)
    ] = None,
) -> int:
    # The case's purpose decides what the answer may show: a request naming it twice over
    # is refused rather than answered for whichever name was read first.
    named = {*request.headers.getlist("x-linkwise-case"), *request.query_params.getlist("case")}
    if len({int(n) if n.strip().isdigit() else n.strip() for n in named}) > 1:
        raise ApiProblemError(
            400,
            "case-ambiguous",
            f"the request names more than one case ({', '.join(sorted(named))}): name one, "
            "in header X-Linkwise-Case or query ?case=ID",
        )
    chosen = x_linkwise_case if x_linkwise_case is not None else case
    if chosen is None:
        raise ApiProblemError(
            400,
            "case-required",
            "say which case the request is for: header X-Linkwise-Case or query ?case=ID",
        )
    return chosen


CaseId = Annotated[int, Depends(get_case_id)]


def get_session(ws: WS, user: ApiUser, case_id: CaseId) -> Iterator[WorkspaceSession]:
    with ws.session(user, case_id) as session:
        yield session


Governed = Annotated[WorkspaceSession, Depends(get_session)]
