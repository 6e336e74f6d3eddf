"""The safe layer: one flow written once (`flow`, sans-IO), performed by two thin drivers.

config          ClientConfig, the one frozen settings object (safe clients and build_client)
generated_client build_client: the generated client alone, from those settings
endpoints       the endpoints called, each a small definition over the generated client
effects         what the flow asks of a driver (Call, Sleep, ReadServerTime)
answers         what a driver hands back: Reply (status, headers, body) or NoReply
wire            the drivers' side on httpx: request from the generated operation, answers
flow            admission, pacing, send, classify, retry, resync, reconcile
classify        an answer (or a transport failure) -> one error of the family
outcomes        the one table of error answers -> outcome, error class and source
errors          that family, under the signer's PapiError
retry_policy    when a repay may be resent (never after an unknown outcome)
pacing          the weight budget
reconcile       windows, margins and verdicts from the records (one send, or a group)
sends           the ledger of this client's money-moving sends, registered before they leave
journal         that ledger on disk: one write-ahead file per account, shared between runs
results         what a call answers (RepayResult, Confirmation, Debt, ...)
sync_client     RepayClient        (httpx.Client, time.sleep)
async_client    AsyncRepayClient   (httpx.AsyncClient, asyncio.sleep)
"""
