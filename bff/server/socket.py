"""The graphql-transport-ws handler: strawberry's, with every `subscribe` held to the same trusted-documents
policy as an HTTP request (`bff.core.trusted`).

strawberry reads only `query`, `variables` and `operationName` of a `subscribe` payload; a client that names
its document by id (`documentId`, or `extensions.persistedQuery.sha256Hash` as graphql-ws clients pass it)
gets the manifest's text put in `query` here, and a refused document is answered with an `error` message
carrying the code, as the protocol answers an operation that cannot run (the socket stays open).
"""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage, SubscribeMessage

from bff.core.limits import Refusal
from bff.core.trusted import OperationPolicy


class TrustedSocketHandler(BaseGraphQLTransportWSHandler[Any, None]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        policy: OperationPolicy | None = getattr(self.view, "policy", None)
        payload: Any = message.get("payload")
        if policy is not None and isinstance(payload, dict) and self.connection_acknowledged:
            try:
                document = policy.document(payload)
            except Refusal as refusal:
                errors: Any = refusal.payload()["errors"]
                await self.send_message(ErrorMessage(id=message["id"], type="error", payload=errors))
                return
            if isinstance(document, str):
                payload["query"] = document
        await super().handle_subscribe(message)
