"""The wire to the service: gRPC channels (TLS, limits, retries), credentials on each call, the typed v2
and v3 calls, the v3 result stream gathered and checked, operations decoded, errors as sentences.

May import: shared (and the generated _proto).
"""

from stt_tui.api.auth import ApiKey, Credentials, IamToken, NoAuth
from stt_tui.api.channel import DEFAULT_MAX_RECEIVE_BYTES, ChannelSettings, InsecureTargetError, open_channel
from stt_tui.api.client import Endpoints, SpeechKitClient
from stt_tui.api.errors import ProtocolError, ServiceError
from stt_tui.api.operations import RESPONSE_TYPE_URL, OperationError, OperationState, decode_operation

__all__ = [
    "DEFAULT_MAX_RECEIVE_BYTES",
    "RESPONSE_TYPE_URL",
    "ApiKey",
    "ChannelSettings",
    "Credentials",
    "Endpoints",
    "IamToken",
    "InsecureTargetError",
    "NoAuth",
    "OperationError",
    "OperationState",
    "ProtocolError",
    "ServiceError",
    "SpeechKitClient",
    "decode_operation",
    "open_channel",
]
