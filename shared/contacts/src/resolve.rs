//! Deciding, for one address, whether it receives a circular: one mail per normalised
//! address, one language, every reason kept; suppressed, inactive and opted-out addresses left
//! out with the reason in words.

use circulars_core::domain::{Circular, Language, Recipient};
use circulars_store::{
    AudienceMember, AudienceQuery, AudienceReason, Candidate, Decision, Exclusion, Store,
    StoreError, Subscription, Topic,
};

/// Whether the circulars of `topic` reach an address whose explicit choice is `choice`: its
/// choice when it made one, else the topic's default (an opt-in topic reaches no one who did
/// not opt in). The rule [`decide`] applies, with its reasons.
pub fn receives_topic(topic: &Topic, choice: Option<&Subscription>) -> bool {
    match choice {
        Some(s) => s.subscribed,
        None => !topic.opt_in,
    }
}

/// How many addresses the directory reads at once while resolving an audience.
pub const RESOLUTION_PAGE: usize = 1000;

/// The directory query and the resolution rules of a circular.
pub async fn audience_rules(
    store: &Store,
    circular: &Circular,
) -> Result<(AudienceQuery, Rules), StoreError> {
    let topic = match &circular.topic {
        Some(id) => Some(store.topic(id).await?.ok_or_else(|| StoreError::Corrupt {
            table: "topics",
            why: format!(
                "{} names topic {id}, which the directory does not hold",
                circular.id
            ),
        })?),
        None => None,
    };
    Ok((
        AudienceQuery {
            categories: circular.audience_categories(),
            topic: circular.topic.clone(),
            page_size: RESOLUTION_PAGE,
        },
        Rules {
            topic,
            fallback_language: circular.fallback_language,
        },
    ))
}

/// What a circular asks of its audience beyond its categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// The circular's topic, for an optional circular.
    pub topic: Option<Topic>,
    /// The language of recipients whose contact and addressee name none.
    pub fallback_language: Language,
}

/// Decides for one address (all its contacts in the circular's categories).
///
/// Order of the reasons out: suppressed, then no active contact, then the topic. The recipient
/// is named after its oldest active contact and reads in the language it chose for itself (on
/// the preferences page), else that contact's; a contact without a language takes its
/// addressee's, and then the circular's fallback.
pub fn decide(rules: &Rules, candidate: Candidate) -> Decision {
    let address = candidate.address.clone();
    let excluded = |reason: &str, detail: String| {
        Decision::Excluded(Exclusion {
            address: address.clone(),
            reason: reason.to_owned(),
            detail,
        })
    };
    if let Some(s) = &candidate.suppression {
        return excluded(
            "suppressed",
            format!(
                "suppressed since {} because {} ({})",
                s.since.format("%Y-%m-%d %H:%M UTC"),
                s.reason.as_str(),
                s.detail
            ),
        );
    }
    let active: Vec<_> = candidate.contacts.iter().filter(|c| c.active).collect();
    let Some(first) = active.first() else {
        let contacts: Vec<String> = candidate
            .contacts
            .iter()
            .map(|c| format!("{} ({})", c.addressee_key, c.source))
            .collect();
        return excluded(
            "inactive",
            format!("every contact is inactive: {}", contacts.join("; ")),
        );
    };
    let subscription = match &rules.topic {
        None => None,
        Some(topic) => match (&candidate.subscription, topic.opt_in) {
            (Some(s), _) if !s.subscribed => {
                return excluded(
                    "opted-out",
                    format!(
                        "opted out of topic {} since {} ({})",
                        topic.id,
                        s.since.format("%Y-%m-%d %H:%M UTC"),
                        s.source
                    ),
                )
            }
            (Some(s), _) => Some(format!(
                "subscribed to topic {} since {} ({})",
                topic.id,
                s.since.format("%Y-%m-%d %H:%M UTC"),
                s.source
            )),
            (None, true) => {
                return excluded(
                    "not-opted-in",
                    format!(
                        "topic {} is opt-in and the address never opted in",
                        topic.id
                    ),
                )
            }
            (None, false) => Some(format!("topic {}: subscribed by default", topic.id)),
        },
    };
    let language = candidate
        .chosen_language
        .or(first.language)
        .or(first.addressee_language)
        .unwrap_or(rules.fallback_language);
    let reasons = active
        .iter()
        .flat_map(|c| {
            c.categories.iter().map(|category| AudienceReason {
                category: category.clone(),
                contact_id: c.id,
                addressee_key: c.addressee_key.clone(),
                addressee: c.addressee.clone(),
                address_written: c.address_written.clone(),
                source: c.source.clone(),
            })
        })
        .collect();
    Decision::Member(AudienceMember {
        recipient: Recipient {
            address: candidate.address,
            name: first.name.clone(),
            language,
            addressee: first.addressee.clone(),
        },
        reasons,
        subscription,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use circulars_core::domain::{Category, RecipientAddress};
    use circulars_store::{CandidateContact, Subscription, Suppression, SuppressionReason};

    fn contact(
        id: i64,
        addressee: &str,
        language: Option<Language>,
        active: bool,
    ) -> CandidateContact {
        CandidateContact {
            id,
            address_written: "R.Lopez@UNCV.example.org".into(),
            name: format!("Contact {id}"),
            language,
            active,
            source: format!("d.csv:{id}"),
            addressee_key: addressee.parse().unwrap(),
            addressee: format!("The {addressee}").parse().unwrap(),
            addressee_language: Some(Language::Fr),
            categories: vec![Category::parse("sector-members").unwrap()],
        }
    }

    fn candidate(contacts: Vec<CandidateContact>) -> Candidate {
        Candidate {
            address: RecipientAddress::parse("R.Lopez@uncv.example.org").unwrap(),
            contacts,
            suppression: None,
            subscription: None,
            chosen_language: None,
        }
    }

    fn official() -> Rules {
        Rules {
            topic: None,
            fallback_language: Language::En,
        }
    }

    fn topic(opt_in: bool) -> Rules {
        Rules {
            topic: Some(Topic {
                id: "tsb-events".parse().unwrap(),
                name: "TSB events".into(),
                opt_in,
            }),
            fallback_language: Language::En,
        }
    }

    #[test]
    fn the_oldest_active_contact_names_the_recipient_and_every_active_one_gives_reasons() {
        let c = candidate(vec![
            contact(1, "gone", Some(Language::Ru), false),
            contact(2, "tierra", Some(Language::Es), true),
            contact(7, "uni", None, true),
        ]);
        let Decision::Member(m) = decide(&official(), c) else {
            panic!("expected a member")
        };
        assert_eq!(m.recipient.language, Language::Es);
        assert_eq!(m.recipient.name, "Contact 2");
        let ids: Vec<i64> = m.reasons.iter().map(|r| r.contact_id).collect();
        assert_eq!(ids, [2, 7]);
        assert_eq!(m.subscription, None);
    }

    #[test]
    fn the_language_the_recipient_chose_wins_over_the_directory() {
        let mut c = candidate(vec![contact(2, "tierra", Some(Language::Es), true)]);
        c.chosen_language = Some(Language::Ar);
        let Decision::Member(m) = decide(&official(), c) else {
            panic!("expected a member")
        };
        assert_eq!(m.recipient.language, Language::Ar);
    }

    #[test]
    fn language_falls_back_to_the_addressee_then_the_circular() {
        let c = candidate(vec![contact(3, "a", None, true)]);
        let Decision::Member(m) = decide(&official(), c) else {
            panic!()
        };
        assert_eq!(m.recipient.language, Language::Fr);
        let mut bare = contact(4, "b", None, true);
        bare.addressee_language = None;
        let Decision::Member(m) = decide(&official(), candidate(vec![bare])) else {
            panic!()
        };
        assert_eq!(m.recipient.language, Language::En);
    }

    #[test]
    fn suppressed_inactive_and_opted_out_addresses_are_left_out_with_the_reason() {
        let since = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        let mut c = candidate(vec![contact(1, "a", None, true)]);
        c.suppression = Some(Suppression {
            reason: SuppressionReason::Complained,
            detail: "feedback report".into(),
            since,
        });
        let Decision::Excluded(x) = decide(&official(), c) else {
            panic!()
        };
        assert_eq!(x.reason, "suppressed");
        assert_eq!(
            x.detail,
            "suppressed since 2026-03-01 09:30 UTC because complained (feedback report)"
        );

        let Decision::Excluded(x) =
            decide(&official(), candidate(vec![contact(1, "a", None, false)]))
        else {
            panic!()
        };
        assert_eq!(x.reason, "inactive");

        let mut c = candidate(vec![contact(1, "a", None, true)]);
        c.subscription = Some(Subscription {
            subscribed: false,
            set_by: "recipient".into(),
            source: "one-click unsubscribe from TSB-40".into(),
            since,
        });
        let Decision::Excluded(x) = decide(&topic(false), c.clone()) else {
            panic!()
        };
        assert_eq!(x.reason, "opted-out");
        assert!(
            x.detail
                .starts_with("opted out of topic tsb-events since 2026-03-01"),
            "{}",
            x.detail
        );
        // The same address receives official circulars all the same.
        assert!(matches!(decide(&official(), c), Decision::Member(_)));
    }

    #[test]
    fn opt_in_topics_reach_only_those_who_opted_in() {
        let c = candidate(vec![contact(1, "a", None, true)]);
        let Decision::Excluded(x) = decide(&topic(true), c.clone()) else {
            panic!()
        };
        assert_eq!(x.reason, "not-opted-in");
        let Decision::Member(m) = decide(&topic(false), c) else {
            panic!()
        };
        assert_eq!(
            m.subscription.as_deref(),
            Some("topic tsb-events: subscribed by default")
        );
    }

    #[test]
    fn receives_topic_says_what_decide_does_for_every_choice_and_default() {
        let c = candidate(vec![contact(1, "a", None, true)]);
        for opt_in in [true, false] {
            let rules = topic(opt_in);
            let t = rules.topic.clone().unwrap();
            for choice in [None, Some(true), Some(false)] {
                let mut c = c.clone();
                c.subscription = choice.map(|subscribed| Subscription {
                    subscribed,
                    set_by: "recipient".into(),
                    source: "preferences page".into(),
                    since: chrono::Utc::now(),
                });
                let member = matches!(decide(&rules, c.clone()), Decision::Member(_));
                assert_eq!(
                    receives_topic(&t, c.subscription.as_ref()),
                    member,
                    "opt_in {opt_in}, choice {choice:?}"
                );
            }
        }
    }
}
