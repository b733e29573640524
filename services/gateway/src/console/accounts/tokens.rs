//! An account's API tokens: `POST /staff/accounts/{name}/tokens` creates one
//! (`circulars_staff::create_token`) and shows it once; `POST …/tokens/{id}/revoke` revokes
//! one of that account's (`circulars_staff::revoke_token`).

use super::account::{account_page, Attempt};
use super::{account_path, named_account, not_found, refused, ShownOncePage, ACCOUNT_PATH};
use crate::console::page::render;
use crate::console::posted::Posted;
use crate::console::sign_in::see_other;
use crate::console::staff::{Denied, Staff, StaffState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::domain::Role;
use circulars_staff::StaffError;

/// `POST /staff/accounts/{name}/tokens`: a token labelled as the form says, shown once; the
/// account's page again with what is wrong (422).
pub async fn create(
    State(state): State<StaffState>,
    staff: Staff,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let form = Posted::parse(&body);
    staff.check_csrf(form.get("csrf"))?;
    let name = named_account(&staff, &name)?;
    let label = form.get("label").unwrap_or_default();
    let error = match circulars_staff::create_token(&state.ctx.store, &staff.actor, &name, label)
        .await
    {
        Ok(new) => {
            tracing::info!(staff = %staff.actor.name(), account = %name, token = new.token.id, "API token created from a page");
            return Ok(ShownOncePage::answer(
                &staff,
                "tokens-created-title",
                staff
                    .page
                    .t_arg("tokens-created-intro", "name", name.as_str()),
                new.secret.expose_secret(),
                account_path(ACCOUNT_PATH, &name),
            ));
        }
        Err(e @ (StaffError::NoLabel | StaffError::Disabled(_))) => e.to_string(),
        Err(e) => return Err(refused(&staff, e)),
    };
    let attempt = Attempt {
        label: label.trim(),
        label_error: Some(error),
        ..Attempt::default()
    };
    let page = account_page(&state, &staff, &name, &attempt).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `POST /staff/accounts/{name}/tokens/{id}/revoke`: the token revoked, then the account's
/// page; a token that is not this account's is not found (404).
pub async fn revoke(
    State(state): State<StaffState>,
    staff: Staff,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    staff.check_csrf(Posted::parse(&body).get("csrf"))?;
    let name = named_account(&staff, &name)?;
    let unknown = |id: &str| not_found(&staff, &format!("there is no API token {id}"));
    let id: i64 = id.parse().map_err(|_| unknown(&id))?;
    let held = circulars_staff::tokens(&state.ctx.store, &staff.actor, &name)
        .await
        .map_err(|e| refused(&staff, e))?;
    if !held.iter().any(|t| t.id == id) {
        return Err(refused(&staff, StaffError::UnknownToken(id)));
    }
    circulars_staff::revoke_token(&state.ctx.store, &staff.actor, id)
        .await
        .map_err(|e| refused(&staff, e))?;
    tracing::info!(staff = %staff.actor.name(), account = %name, token = id, "API token revoked from a page");
    Ok(see_other(&account_path(ACCOUNT_PATH, &name)))
}
