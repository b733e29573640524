//! The audience a circular would have if it were issued now (a dry run): counts per category,
//! per language and per reason left out, from the same resolution the issue uses.

use crate::resolve::{self, audience_rules};
use circulars_core::domain::{Category, CircularId, Language};
use circulars_store::{Decision, Store, StoreError};
use std::collections::BTreeMap;
use std::fmt;

/// Counts of a circular's audience.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AudienceCounts {
    /// The circular.
    pub circular: Option<CircularId>,
    /// Recipients (one per normalised address).
    pub recipients: u64,
    /// Recipients per category (a recipient in two categories counts in both).
    pub by_category: BTreeMap<Category, u64>,
    /// Recipients per language.
    pub by_language: BTreeMap<Language, u64>,
    /// Recipients per category, then per language: the cross table of the two above.
    pub by_category_language: BTreeMap<Category, BTreeMap<Language, u64>>,
    /// Addresses left out, per reason.
    pub excluded: BTreeMap<String, u64>,
}

/// Counts the audience `circular` would have today, reading the directory page by page.
pub async fn dry_run(store: &Store, circular: &CircularId) -> Result<AudienceCounts, StoreError> {
    let stored = store.existing_circular(circular).await?;
    let (query, rules) = audience_rules(store, &stored.circular).await?;
    let mut counts = AudienceCounts {
        circular: Some(circular.clone()),
        ..AudienceCounts::default()
    };
    store
        .walk_audience(
            &query,
            |candidate| resolve::decide(&rules, candidate),
            |decision| match decision {
                Decision::Member(m) => {
                    counts.recipients += 1;
                    *counts.by_language.entry(m.recipient.language).or_default() += 1;
                    let mut categories: Vec<&Category> =
                        m.reasons.iter().map(|r| &r.category).collect();
                    categories.sort();
                    categories.dedup();
                    for c in categories {
                        *counts.by_category.entry(c.clone()).or_default() += 1;
                        *counts
                            .by_category_language
                            .entry(c.clone())
                            .or_default()
                            .entry(m.recipient.language)
                            .or_default() += 1;
                    }
                }
                Decision::Excluded(x) => *counts.excluded.entry(x.reason.clone()).or_default() += 1,
            },
        )
        .await?;
    Ok(counts)
}

impl fmt::Display for AudienceCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self
            .circular
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        writeln!(
            f,
            "{id} would go to {} recipients (dry run on today's directory):",
            self.recipients
        )?;
        let mut categories: Vec<_> = self.by_category.iter().collect();
        categories.sort_by_key(|(c, _)| (c.rank(), (*c).clone()));
        writeln!(f, "by category:")?;
        for (category, n) in categories {
            writeln!(f, "  {:<30} {n:>8}", category.id())?;
        }
        writeln!(f, "by language:")?;
        for (language, n) in &self.by_language {
            writeln!(f, "  {:<30} {n:>8}", language.code())?;
        }
        if !self.excluded.is_empty() {
            writeln!(f, "left out:")?;
            for (reason, n) in &self.excluded {
                writeln!(f, "  {reason:<30} {n:>8}")?;
            }
        }
        Ok(())
    }
}
