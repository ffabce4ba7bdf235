"""The JSON API under ``/api/v1``: bearer-token authentication, one governed session per
request, RFC 9457 problem details for every error. Mounted by ``linkwise.web.app``."""

from linkwise.api.router import router

__all__ = ["router"]
