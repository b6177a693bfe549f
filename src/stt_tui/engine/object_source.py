"""Audio named by an Object Storage URI, fetched from an S3-compatible server into the engine's spool.

The engine stands in for the service, which reads the bucket with the caller's rights: here, with the
static key the engine was started with (the environment's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
"""

from __future__ import annotations

from pathlib import Path

from stt_tui.storage import parse_object_uri

from .validation import MAX_AUDIO_BYTES, RequestRefused


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
        import boto3
        from botocore.config import Config

        self.uri_base = uri_base
        session = boto3.session.Session(
            aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key
        )
        self._client = session.client(
            "s3",
            endpoint_url=endpoint,
            verify=ca_file or True,
            config=Config(
                region_name=region,
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

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
            code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
            if code in ("403", "AccessDenied", "Forbidden"):
                raise AudioAccessDenied(f"No read access to {uri}.") from None
            if code in ("404", "NoSuchKey", "NoSuchBucket", "NotFound"):
                raise RequestRefused(f"The object {uri} does not exist.") from None
            raise RequestRefused(f"The object {uri} cannot be read: {code or type(exc).__name__}.") from None
        if int(head["ContentLength"]) > MAX_AUDIO_BYTES:
            raise RequestRefused(
                f"The audio is {int(head['ContentLength']) / 1024**3:.2f} GB; the limit is 1 GB."
            )
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self._client.download_file(bucket, key, str(dest))
        except Exception as exc:
            dest.unlink(missing_ok=True)
            raise RequestRefused(f"The object {uri} could not be read: {type(exc).__name__}.") from None
        return dest
