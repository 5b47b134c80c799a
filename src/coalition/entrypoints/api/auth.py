"""Signing in and out, API tokens, users and their roles; OpenID Connect when an identity provider is set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from coalition.domain.access import Actor
from coalition.domain.errors import NotFound
from coalition.domain.identity import MAX_TOKEN_DAYS, ApiToken, Scope, User, parse_grant
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
    new_csrf_token,
    page_of,
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


@dataclass(frozen=True, slots=True)
class Session:
    """Who is signed in. ``csrf_token`` goes back in the X-CSRF-Token header of every change."""

    user: str
    party: str | None
    roles: list[str]
    csrf_token: str | None


def _roles(actor: Actor) -> list[str]:
    return sorted(f"{g.role.value}@{g.coalition}" if g.coalition else g.role.value for g in actor.grants)


def _session(request: Request, actor: Actor) -> Session:
    return Session(actor.user, actor.party, _roles(actor), request.session.get("csrf"))


@api.post("/auth/login", Session, 200, dependencies=[RateLimited], summary="Sign in with a password (browser session)")
def login(body: Login, request: Request, who: CallerDep) -> object:
    # Read-only: checking a password (slow by design) must not hold up the writers.
    actor = svc.authenticate(who.platform.uow(read_only=True), who.platform.password_hasher, body.username,
                             body.password)
    request.session.clear()
    request.session.update({"user": actor.user, "csrf": new_csrf_token()})
    return _session(request, actor)


@router.post("/auth/logout", summary="Sign out of the browser session", status_code=204)
def logout(request: Request, who: CallerDep) -> Response:
    request.session.clear()
    return Response(status_code=204)


@api.get("/auth/me", Session, summary="Who the request is made as")
def me(request: Request, who: CallerDep) -> object:
    return _session(request, who.actor)


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


@api.put("/users/{username}/active", UserView, summary="Disable or enable a user")
def set_active(body: Active, who: CallerDep, username: Annotated[str, Path(pattern=USERNAME)]) -> object:
    return _user_view(svc.set_active(who.write(), who.actor, username, body.active))


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
    claim = request.app.state.platform.settings.oidc_subject_claim
    subject = str(claims.get(claim, ""))
    platform = request.app.state.platform
    actor = await run_in_threadpool(svc.actor_for_subject, platform.uow(read_only=True), subject)
    request.session.clear()
    request.session.update({"user": actor.user, "csrf": new_csrf_token()})
    return RedirectResponse("/", status_code=302)
