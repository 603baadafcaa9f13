"""Uploaded files: a blob store (local disk now, S3-compatible later), their metadata
table ``qiao_files`` and the upload/download service behind the permission layer."""
