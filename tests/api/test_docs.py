"""The interactive docs work offline: every asset they load is served by recmind itself."""

from __future__ import annotations

import re

import httpx
from tests.api.conftest import LiveServer


def test_swagger_and_redoc_load_only_local_assets(sqlite_live: LiveServer) -> None:
    with httpx.Client(base_url=sqlite_live.url) as http:
        for page in ("/docs", "/redoc"):
            html = http.get(page)
            assert html.status_code == 200
            sources = re.findall(r'(?:src|href)="([^"]+)"', html.text)
            assets = [s for s in sources if s.endswith((".js", ".css"))]
            assert assets, f"{page} loads no script or stylesheet"
            for asset in assets:
                assert asset.startswith("/"), f"{page} loads {asset} from another host"
                response = http.get(asset)
                assert response.status_code == 200, asset
                assert len(response.content) > 10_000, asset
        assert "swagger-ui" in http.get("/docs").text
        assert http.get("/docs/oauth2-redirect").status_code == 200
