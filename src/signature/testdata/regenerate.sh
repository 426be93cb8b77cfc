#!/bin/sh
# Regenerates the simple signing fixtures with GnuPG 2.2 and skopeo 1.9.3 (Debian bookworm).
# Run from this directory: sh regenerate.sh. Keys are new each run, so every fixture changes.
set -eu
export GNUPGHOME="$(mktemp -d)"
trap 'gpgconf --kill all; rm -rf "$GNUPGHOME"' EXIT
manifests=../../../tests/vectors/manifests
v2s2=$manifests/containers-image__v2s2.manifest.json
v2s1=$manifests/containers-image__v2s1.manifest.json
passphrase='correct horse battery staple'
echo "allow-loopback-pinentry" > "$GNUPGHOME/gpg-agent.conf"

genkey() { # name email [protect] [extra batch lines]
    {
        echo "Key-Type: RSA"; echo "Key-Length: 2048"
        if [ "${3:-}" = protect ]; then echo "Passphrase: $passphrase"; else echo "%no-protection"; fi
        echo "Name-Real: $1"; echo "Name-Email: $2"
        printf '%s\n' "${4:-Expire-Date: 0}"
        echo "%commit"
    } > batch
    gpg --batch ${FAKED:-} --gen-key batch
    rm batch
}
fpr() { gpg --with-colons --fingerprint "$1" | awk -F: '$1 == "fpr" { print $10; exit }'; }

genkey "skopos test A" a@skopos.test
genkey "skopos test B" b@skopos.test protect
genkey "skopos revoked" revoked@skopos.test
FAKED="--faked-system-time 20200101T000000!" genkey "skopos expired" expired@skopos.test "" "Expire-Date: 1d"
# A certification-only primary key with an RSA signing subkey.
cat > batch <<EOB
%no-protection
Key-Type: RSA
Key-Length: 2048
Key-Usage: cert
Subkey-Type: RSA
Subkey-Length: 2048
Subkey-Usage: sign
Name-Real: skopos subkey
Name-Email: subkey@skopos.test
Expire-Date: 0
%commit
EOB
gpg --batch --gen-key batch && rm batch

A=$(fpr a@skopos.test); B=$(fpr b@skopos.test); E=$(fpr expired@skopos.test); S=$(fpr subkey@skopos.test)
R=$(fpr revoked@skopos.test)
SSUB=$(gpg --with-colons --fingerprint --fingerprint subkey@skopos.test | awk -F: '$1 == "fpr" { f = $10 } END { print f }')
printf 'A %s\nB %s\nEXPIRED %s\nREVOKED %s\nSUBKEY_PRIMARY %s\nSUBKEY_SIGNING %s\n' "$A" "$B" "$E" "$R" "$S" "$SSUB" \
    > fingerprints.txt

gpg --export "$A" > a.pub.gpg
gpg --export --armor "$A" > a.pub.asc
gpg --export "$A" "$B" "$S" > ab-subkey.pub.gpg
gpg --export "$E" > expired.pub.gpg
gpg --export-secret-keys --armor "$A" > a.sec.asc
gpg --batch --pinentry-mode loopback --passphrase "$passphrase" --export-secret-keys "$B" > b.sec.gpg
printf '%s' "$passphrase" > b.passphrase

ref=example.com/skopos/test:v1
skopeo standalone-sign "$v2s2" "$ref" "$A" -o a-v2s2.sig
skopeo standalone-sign "$v2s1" "$ref" "$A" -o a-v2s1.sig
skopeo standalone-sign --passphrase-file b.passphrase "$v2s2" "$ref" "$B" -o b-v2s2.sig
skopeo standalone-sign "$v2s2" "$ref" "$S" -o subkey-v2s2.sig
TZ=UTC skopeo untrusted-signature-dump-without-verification a-v2s2.sig > a-v2s2.dump.txt
# Signed while valid, then revoked with the certificate gpg made at key generation.
skopeo standalone-sign "$v2s2" "$ref" "$R" -o revoked-v2s2.sig
sed 's/^:-----BEGIN/-----BEGIN/' "$GNUPGHOME/openpgp-revocs.d/$R.rev" | gpg --batch --import
gpg --export "$R" > revoked.pub.gpg

# Hand-made payloads, signed by gpg as skopeo would (binary, not detached).
digest=sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55
good='{"critical":{"identity":{"docker-reference":"'$ref'"},"image":{"docker-manifest-digest":"'$digest'"},"type":"atomic container signature"},"optional":{"creator":"fixture","timestamp":1700000000}}'
extra='{"critical":{"identity":{"docker-reference":"'$ref'"},"image":{"docker-manifest-digest":"'$digest'"},"type":"atomic container signature","unexpected":1},"optional":{}}'
wrongtype='{"critical":{"identity":{"docker-reference":"'$ref'"},"image":{"docker-manifest-digest":"'$digest'"},"type":"cosign container image signature"},"optional":{}}'
printf '%s' "$good" > good.json
printf '%s' "$extra" | gpg --batch -u "$A" --sign > unknown-critical.sig
printf '%s' "$wrongtype" | gpg --batch -u "$A" --sign > wrong-type.sig
gpg --batch --pinentry-mode loopback --passphrase "$passphrase" -u "$A" -u "$B" --sign < good.json > two-signatures.sig
gpg --batch -u "$A" --clearsign < good.json > cleartext.sig
gpg --batch -u "$A" --detach-sign < good.json > detached.sig
gpg --batch --faked-system-time '20200101T060000!' -u "$E" --sign < good.json > expired-key.sig
rm good.json
