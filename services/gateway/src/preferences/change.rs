//! `POST /preferences/{token}`: one change from a form of the page, checked (the site's own
//! origin, the page's form token, a topic that exists, a language of the six), made through
//! `circulars_contacts::preferences`, and confirmed on the page shown again.

use super::page::{answer, FailurePage, PreferencesPage};
use super::{
    asked_language, failure, log_failure, token_prefix, Frame, PageQuery, PreferencesState,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use circulars_contacts::preferences::PreferencesError;
use circulars_core::domain::Language;
use serde::Deserialize;
use tracing::{info, warn};

/// The fields of a form of the page; all optional, checked by `change`.
#[derive(Debug, Default, Deserialize)]
pub struct PageForm {
    /// The hidden form token.
    pub form: Option<String>,
    /// The page's language.
    pub lang: Option<String>,
    /// `language`, `topic`, `unsubscribe` or `undo`.
    pub action: Option<String>,
    /// The language chosen for future circulars (its code).
    pub language: Option<String>,
    /// The topic's id.
    pub topic: Option<String>,
    /// `yes` or `no`.
    pub receive: Option<String>,
}

/// `POST /preferences/{token}`: one change, then the page again with it confirmed.
pub(super) async fn change(
    State(state): State<PreferencesState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token_prefix = token_prefix(&token);
    let fields: PageForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let language = asked_language(&PageQuery {
        lang: fields.lang.clone(),
    })
    .ok()
    .flatten();
    if let Err(why) = state.same_origin.check(&headers) {
        warn!(token = %token_prefix, %why, "preferences form refused: cross-site");
        return refused(
            &state,
            language.unwrap_or(Language::En),
            StatusCode::FORBIDDEN,
            "refused-form",
            None,
        );
    }
    let preferences = match state.desk.resolve(&token).await {
        Ok(preferences) => preferences,
        Err(e) => {
            log_failure(&token_prefix, &e);
            let language = language.or(e.language()).unwrap_or(Language::En);
            return failure(&state, language, &e);
        }
    };
    let language = language.unwrap_or(preferences.recipient.language);
    if let Err(e) = state
        .desk
        .check_form_token(&preferences, fields.form.as_deref().unwrap_or_default())
    {
        log_failure(&token_prefix, &e);
        return refused(
            &state,
            language,
            StatusCode::FORBIDDEN,
            "refused-form",
            None,
        );
    }
    let topic = fields.topic.clone().unwrap_or_default();
    let topic_name = preferences
        .topics
        .iter()
        .find(|t| t.topic.id.as_str() == topic)
        .map(|t| t.topic.name.clone())
        .unwrap_or_else(|| topic.clone());
    let mut argument = ("topic", topic_name);
    let outcome = match (fields.action.as_deref(), fields.receive.as_deref()) {
        (Some("language"), _) => state
            .desk
            .choose_language(&preferences, fields.language.as_deref().unwrap_or_default())
            .await
            .map(|(chosen, changed)| {
                argument = ("language", chosen.native_name().to_owned());
                (changed, "changed-language")
            }),
        (Some("topic"), Some(receive @ ("yes" | "no"))) => {
            let subscribed = receive == "yes";
            let id = if subscribed {
                "changed-topic-on"
            } else {
                "changed-topic-off"
            };
            state
                .desk
                .choose_topic(&preferences, &topic, subscribed)
                .await
                .map(|changed| (changed, id))
        }
        (Some("undo"), _) => state
            .desk
            .undo_unsubscribe(&preferences)
            .await
            .map(|changed| (changed, "changed-undone")),
        (Some("unsubscribe"), _) => state
            .desk
            .unsubscribe_everything(&preferences)
            .await
            .map(|changed| (changed, "changed-unsubscribed")),
        _ => Err(PreferencesError::UnknownTopic(topic.clone())),
    };
    let (changed, id) = match outcome {
        Ok(done) => done,
        Err(e) => {
            log_failure(&token_prefix, &e);
            let asked = match &e {
                PreferencesError::UnknownLanguage(asked) => {
                    Some(("refused-language", "language", asked))
                }
                PreferencesError::UnknownTopic(asked) => Some(("refused-topic", "topic", asked)),
                _ => None,
            };
            return match asked {
                Some((id, name, asked)) => refused(
                    &state,
                    language,
                    StatusCode::BAD_REQUEST,
                    id,
                    Some((name, asked)),
                ),
                None => failure(&state, language, &e),
            };
        }
    };
    info!(
        token = %token_prefix,
        circular = %preferences.delivery.circular,
        change = id,
        changed,
        "preferences changed"
    );
    let preferences = match state.desk.resolve(&token).await {
        Ok(preferences) => preferences,
        Err(e) => {
            log_failure(&token_prefix, &e);
            return failure(&state, language, &e);
        }
    };
    let mut frame = Frame::new(state.words.clone(), language, "preferences-title").with_switch();
    frame.notice = Some(if changed {
        frame.t_arg(id, argument.0, &argument.1)
    } else {
        frame.t("unchanged")
    });
    let form = state.desk.form_token(&preferences);
    answer(
        StatusCode::OK,
        &PreferencesPage {
            frame,
            preferences: &preferences,
            form,
        },
    )
}

/// The page answering a refused form: nothing changed, and why (message `id`, with its one
/// variable: the topic or language asked for).
fn refused(
    state: &PreferencesState,
    language: Language,
    status: StatusCode,
    id: &str,
    variable: Option<(&str, &str)>,
) -> Response {
    let frame = Frame::new(state.words.clone(), language, "refused-title");
    let text = match variable {
        Some((name, value)) => frame.t_arg(id, name, value),
        None => frame.t(id),
    };
    answer(status, &FailurePage { frame, text })
}
