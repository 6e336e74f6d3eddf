"""`python -m papi_sandbox`: the same as the `papi-sandbox` command (see `serve`)."""

from papi_sandbox.command import main

if __name__ == "__main__":
    main(prog="python -m papi_sandbox")
