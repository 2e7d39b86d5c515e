"""Items held by peer departments (职责交叉), read once per peer group and run, not per department.

Peers are the departments of one level, parent and 所属地区: one query reads a group's reviewed
items, indexed by 职责交叉 key, and every department of the group looks its items up there.
A process keeps the groups of the run it last worked for (the key includes the run's
generation and start, so a forced re-run or another database reads afresh); a step in any
other process reads its own, so each step still computes its facts alone.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from powerlist.models import Department, PowerItem, Run
from powerlist.review.drafts import REVIEWED_STATUSES
from powerlist.review.facts import HeldElsewhere, ItemFacts
from powerlist.review.legal import normalise_name

GROUPS_KEPT = 16  # a province has hundreds of groups; units come roughly group by group
STREAM_ROWS = 10_000  # a province group's items are read in batches, never all at once

# (department id, code, name, sub_item) of a reviewed item
_Row = tuple[int, str, str, str | None]
_Key = tuple[str, str]
_Group = tuple[Any, ...]  # (level, parent id, 所属地区)


class PeerItems:
    """One run's peer groups' reviewed items by 职责交叉 key (read as needed) and who answers
    for each department's items (机构改革: a merged department's successor)."""

    def __init__(self, session: Session) -> None:
        self.holders = review_holders(session)
        self._groups: OrderedDict[_Group, tuple[dict[_Key, list[_Row]], ...]] = OrderedDict()

    def indexed(self, session: Session, group: _Group) -> tuple[dict[_Key, list[_Row]], ...]:
        """The group's reviewed items by (normalised name, 子项) and by (code, 子项), only
        those whose key another department's item shares (the rest can match no one's)."""
        if group in self._groups:
            self._groups.move_to_end(group)
            return self._groups[group]
        shared = _shared_keys(session, group)
        by_name: dict[_Key, list[_Row]] = defaultdict(list)
        by_code: dict[_Key, list[_Row]] = defaultdict(list)
        for department_id, code, name, sub_item in session.execute(
            select(PowerItem.department_id, PowerItem.code, PowerItem.name, PowerItem.sub_item)
            .where(
                PowerItem.department_id.in_(_peers(group)),
                PowerItem.status.in_(sorted(REVIEWED_STATUSES)),
            )
            .order_by(PowerItem.id),
            execution_options={"yield_per": STREAM_ROWS},
        ):
            row = (department_id, code, name, sub_item)
            sub = normalise_name(sub_item)
            name_key = (normalise_name(name), sub)
            if hash(("n", *name_key)) in shared:
                by_name[name_key].append(row)
            if hash(("c", code, sub)) in shared:
                by_code[(code, sub)].append(row)
        self._groups[group] = (dict(by_name), dict(by_code))
        while len(self._groups) > GROUPS_KEPT:
            self._groups.popitem(last=False)
        return self._groups[group]


def _shared_keys(session: Session, group: _Group) -> set[int]:
    """Hashes of the 职责交叉 keys that items of two or more departments carry, among the
    group's departments and those merged into them (a reviewed department's predecessors).

    Hashes, not keys, keep a province group's pass small; a collision only keeps a few rows
    more, the lookup compares the keys themselves.
    """
    peers = _peers(group)
    merged = select(Department.id).where(Department.merged_into_id.in_(peers))
    owners: dict[int, int] = {}
    for department_id, code, name, sub_item in session.execute(
        select(PowerItem.department_id, PowerItem.code, PowerItem.name, PowerItem.sub_item).where(
            or_(PowerItem.department_id.in_(peers), PowerItem.department_id.in_(merged))
        ),
        execution_options={"yield_per": STREAM_ROWS},
    ):
        sub = normalise_name(sub_item)
        for key in (hash(("n", normalise_name(name), sub)), hash(("c", code, sub))):
            if owners.setdefault(key, department_id) != department_id:
                owners[key] = -1  # a second department: shared
    return {key for key, owner in owners.items() if owner == -1}


def _group(department: Department) -> _Group:
    return (department.level, department.parent_id, department.region)


def _peers(group: _Group) -> Any:
    level, parent_id, region = group
    return select(Department.id).where(
        Department.level == level,
        Department.parent_id.is_(None) if parent_id is None else Department.parent_id == parent_id,
        Department.region.is_(None) if region is None else Department.region == region,
    )


def review_holders(session: Session) -> dict[int, tuple[int, str]]:
    """Department id → (id, name) of the department whose review answers for its items.

    A department merged into an active one (机构改革) is answered for by its successor.
    """
    departments = session.execute(
        select(Department.id, Department.name, Department.active, Department.merged_into_id)
    ).all()
    by_id = {row[0]: row for row in departments}
    holders = {}
    for id_, name, active, merged_into in departments:
        successor = by_id.get(merged_into or 0)
        if not active and successor is not None and successor[2]:
            holders[id_] = (successor[0], successor[1])
        else:
            holders[id_] = (id_, name)
    return holders


def held_elsewhere(
    session: Session,
    peers: PeerItems,
    department: Department,
    own_ids: list[int],
    items: tuple[ItemFacts, ...],
    catalog_codes: set[str],
) -> tuple[HeldElsewhere, ...]:
    """Items the department's peers (same level, parent and 所属地区) hold that match one of
    `items` by normalised name + 子项, or by upper-catalog code + 子项 (职责交叉 candidates).

    Items of a department merged into another are held by the successor; the reviewed
    department's own and its predecessors' items are left out.
    """
    by_name, by_code = peers.indexed(session, _group(department))
    own = set(own_ids)
    out = set()
    for item in items:
        sub = normalise_name(item.sub_item)
        found = by_name.get((normalise_name(item.name), sub), [])
        if item.code in catalog_codes:
            found = found + by_code.get((item.code, sub), [])
        for other_id, code, name, sub_item in found:
            if other_id in own:
                continue
            holder_id, holder_name = peers.holders.get(other_id, (other_id, ""))
            if holder_id != department.id:
                out.add(HeldElsewhere(holder_name, code, name, sub_item))
    return tuple(sorted(out, key=lambda h: (h.department_name, h.code, h.sub_item or "")))


_LAST: dict[tuple[Any, ...], PeerItems] = {}


def peer_items_for_run(session: Session, run_id: int) -> PeerItems:
    """The peer items of this run's execution, kept by the process for the run's next steps.

    A run the runtime has not started (no start time: a caller playing the runtime) is not
    kept: its key could not tell it from a later re-run.
    """
    run = session.execute(select(Run.generation, Run.started_at).where(Run.id == run_id)).one()
    if run.started_at is None:
        return PeerItems(session)
    key = (str(session.get_bind().url), run_id, run.generation, run.started_at)
    if key not in _LAST:
        _LAST.clear()  # one run at a time: a long-lived worker does not pile them up
        _LAST[key] = PeerItems(session)
    return _LAST[key]
