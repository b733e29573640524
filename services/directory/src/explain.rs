//! Why an address is, or is not, on a circular's list: from the frozen audience once the
//! circular is issued, from the directory as it stands before.

use crate::resolve::resolve;
use circulars_shared::domain::{CircularId, Delivery, RecipientAddress};
use circulars_shared::store::{AudienceMember, Exclusion, Store, StoreError, StoredEntry};
use std::fmt;

/// The answer to "why did this address get (or not get) this circular?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Explanation {
    /// On the list, for these reasons; with the delivery record once there is one.
    Listed {
        /// The recipient and the categories and entries that put them there.
        member: AudienceMember,
        /// What happened to the mail so far.
        delivery: Option<Delivery>,
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
    /// In the directory, but none of its entries is in the circular's categories.
    InNoCategory {
        /// The entries, with the categories they are in.
        entries: Vec<StoredEntry>,
    },
    /// Not in the directory at all.
    Unknown,
}

/// Explains `address` for `circular`.
pub async fn explain(
    store: &Store,
    circular: &CircularId,
    address: &RecipientAddress,
) -> Result<Explanation, StoreError> {
    let stored = store.existing_circular(circular).await?;
    let frozen = stored.audience.is_some();
    if frozen {
        if let Some(member) = store.audience_member(circular, address).await? {
            let delivery = store.delivery(circular, address).await?;
            return Ok(Explanation::Listed {
                member,
                delivery,
                frozen,
            });
        }
        if let Some(exclusion) = store.audience_exclusion(circular, address).await? {
            return Ok(Explanation::Excluded { exclusion, frozen });
        }
    }
    let entries = store.entries_for_address(address).await?;
    if entries.is_empty() {
        return Ok(Explanation::Unknown);
    }
    if !frozen {
        let mut resolution = resolve(&stored.circular.audience_categories(), &entries);
        if let Some(member) = resolution.members.pop() {
            return Ok(Explanation::Listed {
                member,
                delivery: None,
                frozen,
            });
        }
        if let Some(exclusion) = resolution.exclusions.pop() {
            return Ok(Explanation::Excluded { exclusion, frozen });
        }
    }
    Ok(Explanation::InNoCategory { entries })
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = |frozen: bool| {
            if frozen {
                "in the frozen audience"
            } else {
                "in a dry run on today's directory (not issued yet)"
            }
        };
        match self {
            Explanation::Listed {
                member,
                delivery,
                frozen,
            } => {
                let r = &member.recipient;
                writeln!(
                    f,
                    "{} is on the list ({}), reading in {}, as {} of {}.",
                    r.address,
                    when(*frozen),
                    r.language,
                    r.name,
                    r.addressee
                )?;
                writeln!(f, "Because:")?;
                for reason in &member.reasons {
                    writeln!(
                        f,
                        "  category {}: directory entry {} '{}' <{}> ({})",
                        reason.category,
                        reason.entry_id,
                        reason.addressee,
                        reason.address_written,
                        reason.source
                    )?;
                }
                match delivery {
                    Some(d) => {
                        write!(f, "Delivery: {} (attempt {})", d.state, d.attempt)?;
                        if let Some(reply) = &d.reply {
                            write!(f, ": {reply}")?;
                        }
                        if let Some(detail) = &d.detail {
                            write!(f, ": {detail}")?;
                        }
                        writeln!(f)
                    }
                    None if *frozen => writeln!(f, "Delivery: queued"),
                    None => Ok(()),
                }
            }
            Explanation::Excluded { exclusion, frozen } => writeln!(
                f,
                "{} is not on the list ({}): {}, per {}.",
                exclusion.address,
                when(*frozen),
                exclusion.reason,
                exclusion.detail
            ),
            Explanation::InNoCategory { entries } => {
                let address = entries
                    .first()
                    .map(|e| e.entry.address.to_string())
                    .unwrap_or_default();
                writeln!(f, "{address} is not on the list: in no category of this circular. Its directory entries:")?;
                for e in entries {
                    let cats: Vec<&str> = e.entry.categories.iter().map(|c| c.id()).collect();
                    writeln!(
                        f,
                        "  entry {} '{}' ({}): {}",
                        e.id,
                        e.entry.addressee,
                        e.entry.source,
                        cats.join(", ")
                    )?;
                }
                Ok(())
            }
            Explanation::Unknown => {
                writeln!(f, "not on the list: the address is in no directory entry.")
            }
        }
    }
}
