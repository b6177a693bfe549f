"""Audio named by an Object Storage URI, fetched from an S3-compatible server into the engine's spool.

The engine stands in for the service, which reads the bucket with the caller's rights: here, with the
static key the engine was started with (the environment's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
"""

from __future__ import annotations

from pathlib import Path

from stt_tui.engine.validation import RequestRefused, check_size
from stt_tui.shared.objects import error_code, parse_object_uri, s3_client


class AudioAccessDenied(RequestRefused):
    """The bucket refused to give the object (PERMISSION_DENIED)."""


class ObjectSource:
    def __init__(
        self,
        endpoint: str,
        uri_base: str,
        region: str,
        ca_file: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self.uri_base = uri_base
        self._client = s3_client(endpoint, region, access_key_id, secret_access_key, ca_file)

    def fetch(self, uri: str, dest: Path) -> Path:
        """Download the object `uri` names to `dest`; RequestRefused says why it cannot be read."""
        where = parse_object_uri(uri, self.uri_base)
        if where is None:
            raise RequestRefused(
                f"audio.uri must be an Object Storage link like {self.uri_base}/<bucket>/<key>; got {uri!r}."
            )
        bucket, key = where
        try:
            head = self._client.head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            code = error_code(exc)
            if code in ("403", "AccessDenied", "Forbidden"):
                raise AudioAccessDenied(f"No read access to {uri}.") from None
            if code in ("404", "NoSuchKey", "NoSuchBucket", "NotFound"):
                raise RequestRefused(f"The object {uri} does not exist.") from None
            raise RequestRefused(f"The object {uri} cannot be read: {code or type(exc).__name__}.") from None
        check_size(int(head["ContentLength"]))  # before downloading a gigabyte for nothing
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self._client.download_file(bucket, key, str(dest))
        except Exception as exc:
            dest.unlink(missing_ok=True)
            raise RequestRefused(f"The object {uri} could not be read: {type(exc).__name__}.") from None
        return dest
