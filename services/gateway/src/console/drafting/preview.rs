//! The preview of a stored circular: its six versions exactly as recipients get them (the
//! lifecycle's [`circulars_lifecycle::versions`], the composer's rendering), side by side.
//! The console's policy forbids inline style and the mails are made of it, so each version is
//! served from its own route with a policy of its own ([`RENDERED_MAIL_POLICY`]) and shown in
//! an `<iframe sandbox>` titled for screen readers; the page itself may frame only the
//! console ([`PREVIEW_PAGE_POLICY`]). "Send me a test copy" sends all six to an address.

use super::{circular_path, edit_path, not_found, TEST_COPIES_PATH, VERSION_PATH};
use crate::console::csrf::{RefusedPage, CSRF_FIELD};
use crate::console::form::{Field, InputKind};
use crate::console::security::{set_own_policy, PREVIEW_PAGE_POLICY, RENDERED_MAIL_POLICY};
use crate::console::staff::render_failure;
use crate::console::{render, Denied, Layout, Staff, StaffState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use circulars_core::domain::{Annex, Circular, CircularId, Language, RecipientAddress, Role};
use circulars_lifecycle::Version;
use std::collections::HashMap;
use tracing::error;

/// The field of the test copies' address.
pub const TO_FIELD: &str = "to";

/// One version's frame.
pub struct Frame {
    /// `fr`.
    pub code: &'static str,
    /// The language's name in the page's language.
    pub name: String,
    /// The version's subject, as its recipients read it.
    pub subject: String,
    /// The version's route.
    pub src: String,
    /// The frame's title, for screen readers.
    pub title: String,
}

/// The preview page's template.
#[derive(Template)]
#[template(path = "drafting/preview.html")]
pub struct PreviewPage {
    /// The frame of the page.
    pub layout: Layout,
    /// The six versions.
    pub frames: Vec<Frame>,
    /// Where the form of test copies posts; `None` for an account that is no drafter.
    pub test_copies: Option<String>,
    /// The test copies' address.
    pub to: Field,
    /// The session's CSRF token.
    pub csrf: String,
    /// The circular's page.
    pub circular: String,
    /// Its draft form.
    pub edit: String,
}

/// The test copies' answer.
#[derive(Template)]
#[template(path = "drafting/test_copies.html")]
pub struct TestCopiesPage {
    /// The frame of the page.
    pub layout: Layout,
    /// What each language's copy gave, in the CLI's words.
    pub lines: Vec<String>,
    /// The preview again.
    pub back: String,
}

/// `GET /staff/circulars/{id}/preview`.
pub async fn page(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, Denied> {
    let (circular, annexes) = stored(&state, &staff, &id).await?;
    let versions = versions(&state, &staff, &circular, &annexes, None)?;
    let page = preview_page(&staff, &circular.id, &versions, None);
    Ok(framing(render(StatusCode::OK, &page)))
}

/// `GET /staff/circulars/{id}/preview/{lang}`: one version's HTML, as its recipients get it.
pub async fn version(
    State(state): State<StaffState>,
    staff: Staff,
    Path((id, lang)): Path<(String, String)>,
) -> Result<Response, Denied> {
    let language = lang
        .parse::<Language>()
        .map_err(|_| not_found(&staff, &format!("{id}/{lang}")))?;
    let (circular, annexes) = stored(&state, &staff, &id).await?;
    let versions = versions(&state, &staff, &circular, &annexes, None)?;
    let html = versions
        .into_iter()
        .find(|v| v.language == language)
        .map(|v| v.html)
        .unwrap_or_default();
    let mut answer = (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response();
    set_own_policy(answer.headers_mut(), RENDERED_MAIL_POLICY, "SAMEORIGIN");
    Ok(answer)
}

/// `POST /staff/circulars/{id}/test-copies`: the six versions sent to the address given, each
/// subject marked as a test copy; the answer says what each relay replied.
pub async fn test_copies(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Denied> {
    staff.require(Role::Drafter)?;
    staff.check_csrf(form.get(CSRF_FIELD).map(String::as_str))?;
    let (circular, annexes) = stored(&state, &staff, &id).await?;
    let typed = form.get(TO_FIELD).map(|s| s.trim()).unwrap_or_default();
    let to = match RecipientAddress::parse(typed) {
        Ok(to) => to,
        Err(e) => {
            let versions = versions(&state, &staff, &circular, &annexes, None)?;
            let mut page = preview_page(&staff, &circular.id, &versions, Some(typed));
            page.to.error = Some(format!("{TO_FIELD}: {e}"));
            let summary = crate::console::ErrorSummary::of_fields([&page.to]);
            page.layout = page.layout.with_errors(summary);
            return Ok(framing(render(StatusCode::UNPROCESSABLE_ENTITY, &page)));
        }
    };
    let config = &state.ctx.config;
    let relays =
        circulars_relays::Relays::from_config(&config.smtp).map_err(|e| failed(&staff, &e))?;
    let sent = circulars_lifecycle::send_test_copies(config, &relays, &circular, &annexes, &to)
        .await
        .map_err(|e| failed(&staff, &e))?;
    let all_sent = sent.iter().all(|s| s.reply.is_ok());
    let lines = sent
        .iter()
        .map(|s| match &s.reply {
            Ok(reply) => format!(
                "{}: sent to {to} through {} ({})",
                s.language, s.relay, reply.code
            ),
            Err(e) => format!("{}: not sent to {to} through {}: {e}", s.language, s.relay),
        })
        .collect();
    let mut layout = staff.layout("test-copies-title");
    layout.title = staff
        .page
        .t_arg("test-copies-title", "id", circular.id.as_str());
    let page = TestCopiesPage {
        layout,
        lines,
        back: super::PREVIEW_PATH.replace("{id}", circular.id.as_str()),
    };
    let status = if all_sent {
        StatusCode::OK
    } else {
        StatusCode::BAD_GATEWAY
    };
    Ok(render(status, &page))
}

/// The preview page of `versions`, the test copies' address showing `to`.
fn preview_page(
    staff: &Staff,
    id: &CircularId,
    versions: &[Version],
    to: Option<&str>,
) -> PreviewPage {
    let frames = versions
        .iter()
        .map(|v| {
            let code = v.language.code();
            let name = staff.page.t(&format!("language-{code}"));
            Frame {
                code,
                title: staff.page.t_arg("preview-frame-title", "language", &name),
                name,
                subject: v.rendition.subject.clone(),
                src: VERSION_PATH
                    .replace("{id}", id.as_str())
                    .replace("{lang}", code),
            }
        })
        .collect();
    let mut layout = staff.layout("preview-title");
    layout.title = staff.page.t_arg("preview-title", "id", id.as_str());
    PreviewPage {
        layout,
        frames,
        test_copies: staff
            .actor
            .has(Role::Drafter)
            .then(|| TEST_COPIES_PATH.replace("{id}", id.as_str())),
        to: Field::input(TO_FIELD, staff.page.t("test-copies-to"), InputKind::Email)
            .with_hint(staff.page.t("test-copies-to-hint"))
            .with_autocomplete("email")
            .with_value(to.unwrap_or_default())
            .required(),
        csrf: staff.csrf.clone(),
        circular: circular_path(id),
        edit: edit_path(id),
    }
}

/// The stored circular `id` with its annexes in every language, or the 404 page.
async fn stored(
    state: &StaffState,
    staff: &Staff,
    id: &str,
) -> Result<(Circular, Vec<Annex>), Denied> {
    let parsed = id.parse::<CircularId>().map_err(|_| not_found(staff, id))?;
    let store = &state.ctx.store;
    let circular = match store.circular(&parsed).await {
        Ok(Some(stored)) => stored.circular,
        Ok(None) => return Err(not_found(staff, id)),
        Err(e) => return Err(failed(staff, &e)),
    };
    let annexes = circulars_lifecycle::annexes::stored_annexes(store, &parsed)
        .await
        .map_err(|e| failed(staff, &e))?;
    Ok((circular, annexes))
}

/// The six versions, or the page saying why they cannot be made (a circular the renderer
/// refuses: 422 with its words; anything else: 500).
fn versions(
    state: &StaffState,
    staff: &Staff,
    circular: &Circular,
    annexes: &[Annex],
    to: Option<&RecipientAddress>,
) -> Result<Vec<Version>, Denied> {
    circulars_lifecycle::versions(&state.ctx.config, circular, annexes, to).map_err(|e| {
        if e.code() == "invalid" {
            let page = RefusedPage::new(staff.layout("preview-refused-title"), e.to_string());
            render(StatusCode::UNPROCESSABLE_ENTITY, &page).into()
        } else {
            failed(staff, &e)
        }
    })
}

/// The preview page's answer with the policy that lets it frame the console's own versions.
fn framing(mut answer: Response) -> Response {
    set_own_policy(answer.headers_mut(), PREVIEW_PAGE_POLICY, "DENY");
    answer
}

/// The 500 page, the cause logged.
fn failed(staff: &Staff, e: &dyn std::fmt::Display) -> Denied {
    error!(error = %e, "the preview failed");
    render_failure(&staff.page).into()
}
