"""Fixed vocabularies of the domain, as the Chinese words users see and the database stores.

Power types are configurable (see power_types); these sets are fixed by law and practice.
"""

from __future__ import annotations

from enum import StrEnum


class DepartmentLevel(StrEnum):
    """Administrative level (层级) of a department."""

    CITY = "市"
    COUNTY = "旗县区"
    TOWNSHIP = "苏木乡镇街道"


class ItemStatus(StrEnum):
    """Status (状态) of a power item on the list."""

    RETAINED = "保留"
    CANCELLED = "取消"
    DELEGATED = "下放"
    ENTRUSTED = "委托"
    SUSPENDED = "暂停"


class BasisLevel(StrEnum):
    """Level (效力层级) of a legal basis, highest first."""

    LAW = "法律"
    ADMINISTRATIVE_REGULATION = "行政法规"
    STATE_COUNCIL_DECISION = "国务院决定"
    LOCAL_REGULATION = "地方性法规"
    AUTONOMOUS_REGULATION = "自治条例和单行条例"
    DEPARTMENTAL_RULE = "部门规章"
    LOCAL_GOVERNMENT_RULE = "地方政府规章"
    NORMATIVE_DOCUMENT = "规范性文件"
    PARTY_REGULATION = "党内法规"  # e.g. 《信访工作条例》 (中共中央、国务院); outside 立法法 levels


class BasisStatus(StrEnum):
    """Validity (时效性) of a legal basis."""

    IN_FORCE = "现行有效"
    AMENDED = "已修改"
    REPEALED = "已废止"
    NOT_YET_EFFECTIVE = "尚未生效"


class CatalogDecision(StrEnum):
    """What the higher-level catalog (上级目录) decided about an item."""

    REQUIRED = "保留"
    CANCEL = "取消"
    DELEGATE = "下放"
    ADJUST = "调整"


class DelegationMode(StrEnum):
    """How a power was handed to a receiving unit: 下放 (delegated) or 委托 (entrusted)."""

    DELEGATED = "下放"
    ENTRUSTED = "委托"


class StaffRole(StrEnum):
    """Role (岗位) of a receiving unit's staff member."""

    ENFORCEMENT = "执法人员"
    WINDOW = "窗口人员"
    HEAD = "负责人"


class RequirementKind(StrEnum):
    """Kind of training requirement: training hours, credential renewal or an exam."""

    TRAINING = "培训"
    CREDENTIAL = "证件"
    EXAM = "考试"


class RunStatus(StrEnum):
    """Lifecycle of a run in the run ledger."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIAL = "partial"
    SKIPPED = "skipped"  # 已跳过: nothing to do on this period (e.g. reminders on a 非工作日)


class Decision(StrEnum):
    """A department's decision (审核意见) on a reviewed item."""

    RETAIN = "保留"
    CANCEL = "取消"
    MODIFY = "修改"
    DELEGATE = "下放"
    ENTRUST = "委托"
    TAKE_BACK = "收回"


class UnitKind(StrEnum):
    """Type (单位类型) of a receiving unit; decides which powers it may lawfully receive."""

    ADMINISTRATIVE_ORGAN = "行政机关"
    TOWNSHIP = "苏木乡镇"
    SUBDISTRICT = "街道"
    PUBLIC_INSTITUTION = "事业单位"
    SOCIAL_ORGANISATION = "社会组织"


UNIT_KIND_ALIASES: dict[str, UnitKind] = {
    "旗县区部门": UnitKind.ADMINISTRATIVE_ORGAN,
    "政府部门": UnitKind.ADMINISTRATIVE_ORGAN,
    "行政部门": UnitKind.ADMINISTRATIVE_ORGAN,
    "苏木": UnitKind.TOWNSHIP,
    "乡镇": UnitKind.TOWNSHIP,
    "乡镇人民政府": UnitKind.TOWNSHIP,
    "苏木乡镇人民政府": UnitKind.TOWNSHIP,
    "街道办事处": UnitKind.SUBDISTRICT,
}
"""Other spellings of a 单位类型 accepted in imports, stored as the canonical word."""

TOWNSHIP_LEVEL_KINDS = frozenset({UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT})
"""Units at the 苏木乡镇（街道） level, the receivers 行政处罚法第二十四条 speaks of."""

NON_ORGAN_KINDS = frozenset({UnitKind.PUBLIC_INSTITUTION, UnitKind.SOCIAL_ORGANISATION})
"""Units that are not 行政机关 (行政许可法第二十四条 allows entrusting licences to organs only)."""


def unit_kind(value: str, unit_name: str = "") -> UnitKind:
    """The canonical 单位类型 for `value`; the combined 苏木乡镇街道 is split by the unit's name.

    Raises ValueError naming the allowed words when `value` is not one of them.
    """
    word = (value or "").strip()
    if word == "苏木乡镇街道":
        return UnitKind.SUBDISTRICT if "街道" in unit_name else UnitKind.TOWNSHIP
    if word in UNIT_KIND_ALIASES:
        return UNIT_KIND_ALIASES[word]
    try:
        return UnitKind(word)
    except ValueError:
        allowed = "、".join(k.value for k in UnitKind)
        raise ValueError(f"单位类型“{word}”无效，应为{allowed}之一") from None


def infer_unit_kind(unit_name: str) -> UnitKind | None:
    """The 单位类型 a unit's name makes certain (…街道办事处, …镇人民政府, …局), else None."""
    name = unit_name.strip()
    if name.endswith(("街道办事处", "街道")):
        return UnitKind.SUBDISTRICT
    if name.endswith("人民政府") and any(w in name for w in ("苏木", "镇", "乡")):
        return UnitKind.TOWNSHIP
    if name.endswith(("局", "厅", "委员会", "办公室")):
        return UnitKind.ADMINISTRATIVE_ORGAN
    return None


class Proposal(StrEnum):
    """A department's proposal (部门意见) on an item or one of its delegations."""

    RETAIN = "保留"
    CANCEL = "取消"
    DELEGATE = "下放"
    ENTRUST = "委托"
    TAKE_BACK = "收回"
    CHANGE = "变更"
    ADD = "新增"
    MERGE = "合并"
    SPLIT = "拆分"


class Verdict(StrEnum):
    """The reviewing office's finding (审核意见) on a proposal."""

    APPROVE = "同意"
    REJECT = "不同意"
    RETURN = "退回修改"


class ProposalState(StrEnum):
    """Where a proposal stands: 待审核 until the reviewing office has decided."""

    PENDING = "待审核"
    APPROVED = "同意"
    REJECTED = "不同意"
    RETURNED = "退回"
