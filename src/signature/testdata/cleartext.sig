-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

{"critical":{"identity":{"docker-reference":"example.com/skopos/test:v1"},"image":{"docker-manifest-digest":"sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55"},"type":"atomic container signature"},"optional":{"creator":"fixture","timestamp":1700000000}}
-----BEGIN PGP SIGNATURE-----

iQEzBAEBCgAdFiEE32iwf8wEmHdzEDsxoJ51LSLIdGUFAmsQMRMACgkQoJ51LSLI
dGVcEQgAsASlI3OhOcVzQO1cAU2wR6+gdZ+ZS2EYLQhFNoB1YAkDADxTo/n5SaRA
b5iNczMdKgdvdPGhbWVZs9bEzFNbO2onrwjpEBwlJgoCNnNz+F18YAmQaMIMMdod
1P0TyfJaFYAhZv+ZwMJGZUEMpaPrimEyJacqnJwJ4fHj7LNkirQQLxZfSAVc+kE3
3h1LgBA4h+/F/DuCP1/UYcQe09ESpxzyLadFdszzFa/Arp5TNHiV/8CST6+17Wvw
5+AsI+Y/g8u708cBoSc27NOsbhbkzOgR1JnCP89uSwoSodPzuSfnvI8Zr1tCxQnZ
DlAsYxhbHKqQcRVwx7Vuc3jctn0Tlw==
=bKjM
-----END PGP SIGNATURE-----
