"""The soak's load (bench/soak.py starts it; not meant to be run alone): every role at work at once.

- Enterprises file problems (through the API, and now and then through the filing page), read their lists and
  rate the answers they got.
- Units (their handlers) read the inbox, sign for what was dispatched to them, record the first contact and
  answer.
- Dispatchers accept what was filed and dispatch it to the category's lead unit.
- Leaders open the reports dashboard and the summary.
- Specialists log visits (with a client key) and open their pages.

Accounts, tokens and reference ids come from the JSON file in SOAK_ACCOUNTS (written by soak.py). Every
request and every write is appended to the journal in SOAK_JOURNAL (JSON lines), which soak.py reads to
compute the figures and to check that nothing acknowledged was lost and nothing was written twice.

A request that fails for a reason a fault can cause (no answer, a reset connection, a 5xx) is retried the way a
careful client would: a visit or a filing with the same client key (the product answers a repeat with what the
first attempt wrote); a move only if the problem still offers it.
"""

import json
import os
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.clients import HttpSession

ACCOUNTS = json.loads(Path(os.environ["SOAK_ACCOUNTS"]).read_text(encoding="utf-8"))
JOURNAL_PATH = os.environ["SOAK_JOURNAL"]
RETRIES = 6
SATISFACTIONS = ("satisfied", "satisfied", "basically_satisfied")

_journal = open(JOURNAL_PATH, "a", encoding="utf-8", buffering=1 << 16)  # noqa: SIM115 (closed at quit)


def journal(record: dict) -> None:
    _journal.write(json.dumps(record, ensure_ascii=False) + "\n")


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, response, exception, start_time, **kw):
    status = getattr(response, "status_code", 0) if response is not None else 0
    journal(
        {
            "r": name,
            "m": request_type,
            "t": round(start_time, 3),
            "ms": round(response_time, 1),
            "s": status,
            "e": type(exception).__name__ if exception is not None and not status else "",
        }
    )


@events.quitting.add_listener
def _close_journal(environment, **kw):
    _journal.flush()
    _journal.close()


class Pool:
    """Accounts of one role, shared round-robin by the simulated users of that role."""

    def __init__(self, accounts: list[dict]) -> None:
        self.accounts = accounts
        self.next = random.randrange(len(accounts)) if accounts else 0

    def take(self) -> dict:
        account = self.accounts[self.next % len(self.accounts)]
        self.next += 1
        return account


POOLS = {role: Pool(ACCOUNTS[role]) for role in ("enterprise", "specialist", "unit", "dispatcher", "leader")}
CATEGORIES = ACCOUNTS["categories"]  # level-2 items: id, lead unit id
_client_number = iter(range(1, 1_000_000))


class SoakUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self) -> None:
        self.address = f"10.{random.randint(1, 254)}.{next(_client_number) % 250}.{random.randint(1, 254)}"
        self.client.headers.update(
            {
                # The TLS proxy's headers: the settings redirect plain HTTP (SECURE_SSL_REDIRECT).
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": self.address,
                "Accept-Language": "zh-hans",
            }
        )
        self.account = POOLS[self.role].take()
        self.signed_in = False
        # The API as an API client calls it: its own connection, no session cookie (with one, DRF would take
        # the session and ask for a CSRF token). self.client is the browser, for the pages.
        self.api = HttpSession(self.host, self.environment.events.request, self)
        self.api.headers.update(self.client.headers)

    # ------------------------------------------------------------------ plumbing

    def token(self, account: dict | None = None) -> dict:
        return {"Authorization": f"Token {(account or self.account)['token']}"}

    def request(self, method: str, path: str, name: str, *, account=None, ok=(200, 201), **kwargs):
        """One request; statuses in ``ok`` (and the expected refusals) are successes for locust's own count."""
        headers = {**self.token(account), **kwargs.pop("headers", {})}
        with self.api.request(
            method, path, name=name, headers=headers, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if response.status_code in ok or response.status_code in (403, 404, 409):
                response.success()
            return response

    @staticmethod
    def failed(response) -> bool:
        """A failure a fault can cause: no answer at all, or a server error."""
        return response.status_code == 0 or response.status_code >= 500

    def pause(self, attempt: int) -> None:
        gevent.sleep(min(0.5 * 2**attempt, 5) + random.random() * 0.5)

    def sign_in(self) -> bool:
        """A session on the pages, through the login form (CSRF cookie first)."""
        if self.signed_in:
            return True
        for attempt in range(RETRIES):
            page = self.client.get("/login/", name="GET /login/")
            csrf = self.client.cookies.get("csrftoken")
            if page.status_code == 200 and csrf:
                response = self.client.post(
                    "/login/",
                    name="POST /login/",
                    data={
                        "username": self.account["username"],
                        "password": self.account["password"],
                        "csrfmiddlewaretoken": csrf,
                    },
                    headers=self.form_headers("/login/"),
                    allow_redirects=False,
                )
                if response.status_code == 302:
                    self.signed_in = True
                    return True
                if not self.failed(response):
                    return False
            self.pause(attempt)
        return False

    def form_headers(self, path: str) -> dict:
        # What a browser sends with a form over HTTPS: Django's CSRF check compares Origin and Referer.
        origin = f"https://{self.host.split('://', 1)[1]}"
        return {"Origin": origin, "Referer": origin + path}

    def page(self, path: str, name: str) -> None:
        if not self.sign_in():
            return
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code == 302 and "/login/" in response.headers.get("Location", ""):
                self.signed_in = False  # the session went (Redis or the database restarted): sign in again
                response.success()
            elif response.status_code in (200, 404):
                response.success()

    def move(self, issue_id: int, slug: str, body: dict | None = None, *, account=None) -> bool:
        """POST a lifecycle move; on a fault, look at the problem before trying again. True once done."""
        account = account or self.account
        path = f"/api/v1/issues/{issue_id}/{slug}/"
        for attempt in range(RETRIES):
            response = self.request(
                "POST", path, f"POST /api/v1/issues/{{id}}/{slug}/", account=account, json=body or {}
            )
            if response.status_code in (200, 201):
                journal({"w": "move", "issue": issue_id, "slug": slug, "actor": account["id"], "ack": True})
                return True
            if not self.failed(response):
                return False  # refused (someone else was quicker, or the state moved on): not a write
            journal({"w": "move", "issue": issue_id, "slug": slug, "actor": account["id"], "ack": False})
            self.pause(attempt)
            detail = self.request(
                "GET", f"/api/v1/issues/{issue_id}/", "GET /api/v1/issues/{id}/", account=account
            )
            if detail.status_code == 200 and slug not in detail.json()["allowed_actions"]:
                return False  # it went through before the answer was lost, or someone else moved it
        return False

    def issues(self, name: str, params: dict, *, account=None) -> list[dict]:
        response = self.request("GET", "/api/v1/issues/", name, account=account, params=params)
        return response.json()["results"] if response.status_code == 200 else []


class Enterprise(SoakUser):
    role = "enterprise"
    wait_time = between(2, 5)

    def filing(self) -> tuple[str, dict]:
        client_key = uuid.uuid4()
        key = client_key.hex[:12]  # also in the title, so the checks can find the problem
        category = random.choice(CATEGORIES)
        return key, {
            "client_key": str(client_key),
            "category": category["id"],
            "title": f"压测{key} 请协调解决{category['name']}问题",
            "description": f"soak {key}: 企业反映的问题，请相关单位尽快联系企业了解情况并协调解决。",
            "urgency": random.choice(("normal",) * 8 + ("urgent",)),
            "contact_name": "张经理",
            "contact_phone": "13900000000",
        }

    @task(4)
    def file_by_api(self) -> None:
        account = POOLS["enterprise"].take()  # spread over the accounts: filing is throttled per person
        key, body = self.filing()
        for attempt in range(RETRIES):
            response = self.request(
                "POST", "/api/v1/issues/", "POST /api/v1/issues/", account=account, json=body
            )
            if response.status_code in (200, 201):
                journal({"w": "file", "key": key, "id": response.json()["id"], "ack": True, "via": "api"})
                return
            if not self.failed(response):
                journal({"w": "file", "key": key, "refused": response.status_code})
                return
            # The answer was lost: send the same body again. Its client_key makes the product answer with the
            # problem the first attempt filed, if it went through, and file nothing more.
            journal({"w": "file", "key": key, "ack": False, "via": "api"})
            self.pause(attempt)

    @task(1)
    def file_by_page(self) -> None:
        if not self.sign_in():
            return
        key, body = self.filing()
        self.client.get("/issues/new/", name="GET /issues/new/")
        for attempt in range(RETRIES):
            data = {**body, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
            with self.client.post(
                "/issues/new/",
                name="POST /issues/new/",
                data=data,
                headers=self.form_headers("/issues/new/"),
                allow_redirects=False,
                catch_response=True,
            ) as response:
                location = response.headers.get("Location", "")
                if response.status_code == 302 and "/issues/" in location and "/login/" not in location:
                    response.success()
                    issue_id = int(location.rstrip("/").rsplit("/", 1)[1])
                    journal({"w": "file", "key": key, "id": issue_id, "ack": True, "via": "page"})
                    return
                if response.status_code == 302:  # signed out by a fault: nothing was filed
                    response.success()
                    self.signed_in = False
                    if not self.sign_in():
                        return
                    continue
                if not self.failed(response):
                    journal({"w": "file", "key": key, "refused": response.status_code})
                    return
            # The page's form carries the same client_key, as a browser resubmitting it would.
            journal({"w": "file", "key": key, "ack": False, "via": "page"})
            self.pause(attempt)

    @task(3)
    def read(self) -> None:
        rows = self.issues("GET /api/v1/issues/", {})
        if rows:
            self.request("GET", f"/api/v1/issues/{rows[0]['id']}/", "GET /api/v1/issues/{id}/")

    @task(2)
    def home_page(self) -> None:
        self.page("/", "GET / (enterprise)")

    @task(3)
    def rate(self) -> None:
        account = POOLS["enterprise"].take()
        for row in self.issues(
            "GET /api/v1/issues/?status=responded", {"status": "responded"}, account=account
        )[:2]:
            self.move(
                row["id"],
                "evaluate",
                {"satisfaction": random.choice(SATISFACTIONS), "was_contacted": True, "was_solved": True},
                account=account,
            )


class Unit(SoakUser):
    role = "unit"

    @task(4)
    def work_inbox(self) -> None:
        account = POOLS["unit"].take()
        response = self.request("GET", "/api/v1/issues/inbox/", "GET /api/v1/issues/inbox/", account=account)
        if response.status_code != 200:
            return
        for row in response.json()["results"][:3]:
            detail = self.request(
                "GET", f"/api/v1/issues/{row['id']}/", "GET /api/v1/issues/{id}/", account=account
            )
            if detail.status_code != 200:
                continue
            allowed = detail.json()["allowed_actions"]
            if "acknowledge" in allowed:
                self.move(row["id"], "acknowledge", account=account)
            elif "contact" in allowed:
                self.move(
                    row["id"], "contact", {"note": "已电话联系企业，约定上门了解情况。"}, account=account
                )
            elif "respond" in allowed:
                self.move(
                    row["id"],
                    "respond",
                    {"outcome": "solved", "reply": "已会同相关单位现场协调，问题已解决。"},
                    account=account,
                )

    @task(2)
    def inbox_page(self) -> None:
        self.page("/", "GET / (unit inbox page)")

    @task(1)
    def issue_page(self) -> None:
        rows = self.issues("GET /api/v1/issues/", {})
        if rows and self.sign_in():
            self.page(f"/issues/{rows[0]['id']}/", "GET /issues/{id}/")


class Dispatcher(SoakUser):
    role = "dispatcher"

    @task(4)
    def accept_and_dispatch(self) -> None:
        rows = self.issues(
            "GET /api/v1/issues/?status=submitted,accepted",
            {"status": ["submitted", "accepted"], "ordering": "created_at"},
        )
        lead = {category["id"]: category["lead_unit"] for category in CATEGORIES}
        for row in rows[:4]:
            if row["status"] == "submitted" and not self.move(row["id"], "accept", {"note": ""}):
                continue
            unit = lead.get(row["category"]["id"]) or random.choice(ACCOUNTS["unit_ids"])
            self.move(row["id"], "dispatch", {"lead_unit": unit, "note": "请按时限办理。"})

    @task(2)
    def overview(self) -> None:
        self.issues("GET /api/v1/issues/", {})
        self.page("/", "GET / (dispatcher)")


class Leader(SoakUser):
    role = "leader"
    wait_time = between(3, 8)

    @task(2)
    def dashboard(self) -> None:
        self.page("/reports/", "GET /reports/")

    @task(2)
    def summary(self) -> None:
        self.request(
            "GET",
            "/api/v1/reports/summary/",
            "GET /api/v1/reports/summary/",
            params={"year": ACCOUNTS["year"]},
        )

    @task(1)
    def district_list(self) -> None:
        self.issues("GET /api/v1/issues/", {})


class Specialist(SoakUser):
    role = "specialist"
    wait_time = between(2, 5)

    @task(3)
    def log_visit(self) -> None:
        account = POOLS["specialist"].take()
        key = str(uuid.uuid4())
        body = {
            "client_key": key,
            "enterprise": random.choice(account["enterprises"]),
            "visited_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "method": random.choice(("on_site", "on_site", "phone")),
            "people_met": "王总经理",
            "orders_condition": "steady",
            "suggestions": f"soak {key[:8]}",
        }
        for attempt in range(RETRIES):
            response = self.request(
                "POST", "/api/v1/visits/", "POST /api/v1/visits/", account=account, json=body
            )
            if response.status_code == 201:
                journal({"w": "visit", "key": key, "id": response.json()["id"], "ack": True})
                return
            if not self.failed(response):
                journal(
                    {"w": "visit", "key": key, "refused": response.status_code, "body": response.text[:300]}
                )
                return
            journal({"w": "visit", "key": key, "ack": False})
            self.pause(attempt)  # the same client key again: the product answers with the first visit

    @task(2)
    def visits(self) -> None:
        account = POOLS["specialist"].take()
        self.request("GET", "/api/v1/visits/", "GET /api/v1/visits/", account=account)

    @task(1)
    def my_page(self) -> None:
        self.page("/specialist/", "GET /specialist/")


USER_CLASSES = {
    "enterprise": Enterprise,
    "unit": Unit,
    "dispatcher": Dispatcher,
    "leader": Leader,
    "specialist": Specialist,
}
for role, count in ACCOUNTS["users"].items():
    USER_CLASSES[role].fixed_count = count
