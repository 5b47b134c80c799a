"""Reading IATI and OCDS files for import, without a database: each bad value is named by its path, every one is
collected, amounts are exact Decimals, and a file that is not of the standard is refused before its content."""

from __future__ import annotations

import json
from decimal import Decimal

from coalition.adapters.interchange import read_iati, read_ocds
from coalition.domain.contributions import ContributionKind
from coalition.domain.interchange import SchemeOfRef, flow_key

ACTIVITY = """<iati-activities version="2.03">
 <iati-activity default-currency="EUR" last-updated-datetime="2024-01-01T00:00:00">
  <iati-identifier>XM-DAC-82-demo-1</iati-identifier>
  <reporting-org ref="XM-DAC-82" type="10"><narrative>Estonia</narrative></reporting-org>
  <title><narrative>Demo</narrative></title>
  <description><narrative>Demo</narrative></description>
  <participating-org role="1" ref="XM-DAC-82"><narrative>Estonia</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="2" iso-date="2024-01-01"/>
  <recipient-country code="UA" percentage="100"/>
  <sector vocabulary="1" code="15210" percentage="100"/>
  {transactions}
 </iati-activity>
</iati-activities>"""
TRANSACTION = """<transaction ref="{ref}"><transaction-type code="{type}"/>{date}
   <value currency="{currency}" value-date="2024-02-01">{amount}</value>
   <provider-org ref="{provider}"><narrative>Donor</narrative></provider-org></transaction>"""
DATE = '<transaction-date iso-date="2024-02-01"/>'


def _file(*transactions: dict[str, str]) -> bytes:
    body = "".join(TRANSACTION.format(**{"ref": "T1", "type": "3", "date": DATE, "currency": "EUR",
                                         "amount": "1000.50", "provider": "XM-DAC-82", **t}) for t in transactions)
    return ACTIVITY.format(transactions=body).encode()


def test_an_iati_transaction_is_read_exactly_with_its_key_and_donor():
    read = read_iati(_file({}, {"ref": "T2", "type": "12", "provider": "LU", "amount": "0.10"}))
    assert read.errors == []
    first, second = read.flows
    assert first.kind is ContributionKind.RECEIPT and first.amount.amount == Decimal("1000.50")
    assert first.key == flow_key("XM-DAC-82-demo-1", "T1") == "iati:XM-DAC-82-demo-1/T1"
    assert first.donor.scheme is SchemeOfRef.IATI and second.donor.scheme is SchemeOfRef.ISO3166
    assert second.kind is ContributionKind.PLEDGE and second.amount.amount == Decimal("0.10")
    assert first.path == "/iati-activities/iati-activity[1]/transaction[1]"


def test_every_bad_iati_value_is_named_by_its_path():
    read = read_iati(_file({}, {"ref": "T2", "currency": "EUX"}, {"ref": "T3", "date": ""},
                           {"ref": "T4", "type": "4", "amount": "-5"}))
    paths = {e.path for e in read.errors}
    base = "/iati-activities/iati-activity[1]"
    assert f"{base}/transaction[2]/value/@currency" in paths
    assert f"{base}/transaction[3]/transaction-date/@iso-date" in paths
    assert f"{base}/transaction[4]/transaction-type/@code" in paths
    assert f"{base}/transaction[4]/value" in paths  # not more than zero
    assert [f.key for f in read.flows] == ["iati:XM-DAC-82-demo-1/T1"]


def test_a_file_in_another_namespace_or_not_xml_is_refused_before_its_content():
    namespaced = read_iati(_file({}).replace(b"<iati-activities ", b'<iati-activities xmlns="urn:x" ', 1))
    assert [e.path for e in namespaced.errors] == ["/{urn:x}iati-activities"] and not namespaced.flows
    broken = read_iati(b"<iati-activities>")
    assert broken.errors[0].path == "/" and "well-formed" in broken.errors[0].rule


def test_a_long_reference_becomes_a_digest_that_fits():
    key = flow_key("X" * 120, "T1")
    assert key.startswith("iati:sha256:") and len(key) <= 100 and key == flow_key("X" * 120, "T1")


def test_an_ocds_file_that_is_not_a_release_package_of_1_1_is_refused_by_path():
    assert read_ocds(b"{").errors[0].path == "/"
    assert read_ocds(json.dumps({"records": []}).encode()).errors[0].rule.startswith("is missing: this is a record")
    assert read_ocds(json.dumps({"version": "1.0", "releases": []}).encode()).errors[0].path == "/version"
