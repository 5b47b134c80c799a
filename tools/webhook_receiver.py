"""A webhook receiver for trying the platform's webhooks by hand: verifies each request's Coalition-Signature with
the subscription's secret (refusing a replay older than five minutes), keeps the event ids it acted on, and prints
each request: the same event sent again (after a worker was killed mid-delivery) is seen, and acted on once.

    python tools/webhook_receiver.py --port 8787 --secret whsec_...   [--hold 10]

``--hold`` waits that many seconds before answering (time to kill the worker while it waits).
"""

from __future__ import annotations

import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from coalition.domain.notifications import EVENT_ID_HEADER, SIGNATURE_HEADER, verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--hold", type=float, default=0.0)
    args = parser.parse_args()
    kept: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            event_id = self.headers.get(EVENT_ID_HEADER, "")
            signed = verify(args.secret, self.headers.get(SIGNATURE_HEADER, ""), body, int(time.time()))
            seen = event_id in kept
            print(f"{time.strftime('%H:%M:%S')} event {event_id} {self.headers.get('Coalition-Event-Type')}: "
                  f"signature {'valid' if signed else 'REFUSED'}; "
                  f"{'seen before, not acted on again' if seen else 'acted on'}", flush=True)
            if signed and not seen:
                kept.add(event_id)
                print("  " + json.dumps(json.loads(body), ensure_ascii=False), flush=True)
            time.sleep(args.hold)
            try:
                self.send_response(200 if signed else 400)
                self.end_headers()
            except OSError:
                print("  (the sender was gone before the answer)", flush=True)

        def log_message(self, *_: object) -> None:
            pass

    print(f"Receiving webhooks on http://127.0.0.1:{args.port}/", flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
