"""Expected access per URL × persona, checked by tests/test_permission_matrix.py.

Every named URL in the project needs an entry here (admin URLs are covered by a rule: only
administrators). A new URL without an entry fails the test: add it here, with the personas
that may use it.

Personas (see ksf/core/personas.py): public (not logged in), reporter (sykepleier.askoy),
contact (fou.askoy), cluster (koordinator.bergen), regional (regionkoordinator.vest),
national (nasjonal.ks), partner (forsker.fhi), supplier (leverandor), outsider
(utenforstaende.tromso, a reporter in another region).

Outcomes: each request is classified as
  ok        2xx, a redirect that is not to the log-in page, or 400/405/409/422 (the view was
            reached; an empty POST is bad input) — i.e. *allowed*
  login     redirect to the log-in page, or 401 — *denied*
  forbidden 403 — *denied*
  notfound  404 — *denied* (hidden)
  error     5xx — always a failure
Expectations:
  ALLOW   must be ok;  DENY  must be login/forbidden/notfound;
  MAYBE   "allow-or-404": allowed, or refused for this particular object (403/404) — for
          personas whose right depends on the object's state or their relation to it;
  ANY     anything but a server error (a 503 "not ready" is accepted).

Requests are GET; a URL that answers GET with 405 is tried with an empty POST. Each request
runs in a transaction that is rolled back, so no persona's request changes what the next sees.
Path arguments come from SAMPLES (names of demo-like objects, built in the test).
"""

from __future__ import annotations

PERSONAS = ["public", "reporter", "contact", "cluster", "regional", "national", "partner", "supplier", "outsider"]
PERSONA_USERS = {
    "reporter": "sykepleier_askoy",
    "contact": "fou_askoy",
    "cluster": "koordinator_bergen",
    "regional": "regionkoordinator_vest",
    "national": "nasjonal_ks",
    "partner": "forsker_fhi",
    "supplier": "leverandor",
    "outsider": "utenforstaende_tromso",
}
ALLOW, DENY, MAYBE, ANY = "allow", "deny", "allow-or-404", "any"


def everyone() -> dict[str, str]:
    return dict.fromkeys(PERSONAS, ALLOW)


def logged_in() -> dict[str, str]:
    return {p: (DENY if p == "public" else ALLOW) for p in PERSONAS}


def only(*allowed: str, maybe: tuple[str, ...] = ()) -> dict[str, str]:
    return {p: ALLOW if p in allowed else MAYBE if p in maybe else DENY for p in PERSONAS}


def anyone() -> dict[str, str]:
    return dict.fromkeys(PERSONAS, ANY)


def entry(expect: dict[str, str], *, data: dict[str, str] | None = None, method: str | None = None, **kwargs: str) -> dict:
    """kwargs: path argument -> sample name (see build_samples in the test). data: POST body,
    where a value "@name" is replaced by that sample (a valid body reaches the access check
    inside the service, not just the form validation)."""
    return {"expect": expect, "kwargs": kwargs, "data": data, "method": method}


# Path argument values that are the same everywhere (sample name -> literal).
LITERALS = {
    "askoy_number": "4627",
    "bergen_cluster": "bergensklyngen",
    "region_vest": "vest",
    "home_care": "hjemmetjenester",
    "csv": "csv",
    "uid": "MQ",
    "bad_token": "set-password",
    "missing": "999999",
}

COORDINATORS = ("cluster", "regional", "national")
MUNICIPAL = ("reporter", "contact", "outsider")

MATRIX: dict[str, dict] = {
    # core
    "core:home": entry(everyone()),
    "core:about": entry(everyone()),
    "healthz": entry(everyone()),
    "readyz": entry(anyone()),  # public, but 503 until every readiness check (search index) is ready
    "set_language": entry(everyone()),
    # accounts
    "accounts:login": entry(everyone()),
    "accounts:logout": entry(everyone()),
    "accounts:profile": entry(logged_in()),
    "accounts:privacy": entry(logged_in()),
    "accounts:privacy_export": entry(logged_in()),
    "accounts:api_token": entry(logged_in()),
    "accounts:password_reset": entry(everyone()),
    "accounts:password_reset_done": entry(everyone()),
    "accounts:password_reset_confirm": entry(everyone(), uidb64="uid", token="bad_token"),
    "accounts:password_reset_complete": entry(everyone()),
    # organisations
    "organisations:list": entry(everyone()),
    "organisations:detail": entry(everyone(), number="askoy_number"),
    "organisations:cluster": entry(everyone(), slug="bergen_cluster"),
    # api (schema and docs)
    "api:schema": entry(everyone()),
    "api:docs": entry(everyone()),
    "api:municipalities": entry(everyone()),
    "api:stats": entry(everyone()),
    # needs: public reading, registration by municipal members, work queues per level
    "needs:list": entry(everyone()),
    "needs:export_csv": entry(everyone()),
    "needs:export_xlsx": entry(everyone()),
    "needs:feed_new": entry(everyone()),
    "needs:feed_new_region": entry(everyone(), region="region_vest"),
    "needs:feed_new_area": entry(everyone(), service_area="home_care"),
    "needs:feed_answered": entry(everyone()),
    "needs:feed_answered_region": entry(everyone(), region="region_vest"),
    "needs:feed_answered_area": entry(everyone(), service_area="home_care"),
    "needs:detail": [
        entry(everyone(), public_id="need_public"),
        # A draft: only its author and the municipality's R&D contact.
        entry(only("reporter", "contact"), public_id="need_draft"),
        # Submitted, not yet accepted by the cluster: the municipality and the levels above it.
        entry(only("reporter", "contact", "cluster", "regional", "national"), public_id="need_submitted"),
    ],
    "needs:create": entry(only(*MUNICIPAL)),
    "needs:mine": entry(logged_in()),
    "needs:edit": [
        entry(only(), public_id="need_public"),
        entry(only("reporter", "contact"), public_id="need_draft"),
    ],
    "needs:transition": [
        entry(only("reporter", "contact", "cluster", "regional", "national", "partner"), public_id="need_public"),
        entry(only("reporter", "contact"), public_id="need_draft"),
    ],
    "needs:endorse": entry(logged_in(), public_id="need_public"),
    "needs:follow": entry(logged_in(), public_id="need_public"),
    "needs:comment": [
        entry(only("reporter", "contact", "cluster", "regional", "national", "partner"), public_id="need_public"),
        entry(only("reporter", "contact"), public_id="need_draft"),
    ],
    "needs:queue_cluster": entry(only("cluster", "national")),
    "needs:queue_region": entry(only("regional", "national")),
    "needs:queue_national": entry(only("national")),
    "needs:queue_partner": entry(only("partner")),
    "api:needs": entry(everyone()),
    "api:need": [
        entry(everyone(), public_id="need_public"),
        entry(only("reporter", "contact"), public_id="need_draft"),
    ],
    "api:need-endorse": entry(logged_in(), public_id="need_public"),
    "api:need-follow": entry(logged_in(), public_id="need_public"),
    "api:need-transition": [
        entry(only("reporter", "contact", "cluster", "regional", "national", "partner"), public_id="need_public"),
        entry(only("reporter", "contact"), public_id="need_draft"),
    ],
    # evidence: public reading; import by administrators; linking by levels with a say
    "evidence:list": entry(everyone()),
    "evidence:detail": entry(everyone(), pk="evidence"),
    "evidence:import": entry(only()),
    "evidence:link": [
        # Access is decided before the form is read: an empty form is bad input only for those who may link.
        entry(only("cluster", "regional", "national", maybe=("partner",)), public_id="need_public"),
        entry(only("cluster", "regional", "national", maybe=("partner",)), public_id="need_public",
              data={"evidence": "@evidence", "relation": "related", "what_we_know": "Matrisetest."}),
    ],
    "evidence:unlink": entry(only("cluster", "regional", "national", "partner"), public_id="need_public", pk="evidence"),
    "api:evidence-list": entry(everyone()),
    "api:evidence-detail": entry(everyone(), pk="evidence"),
    "api:need-evidence": entry(everyone(), public_id="need_public"),
    "api:need-evidence-item": entry(only(maybe=("cluster", "regional", "national", "partner")), public_id="need_public", evidence_id="evidence"),
    # search and statistics: public
    "search:search": entry(everyone()),
    "search:similar_needs": entry(everyone()),
    "api:search-evidence": entry(everyone()),
    "api:search-needs": entry(everyone()),
    "monitor:stats": entry(everyone()),
    "monitor:region": entry(everyone(), code="region_vest"),
    "monitor:download": entry(dict.fromkeys(PERSONAS, MAYBE), slug="bergen_cluster", fmt="csv"),
    "monitor:open_data_latest": entry(everyone()),
    "monitor:open_data_file": entry(dict.fromkeys(PERSONAS, MAYBE), name="missing"),
    "monitor:open_data_build": entry(only(*COORDINATORS)),
    # projects: public registry; editing by the owner/leader organisations' members (not reporters)
    "projects:list": entry(everyone()),
    "projects:export": entry(everyone(), fmt="csv"),
    "projects:detail": entry(everyone(), pk="project"),
    "projects:create": entry(only("contact", "cluster", "regional", "national", "partner")),
    "projects:import": entry(only("cluster", "regional", "national")),
    "projects:edit": entry(only("contact", "cluster", "regional", "national", maybe=("partner",)), pk="project"),
    "projects:results": entry(only("contact", "cluster", "regional", "national", maybe=("partner",)), pk="project"),
    "projects:link_need": entry(only("contact", "cluster", "regional", "national", maybe=("partner",)), pk="project"),
    "projects:unlink_need": entry(only("contact", "cluster", "regional", "national", maybe=("partner",)), pk="project", public_id="need_public"),
    "api:projects": entry(everyone()),
    "api:project": entry(everyone(), pk="project"),
    "api:project_results": entry(only("contact", "cluster", "regional", "national", maybe=("partner",)), pk="project"),
    # priorities: rounds run by the regional coordinator; participants score; records by contacts
    "priorities:list": entry(everyone()),
    "priorities:detail": entry(dict.fromkeys(PERSONAS, MAYBE), pk="round"),
    "priorities:minutes": entry(dict.fromkeys(PERSONAS, MAYBE), pk="round"),
    "priorities:minutes_pdf": entry(dict.fromkeys(PERSONAS, MAYBE), pk="round"),
    "priorities:create": entry(only("regional", "national")),
    "priorities:edit": entry(only(maybe=("regional", "national")), pk="round"),
    "priorities:status": entry(only(maybe=("regional", "national")), pk="round"),
    "priorities:criteria": entry(only(maybe=("regional", "national")), pk="round"),
    "priorities:criterion_remove": entry(only(maybe=("regional", "national")), pk="round", criterion_pk="criterion"),
    "priorities:invite": entry(only(maybe=("regional", "national")), pk="round"),
    "priorities:participant_remove": entry(only(maybe=("regional", "national")), pk="round", participant_pk="round_participant"),
    "priorities:candidate_add": entry(only(maybe=("regional", "national")), pk="round"),
    "priorities:candidate_remove": entry(only(maybe=("regional", "national")), pk="round", public_id="need_public"),
    "priorities:decide": entry(only(maybe=("regional", "national")), pk="round", public_id="need_public"),
    "priorities:score": entry(only(maybe=("cluster", "regional", "national", "partner", "contact")), pk="round"),
    "priorities:records": entry(everyone()),
    "priorities:record": entry(dict.fromkeys(PERSONAS, MAYBE), pk="record"),
    "priorities:record_pdf": entry(dict.fromkeys(PERSONAS, MAYBE), pk="record"),
    "priorities:record_create": entry(only("contact")),
    "priorities:record_edit": entry(only(maybe=("contact",)), pk="record"),
    "priorities:record_publish": entry(only(maybe=("contact",)), pk="record"),
    "api:priorities-rounds": entry(everyone()),
    "api:priorities-round": entry(dict.fromkeys(PERSONAS, MAYBE), pk="round"),
    "api:priorities-decisions": entry(everyone()),
    "api:priorities-decision": entry(dict.fromkeys(PERSONAS, MAYBE), pk="record"),
    # procurement: public initiatives; lead/participants (contacts, cluster) manage; suppliers sign up
    "procurement:list": entry(everyone()),
    "procurement:detail": entry(dict.fromkeys(PERSONAS, MAYBE), pk="initiative"),
    "procurement:supplier_signup": entry(everyone()),
    "procurement:report_search": entry(everyone()),
    "procurement:report_detail": entry(dict.fromkeys(PERSONAS, MAYBE), pk="report"),
    "procurement:create": entry(only("contact", "cluster")),
    "procurement:edit": entry(only(maybe=("contact", "cluster")), pk="initiative"),
    "procurement:publish": entry(only(maybe=("contact", "cluster")), pk="initiative"),
    "procurement:phase": entry(only(maybe=("contact", "cluster")), pk="initiative"),
    "procurement:document_add": entry(only(maybe=("contact", "cluster")), pk="initiative"),
    "procurement:join": entry(only(maybe=("contact", "cluster")), pk="initiative"),
    "procurement:join_requests": entry(only(maybe=("contact", "cluster")), pk="initiative"),
    "procurement:join_decide": entry(only(maybe=("contact", "cluster")), pk="initiative", request_pk="join_request"),
    "procurement:interest": entry(only(maybe=("supplier",)), pk="initiative"),
    "procurement:question": entry(only(maybe=("supplier",)), pk="initiative"),
    "procurement:answer": entry(only(maybe=("contact", "cluster")), pk="initiative", question_pk="question"),
    "procurement:report_create": entry(only(maybe=("contact", "cluster")), pk="initiative"),
    "procurement:report_publish": entry(only(maybe=("contact", "cluster")), pk="report"),
    "api:procurement-list": entry(everyone()),
    "api:procurement-detail": entry(dict.fromkeys(PERSONAS, MAYBE), pk="initiative"),
    "api:procurement-interest": entry(only(maybe=("supplier",)), pk="initiative"),
    "api:procurement-questions": entry(dict.fromkeys(PERSONAS, MAYBE), pk="initiative"),
    "api:experience-report-list": entry(everyone()),
    "api:experience-report-detail": entry(dict.fromkeys(PERSONAS, MAYBE), pk="report"),
}
