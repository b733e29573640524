//! The `POST`s of a circular's steps from its page: submit, approve (at the revision the page
//! showed), send back (with a comment), pause, resume and cancel. Each checks the form's CSRF
//! token, then the role it needs, then calls the lifecycle's function and answers `303` to the
//! circular's page; a refusal shows the page again with the lifecycle's words in the error
//! summary (and beside the comment when the comment is what is missing).

use super::view::{self, Refused, COMMENT_FIELD, REVISION_FIELD};
use super::{circular_path, failure, stored_circular, FormFields};
use crate::console::sign_in::see_other;
use crate::console::staff::{Denied, Staff, StaffState};
use crate::console::CSRF_FIELD;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::domain::{CircularId, Role};
use circulars_core::nats::control::DispatchState;
use circulars_lifecycle::LifecycleError;
use circulars_store::StoreError;

/// The field of a step's form naming the page to return to (`delivery`: the delivery page;
/// anything else or none: the circular's page).
pub const BACK_FIELD: &str = "back";

/// A step taken from a circular's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    /// Submit for approval.
    Submit,
    /// Approve at the revision the form carries.
    Approve,
    /// Send back with the form's comment.
    SendBack,
    /// Pause, resume or cancel sending.
    Dispatch(DispatchState),
}

impl Taken {
    /// The role the step needs (the one its route declares).
    pub fn role(self) -> Role {
        match self {
            Taken::Submit => Role::Drafter,
            Taken::Approve | Taken::SendBack => Role::Approver,
            Taken::Dispatch(_) => Role::Operator,
        }
    }
}

/// The status a refused step answers with: 403 when the account may not take it, 404 when the
/// circular is gone, 422 when the form lacks something, 409 when the circular's state or
/// revision stands in the way; `None` when the server failed (a 500, logged).
pub fn refusal_status(error: &LifecycleError) -> Option<StatusCode> {
    match error {
        LifecycleError::NotAllowed { .. } | LifecycleError::AccountNeeded => {
            Some(StatusCode::FORBIDDEN)
        }
        LifecycleError::Store(StoreError::UnknownCircular(_)) => Some(StatusCode::NOT_FOUND),
        LifecycleError::CommentNeeded | LifecycleError::Invalid(_) | LifecycleError::Read(_) => {
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        }
        LifecycleError::OwnCircular { .. }
        | LifecycleError::WrongState { .. }
        | LifecycleError::NeedsApproval { .. }
        | LifecycleError::Changed { .. }
        | LifecycleError::NotIssued(_)
        | LifecycleError::Store(StoreError::AlreadyIssued(_)) => Some(StatusCode::CONFLICT),
        LifecycleError::Store(_) | LifecycleError::Bus(_) | LifecycleError::Wording(_) => None,
    }
}

/// The circular's page again, as it stands now, saying why `error` refused the step; the
/// comment typed shown again.
pub async fn refused(
    state: &StaffState,
    staff: &Staff,
    id: &CircularId,
    error: LifecycleError,
    comment: Option<&str>,
) -> Result<Response, Denied> {
    let Some(status) = refusal_status(&error) else {
        return Err(failure(staff, &error));
    };
    let stored = stored_circular(state, staff, id.as_str()).await?;
    let refused = Refused {
        message: error.to_string(),
        on_comment: matches!(error, LifecycleError::CommentNeeded),
        comment: comment.unwrap_or_default().to_owned(),
    };
    view::show(state, staff, &stored, Some(&refused), status).await
}

/// Takes `taken` on circular `id` as the form `body` asks.
async fn take(
    state: StaffState,
    staff: Staff,
    id: String,
    body: Bytes,
    taken: Taken,
) -> Result<Response, Denied> {
    let form = FormFields::parse(&body);
    staff.check_csrf(form.get(CSRF_FIELD))?;
    staff.require(taken.role())?;
    let id = stored_circular(&state, &staff, &id).await?.circular.id;
    let (store, policy, actor) = (&state.ctx.store, state.policy, &staff.actor);
    let done = match taken {
        Taken::Submit => circulars_lifecycle::submit(store, policy, actor, &id).await,
        Taken::Approve => {
            // The revision the page showed: an approval of anything else is refused as changed.
            let Some(Ok(revision)) = form.get(REVISION_FIELD).map(|r| r.trim().parse::<i64>())
            else {
                let stored = stored_circular(&state, &staff, id.as_str()).await?;
                let refused = Refused {
                    message: staff.page.t("step-approve-no-revision"),
                    ..Refused::default()
                };
                return view::show(
                    &state,
                    &staff,
                    &stored,
                    Some(&refused),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            };
            circulars_lifecycle::approve(store, policy, actor, &id, Some(revision)).await
        }
        Taken::SendBack => {
            let comment = form.get(COMMENT_FIELD).unwrap_or_default();
            circulars_lifecycle::send_back(store, policy, actor, &id, comment).await
        }
        Taken::Dispatch(to) => {
            circulars_lifecycle::set_dispatch_state(store, &state.ctx.bus, policy, actor, &id, to)
                .await
        }
    };
    match done {
        // A pause, resume or cancel pressed on the delivery page returns there.
        Ok(()) if form.get(BACK_FIELD) == Some("delivery") => {
            Ok(see_other(&super::step_path(&id, "delivery")))
        }
        Ok(()) => Ok(see_other(&circular_path(&id))),
        Err(error) => refused(&state, &staff, &id, error, form.get(COMMENT_FIELD)).await,
    }
}

/// `POST /staff/circulars/{id}/submit` (drafter).
pub async fn submit(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    take(state, staff, id, body, Taken::Submit).await
}

/// `POST /staff/circulars/{id}/approve` (approver), with the `revision` shown.
pub async fn approve(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    take(state, staff, id, body, Taken::Approve).await
}

/// `POST /staff/circulars/{id}/send-back` (approver), with a `comment`.
pub async fn send_back(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    take(state, staff, id, body, Taken::SendBack).await
}

/// `POST /staff/circulars/{id}/pause` (operator).
pub async fn pause(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    take(
        state,
        staff,
        id,
        body,
        Taken::Dispatch(DispatchState::Paused),
    )
    .await
}

/// `POST /staff/circulars/{id}/resume` (operator).
pub async fn resume(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    take(
        state,
        staff,
        id,
        body,
        Taken::Dispatch(DispatchState::Running),
    )
    .await
}

/// `POST /staff/circulars/{id}/cancel` (operator).
pub async fn cancel(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    take(
        state,
        staff,
        id,
        body,
        Taken::Dispatch(DispatchState::Cancelled),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::CircularState;

    fn id() -> CircularId {
        CircularId::new("TSB", 36).unwrap()
    }

    #[test]
    fn each_refusal_answers_with_the_status_that_says_whose_move_it_is() {
        let cases = [
            (
                LifecycleError::NotAllowed {
                    actor: "ana".into(),
                    needs: Role::Approver,
                },
                Some(StatusCode::FORBIDDEN),
            ),
            (LifecycleError::AccountNeeded, Some(StatusCode::FORBIDDEN)),
            (
                LifecycleError::Store(StoreError::UnknownCircular(id())),
                Some(StatusCode::NOT_FOUND),
            ),
            (
                LifecycleError::CommentNeeded,
                Some(StatusCode::UNPROCESSABLE_ENTITY),
            ),
            (
                LifecycleError::OwnCircular {
                    id: id(),
                    actor: "ana".into(),
                },
                Some(StatusCode::CONFLICT),
            ),
            (
                LifecycleError::WrongState {
                    id: id(),
                    state: CircularState::Draft,
                    step: "approved",
                },
                Some(StatusCode::CONFLICT),
            ),
            (
                LifecycleError::NeedsApproval {
                    id: id(),
                    state: CircularState::Submitted,
                },
                Some(StatusCode::CONFLICT),
            ),
            (
                LifecycleError::Changed {
                    id: id(),
                    seen: 1,
                    now: 2,
                },
                Some(StatusCode::CONFLICT),
            ),
            (
                LifecycleError::Store(StoreError::AlreadyIssued(id())),
                Some(StatusCode::CONFLICT),
            ),
        ];
        for (error, status) in cases {
            assert_eq!(refusal_status(&error), status, "{error}");
        }
    }

    #[test]
    fn each_step_needs_the_role_its_route_declares() {
        let declared = super::super::routes();
        for (step, taken) in [
            ("submit", Taken::Submit),
            ("approve", Taken::Approve),
            ("send-back", Taken::SendBack),
            ("pause", Taken::Dispatch(DispatchState::Paused)),
            ("resume", Taken::Dispatch(DispatchState::Running)),
            ("cancel", Taken::Dispatch(DispatchState::Cancelled)),
        ] {
            let path = format!("/staff/circulars/{{id}}/{step}");
            let route = declared
                .iter()
                .find(|r| r.method == axum::http::Method::POST && r.path == path)
                .unwrap_or_else(|| panic!("no POST {path}"));
            assert_eq!(route.role, Some(taken.role()), "{path}");
        }
    }
}
