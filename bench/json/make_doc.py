#!/usr/bin/env python3
"""Write a deterministic ~20 MB JSON array of API-like records.

    python3 bench/json/make_doc.py OUT.json [TARGET_MB]

Same seed, same bytes: records with integer ids, external ids, titles with
non-ASCII text and characters that need escapes, ISO timestamps, nested
address objects, tag arrays, floats with decimals, integers, booleans and
nulls. One record in ten is written with \\uXXXX escapes for non-ASCII.
"""
import json
import random
import sys

WORDS = ("alpha beta gamma delta report invoice order shipment customer account "
         "payment refund draft review status update quarterly annual budget "
         "forecast meeting notes contract renewal support ticket").split()
NON_ASCII = ["café", "Zürich", "naïve", "São Paulo", "Łódź", "Ελλάδα", "東京",
             "Москва", "crème brûlée", "señor", "🙂", "résumé", "Straße", "Ærø"]
ESCAPES = ['"quoted"', "back\\slash", "line\nbreak", "tab\there", "path/to/x", "\u0001ctl"]
CITIES = [("Berlin", "DE", 52.520008, 13.404954), ("München", "DE", 48.137154, 11.576124),
          ("Paris", "FR", 48.856613, 2.352222), ("Kraków", "PL", 50.064651, 19.944981),
          ("Lisboa", "PT", 38.722252, -9.139337), ("New York", "US", 40.712776, -74.005974),
          ("São Paulo", "BR", -23.55052, -46.633308), ("Tōkyō", "JP", 35.689487, 139.691711)]
STATUSES = ["open", "closed", "pending", "archived", "in_review"]


def timestamp(rng):
    return "2%03d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        rng.randint(15, 25), rng.randint(1, 12), rng.randint(1, 28),
        rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999))


def title(rng):
    parts = [rng.choice(WORDS) for _ in range(rng.randint(3, 8))]
    if rng.random() < 0.4:
        parts.insert(rng.randrange(len(parts)), rng.choice(NON_ASCII))
    if rng.random() < 0.15:
        parts.append(rng.choice(ESCAPES))
    return " ".join(parts).capitalize()


def record(rng, i):
    city, country, lat, lng = rng.choice(CITIES)
    return {
        "id": 100000 + i,
        "externalId": "ext-%08x-%04x" % (rng.getrandbits(32), rng.getrandbits(16)),
        "type": "ticket" if i % 3 else "order",
        "title": title(rng),
        "status": rng.choice(STATUSES),
        "createdAt": timestamp(rng),
        "updatedAt": timestamp(rng),
        "closedAt": None if rng.random() < 0.6 else timestamp(rng),
        "priority": rng.randint(1, 5),
        "score": round(rng.uniform(0, 100), rng.choice([1, 2, 3, 4])),
        "amount": round(rng.uniform(1, 5000), 2),
        "ratio": rng.random(),
        "active": rng.random() < 0.7,
        "flagged": rng.random() < 0.1,
        "assignee": None if rng.random() < 0.2 else {
            "id": rng.randint(1, 5000),
            "name": "%s %s" % (rng.choice(WORDS).capitalize(), rng.choice(NON_ASCII + WORDS).capitalize()),
            "email": "user%d@example.com" % rng.randint(1, 99999),
        },
        "address": {
            "street": "%d %s Street" % (rng.randint(1, 999), rng.choice(WORDS).capitalize()),
            "city": city,
            "postalCode": "%05d" % rng.randint(0, 99999),
            "country": country,
            "geo": {"lat": round(lat + rng.uniform(-0.1, 0.1), 6), "lng": round(lng + rng.uniform(-0.1, 0.1), 6)},
        },
        "tags": [rng.choice(WORDS) for _ in range(rng.randint(0, 5))],
        "counts": [rng.randint(0, 10 ** rng.randint(1, 12)) for _ in range(rng.randint(1, 4))],
        "lines": [
            {"sku": "SKU-%06d" % rng.randint(0, 999999), "qty": rng.randint(1, 20),
             "unitPrice": round(rng.uniform(0.5, 300), 2), "discount": None}
            for _ in range(rng.randint(0, 3))
        ],
    }


def main():
    out = sys.argv[1]
    target = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    rng = random.Random(20240601)
    target_bytes = int(target * 1024 * 1024)
    chunks, size, i = [], 2, 0
    while size < target_bytes:
        rec = record(rng, i)
        text = json.dumps(rec, ensure_ascii=(i % 10 == 0), separators=(",", ":"))
        chunks.append(text)
        size += len(text.encode("utf-8")) + 1
        i += 1
    with open(out, "w", encoding="utf-8") as f:
        f.write("[" + ",\n".join(chunks) + "]\n")
    print("%s: %d records, %.1f MB" % (out, i, size / 1048576))


if __name__ == "__main__":
    main()
