"""A large office for the merge benchmark, generated (never committed).

50 staff workbooks, each 1,000 customers and 10,000 calls (550,000 rows in all),
written from the staff template as Excel users keep them. Cached in
benchmarks/data/ (git-ignored) and rebuilt when the size changes.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from followup_xl.io.write.template import write_staff_workbook
from followup_xl.models import Book, Call, Customer

DATA = Path(__file__).resolve().parent / "data"
METHODS = ["电话"] * 8 + ["上门", "微信"]
TYPES = ["例行"] * 7 + ["成交", "投诉", "维修", "咨询"]
CONTENT = [
    "了解使用情况，客户反馈良好",
    "询问近期需求，客户暂无新需求",
    "介绍新产品，客户表示有兴趣",
    "回访售后服务满意度",
]


def owner_book(i: int, customers: int, calls: int, rng: random.Random) -> Book:
    owner = f"员工{i:02d}"
    book = Book(path=f"{owner}.xlsx")
    start = dt.date(2024, 1, 1)
    for j in range(customers):
        book.customers.append(
            Customer.build(
                None,
                {},
                {},
                dict(
                    customer_id=f"K{i:02d}{j:04d}",
                    name=f"客户{i:02d}{j:04d}",
                    contact="联系人",
                    phone=f"13{(i * 7) % 10}{i:02d}{j:06d}"[:11],
                    klass=rng.choice("ABC"),
                    ctype="一般客户",
                    owner=owner,
                    created=start + dt.timedelta(days=rng.randrange(600)),
                    status="正常",
                ),
            )
        )
    for k in range(calls):
        d = start + dt.timedelta(days=rng.randrange(1050))
        ok = rng.random() < 0.88
        book.calls.append(
            Call.build(
                None,
                {},
                {},
                dict(
                    record_id=f"R{i:02d}{k:06d}",
                    customer_id=f"K{i:02d}{rng.randrange(customers):04d}",
                    call_date=d,
                    call_time=dt.time(rng.randrange(9, 18), rng.randrange(60)),
                    method=rng.choice(METHODS),
                    call_type=rng.choice(TYPES),
                    caller=owner,
                    content=rng.choice(CONTENT),
                    satisfaction=rng.randint(1, 5) if ok else None,
                    result="成功" if ok else "未接通",
                ),
            )
        )
    return book


def build(
    folder: Path | None = None, owners: int = 50, customers: int = 1000, calls: int = 10000
) -> Path:
    folder = folder or DATA / f"office-{owners}x{customers}x{calls}"
    stamp = folder / ".complete"
    if stamp.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    rng = random.Random(550_000)
    for i in range(owners):
        write_staff_workbook(
            folder / f"员工{i:02d}_客户回访.xlsx", book=owner_book(i, customers, calls, rng)
        )
        print(f"\rgenerated {i + 1}/{owners}", end="", file=sys.stderr)
    print(file=sys.stderr)
    stamp.touch()
    return folder


if __name__ == "__main__":
    print(build(*(int(a) for a in sys.argv[1:]) if len(sys.argv) > 1 else ()))
