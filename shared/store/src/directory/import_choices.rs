//! What an import does to the recipients' own choices: `unsubscribed` suppresses an address but
//! no status lifts a suppression; the file's topic choices are set but never over a choice the
//! recipient made; the language a recipient chose stays theirs. Each choice kept is one line of
//! the report, naming the file's line, the recipient's choice and since when.

use super::audit::audit;
use super::languages::language_choice_on;
use super::suppressions::{insert_suppression, suppression_on};
use super::topics::{subscription_on, write_subscription};
use super::{ContactStatus, DirectoryRecord, ImportReport, SuppressionReason};
use crate::{timestamp, StoreError};
use serde_json::json;
use sqlx::AnyConnection;

/// The record's topic choices set, unless the recipient made their own (reported as kept, at
/// the address's first row in the file).
pub(super) async fn apply_topics(
    conn: &mut AnyConnection,
    r: &DirectoryRecord,
    actor: &str,
    now: &str,
    first_of_address: bool,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    for (topic, subscribed) in &r.topics {
        match subscription_on(conn, &r.address, topic).await? {
            Some(s) if s.subscribed == *subscribed => {}
            Some(s) if s.set_by == "recipient" => {
                if first_of_address {
                    report.kept.push(format!(
                        "{}: {} chose to be {} topic {topic} ({}, {}); the file's choice is not applied",
                        r.source,
                        r.address,
                        if s.subscribed { "subscribed to" } else { "opted out of" },
                        s.source,
                        timestamp(s.since)
                    ))
                }
            }
            _ => {
                write_subscription(
                    conn,
                    &r.address,
                    topic,
                    *subscribed,
                    "staff",
                    &r.source,
                    now,
                )
                .await?;
                audit(
                    conn,
                    now,
                    actor,
                    "subscription.set",
                    r.address.as_str(),
                    json!({"topic": topic.as_str(), "subscribed": subscribed, "source": r.source}),
                )
                .await?;
                report.subscriptions_changed += 1;
            }
        }
    }
    Ok(())
}

/// `unsubscribed` suppresses the address; another status never lifts a suppression, and the
/// report says so once per address.
pub(super) async fn apply_status(
    conn: &mut AnyConnection,
    r: &DirectoryRecord,
    actor: &str,
    now: &str,
    first_of_address: bool,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let current = suppression_on(conn, &r.address).await?;
    match (r.status, current) {
        (ContactStatus::Unsubscribed, None) => {
            insert_suppression(
                conn,
                &r.address,
                SuppressionReason::Unsubscribed,
                &format!("import {}", r.source),
                actor,
                now,
            )
            .await?;
            report.suppressions_added += 1;
        }
        (ContactStatus::Active, Some(s)) if first_of_address => report.kept.push(format!(
            "{}: {} stays suppressed ({} since {}: {}); the file's status does not lift it",
            r.source,
            r.address,
            s.reason.as_str(),
            timestamp(s.since),
            s.detail
        )),
        _ => {}
    }
    Ok(())
}

/// The language a recipient chose for their circulars is theirs: the file's language for the
/// address (its contact's, else its addressee's) is stored with the contact but does not
/// change what they receive, and the report says so when the two differ.
pub(super) async fn keep_chosen_language(
    conn: &mut AnyConnection,
    r: &DirectoryRecord,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let Some(file) = r.language.or(r.addressee_language) else {
        return Ok(());
    };
    match language_choice_on(conn, &r.address).await? {
        Some(chosen) if chosen.language != file => report.kept.push(format!(
            "{}: {} chose to receive circulars in {} ({}, {}); the file's language {} is not applied",
            r.source,
            r.address,
            chosen.language.code(),
            chosen.source,
            timestamp(chosen.since),
            file.code()
        )),
        _ => {}
    }
    Ok(())
}
