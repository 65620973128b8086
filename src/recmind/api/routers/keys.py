"""API keys over the API (``admin`` scope); ``recmind keys`` does the same from a shell."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path
from starlette.concurrency import run_in_threadpool

from recmind.api.deps import AuthDep, SettingsDep, StoreDep, require_scope
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, KeyCreate, KeyCreated, KeyOut
from recmind.data.api_keys import ApiKey, ApiKeyError, create_key, list_keys, revoke_key

router = APIRouter(
    tags=["keys"], responses=ERROR_RESPONSES, dependencies=[Depends(require_scope("admin"))]
)


def _out(key: ApiKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "name": key.name,
        "scopes": list(key.scopes),
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
    }


@router.get("/v1/keys", response_model=list[KeyOut], summary="Every API key (never the keys)")
def get_keys(store: StoreDep) -> list[dict[str, Any]]:
    return [_out(k) for k in list_keys(store)]


@router.post(
    "/v1/keys",
    response_model=KeyCreated,
    status_code=201,
    summary="Create an API key (shown once)",
    responses={422: {"model": ErrorOut, "description": "Unknown scope."}},
)
def post_key(store: StoreDep, settings: SettingsDep, body: KeyCreate) -> dict[str, Any]:
    try:
        new = create_key(store, settings.api.secret, body.scopes, body.name)
    except ApiKeyError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {**_out(new.info), "key": new.key}


@router.delete(
    "/v1/keys/{key_id}",
    response_model=KeyOut,
    summary="Revoke an API key (at once on this server)",
    responses={404: {"model": ErrorOut, "description": "No such key."}},
)
async def delete_key(
    store: StoreDep,
    auth: AuthDep,
    key_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,64}$")],
) -> dict[str, Any]:
    try:
        revoked = await run_in_threadpool(revoke_key, store, key_id)
    except ApiKeyError as exc:
        raise HTTPException(404, str(exc)) from exc
    auth.forget(key_id)
    return _out(revoked)
