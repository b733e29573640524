//! Resolving a circular's addressee categories to recipients: one per normalised address, one
//! language each, every reason kept; unsubscribed addresses left out with the entries that say so.

use circulars_shared::domain::{Category, Recipient};
use circulars_shared::store::{
    AudienceMember, AudienceReason, EntryStatus, Exclusion, StoredEntry,
};

/// The audience of a circular before it is frozen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    /// The recipients, by normalised address.
    pub members: Vec<AudienceMember>,
    /// The addresses left out.
    pub exclusions: Vec<Exclusion>,
}

/// Resolves `entries` (every entry in at least one of `categories`, ordered by normalised
/// address then id) to the audience.
///
/// A recipient reads in the language of their earliest directory entry, and is named after it;
/// an address with any `unsubscribed` entry receives nothing.
pub fn resolve(categories: &[Category], entries: &[StoredEntry]) -> Resolution {
    let mut resolution = Resolution::default();
    for group in entries.chunk_by(|a, b| a.entry.address == b.entry.address) {
        let in_circular: Vec<&StoredEntry> = group
            .iter()
            .filter(|e| e.entry.categories.iter().any(|c| categories.contains(c)))
            .collect();
        let Some(first) = in_circular.first() else {
            continue;
        };
        let unsubscribed: Vec<&&StoredEntry> = in_circular
            .iter()
            .filter(|e| e.entry.status == EntryStatus::Unsubscribed)
            .collect();
        if !unsubscribed.is_empty() {
            resolution.exclusions.push(Exclusion {
                address: first.entry.address.clone(),
                reason: "unsubscribed".into(),
                detail: unsubscribed
                    .iter()
                    .map(|e| format!("{} ({})", e.entry.addressee, e.entry.source))
                    .collect::<Vec<_>>()
                    .join("; "),
            });
            continue;
        }
        let reasons = in_circular
            .iter()
            .flat_map(|e| {
                e.entry
                    .categories
                    .iter()
                    .filter(|c| categories.contains(c))
                    .map(|c| AudienceReason {
                        category: c.clone(),
                        entry_id: e.id,
                        addressee: e.entry.addressee.clone(),
                        address_written: e.entry.address_written.clone(),
                        source: e.entry.source.clone(),
                    })
            })
            .collect();
        resolution.members.push(AudienceMember {
            recipient: Recipient {
                address: first.entry.address.clone(),
                name: first.entry.name.clone(),
                language: first.entry.language,
                addressee: first.entry.addressee.clone(),
            },
            reasons,
        });
    }
    resolution
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_shared::domain::{Language, RecipientAddress};
    use circulars_shared::store::DirectoryEntry;

    fn entry(
        id: i64,
        address: &str,
        language: Language,
        addressee: &str,
        categories: &[&str],
        status: EntryStatus,
    ) -> StoredEntry {
        StoredEntry {
            id,
            entry: DirectoryEntry {
                addressee: addressee.parse().unwrap(),
                address_written: address.into(),
                address: RecipientAddress::parse(address).unwrap(),
                name: format!("Contact {id}"),
                language,
                status,
                categories: categories
                    .iter()
                    .map(|c| Category::parse(c).unwrap())
                    .collect(),
                source: format!("d.csv:{id}"),
            },
        }
    }

    fn cats(ids: &[&str]) -> Vec<Category> {
        ids.iter().map(|c| Category::parse(c).unwrap()).collect()
    }

    #[test]
    fn one_recipient_per_address_with_every_reason_and_the_first_language() {
        let entries = vec![
            entry(
                1,
                "r.lopez@UNCV.Example.org",
                Language::Es,
                "Tierra Alta",
                &["sector-members"],
                EntryStatus::Active,
            ),
            entry(
                7,
                "r.lopez@uncv.example.org",
                Language::En,
                "Universidad",
                &["academia", "study-group-chairs"],
                EntryStatus::Active,
            ),
        ];
        let mut sorted = entries;
        sorted.sort_by(|a, b| a.entry.address.cmp(&b.entry.address).then(a.id.cmp(&b.id)));
        let r = resolve(&cats(&["sector-members", "academia"]), &sorted);
        assert_eq!(r.members.len(), 1);
        let m = &r.members[0];
        assert_eq!(m.recipient.language, Language::Es);
        assert_eq!(m.recipient.addressee.name(), "Tierra Alta");
        let why: Vec<_> = m
            .reasons
            .iter()
            .map(|r| (r.category.id(), r.entry_id))
            .collect();
        assert_eq!(why, [("sector-members", 1), ("academia", 7)]);
    }

    #[test]
    fn an_unsubscribed_entry_keeps_the_address_out_and_says_which() {
        let entries = vec![
            entry(
                3,
                "n@example.org",
                Language::En,
                "Admin A",
                &["member-states"],
                EntryStatus::Unsubscribed,
            ),
            entry(
                4,
                "n@example.org",
                Language::En,
                "Mission A",
                &["permanent-missions"],
                EntryStatus::Active,
            ),
        ];
        let r = resolve(&cats(&["member-states", "permanent-missions"]), &entries);
        assert!(r.members.is_empty());
        assert_eq!(r.exclusions.len(), 1);
        assert_eq!(r.exclusions[0].reason, "unsubscribed");
        assert_eq!(r.exclusions[0].detail, "Admin A (d.csv:3)");
    }

    #[test]
    fn entries_outside_the_circulars_categories_give_no_reason() {
        let entries = vec![entry(
            5,
            "chair@example.org",
            Language::Fr,
            "SG5",
            &["study-group-chairs"],
            EntryStatus::Active,
        )];
        assert_eq!(
            resolve(&cats(&["member-states"]), &entries),
            Resolution::default()
        );
    }
}
