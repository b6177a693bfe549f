"""Object Storage for the cloud profile: upload prepared audio, name it by URI, delete it afterwards.

Objects are keyed by the content hash of the file they came from, so a file is sent once however often
it is submitted. Every failure is one StorageError sentence naming the bucket and endpoint, never a key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from stt_tui.api.channel import is_local_target
from stt_tui.settings.config import Storage
from stt_tui.shared.objects import error_code, object_uri, s3_client

MiB = 2**20
# Parts of 16 MiB, two in flight: memory stays near 2 x 16 MiB whatever the file's size, and a
# 1 GB file (the service's limit) is 64 parts, far below S3's 10,000.
PART_BYTES = 16 * MiB
CONCURRENCY = 2
CONTENT_TYPES = {"pcm": "audio/L16", "opus": "audio/ogg", "mp3": "audio/mpeg", "wav": "audio/wav"}

Progress = Callable[[str, float], None]


class StorageError(Exception):
    """Object Storage refused or could not be reached; `str()` is the sentence to show."""

    def __init__(self, sentence: str, *, denied: bool = False) -> None:
        super().__init__(sentence)
        self.denied = denied  # the key lacks a permission (as opposed to a network or server trouble)


def check_endpoint(endpoint: str) -> None:
    """Refuse plaintext HTTP to anything but this machine: requests carry a signature of the key."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StorageError(f"The storage endpoint {endpoint!r} is not an http(s) URL.")
    if parts.scheme == "http" and not is_local_target(parts.netloc):
        raise StorageError(
            f"Refusing to use {endpoint} without TLS: plaintext is only for a storage server on this machine."
        )


class ObjectStore:
    """One bucket, reached with one static access key; safe to use from several threads."""

    def __init__(self, settings: Storage, access_key_id: str, secret_access_key: str) -> None:
        if not settings.bucket:
            raise StorageError("No bucket is set: add bucket under [profiles.<name>.storage] in config.toml.")
        check_endpoint(settings.endpoint)
        self.settings = settings
        self.bucket = settings.bucket
        self._client = s3_client(
            settings.endpoint, settings.region, access_key_id, secret_access_key, settings.ca_file
        )
        self._bucket_checked = False
        self._lock = threading.Lock()

    def uri(self, key: str) -> str:
        return object_uri(self.settings.uri_base, self.bucket, key)

    def upload(self, path: Path, key: str, progress: Progress) -> str:
        """Put the file at `key` (multipart when large) unless an object of its size is there; its URI."""
        from boto3.s3.transfer import TransferConfig

        self.check_bucket()
        size = path.stat().st_size
        if self.size_of(key) == size:
            progress("uploading", 1.0)  # the same content was sent before: names are content hashes
            return self.uri(key)
        sent = 0
        lock = threading.Lock()

        def on_bytes(n: int) -> None:
            nonlocal sent
            with lock:
                sent += n
                done = sent
            progress("uploading", min(done / max(size, 1), 1.0))

        transfer = TransferConfig(
            multipart_threshold=PART_BYTES,
            multipart_chunksize=PART_BYTES,
            max_concurrency=CONCURRENCY,
            max_io_queue=4,
        )
        extra = {"ContentType": CONTENT_TYPES.get(key.rsplit(".", 1)[-1], "application/octet-stream")}
        try:
            self._client.upload_file(
                str(path), self.bucket, key, ExtraArgs=extra, Config=transfer, Callback=on_bytes
            )
        except Exception as exc:
            raise self._error(exc, f"upload {path.name}") from None
        progress("uploading", 1.0)
        return self.uri(key)

    def size_of(self, key: str) -> int | None:
        """The size of the object at `key`, or None when there is none."""
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise self._error(exc, f"look for {key}") from None
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            raise self._error(exc, f"delete {key}", deleting=True) from None

    def check_bucket(self) -> None:
        """Raise StorageError unless the bucket exists and the key may use it (asked once per store).

        Some servers create a missing bucket on the first upload; and a missing bucket deserves its
        own sentence, before any job is recorded, rather than an upload error.
        """
        with self._lock:
            if self._bucket_checked:
                return
            try:
                # A listing rather than HEAD: an answer with a body names the error (a wrong secret and
                # a missing permission are both a bare 403 to HEAD).
                self._client.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
            except Exception as exc:
                if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
                    raise StorageError(
                        f"The bucket {self.bucket!r} does not exist at {self.settings.endpoint}; create it, "
                        "or set the right bucket in the profile."
                    ) from None
                raise self._error(exc, "reach the bucket") from None
            self._bucket_checked = True

    def _error(self, exc: Exception, action: str, deleting: bool = False) -> StorageError:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

        if isinstance(exc, S3UploadFailedError) and isinstance(exc.__context__, ClientError):
            exc = exc.__context__  # upload_file re-raises S3's answer in a wrapper without its code
        where = f"{self.settings.endpoint}/{self.bucket}"
        code = error_code(exc)
        if isinstance(exc, EndpointConnectionError) or (
            isinstance(exc, BotoCoreError) and "connect" in type(exc).__name__.lower()
        ):
            return StorageError(
                f"Cannot reach Object Storage at {self.settings.endpoint}, could not {action}."
            )
        if code == "NoSuchBucket":
            return StorageError(
                f"The bucket {self.bucket!r} does not exist at {self.settings.endpoint}, could not {action}."
            )
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"):
            return StorageError(
                f"Object Storage at {self.settings.endpoint} rejected the static access key ({code}), "
                f"could not {action}: check the key id and secret."
            )
        if code in ("AccessDenied", "403", "Forbidden"):
            role = "storage.editor (storage.uploader cannot delete)" if deleting else "storage.uploader"
            return StorageError(
                f"Access denied by Object Storage, could not {action} in {where}: the service account "
                f"needs {role} on the bucket.",
                denied=True,
            )
        if isinstance(exc, ClientError):
            message = exc.response.get("Error", {}).get("Message", "") or "no details"
            return StorageError(f"Object Storage refused to {action} in {where}: {message} ({code}).")
        if isinstance(exc, BotoCoreError):
            return StorageError(f"Could not {action} in {where}: {exc}.")
        # Not a storage failure (a stop request from the caller's progress callback, a bug): as it is.
        raise exc
