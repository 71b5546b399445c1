"""dbutils.secrets for local Python scripts, against a Databricks workspace API.

A notebook's secret calls, for a script run outside Databricks (standard
library only, Python 3.8+):

    from scopevault_dbutils import dbutils
    db_password = dbutils.secrets.get(scope="my-keyvault-scope", key="db-password")
    print("Fetched secret length:", len(db_password))  # don't print the secret!

dbutils.secrets has get(scope, key) -> str, getBytes(scope, key) -> bytes,
list(scope) -> [SecretMetadata(key=...)], listScopes() -> [SecretScope(name=...)]
and help(), as in a notebook. Keyword or positional arguments both work.

The workspace is found as the Databricks CLIs find it, on the first call:
DATABRICKS_HOST and DATABRICKS_TOKEN, else the ~/.databrickscfg profile
(the file may be moved with DATABRICKS_CONFIG_FILE) named by
DATABRICKS_CONFIG_PROFILE, else [__settings__] default_profile, else
[DEFAULT]. DBUtils(profile="NAME") reads only that profile. The CA bundles
named by SSL_CERT_FILE and REQUESTS_CA_BUNDLE (scopevault's env file sets
both) are trusted besides the system roots.

Unlike a notebook, nothing here redacts printed values: use `scopevault run`
for that. Errors (DatabricksError) carry the workspace's error_code, message
and HTTP status; they never contain the token or a secret value.
"""

import base64
import collections
import configparser
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["DBUtils", "DatabricksError", "SecretMetadata", "SecretScope", "dbutils"]

SecretMetadata = collections.namedtuple("SecretMetadata", ["key"])
SecretScope = collections.namedtuple("SecretScope", ["name"])


class DatabricksError(Exception):
    """A failed workspace call: error_code (a string; "403" for an invalid
    token, which Databricks sends as a number), message and status_code."""

    def __init__(self, error_code, message, status_code):
        super().__init__("%s: %s" % (error_code, message) if error_code else message)
        self.error_code = error_code
        self.message = message
        self.status_code = status_code


def _config_path():
    path = os.environ.get("DATABRICKS_CONFIG_FILE")
    return path if path else os.path.join(os.path.expanduser("~"), ".databrickscfg")


def _resolve(profile=None):
    """Returns (host, token) as the CLIs resolve them."""
    host = token = ""
    explicit = bool(profile)
    if not explicit:
        host = os.environ.get("DATABRICKS_HOST", "").strip()
        token = os.environ.get("DATABRICKS_TOKEN", "").strip()
        profile = os.environ.get("DATABRICKS_CONFIG_PROFILE", "")
        explicit = bool(profile)
    if not (host and token):
        path = _config_path()
        # interpolation=None: a token may hold '%'.
        parser = configparser.ConfigParser(interpolation=None)
        try:
            with open(path, encoding="utf-8") as f:
                parser.read_file(f)
        except FileNotFoundError:
            if explicit:
                raise DatabricksError("", "profile %s: %s does not exist" % (profile, path), 0)
        if not profile and parser.has_section("__settings__"):
            profile = parser.get("__settings__", "default_profile", fallback="")
        profile = profile or "DEFAULT"
        if profile == "DEFAULT":
            section = parser.defaults()
        elif parser.has_section(profile):
            section = parser[profile]
        elif explicit:
            raise DatabricksError("", "profile %s does not exist in %s" % (profile, path), 0)
        else:
            section = {}
        host = host or section.get("host", "").strip()
        token = token or section.get("token", "").strip()
    if not (host and token):
        raise DatabricksError(
            "",
            "no Databricks host and token: set DATABRICKS_HOST and DATABRICKS_TOKEN, "
            "or run 'databricks configure --token'",
            0,
        )
    if "://" not in host:
        host = "https://" + host
    return host.rstrip("/"), token


def _ssl_context():
    ctx = ssl.create_default_context()
    for var in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        path = os.environ.get(var)
        if path and os.path.isfile(path):
            ctx.load_verify_locations(cafile=path)
    return ctx


class _Workspace:
    def __init__(self, host, token):
        self.host = host
        self._token = token
        self._ctx = _ssl_context()

    def __repr__(self):
        return "<workspace %s>" % self.host  # never the token

    def get(self, path, **query):
        url = self.host + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        req = urllib.request.Request(url, method="GET")
        req.add_header("Authorization", "Bearer " + self._token)
        req.add_header("Accept", "application/json")
        req.add_header("User-Agent", "scopevault-dbutils-python/1")
        try:
            with urllib.request.urlopen(req, context=self._ctx, timeout=60) as res:
                body = res.read()
        except urllib.error.HTTPError as e:
            raise _error(e.code, e.read()) from None
        return json.loads(body) if body.strip() else {}


def _error(status, body):
    code, message = "", ""
    try:
        env = json.loads(body)
        if isinstance(env, dict):
            raw = env.get("error_code")
            code = "" if raw is None else str(raw)
            message = env.get("message") or env.get("error") or ""
    except ValueError:
        pass
    return DatabricksError(code, message or "the workspace answered HTTP %d" % status, status)


class _Secrets:
    """dbutils.secrets: get, getBytes, list, listScopes, help."""

    def __init__(self, workspace):
        self._workspace = workspace

    def getBytes(self, scope, key):
        """The secret's value as bytes."""
        out = self._workspace().get("/api/2.0/secrets/get", scope=scope, key=key)
        return base64.b64decode(out.get("value", ""))

    def get(self, scope, key):
        """The secret's value as a string (its bytes decoded as UTF-8)."""
        return self.getBytes(scope, key).decode("utf-8")

    def list(self, scope):
        """The scope's secrets, keys only."""
        out = self._workspace().get("/api/2.0/secrets/list", scope=scope)
        return [SecretMetadata(s["key"]) for s in out.get("secrets", [])]

    def listScopes(self):
        """Every scope of the workspace."""
        out = self._workspace().get("/api/2.0/secrets/scopes/list")
        return [SecretScope(s["name"]) for s in out.get("scopes", [])]

    def help(self, method=None):
        print(
            "get(scope: String, key: String): String -> Gets the string representation of a secret value\n"
            "getBytes(scope: String, key: String): byte[] -> Gets the bytes representation of a secret value\n"
            "list(scope: String): Seq -> Lists secret metadata for secrets within a scope\n"
            "listScopes: Seq -> Lists secret scopes"
        )


class DBUtils:
    """A notebook's dbutils with only .secrets. The workspace is resolved on
    the first call, from profile if given, else as the CLIs do."""

    def __init__(self, profile=None, host=None, token=None):
        self._profile = profile
        self._host, self._token = host, token
        self._ws = None
        self.secrets = _Secrets(self._workspace)

    def _workspace(self):
        if self._ws is None:
            if self._host and self._token:
                host, token = self._host.rstrip("/"), self._token
            else:
                host, token = _resolve(self._profile)
            self._ws = _Workspace(host, token)
        return self._ws


dbutils = DBUtils()
