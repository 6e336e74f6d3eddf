"""The generated client, signed: `build_client` (factory) over httpx clients that fold the
query into the URL (query_folding). Depends on the signer and the generated package."""
