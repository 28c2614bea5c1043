"""A minimal OpenID Connect identity provider on loopback, for the sign-in round trip.

It does what a real provider does for Streamlit's `st.login`, and nothing more: discovery,
an authorization endpoint that signs in one fixed e-mail address at once (no login form) and
sends the browser back with a code, a token endpoint that checks the client secret and the
code and returns an RS256-signed ID token carrying the nonce, the public keys, and an
end-session endpoint for signing out. joserfc (which Streamlit's Authlib brings) signs it.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "werkpad"
CLIENT_SECRET = secrets.token_urlsafe(16)


class IdentityProvider:
    """Start with `with IdentityProvider(email) as idp:`; `idp.url` is its issuer."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.verified = True  # the provider confirmed the address (the email_verified claim)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.codes: dict[str, str] = {}  # code -> nonce of the authorization request
        self.signed_in: list[str] = []  # e-mail addresses a token was issued for
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> IdentityProvider:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def metadata(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            pair = base64.b64decode(authorization[6:]).decode()
            client_id, client_secret = (urllib.parse.unquote(p) for p in pair.split(":", 1))
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        nonce = self.codes.pop(form.get("code", ""), None)
        if nonce is None:
            return 400, {"error": "invalid_grant"}
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "user-1",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "nonce": nonce,
            "email": self.email,
            "email_verified": self.verified,
            "name": self.email.split("@")[0],
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
        self.signed_in.append(self.email)
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 600,
            "id_token": id_token,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: dict | None = None, location: str = "") -> None:
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                payload = json.dumps(body or {}).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                params = dict(urllib.parse.parse_qsl(query))
                if path == "/.well-known/openid-configuration":
                    self._send(200, idp.metadata())
                elif path == "/jwks":
                    self._send(200, {"keys": [idp.key.as_dict(private=False)]})
                elif path == "/authorize" and params.get("client_id") == CLIENT_ID:
                    code = secrets.token_urlsafe(16)
                    idp.codes[code] = params.get("nonce", "")
                    back = {"code": code, "state": params.get("state", "")}
                    target = f"{params['redirect_uri']}?{urllib.parse.urlencode(back)}"
                    self._send(302, location=target)
                elif path == "/logout":
                    self._send(302, location=params.get("post_logout_redirect_uri", "/"))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path == "/token":
                    self._send(*idp.token(form, self.headers.get("Authorization")))
                else:
                    self._send(404, {"error": "not_found"})

        return Handler
