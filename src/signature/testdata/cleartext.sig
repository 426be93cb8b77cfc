-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

{"critical":{"identity":{"docker-reference":"example.com/skopos/test:v1"},"image":{"docker-manifest-digest":"sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55"},"type":"atomic container signature"},"optional":{"creator":"fixture","timestamp":1700000000}}
-----BEGIN PGP SIGNATURE-----

iQEzBAEBCgAdFiEE5znt1MxbKaGWq6hmotmQ+ftgxX4FAmsQLxcACgkQotmQ+ftg
xX48Ggf/Z0/7JZuRgdgAqt4r62PRL5wJhOH2SZ0j3KWDwHdsCl4ueBwqdTwMXQf9
4jdiitvi94RmOypQbavQdVX525ruvqVg9T5TLY+nUSlJJtaECOhL6zWVwsG+IsI4
PWk2Bc31zu1rAiErzh8FFjZa/vAH7FZznnClvAz2Xp7fPr2hXfqvrxk/duQBNmvn
A4rdNFrA/N6Vt/4HRK5eS377Ean25yMBbJWUarfMDSa7mYRkheM5cNd2tPoYDeWS
i6cguKU2Vvxjp5VEkhDk/ywI6fAY3rENwlaTiB1q/OrWN4f3/Qbq/AYl0MvAy+8t
+Ehm45XNPve8KsS8yRhEoZ4PEK9Pog==
=OT2O
-----END PGP SIGNATURE-----
