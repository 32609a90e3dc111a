"""The review state machine and who may do what: pure functions, no database.

submitted --start_review--> under_review --approve--> approved
                                         --request_changes--> changes_requested --resubmit--> submitted
                                         --reject--> rejected
A new version (an edit, or Medora's answer after its sources changed) sends any article that is
not rejected back to submitted.
"""

from __future__ import annotations

from medora.errors import Conflict, Forbidden
from medora.review.models import Action, Role, State, User, Version

TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.SUBMITTED, Action.START_REVIEW): State.UNDER_REVIEW,
    (State.UNDER_REVIEW, Action.APPROVE): State.APPROVED,
    (State.UNDER_REVIEW, Action.REQUEST_CHANGES): State.CHANGES_REQUESTED,
    (State.UNDER_REVIEW, Action.REJECT): State.REJECTED,
    (State.CHANGES_REQUESTED, Action.RESUBMIT): State.SUBMITTED,
}
# new versions: from every state but rejected, back to submitted
for _state in (State.SUBMITTED, State.UNDER_REVIEW, State.CHANGES_REQUESTED, State.APPROVED):
    for _action in (Action.EDIT, Action.SOURCES_CHANGED):
        TRANSITIONS[(_state, _action)] = State.SUBMITTED

# Which roles may take each action (SOURCES_CHANGED and SUBMIT are Medora's own and anyone's).
ALLOWED_ROLES: dict[Action, frozenset[Role]] = {
    Action.START_REVIEW: frozenset({Role.REVIEWER}),
    Action.APPROVE: frozenset({Role.REVIEWER}),
    Action.REQUEST_CHANGES: frozenset({Role.REVIEWER}),
    Action.REJECT: frozenset({Role.REVIEWER}),
    Action.RESUBMIT: frozenset({Role.EDITOR, Role.ADMIN}),
    Action.EDIT: frozenset({Role.EDITOR, Role.REVIEWER, Role.ADMIN}),
}
NEEDS_COMMENT = frozenset({Action.REQUEST_CHANGES, Action.REJECT})  # the editor must know what to fix, or why
REVIEW_ACTIONS = (Action.START_REVIEW, Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT, Action.RESUBMIT)


class InvalidTransition(Conflict):
    hint = "Reload the article: its state may have changed; allowed actions are listed on its review page."


def next_state(state: State, action: Action) -> State:
    """The state `action` leads to from `state`, or InvalidTransition (HTTP 409)."""
    try:
        return TRANSITIONS[(State(state), Action(action))]
    except KeyError:
        allowed = ", ".join(a.value for (s, a) in TRANSITIONS if s == state) or "none"
        raise InvalidTransition(
            f"cannot {Action(action).value} an article that is {State(state).value} "
            f"(allowed from {State(state).value}: {allowed})"
        ) from None


def check_permission(user: User | None, action: Action, *, version_author_id: int | None = None) -> None:
    """Forbidden (403) unless `user` may take `action`; nobody approves a version they edited."""
    if action in (Action.SUBMIT, Action.SOURCES_CHANGED):
        return
    if user is None or not user.active:
        raise Forbidden(f"{action.value} needs a signed-in account")
    roles = ALLOWED_ROLES[action]
    if user.role not in roles:
        who = " or ".join(sorted(r.value for r in roles))
        raise Forbidden(f"only a {who} may {action.value.replace('_', ' ')}; you are signed in as {user.role.value}")
    if action == Action.APPROVE and version_author_id is not None and version_author_id == user.id:
        raise Forbidden(
            "you edited this version, so another reviewer must approve it",
            hint="Ask another member of the advisory board to review it.",
        )


def can_comment(user: User | None) -> bool:
    return user is not None and user.active


def actions_for(user: User | None, state: State, version_author_id: int | None = None) -> list[Action]:
    """The review actions this user could take now (what the review page offers as buttons)."""
    out = []
    for action in REVIEW_ACTIONS:
        if (state, action) not in TRANSITIONS:
            continue
        try:
            check_permission(user, action, version_author_id=version_author_id)
        except Forbidden:
            continue
        out.append(action)
    return out


def authored_since_approval(versions: list[Version], approved_version: int | None, user: User) -> bool:
    """Whether `user` wrote a version after the last approved one (so may not approve the article now)."""
    return any(v.author_id == user.id and v.number > (approved_version or 0) for v in versions)


def can_edit(user: User, state: State) -> bool:
    """Whether the review page offers `user` the edit form: an editing role, an article not rejected."""
    return user.role in ALLOWED_ROLES[Action.EDIT] and (state, Action.EDIT) in TRANSITIONS


def edit_blocks_approval(user: User, state: State, authored: bool) -> bool:
    """A reviewer whose own edit is under review sees why Approve is not offered."""
    return authored and user.role == Role.REVIEWER and state == State.UNDER_REVIEW
