//! Tests of simple signing against fixtures made with GnuPG and skopeo (see testdata/README.md).
