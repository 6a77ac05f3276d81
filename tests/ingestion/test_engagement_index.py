"""engagement_index through the gate: EI Update transactions, named and typed
exactly as the Engagemangsindex 1.0 core schema says."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

from ingestion.feeds.engagement_index import ENGAGEMENT_FIELDS, TRANSACTION_FIELDS
from ingestion.runner import ingest_landing
from tests.ingestion.national_feeds import everything_written, lake, landing, ledger, quarantine

XS = "{http://www.w3.org/2001/XMLSchema}"
ENGAGEMENT = {
    "registeredResidentIdentification": "191212121212", "serviceDomain": "riv:crm:scheduling",
    "categorization": "Booking", "logicalAddress": "SE2321000016-A1D4",
    "businessObjectInstanceIdentifier": "B1", "clinicalProcessInterestId": "cpi-1",
    "mostRecentContent": "20250304081500", "sourceSystem": "SE2321000016-SYS1",
    "creationTime": "20250220100000", "updateTime": "20250221110000",
    "dataController": "2321000016", "owner": "SE2321000016-OWN1",
}


def line(delete=False, **changes) -> str:
    engagement = {k: v for k, v in {**ENGAGEMENT, **changes}.items() if v is not ...}
    return json.dumps({"deleteFlag": delete, "engagement": engagement})


def write(home, lines, name="ei_2025-03-04.jsonl"):
    landing(home, "engagement_index", name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_field_names_and_required_fields_are_those_of_the_ei_xsd(reference_dir):
    xsd = (reference_dir / "engagementindex-1.0" / "core_components"
           / "itintegration_engagementindex_1.0.xsd")
    types = {t.get("name"): t for t in ET.parse(xsd).getroot().iter(f"{XS}complexType")}

    def elements(type_name):
        return [(e.get("name"), e.get("minOccurs", "1") != "0")
                for e in types[type_name].iter(f"{XS}element")]

    assert elements("EngagementType") == [(n, f.required) for n, f in ENGAGEMENT_FIELDS.items()]
    assert elements("EngagementTransactionType") == [
        (n, f.required) for n, f in TRANSACTION_FIELDS.items()]


def test_transactions_become_engagement_index_updates(tidbok_home):
    write(tidbok_home, [
        line(),
        line(delete=True, mostRecentContent=..., owner=..., creationTime=None),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2, 2, 0)
    rows = lake(tidbok_home, "engagement_index_updates")
    first = rows.row(0, named=True)
    assert first["business_object_instance_identifier"] == "B1"
    assert (first["service_domain"], first["categorization"]) == ("riv:crm:scheduling", "Booking")
    assert first["most_recent_content"] == dt.datetime(2025, 3, 4, 8, 15)
    assert first["creation_time"] == dt.datetime(2025, 2, 20, 10, 0)
    assert first["update_time"] == dt.datetime(2025, 2, 21, 11, 0)
    assert (first["data_controller"], first["owner"], first["delete_flag"]) == (
        "2321000016", "SE2321000016-OWN1", False)
    assert (first["birth_year"], first["sex"], len(first["patient_pseudonym"])) == (1912, "M", 64)
    second = rows.row(1, named=True)
    assert second["delete_flag"] is True
    assert (second["owner"], second["most_recent_content"], second["creation_time"]) == (
        None, None, None)
    assert ledger(tidbok_home)["partition_day"].to_list() == [dt.date(2025, 2, 21)]


def test_bad_transactions_are_quarantined_with_line_and_field(tidbok_home):
    write(tidbok_home, [
        line(),                                                          # 1 ok
        json.dumps({"deleteFlag": "false", "engagement": ENGAGEMENT}),   # 2 not a boolean
        line(updateTime="20250231100000"),                               # 3 no such day
        line(mostRecentContent="2025-03-04T08:15"),                      # 4 not TS
        line(registeredResidentIdentification="19121212-1212"),         # 5 not the XSD form
        line(registeredResidentIdentification="191212121213"),           # 6 Luhn
        line(dataController="Region Stockholm"),                         # 7 not an org number
        line(sourceSystem="SYS1"),                                       # 8 not an HSA-id
        line(clinicalProcessInterestId=...),                             # 9 required
        line(priority=1),                                                # 10 unknown field
        "not json",                                                      # 11
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (11, 1, 10)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == list(range(2, 12))
    assert q["field"].to_list() == [
        "deleteFlag", "updateTime", "mostRecentContent", "registeredResidentIdentification",
        "registeredResidentIdentification", "dataController", "sourceSystem",
        "clinicalProcessInterestId", "priority", "(line)"]
    assert q["reason"][0] == "deleteFlag: expected boolean, got a string"
    assert "Luhn" in q["reason"][4]
    assert q["reason"][7] == "engagement.clinicalProcessInterestId: missing"
    record = json.loads(q["record"][3])
    assert len(record["engagement"]["registeredResidentIdentification (pseudonym)"]) == 64
    text = everything_written(tidbok_home)
    assert "191212121212" not in text and "19121212-1212" not in text
    assert "191212121213" not in text


def test_a_renamed_engagement_field_rejects_the_file(tidbok_home):
    renamed = {("subjectOfCare" if k == "registeredResidentIdentification" else k): v
               for k, v in ENGAGEMENT.items()}
    write(tidbok_home, [json.dumps({"deleteFlag": False, "engagement": renamed})] * 2)
    summary = ingest_landing()
    assert summary.files_rejected == 1
    led = ledger(tidbok_home).row(0, named=True)
    assert "engagement objects do not match the contract" in led["message"]
    assert "missing field(s) registeredResidentIdentification" in led["message"]
    assert (led["rows_read"], led["rows_quarantined"]) == (2, 2)
    assert "191212121212" not in everything_written(tidbok_home)
