"""Signing in and out, API tokens, users and their roles; OpenID Connect when an identity provider is set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from coalition.bootstrap import Platform
from coalition.domain.access import Actor
from coalition.domain.errors import NotFound
from coalition.domain.identity import (
    MAX_PASSWORD,
    MAX_TOKEN_DAYS,
    MIN_PASSWORD,
    ApiToken,
    Scope,
    SessionEnded,
    SessionMethod,
    User,
    parse_grant,
)
from coalition.domain.identity import Session as StoredSession
from coalition.entrypoints.api.core import (
    Body,
    CallerDep,
    Flag,
    Integer,
    Limit,
    Offset,
    Page,
    RateLimited,
    Routes,
    Subject,
    TokenName,
    check_session,
    clear_session_cookie,
    json_response,
    page_of,
    require_csrf,
    session_token,
    set_session_cookie,
)
from coalition.services import identity as svc

api = Routes("authentication")
router = api.router

USERNAME = r"^[a-z0-9][a-z0-9._@-]{2,63}$"
Username = Annotated[str, Field(pattern=USERNAME, examples=["ee-desk"])]
GrantText = Annotated[str, Field(pattern=r"^[a-z-]{1,40}(@[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$",
                                 examples=["member-representative@it-coalition"])]


class Login(Body):
    username: Username
    password: Annotated[str, Field(min_length=1, max_length=1024)]


NewPassword = Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]


class PasswordChange(Body):
    current_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]
    new_password: NewPassword


@dataclass(frozen=True, slots=True)
class Session:
    """Who is signed in. ``csrf_token`` goes back in the X-CSRF-Token header of every change."""

    user: str
    party: str | None
    roles: list[str]
    csrf_token: str | None


def _roles(actor: Actor) -> list[str]:
    return sorted(f"{g.role.value}@{g.coalition}" if g.coalition else g.role.value for g in actor.grants)


def _session(actor: Actor, session: StoredSession | None) -> Session:
    return Session(actor.user, actor.party, _roles(actor), None if session is None else session.csrf_token)


def _signed_in(platform: Platform, signed: svc.SignedIn) -> Response:
    """The answer to signing in: who, the session's CSRF token, and the cookie naming the session."""
    response = json_response(_session(signed.actor, signed.session), Session)
    set_session_cookie(response, platform, signed.token)
    return response


@api.post("/auth/login", Session, 200, dependencies=[RateLimited],
          summary="Sign in with a password (a browser session, named by an HttpOnly cookie)")
def login(body: Login, request: Request) -> object:
    # Not through the caller: a browser whose previous session has ended may sign in again (that session, if
    # still live, is ended and replaced).
    platform: Platform = request.app.state.platform
    signed = svc.sign_in(platform.uow(), platform.password_hasher, body.username, body.password,
                         platform.session_policy, replaces=session_token(request))
    request.state.actor = signed.actor.for_request(request.state.request_id)
    return _signed_in(platform, signed)


@router.post("/auth/logout", summary="Sign out: the browser session ends and its cookie is forgotten",
             status_code=204)
def logout(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    token = session_token(request)
    if token is not None:
        try:
            check = check_session(platform, token)
        except SessionEnded:
            pass  # over already: only the cookie is left to forget
        else:
            require_csrf(check.session, request)
            request.state.actor = check.actor.for_request(request.state.request_id)
            svc.sign_out(platform.uow(), token)
    response = Response(status_code=204)
    clear_session_cookie(response, platform)
    return response


@api.get("/auth/me", Session, summary="Who the request is made as")
def me(who: CallerDep) -> object:
    return _session(who.actor, who.session)


@api.post("/auth/password", Session, 200, dependencies=[RateLimited],
          summary="Change one's own password: every session of the user ends (a browser making the change gets a "
                  "new one)")
def change_password(body: PasswordChange, who: CallerDep) -> object:
    actor = who.signed_in()
    renew = None if who.session is None else who.session.method
    fresh = svc.change_password(who.write(), actor, who.platform.password_hasher, body.current_password,
                                body.new_password, renew=renew)
    if fresh is None:
        return _session(actor, None)
    return _signed_in(who.platform, fresh)


# --- API tokens ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenView:
    id: str
    username: str
    name: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewToken:
    """The token to send as 'Authorization: Bearer <token>'. It is shown only in this response."""

    token: str
    details: TokenView


def _token_view(token: ApiToken) -> TokenView:
    return TokenView(token.id, token.username, token.name, sorted(token.scopes), token.created_at, token.expires_at,
                     token.revoked_at)


class TokenRequest(Body):
    name: TokenName
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=2)]
    days: Annotated[Integer, Field(ge=1, le=MAX_TOKEN_DAYS)] = 90
    username: Username | None = Field(default=None, description="For another user (platform administrators)")


@api.post("/auth/tokens", NewToken, dependencies=[RateLimited], summary="Create an API token")
def create_token(body: TokenRequest, who: CallerDep) -> object:
    actor = who.signed_in()
    token, text = svc.create_token(who.write(), actor, username=body.username or actor.user, name=body.name,
                                   scopes=frozenset(body.scopes), days=body.days)
    return NewToken(text, _token_view(token))


@api.get("/auth/tokens", Page[TokenView], summary="List API tokens (one's own; every user's for administrators)")
def list_tokens(who: CallerDep, offset: Offset = 0, limit: Limit = 50,
                username: Annotated[str | None, Query(pattern=USERNAME)] = None) -> object:
    found = svc.list_tokens(who.read(), who.actor, username or who.signed_in().user)
    return page_of([_token_view(t) for t in found], offset, limit)


@api.delete("/auth/tokens/{token_id}", TokenView, summary="Revoke an API token")
def revoke_token(who: CallerDep, token_id: Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")]) -> object:
    return _token_view(svc.revoke_token(who.write(), who.actor, token_id))


# --- users -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserView:
    username: str
    party: str | None
    roles: list[str]
    oidc_subject: str | None
    active: bool


def _user_view(user: User) -> UserView:
    return UserView(user.username, user.party, _roles(user.actor()), user.oidc_subject, user.active)


class NewUser(Body):
    username: Username
    password: Annotated[str | None, Field(min_length=12, max_length=1024)] = None
    party: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")] = None
    roles: Annotated[list[GrantText], Field(max_length=100)] = []
    oidc_subject: Subject | None = None


class Roles(Body):
    roles: Annotated[list[GrantText], Field(max_length=100)]


class Active(Body):
    active: Flag


class Password(Body):
    password: NewPassword


@dataclass(frozen=True, slots=True)
class SessionView:
    """A live browser session (never its token). ``current``: the one making this request."""

    id: str
    username: str
    method: SessionMethod
    created_at: datetime
    last_seen_at: datetime
    ends_at: datetime
    current: bool


@dataclass(frozen=True, slots=True)
class EndedSessions:
    username: str
    ended: int


@api.get("/users", Page[UserView], summary="List users and their roles")
def list_users(who: CallerDep, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of([_user_view(u) for u in svc.list_users(who.read(), who.actor)], offset, limit)


@api.post("/users", UserView, summary="Register a user")
def add_user(body: NewUser, who: CallerDep) -> object:
    user = User(body.username, body.party, frozenset(parse_grant(g) for g in body.roles), body.oidc_subject)
    stored = svc.add_user(who.write(), who.actor, who.platform.password_hasher, user, body.password)
    return _user_view(stored)


@api.put("/users/{username}/roles", UserView, summary="Replace a user's roles")
def set_roles(body: Roles, who: CallerDep, username: Annotated[str, Path(pattern=USERNAME)]) -> object:
    grants = frozenset(parse_grant(g) for g in body.roles)
    return _user_view(svc.set_grants(who.write(), who.actor, username, grants))


@api.put("/users/{username}/active", UserView, summary="Disable (its sessions end) or enable a user")
def set_active(body: Active, who: CallerDep, username: Annotated[str, Path(pattern=USERNAME)]) -> object:
    return _user_view(svc.set_active(who.write(), who.actor, username, body.active))


@api.put("/users/{username}/password", UserView, summary="Give a user a new password: its sessions end")
def set_password(body: Password, who: CallerDep, username: Annotated[str, Path(pattern=USERNAME)]) -> object:
    return _user_view(svc.set_password(who.write(), who.actor, who.platform.password_hasher, username,
                                       body.password))


@api.get("/users/{username}/sessions", Page[SessionView],
         summary="A user's live browser sessions (one's own; anyone's for administrators)")
def list_sessions(who: CallerDep, username: Annotated[str, Path(pattern=USERNAME)], offset: Offset = 0,
                  limit: Limit = 50) -> object:
    policy = who.platform.session_policy
    found = svc.list_sessions(who.read(), who.actor, username, policy)
    current = None if who.session is None else who.session.id
    return page_of([SessionView(s.id, s.username, s.method, s.created_at, s.last_seen_at, policy.ends_at(s),
                                s.id == current) for s in found], offset, limit)


@api.delete("/users/{username}/sessions", EndedSessions,
            summary="End every browser session of a user (one's own; anyone's for administrators)")
def end_sessions(who: CallerDep, username: Annotated[str, Path(pattern=USERNAME)]) -> object:
    ended = svc.end_sessions(who.write(), who.actor, username, who.platform.session_policy)
    return EndedSessions(username, ended)


# --- OpenID Connect ----------------------------------------------------------------------------------------------


def _provider(request: Request) -> Any:
    provider = getattr(request.app.state, "oidc", None)
    if provider is None:
        raise NotFound("sign-in through an identity provider is not configured on this server", field="oidc")
    return provider


@router.get("/auth/oidc/login", dependencies=[RateLimited], summary="Sign in through the identity provider",
            responses={302: {"description": "To the identity provider"}})
async def oidc_login(request: Request) -> Response:
    provider = _provider(request)
    redirect = str(request.url_for("oidc_callback"))
    response: Response = await provider.authorize_redirect(request, redirect)
    return response


@router.get("/auth/oidc/callback", name="oidc_callback", summary="Where the identity provider sends the user back",
            responses={302: {"description": "Signed in; to the start page"}})
async def oidc_callback(request: Request) -> Response:
    provider = _provider(request)
    token = await provider.authorize_access_token(request)
    claims = token.get("userinfo") or {}
    platform: Platform = request.app.state.platform
    subject = str(claims.get(platform.settings.oidc_subject_claim, ""))
    signed = await run_in_threadpool(svc.sign_in_with_subject, platform.uow(), subject, platform.session_policy,
                                     replaces=session_token(request))
    request.state.actor = signed.actor.for_request(request.state.request_id)
    response = RedirectResponse("/", status_code=302)
    set_session_cookie(response, platform, signed.token)
    return response
