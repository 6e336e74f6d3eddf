"""The signer: what is signed (`payload`), how (`keys`), when (`clock`), by whom
(`credentials`, `api_key`), the `httpx.Auth` that puts them together (`auth`), input checks
(`validation`), URL handling (`url_query`), redaction, and the errors it raises. It imports
nothing else of auth_plugin."""
