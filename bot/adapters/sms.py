"""Delivers the SMS referrals the hotline console writes to the outbox, through the gateway named by
``SHOUZI_SMS_GATEWAY_URL`` (a JSON POST ``{"to", "text", "ref"}``; any 2xx is delivered). Without a
gateway the messages wait in the outbox. After delivery the row keeps the number masked only."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import urllib.error
import urllib.request
from typing import Any

from bot.hotline.order import mask_phone
from bot.hotline.sms import SMS_RECIPIENT
from bot.records.store import RecordStore

logger = logging.getLogger(__name__)
TIMEOUT = 10.0


def gateway_url() -> str:
    return os.environ.get("SHOUZI_SMS_GATEWAY_URL", "").strip()


def every_seconds() -> float:
    raw = os.environ.get("SHOUZI_SMS_SECONDS", "").strip()
    try:
        return max(0.2, float(raw)) if raw else 5.0
    except ValueError as exc:
        raise ValueError(f"environment variable SHOUZI_SMS_SECONDS must be a number, got {raw!r}") from exc


def _post(url: str, body: dict[str, Any]) -> int:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


class SmsDelivery:
    def __init__(self, store: RecordStore, url: str) -> None:
        self.store, self.url = store, url

    def run_once(self) -> int:
        """Claims the pending SMS and sends each once; failures are retried later with a pause."""
        sent = 0
        for row in self.store.claim_for(SMS_RECIPIENT):
            payload = row["payload"] if isinstance(row["payload"], dict) else {}
            phone = str(payload.get("phone") or "")
            try:
                status = _post(self.url, {"to": phone, "text": payload.get("text", ""), "ref": str(row["id"])})
            except OSError as exc:
                status, error = 0, f"gateway unreachable: {type(exc).__name__}"
            else:
                error = f"gateway answered {status}"
            if 200 <= status < 300:
                self.store.settle(row["id"], {**payload, "phone": mask_phone(phone)})
                logger.info("sms %s delivered to %s", row["id"], mask_phone(phone))
                sent += 1
            else:
                wait = min(3600.0, 30.0 * 2 ** int(row.get("attempts") or 0))
                self.store.retry_later(row["id"], wait, error)
                logger.warning("sms %s to %s not delivered (%s)", row["id"], mask_phone(phone), error)
        return sent

    async def forever(self, every: float) -> None:
        while True:
            try:
                await asyncio.to_thread(self.run_once)
            except Exception:  # the database hiccupped: the next pass retries
                logger.exception("sms: outbox pass failed")
            await asyncio.sleep(every)
