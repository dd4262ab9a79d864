"""The connexion peer of the HTTP benchmark: serves the spec given as the first argument on
127.0.0.1:$PORT (connexion's AsyncApp under uvicorn, one process) with the same fixed
answers as the gateway. benches/http/run installs it into a virtualenv and starts it.
"""

import os
import sys

import connexion
import uvicorn
import yaml
from connexion.resolver import Resolver


def item(i):
    return {"id": i, "name": "widget", "price": 9.99, "status": "available", "tags": ["blue", "small"]}


async def health(**_):
    return {"status": "ok"}


async def get_item(**params):
    return item(params.get("id", params.get("id_")))


async def list_items(**params):
    count = min(params.get("limit") or 10, 3)
    return [item(i) for i in range(1, count + 1)]


async def create_item(body, **_):
    return body, 201


HANDLERS = {"health": health, "getItem": get_item, "listItems": list_items, "createItem": create_item}
# The same keys as benches/http/gateway/tollgate.toml (no throttle here).
KEYS = {"bench-key": "bench", "limited-key": "limited"}


def api_key(token, required_scopes=None):
    """connexion's API-key security function: the principal, or None for a 401."""
    sub = KEYS.get(token)
    return {"sub": sub} if sub else None


def main():
    with open(sys.argv[1]) as f:
        spec = yaml.safe_load(f)
    spec["components"]["securitySchemes"]["ApiKey"]["x-apikeyInfoFunc"] = "connexion_app.api_key"
    app = connexion.AsyncApp(__name__)
    app.add_api(spec, resolver=Resolver(function_resolver=HANDLERS.__getitem__))
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
