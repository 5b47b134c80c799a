"""Open data over HTTP: a coalition's IATI 2.03 activity file and its flat table of flows, each holding only what
the caller may see (the public: public records only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import Response

from coalition.entrypoints.api.core import CallerDep, CodeInPath, Routes
from coalition.services.views import open_data

api = Routes("open data")
router = api.router

FlowFormat = Annotated[Literal["csv", "xlsx", "json"], Query(description="csv, xlsx or json")]


@api.get("/coalitions/{code}/exports/iati.xml", None, summary="The coalition's IATI 2.03 activity file",
         response_class=Response,
         responses={200: {"content": {"application/xml": {"schema": {"type": "string"}}},
                          "description": "IATI 2.03 activities, valid against the official schema"}})
def iati_file(who: CallerDep, code: CodeInPath) -> object:
    export = open_data.iati_activities(who.read(), who.actor, code)
    return Response(who.platform.iati_file(export), media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{code}-iati.xml"'})


@api.get("/coalitions/{code}/exports/flows", None, summary="The coalition's flows: pledges, commitments, receipts",
         response_class=Response,
         responses={200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                      "application/json": {"schema": {"type": "object"}},
                                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                                          {"schema": {"type": "string", "format": "binary"}}},
                          "description": "One row per pledge, commitment and receipt the caller may see"}})
def flows_file(who: CallerDep, code: CodeInPath, format: FlowFormat = "csv") -> object:
    export = open_data.flows(who.read(), who.actor, code)
    content, media_type = who.platform.flows_file(export, format)
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{code}-flows.{format}"'})
