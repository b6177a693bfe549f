"""The commented config.toml that `stt-tui config` prints: a starting point a user edits."""

TEMPLATE = """\
# stt-tui configuration. Profiles: `local` (the embedded engine) is built in; `yandex` is built in
# with the real endpoints (API v3) and needs only credentials for files up to 60 MB. Use one with
# `stt-tui --profile yandex`, or switch in the app with `P`.
default_profile = "local"
notify = true                        # a terminal notification when jobs end while you look elsewhere
remember_voices = true               # a speaker you name is recognized by voice in later recordings

[profiles.yandex]
default_language = "ru-RU"          # or "auto" (detected; --language ru-RU,en-US picks among some)
default_model = "general"            # or "deferred-general": cheaper, done within 24 h
# api = "v3"                         # "v2": the frozen LongRunningRecognize API (needs the bucket)
# delete_after_result = true         # v3: the service forgets the result once it is stored here
# Credentials of a service account with the role ai.speechkit-stt.user (asynchronous recognition
# works only under one). Give one of:
service_account_key_file = "~/.config/yandex-cloud/sa-key.json"   # from `yc iam key create`
# api_key_file = "~/.config/yandex-cloud/api-key"                 # or $YC_API_KEY
# iam_token_file = "..."                                           # or $YC_IAM_TOKEN (lives <= 12 h)
# requests_per_hour = 500            # raise only if support raised your quota
# [profiles.yandex.polling]
# checks_per_hour = 2500

# Only for files over 60 MB (after conversion to Ogg Opus), for upload = "always", or for API v2:
# a bucket, with the account given storage.uploader on it (storage.editor to delete), and its
# static access key (`yc iam access-key create --format json`, or $AWS_ACCESS_KEY_ID and
# $AWS_SECRET_ACCESS_KEY).
# storage_key_file = "~/.config/yandex-cloud/sa-static-key.json"
# [profiles.yandex.storage]
# bucket = "my-speech-bucket"
# prefix = "stt-tui/"
# delete_after_result = true         # remove the uploaded audio once the transcript is saved here
"""
