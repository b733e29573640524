//! Why an address is, or is not, on a circular's list: from the frozen audience once the
//! circular is issued, from the directory as it stands before.

use crate::resolve::audience_rules;
use crate::resolve::decide;
use chrono::{DateTime, Utc};
use circulars_core::domain::DeliveryKey;
use circulars_core::domain::{CircularId, Delivery, RecipientAddress};
use circulars_store::{
    AudienceMember, Decision, DeliveryReport, Exclusion, ReportKind, Store, StoreError,
    StoredContact, Suppression,
};
use std::fmt;

/// The answer to "why did this address get (or not get) this circular?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Explanation {
    /// On the list, for these reasons; with the delivery record once there is one.
    Listed {
        /// The recipient and the categories and contacts that put them there.
        member: AudienceMember,
        /// What happened to the mail so far.
        delivery: Option<Box<Delivery>>,
        /// What returned mail said about it (bounces, delays, complaints, unsubscribes).
        returned: Vec<DeliveryReport>,
        /// Whether the address is suppressed now (so later circulars leave it out).
        suppression: Option<Suppression>,
        /// Whether this is the frozen audience (issued) or a dry run on today's directory.
        frozen: bool,
    },
    /// In the circular's categories, but left out.
    Excluded {
        /// Why.
        exclusion: Exclusion,
        /// Whether this is the frozen audience.
        frozen: bool,
    },
    /// In the directory, but in none of the circular's categories (today, or when the audience
    /// was frozen).
    InNoCategory {
        /// The contacts today, with their addressees' categories.
        contacts: Vec<StoredContact>,
        /// When the audience was frozen, for an issued circular.
        frozen_at: Option<DateTime<Utc>>,
    },
    /// Not in the directory at all (and not in the frozen audience).
    Unknown {
        /// When the audience was frozen, for an issued circular.
        frozen_at: Option<DateTime<Utc>>,
    },
}

/// Explains `address` for `circular`: from the frozen audience once issued (later directory
/// changes never rewrite it), from today's directory before.
pub async fn explain(
    store: &Store,
    circular: &CircularId,
    address: &RecipientAddress,
) -> Result<Explanation, StoreError> {
    let stored = store.existing_circular(circular).await?;
    let frozen_at = stored.audience.map(|(at, _)| at);
    if frozen_at.is_some() {
        if let Some(member) = store.audience_member(circular, address).await? {
            let delivery = store.delivery(circular, address).await?.map(Box::new);
            let returned = store
                .delivery_reports(&DeliveryKey::new(circular.clone(), address.clone()))
                .await?;
            return Ok(Explanation::Listed {
                member,
                delivery,
                returned,
                suppression: store.suppression(address).await?,
                frozen: true,
            });
        }
        if let Some(exclusion) = store.audience_exclusion(circular, address).await? {
            return Ok(Explanation::Excluded {
                exclusion,
                frozen: true,
            });
        }
    } else {
        let (query, rules) = audience_rules(store, &stored.circular).await?;
        if let Some(candidate) = store.candidate(&query, address).await? {
            return Ok(match decide(&rules, candidate) {
                Decision::Member(member) => Explanation::Listed {
                    member,
                    delivery: None,
                    returned: Vec::new(),
                    suppression: None,
                    frozen: false,
                },
                Decision::Excluded(exclusion) => Explanation::Excluded {
                    exclusion,
                    frozen: false,
                },
            });
        }
    }
    let contacts = store.contacts_for_address(address).await?;
    if contacts.is_empty() {
        Ok(Explanation::Unknown { frozen_at })
    } else {
        Ok(Explanation::InNoCategory {
            contacts,
            frozen_at,
        })
    }
}

/// One returned mail about a delivery, in a line: when, what it means, and the remote server's
/// words and why it failed (`2026-11-23 10:02 UTC bounced 5.1.1 smtp; 550 5.1.1 user unknown
/// (mx.example.org), reason user_unknown`).
pub fn returned_line(r: &DeliveryReport) -> String {
    let meaning = match r.kind {
        ReportKind::Permanent => "bounced",
        ReportKind::Temporary => "delayed",
        ReportKind::Complaint => "complained",
        ReportKind::Unsubscribe => "unsubscribed by mail",
    };
    let mut line = format!("{} {meaning}", r.at.format("%Y-%m-%d %H:%M UTC"));
    for part in [&r.feedback_type, &r.status, &r.diagnostic]
        .into_iter()
        .flatten()
    {
        line.push(' ');
        line.push_str(part);
    }
    if let Some(mta) = &r.remote_mta {
        line.push_str(&format!(" ({mta})"));
    }
    if let Some(reason) = r.bounce_reason.filter(|_| r.kind != ReportKind::Complaint) {
        line.push_str(&format!(", reason {reason}"));
    }
    line
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Explanation::Listed {
                member,
                delivery,
                returned,
                suppression,
                frozen,
            } => {
                write_member(f, member, *frozen)?;
                write_delivery(f, delivery.as_deref(), *frozen)?;
                if !returned.is_empty() {
                    writeln!(f, "Returned mail:")?;
                    for r in returned {
                        writeln!(f, "  {}", returned_line(r))?;
                    }
                }
                if let Some(s) = suppression {
                    writeln!(
                        f,
                        "Now suppressed since {} because {} ({}): later circulars leave it out.",
                        s.since.format("%Y-%m-%d %H:%M UTC"),
                        s.reason.as_str(),
                        s.detail
                    )?;
                }
                Ok(())
            }
            Explanation::Excluded { exclusion, frozen } => writeln!(
                f,
                "{} is not on the list ({}): {}.",
                exclusion.address,
                audience_words(*frozen),
                exclusion.detail
            ),
            Explanation::InNoCategory {
                contacts,
                frozen_at,
            } => write_in_no_category(f, contacts, *frozen_at),
            Explanation::Unknown { frozen_at: Some(at) } => writeln!(
                f,
                "not on the list: the address was in no contact of the circular's categories when the audience was frozen ({}), and is in no contact today.",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            Explanation::Unknown { frozen_at: None } => {
                writeln!(f, "not on the list: the address is in no contact of the directory.")
            }
        }
    }
}

/// Which audience an explanation reads.
fn audience_words(frozen: bool) -> &'static str {
    if frozen {
        "in the frozen audience"
    } else {
        "in a dry run on today's directory (not issued yet)"
    }
}

/// Who the recipient is on the list as, and the contacts that put them there.
fn write_member(f: &mut fmt::Formatter<'_>, member: &AudienceMember, frozen: bool) -> fmt::Result {
    let r = &member.recipient;
    writeln!(
        f,
        "{} is on the list ({}), reading in {}, as {} of {}.",
        r.address,
        audience_words(frozen),
        r.language,
        r.name,
        r.addressee
    )?;
    writeln!(f, "Because:")?;
    for reason in &member.reasons {
        writeln!(
            f,
            "  category {}: contact {} of {} '{}' <{}> ({})",
            reason.category,
            reason.contact_id,
            reason.addressee_key,
            reason.addressee,
            reason.address_written,
            reason.source
        )?;
    }
    if let Some(subscription) = &member.subscription {
        writeln!(f, "  and {subscription}")?;
    }
    Ok(())
}

/// What happened to the mail so far (`queued` in a frozen audience before any record).
fn write_delivery(
    f: &mut fmt::Formatter<'_>,
    delivery: Option<&Delivery>,
    frozen: bool,
) -> fmt::Result {
    match delivery {
        Some(d) => {
            write!(f, "Delivery: {} (attempt {})", d.state, d.attempt)?;
            if let Some(reason) = d.bounce_reason {
                write!(f, ", reason {reason}")?;
            }
            if let Some(reply) = &d.reply {
                write!(f, ": {reply}")?;
            }
            if let Some(detail) = &d.detail {
                write!(f, ": {detail}")?;
            }
            writeln!(f)
        }
        None if frozen => writeln!(f, "Delivery: queued"),
        None => Ok(()),
    }
}

/// An address in the directory but in none of the circular's categories, with its contacts.
fn write_in_no_category(
    f: &mut fmt::Formatter<'_>,
    contacts: &[StoredContact],
    frozen_at: Option<DateTime<Utc>>,
) -> fmt::Result {
    let address = contacts
        .first()
        .map(|c| c.record.address.to_string())
        .unwrap_or_default();
    match frozen_at {
        Some(at) => writeln!(
            f,
            "{address} is not on the list: it was in no category of this circular when the audience was frozen ({}). Its contacts today:",
            at.format("%Y-%m-%d %H:%M UTC")
        )?,
        None => writeln!(
            f,
            "{address} is not on the list: in no category of this circular. Its contacts:"
        )?,
    }
    for c in contacts {
        let cats: Vec<&str> = c.record.categories.iter().map(|c| c.id()).collect();
        writeln!(
            f,
            "  contact {} of {} '{}' ({}): {}",
            c.id,
            c.record.addressee,
            c.record.addressee_name,
            c.record.source,
            cats.join(", ")
        )?;
    }
    Ok(())
}
