"""Where our client's time per call goes: a stepwise breakdown plus a pyinstrument profile.

The breakdown times a ladder of variants against the same constant-answer server, each adding
one layer of our client on top of the previous one, interleaved in rounds like section 1:

1. the plain-httpx floor: f-string URL with hand-made timestamp + HMAC;
2. `httpx.Client(auth=BinanceAuth)` posting the f-string URL without timestamp/signature: the
   signer (httpx auth flow + `sign_request`) instead of signing by hand;
3. the same client, the parameters given as a `params` dict, as the generated code passes them;
4. the generated `repay_loan.sync_detailed` on `build_client` (ours, as in section 1);
5. what-if (not our code): (4) on an `httpx.Client` subclass that folds the params dict into the
   URL string itself (same bytes on the wire, checked), to price the fix for step 3.

It also times the safety layer (`RepayClient.repay`) against the number of sends in its weight
log's window, since its per-call cost depends on it.

Consecutive differences price each layer: signer, params dict, generated layer. Offline
micro-timings (no I/O) of `sign_request`, URL building and the generated response parsing back
them up. pyinstrument's call tree of (4) goes to `benchmarks/.bench/profile-ours.txt`.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.child_process import ServerProcess, shown_path
from benchmarks.credentials import AMOUNT, API_KEY, API_SECRET, ASSET, RECV_WINDOW
from benchmarks.stats import median

PATH = "/papi/v1/repayLoan"
WHAT_IF = "what-if: 4 with params folded into the URL string (`ParamsInUrlClient`, not ours)"


def _hand_signed_query() -> str:
    timestamp = time.time_ns() // 1_000_000
    query = f"asset={ASSET}&amount={AMOUNT}&recvWindow={RECV_WINDOW}&timestamp={timestamp}"
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}"


class ParamsInUrlClient(httpx.Client):
    """What-if, not part of our client: fold a `params` dict into the URL string before httpx
    builds the request, so httpx parses one URL instead of merging params into a parsed one.
    The encoding is httpx's own (`str(QueryParams(params))`), so the bytes sent are the same."""

    def build_request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **kwargs: Any
    ) -> httpx.Request:
        if params and isinstance(url, str) and "?" not in url:
            url = f"{url}?{httpx.QueryParams(params)}"
            params = None
        return super().build_request(method, url, params=params, **kwargs)


def _same_url_both_ways() -> bool:
    params: dict[str, str | int] = {"asset": ASSET, "amount": AMOUNT, "recvWindow": RECV_WINDOW}
    with httpx.Client(base_url="http://127.0.0.1:9") as plain:
        expected = plain.build_request("POST", PATH, params=params).url
    with ParamsInUrlClient(base_url="http://127.0.0.1:9") as folded:
        return folded.build_request("POST", PATH, params=params).url == expected


def _ladder(base_url: str) -> tuple[dict[str, Callable[[], object]], list[Callable[[], None]]]:
    from auth_plugin import BinanceAuth, HmacKey, build_client
    from papi_repay_client import AuthenticatedClient
    from papi_repay_client.api.margin import repay_loan

    floor = httpx.Client(base_url=base_url, headers={"X-MBX-APIKEY": API_KEY})
    signer_client = httpx.Client(base_url=base_url, auth=BinanceAuth(API_KEY, HmacKey(API_SECRET)))
    ours = build_client(base_url, api_key=API_KEY, api_secret=API_SECRET)
    unsigned_url = f"{PATH}?asset={ASSET}&amount={AMOUNT}&recvWindow={RECV_WINDOW}"
    unsigned: dict[str, str | int] = {"asset": ASSET, "amount": AMOUNT, "recvWindow": RECV_WINDOW}

    def floor_call() -> object:
        return floor.post(f"{PATH}?{_hand_signed_query()}").json()

    def signer_url() -> object:
        return signer_client.post(unsigned_url).json()

    def signer_params() -> object:
        return signer_client.post(PATH, params=unsigned).json()

    def generated() -> object:
        return repay_loan.sync_detailed(
            client=ours, asset=ASSET, amount=AMOUNT, recv_window=RECV_WINDOW
        ).parsed

    what_if = AuthenticatedClient(
        base_url=base_url, token="", prefix="", auth_header_name="X-MBX-APIKEY"
    ).set_httpx_client(
        ParamsInUrlClient(base_url=base_url, auth=BinanceAuth(API_KEY, HmacKey(API_SECRET)))
    )

    def generated_params_in_url() -> object:
        return repay_loan.sync_detailed(
            client=what_if, asset=ASSET, amount=AMOUNT, recv_window=RECV_WINDOW
        ).parsed

    steps = {
        "1 plain httpx, f-string URL, hand HMAC (the floor)": floor_call,
        "2 httpx.Client(auth=BinanceAuth), f-string URL (adds: the signer)": signer_url,
        "3 same, parameters as a params dict (adds: httpx params merging)": signer_params,
        "4 ours: generated sync_detailed on build_client (adds: generated layer)": generated,
    }
    if _same_url_both_ways():
        steps[WHAT_IF] = generated_params_in_url
    closers = [
        floor.close,
        signer_client.close,
        ours.get_httpx_client().close,
        what_if.get_httpx_client().close,
    ]
    return steps, closers


def _time_ladder(
    steps: dict[str, Callable[[], object]], calls: int, rounds: int
) -> dict[str, tuple[float, float]]:
    """{step: (median µs per call, CPU µs per call)}, each the median over rounds."""
    names = list(steps)
    medians: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for step in steps.values():
        for _ in range(100):
            step()
    per_round = max(1, calls // rounds)
    clock = time.perf_counter_ns
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            step = steps[name]
            samples = [0] * per_round
            gc.collect()
            cpu0 = time.process_time_ns()
            for i in range(per_round):
                t0 = clock()
                step()
                samples[i] = clock() - t0
            cpu[name].append((time.process_time_ns() - cpu0) / per_round / 1000)
            medians[name].append(median(samples) / 1000)
    return {name: (median(medians[name]), median(cpu[name])) for name in names}


def _offline_micro(repeat: int = 20000) -> dict[str, float]:
    """µs per operation, no network: request building, signing, the generated layer."""
    from auth_plugin import BinanceAuth, HmacKey
    from papi_repay_client import AuthenticatedClient
    from papi_repay_client.api.margin import repay_loan

    auth = BinanceAuth(API_KEY, HmacKey(API_SECRET))
    client = httpx.Client(base_url="http://127.0.0.1:9")
    unsigned: dict[str, str | int] = {"asset": ASSET, "amount": AMOUNT, "recvWindow": RECV_WINDOW}
    unsigned_url = f"{PATH}?asset={ASSET}&amount={AMOUNT}&recvWindow={RECV_WINDOW}"
    generated = AuthenticatedClient(base_url="http://127.0.0.1:9", token="")
    canned = httpx.Response(
        200, content=b'{"tranId":1}', headers={"Content-Type": "application/json"}
    )
    key = HmacKey(API_SECRET)
    payload = b"asset=USDT&amount=1.5&recvWindow=5000&timestamp=1700000000000"
    url = httpx.URL("http://127.0.0.1:9/papi/v1/repayLoan?asset=USDT&amount=1.5&recvWindow=5000")
    signed_query = payload + b"&signature=" + b"0" * 64

    def build() -> object:
        return client.build_request("POST", PATH, params=unsigned)

    def build_from_string() -> object:
        return client.build_request("POST", unsigned_url)

    def build_from_string_and_sign() -> None:
        auth.sign_request(client.build_request("POST", unsigned_url))

    def build_and_sign() -> None:
        auth.sign_request(client.build_request("POST", PATH, params=unsigned))

    def hmac_only() -> object:
        return key.sign(payload)

    def url_copy() -> object:
        return url.copy_with(query=signed_query)

    def kwargs_and_parse() -> object:
        repay_loan._get_kwargs(asset=ASSET, amount=AMOUNT, recv_window=RECV_WINDOW)
        return repay_loan._build_response(client=generated, response=canned)

    results = {}
    for name, operation in {
        "httpx build_request(POST, url string with the 3 params)": build_from_string,
        "httpx build_request(POST, path, params=dict of the 3 params)": build,
        "build_request(url string) + BinanceAuth.sign_request": build_from_string_and_sign,
        "build_request(params dict) + BinanceAuth.sign_request": build_and_sign,
        "HmacKey.sign alone": hmac_only,
        "httpx.URL.copy_with(query=...) alone (public API; the signer avoids it)": url_copy,
        "generated _get_kwargs + _build_response (canned 200)": kwargs_and_parse,
    }.items():
        for _ in range(1000):
            operation()
        runs = []
        for _ in range(5):
            t0 = time.perf_counter_ns()
            for _ in range(repeat // 5):
                operation()
            runs.append((time.perf_counter_ns() - t0) / (repeat // 5) / 1000)
        results[name] = median(runs)
    client.close()
    return results


def _repay_layer_growth(
    base_url: str, checkpoints: tuple[int, ...]
) -> list[tuple[int, float, float]]:
    """(sends so far, RepayClient µs/call, generated µs/call) at each checkpoint.

    Medians over 300 calls each. All sends here fall within 60 s, the window of the repay
    layer's own weight log, so "sends so far" is what that log holds."""
    from benchmarks.clients import ours_generated, ours_repay

    if ours_repay.unavailable():
        return []
    layer = ours_repay.build(base_url, API_KEY, API_SECRET)
    generated = ours_generated.build(base_url, API_KEY, API_SECRET)
    rows = []
    sent = 0
    try:
        for _ in range(100):
            generated.repay()
        for checkpoint in checkpoints:
            while sent < checkpoint:
                layer.repay()
                sent += 1
            medians = []
            for client in (layer, generated):
                samples = []
                for _ in range(300):
                    t0 = time.perf_counter_ns()
                    client.repay()
                    samples.append(time.perf_counter_ns() - t0)
                medians.append(median(samples) / 1000)
            sent += 300
            rows.append((sent, medians[0], medians[1]))
    finally:
        layer.close()
        generated.close()
    return rows


def _pyinstrument(base_url: str, scratch: Path, calls: int) -> str | None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    from benchmarks.clients import ours_generated

    client = ours_generated.build(base_url, API_KEY, API_SECRET)
    try:
        for _ in range(200):
            client.repay()
        profiler = Profiler(interval=0.0001)
        profiler.start()
        for _ in range(calls):
            client.repay()
        profiler.stop()
    finally:
        client.close()
    scratch.mkdir(parents=True, exist_ok=True)
    text = profiler.output_text(unicode=False, color=False, show_all=True)
    (scratch / "profile-ours.txt").write_text(text)
    return shown_path(scratch / "profile-ours.txt")


def run(scratch: Path, *, calls: int, log: Callable[[str], None] = print) -> list[str]:
    with ServerProcess("benchmarks.constant_server", "--max-seconds", "900") as server:
        steps, closers = _ladder(server.base_url)
        try:
            log("  timing the ladder")
            ladder = _time_ladder(steps, calls=calls, rounds=12)
        finally:
            for close in closers:
                close()
        log("  offline micro-timings")
        micro = _offline_micro()
        log("  pyinstrument")
        profile_path = _pyinstrument(server.base_url, scratch, calls)
        log("  repay layer vs sends in its weight window")
        growth = _repay_layer_growth(server.base_url, (0, 700, 1700, 3700))

    lines = [
        "## Where our per-call time goes (profile run)",
        "",
        f"Ladder: {calls} calls per variant in 12 interleaved rounds against the constant-answer "
        "server; median of round medians, and this process's CPU time per call (median over "
        "rounds); Δ = difference to the previous step, i.e. the price of the layer it adds. "
        "Differences of a few µs are within the noise of this loop.",
        "",
        "| step | median µs/call | Δ µs | CPU µs/call | Δ CPU µs |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    previous: tuple[float, float] | None = None
    for name, (wall, cpu) in ladder.items():
        if name == WHAT_IF:
            floor_wall, floor_cpu = next(iter(ladder.values()))
            lines.append(
                f"| {name} | {wall:.1f} | {wall - floor_wall:+.1f} vs 1 | {cpu:.1f} | "
                f"{cpu - floor_cpu:+.1f} vs 1 |"
            )
            continue
        delta = "" if previous is None else f"{wall - previous[0]:+.1f}"
        delta_cpu = "" if previous is None else f"{cpu - previous[1]:+.1f}"
        lines.append(f"| {name} | {wall:.1f} | {delta} | {cpu:.1f} | {delta_cpu} |")
        previous = (wall, cpu)
    lines += [
        "",
        "Offline micro-timings (no I/O, median of 5 batches):",
        "",
        "| operation | µs |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {value:.2f} |" for name, value in micro.items()]
    if profile_path:
        lines += ["", f"pyinstrument call tree of step 4: `{profile_path}`."]
    if growth:
        lines += [
            "",
            "The safety layer (`RepayClient.repay`, row `ours-repay` of section 1) against the "
            "number of sends it has made, all within the 60 s window of its own weight log "
            "(`auth_plugin.WeightBudget`), next to the generated call measured at the same "
            "moments (medians of 300 calls each):",
            "",
            "| sends in the window (incl. the 300 measured) | RepayClient.repay µs/call "
            "| generated sync_detailed µs/call | layer overhead µs |",
            "| ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {sent} | {layer:.1f} | {generated:.1f} | {layer - generated:+.1f} |"
            for sent, layer, generated in growth
        ]
    return lines
