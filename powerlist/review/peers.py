"""Items held by peer departments (职责交叉), indexed once per run rather than per department.

One query reads every item; only the reviewed items whose name or code key is shared with
another department's item are kept, so each department's lookup is a few dictionary hits.
A process keeps the index of the run it last worked for (its key includes the run's
generation and start, so a forced re-run or another database builds a fresh one); a step in
any other process builds its own, so each step still computes its facts alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.models import Department, PowerItem, Run
from powerlist.review.drafts import REVIEWED_STATUSES
from powerlist.review.facts import HeldElsewhere, ItemFacts
from powerlist.review.legal import normalise_name

_REGION = getattr(Department, "region", None)

# (department id, code, name, sub_item) of a reviewed item another department may also hold
_Row = tuple[int, str, str, str | None]


@dataclass(frozen=True)
class PeerItems:
    """Reviewed items by 职责交叉 key, each department's peer group and its review holder."""

    by_name: dict[tuple[str, str], list[_Row]]
    by_code: dict[tuple[str, str], list[_Row]]
    groups: dict[int, tuple[Any, ...]]  # department id → (level, parent, 所属地区)
    holders: dict[int, tuple[int, str]]  # department id → (id, name) answering for its items


def peer_items(session: Session) -> PeerItems:
    """Index every reviewed item whose name or code key another department's item shares."""
    departments = session.execute(
        select(
            Department.id,
            Department.name,
            Department.active,
            Department.merged_into_id,
            Department.level,
            Department.parent_id,
            _REGION if _REGION is not None else Department.id,
        )
    ).all()
    groups = {
        row[0]: (row[4], row[5], row[6] if _REGION is not None else None) for row in departments
    }
    rows = session.execute(
        select(
            PowerItem.department_id,
            PowerItem.code,
            PowerItem.name,
            PowerItem.sub_item,
            PowerItem.status,
        )
    ).all()
    name_holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    code_holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    keyed = []
    for department_id, code, name, sub_item, status in rows:
        sub = normalise_name(sub_item)
        name_key, code_key = (normalise_name(name), sub), (code, sub)
        name_holders[name_key].add(department_id)
        code_holders[code_key].add(department_id)
        if status in REVIEWED_STATUSES:
            keyed.append((name_key, code_key, (department_id, code, name, sub_item)))
    by_name: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    by_code: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for name_key, code_key, row in keyed:
        if len(name_holders[name_key]) > 1:
            by_name[name_key].append(row)
        if len(code_holders[code_key]) > 1:
            by_code[code_key].append(row)
    return PeerItems(dict(by_name), dict(by_code), groups, _holders(departments))


def _holders(departments: Iterable[Any]) -> dict[int, tuple[int, str]]:
    """A department merged into an active one (机构改革) is answered for by its successor."""
    by_id = {row[0]: row for row in departments}
    holders = {}
    for id_, name, active, merged_into, *_ in by_id.values():
        successor = by_id.get(merged_into or 0)
        if not active and successor is not None and successor[2]:
            holders[id_] = (successor[0], successor[1])
        else:
            holders[id_] = (id_, name)
    return holders


def held_elsewhere(
    peers: PeerItems,
    department_id: int,
    own_ids: list[int],
    items: tuple[ItemFacts, ...],
    catalog_codes: set[str],
) -> tuple[HeldElsewhere, ...]:
    """Items the department's peers (same level, parent and 所属地区) hold that match one of
    `items` by normalised name + 子项, or by upper-catalog code + 子项 (职责交叉 candidates).

    Items of a department merged into another are held by the successor; the reviewed
    department's own and its predecessors' items are left out.
    """
    group = peers.groups.get(department_id)
    own = set(own_ids)
    out = set()
    for item in items:
        sub = normalise_name(item.sub_item)
        found = peers.by_name.get((normalise_name(item.name), sub), [])
        if item.code in catalog_codes:
            found = found + peers.by_code.get((item.code, sub), [])
        for other_id, code, name, sub_item in found:
            if other_id in own or peers.groups.get(other_id) != group:
                continue
            holder_id, holder_name = peers.holders.get(other_id, (other_id, ""))
            if holder_id != department_id:
                out.add(HeldElsewhere(holder_name, code, name, sub_item))
    return tuple(sorted(out, key=lambda h: (h.department_name, h.code, h.sub_item or "")))


_LAST: dict[tuple[Any, ...], PeerItems] = {}


def peer_items_for_run(session: Session, run_id: int) -> PeerItems:
    """The peer index of this run's execution, built once per process and reused by its steps.

    A run the runtime has not started (no start time: a caller playing the runtime) is not
    cached, nor kept: its key could not tell it from a later re-run.
    """
    run = session.execute(select(Run.generation, Run.started_at).where(Run.id == run_id)).one()
    if run.started_at is None:
        return peer_items(session)
    key = (str(session.get_bind().url), run_id, run.generation, run.started_at)
    if key not in _LAST:
        _LAST.clear()  # one run's index at a time: a long-lived worker does not pile them up
        _LAST[key] = peer_items(session)
    return _LAST[key]
