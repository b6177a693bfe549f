from google.protobuf import empty_pb2 as _empty_pb2
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as _stt_pb2
from stt_tui._proto.yandex.cloud.operation import operation_pb2 as _operation_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GetRecognitionRequest(_message.Message):
    __slots__ = ("operation_id",)
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    operation_id: str
    def __init__(self, operation_id: _Optional[str] = ...) -> None: ...
