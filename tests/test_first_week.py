"""The manager's first week on Windows: Chinese consoles, wrong files, slips with options.

Every command runs as a real process under GBK (a Chinese Windows console, or
output redirected to a file there: PYTHONIOENCODING=gbk reproduces both), in both
languages; a command handed one of the tool's own reports refuses it in one
sentence; click's usage errors are sentences in --lang with exit 3.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from followup_xl import api
from followup_xl.cli import main
from followup_xl.demo import office as example_office
from followup_xl.io.filekind import read_kind

AS_OF = "2026-11-22"


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A small office: staff books, the merged master and one of each report the tool writes."""
    root = tmp_path_factory.mktemp("week")
    books = root / "books"
    data = example_office.generate(seed=11, customers_per_owner=8)
    example_office.write_office(data, str(books))
    master = root / "总表.xlsx"
    assert api.merge([str(books)], str(master)).written
    outputs = {
        "due": root / "待回访.xlsx",
        "schedule": root / "回访排期表.xlsx",
        "weekly": root / "周报.xlsx",
        "report": root / "月报.xlsx",
        "scores": root / "考核.xlsx",
    }

    day = dt.date.fromisoformat(AS_OF)
    api.due(str(master), as_of=day, out=str(outputs["due"]))
    api.schedule(str(master), as_of=day, out=str(outputs["schedule"]))
    api.weekly(str(master), out=str(outputs["weekly"]), as_of=day)
    api.report(str(master), month="2026-10", out=str(outputs["report"]))
    api.scores(str(master), year=2026, out=str(outputs["scores"]), as_of=day)
    plan = root / "交接方案.xlsx"
    leaver, receiver = sorted(data.books)[:2]
    api.handover(
        str(master),
        str(plan),
        leaver=leaver,
        receivers=[receiver],
        plan_only=True,
        by="赵刚",
        as_of=day,
    )
    outputs["handover-plan"] = plan
    for kind, path in outputs.items():
        assert read_kind(path) == kind
    return {
        "root": root,
        "books": books,
        "master": master,
        "outputs": outputs,
        "leaver": leaver,
        "receiver": receiver,
        "book": sorted(books.glob("*.xlsx"))[0],
    }


def gbk_run(args, tmp: Path, encoding: str = "gbk"):
    """Run followup-xl as its own process with stdout/stderr redirected to files in ``encoding``."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("FOLLOWUP_XL_DEBUG", None)
    tag = uuid.uuid4().hex[:8]
    out, err = tmp / f"stdout-{tag}.txt", tmp / f"stderr-{tag}.txt"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.run(
            [sys.executable, "-m", "followup_xl", *map(str, args)],
            stdout=o,
            stderr=e,
            env=env,
            timeout=300,
            cwd=tmp,
        )
    return proc.returncode, out.read_bytes().decode(encoding), err.read_bytes().decode(encoding)


def commands(o, tmp: Path, lang: str):
    """(args, expected exit code, a piece of text stdout must hold) for every command."""
    m, leaver, receiver = o["master"], o["leaver"], o["receiver"]
    out = tmp / lang
    return [
        (["init", out / "init", "--owner", "张伟"], 0, ".xlsx"),
        (["rules"], 0, "V1"),
        (["rules", "V1"], 0, "V1"),
        (["validate", o["book"], "--as-of", AS_OF, "--annotate", out / "标注.xlsx"], None, "标注"),
        (["merge", o["books"], "-o", out / "总表.xlsx", "--as-of", AS_OF], 0, "总表"),
        (["due", m, "--as-of", AS_OF, "-o", out / "待回访.xlsx"], 0, "待回访"),
        (["schedule", m, "--as-of", AS_OF, "-o", out / "排期.xlsx"], 0, "排期"),
        (["weekly", m, "--as-of", AS_OF, "-o", out / "周报.xlsx"], 0, "周报"),
        (["report", m, "--month", "2026-10", "-o", out / "月报.xlsx"], 0, "月报"),
        (["scores", m, "--year", "2026", "--as-of", AS_OF, "-o", out / "考核.xlsx"], 0, "考核"),
        (
            [
                "handover",
                m,
                "--from",
                leaver,
                "--to",
                receiver,
                "-o",
                out / "新总表.xlsx",
                "--by",
                "赵刚",
                "--as-of",
                AS_OF,
            ],
            0,
            "新总表",
        ),
        (["split", m, "-o", out / "分发", "--as-of", AS_OF], 0, "分发"),
    ]


@pytest.mark.slow
def test_every_command_runs_under_gbk_redirected_to_a_file(office, tmp_path):
    """Each command in both languages, and with --json in Chinese (the processes run four at a time)."""
    runs = [
        (
            [*args, "--lang", lang, *(["--json"] if as_json else [])],
            code,
            None if as_json else expect,
        )
        for lang, as_json in (("zh", False), ("en", False), ("zh", True))
        for args, code, expect in commands(office, tmp_path, lang + ("-json" if as_json else ""))
    ]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda r: gbk_run(r[0], tmp_path), runs))
    for (args, code, expect), (rc, out, err) in zip(runs, results):
        assert "Traceback" not in err and rc != 70, (args, rc, err)
        assert rc == code if code is not None else rc in (0, 1), (args, rc, out, err)
        if expect is None:
            json.loads(out)
        else:
            assert expect in out, (args, out)


def test_merge_marks_show_on_a_gbk_console(office, tmp_path):
    """The '✓' that GBK lacks used to end merge with exit 70 after the master was written."""
    rc, out, err = gbk_run(
        ["merge", office["books"], "-o", tmp_path / "总表.xlsx"], tmp_path, "cp936"
    )
    assert rc == 0, err
    assert out.count("√") == len(list(office["books"].glob("*.xlsx")))
    assert "客户" in out


def test_validate_table_under_gbk(office, tmp_path):
    rc, out, err = gbk_run(["validate", office["master"], "--as-of", AS_OF], tmp_path)
    assert rc in (0, 1) and "Traceback" not in err
    assert ("错误 " in out) and "提醒" in out


def test_a_name_gbk_lacks_comes_out_as_json_escapes(tmp_path):
    rc, out, _err = gbk_run(["rules", "NOPE·𠮷", "--json"], tmp_path)
    assert rc == 3
    assert "\\ud842" in out.lower() or "?" not in out
    assert json.loads(out)["exit_code"] == 3


# ---- a command given one of the tool's own reports ------------------------------------------

BOOK_COMMANDS = {
    "validate": ["--as-of", AS_OF],
    "due": ["--as-of", AS_OF],
    "schedule": ["--as-of", AS_OF],
    "weekly": ["--as-of", AS_OF],
    "report": ["--month", "2026-10"],
    "scores": ["--year", "2026"],
    "split": ["-o", "{tmp}/分发"],
    "handover": ["--from", "某人", "--to", "某某", "-o", "{tmp}/新.xlsx", "--by", "赵刚"],
}


@pytest.mark.parametrize("command", sorted(BOOK_COMMANDS))
@pytest.mark.parametrize("kind", ["due", "schedule", "weekly", "report", "scores", "handover-plan"])
def test_own_report_refused_with_one_sentence(office, tmp_path, command, kind):
    path = office["outputs"][kind]
    before = path.read_bytes()
    extra = [a.replace("{tmp}", str(tmp_path)) for a in BOOK_COMMANDS[command]]
    result = CliRunner().invoke(main, [command, str(path), *extra])
    assert result.exit_code == 2, result.output
    from followup_xl.io.filekind import KINDS

    msg = result.stderr.strip()
    assert msg.count("\n") == 0 and path.name in msg and KINDS[kind].render("zh") in msg
    assert ("汇总总表" in msg) and "本工具生成" in msg
    en = CliRunner().invoke(main, [command, str(path), *extra, "--lang", "en"])
    assert (
        en.exit_code == 2
        and KINDS[kind].render("en") in en.stderr
        and en.stderr.startswith("error: ")
    )
    assert not any(tmp_path.iterdir())
    assert path.read_bytes() == before


def test_due_on_the_due_list_does_not_list_new_customers(office):
    result = CliRunner().invoke(
        main, ["due", str(office["outputs"]["due"]), "--as-of", AS_OF, "--json"]
    )
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["exit_code"] == 2 and payload["file"] == str(office["outputs"]["due"])
    assert "items" not in payload


def test_merge_lists_a_report_in_the_inbox_as_failed_and_merges_the_rest(office, tmp_path):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    for p in office["books"].glob("*.xlsx"):
        (inbox / p.name).write_bytes(p.read_bytes())
    (inbox / "待回访.xlsx").write_bytes(office["outputs"]["due"].read_bytes())
    result = CliRunner().invoke(
        main, ["merge", str(inbox), "-o", str(tmp_path / "总表.xlsx"), "--json"]
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    bad = [i for i in payload["inputs"] if i["status"] == "error"]
    assert [Path(i["path"]).name for i in bad] == ["待回访.xlsx"]
    assert "待回访清单" in json.dumps(bad, ensure_ascii=False)
    assert payload["written"] and read_kind(tmp_path / "总表.xlsx") == "master"


# ---- click's own usage errors -----------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize(
    "args, zh_piece",
    [
        (["due", "--bogus"], "没有选项 --bogus"),
        (["due"], "缺少参数 BOOK"),
        (["handover", "x.xlsx", "-o", "y.xlsx"], "缺少必需的选项 --from"),
        (["init", "d", "--lang", "fr"], "应为 zh、en 之一"),
        (["scores", "x.xlsx", "--year", "今年"], "应为整数"),
        (["report", "x.xlsx", "--month", "2026-13"], "应为 YYYY-MM 格式的月份"),
        (["due", "x.xlsx", "--as-of", "11/22"], "应为日期"),
        (["nosuch"], "没有命令 nosuch"),
    ],
)
def test_usage_errors_are_chinese_sentences_with_exit_3(args, zh_piece, tmp_path):
    result = invoke(*args)
    assert result.exit_code == 3, result.output
    assert zh_piece in result.stderr and result.stderr.startswith("错误: ")
    assert "Usage" not in result.stderr and "Error:" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_usage_error_raised_by_a_command_is_localised_too(tmp_path):
    args = [
        "handover",
        "m.xlsx",
        "--from",
        "a",
        "-o",
        tmp_path / "n.xlsx",
        "--plan-only",
        "--plan",
        "p.xlsx",
    ]
    zh, en = invoke(*args), invoke(*args, "--lang", "en")
    assert zh.exit_code == en.exit_code == 3
    assert zh.stderr.startswith("错误: --plan-only 与 --plan 不能同时使用")
    assert en.stderr.startswith("error: --plan-only and --plan cannot be used together")


def test_usage_errors_in_english_with_lang_en():
    result = invoke("due", "--bogus", "--lang", "en")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no such option --bogus")


def test_a_path_with_a_space_gets_a_hint_to_quote_it(office, tmp_path):
    result = invoke("due", "D:\\回访", "资料\\总表.xlsx", "--as-of", AS_OF)
    assert result.exit_code == 3
    assert "多余的参数" in result.stderr and "引号" in result.stderr
    en = invoke("due", "D:\\follow", "up\\master.xlsx", "--lang", "en")
    assert en.exit_code == 3 and "quotes" in en.stderr


@pytest.mark.parametrize(
    "style", ["2026-11-22", "2026/11/22", "2026.11.22", "2026年11月22日", "20261122"]
)
def test_as_of_accepts_the_date_styles_cells_accept(office, style):
    result = invoke("due", office["master"], "--as-of", style, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == AS_OF


@pytest.mark.parametrize("style", ["2026-10", "2026-1", "2026/1", "2026年1月", "202601"])
def test_month_accepts_short_styles(office, style):
    result = invoke("report", office["master"], "--month", style, "--json")
    assert result.exit_code == 0, result.stderr
    month = json.loads(result.stdout)["month"]
    assert month == ("2026-10" if style == "2026-10" else "2026-01")


def test_no_arguments_shows_help_and_exit_0():
    result = invoke()
    assert result.exit_code == 0 and "followup-xl" in result.output


def test_english_failure_starts_error_even_with_a_chinese_file_name(tmp_path):
    result = invoke("due", tmp_path / "没有这个文件.xlsx", "--lang", "en")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


# ---- init never overwrites a filled-in workbook; --owner names the file ------------------------


def test_init_refuses_to_overwrite_a_filled_in_workbook(office, tmp_path):
    filled = tmp_path / "客户回访工作簿.xlsx"
    filled.write_bytes(office["book"].read_bytes())
    result = invoke("init", tmp_path)
    assert result.exit_code == 3
    assert "--force" in result.stderr and filled.name in result.stderr
    assert filled.read_bytes() == office["book"].read_bytes()
    forced = invoke("init", tmp_path, "--force")
    assert forced.exit_code == 0 and read_kind(filled) == "template"


def test_init_with_owner_names_the_file_after_the_person(tmp_path):
    result = invoke("init", tmp_path, "--owner", "王芳", "--macro", "--json")
    assert result.exit_code == 0, result.output
    written = [Path(p).name for p in json.loads(result.stdout)["written"]]
    assert written == ["王芳_客户回访.xlsx", "王芳_客户回访.xlsm"]
    assert invoke("init", tmp_path, "--owner", "王芳").exit_code == 3
    assert invoke("init", tmp_path, "--owner", "李娜").exit_code == 0
    assert (tmp_path / "李娜_客户回访.xlsx").exists()


# ---- output names: .xlsx content only under a .xlsx name -----------------------------------------


@pytest.mark.parametrize(
    "command, extra",
    [
        ("report", ["--month", "2026-10"]),
        ("schedule", ["--as-of", AS_OF]),
        ("due", ["--as-of", AS_OF]),
        ("weekly", ["--as-of", AS_OF]),
        ("scores", ["--year", "2026"]),
    ],
)
@pytest.mark.parametrize(
    "name, suggestion",
    [("月报.pdf", "月报.xlsx"), ("排期.csv", "排期.xlsx"), ("月报", "月报.xlsx")],
)
def test_output_name_must_end_in_xlsx(office, tmp_path, command, extra, name, suggestion):
    result = invoke(command, office["master"], *extra, "-o", tmp_path / name)
    assert result.exit_code == 3, result.output
    assert suggestion in result.stderr and "未写入" in result.stderr
    assert not any(tmp_path.iterdir())


def test_merge_and_handover_outputs_are_held_to_xlsx_too(office, tmp_path):
    assert invoke("merge", office["books"], "-o", tmp_path / "总表.csv").exit_code == 3
    r = invoke(
        "handover",
        office["master"],
        "--from",
        office["leaver"],
        "--to",
        office["receiver"],
        "-o",
        tmp_path / "新总表",
        "--by",
        "赵刚",
        "--lang",
        "en",
    )
    assert r.exit_code == 3 and "新总表.xlsx" in r.stderr and "no extension" in r.stderr
    assert invoke("validate", office["book"], "--annotate", tmp_path / "标注.pdf").exit_code == 3
    assert not any(tmp_path.iterdir())


# ---- cached values: right before any recalculation (chat previews, phones, LibreOffice) --------


def _cached(path, sheet):
    """The sheet's cells as stored, formulas replaced by their cached results (no recalculation)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_schedule_total_row_holds_its_sums_without_recalculation(office, tmp_path):
    out = tmp_path / "排期.xlsx"
    assert invoke("schedule", office["master"], "--as-of", AS_OF, "-o", out).exit_code == 0
    rows = _cached(out, "汇总")
    start = next(i for i, r in enumerate(rows) if r and r[0] == "合计")
    people = [r for r in rows[4:start] if r and r[0]]
    assert len(people) >= 2
    total = rows[start]
    for j in range(2, 13):
        expected = sum(r[j] for r in people if isinstance(r[j], (int, float)))
        assert total[j] == expected, (j, total[j], expected)
    assert total[9] > 0
    for r in people:
        assert r[9] == sum(v for v in r[2:9] if isinstance(v, (int, float)))
    import python_calamine as pc

    cal = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("汇总").to_python()
    assert [float(v) for v in cal[start][2:13]] == [float(v) for v in total[2:13]]  # type: ignore[arg-type]


def test_split_home_sheet_figures_hold_without_recalculation(office, tmp_path):

    assert invoke("split", office["master"], "-o", tmp_path, "--as-of", AS_OF).exit_code == 0
    books = sorted(p for p in tmp_path.glob("*.xls*"))
    assert books
    today, seen = dt.date.today(), 0
    for path in books:
        home = {r[0]: r[1] for r in _cached(path, "首页") if r and r[0]}
        customers = _cached(path, "客户名录簿")
        calls = _cached(path, "回访记录表")
        head_c, head_k = customers[0], calls[0]
        cust = [dict(zip(head_c, r)) for r in customers[1:] if any(v is not None for v in r)]
        log = [dict(zip(head_k, r)) for r in calls[1:] if any(v is not None for v in r)]
        assert home["客户总数"] == len(cust)
        seen += len(cust)
        assert home["回访记录条数"] == len(log)
        assert home["A类客户"] == sum(c["客户类别"] == "A" for c in cust)
        days = [v.date() for v in (k["下次回访日期"] for k in log) if isinstance(v, dt.datetime)]
        assert home["下次回访日期已过的记录"] == sum(d < today for d in days)
        # a preview shows these cached figures: the sheet says the day they are of
        notes = [r[0] for r in _cached(path, "首页") if r and isinstance(r[0], str)]
        assert any(n.startswith(f"以上数字和各表的自动计算列按 {today}") for n in notes), notes
    assert seen > 0


def test_usage_error_with_json_prints_one_json_object():
    result = invoke("report", "x.xlsx", "--month", "2026-13", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == {
        "error": json.loads(result.stdout)["error"],
        "exit_code": 3,
    }
    assert "YYYY-MM" in json.loads(result.stdout)["error"]


# ---- validating the master names the staff book row each finding came from ----------------------


def test_master_findings_name_their_source_row(office, tmp_path):
    out = tmp_path / "总表_校验.xlsx"
    result = invoke("validate", office["master"], "--as-of", AS_OF, "--annotate", out, "--json")
    assert result.exit_code in (0, 1), result.stderr
    findings = json.loads(result.stdout)["findings"]
    on_rows = [
        f for f in findings if f["row"] and f["sheet"] in ("客户名录簿", "回访记录表", "回访事项")
    ]
    assert on_rows, "the office has planted mistakes"
    import python_calamine as pc

    for f in on_rows:
        src = f["source"]
        assert src and src["file"].endswith(".xlsx") and src["row"] >= 2, f
        # the staff book really holds, at that row, the record the master holds at the finding's row
        master_rows = (
            pc.CalamineWorkbook.from_path(str(office["master"]))
            .get_sheet_by_name(f["sheet"])
            .to_python()
        )
        staff = pc.CalamineWorkbook.from_path(str(office["books"] / src["file"]))
        staff_rows = staff.get_sheet_by_name(src["sheet"]).to_python()
        assert master_rows[f["row"] - 1][0] in staff_rows[src["row"] - 1], (f, src)
    sheet = _cached(out, "问题清单")
    assert sheet[0][-1].startswith("来源")
    texts = [r[-1] for r in sheet[1:]]
    assert any(src_text and "›" in src_text and "第" in src_text for src_text in texts)
    # a staff book's findings are already in the staff book: no source, no extra column
    staff = invoke(
        "validate", office["book"], "--as-of", AS_OF, "--annotate", tmp_path / "b.xlsx", "--json"
    )
    assert all(f["source"] is None for f in json.loads(staff.stdout)["findings"])
    assert _cached(tmp_path / "b.xlsx", "问题清单")[0][-1] == "问题及修改建议"


# ---- hand-over notices: landlines apart, the contact greeted, 离职, --by never the login name ---


def _small_master(tmp_path, with_manager: bool):
    from helpers import book, customer, staff

    from followup_xl.io.write.template import write_staff_workbook

    people = [staff("张伟", phone="13900000001"), staff("杨磊", phone="13900000003")]
    if with_manager:
        people.append(staff("赵刚", role="公司经理", phone="13900000009"))
    cs = [
        customer("K1", owner="杨磊", name="瑞丰物业管理处", contact="孔工", phone="13735151062"),
        customer("K2", owner="杨磊", name="天成家居店", contact="吴工", phone="020-38907732"),
        customer("K3", owner="杨磊", name="任丽", contact="任丽", phone="0571-58006966", klass="B"),
        customer(
            "K4", owner="杨磊", name="永盛建材", contact="宋主任", phone="13641625441", klass="C"
        ),
        customer("K5", owner="杨磊", name="已废客户", phone="13641625442", status="废除"),
        customer("K9", owner="张伟", phone="13641625443"),
    ]
    return write_staff_workbook(tmp_path / "总表.xlsx", "zh", book=book(cs, staff_=people))


def test_handover_lists_landlines_apart_and_greets_the_contact(tmp_path):
    master = _small_master(tmp_path, with_manager=True)
    out = tmp_path / "新总表.xlsx"
    r = invoke(
        "handover", master, "--from", "杨磊", "--to", "张伟", "-o", out, "--as-of", AS_OF, "--json"
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["by"] == "赵刚"  # the 公司经理 from 人员, not the login name
    assert (data["sms"], data["calls"]) == (2, 2)
    record = Path(data["record"])
    sms = {row[0]: row for row in _cached(record, "短信通知")[1:] if row[0]}
    phone = {row[0]: row for row in _cached(record, "需电话告知")[1:] if row[0]}
    assert set(sms) == {"K1", "K4"} and set(phone) == {"K2", "K3"}  # K5 is void: no notice
    assert sms["K1"][6].startswith("尊敬的孔工：") and "杨磊已离职" in sms["K1"][6]
    assert "已调岗" not in json.dumps(
        [*sms.values(), *phone.values()], ensure_ascii=False, default=str
    )
    assert all(row[4] == "座机，不能接收短信" for row in phone.values())
    assert phone["K2"][7].startswith("尊敬的吴工：")
    text = invoke(
        "handover",
        master,
        "--from",
        "杨磊",
        "--to",
        "张伟",
        "-o",
        tmp_path / "b.xlsx",
        "--as-of",
        AS_OF,
    )
    assert "短信 2 条，需电话告知 2 位" in text.stdout
    # 原有 + 接收 − 已废除 = 交接后, and the line says so
    assert re.search(
        r"张伟: 原有 1，接收 5（.*其中已废除 1 位，不计入交接后），交接后 5", text.stdout
    ), text.stdout


def test_handover_without_a_manager_needs_by(tmp_path):
    master = _small_master(tmp_path, with_manager=False)
    r = invoke(
        "handover",
        master,
        "--from",
        "杨磊",
        "--to",
        "张伟",
        "-o",
        tmp_path / "n.xlsx",
        "--as-of",
        AS_OF,
    )
    assert r.exit_code == 3 and "--by" in r.stderr
    assert not (tmp_path / "n.xlsx").exists()
    ok = invoke(
        "handover",
        master,
        "--from",
        "杨磊",
        "--to",
        "张伟",
        "-o",
        tmp_path / "n.xlsx",
        "--as-of",
        AS_OF,
        "--by",
        "孙丽",
        "--json",
    )
    assert ok.exit_code == 0 and json.loads(ok.stdout)["by"] == "孙丽"


# ---- calling sheets: whom to ask for, the number, one row per customer and day ------------------


def test_calling_sheets_have_contact_and_phone_and_one_row_per_call(office, tmp_path):
    from followup_xl.io.read.workbook import read_book

    book = read_book(office["master"])
    customers = {c.customer_id: c for c in book.customers}
    due = tmp_path / "待回访.xlsx"
    assert invoke("due", office["master"], "--as-of", AS_OF, "-o", due).exit_code == 0
    rows = _cached(due, "待回访")
    head = rows[0]
    assert "联系人" in head and "联系电话" in head
    for r in rows[1:]:
        c = customers.get(r[head.index("客户编号")])
        if c:
            assert r[head.index("联系人")] == (c.contact or c.name)
    sched = tmp_path / "排期.xlsx"
    result = invoke("schedule", office["master"], "--as-of", AS_OF, "-o", sched, "--json")
    items = json.loads(result.stdout)["items"]
    calls = {(i["owner"], i["date"], i["customer_id"]) for i in items}
    import openpyxl

    wb = openpyxl.load_workbook(sched, read_only=True)
    seen = []
    for name in wb.sheetnames:
        if name in ("汇总", "排不下", "短信名单"):
            continue
        sheet = [list(r) for r in wb[name].iter_rows(values_only=True)]
        h = next(i for i, r in enumerate(sheet) if r[0] == "日期")
        assert sheet[h][3] == "联系人" and sheet[h][4] == "联系电话"
        for r in sheet[h + 1 :]:
            if r[1]:
                seen.append((name, r[0], r[1]))
                assert r[3] == (customers[r[1]].contact or customers[r[1]].name)
    assert len(seen) == len(set(seen)) == len(calls)  # one row per customer per day
    summary = _cached(sched, "汇总")
    assert next(r for r in summary if r[0] == "合计")[9] == len(calls)


# ---- one language at a time ---------------------------------------------------------------------


def test_chinese_mode_prints_no_english_status_words(office):
    due = invoke("due", office["master"], "--as-of", AS_OF)
    assert due.exit_code == 0
    assert not re.search(r"\b(overdue|due|upcoming|more)\b", due.stdout), due.stdout[:500]
    assert "已逾期" in due.stdout and "共 " in due.stdout
    rules = invoke("rules")
    assert not re.search(r"\b(error|warning)\b", rules.stdout) and "错误" in rules.stdout
    assert "级别: 提醒" in invoke("rules", "V11").stdout


def test_english_mode_prints_english_status_words(office):
    due = invoke("due", office["master"], "--as-of", AS_OF, "--lang", "en")
    assert "Overdue" in due.stdout and "已逾期" not in due.stdout and "items:" in due.stdout
    assert re.search(r"^V1 +error", invoke("rules", "--lang", "en").stdout, re.M)


# ---- printing and real dates ----------------------------------------------------------------------


def _outputs_of_a_week(office, tmp_path):
    out = {}
    for name, args in {
        "master": ["merge", office["books"], "-o", tmp_path / "总表.xlsx"],
        "due": ["due", office["master"], "--as-of", AS_OF, "-o", tmp_path / "待回访.xlsx"],
        "schedule": ["schedule", office["master"], "--as-of", AS_OF, "-o", tmp_path / "排期.xlsx"],
        "weekly": ["weekly", office["master"], "--as-of", AS_OF, "-o", tmp_path / "周报.xlsx"],
        "report": ["report", office["master"], "--month", "2026-10", "-o", tmp_path / "月报.xlsx"],
        "scores": [
            "scores",
            office["master"],
            "--year",
            "2026",
            "--as-of",
            AS_OF,
            "-o",
            tmp_path / "考核.xlsx",
        ],
    }.items():
        result = invoke(*args)
        assert result.exit_code == 0, (name, result.output)
        out[name] = args[-1]
    return out


def test_every_printable_sheet_is_set_up_to_print(office, tmp_path):
    import openpyxl

    for name, path in _outputs_of_a_week(office, tmp_path).items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.title in ("说明", "首页", "来源") or ws.max_row < 2:
                continue
            # the tool's own very hidden sheets (a master's check sheet) are never shown
            if ws.sheet_state == "veryHidden":
                continue
            ps = ws.page_setup
            # landscape, except a narrow one-page summary (the 月报 front page) kept as an A4 portrait page
            assert ps.orientation == "landscape" or (ws.max_column <= 6 and ws.max_row <= 45), (
                name,
                ws.title,
            )
            assert (
                ws.sheet_properties.pageSetUpPr.fitToPage
                and ps.fitToWidth in (1, None)
                and ps.fitToHeight == 0
            ), (name, ws.title)
            if ws.max_row > 30 and (name != "report" or ws.title == "客户问题"):
                # one long table runs onto a second page: its header row repeats there (the report's
                # other sheets hold several short tables)
                assert ws.print_title_rows, (name, ws.title)


def test_report_outputs_hold_real_dates(office, tmp_path):
    import openpyxl

    paths = _outputs_of_a_week(office, tmp_path)
    found = 0
    for name in ("report", "weekly", "scores"):
        wb = openpyxl.load_workbook(paths[name])
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        assert not re.fullmatch(r"\d{4}-\d{2}-\d{2}", c.value), (
                            name,
                            ws.title,
                            c.coordinate,
                        )
                    elif isinstance(c.value, dt.datetime):
                        found += 1
                        assert "yy" in c.number_format, (
                            name,
                            ws.title,
                            c.coordinate,
                            c.number_format,
                        )
    assert found > 0


@pytest.mark.slow
def test_export_rollup_and_demo_run_under_gbk(office, tmp_path):
    """The region's commands and the demo, in order (rollup reads what export wrote)."""
    rc, out, err = gbk_run(
        [
            "export",
            office["master"],
            "-o",
            tmp_path / "区域数据",
            "--office",
            "深圳分公司",
            "--as-of",
            AS_OF,
            "--month",
            "2026-10",
        ],
        tmp_path,
    )
    assert rc == 0 and "Traceback" not in err, err
    rc, out, err = gbk_run(
        ["rollup", tmp_path / "区域数据", "--month", "2026-10", "-o", tmp_path / "区域汇总.xlsx"],
        tmp_path,
    )
    assert rc == 0 and "深圳分公司" in out, (out, err)
    rc, out, err = gbk_run(
        [
            "rollup",
            tmp_path / "区域数据",
            "--month",
            "2026-10",
            "-o",
            tmp_path / "区域.csv",
            "--lang",
            "en",
        ],
        tmp_path,
    )
    assert rc == 3 and "区域.xlsx" in err
    rc, out, err = gbk_run(["demo", tmp_path / "演示"], tmp_path)
    assert rc == 0 and "Traceback" not in err, err
    assert "汇总总表" in out and out.rstrip().endswith("个文件）")
