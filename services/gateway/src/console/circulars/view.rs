//! `GET /staff/circulars/{id}`: a circular's page: its subject and metadata, where it stands
//! (state, revision, who drafted, last edited and approved it), links to edit, preview and
//! delivery, a form for each step the account may take now, and the history. A refused step
//! shows this page again, the refusal in the error summary.

use super::actions::{step, Step};
use super::history::{self, HistoryRow};
use super::list::{direction, subject_in};
use super::offers::{approval_withheld, may_edit, offers};
use super::{circular_path, failure, names, step_path, stored_circular, Moment};
use crate::console::form::{ErrorSummary, Field};
use crate::console::staff::{Denied, Staff, StaffState};
use crate::console::{render, Layout, PageContext};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_lifecycle::Policy;
use circulars_store::{CircularAuditEntry, StoredCircular};

/// The send-back form's comment field.
pub const COMMENT_FIELD: &str = "comment";
/// The approve form's hidden field: the revision the page showed.
pub const REVISION_FIELD: &str = "revision";
/// The `id` of the steps' heading, where a refusal in the error summary leads.
pub const ACTIONS_ID: &str = "actions";

/// What a refused step said, for the page shown again.
#[derive(Clone, Debug, Default)]
pub struct Refused {
    /// The refusal, in the lifecycle's words.
    pub message: String,
    /// Whether it concerns the send-back's comment (shown beside the field too).
    pub on_comment: bool,
    /// The comment typed, shown again.
    pub comment: String,
}

/// The subject as shown, with its language.
#[derive(Clone, Debug)]
pub struct Subject {
    /// The subject.
    pub text: String,
    /// Its language code (`lang`).
    pub lang: &'static str,
    /// Its writing direction (`dir`).
    pub dir: &'static str,
}

/// A line of the page's description list.
#[derive(Clone, Debug)]
pub struct Fact {
    /// What it is.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// A link of the page (edit, preview, delivery).
#[derive(Clone, Debug)]
pub struct Link {
    /// Where.
    pub href: String,
    /// What it says.
    pub label: String,
}

/// The circular's page.
#[derive(Template)]
#[template(path = "circulars/circular.html")]
pub struct CircularPage {
    /// The frame.
    pub layout: Layout,
    /// The session's CSRF token, in every form.
    pub csrf: String,
    /// The subject.
    pub subject: Option<Subject>,
    /// Metadata and where it stands.
    pub facts: Vec<Fact>,
    /// Edit, preview, delivery.
    pub links: Vec<Link>,
    /// The steps offered.
    pub steps: Vec<Step>,
    /// Why a step the account's role would allow is not offered (an approver's own circular).
    pub withheld: Option<String>,
    /// The send-back's comment.
    pub comment: Field,
    /// The history table's caption.
    pub history_caption: String,
    /// The history, oldest first.
    pub history: Vec<HistoryRow>,
}

impl CircularPage {
    /// The page of `stored` for `staff`, with its `history`, and what a refused step said.
    pub fn new(
        staff: &Staff,
        policy: Policy,
        stored: &StoredCircular,
        history: &[CircularAuditEntry],
        refused: Option<&Refused>,
    ) -> CircularPage {
        let page = &staff.page;
        let circular = &stored.circular;
        let id = &circular.id;
        let comment = Field::textarea(COMMENT_FIELD, page.t("send-back-comment"), 4)
            .with_hint(page.t("send-back-comment-hint"))
            .with_value(refused.map(|r| r.comment.as_str()).unwrap_or(""))
            .with_error(refused.filter(|r| r.on_comment).map(|r| r.message.clone()))
            .required();
        let mut errors = ErrorSummary::of_fields([&comment]);
        if let Some(refused) = refused.filter(|r| !r.on_comment) {
            errors.push(ACTIONS_ID, refused.message.clone());
        }
        let mut layout = staff.layout("circular-title").with_errors(errors);
        layout.title = page.t_arg("circular-title", "id", id.as_str());
        let subject = subject_in(
            &circular
                .texts
                .iter()
                .map(|(l, t)| (*l, t.subject.clone()))
                .collect(),
            page.language().language(),
        )
        .map(|(l, s)| Subject {
            text: s.to_owned(),
            lang: l.code(),
            dir: direction(l),
        });
        let mut links = Vec::new();
        if may_edit(&staff.actor, &stored.life) {
            links.push(Link {
                href: step_path(id, "edit"),
                label: page.t("circular-link-edit"),
            });
        }
        links.push(Link {
            href: step_path(id, "preview"),
            label: page.t("circular-link-preview"),
        });
        if stored.issued_at.is_some() {
            links.push(Link {
                href: step_path(id, "delivery"),
                label: page.t("circular-link-delivery"),
            });
        }
        CircularPage {
            layout,
            csrf: staff.csrf.clone(),
            subject,
            facts: facts(page, stored),
            links,
            steps: offers(policy, &staff.actor, &stored.life)
                .into_iter()
                .map(|offer| step(page, circular, offer))
                .collect(),
            withheld: approval_withheld(&staff.actor, &stored.life)
                .then(|| page.t_arg("step-approve-own", "id", id.as_str())),
            comment,
            history_caption: page.t_arg("circular-history-caption", "id", id.as_str()),
            history: history::rows(page, history),
        }
    }

    /// The `id` of the steps' heading.
    pub fn actions_id(&self) -> &'static str {
        ACTIONS_ID
    }
}

/// The circular's metadata and where it stands, as the description list shows them.
pub fn facts(page: &PageContext, stored: &StoredCircular) -> Vec<Fact> {
    let circular = &stored.circular;
    let life = &stored.life;
    let ids = |categories: &[circulars_core::domain::Category]| {
        categories
            .iter()
            .map(|c| c.id())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fact = |label: &str, value: String| Fact {
        label: page.t(label),
        value,
    };
    let mut facts = vec![
        fact(
            "circular-fact-state",
            names::circular_state(page, life.state),
        ),
        fact("circular-fact-revision", life.revision.to_string()),
        fact(
            "circular-fact-reference",
            circular.reference_in(page.language().language()).to_owned(),
        ),
        fact("circular-fact-date", circular.date.to_string()),
        fact("circular-fact-categories", ids(&circular.categories)),
    ];
    if !circular.copy.is_empty() {
        facts.push(fact("circular-fact-copy", ids(&circular.copy)));
    }
    if let Some(topic) = &circular.topic {
        facts.push(fact("circular-fact-topic", topic.to_string()));
    }
    let contact = &circular.contact;
    let mut reach = vec![contact.name.clone(), contact.email.clone()];
    if let Some(tel) = &contact.tel {
        reach.push(page.t_arg("circular-contact-tel", "tel", tel));
    }
    facts.push(fact("circular-fact-contact", reach.join(", ")));
    facts.push(fact(
        "circular-fact-signatory",
        circular
            .signatory
            .clone()
            .unwrap_or_else(|| page.t("circular-none")),
    ));
    facts.push(fact("circular-fact-drafted-by", life.drafted_by.clone()));
    facts.push(fact("circular-fact-edited-by", life.edited_by.clone()));
    let approved = match &life.approved {
        Some((by, at)) => format!(
            "{by}, {} ({})",
            Moment::of(*at).shown,
            page.t_arg("history-revision", "revision", &life.revision.to_string())
        ),
        None => page.t("circular-not-approved"),
    };
    facts.push(fact("circular-fact-approved", approved));
    facts.push(fact(
        "circular-fact-issued",
        stored
            .issued_at
            .map(|at| Moment::of(at).shown)
            .unwrap_or_else(|| page.t("circular-not-issued")),
    ));
    facts
}

/// The page of `stored` answered with `status`, with what a refused step said.
pub async fn show(
    state: &StaffState,
    staff: &Staff,
    stored: &StoredCircular,
    refused: Option<&Refused>,
    status: StatusCode,
) -> Result<Response, Denied> {
    let history = state
        .ctx
        .store
        .circular_history(&stored.circular.id)
        .await
        .map_err(|e| failure(staff, &e))?;
    let page = CircularPage::new(staff, state.policy, stored, &history, refused);
    Ok(render(status, &page))
}

/// `GET /staff/circulars/{id}`.
pub async fn page(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, Denied> {
    let stored = stored_circular(&state, &staff, &id).await?;
    show(&state, &staff, &stored, None, StatusCode::OK).await
}

/// Where the page of `stored` is (for the steps' redirects).
pub fn path_of(stored: &StoredCircular) -> String {
    circular_path(&stored.circular.id)
}
