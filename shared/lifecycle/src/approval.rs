//! A circular submitted for approval, approved by a second person, or sent back with a
//! comment: each step checked by [`crate::rules`] and landed only if the circular is still as
//! its taker saw it.

use crate::rules::{Policy, Step, APPROVE, SEND_BACK, SUBMIT};
use crate::LifecycleError;
use circulars_core::domain::{Actor, CircularId};
use circulars_store::{ApprovalMark, StateChange, Store};
use serde_json::json;
use tracing::info;

/// Hands a draft to the approvers (a drafter's step).
pub async fn submit(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    id: &CircularId,
) -> Result<(), LifecycleError> {
    take(
        store,
        policy,
        actor,
        id,
        &SUBMIT,
        None,
        json!({}),
        ApprovalMark::Keep,
    )
    .await
}

/// Approves a submitted circular as it stands at `revision` (the one the approver read;
/// `None`: the current one). An approver may not approve what they drafted or last edited.
pub async fn approve(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    id: &CircularId,
    revision: Option<i64>,
) -> Result<(), LifecycleError> {
    policy.allow(actor, APPROVE.role)?;
    let life = store.existing_life(id).await?;
    let name = actor.name();
    if life.drafted_by == name || life.edited_by == name {
        return Err(LifecycleError::OwnCircular {
            id: id.clone(),
            actor: name,
        });
    }
    let revision = revision.unwrap_or(life.revision);
    let detail = json!({ "revision": revision });
    take(
        store,
        policy,
        actor,
        id,
        &APPROVE,
        Some(revision),
        detail,
        ApprovalMark::Set,
    )
    .await
}

/// Returns a submitted circular to draft, with the approver's comment for its drafter.
pub async fn send_back(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    id: &CircularId,
    comment: &str,
) -> Result<(), LifecycleError> {
    let comment = comment.trim();
    if comment.is_empty() {
        return Err(LifecycleError::CommentNeeded);
    }
    let detail = json!({ "comment": comment });
    take(
        store,
        policy,
        actor,
        id,
        &SEND_BACK,
        None,
        detail,
        ApprovalMark::Clear,
    )
    .await
}

/// Takes `step` on the circular: the actor's role checked, then the change landed only if the
/// circular is still in a state the step starts from (and at `revision` when given).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn take(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    id: &CircularId,
    step: &Step,
    revision: Option<i64>,
    detail: serde_json::Value,
    approval: ApprovalMark,
) -> Result<(), LifecycleError> {
    policy.allow(actor, step.role)?;
    let by = actor.name();
    let change = StateChange {
        from: step.from,
        revision,
        to: step.to,
        action: step.action,
        by: &by,
        via: actor.via,
        detail,
        approval,
    };
    if store.change_state(id, &change).await? {
        info!(circular = %id, by = %by, via = %actor.via, step = step.action, "circular {}", step.action);
        return Ok(());
    }
    // It did not land: say why, from the circular as it is now.
    let life = store.existing_life(id).await?;
    if !step.from.contains(&life.state) {
        return Err(LifecycleError::WrongState {
            id: id.clone(),
            state: life.state,
            step: step.action,
        });
    }
    if approval == ApprovalMark::Set && (life.drafted_by == by || life.edited_by == by) {
        return Err(LifecycleError::OwnCircular {
            id: id.clone(),
            actor: by,
        });
    }
    Err(LifecycleError::Changed {
        id: id.clone(),
        seen: revision.unwrap_or(life.revision),
        now: life.revision,
    })
}
