"""Object Storage addresses and the S3 client, as both sides use them: the client uploads and deletes
audio there; the engine, standing in for the service, reads it from there."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlsplit


def object_key(prefix: str, sha256: str, extension: str) -> str:
    """The object name for prepared audio: the prefix, the source file's hash, the payload's kind."""
    return f"{prefix}{sha256}.{extension}"


def object_uri(uri_base: str, bucket: str, key: str) -> str:
    """The path-style URI the recognition service reads the object from."""
    return f"{uri_base.rstrip('/')}/{bucket}/{quote(key)}"


def parse_object_uri(uri: str, uri_base: str) -> tuple[str, str] | None:
    """(bucket, key) of a path-style or virtual-hosted Object Storage URI; None if it is not one.

    The query (a pre-signed link's X-Amz-... parameters) is ignored, as the service ignores it.
    """
    base = urlsplit(uri_base)
    parts = urlsplit(uri)
    if parts.scheme != base.scheme or not parts.netloc:
        return None
    path = unquote(parts.path)
    if parts.netloc == base.netloc:
        bucket, _, key = path.lstrip("/").partition("/")
    elif parts.netloc.endswith("." + base.netloc):
        bucket, key = parts.netloc[: -len(base.netloc) - 1], path.lstrip("/")
    else:
        return None
    return (bucket, key) if bucket and key else None


def s3_client(
    endpoint: str,
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
    ca_file: str | None = None,
    retries: int = 5,
) -> Any:
    """A boto3 S3 client as Object Storage wants it; key None: boto3's usual sources ($AWS_...)."""
    import boto3
    from botocore.config import Config as BotoConfig

    config = BotoConfig(
        region_name=region,
        signature_version="s3v4",
        s3={"addressing_style": "path"},  # bucket names with dots work over HTTPS only this way
        retries={"max_attempts": retries, "mode": "standard"},
        connect_timeout=10,
        read_timeout=120,
        # Newer botocore adds checksum headers and trailers that S3-compatible services reject.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key)
    return session.client("s3", endpoint_url=endpoint, config=config, verify=ca_file or True)


def error_code(exc: Exception) -> str:
    """The S3 error code an exception carries ("NoSuchKey", "403" ...), or an empty string."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
