"""The 100,000-row published list the import benchmarks write: its columns, laws and rows
(shared by benchmarks/import_speed.py and the fresh-process steps in benchmarks/steps.py)."""

from __future__ import annotations

from collections.abc import Iterator

HEADERS = ["序号", "权力类型", "项目编码", "项目名称", "子项", "实施依据", "实施主体", "承办机构",
           "责任事项", "追责情形", "备注"]  # fmt: skip
TYPES = ["行政许可", "行政处罚", "行政强制措施", "行政检查", "其他权力", "行政确认"]
LAWS = [f"中华人民共和国示例管理法{i}" for i in range(40)]


def rows(count: int, departments: int) -> Iterator[list[object]]:
    """Published-layout rows: half are main items with sub-items, half stand alone."""
    for n in range(count):
        main, sub = divmod(n, 4)
        law = LAWS[n % len(LAWS)]
        grouped = main % 2 == 0  # half the rows are a main item with its sub-items
        code = f"{main % departments:02d}{(main if grouped else n):08d}"
        yield [
            n + 1, TYPES[main % len(TYPES)], code,
            f"对违反《{law}》第{n % 90 + 1}条规定行为的行政处罚事项{main if grouped else n}",
            f"子项{sub}：情节较重的情形" if grouped and sub else None,
            f"1.《{law}》第{n % 90 + 1}条第一款；\n2.《中华人民共和国行政处罚法》第十条",
            f"包头市测试局{main % departments:02d}", "执法科",
            "立案、调查取证、审查、告知、决定、送达、执行等责任。" * 2,
            "因不履行或不正确履行行政职责，有下列情形的，应当承担相应责任。", None,
        ]  # fmt: skip
