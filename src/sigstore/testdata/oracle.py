#!/usr/bin/env python3
"""An independent implementation of sigstore (cosign) keys and signatures, for skopos's tests.

Written from the formats alone, with PyPI `cryptography` (ECDSA P-256, PKIX, PKCS #8) and `pynacl`
(NaCl secretbox):

* public key: PEM "PUBLIC KEY", a PKIX SubjectPublicKeyInfo of an EC P-256 key;
* private key: PEM "ENCRYPTED SIGSTORE PRIVATE KEY" or "ENCRYPTED COSIGN PRIVATE KEY" whose body is
  the JSON {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":B64},  (N may be 65536)
  "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}: the PKCS #8 DER private key
  sealed by secretbox (XSalsa20-Poly1305, 24-byte nonce) under the 32-byte scrypt key of the
  passphrase (32-byte salt); base64 is standard with padding;
* signature: ASN.1 DER ECDSA over SHA-256 of the payload;
* payload: the cosign simple-signing JSON, compact with sorted keys.

Commands:
  oracle.py generate DIR              writes the fixture set (see README.md) into DIR
  oracle.py verify PUBLIC PAYLOAD SIG exit 0 if SIG (DER file) is PUBLIC's signature over PAYLOAD
  oracle.py decrypt PRIVATE PASSPHRASE
                                      decrypts PRIVATE and prints its public key as PEM
  oracle.py sign PRIVATE PASSPHRASE PAYLOAD SIG
                                      signs PAYLOAD with PRIVATE, writing the DER signature to SIG
"""

import base64
import hashlib
import json
import os
import sys

import nacl.secret
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

LABELS = ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 32768, 8, 1
PASSPHRASE = b"oracle passphrase"
REFERENCE = "example.com/ns/repo:tag"
CREATOR = "sigstore oracle"
TIMESTAMP = 1700000000


def b64(data):
    return base64.b64encode(data).decode("ascii")


def pem(label, der):
    body = b64(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)).encode("ascii")


def unpem(data):
    text = data.decode("ascii").strip().splitlines()
    begin, end = text[0], text[-1]
    if not (begin.startswith("-----BEGIN ") and begin.endswith("-----")):
        raise ValueError("not a PEM block")
    label = begin[len("-----BEGIN ") : -len("-----")]
    if end != "-----END %s-----" % label:
        raise ValueError("PEM end line does not match")
    return label, base64.b64decode("".join(text[1:-1]), validate=True)


def scrypt_key(passphrase, salt, n, r, p):
    return hashlib.scrypt(passphrase, salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)


def encrypt_private(key, passphrase, label, n=SCRYPT_N):
    pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    salt = os.urandom(32)
    nonce = os.urandom(24)
    sealed = nacl.secret.SecretBox(scrypt_key(passphrase, salt, n, SCRYPT_R, SCRYPT_P)).encrypt(pkcs8, nonce)
    document = {
        "kdf": {"name": "scrypt", "params": {"N": n, "r": SCRYPT_R, "p": SCRYPT_P}, "salt": b64(salt)},
        "cipher": {"name": "nacl/secretbox", "nonce": b64(nonce)},
        "ciphertext": b64(sealed.ciphertext),
    }
    return pem(label, json.dumps(document, separators=(",", ":")).encode("ascii"))


def decrypt_private(data, passphrase):
    label, body = unpem(data)
    if label not in LABELS:
        raise ValueError("unexpected PEM label %r" % label)
    document = json.loads(body)
    kdf, cipher = document["kdf"], document["cipher"]
    if kdf["name"] != "scrypt" or cipher["name"] != "nacl/secretbox":
        raise ValueError("unexpected kdf or cipher")
    params = kdf["params"]
    key = scrypt_key(passphrase, base64.b64decode(kdf["salt"]), params["N"], params["r"], params["p"])
    nonce = base64.b64decode(cipher["nonce"])
    pkcs8 = nacl.secret.SecretBox(key).decrypt(base64.b64decode(document["ciphertext"]), nonce)
    private = serialization.load_der_private_key(pkcs8, password=None)
    if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
        raise ValueError("not an EC P-256 private key")
    return private


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(key, payload):
    return key.sign(payload, ec.ECDSA(hashes.SHA256()))


def payload_for(manifest, reference, creator, timestamp):
    document = {
        "critical": {
            "identity": {"docker-reference": reference},
            "image": {"docker-manifest-digest": "sha256:" + hashlib.sha256(manifest).hexdigest()},
            "type": "cosign container image signature",
        },
        "optional": {"creator": creator, "timestamp": timestamp},
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode("ascii")


def write(directory, name, data):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def generate(directory):
    here = os.path.dirname(os.path.abspath(__file__))
    manifest_path = os.path.join(here, "../../../tests/vectors/manifests/containers-image__v2s2.manifest.json")
    with open(manifest_path, "rb") as f:
        manifest = f.read()

    key = ec.generate_private_key(ec.SECP256R1())
    write(directory, "public.pem", public_pem(key))
    write(directory, "private-sigstore.pem", encrypt_private(key, PASSPHRASE, LABELS[0]))
    write(directory, "private-cosign.pem", encrypt_private(key, PASSPHRASE, LABELS[1]))
    write(directory, "private-empty-passphrase.pem", encrypt_private(key, b"", LABELS[0]))
    write(directory, "private-n65536.pem", encrypt_private(key, PASSPHRASE, LABELS[0], n=65536))
    write(directory, "passphrase.txt", PASSPHRASE)

    payload = payload_for(manifest, REFERENCE, CREATOR, TIMESTAMP)
    write(directory, "payload.json", payload)
    write(directory, "payload.sig", sign(key, payload))

    other = ec.generate_private_key(ec.SECP256R1())
    write(directory, "other-public.pem", public_pem(other))
    write(directory, "other-payload.sig", sign(other, payload))

    p384 = ec.generate_private_key(ec.SECP384R1())
    write(directory, "p384-public.pem", public_pem(p384))
    write(directory, "p384-private-sigstore.pem", encrypt_private(p384, PASSPHRASE, LABELS[0]))
    write(directory, "ed25519-public.pem", public_pem(ed25519.Ed25519PrivateKey.generate()))


def main(argv):
    if len(argv) == 2 and argv[0] == "generate":
        generate(argv[1])
        return 0
    if len(argv) == 4 and argv[0] == "verify":
        with open(argv[1], "rb") as f:
            public = serialization.load_pem_public_key(f.read())
        if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
            print("not an EC P-256 public key", file=sys.stderr)
            return 1
        with open(argv[2], "rb") as f:
            payload = f.read()
        with open(argv[3], "rb") as f:
            signature = f.read()
        try:
            public.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            print("invalid signature", file=sys.stderr)
            return 1
        print("verified")
        return 0
    if len(argv) == 3 and argv[0] == "decrypt":
        with open(argv[1], "rb") as f:
            private = decrypt_private(f.read(), argv[2].encode("utf-8"))
        sys.stdout.buffer.write(public_pem(private))
        return 0
    if len(argv) == 5 and argv[0] == "sign":
        with open(argv[1], "rb") as f:
            private = decrypt_private(f.read(), argv[2].encode("utf-8"))
        with open(argv[3], "rb") as f:
            payload = f.read()
        write(".", argv[4], sign(private, payload))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
