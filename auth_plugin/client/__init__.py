"""The generated client, signed: `prepare_client` (factory) wires it to httpx clients that
carry the signer and fold the query into the URL (query_folding). Depends on the signer and
the generated package. `auth_plugin.build_client` builds one from a `ClientConfig`."""
