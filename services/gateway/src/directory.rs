//! The directory over HTTP, for staff's own systems: `POST /directory/import` takes the records
//! of a directory file as JSON, checks them exactly as `circulars directory import` checks a file,
//! and stores them whole or not at all.
//!
//! Staff authenticate with `Authorization: Bearer <key>`, one key per person in
//! `[gateway.staff_keys]`; the audit trail records `api (by <name>)`. With no keys configured the
//! routes do not exist (404).
//!
//! | answer | when |
//! |---|---|
//! | `200` and the import report | stored, or (with `"dry_run": true`) what storing would change |
//! | `400` and `{"error", "problems": [{"field", "message"}]}` | the body or a record is wrong (`records[2].address`); nothing stored |
//! | `401` | no key, or an unknown one |
//! | `413` | a body over `gateway.max_request_bytes` |
//! | `415` | a body that is not `application/json` |
//! | `500` | the database failed; nothing stored |

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use circulars_contacts::import::check_json_records;
use circulars_core::config::{ExposeSecret, SecretString};
use circulars_core::input::FileProblems;
use circulars_store::{ImportReport, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;
use tracing::{error, info, warn};

/// The shortest staff key accepted, in characters.
pub const MIN_STAFF_KEY_LEN: usize = 32;

/// A staff key that cannot be used (the message names the person, never the key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("gateway.staff_keys.{name}: {problem}")]
pub struct StaffKeyError {
    /// Whose key.
    pub name: String,
    /// What is wrong with it.
    pub problem: StaffKeyProblem,
}

/// What is wrong with a staff key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffKeyProblem {
    /// Shorter than [`MIN_STAFF_KEY_LEN`] characters.
    #[error("is shorter than {MIN_STAFF_KEY_LEN} characters")]
    TooShort,
    /// The same key as someone else's.
    #[error("is also {other}'s key: give each person their own")]
    Shared {
        /// The other person.
        other: String,
    },
}

/// Staff's API keys, kept as SHA-256 digests, so that comparing them takes the same time
/// whatever a guess has in common with a key. Neither the keys nor their digests are kept in
/// plain text or shown by `Debug`, which lists the names only.
#[derive(Clone)]
pub struct StaffKeys(Vec<(String, [u8; 32])>);

impl std::fmt::Debug for StaffKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffKeys")
            .field(
                "names",
                &self.0.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl StaffKeys {
    /// The keys of `[gateway.staff_keys]`, each at least [`MIN_STAFF_KEY_LEN`] characters and
    /// none shared by two people.
    pub fn new(keys: &BTreeMap<String, SecretString>) -> Result<StaffKeys, StaffKeyError> {
        let mut digests: Vec<(String, [u8; 32])> = Vec::new();
        for (name, key) in keys {
            let key = key.expose_secret();
            let bad = |problem| StaffKeyError {
                name: name.clone(),
                problem,
            };
            if key.chars().count() < MIN_STAFF_KEY_LEN {
                return Err(bad(StaffKeyProblem::TooShort));
            }
            let digest = digest(key);
            if let Some((other, _)) = digests.iter().find(|(_, d)| *d == digest) {
                return Err(bad(StaffKeyProblem::Shared {
                    other: other.clone(),
                }));
            }
            digests.push((name.clone(), digest));
        }
        Ok(StaffKeys(digests))
    }

    /// Whether no key is configured (the staff API is off).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whose key the request's `Authorization: Bearer` header carries, if anyone's.
    pub fn who(&self, headers: &HeaderMap) -> Option<&str> {
        let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
        let (scheme, key) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let digest = digest(key.trim());
        self.0
            .iter()
            .find(|(_, d)| *d == digest)
            .map(|(name, _)| name.as_str())
    }
}

/// The SHA-256 digest a key is kept and compared as.
fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// What the directory routes share.
#[derive(Clone)]
struct Staff {
    store: Store,
    keys: Arc<StaffKeys>,
}

/// The body of `POST /directory/import`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportRequest {
    /// Report what would change, and store nothing.
    #[serde(default)]
    dry_run: bool,
    /// The records, each checked as `circulars_contacts::import::JsonRecord`.
    records: Vec<serde_json::Value>,
}

/// What `POST /directory/import` answers on success.
#[derive(Debug, Serialize)]
struct ImportAnswer {
    dry_run: bool,
    changed: bool,
    #[serde(flatten)]
    report: ImportReport,
}

/// The directory routes, with request bodies up to `max_bytes`.
pub fn routes(store: Store, keys: StaffKeys, max_bytes: usize) -> Router {
    Router::new()
        .route("/directory/import", post(import))
        .layer(DefaultBodyLimit::max(max_bytes))
        .with_state(Staff {
            store,
            keys: Arc::new(keys),
        })
}

/// `POST /directory/import`.
async fn import(State(staff): State<Staff>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(name) = staff.keys.who(&headers) else {
        warn!("directory import refused: no valid staff key");
        return (
            StatusCode::UNAUTHORIZED,
            [(WWW_AUTHENTICATE, "Bearer")],
            Json(json!({"error": "a staff key is required: Authorization: Bearer <key>"})),
        )
            .into_response();
    };
    let json_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Json(json!({"error": "the body must be application/json"})),
        )
            .into_response();
    }
    let actor = format!("api (by {name})");
    let request: ImportRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            let mut problems = FileProblems::new(actor.as_str());
            problems.push(None, "body", e.to_string());
            return refused(&problems);
        }
    };
    let result = async {
        let known = staff.store.directory_ids().await?;
        let records = match check_json_records(&actor, &request.records, &known) {
            Ok(records) => records,
            Err(problems) => return Ok(Err(problems)),
        };
        let report = staff
            .store
            .import_directory(&records, &actor, request.dry_run)
            .await?;
        Ok::<_, circulars_store::StoreError>(Ok(report))
    }
    .await;
    match result {
        Ok(Ok(report)) => {
            info!(
                staff = name,
                dry_run = request.dry_run,
                records = request.records.len(),
                changed = report.changed(),
                "directory imported over the API"
            );
            Json(ImportAnswer {
                dry_run: request.dry_run,
                changed: report.changed(),
                report,
            })
            .into_response()
        }
        Ok(Err(problems)) => refused(&problems),
        Err(e) => {
            error!(error = %e, "directory import over the API failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": "the database failed; nothing was stored"})),
            )
                .into_response()
        }
    }
}

/// `400` with every problem, each naming its field (`records[2].address`).
fn refused(problems: &FileProblems) -> Response {
    let list: Vec<_> = problems
        .problems
        .iter()
        .map(|p| json!({"field": p.field, "message": p.message}))
        .collect();
    let n = list.len();
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "error": format!("refused, nothing stored ({n} problem{})", if n == 1 { "" } else { "s" }),
            "problems": list,
        })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn keys() -> StaffKeys {
        StaffKeys::new(&BTreeMap::from([
            ("ana".to_owned(), "a".repeat(32).into()),
            ("ben".to_owned(), "b".repeat(40).into()),
        ]))
        .unwrap()
    }

    fn bearer(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_bearer_key_names_its_owner_and_nothing_else_does() {
        let keys = keys();
        assert_eq!(
            keys.who(&bearer(&format!("Bearer {}", "a".repeat(32)))),
            Some("ana")
        );
        assert_eq!(
            keys.who(&bearer(&format!("bearer  {} ", "b".repeat(40)))),
            Some("ben")
        );
        assert_eq!(
            keys.who(&bearer(&format!("Basic {}", "a".repeat(32)))),
            None
        );
        assert_eq!(
            keys.who(&bearer(&format!("Bearer {}", "a".repeat(31)))),
            None
        );
        assert_eq!(keys.who(&bearer("Bearer")), None);
        assert_eq!(keys.who(&HeaderMap::new()), None);
    }

    #[test]
    fn short_and_shared_keys_are_refused() {
        let short = StaffKeys::new(&BTreeMap::from([("ana".to_owned(), "x".repeat(31).into())]));
        assert_eq!(
            short.err().unwrap().to_string(),
            "gateway.staff_keys.ana: is shorter than 32 characters"
        );
        let shared = StaffKeys::new(&BTreeMap::from([
            ("ana".to_owned(), "x".repeat(32).into()),
            ("ben".to_owned(), "x".repeat(32).into()),
        ]));
        assert_eq!(
            shared.err().unwrap().to_string(),
            "gateway.staff_keys.ben: is also ana's key: give each person their own"
        );
    }

    #[test]
    fn debug_shows_the_names_and_no_key() {
        let shown = format!("{:?}", keys());
        assert_eq!(shown, "StaffKeys { names: [\"ana\", \"ben\"], .. }");
    }
}
