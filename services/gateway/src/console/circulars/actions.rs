//! The steps a circular's page offers, as it draws them: a `POST` form with its button (and
//! the approve form's revision, the send-back's comment), or a link to the confirmation
//! before issuing. Which steps are offered is [`super::offers`]'s call.

use super::offers::Offer;
use super::step_path;
use crate::console::PageContext;
use circulars_core::domain::Circular;

/// A step offered on the page: a `POST` form with its button, or (to issue) a link to the
/// confirmation.
#[derive(Clone, Debug)]
pub struct Step {
    /// The button's `id` (`step-approve`).
    pub id: &'static str,
    /// Where the form posts, or where the link leads.
    pub href: String,
    /// The button's text.
    pub label: String,
    /// A sentence under it, saying what it does.
    pub hint: Option<String>,
    /// The revision the approve form carries.
    pub revision: Option<i64>,
    /// Whether the form holds the comment field (send back).
    pub comment: bool,
    /// Whether it is a link to a page rather than a form.
    pub link: bool,
    /// Whether it cannot be undone (drawn as a warning).
    pub warning: bool,
}

impl Step {
    fn form(id: &'static str, href: String, label: String, hint: Option<String>) -> Step {
        Step {
            id,
            href,
            label,
            hint,
            revision: None,
            comment: false,
            link: false,
            warning: false,
        }
    }

    /// The `id` of its hint.
    pub fn hint_id(&self) -> String {
        format!("{}-hint", self.id)
    }
}

/// The form (or link) of `offer`.
pub fn step(page: &PageContext, circular: &Circular, offer: Offer) -> Step {
    let id = &circular.id;
    match offer {
        Offer::Submit => Step::form(
            "step-submit",
            step_path(id, "submit"),
            page.t("step-submit"),
            Some(page.t("step-submit-hint")),
        ),
        Offer::Approve { revision } => Step {
            revision: Some(revision),
            ..Step::form(
                "step-approve",
                step_path(id, "approve"),
                page.t("step-approve"),
                Some(page.t_arg("step-approve-hint", "revision", &revision.to_string())),
            )
        },
        Offer::SendBack => Step {
            comment: true,
            ..Step::form(
                "step-send-back",
                step_path(id, "send-back"),
                page.t("step-send-back"),
                None,
            )
        },
        Offer::Issue => Step {
            link: true,
            ..Step::form(
                "step-issue",
                step_path(id, "issue"),
                page.t("step-issue"),
                Some(page.t("step-issue-hint")),
            )
        },
        Offer::Pause => Step::form(
            "step-pause",
            step_path(id, "pause"),
            page.t("step-pause"),
            Some(page.t("step-pause-hint")),
        ),
        Offer::Resume => Step::form(
            "step-resume",
            step_path(id, "resume"),
            page.t("step-resume"),
            None,
        ),
        Offer::Cancel => Step {
            warning: true,
            link: true,
            ..Step::form(
                "step-cancel",
                step_path(id, "cancel"),
                page.t("step-cancel"),
                Some(page.t("step-cancel-hint")),
            )
        },
    }
}
