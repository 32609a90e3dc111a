"""The review state machine and permissions: pure functions, checked against tables written out by hand."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from medora.errors import Conflict, Forbidden
from medora.review.models import Action, Role, State, User, Version
from medora.review.workflow import (
    ALLOWED_ROLES,
    NEEDS_COMMENT,
    TRANSITIONS,
    InvalidTransition,
    actions_for,
    authored_since_approval,
    can_comment,
    can_edit,
    check_permission,
    edit_blocks_approval,
    next_state,
)

pytestmark = pytest.mark.unit

S, A = State, Action
# The workflow as the issue describes it, written independently of TRANSITIONS.
EXPECTED = {
    (S.SUBMITTED, A.START_REVIEW): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, A.APPROVE): S.APPROVED,
    (S.UNDER_REVIEW, A.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.UNDER_REVIEW, A.REJECT): S.REJECTED,
    (S.CHANGES_REQUESTED, A.RESUBMIT): S.SUBMITTED,
    # a new version (an edit, or Medora's answer after its sources changed) sends any live article back
    **{
        (s, a): S.SUBMITTED
        for s in (S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.APPROVED)
        for a in (A.EDIT, A.SOURCES_CHANGED)
    },
}
PAIRS = [(s, a) for s, a in itertools.product(State, Action) if a != A.SUBMIT]

# Who may do what (the advisory board reviews; editors edit and resubmit; admins approve nothing).
MAY = {
    Role.REVIEWER: {A.START_REVIEW, A.APPROVE, A.REQUEST_CHANGES, A.REJECT, A.EDIT},
    Role.EDITOR: {A.RESUBMIT, A.EDIT},
    Role.ADMIN: {A.RESUBMIT, A.EDIT},
}
GATED = [A.START_REVIEW, A.APPROVE, A.REQUEST_CHANGES, A.REJECT, A.RESUBMIT, A.EDIT]


def user(role: Role, uid: int = 1, active: bool = True) -> User:
    return User(
        id=uid,
        username=f"{role.value}{uid}",
        display_name=f"{role.value} {uid}",
        role=role,
        active=active,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_the_transition_table_is_exactly_the_documented_workflow() -> None:
    assert TRANSITIONS == EXPECTED
    assert all(s != S.REJECTED for s, _ in TRANSITIONS)  # rejected is final
    assert NEEDS_COMMENT == {A.REQUEST_CHANGES, A.REJECT}


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s.value}-{a.value}" for s, a in PAIRS])
def test_every_state_action_pair_moves_or_is_refused_with_409(state: State, action: Action) -> None:
    if (state, action) in EXPECTED:
        assert next_state(state, action) == EXPECTED[(state, action)]
        assert next_state(state.value, action.value) == EXPECTED[(state, action)]  # plain strings too
        return
    with pytest.raises(InvalidTransition) as err:
        next_state(state, action)
    assert isinstance(err.value, Conflict) and err.value.status == 409
    assert f"cannot {action.value} an article that is {state.value}" in err.value.message
    allowed = sorted(a.value for (s, a) in EXPECTED if s == state)
    tail = err.value.message.split(f"allowed from {state.value}: ")[1].rstrip(")")
    assert sorted(tail.split(", ")) == (allowed or ["none"])


@pytest.mark.parametrize(
    ("role", "action"),
    list(itertools.product(Role, GATED)),
    ids=[f"{r.value}-{a.value}" for r, a in itertools.product(Role, GATED)],
)
def test_each_role_may_take_exactly_its_actions(role: Role, action: Action) -> None:
    assert (role in ALLOWED_ROLES[action]) == (action in MAY[role])
    if action in MAY[role]:
        check_permission(user(role), action)
    else:
        with pytest.raises(Forbidden) as err:
            check_permission(user(role), action)
        assert err.value.status == 403 and role.value in err.value.message


@pytest.mark.parametrize("action", GATED)
def test_anonymous_and_inactive_users_may_do_nothing(action: Action) -> None:
    for who in (
        None,
        user(Role.REVIEWER, active=False),
        user(Role.EDITOR, active=False),
        user(Role.ADMIN, active=False),
    ):
        with pytest.raises(Forbidden, match="signed-in account") as err:
            check_permission(who, action)
        assert err.value.status == 403
    assert not can_comment(None) and not can_comment(user(Role.REVIEWER, active=False))
    assert can_comment(user(Role.EDITOR))


def test_submit_and_sources_changed_need_no_account() -> None:
    check_permission(None, A.SUBMIT)
    check_permission(None, A.SOURCES_CHANGED)


def test_a_reviewer_cannot_approve_a_version_they_authored() -> None:
    rita = user(Role.REVIEWER, uid=7)
    with pytest.raises(Forbidden, match="another reviewer") as err:
        check_permission(rita, A.APPROVE, version_author_id=7)
    assert err.value.status == 403
    check_permission(rita, A.APPROVE, version_author_id=8)  # someone else's edit
    check_permission(rita, A.APPROVE, version_author_id=None)  # Medora's own answer
    for action in (A.START_REVIEW, A.REQUEST_CHANGES, A.REJECT):  # only approval is barred
        check_permission(rita, action, version_author_id=7)


def test_actions_for_offers_what_the_review_page_should_show() -> None:
    rita, eve, ada = user(Role.REVIEWER, 1), user(Role.EDITOR, 2), user(Role.ADMIN, 3)
    assert actions_for(rita, S.SUBMITTED) == [A.START_REVIEW]
    assert actions_for(rita, S.UNDER_REVIEW) == [A.APPROVE, A.REQUEST_CHANGES, A.REJECT]
    assert actions_for(rita, S.UNDER_REVIEW, version_author_id=1) == [A.REQUEST_CHANGES, A.REJECT]
    assert actions_for(rita, S.UNDER_REVIEW, version_author_id=2) == [A.APPROVE, A.REQUEST_CHANGES, A.REJECT]
    assert actions_for(rita, S.CHANGES_REQUESTED) == []
    for who in (eve, ada):
        assert actions_for(who, S.SUBMITTED) == []
        assert actions_for(who, S.UNDER_REVIEW) == []
        assert actions_for(who, S.CHANGES_REQUESTED) == [A.RESUBMIT]
    for who in (rita, eve, ada, None, user(Role.REVIEWER, 4, active=False)):
        assert actions_for(who, S.APPROVED) == []
        assert actions_for(who, S.REJECTED) == []
    for state in State:
        assert actions_for(None, state) == []
        assert actions_for(user(Role.REVIEWER, 4, active=False), state) == []
        # edits are not buttons: they are offered through the edit form
        assert all(
            a in (A.START_REVIEW, A.APPROVE, A.REQUEST_CHANGES, A.REJECT, A.RESUBMIT)
            for a in actions_for(rita, state) + actions_for(eve, state)
        )


def test_who_is_offered_the_edit_form() -> None:
    for state, role in itertools.product(State, Role):
        # every role edits (reviewers, editors and admins), and any article but a rejected one
        assert can_edit(user(role), state) is (state != S.REJECTED)


def version(number: int, author_id: int | None) -> Version:
    return Version.model_construct(number=number, author_id=author_id)  # the rule reads only these two


def test_an_own_edit_since_the_last_approval_blocks_approving() -> None:
    rita = user(Role.REVIEWER, 1)
    versions = [version(1, None), version(2, 1), version(3, 2)]
    assert authored_since_approval(versions, None, rita)
    assert not authored_since_approval(versions, 2, rita)  # her edit is version 2, approved since
    assert authored_since_approval(versions, 1, rita)
    assert edit_blocks_approval(rita, S.UNDER_REVIEW, True)
    assert not edit_blocks_approval(rita, S.SUBMITTED, True)
    assert not edit_blocks_approval(rita, S.UNDER_REVIEW, False)
    assert not edit_blocks_approval(user(Role.EDITOR, 1), S.UNDER_REVIEW, True)
